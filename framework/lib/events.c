/*
 * events.c: per-connection event callbacks.
 *
 * Drivers deliver events from any thread (host->domain_event_* or the
 * remote driver's receive thread) into the connection's queue; a one-shot
 * timer on the registered event loop then dispatches the queue in order,
 * in the loop's thread, with no lock held while a callback runs. A
 * callback may register or deregister callbacks (itself included): the
 * list is marked, never compacted, during dispatch. Without an event loop
 * events are dropped (and counted), since nothing could run the callbacks.
 *
 * Each event has a sequence number (per connection for in-process
 * drivers, per daemon for remote ones) so a reconnecting client can
 * resume where it left off.
 */
#include "config.h"

#include <stdlib.h>

#include "core.h"
#include "evloop.h"
#include "log.h"
#include "nodedev.h"

typedef struct {
    int id;
    vk_event_kind kind;          /* DOMAIN_LIFECYCLE ... */
    bool has_filter;
    unsigned char uuid[16];
    virtkit_event_generic_cb cb;
    void *opaque;
    virtkit_free_cb ff;
    bool deleted;
} ev_callback;

struct vk_event_state {
    pthread_mutex_t lock;
    ev_callback *cbs;
    size_t ncbs, cbs_cap;
    int next_id;
    vk_event *queue;
    size_t nqueue, queue_cap;
    int timer;                   /* -1 when no dispatch is scheduled */
    unsigned long long seq;      /* last assigned */
    unsigned long long last_delivered;
    unsigned long long dropped;
    int dispatching;
    vk_event_sink_fn sink;       /* takes every event instead of the queue */
    void *sink_opaque;
};

vk_event_state *vk_event_state_new(void)
{
    vk_event_state *st = vk_alloc(sizeof(*st));
    pthread_mutex_init(&st->lock, NULL);
    st->timer = -1;
    return st;
}

void vk_event_clear(vk_event *ev)
{
    vk_ref_clear(&ev->obj);
    free(ev->str1);
    free(ev->str2);
    free(ev->str3);
    memset(ev, 0, sizeof(*ev));
}

void vk_event_state_close(virtkit_connect *conn)
{
    vk_event_state *st = conn->events;
    if (!st)
        return;
    vk_nodedev_monitor_watch(conn, false);
    pthread_mutex_lock(&st->lock);
    if (st->timer >= 0) {
        vk_event_remove_timeout(st->timer);
        st->timer = -1;
    }
    ev_callback *cbs = st->cbs;
    size_t n = st->ncbs;
    st->cbs = NULL;
    st->ncbs = st->cbs_cap = 0;
    for (size_t i = 0; i < st->nqueue; i++)
        vk_event_clear(&st->queue[i]);
    st->nqueue = 0;
    pthread_mutex_unlock(&st->lock);
    for (size_t i = 0; i < n; i++)
        if (!cbs[i].deleted && cbs[i].ff)
            cbs[i].ff(cbs[i].opaque);
    free(cbs);
}

void vk_event_state_free(vk_event_state *st)
{
    if (!st)
        return;
    free(st->queue);
    free(st->cbs);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

int vk_event_count_callbacks(virtkit_connect *conn, vk_event_kind kind)
{
    vk_event_state *st = conn->events;
    int n = 0;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->ncbs; i++)
        if (!st->cbs[i].deleted && st->cbs[i].kind == kind)
            n++;
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* Build the handle an event's callback receives. */
static void dispatch_one(virtkit_connect *conn, vk_event *ev, ev_callback *cb)
{
    vkp_ref r = { vk_strdup(ev->obj.name), { 0 }, ev->obj.id };
    memcpy(r.uuid, ev->obj.uuid, 16);
    switch (ev->kind) {
    case VK_EV_DOMAIN_LIFECYCLE:
    case VK_EV_DOMAIN_REBOOT:
    case VK_EV_DOMAIN_IO_ERROR:
    case VK_EV_DOMAIN_DEVICE_REMOVED:
    case VK_EV_DOMAIN_DEVICE_ADDED: {
        virtkit_domain *d = vk_domain_new(conn, &r);
        if (ev->kind == VK_EV_DOMAIN_LIFECYCLE)
            ((virtkit_domain_event_lifecycle_cb)(void (*)(void))cb->cb)(conn, d, ev->event,
                                                                        ev->detail, cb->opaque);
        else if (ev->kind == VK_EV_DOMAIN_REBOOT)
            ((virtkit_domain_event_generic_cb)(void (*)(void))cb->cb)(conn, d, cb->opaque);
        else if (ev->kind == VK_EV_DOMAIN_IO_ERROR)
            ((virtkit_domain_event_io_error_cb)(void (*)(void))cb->cb)(
                conn, d, ev->str1, ev->str2, ev->event, ev->str3, cb->opaque);
        else
            ((virtkit_domain_event_device_cb)(void (*)(void))cb->cb)(conn, d, ev->str1,
                                                                     cb->opaque);
        virtkit_domain_free(d);
        break;
    }
    case VK_EV_NETWORK_LIFECYCLE: {
        virtkit_network *n = vk_network_new(conn, &r);
        ((virtkit_network_event_lifecycle_cb)(void (*)(void))cb->cb)(conn, n, ev->event,
                                                                     ev->detail, cb->opaque);
        virtkit_network_free(n);
        break;
    }
    case VK_EV_POOL_LIFECYCLE: {
        virtkit_pool *p = vk_pool_new(conn, &r);
        ((virtkit_pool_event_lifecycle_cb)(void (*)(void))cb->cb)(conn, p, ev->event, ev->detail,
                                                                  cb->opaque);
        virtkit_pool_free(p);
        break;
    }
    case VK_EV_NODEDEV_LIFECYCLE: {
        virtkit_nodedev *nd = vk_nodedev_new(conn, VK_STEAL(r.name), NULL);
        ((virtkit_nodedev_event_lifecycle_cb)(void (*)(void))cb->cb)(conn, nd, ev->event,
                                                                     ev->detail, cb->opaque);
        virtkit_nodedev_free(nd);
        break;
    }
    }
    vk_ref_clear(&r);
}

static void dispatch_timer(int timer, void *opaque)
{
    virtkit_connect *conn = opaque;
    vk_event_state *st = conn->events;
    pthread_mutex_lock(&st->lock);
    if (st->timer >= 0) {
        vk_event_remove_timeout(st->timer);
        st->timer = -1;
    }
    vk_event *q = st->queue;
    size_t nq = st->nqueue;
    st->queue = NULL;
    st->nqueue = st->queue_cap = 0;
    st->dispatching++;
    for (size_t i = 0; i < nq; i++) {
        vk_event *ev = &q[i];
        /* Counted as delivered before its callbacks run, so a callback (or
         * a thread it wakes) that reads virtkit_connect_last_event_seq
         * sees this event's number. */
        if (ev->seq > st->last_delivered)
            st->last_delivered = ev->seq;
        for (size_t j = 0; j < st->ncbs; j++) {
            ev_callback *cb = &st->cbs[j];
            if (cb->deleted || cb->kind != ev->kind)
                continue;
            if (cb->has_filter && memcmp(cb->uuid, ev->obj.uuid, 16) != 0)
                continue;
            ev_callback copy = *cb;
            pthread_mutex_unlock(&st->lock);
            dispatch_one(conn, ev, &copy);
            pthread_mutex_lock(&st->lock);
        }
        vk_event_clear(ev);
    }
    st->dispatching--;
    free(q);
    /* Compact deleted callbacks once nobody iterates. */
    virtkit_free_cb *ffs = NULL;
    void **ops = NULL;
    size_t nff = 0, capff = 0, capop = 0;
    if (!st->dispatching) {
        size_t k = 0;
        for (size_t j = 0; j < st->ncbs; j++) {
            if (st->cbs[j].deleted) {
                if (st->cbs[j].ff) {
                    VK_GROW(ffs, capff, nff);
                    VK_GROW(ops, capop, nff);
                    ffs[nff] = st->cbs[j].ff;
                    ops[nff++] = st->cbs[j].opaque;
                }
            } else {
                st->cbs[k++] = st->cbs[j];
            }
        }
        st->ncbs = k;
    }
    pthread_mutex_unlock(&st->lock);
    for (size_t i = 0; i < nff; i++)
        ffs[i](ops[i]);
    free(ffs);
    free(ops);
    vk_connect_unref(conn);
}

void vk_event_set_sink(virtkit_connect *conn, vk_event_sink_fn fn, void *opaque)
{
    vk_event_state *st = conn->events;
    pthread_mutex_lock(&st->lock);
    st->sink = fn;
    st->sink_opaque = opaque;
    pthread_mutex_unlock(&st->lock);
}

void vk_event_queue(virtkit_connect *conn, vk_event *ev)
{
    vk_event_state *st = conn->events;
    pthread_mutex_lock(&st->lock);
    if (st->sink) {
        /* Under the lock, so that once vk_event_set_sink(NULL) returns no
         * call is running or will run. */
        st->sink(conn, ev, st->sink_opaque);
        pthread_mutex_unlock(&st->lock);
        vk_event_clear(ev);
        return;
    }
    if (!ev->seq)
        ev->seq = ++st->seq;
    else if (ev->seq > st->seq)
        st->seq = ev->seq;
    bool wanted = false;
    for (size_t i = 0; i < st->ncbs && !wanted; i++)
        wanted = !st->cbs[i].deleted && st->cbs[i].kind == ev->kind;
    if (!wanted) {
        if (ev->seq > st->last_delivered)
            st->last_delivered = ev->seq;
        pthread_mutex_unlock(&st->lock);
        vk_event_clear(ev);
        return;
    }
    VK_GROW(st->queue, st->queue_cap, st->nqueue);
    st->queue[st->nqueue++] = *ev;
    memset(ev, 0, sizeof(*ev));
    if (st->timer < 0) {
        vk_obj_ref(&conn->refs);
        st->timer = vk_event_add_timeout(0, dispatch_timer, conn, NULL);
        if (st->timer < 0) {
            st->dropped += st->nqueue;
            for (size_t i = 0; i < st->nqueue; i++)
                vk_event_clear(&st->queue[i]);
            st->nqueue = 0;
            pthread_mutex_unlock(&st->lock);
            virtkit_error_clear();
            vk_connect_unref(conn);
            return;
        }
    }
    pthread_mutex_unlock(&st->lock);
}

static int event_register(virtkit_connect *conn, vk_event_kind kind, const unsigned char *uuid,
                          virtkit_event_generic_cb cb, void *opaque, virtkit_free_cb ff)
{
    if (!cb) {
        vk_error_invalid_arg("event callback must not be NULL");
        return -1;
    }
    if (!vk_event_have_impl()) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_EVENT,
                     "no event loop registered: call virtkit_event_register_default_impl() "
                     "before registering event callbacks");
        return -1;
    }
    vk_event_state *st = conn->events;
    pthread_mutex_lock(&st->lock);
    bool first = true;
    for (size_t i = 0; i < st->ncbs; i++)
        if (!st->cbs[i].deleted && st->cbs[i].kind == kind)
            first = false;
    VK_GROW(st->cbs, st->cbs_cap, st->ncbs);
    ev_callback *c = &st->cbs[st->ncbs++];
    *c = (ev_callback){ .id = st->next_id++, .kind = kind, .cb = cb, .opaque = opaque, .ff = ff };
    if (uuid) {
        c->has_filter = true;
        memcpy(c->uuid, uuid, 16);
    }
    int id = c->id;
    pthread_mutex_unlock(&st->lock);
    /* local connections: the first node device callback starts the uevent
     * monitor (nodedev_monitor.c) */
    if (first && ((conn->remote && vk_remote_events_wanted(conn, kind, true) < 0) ||
                  (!conn->remote && kind == VK_EV_NODEDEV_LIFECYCLE &&
                   vk_nodedev_monitor_watch(conn, true) < 0))) {
        pthread_mutex_lock(&st->lock);
        for (size_t i = 0; i < st->ncbs; i++)
            if (st->cbs[i].id == id)
                st->cbs[i].deleted = true;
        pthread_mutex_unlock(&st->lock);
        return -1;
    }
    return id;
}

static int event_deregister(virtkit_connect *conn, int id, int kind_lo, int kind_hi)
{
    vk_event_state *st = conn->events;
    pthread_mutex_lock(&st->lock);
    ev_callback *found = NULL;
    for (size_t i = 0; i < st->ncbs; i++)
        if (st->cbs[i].id == id && !st->cbs[i].deleted && (int)st->cbs[i].kind >= kind_lo &&
            (int)st->cbs[i].kind <= kind_hi)
            found = &st->cbs[i];
    if (!found) {
        pthread_mutex_unlock(&st->lock);
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_EVENT,
                     "no event callback with id %d on this connection", id);
        return -1;
    }
    vk_event_kind kind = found->kind;
    virtkit_free_cb ff = NULL;
    void *opaque = found->opaque;
    if (st->dispatching) {
        found->deleted = true; /* freed after dispatch */
    } else {
        ff = found->ff;
        *found = st->cbs[--st->ncbs];
    }
    bool last = true;
    for (size_t i = 0; i < st->ncbs; i++)
        if (!st->cbs[i].deleted && st->cbs[i].kind == kind)
            last = false;
    pthread_mutex_unlock(&st->lock);
    if (ff)
        ff(opaque);
    if (last && conn->remote)
        vk_remote_events_wanted(conn, kind, false);
    else if (last && kind == VK_EV_NODEDEV_LIFECYCLE)
        vk_nodedev_monitor_watch(conn, false);
    return 0;
}

static const vk_event_kind domain_kinds[] = {
    [VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE] = VK_EV_DOMAIN_LIFECYCLE,
    [VIRTKIT_DOMAIN_EVENT_ID_REBOOT] = VK_EV_DOMAIN_REBOOT,
    [VIRTKIT_DOMAIN_EVENT_ID_IO_ERROR] = VK_EV_DOMAIN_IO_ERROR,
    [VIRTKIT_DOMAIN_EVENT_ID_DEVICE_REMOVED] = VK_EV_DOMAIN_DEVICE_REMOVED,
    [VIRTKIT_DOMAIN_EVENT_ID_DEVICE_ADDED] = VK_EV_DOMAIN_DEVICE_ADDED,
};

VIRTKIT_API int virtkit_connect_domain_event_register(virtkit_connect *conn, virtkit_domain *dom,
                                                     int event_id, virtkit_event_generic_cb cb,
                                                     void *opaque, virtkit_free_cb ff)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (event_id < 0 || (size_t)event_id >= VK_ARRAY_LEN(domain_kinds)) {
        vk_error_invalid_arg("%s: unknown event id %d", __func__, event_id);
        return -1;
    }
    if (dom && dom->conn != conn) {
        vk_error_invalid_arg("%s: the domain belongs to another connection", __func__);
        return -1;
    }
    return event_register(conn, domain_kinds[event_id], dom ? dom->ref.uuid : NULL, cb, opaque,
                          ff);
}

VIRTKIT_API int virtkit_connect_domain_event_deregister(virtkit_connect *conn, int id)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    return event_deregister(conn, id, VK_EV_DOMAIN_LIFECYCLE, VK_EV_DOMAIN_DEVICE_ADDED);
}

#define OBJ_EVENT_API(obj, type, kind, cbtype)                                           \
    VIRTKIT_API int virtkit_connect_##obj##_event_register(                              \
        virtkit_connect *conn, type *o, cbtype cb, void *opaque, virtkit_free_cb ff)     \
    {                                                                                    \
        VK_ENTRY_CONN(conn, 0, 0, -1);                                                   \
        return event_register(conn, kind, o ? o->ref.uuid : NULL,                        \
                              VIRTKIT_EVENT_CALLBACK(cb), opaque, ff);                   \
    }                                                                                    \
    VIRTKIT_API int virtkit_connect_##obj##_event_deregister(virtkit_connect *conn, int id) \
    {                                                                                    \
        VK_ENTRY_CONN(conn, 0, 0, -1);                                                   \
        return event_deregister(conn, id, kind, kind);                                   \
    }
OBJ_EVENT_API(network, virtkit_network, VK_EV_NETWORK_LIFECYCLE,
              virtkit_network_event_lifecycle_cb)
OBJ_EVENT_API(pool, virtkit_pool, VK_EV_POOL_LIFECYCLE, virtkit_pool_event_lifecycle_cb)

VIRTKIT_API int virtkit_connect_nodedev_event_register(virtkit_connect *conn, virtkit_nodedev *dev,
                                                      virtkit_nodedev_event_lifecycle_cb cb,
                                                      void *opaque, virtkit_free_cb ff)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (dev) {
        vk_error_set(VIRTKIT_ERR_NO_SUPPORT, VIRTKIT_SUB_EVENT,
                     "node device events are delivered for all devices; pass NULL");
        return -1;
    }
    return event_register(conn, VK_EV_NODEDEV_LIFECYCLE, NULL, VIRTKIT_EVENT_CALLBACK(cb), opaque,
                          ff);
}

VIRTKIT_API int virtkit_connect_nodedev_event_deregister(virtkit_connect *conn, int id)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    return event_deregister(conn, id, VK_EV_NODEDEV_LIFECYCLE, VK_EV_NODEDEV_LIFECYCLE);
}

VIRTKIT_API int virtkit_connect_last_event_seq(virtkit_connect *conn, unsigned long long *seq)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (!seq) {
        vk_error_invalid_arg("%s: seq must not be NULL", __func__);
        return -1;
    }
    pthread_mutex_lock(&conn->events->lock);
    *seq = conn->events->last_delivered;
    pthread_mutex_unlock(&conn->events->lock);
    return 0;
}

/* ------------------------------------------------------------ names -- */
static const char *const event_names[] = {
    "defined", "undefined", "started", "suspended", "resumed", "stopped", "shutdown",
    "pmsuspended", "crashed",
};

VIRTKIT_API const char *virtkit_domain_event_name(int event)
{
    if (event < 0 || (size_t)event >= VK_ARRAY_LEN(event_names))
        return "unknown";
    return event_names[event];
}

static const char *const defined_details[] = { "added", "updated", "renamed", "from-snapshot" };
static const char *const undefined_details[] = { "removed", "renamed" };
static const char *const started_details[] = { "booted", "migrated", "restored",
                                               "from-snapshot", "wakeup" };
static const char *const suspended_details[] = { "paused", "migrated", "ioerror", "watchdog",
                                                 "restored", "from-snapshot", "api-error",
                                                 "postcopy", "postcopy-failed" };
static const char *const resumed_details[] = { "unpaused", "migrated", "from-snapshot" };
static const char *const stopped_details[] = { "shutdown", "destroyed", "crashed", "migrated",
                                               "saved", "failed" };
static const char *const shutdown_details[] = { "finished", "guest", "host" };
static const char *const pmsuspended_details[] = { "memory", "disk" };
static const char *const crashed_details[] = { "panicked" };

VIRTKIT_API const char *virtkit_domain_event_detail_name(int event, int detail)
{
    static const struct {
        const char *const *names;
        size_t n;
    } tbl[] = {
#define D(a) { a, VK_ARRAY_LEN(a) }
        D(defined_details),  D(undefined_details), D(started_details),
        D(suspended_details), D(resumed_details),  D(stopped_details),
        D(shutdown_details), D(pmsuspended_details), D(crashed_details),
#undef D
    };
    if (event < 0 || (size_t)event >= VK_ARRAY_LEN(tbl) || detail < 0 ||
        (size_t)detail >= tbl[event].n)
        return "unknown";
    return tbl[event].names[detail];
}
