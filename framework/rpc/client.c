/*
 * client.c: see client.h.
 *
 * Locks: c->lock guards the call and stream lists, the reader role and the
 * connection state; c->wlock serialises whole frames on the socket. Order:
 * wlock may be taken with lock free only; lock may be held while calling
 * into the event loop (never the reverse: event loop callbacks run with no
 * event loop lock held). The input buffer belongs to the thread holding
 * the reader role and needs no lock.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "evloop.h"
#include "log.h"

#define IN_MIN_CAP (64 * 1024)

typedef struct pending {
    uint32_t serial;
    bool prio;
    bool done;          /* a reply arrived, or the connection closed */
    bool lost;          /* done because the connection closed */
    uint32_t status;
    uint8_t *body;
    size_t blen;
    pthread_cond_t cond;
    struct pending *next;
} pending;

typedef struct rx_chunk {
    struct rx_chunk *next;
    size_t len, off;
    uint8_t data[];
} rx_chunk;

struct vk_rpc_stream {
    vk_rpc_client *c;
    uint32_t proc, serial;
    bool registered;
    rx_chunk *head, *tail;
    bool eof;           /* the daemon finished sending (status OK) */
    bool acked;         /* the daemon confirmed our finish */
    bool failed;        /* the daemon aborted, or the connection died */
    bool local_done;    /* we sent finish or abort */
    int err_code, err_sub;
    char *err_msg;
    pthread_cond_t cond;
    void (*notify)(void *);
    void *notify_opaque;
    struct vk_rpc_stream *next;
};

typedef struct waiter_ref {
    pthread_cond_t *cond;
    struct waiter_ref *next;
} waiter_ref;

struct vk_rpc_client {
    int refs;
    pthread_mutex_t lock;
    pthread_mutex_t wlock;
    vk_rpc_sock sock;
    const vk_rpc_client_cbs *cbs;
    void *opaque;
    uint32_t next_serial;
    uint32_t max_message, max_requests, max_prio;
    uint32_t inflight, inflight_prio, slot_waiters;
    pthread_cond_t slot_cond;
    pending *calls;
    vk_rpc_stream *streams;
    waiter_ref *waiters;
    bool reader_busy;
    uint8_t *in;
    size_t in_start, in_len, in_cap;
    bool closed, notify_pending;
    int close_reason;
    int err_code, err_sub;
    char *err_msg;
    int watch;
    bool watch_off;
    int ka_timer;
    int ka_interval;
    unsigned int ka_count, ka_missed;
    int64_t last_rx_ms;
    unsigned int spin_skip, spin_backoff; /* see blocking_read */
};

typedef bool (*wait_pred)(vk_rpc_client *c, void *arg);

static void client_ref(vk_rpc_client *c)
{
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

static void client_unref(vk_rpc_client *c)
{
    if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    vk_rpc_sock_close(&c->sock);
    if (c->cbs->release)
        c->cbs->release(c->opaque);
    free(c->in);
    free(c->err_msg);
    pthread_cond_destroy(&c->slot_cond);
    pthread_mutex_destroy(&c->wlock);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void client_unref_cb(void *opaque)
{
    client_unref(opaque);
}

vk_rpc_client *vk_rpc_client_new(vk_rpc_sock *sock, const vk_rpc_client_cbs *cbs, void *opaque)
{
    vk_rpc_client *c = vk_alloc(sizeof(*c));
    c->refs = 1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->wlock, NULL);
    pthread_cond_init(&c->slot_cond, NULL);
    c->sock = *sock;
    *sock = (vk_rpc_sock)VK_RPC_SOCK_INIT;
    c->cbs = cbs;
    c->opaque = opaque;
    c->max_message = VK_RPC_DEFAULT_MAX_MESSAGE;
    c->max_requests = 1;   /* until the daemon says more */
    c->max_prio = 1;
    c->watch = -1;
    c->ka_timer = -1;
    c->in_cap = IN_MIN_CAP;
    c->in = vk_alloc(c->in_cap);
    c->last_rx_ms = vk_now_ms();
    return c;
}

void vk_rpc_client_set_limits(vk_rpc_client *c, uint32_t max_message, uint32_t max_requests,
                              uint32_t max_prio)
{
    pthread_mutex_lock(&c->lock);
    if (max_message >= VK_RPC_MIN_MAX_MESSAGE && max_message <= VK_RPC_MAX_MAX_MESSAGE)
        c->max_message = max_message;
    if (max_requests > 0)
        c->max_requests = max_requests;
    if (max_prio > 0)
        c->max_prio = max_prio;
    pthread_cond_broadcast(&c->slot_cond);
    pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------------------ closing -- */

static void stream_fail_locked(vk_rpc_stream *st, int code, int sub, const char *msg)
{
    if (st->failed)
        return;
    st->failed = true;
    st->err_code = code;
    st->err_sub = sub;
    free(st->err_msg);
    st->err_msg = vk_strdup(msg);
    pthread_cond_broadcast(&st->cond);
}

/* Mark the connection closed and wake everybody. The closed callback is
 * left to notify_closed(), to be called once the lock is released. */
static void close_locked(vk_rpc_client *c, int reason, int code, const char *fmt, ...)
    VK_PRINTF(4, 5);
static void close_locked(vk_rpc_client *c, int reason, int code, const char *fmt, ...)
{
    if (c->closed)
        return;
    c->closed = true;
    c->close_reason = reason;
    if (!c->err_msg) {
        /* A NOTICE from the daemon (the real reason) wins over ours. */
        va_list ap;
        va_start(ap, fmt);
        c->err_msg = vk_vasprintf(fmt, ap);
        va_end(ap);
        c->err_code = code;
        c->err_sub = VIRTKIT_SUB_REMOTE;
    }
    c->notify_pending = reason != VIRTKIT_CLOSE_CLIENT;
    if (c->sock.fd >= 0)
        shutdown(c->sock.fd, SHUT_RDWR); /* wakes a reader blocked in poll */
    for (pending *p = c->calls; p; p = p->next) {
        if (!p->done) {
            p->done = true;
            p->lost = true;
            pthread_cond_signal(&p->cond);
        }
    }
    for (vk_rpc_stream *st = c->streams; st; st = st->next)
        stream_fail_locked(st, c->err_code, c->err_sub, c->err_msg);
    for (waiter_ref *w = c->waiters; w; w = w->next)
        pthread_cond_signal(w->cond);
    pthread_cond_broadcast(&c->slot_cond);
    if (c->watch >= 0) {
        vk_event_remove_handle(c->watch);
        c->watch = -1;
    }
    if (c->ka_timer >= 0) {
        vk_event_remove_timeout(c->ka_timer);
        c->ka_timer = -1;
    }
    VK_DEBUG("rpc", "connection closed (reason %d): %s", reason, c->err_msg);
}

static void notify_closed(vk_rpc_client *c)
{
    pthread_mutex_lock(&c->lock);
    bool go = c->notify_pending;
    c->notify_pending = false;
    int reason = c->close_reason;
    pthread_mutex_unlock(&c->lock);
    if (go && c->cbs->closed)
        c->cbs->closed(c->opaque, reason);
}

/* Close from a thread that does not hold the lock, with the current
 * thread error as the reason. */
static void fail_unlocked(vk_rpc_client *c, int reason, const char *what)
{
    const char *why = vk_error_message();
    pthread_mutex_lock(&c->lock);
    close_locked(c, reason, VIRTKIT_ERR_CONNECTION_CLOSED, "connection to virtkitd closed: %s%s%s",
                 what, why && *why ? ": " : "", why ? why : "");
    pthread_mutex_unlock(&c->lock);
    notify_closed(c);
}

static void raise_closed_locked(vk_rpc_client *c)
{
    vk_error_set(c->err_code ? c->err_code : VIRTKIT_ERR_CONNECTION_CLOSED,
                 c->err_sub ? c->err_sub : VIRTKIT_SUB_REMOTE, "%s",
                 c->err_msg ? c->err_msg : "connection to virtkitd closed");
}

bool vk_rpc_client_alive(vk_rpc_client *c)
{
    pthread_mutex_lock(&c->lock);
    bool alive = !c->closed;
    pthread_mutex_unlock(&c->lock);
    return alive;
}

void vk_rpc_client_close(vk_rpc_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    close_locked(c, VIRTKIT_CLOSE_CLIENT, VIRTKIT_ERR_CONNECTION_CLOSED,
                 "connection to virtkitd closed by the client");
    pthread_mutex_unlock(&c->lock);
    client_unref(c);
}

/* ------------------------------------------------------------ writing -- */

/* Try to take the reader role without waiting; see client_read_some. */
static int client_read_some(vk_rpc_client *c, bool block);

/* Read what has arrived, if nobody holds the reader role (the event loop,
 * or a writer waiting for room). False when someone else is reading. */
static bool read_available(vk_rpc_client *c);

/* Write one whole frame. While the socket is full, read what the daemon
 * sends (if nobody else does) so that neither side waits on the other. */
static int client_send(vk_rpc_client *c, const uint8_t *buf, size_t len, bool may_read)
{
    pthread_mutex_lock(&c->wlock);
    size_t off = 0;
    while (off < len) {
        ssize_t r = vk_rpc_sock_write(&c->sock, buf + off, len - off);
        if (r > 0) {
            off += (size_t)r;
            continue;
        }
        if (r == -1 || r == 0) {
            pthread_mutex_unlock(&c->wlock);
            /* The daemon may have said why it hung up (a NOTICE waiting in
             * our receive buffer): read it before reporting. */
            if (may_read)
                read_available(c);
            fail_unlocked(c, VIRTKIT_CLOSE_ERROR, "cannot send");
            return -1;
        }
        struct pollfd p = { .fd = c->sock.fd, .events = POLLOUT | (may_read ? POLLIN : 0) };
        int pr = poll(&p, 1, -1);
        if (pr < 0 && errno != EINTR) {
            vk_error_system(errno, VIRTKIT_SUB_RPC, "poll");
            pthread_mutex_unlock(&c->wlock);
            fail_unlocked(c, VIRTKIT_CLOSE_ERROR, "cannot send");
            return -1;
        }
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
            pthread_mutex_lock(&c->lock);
            bool closed = c->closed;
            pthread_mutex_unlock(&c->lock);
            if (closed) {
                pthread_mutex_unlock(&c->wlock);
                return -1;
            }
        }
        if (may_read && (p.revents & POLLIN))
            read_available(c);
    }
    pthread_mutex_unlock(&c->wlock);
    return 0;
}

static void send_keepalive(vk_rpc_client *c, uint32_t proc, bool wait)
{
    vk_rpc_header h = { .type = VK_RPC_KEEPALIVE, .proc = proc, .status = VK_RPC_OK };
    uint8_t buf[VK_RPC_HEADER_SIZE];
    h.len = VK_RPC_HEADER_SIZE;
    vk_rpc_header_encode(&h, buf);
    if (!wait) {
        /* From the event loop: never wait behind a writer stuck on a full
         * socket; a ping that is skipped costs nothing. */
        if (pthread_mutex_trylock(&c->wlock) != 0)
            return;
        pthread_mutex_unlock(&c->wlock);
    }
    client_send(c, buf, sizeof(buf), false);
}

/* ------------------------------------------------------------ reading -- */

static pending *find_call(vk_rpc_client *c, uint32_t serial)
{
    for (pending *p = c->calls; p; p = p->next)
        if (p->serial == serial)
            return p;
    return NULL;
}

static vk_rpc_stream *find_stream(vk_rpc_client *c, uint32_t serial)
{
    for (vk_rpc_stream *s = c->streams; s; s = s->next)
        if (s->serial == serial)
            return s;
    return NULL;
}

static void dispatch_stream(vk_rpc_client *c, const vk_rpc_header *h, const uint8_t *body,
                            size_t len)
{
    pthread_mutex_lock(&c->lock);
    vk_rpc_stream *st = find_stream(c, h->serial);
    if (!st) {
        /* Data for a stream already released: late and harmless. */
        pthread_mutex_unlock(&c->lock);
        return;
    }
    if (h->status == VK_RPC_CONTINUE) {
        if (len) {
            rx_chunk *ch = vk_alloc(sizeof(*ch) + len);
            ch->len = len;
            memcpy(ch->data, body, len);
            if (st->tail)
                st->tail->next = ch;
            else
                st->head = ch;
            st->tail = ch;
        }
    } else if (h->status == VK_RPC_OK) {
        if (st->local_done)
            st->acked = true;
        else
            st->eof = true;
    } else {
        VK_ARENA_STACK(a, 1024);
        VkError *e = (VkError *)vk_rpc_unpack(&vk_error__descriptor, body, len, &a,
                                              "stream error");
        if (e)
            stream_fail_locked(st, e->code, e->subsystem, e->message);
        else
            stream_fail_locked(st, VIRTKIT_ERR_STREAM, VIRTKIT_SUB_STREAM,
                               "the daemon aborted the stream");
    }
    pthread_cond_broadcast(&st->cond);
    void (*fn)(void *) = st->notify;
    void *op = st->notify_opaque;
    pthread_mutex_unlock(&c->lock);
    if (fn)
        fn(op);
}

/* Act on one complete frame. Returns -1 when the connection was closed. */
static int dispatch_frame(vk_rpc_client *c, const vk_rpc_header *h, const uint8_t *body,
                          size_t len)
{
    switch (h->type) {
    case VK_RPC_REPLY: {
        pthread_mutex_lock(&c->lock);
        pending *p = find_call(c, h->serial);
        if (!p || p->done) {
            close_locked(c, VIRTKIT_CLOSE_ERROR, VIRTKIT_ERR_RPC,
                         "protocol error: the daemon replied to serial %u, which has no call "
                         "in flight", h->serial);
            pthread_mutex_unlock(&c->lock);
            notify_closed(c);
            return -1;
        }
        p->status = h->status;
        p->body = len ? vk_memdup(body, len) : NULL;
        p->blen = len;
        p->done = true;
        pthread_cond_signal(&p->cond);
        pthread_mutex_unlock(&c->lock);
        return 0;
    }
    case VK_RPC_EVENT:
        if (c->cbs->event)
            c->cbs->event(c->opaque, body, len);
        return 0;
    case VK_RPC_STREAM:
        dispatch_stream(c, h, body, len);
        return 0;
    case VK_RPC_KEEPALIVE:
        if (h->proc == VK_RPC_PING)
            send_keepalive(c, VK_RPC_PONG, true);
        return 0;
    case VK_RPC_NOTICE: {
        VK_ARENA_STACK(a, 1024);
        VkError *e = (VkError *)vk_rpc_unpack(&vk_error__descriptor, body, len, &a, "notice");
        pthread_mutex_lock(&c->lock);
        if (e && !c->err_msg) {
            c->err_code = e->code;
            c->err_sub = e->subsystem;
            c->err_msg = vk_strdup(e->message);
        }
        pthread_mutex_unlock(&c->lock);
        return 0;
    }
    default:
        pthread_mutex_lock(&c->lock);
        close_locked(c, VIRTKIT_CLOSE_ERROR, VIRTKIT_ERR_RPC,
                     "protocol error: the daemon sent a frame of type %u", h->type);
        pthread_mutex_unlock(&c->lock);
        notify_closed(c);
        return -1;
    }
}

/* Dispatch every complete frame in the input buffer. */
static int process_input(vk_rpc_client *c)
{
    pthread_mutex_lock(&c->lock);
    c->last_rx_ms = vk_now_ms();
    c->ka_missed = 0;
    uint32_t maxmsg = c->max_message;
    pthread_mutex_unlock(&c->lock);
    while (c->in_len - c->in_start >= VK_RPC_HEADER_SIZE) {
        vk_rpc_header h;
        if (vk_rpc_header_decode(c->in + c->in_start, maxmsg, &h) < 0) {
            fail_unlocked(c, VIRTKIT_CLOSE_ERROR, "protocol error");
            return -1;
        }
        if (c->in_len - c->in_start < h.len) {
            if (h.len > c->in_cap - c->in_start) {
                memmove(c->in, c->in + c->in_start, c->in_len - c->in_start);
                c->in_len -= c->in_start;
                c->in_start = 0;
                if (h.len > c->in_cap) {
                    c->in_cap = h.len;
                    c->in = vk_realloc(c->in, c->in_cap);
                }
            }
            break;
        }
        const uint8_t *frame = c->in + c->in_start;
        c->in_start += h.len;
        if (dispatch_frame(c, &h, frame + VK_RPC_HEADER_SIZE, h.len - VK_RPC_HEADER_SIZE) < 0)
            return -1;
    }
    if (c->in_start == c->in_len) {
        c->in_start = c->in_len = 0;
        /* Give back a buffer grown for one big frame. */
        if (c->in_cap > 4 * IN_MIN_CAP) {
            free(c->in);
            c->in_cap = IN_MIN_CAP;
            c->in = vk_alloc(c->in_cap);
        }
    }
    return 0;
}

/* Busy waiting for a reply. A local daemon answers a small call in tens of
 * microseconds, sooner than the kernel wakes a thread sleeping on another
 * CPU in some VMs (~50 us); polling the socket for up to SPIN_NS first
 * saves the wake-up and halves the round trip. Bounded: a wait the spin
 * did not cover (a slow call, a remote daemon) makes the connection sleep
 * at once for its next 1, 3, 7 ... SPIN_SKIP_MAX waits, a covered one
 * resets that; and only one thread per spare CPU spins (none on one CPU). */
#define SPIN_NS 100000
#define SPIN_SKIP_MAX 63
static int spinners;

static bool spin_begin(vk_rpc_client *c)
{
    static long spare_cpus = -1; /* computed once; racing threads agree */
    long spare = __atomic_load_n(&spare_cpus, __ATOMIC_RELAXED);
    if (spare < 0) {
        spare = sysconf(_SC_NPROCESSORS_ONLN) - 1;
        __atomic_store_n(&spare_cpus, spare, __ATOMIC_RELAXED);
    }
    if (c->spin_skip > 0) {
        c->spin_skip--;
        return false;
    }
    if (__atomic_add_fetch(&spinners, 1, __ATOMIC_ACQ_REL) <= spare)
        return true;
    __atomic_sub_fetch(&spinners, 1, __ATOMIC_ACQ_REL);
    return false;
}

/* Wait for data and read it: a short spin when allowed, then sleep. What
 * vk_rpc_sock_read returned, or -3 when waiting failed. Caller holds the
 * reader role (the spin state is the reader's, like c->in). */
static ssize_t blocking_read(vk_rpc_client *c)
{
    ssize_t r = -2;
    if (spin_begin(c)) {
        int64_t until = vk_now_ns() + SPIN_NS;
        /* Yielding lets a daemon thread woken on this CPU run at once. */
        while ((r = vk_rpc_sock_read(&c->sock, c->in + c->in_len, c->in_cap - c->in_len)) == -2 &&
               vk_now_ns() < until)
            sched_yield();
        __atomic_sub_fetch(&spinners, 1, __ATOMIC_ACQ_REL);
        c->spin_backoff = r == -2 ? (c->spin_backoff * 2 + 1) & SPIN_SKIP_MAX : 0;
        c->spin_skip = c->spin_backoff;
    }
    if (r == -2) {
        if (vk_rpc_sock_wait(&c->sock, POLLIN, -1) < 0)
            return -3;
        r = vk_rpc_sock_read(&c->sock, c->in + c->in_len, c->in_cap - c->in_len);
    }
    return r;
}

/* One read (waiting for data when block) and the frames it completes.
 * Caller holds the reader role, not the lock. 1 progress, 0 nothing to
 * read (non-blocking), -1 closed. */
static int client_read_some(vk_rpc_client *c, bool block)
{
    if (c->in_cap - c->in_len < 4096) {
        memmove(c->in, c->in + c->in_start, c->in_len - c->in_start);
        c->in_len -= c->in_start;
        c->in_start = 0;
        if (c->in_cap - c->in_len < 4096) {
            c->in_cap *= 2;
            c->in = vk_realloc(c->in, c->in_cap);
        }
    }
    /* A blocking reader waits first: every complete frame was dispatched
     * already, so reading before waiting would only say "nothing yet". */
    ssize_t r = block ? blocking_read(c)
                      : vk_rpc_sock_read(&c->sock, c->in + c->in_len, c->in_cap - c->in_len);
    if (r == -3) {
        fail_unlocked(c, VIRTKIT_CLOSE_ERROR, "cannot receive");
        return -1;
    }
    if (r == -2)
        return block ? 1 : 0;
    if (r == 0) {
        virtkit_error_clear();
        pthread_mutex_lock(&c->lock);
        close_locked(c, VIRTKIT_CLOSE_EOF, VIRTKIT_ERR_CONNECTION_CLOSED,
                     "connection to virtkitd closed: the daemon hung up");
        pthread_mutex_unlock(&c->lock);
        notify_closed(c);
        return -1;
    }
    if (r < 0) {
        fail_unlocked(c, VIRTKIT_CLOSE_ERROR, "cannot receive");
        return -1;
    }
    c->in_len += (size_t)r;
    return process_input(c) < 0 ? -1 : 1;
}

/* Give the reader role to a waiting thread, or back to the event loop. */
static void reader_handoff_locked(vk_rpc_client *c)
{
    if (c->waiters) {
        pthread_cond_signal(c->waiters->cond);
        return;
    }
    if (c->watch >= 0 && c->watch_off) {
        c->watch_off = false;
        vk_event_update_handle(c->watch, VIRTKIT_EVENT_HANDLE_READABLE);
    }
}

/* Wait (lock held) until done(c, arg) or the connection closes, reading
 * the socket whenever nobody else does. */
static void client_wait_locked(vk_rpc_client *c, pthread_cond_t *cond, wait_pred done,
                               void *arg)
{
    while (!done(c, arg) && !c->closed) {
        if (!c->reader_busy) {
            c->reader_busy = true;
            while (!done(c, arg) && !c->closed) {
                pthread_mutex_unlock(&c->lock);
                int r = client_read_some(c, true);
                pthread_mutex_lock(&c->lock);
                if (r < 0)
                    break;
            }
            c->reader_busy = false;
            reader_handoff_locked(c);
            continue;
        }
        waiter_ref w = { cond, c->waiters };
        c->waiters = &w;
        pthread_cond_wait(cond, &c->lock);
        for (waiter_ref **pp = &c->waiters; *pp; pp = &(*pp)->next) {
            if (*pp == &w) {
                *pp = w.next;
                break;
            }
        }
    }
    /* A handoff may have landed on us just as our own reply did: pass it
     * on, or the other waiters would wait for a reader that never comes. */
    if (!c->reader_busy)
        reader_handoff_locked(c);
}

static bool read_available(vk_rpc_client *c)
{
    pthread_mutex_lock(&c->lock);
    if (c->reader_busy || c->closed) {
        pthread_mutex_unlock(&c->lock);
        return false;
    }
    c->reader_busy = true;
    pthread_mutex_unlock(&c->lock);
    while (client_read_some(c, false) > 0)
        ;
    pthread_mutex_lock(&c->lock);
    c->reader_busy = false;
    reader_handoff_locked(c);
    pthread_mutex_unlock(&c->lock);
    return true;
}

/* The event loop reads while no caller does. If a caller holds the reader
 * role, stop watching until it hands the role back (else poll would spin
 * on data that the caller is about to read). */
static void watch_cb(int watch, int fd, int events, void *opaque)
{
    vk_rpc_client *c = opaque;
    pthread_mutex_lock(&c->lock);
    if (c->closed || c->watch != watch) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    if (c->reader_busy) {
        if (!c->watch_off) {
            c->watch_off = true;
            vk_event_update_handle(c->watch, 0);
        }
        pthread_mutex_unlock(&c->lock);
        return;
    }
    pthread_mutex_unlock(&c->lock);
    read_available(c);
}

int vk_rpc_client_watch(vk_rpc_client *c)
{
    pthread_mutex_lock(&c->lock);
    if (c->watch >= 0 || c->closed) {
        pthread_mutex_unlock(&c->lock);
        return 0;
    }
    client_ref(c);
    int w = vk_event_add_handle(c->sock.fd, VIRTKIT_EVENT_HANDLE_READABLE, watch_cb, c,
                                client_unref_cb);
    if (w < 0) {
        pthread_mutex_unlock(&c->lock);
        client_unref(c);
        return -1;
    }
    c->watch = w;
    c->watch_off = false;
    if (c->reader_busy) {
        c->watch_off = true;
        vk_event_update_handle(w, 0);
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* ---------------------------------------------------------- keepalive -- */

static void keepalive_cb(int timer, void *opaque)
{
    vk_rpc_client *c = opaque;
    pthread_mutex_lock(&c->lock);
    if (c->closed || c->ka_timer != timer || c->ka_interval <= 0) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    int64_t idle = vk_now_ms() - c->last_rx_ms;
    if (idle < (int64_t)c->ka_interval * 1000 - 50) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    if (c->ka_missed >= c->ka_count) {
        close_locked(c, VIRTKIT_CLOSE_KEEPALIVE, VIRTKIT_ERR_CONNECTION_CLOSED,
                     "connection to virtkitd closed: no keepalive answer for %lld s",
                     (long long)(idle / 1000));
        pthread_mutex_unlock(&c->lock);
        notify_closed(c);
        return;
    }
    c->ka_missed++;
    pthread_mutex_unlock(&c->lock);
    send_keepalive(c, VK_RPC_PING, false);
}

int vk_rpc_client_keepalive(vk_rpc_client *c, int interval, unsigned int count)
{
    pthread_mutex_lock(&c->lock);
    if (c->closed) {
        raise_closed_locked(c);
        pthread_mutex_unlock(&c->lock);
        return -1;
    }
    if (c->ka_timer >= 0) {
        vk_event_remove_timeout(c->ka_timer);
        c->ka_timer = -1;
    }
    c->ka_interval = interval;
    c->ka_count = count;
    c->ka_missed = 0;
    if (interval > 0) {
        if (interval > INT32_MAX / 1000) {
            pthread_mutex_unlock(&c->lock);
            vk_error_invalid_arg("keepalive interval %d s is too large", interval);
            return -1;
        }
        client_ref(c);
        int t = vk_event_add_timeout(interval * 1000, keepalive_cb, c, client_unref_cb);
        if (t < 0) {
            pthread_mutex_unlock(&c->lock);
            client_unref(c);
            return -1;
        }
        c->ka_timer = t;
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* -------------------------------------------------------------- calls -- */

static bool call_done(vk_rpc_client *c, void *arg)
{
    return ((pending *)arg)->done;
}

static int call_full(vk_rpc_client *c, uint32_t proc, const ProtobufCMessage *args,
                     ProtobufCMessage **ret, vk_arena *a, vk_rpc_stream *st)
{
    const vk_rpc_proc *p = vk_rpc_proc_get(proc);
    if (!p || (p->flags & VK_PROC_EVENT)) {
        vk_error_internal("no callable procedure number %u", proc);
        return -1;
    }
    pending call = { .prio = (p->flags & VK_PROC_PRIO) != 0 };
    pthread_cond_init(&call.cond, NULL);
    vk_rpc_header h = { .type = VK_RPC_CALL, .proc = proc, .status = VK_RPC_OK };

    pthread_mutex_lock(&c->lock);
    /* In-flight limit: the daemon refuses calls past it, so wait here. */
    for (;;) {
        if (c->closed) {
            raise_closed_locked(c);
            pthread_mutex_unlock(&c->lock);
            pthread_cond_destroy(&call.cond);
            return -1;
        }
        if (call.prio ? c->inflight_prio < c->max_prio : c->inflight < c->max_requests)
            break;
        c->slot_waiters++;
        pthread_cond_wait(&c->slot_cond, &c->lock);
        c->slot_waiters--;
    }
    if (call.prio)
        c->inflight_prio++;
    else
        c->inflight++;
    if (++c->next_serial == 0)
        ++c->next_serial;
    call.serial = h.serial = c->next_serial;
    call.next = c->calls;
    c->calls = &call;
    if (st) {
        st->serial = call.serial;
        st->registered = true;
        st->next = c->streams;
        c->streams = st;
    }
    uint32_t maxmsg = c->max_message;
    pthread_mutex_unlock(&c->lock);

    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, args, &len);
    int r = 0;
    if (len > maxmsg) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_REMOTE,
                     "%s: the call needs %zu bytes, more than the daemon's message limit of %u",
                     p->name, len, maxmsg);
        r = -1;
    } else {
        r = client_send(c, buf, len, true);
    }
    free(buf);

    pthread_mutex_lock(&c->lock);
    if (r == 0)
        client_wait_locked(c, &call.cond, call_done, &call);
    else if (c->closed)
        raise_closed_locked(c);
    for (pending **pp = &c->calls; *pp; pp = &(*pp)->next) {
        if (*pp == &call) {
            *pp = call.next;
            break;
        }
    }
    if (call.prio)
        c->inflight_prio--;
    else
        c->inflight--;
    if (c->slot_waiters)
        pthread_cond_broadcast(&c->slot_cond);
    if (r == 0 && (!call.done || call.lost)) {
        raise_closed_locked(c);
        r = -1;
    }
    pthread_mutex_unlock(&c->lock);
    pthread_cond_destroy(&call.cond);

    if (r == 0 && call.status == VK_RPC_ERROR) {
        VK_ARENA_STACK(ea, 1024);
        VkError *e = (VkError *)vk_rpc_unpack(&vk_error__descriptor, call.body, call.blen, &ea,
                                              p->name);
        if (e)
            vk_rpc_error_raise(e);
        r = -1;
    } else if (r == 0 && call.status != VK_RPC_OK) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_REMOTE,
                     "protocol error: reply to %s has status %u", p->name, call.status);
        r = -1;
    } else if (r == 0 && ret) {
        *ret = vk_rpc_unpack(p->ret, call.body ? call.body : (const uint8_t *)"", call.blen, a,
                             p->name);
        if (!*ret)
            r = -1;
    }
    free(call.body);
    if (r < 0 && st && st->registered) {
        pthread_mutex_lock(&c->lock);
        for (vk_rpc_stream **pp = &c->streams; *pp; pp = &(*pp)->next) {
            if (*pp == st) {
                *pp = st->next;
                break;
            }
        }
        st->registered = false;
        pthread_mutex_unlock(&c->lock);
    }
    return r;
}

int vk_rpc_client_call(vk_rpc_client *c, uint32_t proc, const ProtobufCMessage *args,
                       ProtobufCMessage **ret, vk_arena *a)
{
    return call_full(c, proc, args, ret, a, NULL);
}

/* ------------------------------------------------------------ streams -- */

vk_rpc_stream *vk_rpc_stream_open(vk_rpc_client *c, uint32_t proc, const ProtobufCMessage *args)
{
    vk_rpc_stream *st = vk_alloc(sizeof(*st));
    st->c = c;
    st->proc = proc;
    pthread_cond_init(&st->cond, NULL);
    client_ref(c);
    if (call_full(c, proc, args, NULL, NULL, st) < 0) {
        vk_saved_error *e = vk_error_save();
        vk_rpc_stream_free(st);
        vk_error_restore(e);
        return NULL;
    }
    return st;
}

void vk_rpc_stream_set_notify(vk_rpc_stream *st, void (*fn)(void *), void *opaque)
{
    pthread_mutex_lock(&st->c->lock);
    st->notify = fn;
    st->notify_opaque = opaque;
    pthread_mutex_unlock(&st->c->lock);
}

static int stream_raise_locked(vk_rpc_stream *st)
{
    vk_error_set(st->err_code ? st->err_code : VIRTKIT_ERR_STREAM,
                 st->err_sub ? st->err_sub : VIRTKIT_SUB_STREAM, "%s",
                 st->err_msg ? st->err_msg : "the stream failed");
    return -1;
}

static int stream_frame(vk_rpc_stream *st, uint32_t status, const void *data, size_t n)
{
    vk_rpc_header h = { .type = VK_RPC_STREAM, .proc = st->proc, .serial = st->serial,
                        .status = status };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new_raw(&h, data, n, &len);
    int r = client_send(st->c, buf, len, true);
    free(buf);
    return r;
}

int vk_rpc_stream_send(vk_rpc_stream *st, const char *data, size_t n)
{
    vk_rpc_client *c = st->c;
    pthread_mutex_lock(&c->lock);
    if (st->failed) {
        int r = stream_raise_locked(st);
        pthread_mutex_unlock(&c->lock);
        return r;
    }
    if (st->local_done) {
        pthread_mutex_unlock(&c->lock);
        vk_error_set(VIRTKIT_ERR_STREAM, VIRTKIT_SUB_STREAM, "the stream is already finished");
        return -1;
    }
    pthread_mutex_unlock(&c->lock);
    size_t done = 0;
    while (done < n) {
        size_t k = n - done > VK_RPC_STREAM_CHUNK ? VK_RPC_STREAM_CHUNK : n - done;
        if (stream_frame(st, VK_RPC_CONTINUE, data + done, k) < 0)
            return -1;
        done += k;
    }
    return (int)n;
}

static bool stream_has_input(vk_rpc_client *c, void *arg)
{
    vk_rpc_stream *st = arg;
    return st->head || st->eof || st->failed;
}

int vk_rpc_stream_readable(vk_rpc_stream *st)
{
    pthread_mutex_lock(&st->c->lock);
    int r = stream_has_input(st->c, st) || st->c->closed;
    pthread_mutex_unlock(&st->c->lock);
    return r;
}

int vk_rpc_stream_recv(vk_rpc_stream *st, char *data, size_t n, bool nonblock)
{
    vk_rpc_client *c = st->c;
    pthread_mutex_lock(&c->lock);
    if (!stream_has_input(c, st)) {
        if (nonblock && !c->closed) {
            pthread_mutex_unlock(&c->lock);
            return -2;
        }
        client_wait_locked(c, &st->cond, stream_has_input, st);
    }
    size_t got = 0;
    while (st->head && got < n) {
        rx_chunk *ch = st->head;
        size_t k = ch->len - ch->off < n - got ? ch->len - ch->off : n - got;
        memcpy(data + got, ch->data + ch->off, k);
        got += k;
        ch->off += k;
        if (ch->off == ch->len) {
            st->head = ch->next;
            if (!st->head)
                st->tail = NULL;
            free(ch);
        }
    }
    int r;
    if (got > 0)
        r = (int)got;
    else if (st->failed)
        r = stream_raise_locked(st);
    else if (st->eof)
        r = 0;
    else {
        raise_closed_locked(c);
        r = -1;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static bool stream_acked(vk_rpc_client *c, void *arg)
{
    vk_rpc_stream *st = arg;
    return st->acked || st->failed;
}

int vk_rpc_stream_finish(vk_rpc_stream *st)
{
    vk_rpc_client *c = st->c;
    pthread_mutex_lock(&c->lock);
    if (st->failed) {
        int r = stream_raise_locked(st);
        pthread_mutex_unlock(&c->lock);
        return r;
    }
    st->local_done = true;
    pthread_mutex_unlock(&c->lock);
    if (stream_frame(st, VK_RPC_OK, NULL, 0) < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    client_wait_locked(c, &st->cond, stream_acked, st);
    int r = 0;
    if (st->failed)
        r = stream_raise_locked(st);
    else if (!st->acked) {
        raise_closed_locked(c);
        r = -1;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

int vk_rpc_stream_abort(vk_rpc_stream *st)
{
    vk_rpc_client *c = st->c;
    pthread_mutex_lock(&c->lock);
    bool skip = st->local_done || st->failed || c->closed;
    st->local_done = true;
    pthread_mutex_unlock(&c->lock);
    if (skip)
        return 0;
    VkError e = VK_ERROR__INIT;
    e.code = VIRTKIT_ERR_STREAM;
    e.subsystem = VIRTKIT_SUB_STREAM;
    e.message = (char *)"the client aborted the stream";
    vk_rpc_header h = { .type = VK_RPC_STREAM, .proc = st->proc, .serial = st->serial,
                        .status = VK_RPC_ERROR };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, &e.base, &len);
    int r = client_send(c, buf, len, true);
    free(buf);
    return r;
}

void vk_rpc_stream_free(vk_rpc_stream *st)
{
    if (!st)
        return;
    vk_rpc_client *c = st->c;
    pthread_mutex_lock(&c->lock);
    bool open = st->registered && !st->local_done && !st->failed && !c->closed;
    pthread_mutex_unlock(&c->lock);
    if (open)
        vk_rpc_stream_abort(st);
    pthread_mutex_lock(&c->lock);
    for (vk_rpc_stream **pp = &c->streams; *pp; pp = &(*pp)->next) {
        if (*pp == st) {
            *pp = st->next;
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    while (st->head) {
        rx_chunk *n = st->head->next;
        free(st->head);
        st->head = n;
    }
    free(st->err_msg);
    pthread_cond_destroy(&st->cond);
    free(st);
    client_unref(c);
}
