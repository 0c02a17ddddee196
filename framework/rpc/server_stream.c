/*
 * server_stream.c: streams on the daemon side (console, volume upload and
 * download). The handler opens a local stream (an fd the plugin gave) on
 * the client's in-process connection; here it is pumped:
 *
 *   backend -> client: the process's event loop reads when the fd is
 *     readable and sends STREAM frames (CONTINUE with data, OK at the end,
 *     ERROR on failure); reading pauses while the client's output queue is
 *     above its high mark and resumes when it drains, so a slow client
 *     never makes the daemon buffer without bound.
 *   client -> backend: the I/O thread writes STREAM data frames to the fd;
 *     what a pty cannot take yet waits (bounded) for the fd to be writable.
 *     The client's OK finishes the stream (flushed, then acknowledged with
 *     OK or ERROR); its ERROR aborts it.
 *
 * Locks: ss->lock before cl->lock, never the other way round.
 */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "server_priv.h"
#include "stream.h"

#define MAX_PENDING (8u << 20)

struct srv_stream {
    int refs;
    srv_client *cl;
    uint32_t proc, serial;
    virtkit_stream *st;
    pthread_mutex_t lock;
    bool readable;            /* backend -> client */
    bool writable;            /* client -> backend */
    bool started;
    bool paused;
    bool eof_sent;
    bool client_done;
    bool done;
    bool have_cb;
    int watch_events;
    uint8_t *pend;
    size_t pend_len, pend_off;
    srv_stream *next;
};

static void ss_ref(srv_stream *ss)
{
    __atomic_add_fetch(&ss->refs, 1, __ATOMIC_RELAXED);
}

static void ss_unref(srv_stream *ss)
{
    if (!ss || __atomic_sub_fetch(&ss->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    if (ss->st)
        virtkit_stream_free(ss->st);
    free(ss->pend);
    srv_client_unref(ss->cl);
    pthread_mutex_destroy(&ss->lock);
    free(ss);
}

static void ss_unref_cb(void *p)
{
    ss_unref(p);
}

srv_stream *srv_stream_new(srv_client *cl, uint32_t proc, uint32_t serial, virtkit_stream *st,
                           bool readable, bool writable)
{
    srv_stream *ss = vk_alloc(sizeof(*ss));
    ss->refs = 1; /* the client's list */
    srv_client_ref(cl);
    ss->cl = cl;
    ss->proc = proc;
    ss->serial = serial;
    ss->st = st;
    ss->readable = readable;
    ss->writable = writable;
    pthread_mutex_init(&ss->lock, NULL);
    pthread_mutex_lock(&cl->lock);
    ss->next = cl->streams;
    cl->streams = ss;
    pthread_mutex_unlock(&cl->lock);
    return ss;
}

static void send_status(srv_stream *ss, uint32_t status)
{
    vk_rpc_header h = { .type = VK_RPC_STREAM, .proc = ss->proc, .serial = ss->serial,
                        .status = status };
    size_t len;
    uint8_t *buf = status == VK_RPC_ERROR ? vk_rpc_frame_error(&h, &len)
                                          : vk_rpc_frame_new(&h, NULL, &len);
    srv_client_send(ss->cl, buf, len);
}

static void unlink_stream(srv_stream *ss)
{
    srv_client *cl = ss->cl;
    bool found = false;
    pthread_mutex_lock(&cl->lock);
    for (srv_stream **pp = &cl->streams; *pp; pp = &(*pp)->next) {
        if (*pp == ss) {
            *pp = ss->next;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&cl->lock);
    if (found)
        ss_unref(ss); /* the list's reference; the caller holds another */
}

/* The stream is over (ss->lock held, caller holds a reference). */
static void finish_locked(srv_stream *ss, bool abort_backend)
{
    if (ss->done)
        return;
    ss->done = true;
    if (abort_backend)
        virtkit_stream_abort(ss->st);
    if (ss->have_cb) {
        ss->have_cb = false;
        virtkit_stream_remove_callback(ss->st); /* drops the callback's reference */
    }
    virtkit_error_clear();
    unlink_stream(ss);
}

static void stream_cb(virtkit_stream *st, int events, void *opaque);

/* Watch what the stream needs now (ss->lock held). */
static void update_watch_locked(srv_stream *ss)
{
    if (ss->done || !ss->started)
        return;
    int ev = 0;
    if (ss->readable && !ss->paused && !ss->eof_sent)
        ev |= VIRTKIT_EVENT_HANDLE_READABLE;
    if (ss->pend_len > ss->pend_off)
        ev |= VIRTKIT_EVENT_HANDLE_WRITABLE;
    if (!ss->have_cb) {
        if (!ev)
            return;
        ss_ref(ss);
        if (virtkit_stream_add_callback(ss->st, ev, stream_cb, ss, ss_unref_cb) < 0) {
            VK_WARN("stream", "client %llu: cannot watch stream %u: %s",
                    (unsigned long long)ss->cl->id, ss->serial, vk_error_message());
            ss_unref(ss);
            send_status(ss, VK_RPC_ERROR);
            finish_locked(ss, true);
            return;
        }
        ss->have_cb = true;
    } else if (ev != ss->watch_events) {
        virtkit_stream_update_callback(ss->st, ev);
    }
    ss->watch_events = ev;
}

/* Write what the client sent and the backend could not take yet. */
static int flush_pending_locked(srv_stream *ss)
{
    while (ss->pend_off < ss->pend_len) {
        int r = virtkit_stream_send(ss->st, (const char *)ss->pend + ss->pend_off,
                                    ss->pend_len - ss->pend_off);
        if (r == -2)
            return 0;
        if (r < 0)
            return -1;
        ss->pend_off += (size_t)r;
    }
    free(ss->pend);
    ss->pend = NULL;
    ss->pend_len = ss->pend_off = 0;
    return 0;
}

/* The client finished and everything is written: confirm. */
static void complete_locked(srv_stream *ss)
{
    if (virtkit_stream_finish(ss->st) < 0)
        send_status(ss, VK_RPC_ERROR);
    else
        send_status(ss, VK_RPC_OK);
    finish_locked(ss, false);
}

static void pump_out_locked(srv_stream *ss)
{
    srv_client *cl = ss->cl;
    for (int rounds = 0; rounds < 16 && !ss->done && !ss->eof_sent; rounds++) {
        pthread_mutex_lock(&cl->lock);
        bool full = cl->out_bytes >= SRV_OUT_HIGH;
        bool gone = cl->closed;
        pthread_mutex_unlock(&cl->lock);
        if (gone) {
            finish_locked(ss, true);
            return;
        }
        if (full) {
            ss->paused = true;
            break;
        }
        uint8_t *buf = vk_alloc(VK_RPC_HEADER_SIZE + VK_RPC_STREAM_CHUNK);
        int n = virtkit_stream_recv(ss->st, (char *)buf + VK_RPC_HEADER_SIZE,
                                    VK_RPC_STREAM_CHUNK);
        if (n == -2) {
            free(buf);
            break;
        }
        if (n < 0) {
            free(buf);
            send_status(ss, VK_RPC_ERROR);
            finish_locked(ss, true);
            return;
        }
        if (n == 0) {
            free(buf);
            send_status(ss, VK_RPC_OK);
            ss->eof_sent = true;
            if (!ss->writable || ss->client_done) {
                /* Nothing more can come either way: the client's finish
                 * is acknowledged when it arrives (unknown stream: OK). */
            }
            break;
        }
        vk_rpc_header h = { .type = VK_RPC_STREAM, .proc = ss->proc, .serial = ss->serial,
                            .status = VK_RPC_CONTINUE };
        h.len = VK_RPC_HEADER_SIZE + (uint32_t)n;
        vk_rpc_header_encode(&h, buf);
        srv_client_send(cl, buf, h.len);
    }
}

static void stream_cb(virtkit_stream *st, int events, void *opaque)
{
    srv_stream *ss = opaque;
    ss_ref(ss);
    pthread_mutex_lock(&ss->lock);
    if (!ss->done && (events & VIRTKIT_EVENT_HANDLE_WRITABLE)) {
        if (flush_pending_locked(ss) < 0) {
            send_status(ss, VK_RPC_ERROR);
            finish_locked(ss, true);
        } else if (ss->pend_len == 0 && ss->client_done) {
            complete_locked(ss);
        }
    }
    if (!ss->done && (events & (VIRTKIT_EVENT_HANDLE_READABLE | VIRTKIT_EVENT_HANDLE_HANGUP |
                                VIRTKIT_EVENT_HANDLE_ERROR)) && ss->readable)
        pump_out_locked(ss);
    update_watch_locked(ss);
    pthread_mutex_unlock(&ss->lock);
    ss_unref(ss);
}

void srv_stream_start(srv_stream *ss)
{
    pthread_mutex_lock(&ss->lock);
    ss->started = true;
    update_watch_locked(ss);
    pthread_mutex_unlock(&ss->lock);
}

void srv_stream_cancel(srv_stream *ss)
{
    ss_ref(ss);
    pthread_mutex_lock(&ss->lock);
    finish_locked(ss, true);
    pthread_mutex_unlock(&ss->lock);
    ss_unref(ss);
}

static srv_stream *find_stream(srv_client *cl, uint32_t serial)
{
    pthread_mutex_lock(&cl->lock);
    srv_stream *ss = cl->streams;
    while (ss && ss->serial != serial)
        ss = ss->next;
    if (ss)
        ss_ref(ss);
    pthread_mutex_unlock(&cl->lock);
    return ss;
}

static void client_data_locked(srv_stream *ss, const uint8_t *body, size_t len)
{
    if (!ss->writable || ss->client_done) {
        vk_error_set(VIRTKIT_ERR_STREAM, VIRTKIT_SUB_STREAM,
                     "stream %u does not accept data from the client", ss->serial);
        send_status(ss, VK_RPC_ERROR);
        finish_locked(ss, true);
        return;
    }
    size_t off = 0;
    if (ss->pend_len == ss->pend_off) {
        while (off < len) {
            int r = virtkit_stream_send(ss->st, (const char *)body + off, len - off);
            if (r == -2)
                break;
            if (r < 0) {
                send_status(ss, VK_RPC_ERROR);
                finish_locked(ss, true);
                return;
            }
            off += (size_t)r;
        }
    }
    if (off == len)
        return;
    if (ss->pend_len - ss->pend_off + (len - off) > MAX_PENDING) {
        vk_error_set(VIRTKIT_ERR_STREAM, VIRTKIT_SUB_STREAM,
                     "stream %u: the client sends faster than the backend takes (%u bytes "
                     "waiting)", ss->serial, MAX_PENDING);
        send_status(ss, VK_RPC_ERROR);
        finish_locked(ss, true);
        return;
    }
    ss->pend = vk_realloc(ss->pend, ss->pend_len + (len - off));
    memcpy(ss->pend + ss->pend_len, body + off, len - off);
    ss->pend_len += len - off;
    update_watch_locked(ss);
}

void srv_stream_frame(srv_client *cl, const vk_rpc_header *h, const uint8_t *body, size_t len)
{
    srv_stream *ss = find_stream(cl, h->serial);
    if (!ss)
        return; /* a stream that already ended: late frames are harmless */
    pthread_mutex_lock(&ss->lock);
    if (ss->done) {
        /* nothing */
    } else if (h->status == VK_RPC_CONTINUE) {
        if (len)
            client_data_locked(ss, body, len);
    } else if (h->status == VK_RPC_OK) {
        ss->client_done = true;
        if (ss->pend_len == ss->pend_off)
            complete_locked(ss);
    } else {
        VK_DEBUG("stream", "client %llu aborted stream %u", (unsigned long long)cl->id,
                 ss->serial);
        finish_locked(ss, true);
    }
    pthread_mutex_unlock(&ss->lock);
    ss_unref(ss);
}

/* Collect the client's streams (with references) outside its lock. */
static size_t collect(srv_client *cl, srv_stream ***out, bool detach)
{
    size_t n = 0, cap = 0;
    srv_stream **v = NULL;
    pthread_mutex_lock(&cl->lock);
    for (srv_stream *ss = cl->streams; ss; ss = ss->next) {
        VK_GROW(v, cap, n);
        if (!detach)
            ss_ref(ss);
        v[n++] = ss;
    }
    if (detach)
        cl->streams = NULL; /* the list's references move to v */
    pthread_mutex_unlock(&cl->lock);
    *out = v;
    return n;
}

void srv_streams_resume(srv_client *cl)
{
    srv_stream **v = NULL;
    size_t n = collect(cl, &v, false);
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&v[i]->lock);
        if (v[i]->paused) {
            v[i]->paused = false;
            update_watch_locked(v[i]);
        }
        pthread_mutex_unlock(&v[i]->lock);
        ss_unref(v[i]);
    }
    free(v);
}

void srv_streams_drop(srv_client *cl)
{
    srv_stream **v = NULL;
    size_t n = collect(cl, &v, true);
    for (size_t i = 0; i < n; i++) {
        srv_stream *ss = v[i];
        ss_ref(ss);
        pthread_mutex_lock(&ss->lock);
        finish_locked(ss, true); /* already unlinked: only stops the backend */
        pthread_mutex_unlock(&ss->lock);
        ss_unref(ss);
        ss_unref(ss); /* the list's reference */
    }
    free(v);
}
