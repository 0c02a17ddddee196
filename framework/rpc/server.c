/*
 * server.c: see server.h. The I/O thread, the worker pools and the
 * client bookkeeping.
 *
 * A call's path: the I/O thread reads a frame, checks what can be checked
 * without decoding (procedure known, connection open, read-only socket,
 * in-flight limit) and answers refusals itself; a good call becomes a job
 * on the normal or the priority queue. A worker decodes it, checks access,
 * runs the handler and writes the reply straight to the socket; only when
 * the socket is full does the rest wait in the client's output queue for
 * the I/O thread. Keepalive frames never reach a queue, so a client whose
 * calls are all stuck still answers and is answered.
 *
 * Client states: HANDSHAKE (TLS) -> CONNECTED -> OPEN (after connect_open)
 * -> CLOSED (hung up by either side, a protocol violation, a keepalive
 * timeout, or output the client does not read). Refusals before the end
 * are sent as a NOTICE frame so the client can say why.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "fileutil.h"
#include "log.h"
#include "server_priv.h"

#define TICK_MS 1000

/* epoll data: listeners are tagged with the top bit; 0 is the wake fd. */
#define TAG_LISTENER (1ull << 63)

#define HOT(s, field) __atomic_load_n(&(s)->hot_##field, __ATOMIC_RELAXED)

unsigned int srv_max_message(vk_server *s)
{
    return HOT(s, max_message);
}

/* ------------------------------------------------------------- clients -- */

void srv_client_ref(srv_client *cl)
{
    __atomic_add_fetch(&cl->refs, 1, __ATOMIC_RELAXED);
}

static void client_free(srv_client *cl)
{
    VK_DEBUG("server", "client %llu freed", (unsigned long long)cl->id);
    srv_events_detach(cl);
    if (cl->conn)
        virtkit_connect_close(cl->conn);
    vk_rpc_sock_close(&cl->sock);
    for (srv_out *o = cl->out_head; o;) {
        srv_out *n = o->next;
        free(o->data);
        free(o);
        o = n;
    }
    free(cl->in);
    free(cl->desc);
    free(cl->user);
    free(cl->dn);
    free(cl->groups);
    free(cl->key);
    free(cl->broken_why);
    pthread_mutex_destroy(&cl->ev_lock);
    pthread_mutex_destroy(&cl->lock);
    free(cl);
}

void srv_client_unref(srv_client *cl)
{
    if (cl && __atomic_sub_fetch(&cl->refs, 1, __ATOMIC_ACQ_REL) == 0)
        client_free(cl);
}

static void wake_io(vk_server *s)
{
    uint64_t one = 1;
    ssize_t r = write(s->wake_fd, &one, sizeof(one));
    (void)r;
}

/* Epoll interest (lock held): read unless the client has too much output
 * pending; write while output is queued. */
static void update_events_locked(srv_client *cl)
{
    if (cl->closed)
        return;
    vk_server *s = cl->srv;
    uint32_t ev = 0;
    if (cl->handshaking)
        ev = vk_tls_handshake_wants(&cl->sock) == POLLOUT ? EPOLLOUT : EPOLLIN;
    else {
        if (cl->out_bytes < SRV_OUT_HIGH)
            ev |= EPOLLIN;
        if (cl->out_head)
            ev |= EPOLLOUT;
    }
    if (ev == cl->ep_events)
        return;
    struct epoll_event e = { .events = ev, .data.ptr = cl };
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, cl->sock.fd, &e) == 0)
        cl->ep_events = ev;
}

void srv_client_kill(srv_client *cl, const char *why)
{
    pthread_mutex_lock(&cl->lock);
    if (cl->closed || cl->broken) {
        pthread_mutex_unlock(&cl->lock);
        return;
    }
    cl->broken = true;
    cl->broken_why = vk_strdup(why);
    pthread_mutex_unlock(&cl->lock);
    wake_io(cl->srv);
}

/* Write as much of the queue as the socket takes (lock held). -1 on a
 * write error (error set). */
static int flush_locked(srv_client *cl)
{
    while (cl->out_head) {
        srv_out *o = cl->out_head;
        ssize_t r = vk_rpc_sock_write(&cl->sock, o->data + o->off, o->len - o->off);
        if (r == -2)
            return 0;
        if (r <= 0)
            return -1;
        o->off += (size_t)r;
        cl->out_bytes -= (size_t)r;
        if (o->off == o->len) {
            cl->out_head = o->next;
            if (!cl->out_head)
                cl->out_tail = NULL;
            free(o->data);
            free(o);
        }
    }
    return 0;
}

void srv_client_send_ex(srv_client *cl, uint8_t *buf, size_t len, bool unsolicited)
{
    pthread_mutex_lock(&cl->lock);
    if (cl->closed || cl->broken) {
        pthread_mutex_unlock(&cl->lock);
        free(buf);
        return;
    }
    size_t off = 0;
    if (!cl->out_head && !cl->handshaking) {
        /* The common case: the socket has room; no queue, no wakeup. */
        while (off < len) {
            ssize_t r = vk_rpc_sock_write(&cl->sock, buf + off, len - off);
            if (r > 0) {
                off += (size_t)r;
                continue;
            }
            if (r == -2)
                break;
            pthread_mutex_unlock(&cl->lock);
            free(buf);
            srv_client_kill(cl, "cannot write to the client");
            return;
        }
        if (off == len) {
            pthread_mutex_unlock(&cl->lock);
            free(buf);
            return;
        }
    }
    srv_out *o = vk_alloc(sizeof(*o));
    o->data = buf;
    o->len = len;
    o->off = off;
    if (cl->out_tail)
        cl->out_tail->next = o;
    else
        cl->out_head = o;
    cl->out_tail = o;
    cl->out_bytes += len - off;
    /* Replies are bounded by the calls in flight; events are not: a client
     * that lets them pile up is let go. */
    bool kill = unsolicited && cl->out_bytes > SRV_OUT_KILL;
    update_events_locked(cl);
    size_t pending = cl->out_bytes;
    pthread_mutex_unlock(&cl->lock);
    if (kill) {
        VK_AUTOFREE(char *) why = vk_asprintf("the client stopped reading (%zu bytes pending)",
                                              pending);
        srv_client_kill(cl, why);
    }
}

void srv_client_send(srv_client *cl, uint8_t *buf, size_t len)
{
    srv_client_send_ex(cl, buf, len, false);
}

static void send_notice(srv_client *cl, int code, const char *msg)
{
    VkError e = VK_ERROR__INIT;
    e.code = code;
    e.subsystem = VIRTKIT_SUB_DAEMON;
    e.message = (char *)msg;
    vk_rpc_header h = { .type = VK_RPC_NOTICE, .status = VK_RPC_ERROR };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, &e.base, &len);
    srv_client_send(cl, buf, len);
}

static void send_keepalive(srv_client *cl, uint32_t proc)
{
    vk_rpc_header h = { .type = VK_RPC_KEEPALIVE, .proc = proc, .status = VK_RPC_OK };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, NULL, &len);
    srv_client_send(cl, buf, len);
}

/* An error reply sent by the I/O thread itself (refusals before a job). */
static void reply_error(srv_client *cl, const vk_rpc_header *call, int code, int sub,
                        const char *fmt, ...) VK_PRINTF(5, 6);
static void reply_error(srv_client *cl, const vk_rpc_header *call, int code, int sub,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) msg = vk_vasprintf(fmt, ap);
    va_end(ap);
    VkError e = VK_ERROR__INIT;
    e.code = code;
    e.subsystem = sub;
    e.message = msg;
    vk_rpc_header h = { .type = VK_RPC_REPLY, .proc = call->proc, .serial = call->serial,
                        .status = VK_RPC_ERROR };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, &e.base, &len);
    srv_client_send(cl, buf, len);
}

/* Hang up (I/O thread): stop watching, forget the client, drop the
 * connection's reference. Calls still running finish on their own. */
static void client_hangup(vk_server *s, srv_client *cl, const char *why)
{
    pthread_mutex_lock(&cl->lock);
    if (cl->closed) {
        pthread_mutex_unlock(&cl->lock);
        return;
    }
    /* Give what is queued (a NOTICE, say) one last chance. */
    flush_locked(cl);
    cl->closed = true;
    pthread_mutex_unlock(&cl->lock);
    epoll_ctl(s->ep, EPOLL_CTL_DEL, cl->sock.fd, NULL);
    shutdown(cl->sock.fd, SHUT_RDWR);
    if (why)
        VK_INFO("server", "client %llu (%s) disconnected: %s", (unsigned long long)cl->id,
                cl->desc, why);
    else
        VK_DEBUG("server", "client %llu (%s) disconnected", (unsigned long long)cl->id,
                 cl->desc);
    pthread_mutex_lock(&s->lock);
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        s->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    cl->next = cl->prev = NULL;
    s->nclients--;
    pthread_mutex_unlock(&s->lock);
    srv_events_drop(cl);
    srv_streams_drop(cl);
    srv_client_unref(cl);
}

/* ------------------------------------------------------------- access -- */

int srv_check_access(srv_client *cl, const vk_rpc_proc *p, vk_acl_object obj, vk_acl_op op,
                     const char *objname)
{
    vk_server *s = cl->srv;
    pthread_rwlock_rdlock(&s->acl_lock);
    bool ok = vk_access_allowed(s->cfg.access, &cl->ident, obj, op);
    pthread_rwlock_unlock(&s->acl_lock);
    if (ok)
        return 0;
    VK_AUTOFREE(char *) what =
        objname ? vk_asprintf("%s '%s'", vk_acl_object_names[obj], objname)
        : obj == VK_ACL_CONNECT ? vk_strdup("the connection")
                                : vk_asprintf("%s objects", vk_acl_object_names[obj]);
    VK_WARN("access", "denied: client %llu (%s) procedure %s: %s on %s",
            (unsigned long long)cl->id, cl->desc, p->name, vk_acl_op_names[op], what);
    vk_error_set(VIRTKIT_ERR_OPERATION_DENIED, VIRTKIT_SUB_ACCESS,
                 "access denied: %s may not %s %s (procedure %s)", cl->desc,
                 vk_acl_op_names[op], what, p->name);
    return -1;
}

/* ---------------------------------------------------------------- jobs -- */

typedef struct srv_worker {
    vk_server *s;
    pthread_t th;
    sem_t sem;
    bool prio;
    bool started;
    struct srv_worker *next_idle;
} srv_worker;

static srv_worker *pop_idle(srv_worker **stack)
{
    srv_worker *w = *stack;
    if (w)
        *stack = w->next_idle;
    return w;
}

static void push_job(vk_server *s, srv_job *j, bool prio)
{
    pthread_mutex_lock(&s->qlock);
    srv_worker *w;
    if (prio) {
        if (s->qp_tail)
            s->qp_tail->next = j;
        else
            s->qp_head = j;
        s->qp_tail = j;
        /* Any idle worker may take a priority call; the priority workers
         * only matter when every normal one is busy. */
        w = pop_idle(&s->idle);
        if (!w)
            w = pop_idle(&s->idle_prio);
    } else {
        if (s->q_tail)
            s->q_tail->next = j;
        else
            s->q_head = j;
        s->q_tail = j;
        w = pop_idle(&s->idle);
    }
    pthread_mutex_unlock(&s->qlock);
    /* Posted after unlocking, so the worker does not wake up only to wait
     * for the queue lock. */
    if (w)
        sem_post(&w->sem);
}

static srv_job *take_job(vk_server *s, bool prio_only)
{
    srv_job *j = s->qp_head;
    if (j) {
        s->qp_head = j->next;
        if (!s->qp_head)
            s->qp_tail = NULL;
        return j;
    }
    if (prio_only)
        return NULL;
    j = s->q_head;
    if (j) {
        s->q_head = j->next;
        if (!s->q_head)
            s->q_tail = NULL;
    }
    return j;
}

typedef struct srv_deferred {
    struct srv_deferred *next;
    void (*fn)(void *);
    void *p;
} srv_deferred;

void srv_defer(srv_call *c, void (*fn)(void *), void *p)
{
    srv_deferred *d = vk_arena_alloc(c->a, sizeof(*d));
    d->fn = fn;
    d->p = p;
    d->next = c->defers;
    c->defers = d;
}

/* The object a call names, for access logs and messages: the name in its
 * "ref", "vol" or "pool" field, or in the message itself (lookups). */
static const char *object_name(const ProtobufCMessage *m)
{
    static const char *const fields[] = { "ref", "vol", "pool" };
    for (size_t i = 0; i < VK_ARRAY_LEN(fields); i++) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(m->descriptor, fields[i]);
        if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessage *sub =
                *(const ProtobufCMessage *const *)(const void *)((const char *)m + f->offset);
            if (sub)
                return object_name(sub);
        }
    }
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "name");
    if (f && f->type == PROTOBUF_C_TYPE_STRING)
        return *(const char *const *)(const void *)((const char *)m + f->offset);
    return NULL;
}

static void run_job(vk_server *s, srv_job *j)
{
    srv_client *cl = j->cl;
    const vk_rpc_proc *p = j->proc;
    VK_ARENA_STACK(a, 4096);
    virtkit_error_clear();
    pthread_mutex_lock(&cl->lock);
    virtkit_connect *conn = cl->conn;
    pthread_mutex_unlock(&cl->lock);
    srv_call call = { .cl = cl, .conn = conn, .h = &j->h, .a = &a };
    ProtobufCMessage *ret = NULL;
    int r = -1;
    ProtobufCMessage *args = vk_rpc_unpack(p->args, j->body, j->blen, &a, p->name);
    const vk_rpc_proc *delay = HOT(s, delay);
    unsigned int delay_ms = HOT(s, delay_ms);
    unsigned int maxmsg = HOT(s, max_message);
    if (args && srv_check_access(cl, p, p->object, p->op, object_name(args)) < 0)
        args = NULL;
    if (args) {
        if (delay == p && delay_ms) {
            struct timespec ts = { delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L };
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        }
        srv_handler fn = p->number < vk_srv_nhandlers ? vk_srv_handlers[p->number] : NULL;
        if (!fn)
            vk_error_set(VIRTKIT_ERR_NO_SUPPORT, VIRTKIT_SUB_DAEMON,
                         "procedure %s has no handler in this daemon", p->name);
        else
            r = fn(&call, args, &ret);
    }
    vk_rpc_header h = { .type = VK_RPC_REPLY, .proc = j->h.proc, .serial = j->h.serial,
                        .status = VK_RPC_OK };
    size_t len = 0;
    uint8_t *buf = NULL;
    if (r == 0) {
        buf = vk_rpc_frame_new(&h, ret, &len);
        if (len > maxmsg) {
            free(buf);
            vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_DAEMON,
                         "%s: the reply needs %zu bytes, more than the message limit of %u",
                         p->name, len, maxmsg);
            r = -1;
        }
    }
    if (r < 0)
        buf = vk_rpc_frame_error(&h, &len);
    for (srv_deferred *d = call.defers; d; d = d->next)
        d->fn(d->p);
    /* The slot frees before the reply leaves: a client that sends its next
     * call the moment the reply arrives must find it free. */
    __atomic_sub_fetch((p->flags & VK_PROC_PRIO) ? &cl->inflight_prio : &cl->inflight, 1,
                       __ATOMIC_RELEASE);
    srv_client_send(cl, buf, len);
    if (call.stream) {
        if (r == 0)
            srv_stream_start(call.stream);
        else
            srv_stream_cancel(call.stream);
    }
    srv_client_unref(cl);
}

static void *worker_main(void *opaque)
{
    srv_worker *w = opaque;
    vk_server *s = w->s;
    pthread_mutex_lock(&s->qlock);
    for (;;) {
        srv_job *j = take_job(s, w->prio);
        if (!j) {
            if (s->stopping)
                break;
            srv_worker **stack = w->prio ? &s->idle_prio : &s->idle;
            w->next_idle = *stack;
            *stack = w;
            pthread_mutex_unlock(&s->qlock);
            /* Whoever posts has taken us off the idle stack. */
            while (sem_wait(&w->sem) < 0 && errno == EINTR)
                ;
            pthread_mutex_lock(&s->qlock);
            continue;
        }
        pthread_mutex_unlock(&s->qlock);
        run_job(s, j);
        free(j);
        pthread_mutex_lock(&s->qlock);
    }
    s->running--;
    pthread_mutex_unlock(&s->qlock);
    return NULL;
}

/* ------------------------------------------------------ frames (I/O) -- */

static void handle_call(vk_server *s, srv_client *cl, const vk_rpc_header *h,
                        const uint8_t *body, size_t len)
{
    const vk_rpc_proc *p = vk_rpc_proc_get(h->proc);
    if (!p || (p->flags & VK_PROC_EVENT)) {
        reply_error(cl, h, VIRTKIT_ERR_RPC, VIRTKIT_SUB_DAEMON,
                    "unknown procedure number %u (the daemon may be older than the client)",
                    h->proc);
        return;
    }
    bool open = __atomic_load_n(&cl->open, __ATOMIC_ACQUIRE);
    if (!open && p->number != VK_PROC_connect_open) {
        reply_error(cl, h, VIRTKIT_ERR_RPC, VIRTKIT_SUB_DAEMON,
                    "procedure %s before connect_open", p->name);
        return;
    }
    if (open && p->number == VK_PROC_connect_open) {
        reply_error(cl, h, VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_DAEMON,
                    "the connection is already open");
        return;
    }
    if (cl->readonly && !(p->flags & VK_PROC_RO)) {
        VK_WARN("access", "denied: client %llu (%s) procedure %s on the read-only socket",
                (unsigned long long)cl->id, cl->desc, p->name);
        reply_error(cl, h, VIRTKIT_ERR_OPERATION_DENIED, VIRTKIT_SUB_ACCESS,
                    "procedure %s changes state and is not allowed on the read-only socket",
                    p->name);
        return;
    }
    bool prio = (p->flags & VK_PROC_PRIO) != 0;
    unsigned int limit = prio ? HOT(s, prio_limit) : HOT(s, max_requests);
    /* Only this thread adds; workers only take away. */
    unsigned int *count = prio ? &cl->inflight_prio : &cl->inflight;
    if (__atomic_load_n(count, __ATOMIC_RELAXED) >= limit) {
        reply_error(cl, h, VIRTKIT_ERR_AGAIN, VIRTKIT_SUB_DAEMON,
                    "too many calls in flight from this client (the limit is %u)", limit);
        return;
    }
    __atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
    srv_job *j = vk_alloc(sizeof(*j) + len);
    j->h = *h;
    j->proc = p;
    j->blen = len;
    if (len)
        memcpy(j->body, body, len);
    srv_client_ref(cl);
    j->cl = cl;
    push_job(s, j, prio);
}

/* One frame from a client. Returns -1 when the client must go (why set). */
static int handle_frame(vk_server *s, srv_client *cl, const vk_rpc_header *h,
                        const uint8_t *body, size_t len, const char **why)
{
    switch (h->type) {
    case VK_RPC_CALL:
        handle_call(s, cl, h, body, len);
        return 0;
    case VK_RPC_KEEPALIVE:
        if (h->proc == VK_RPC_PING) {
            /* A client that pings runs its loop: it can answer ours too. */
            if (!cl->keepalive_ok) {
                pthread_mutex_lock(&cl->lock);
                cl->keepalive_ok = true;
                pthread_mutex_unlock(&cl->lock);
            }
            send_keepalive(cl, VK_RPC_PONG);
        }
        return 0;
    case VK_RPC_STREAM:
        srv_stream_frame(cl, h, body, len);
        return 0;
    default:
        *why = "protocol error: the client sent a frame only the daemon may send";
        send_notice(cl, VIRTKIT_ERR_RPC, *why);
        return -1;
    }
}

/* Dispatch the complete frames at the start of data; returns the bytes
 * used, or -1 when the client was hung up. *need gets the length of an
 * incomplete frame whose header is in (0 when unknown). */
static ssize_t process_frames(vk_server *s, srv_client *cl, const uint8_t *data, size_t n,
                              size_t *need)
{
    unsigned int maxmsg = srv_max_message(s);
    size_t off = 0;
    *need = 0;
    while (n - off >= VK_RPC_HEADER_SIZE) {
        vk_rpc_header h;
        if (vk_rpc_header_decode(data + off, maxmsg, &h) < 0) {
            /* The length is checked before anything is allocated. */
            VK_AUTOFREE(char *) why = vk_asprintf("protocol error: %s", vk_error_message());
            virtkit_error_clear();
            send_notice(cl, VIRTKIT_ERR_RPC, why);
            client_hangup(s, cl, why);
            return -1;
        }
        if (n - off < h.len) {
            *need = h.len;
            break;
        }
        const char *why = NULL;
        if (handle_frame(s, cl, &h, data + off + VK_RPC_HEADER_SIZE, h.len - VK_RPC_HEADER_SIZE,
                         &why) < 0) {
            client_hangup(s, cl, why);
            return -1;
        }
        off += h.len;
    }
    return (ssize_t)off;
}

/* Reading: into the I/O thread's one buffer while no frame is half-read,
 * so an idle client costs no buffer at all; a partial frame moves to a
 * buffer of the client's own, sized for that frame, until it completes. */
static void client_readable(vk_server *s, srv_client *cl)
{
    for (int round = 0; round < 8; round++) {
        bool own = cl->in_len > cl->in_start;
        uint8_t *buf;
        size_t space;
        if (own) {
            if (cl->in_start) {
                memmove(cl->in, cl->in + cl->in_start, cl->in_len - cl->in_start);
                cl->in_len -= cl->in_start;
                cl->in_start = 0;
            }
            if (cl->in_cap - cl->in_len < 4096) {
                cl->in_cap = cl->in_cap * 2 > cl->in_len + 4096 ? cl->in_cap * 2
                                                                 : cl->in_len + 4096;
                cl->in = vk_realloc(cl->in, cl->in_cap);
            }
            buf = cl->in + cl->in_len;
            space = cl->in_cap - cl->in_len;
        } else {
            buf = s->rbuf;
            space = sizeof(s->rbuf);
        }
        ssize_t r;
        if (cl->sock.tls) {
            pthread_mutex_lock(&cl->lock);
            r = vk_rpc_sock_read(&cl->sock, buf, space);
            pthread_mutex_unlock(&cl->lock);
        } else {
            r = vk_rpc_sock_read(&cl->sock, buf, space);
        }
        if (r == -2)
            break;
        if (r == 0) {
            client_hangup(s, cl, NULL);
            return;
        }
        if (r < 0) {
            VK_AUTOFREE(char *) why = vk_strdup(vk_error_message());
            virtkit_error_clear();
            client_hangup(s, cl, why);
            return;
        }
        cl->last_rx_ms = vk_now_ms();
        cl->ka_missed = 0;
        size_t need = 0;
        if (own) {
            cl->in_len += (size_t)r;
            ssize_t used = process_frames(s, cl, cl->in, cl->in_len, &need);
            if (used < 0)
                return;
            cl->in_start = (size_t)used;
            if (cl->in_start == cl->in_len) {
                free(cl->in);
                cl->in = NULL;
                cl->in_cap = cl->in_start = cl->in_len = 0;
            } else if (need > cl->in_cap) {
                memmove(cl->in, cl->in + cl->in_start, cl->in_len - cl->in_start);
                cl->in_len -= cl->in_start;
                cl->in_start = 0;
                cl->in_cap = need;
                cl->in = vk_realloc(cl->in, cl->in_cap);
            }
        } else {
            ssize_t used = process_frames(s, cl, s->rbuf, (size_t)r, &need);
            if (used < 0)
                return;
            size_t tail = (size_t)r - (size_t)used;
            if (tail) {
                cl->in_cap = need > tail + 4096 ? need : tail + 4096;
                cl->in = vk_alloc(cl->in_cap);
                memcpy(cl->in, s->rbuf + used, tail);
                cl->in_start = 0;
                cl->in_len = tail;
            }
        }
        /* A racy read is enough: the writer re-checks under the lock. */
        if (__atomic_load_n(&cl->out_bytes, __ATOMIC_RELAXED) >= SRV_OUT_HIGH)
            break;
        /* A short read drained a plain socket; epoll says when more comes
         * (TLS may hold decrypted data, so it reads until it would block). */
        if (!cl->sock.tls && (size_t)r < space)
            break;
    }
}

static void client_writable(vk_server *s, srv_client *cl)
{
    pthread_mutex_lock(&cl->lock);
    int r = flush_locked(cl);
    bool drained = cl->out_bytes < SRV_OUT_HIGH / 2;
    update_events_locked(cl);
    pthread_mutex_unlock(&cl->lock);
    if (r < 0) {
        VK_AUTOFREE(char *) why = vk_strdup(vk_error_message());
        virtkit_error_clear();
        client_hangup(s, cl, why);
        return;
    }
    if (drained)
        srv_streams_resume(cl);
}

/* ------------------------------------------------------------- accept -- */

static void set_identity_unix(srv_client *cl)
{
    struct ucred uc;
    socklen_t l = sizeof(uc);
    if (getsockopt(cl->sock.fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0) {
        cl->ident.unix_peer = true;
        cl->ident.uid = uc.uid;
        cl->ident.gid = uc.gid;
        cl->ident.pid = uc.pid;
        struct passwd pw, *res = NULL;
        char buf[4096];
        if (getpwuid_r(uc.uid, &pw, buf, sizeof(buf), &res) == 0 && res) {
            cl->user = vk_strdup(pw.pw_name);
            int ng = 64;
            cl->groups = vk_alloc_n((size_t)ng, sizeof(gid_t));
            if (getgrouplist(pw.pw_name, pw.pw_gid, cl->groups, &ng) < 0 && ng > 64) {
                cl->groups = vk_realloc(cl->groups, (size_t)ng * sizeof(gid_t));
                getgrouplist(pw.pw_name, pw.pw_gid, cl->groups, &ng);
            }
            cl->ident.groups = cl->groups;
            cl->ident.ngroups = ng > 0 ? ng : 0;
        }
        cl->ident.user = cl->user;
        cl->desc = cl->user ? vk_asprintf("uid %u (%s) pid %d", uc.uid, cl->user, (int)uc.pid)
                            : vk_asprintf("uid %u pid %d", uc.uid, (int)uc.pid);
    } else {
        cl->desc = vk_strdup("unknown local peer");
    }
}

static char *peer_address(int fd)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof(ss);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getpeername(fd, (struct sockaddr *)&ss, &l) < 0 ||
        getnameinfo((struct sockaddr *)&ss, l, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return vk_strdup("?");
    return vk_asprintf(strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, serv);
}

static void accept_clients(vk_server *s, srv_listener *L)
{
    for (;;) {
        int fd = accept4(L->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: stop watching this socket until the
                 * next tick, or epoll would report it again at once. */
                VK_WARN("server", "cannot accept a client: %s; retrying in a second",
                        strerror(errno));
                struct epoll_event e = { .events = 0, .data.u64 = TAG_LISTENER | L->index };
                epoll_ctl(s->ep, EPOLL_CTL_MOD, L->fd, &e);
                L->paused = true;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                VK_WARN("server", "cannot accept a client: %s", strerror(errno));
            }
            return;
        }
        pthread_mutex_lock(&s->lock);
        unsigned int n = s->nclients, max = s->cfg.max_clients;
        uint64_t id = ++s->next_id;
        pthread_mutex_unlock(&s->lock);
        if (n >= max) {
            VK_WARN("server", "refusing a client: the limit of %u clients is reached", max);
            if (L->kind != CL_TLS) {
                /* Tell it why, best effort, without blocking. */
                VK_AUTOFREE(char *) msg = vk_asprintf(
                    "virtkitd refused the connection: the limit of %u clients is reached", max);
                VkError e = VK_ERROR__INIT;
                e.code = VIRTKIT_ERR_AGAIN;
                e.subsystem = VIRTKIT_SUB_DAEMON;
                e.message = msg;
                vk_rpc_header h = { .type = VK_RPC_NOTICE, .status = VK_RPC_ERROR };
                size_t len;
                VK_AUTOFREE(uint8_t *) buf = vk_rpc_frame_new(&h, &e.base, &len);
                ssize_t w = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                (void)w;
            }
            close(fd);
            continue;
        }
        srv_client *cl = vk_alloc(sizeof(*cl));
        cl->refs = 1;
        cl->id = id;
        cl->srv = s;
        pthread_mutex_init(&cl->lock, NULL);
        pthread_mutex_init(&cl->ev_lock, NULL);
        cl->sock = (vk_rpc_sock)VK_RPC_SOCK_INIT;
        cl->sock.fd = fd;
        cl->kind = L->kind;
        cl->readonly = L->kind == CL_UNIX_RO;
        cl->nodedev_cb = -1;
        cl->accepted_ms = cl->last_rx_ms = cl->last_ping_ms = vk_now_ms();
        if (L->kind == CL_TLS) {
            /* Remote peers that vanish without a word (a host that lost
             * power) are found by TCP keepalive when they never pinged. */
            int on = 1;
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
            VK_AUTOFREE(char *) addr = peer_address(fd);
            cl->desc = vk_asprintf("tls client %s", addr);
            if (vk_tls_session_start(L->tls, &cl->sock, NULL) < 0) {
                VK_WARN("server", "%s: %s", cl->desc, vk_error_message());
                virtkit_error_clear();
                srv_client_unref(cl);
                continue;
            }
            cl->handshaking = true;
        } else {
            set_identity_unix(cl);
        }
        cl->ep_events = cl->handshaking ? EPOLLIN | EPOLLOUT : EPOLLIN;
        struct epoll_event e = { .events = cl->ep_events, .data.ptr = cl };
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
            VK_WARN("server", "cannot watch client %s: %s", cl->desc, strerror(errno));
            srv_client_unref(cl);
            continue;
        }
        pthread_mutex_lock(&s->lock);
        cl->next = s->clients;
        if (s->clients)
            s->clients->prev = cl;
        s->clients = cl;
        s->nclients++;
        pthread_mutex_unlock(&s->lock);
        VK_DEBUG("server", "client %llu connected: %s%s", (unsigned long long)id, cl->desc,
                 cl->readonly ? " (read-only socket)" : "");
    }
}

static void tls_step(vk_server *s, srv_client *cl)
{
    pthread_mutex_lock(&cl->lock);
    int r = vk_tls_handshake(&cl->sock);
    pthread_mutex_unlock(&cl->lock);
    if (r == -2) {
        pthread_mutex_lock(&cl->lock);
        update_events_locked(cl);
        pthread_mutex_unlock(&cl->lock);
        return;
    }
    if (r < 0) {
        VK_AUTOFREE(char *) why = vk_strdup(vk_error_message());
        virtkit_error_clear();
        VK_WARN("server", "%s refused: %s", cl->desc, why);
        client_hangup(s, cl, NULL);
        return;
    }
    pthread_rwlock_rdlock(&s->acl_lock);
    int cr = vk_tls_check_client(&cl->sock, s->dn_list, &cl->dn);
    pthread_rwlock_unlock(&s->acl_lock);
    pthread_mutex_lock(&cl->lock);
    cl->handshaking = false;
    update_events_locked(cl);
    pthread_mutex_unlock(&cl->lock);
    if (cl->dn) {
        char *d = vk_asprintf("%s '%s'", cl->desc, cl->dn);
        free(cl->desc);
        cl->desc = d;
        cl->ident.dn = cl->dn;
    }
    if (cr < 0) {
        VK_AUTOFREE(char *) why = vk_strdup(vk_error_message());
        virtkit_error_clear();
        VK_WARN("access", "%s refused: %s", cl->desc, why);
        send_notice(cl, VIRTKIT_ERR_AUTH_FAILED, why);
        client_hangup(s, cl, NULL);
        return;
    }
    VK_DEBUG("server", "client %llu: %s, %s", (unsigned long long)cl->id, cl->desc,
             vk_tls_version_name(&cl->sock));
}

/* -------------------------------------------------------------- ticks -- */

/* Once a second: keepalive pings, clients that never opened, listening
 * sockets paused for lack of descriptors. */
static void tick(vk_server *s)
{
    int64_t now = vk_now_ms();
    for (size_t i = 0; i < s->nlisteners; i++) {
        srv_listener *L = &s->listeners[i];
        if (L->paused && L->fd >= 0) {
            struct epoll_event e = { .events = EPOLLIN, .data.u64 = TAG_LISTENER | i };
            epoll_ctl(s->ep, EPOLL_CTL_MOD, L->fd, &e);
            L->paused = false;
        }
    }
    pthread_mutex_lock(&s->lock);
    int ka = s->cfg.keepalive_interval;
    unsigned int kacount = s->cfg.keepalive_count;
    int64_t open_ms = (int64_t)s->cfg.open_timeout * 1000;
    srv_client **victims = NULL;
    const char **why = NULL;
    size_t nv = 0, capv = 0, capw = 0;
    for (srv_client *cl = s->clients; cl; cl = cl->next) {
        const char *w = NULL;
        pthread_mutex_lock(&cl->lock);
        bool open = cl->open, kaok = cl->keepalive_ok;
        pthread_mutex_unlock(&cl->lock);
        if (!open && open_ms > 0 && now - cl->accepted_ms > open_ms) {
            w = "did not open a connection in time";
        } else if (open && kaok && ka > 0 && now - cl->last_rx_ms >= (int64_t)ka * 1000 &&
                   now - cl->last_ping_ms >= (int64_t)ka * 1000) {
            if (cl->ka_missed >= kacount) {
                w = "no keepalive answer";
            } else {
                cl->ka_missed++;
                cl->last_ping_ms = now;
                send_keepalive(cl, VK_RPC_PING);
            }
        }
        if (w) {
            srv_client_ref(cl);
            VK_GROW(victims, capv, nv);
            VK_GROW(why, capw, nv);
            victims[nv] = cl;
            why[nv++] = w;
        }
    }
    pthread_mutex_unlock(&s->lock);
    for (size_t i = 0; i < nv; i++) {
        client_hangup(s, victims[i], why[i]);
        srv_client_unref(victims[i]);
    }
    free(victims);
    free(why);
}

/* Clients that a writer found broken. */
static void reap_broken(vk_server *s)
{
    for (;;) {
        srv_client *victim = NULL;
        pthread_mutex_lock(&s->lock);
        for (srv_client *cl = s->clients; cl && !victim; cl = cl->next) {
            pthread_mutex_lock(&cl->lock);
            if (cl->broken && !cl->closed)
                victim = cl;
            pthread_mutex_unlock(&cl->lock);
        }
        if (victim)
            srv_client_ref(victim);
        pthread_mutex_unlock(&s->lock);
        if (!victim)
            return;
        client_hangup(s, victim, victim->broken_why);
        srv_client_unref(victim);
    }
}

static void *io_main(void *opaque)
{
    vk_server *s = opaque;
    struct epoll_event evs[64];
    int64_t next_tick = vk_now_ms() + TICK_MS;
    while (!s->stopping) {
        int timeout = (int)(next_tick - vk_now_ms());
        int n = epoll_wait(s->ep, evs, 64, timeout < 0 ? 0 : timeout);
        if (n < 0 && errno != EINTR) {
            VK_ERROR("server", "epoll_wait failed: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n && !s->stopping; i++) {
            uint64_t tag = evs[i].data.u64;
            if (tag == 0) {
                uint64_t v;
                ssize_t r = read(s->wake_fd, &v, sizeof(v));
                (void)r;
                reap_broken(s);
                continue;
            }
            if (tag & TAG_LISTENER) {
                accept_clients(s, &s->listeners[tag & ~TAG_LISTENER]);
                continue;
            }
            srv_client *cl = evs[i].data.ptr;
            srv_client_ref(cl);
            if (cl->handshaking) {
                tls_step(s, cl);
            } else {
                if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
                    client_writable(s, cl);
                pthread_mutex_lock(&cl->lock);
                bool gone = cl->closed;
                pthread_mutex_unlock(&cl->lock);
                if (!gone && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                    client_readable(s, cl);
            }
            srv_client_unref(cl);
        }
        if (vk_now_ms() >= next_tick) {
            tick(s);
            next_tick = vk_now_ms() + TICK_MS;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------- server -- */

static void set_config(vk_server *s, const vk_server_config *cfg)
{
    pthread_rwlock_wrlock(&s->acl_lock);
    vk_strv_free(s->dn_list);
    s->dn_list = NULL;
    if (cfg->tls_allowed_dn) {
        size_t n = vk_strv_len(cfg->tls_allowed_dn);
        s->dn_list = vk_alloc_n(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            s->dn_list[i] = vk_strdup(cfg->tls_allowed_dn[i]);
    }
    unsigned int workers = s->cfg.workers, prio = s->cfg.prio_workers;
    bool started = s->started;
    s->cfg = *cfg;
    s->cfg.tls_allowed_dn = s->dn_list;
    s->cfg.event_file = NULL;
    s->cfg.delay_proc = NULL;
    if (started) {
        /* Thread counts are fixed once running. */
        s->cfg.workers = workers;
        s->cfg.prio_workers = prio;
    }
    if (s->cfg.workers == 0)
        s->cfg.workers = 1;
    if (s->cfg.max_requests == 0)
        s->cfg.max_requests = 1;
    if (s->cfg.max_message < VK_RPC_MIN_MAX_MESSAGE)
        s->cfg.max_message = VK_RPC_MIN_MAX_MESSAGE;
    if (s->cfg.max_message > VK_RPC_MAX_MAX_MESSAGE)
        s->cfg.max_message = VK_RPC_MAX_MAX_MESSAGE;
    pthread_rwlock_unlock(&s->acl_lock);
    __atomic_store_n(&s->hot_max_message, s->cfg.max_message, __ATOMIC_RELAXED);
    __atomic_store_n(&s->hot_max_requests, s->cfg.max_requests, __ATOMIC_RELAXED);
    __atomic_store_n(&s->hot_prio_limit, s->cfg.prio_workers > 2 ? s->cfg.prio_workers : 2,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&s->hot_delay_ms, s->cfg.delay_ms, __ATOMIC_RELAXED);
    __atomic_store_n(&s->hot_delay, cfg->delay_proc ? vk_rpc_proc_by_name(cfg->delay_proc) : NULL,
                     __ATOMIC_RELAXED);
}

vk_server *vk_server_new(const vk_server_config *cfg)
{
    vk_server *s = vk_alloc(sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_rwlock_init(&s->acl_lock, NULL);
    pthread_mutex_init(&s->qlock, NULL);
    set_config(s, cfg);
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->ep < 0 || s->wake_fd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot create the server's event queue");
        vk_server_free(s);
        return NULL;
    }
    struct epoll_event e = { .events = EPOLLIN, .data.u64 = 0 };
    epoll_ctl(s->ep, EPOLL_CTL_ADD, s->wake_fd, &e);
    s->evlog = vk_evlog_new(cfg->event_backlog ? cfg->event_backlog : 1024, cfg->event_file);
    if (cfg->event_file)
        vk_evlog_save(s->evlog, false);
    return s;
}

static int add_listener(vk_server *s, int fd, cl_kind kind, vk_tls_ctx *tls)
{
    vk_set_nonblock(fd, true);
    s->listeners = vk_realloc(s->listeners, (s->nlisteners + 1) * sizeof(*s->listeners));
    size_t idx = s->nlisteners++;
    s->listeners[idx] = (srv_listener){ .fd = fd, .kind = kind, .tls = tls, .index = idx };
    struct epoll_event e = { .events = EPOLLIN, .data.u64 = TAG_LISTENER | idx };
    if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot watch a listening socket");
        return -1;
    }
    return 0;
}

int vk_server_add_unix(vk_server *s, int fd, bool readonly)
{
    return add_listener(s, fd, readonly ? CL_UNIX_RO : CL_UNIX_RW, NULL);
}

int vk_server_add_tls(vk_server *s, int fd, vk_tls_ctx *ctx)
{
    return add_listener(s, fd, CL_TLS, ctx);
}

static int spawn(vk_server *s, bool prio)
{
    srv_worker *w = &s->workers[s->nworkers];
    w->s = s;
    w->prio = prio;
    sem_init(&w->sem, 0, 0);
    pthread_attr_t at;
    pthread_attr_init(&at);
    /* Handlers need little stack; a smaller reservation keeps the
     * daemon's footprint down. */
    pthread_attr_setstacksize(&at, 512 * 1024);
    pthread_mutex_lock(&s->qlock);
    s->running++;
    pthread_mutex_unlock(&s->qlock);
    int r = pthread_create(&w->th, &at, worker_main, w);
    pthread_attr_destroy(&at);
    if (r != 0) {
        pthread_mutex_lock(&s->qlock);
        s->running--;
        pthread_mutex_unlock(&s->qlock);
        sem_destroy(&w->sem);
        vk_error_system(r, VIRTKIT_SUB_DAEMON, "cannot start a worker thread");
        return -1;
    }
    w->started = true;
    s->nworkers++;
    return 0;
}

int vk_server_start(vk_server *s)
{
    unsigned int total = s->cfg.workers + s->cfg.prio_workers;
    s->workers = vk_alloc_n(total, sizeof(srv_worker));
    for (unsigned int i = 0; i < s->cfg.workers; i++)
        if (spawn(s, false) < 0)
            return -1;
    for (unsigned int i = 0; i < s->cfg.prio_workers; i++)
        if (spawn(s, true) < 0)
            return -1;
    /* Drivers whose events the previous daemon recorded: go on. */
    char **keys = vk_evlog_keys(s->evlog);
    for (size_t i = 0; keys && keys[i]; i++)
        srv_hub_ensure(s, keys[i]);
    vk_strv_free(keys);
    int r = pthread_create(&s->io_thread, NULL, io_main, s);
    if (r != 0) {
        vk_error_system(r, VIRTKIT_SUB_DAEMON, "cannot start the I/O thread");
        return -1;
    }
    s->started = true;
    return 0;
}

void vk_server_reload(vk_server *s, const vk_server_config *cfg)
{
    pthread_mutex_lock(&s->lock);
    set_config(s, cfg);
    pthread_mutex_unlock(&s->lock);
    wake_io(s);
}

unsigned int vk_server_nclients(vk_server *s)
{
    pthread_mutex_lock(&s->lock);
    unsigned int n = s->nclients;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void vk_server_stop(vk_server *s)
{
    if (!s->started)
        return;
    s->stopping = true;
    wake_io(s);
    pthread_join(s->io_thread, NULL);
    for (size_t i = 0; i < s->nlisteners; i++) {
        epoll_ctl(s->ep, EPOLL_CTL_DEL, s->listeners[i].fd, NULL);
        close(s->listeners[i].fd);
        s->listeners[i].fd = -1;
    }
    for (;;) {
        pthread_mutex_lock(&s->lock);
        srv_client *cl = s->clients;
        if (cl)
            srv_client_ref(cl);
        pthread_mutex_unlock(&s->lock);
        if (!cl)
            break;
        client_hangup(s, cl, NULL);
        srv_client_unref(cl);
    }
    pthread_mutex_lock(&s->qlock);
    srv_worker *w;
    while ((w = pop_idle(&s->idle)) || (w = pop_idle(&s->idle_prio)))
        sem_post(&w->sem);
    pthread_mutex_unlock(&s->qlock);
    /* A worker stuck in a slow call gets a few seconds; then we go on
     * without it (the process is about to exit). */
    int64_t deadline = vk_now_ms() + 5000;
    for (unsigned int i = 0; i < s->nworkers; i++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t left = deadline - vk_now_ms();
        if (left < 0)
            left = 0;
        ts.tv_sec += left / 1000;
        ts.tv_nsec += (left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (pthread_timedjoin_np(s->workers[i].th, NULL, &ts) != 0) {
            VK_WARN("server", "a worker is still busy; not waiting for it");
            pthread_detach(s->workers[i].th);
        }
        s->workers[i].started = false;
    }
    srv_hubs_free(s);
    vk_evlog_save(s->evlog, true);
    s->started = false;
}

void vk_server_free(vk_server *s)
{
    if (!s)
        return;
    vk_server_stop(s);
    for (size_t i = 0; i < s->nlisteners; i++) {
        if (s->listeners[i].fd >= 0)
            close(s->listeners[i].fd);
        vk_tls_ctx_free(s->listeners[i].tls);
    }
    free(s->listeners);
    pthread_mutex_lock(&s->qlock);
    bool idle = s->running == 0;
    pthread_mutex_unlock(&s->qlock);
    if (!idle)
        return; /* a stuck worker may still touch the server: leak it */
    while (s->q_head) {
        srv_job *j = take_job(s, false);
        srv_client_unref(j->cl);
        free(j);
    }
    vk_evlog_free(s->evlog);
    vk_strv_free(s->dn_list);
    for (unsigned int i = 0; i < s->nworkers; i++)
        sem_destroy(&s->workers[i].sem);
    free(s->workers);
    if (s->ep >= 0)
        close(s->ep);
    if (s->wake_fd >= 0)
        close(s->wake_fd);
    pthread_mutex_destroy(&s->qlock);
    pthread_rwlock_destroy(&s->acl_lock);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
