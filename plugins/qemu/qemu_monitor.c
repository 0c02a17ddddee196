/*
 * qemu_monitor.c: a QMP client on json-c.
 *
 * One connection per VM (QEMU 7.2 serves one QMP client at a time). The
 * watcher thread reads: replies are matched to waiting callers by the "id"
 * we put in every command, events go to the owner's callback, EOF fails
 * every waiting command at once. Callers send from their own thread and
 * wait for their reply with a timeout, so several commands may be in
 * flight (a stats query does not wait behind a long migration command).
 *
 * A command sent from the watcher thread itself could never see its reply;
 * it fails at once with an internal error instead of hanging.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "qemu.h"
#include "vkc_file.h"

typedef struct pending {
    long long id;
    bool done;
    json_object *reply;
    struct pending *next;
} pending;

struct qemu_mon {
    qemu_watcher *w;
    int watch;
    int fd;
    char *label;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    vkc_buf rbuf;
    bool greeted;
    bool closed;
    long long next_id;
    pending *pending;
    qemu_mon_cbs cbs;
    void *opaque;
    int users;          /* callers inside qemu_mon_cmd: close waits for them */
};

static __thread char last_class[64];

const char *qemu_mon_last_error_class(void)
{
    return last_class;
}

bool qemu_mon_alive(qemu_mon *m)
{
    pthread_mutex_lock(&m->lock);
    bool alive = !m->closed;
    pthread_mutex_unlock(&m->lock);
    return alive;
}

/* One line from qemu (watcher thread, m->lock held; released around the
 * event callback). */
static void handle_line(qemu_mon *m, const char *line, size_t len)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = json_tokener_parse_ex(tok, line, (int)len);
    json_tokener_free(tok);
    if (!o || !json_object_is_type(o, json_type_object)) {
        VKC_WARN("%s: QMP sent something that is not a JSON object: %.*s", m->label,
                 (int)(len > 200 ? 200 : len), line);
        if (o)
            json_object_put(o);
        return;
    }
    if (vkc_json_get(o, "QMP")) {
        m->greeted = true;
        pthread_cond_broadcast(&m->cond);
        json_object_put(o);
        return;
    }
    const char *event = vkc_json_str(o, "event");
    if (event) {
        if (m->cbs.event) {
            pthread_mutex_unlock(&m->lock);
            m->cbs.event(m, event, vkc_json_get(o, "data"), m->opaque);
            pthread_mutex_lock(&m->lock);
        }
        json_object_put(o);
        return;
    }
    int64_t id = -1;
    if (!vkc_json_i64(o, "id", &id)) {
        VKC_DEBUG("%s: QMP reply without id ignored", m->label);
        json_object_put(o);
        return;
    }
    for (pending *p = m->pending; p; p = p->next) {
        if (p->id == id) {
            p->reply = o;
            p->done = true;
            pthread_cond_broadcast(&m->cond);
            return;
        }
    }
    /* a late reply to a command that timed out */
    json_object_put(o);
}

static void mark_closed(qemu_mon *m)
{
    m->closed = true;
    pthread_cond_broadcast(&m->cond);
}

static void on_readable(int fd, short revents, void *opaque)
{
    qemu_mon *m = opaque;
    char buf[65536];
    bool eof = false;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            vkc_buf_addn(&m->rbuf, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            eof = true;
        break;
    }
    (void)revents;
    size_t start = 0;
    while (m->rbuf.s && start < m->rbuf.len) {
        char *nl = memchr(m->rbuf.s + start, '\n', m->rbuf.len - start);
        if (!nl)
            break;
        size_t l = (size_t)(nl - (m->rbuf.s + start));
        /* handle_line may drop the lock: copy the line out first */
        VK_AUTOFREE(char *) line = vkc_strndup(m->rbuf.s + start, l);
        start += l + 1;
        if (l)
            handle_line(m, line, l);
    }
    if (start) {
        memmove(m->rbuf.s, m->rbuf.s + start, m->rbuf.len - start);
        m->rbuf.len -= start;
        m->rbuf.s[m->rbuf.len] = 0;
    }
    bool notify = false;
    if (eof && !m->closed) {
        mark_closed(m);
        notify = true;
    }
    pthread_mutex_unlock(&m->lock);
    if (eof) {
        qemu_watch_remove(m->w, m->watch);
        if (notify && m->cbs.eof)
            m->cbs.eof(m, m->opaque);
    }
}

static int send_locked(qemu_mon *m, const char *text, int pass_fd)
{
    size_t len = strlen(text);
    size_t off = 0;
    bool fd_sent = pass_fd < 0;
    while (off < len) {
        struct iovec iov = { .iov_base = (char *)text + off, .iov_len = len - off };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        char cbuf[CMSG_SPACE(sizeof(int))];
        if (!fd_sent) {
            memset(cbuf, 0, sizeof(cbuf));
            msg.msg_control = cbuf;
            msg.msg_controllen = sizeof(cbuf);
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        ssize_t n = sendmsg(m->fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = m->fd, .events = POLLOUT };
            poll(&p, 1, 1000);
            continue;
        }
        if (n < 0) {
            vkc_error_system(errno, "domain '%s': cannot send to the qemu monitor", m->label);
            return -1;
        }
        fd_sent = true;
        off += (size_t)n;
    }
    return 0;
}

int qemu_mon_cmd_fd(qemu_mon *m, const char *cmd, json_object *args, int pass_fd,
                    int timeout_ms, json_object **ret)
{
    last_class[0] = 0;
    if (ret)
        *ret = NULL;
    if (qemu_watcher_is_self(m->w)) {
        if (args)
            json_object_put(args);
        QEMU_ERR(VIRTKIT_ERR_INTERNAL, "domain '%s': QMP command '%s' sent from the watcher "
                 "thread", m->label, cmd);
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    if (m->closed) {
        pthread_mutex_unlock(&m->lock);
        if (args)
            json_object_put(args);
        QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': the qemu monitor is closed "
                 "(qemu exited?), cannot run '%s'", m->label, cmd);
        return -1;
    }
    m->users++;
    pending p = { .id = ++m->next_id };
    json_object *o = vkc_json_obj("execute", VKC_JS(cmd), "arguments", args, "id", VKC_JI(p.id),
                                  NULL);
    VK_AUTOFREE(char *) text = vkc_asprintf("%s\n", json_object_to_json_string_ext(
                                                        o, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    p.next = m->pending;
    m->pending = &p;
    int r = send_locked(m, text, pass_fd);
    struct timespec dl;
    vkc_deadline(&dl, timeout_ms);
    while (r == 0 && !p.done && !m->closed) {
        if (pthread_cond_timedwait(&m->cond, &m->lock, &dl) == ETIMEDOUT && !p.done) {
            QEMU_ERR(VIRTKIT_ERR_OPERATION_TIMEOUT,
                     "domain '%s': qemu did not answer '%s' within %d ms", m->label, cmd,
                     timeout_ms);
            r = -1;
        }
    }
    for (pending **pp = &m->pending; *pp; pp = &(*pp)->next) {
        if (*pp == &p) {
            *pp = p.next;
            break;
        }
    }
    if (r == 0 && !p.done) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED,
                 "domain '%s': the qemu monitor closed while running '%s' (qemu exited?)",
                 m->label, cmd);
        r = -1;
    }
    m->users--;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    if (r < 0) {
        if (p.reply)
            json_object_put(p.reply);
        return -1;
    }
    json_object *err = vkc_json_get(p.reply, "error");
    if (err) {
        const char *cls = vkc_json_str(err, "class");
        snprintf(last_class, sizeof(last_class), "%s", cls ? cls : "");
        QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': qemu refused '%s': %s", m->label,
                 cmd, vkc_json_str(err, "desc") ? vkc_json_str(err, "desc") : "unknown error");
        json_object_put(p.reply);
        return -1;
    }
    if (ret) {
        json_object *rv = vkc_json_get(p.reply, "return");
        *ret = rv ? json_object_get(rv) : NULL;
    }
    json_object_put(p.reply);
    return 0;
}

int qemu_mon_cmd(qemu_mon *m, const char *cmd, json_object *args, int timeout_ms,
                 json_object **ret)
{
    return qemu_mon_cmd_fd(m, cmd, args, -1, timeout_ms, ret);
}

int qemu_mon_getfd(qemu_mon *m, const char *name, int fd, int timeout_ms)
{
    return qemu_mon_cmd_fd(m, "getfd", vkc_json_obj("fdname", VKC_JS(name), NULL), fd,
                           timeout_ms, NULL);
}

static bool pid_gone(int pidfd)
{
    if (pidfd < 0)
        return false;
    struct pollfd p = { .fd = pidfd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

qemu_mon *qemu_mon_open(qemu_watcher *w, int fd, const char *label, const qemu_mon_cbs *cbs,
                        void *opaque, int pidfd, int timeout_ms)
{
    qemu_mon *m = vkc_alloc(sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    vkc_cond_init(&m->cond);
    m->w = w;
    m->fd = fd;
    m->label = vkc_strdup(label);
    if (cbs)
        m->cbs = *cbs;
    m->opaque = opaque;
    vkc_set_nonblock(fd, 1);
    m->watch = qemu_watch_add(w, fd, POLLIN, on_readable, m);

    /* Wait for the greeting; wake every few ms to notice a dead qemu. */
    int64_t end = vkc_now_ms() + timeout_ms;
    pthread_mutex_lock(&m->lock);
    while (!m->greeted && !m->closed) {
        if (vkc_now_ms() >= end || pid_gone(pidfd))
            break;
        struct timespec dl;
        vkc_deadline(&dl, 10);
        pthread_cond_timedwait(&m->cond, &m->lock, &dl);
    }
    bool ok = m->greeted;
    bool closed = m->closed;
    pthread_mutex_unlock(&m->lock);
    if (!ok) {
        if (closed || pid_gone(pidfd))
            QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': qemu exited before its monitor "
                     "answered", label);
        else
            QEMU_ERR(VIRTKIT_ERR_OPERATION_TIMEOUT, "domain '%s': qemu's monitor did not greet "
                     "within %d ms", label, timeout_ms);
        qemu_mon_close(m);
        return NULL;
    }
    if (qemu_mon_cmd(m, "qmp_capabilities", NULL, timeout_ms, NULL) < 0) {
        qemu_mon_close(m);
        return NULL;
    }
    return m;
}

void qemu_mon_close(qemu_mon *m)
{
    if (!m)
        return;
    qemu_watch_remove(m->w, m->watch);
    pthread_mutex_lock(&m->lock);
    mark_closed(m);
    while (m->users > 0)
        pthread_cond_wait(&m->cond, &m->lock);
    pthread_mutex_unlock(&m->lock);
    close(m->fd);
    vkc_buf_clear(&m->rbuf);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->cond);
    free(m->label);
    free(m);
}
