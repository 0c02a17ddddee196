/*
 * server_events.c: events on the daemon side.
 *
 * Each client's in-process connection hands its events to a sink (core.h)
 * that runs in the thread raising the event: every event is stamped and
 * kept by the backlog (evlog.c) and, when the client asked for its kind,
 * sent at once as an EVENT frame, usually before the reply to the call
 * that caused it. ev_lock orders a client's replay of missed events (for
 * one that opened with resume_events) before any live one.
 *
 * Hubs: for every driver URI a client has opened, the daemon keeps one
 * connection of its own listening to all events and recording them, so
 * events of a shared node (qemu:///system) that happen while a client is
 * away (a network blip, a restart of the client) are in the backlog when
 * it comes back. The hub and the client connections see the same event;
 * the backlog gives their copies one number. Hub URIs are saved with the
 * backlog and reopened at the next start.
 */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "server_priv.h"

typedef struct srv_hub {
    struct srv_hub *next;
    vk_server *srv;
    char *key;
    virtkit_connect *conn;
} srv_hub;

static void send_event_frame(srv_client *cl, uint64_t seq, const vk_event *ev)
{
    VkRef obj = VK_REF__INIT;
    vk_rpc_ref_to_wire(&ev->obj, &obj);
    VkEvent w = VK_EVENT__INIT;
    w.kind = ev->kind;
    w.seq = seq;
    w.obj = &obj;
    w.has_event = w.has_detail = 1;
    w.event = ev->event;
    w.detail = ev->detail;
    w.str1 = ev->str1;
    w.str2 = ev->str2;
    w.str3 = ev->str3;
    vk_rpc_header h = { .type = VK_RPC_EVENT, .proc = VK_PROC_event, .status = VK_RPC_OK };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, &w.base, &len);
    srv_client_send_ex(cl, buf, len, true);
}

/* The client connection's event sink (core.h): runs in the thread that
 * raised the event, under the connection's event lock. Every event is
 * stamped and kept; it is sent when the client asked for its kind. */
static void client_sink(virtkit_connect *conn, const vk_event *ev, void *opaque)
{
    srv_client *cl = opaque;
    if (ev->kind < VK_EV_DOMAIN_LIFECYCLE || ev->kind > VK_EV_NODEDEV_LIFECYCLE)
        return;
    pthread_mutex_lock(&cl->ev_lock);
    uint64_t seq = vk_evlog_record(cl->srv->evlog, cl->key, cl->id, cl->last_seq, ev);
    cl->last_seq = seq;
    if (cl->ev_wanted & (1u << ev->kind))
        send_event_frame(cl, seq, ev);
    pthread_mutex_unlock(&cl->ev_lock);
}

void srv_events_attach(srv_client *cl)
{
    vk_event_set_sink(cl->conn, client_sink, cl);
}

void srv_events_detach(srv_client *cl)
{
    if (cl->conn)
        vk_event_set_sink(cl->conn, NULL, NULL);
}

/* Node device events come from a uevent monitor that the core runs only
 * while a node device callback is registered: register one that never
 * runs (the sink takes the events). */
static void nodedev_noop(virtkit_connect *conn, virtkit_nodedev *d, int event, int detail,
                         void *opaque)
{
}

static int check_kind(uint32_t kind)
{
    if (kind < VK_EV_DOMAIN_LIFECYCLE || kind > VK_EV_NODEDEV_LIFECYCLE) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_EVENT, "unknown event kind %u", kind);
        return -1;
    }
    return 0;
}

static void replay_one(void *opaque, uint64_t seq, const vk_event *ev)
{
    srv_client *cl = opaque;
    if (seq > cl->last_seq)
        cl->last_seq = seq;
    send_event_frame(cl, seq, ev);
}

static int empty_reply(srv_call *c, ProtobufCMessage **ret)
{
    VkEmpty *out = vk_arena_alloc(c->a, sizeof(*out));
    vk_empty__init(out);
    *ret = &out->base;
    return 0;
}

int srv_event_register(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    const VkEventReg *in = (const VkEventReg *)args_;
    if (check_kind(in->kind) < 0)
        return -1;
    srv_client *cl = c->cl;
    vk_event_kind kind = (vk_event_kind)in->kind;
    /* Not under ev_lock: registering takes the connection's event lock,
     * which the sink holds when it takes ev_lock. */
    int none = -1;
    if (kind == VK_EV_NODEDEV_LIFECYCLE &&
        __atomic_compare_exchange_n(&cl->nodedev_cb, &none, -2, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED)) {
        int id = virtkit_connect_nodedev_event_register(c->conn, NULL, nodedev_noop, NULL, NULL);
        __atomic_store_n(&cl->nodedev_cb, id < 0 ? -1 : id, __ATOMIC_RELEASE);
        if (id < 0)
            return -1;
    }
    pthread_mutex_lock(&cl->ev_lock);
    if (!(cl->ev_wanted & (1u << kind))) {
        cl->ev_wanted |= 1u << kind;
        /* Live events wait on ev_lock, so the missed ones go first. */
        if (cl->resuming) {
            size_t n = vk_evlog_replay(cl->srv->evlog, cl->key, kind, cl->resume_from,
                                       replay_one, cl);
            VK_DEBUG("events", "client %llu: replayed %zu missed event(s) of kind %d after %llu",
                     (unsigned long long)cl->id, n, (int)kind,
                     (unsigned long long)cl->resume_from);
        }
    }
    pthread_mutex_unlock(&cl->ev_lock);
    return empty_reply(c, ret);
}

int srv_event_deregister(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    const VkEventReg *in = (const VkEventReg *)args_;
    if (check_kind(in->kind) < 0)
        return -1;
    srv_client *cl = c->cl;
    pthread_mutex_lock(&cl->ev_lock);
    cl->ev_wanted &= ~(1u << in->kind);
    pthread_mutex_unlock(&cl->ev_lock);
    if (in->kind == VK_EV_NODEDEV_LIFECYCLE) {
        int id = __atomic_exchange_n(&cl->nodedev_cb, -1, __ATOMIC_ACQ_REL);
        if (id >= 0)
            virtkit_connect_nodedev_event_deregister(c->conn, id);
    }
    return empty_reply(c, ret);
}

void srv_events_drop(srv_client *cl)
{
    pthread_mutex_lock(&cl->ev_lock);
    cl->ev_wanted = 0;
    pthread_mutex_unlock(&cl->ev_lock);
}

/* --------------------------------------------------------------- hubs -- */

static void hub_sink(virtkit_connect *conn, const vk_event *ev, void *opaque)
{
    srv_hub *h = opaque;
    if (ev->kind >= VK_EV_DOMAIN_LIFECYCLE && ev->kind < VK_EV_NODEDEV_LIFECYCLE)
        vk_evlog_record(h->srv->evlog, h->key, 0, 0, ev);
}

void srv_hub_ensure(vk_server *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    for (srv_hub *h = s->hubs; h; h = h->next) {
        if (vk_streq(h->key, key)) {
            pthread_mutex_unlock(&s->lock);
            return;
        }
    }
    srv_hub *h = vk_alloc(sizeof(*h));
    h->srv = s;
    h->key = vk_strdup(key);
    h->next = s->hubs;
    s->hubs = h;
    pthread_mutex_unlock(&s->lock);

    vk_saved_error *e = vk_error_save();
    h->conn = virtkit_connect_open(key, VK_CONNECT_NO_REMOTE | VIRTKIT_CONNECT_NO_ALIASES |
                                            VIRTKIT_CONNECT_RO);
    if (!h->conn) {
        VK_WARN("events", "cannot keep a backlog of %s's events: %s", key, vk_error_message());
        vk_error_restore(e);
        return;
    }
    vk_event_set_sink(h->conn, hub_sink, h);
    vk_evlog_add_key(s->evlog, key);
    vk_error_restore(e);
    VK_DEBUG("events", "recording the events of %s", key);
}

void srv_hubs_free(vk_server *s)
{
    pthread_mutex_lock(&s->lock);
    srv_hub *h = s->hubs;
    s->hubs = NULL;
    pthread_mutex_unlock(&s->lock);
    while (h) {
        srv_hub *n = h->next;
        if (h->conn) {
            vk_event_set_sink(h->conn, NULL, NULL);
            virtkit_connect_close(h->conn);
        }
        free(h->key);
        free(h);
        h = n;
    }
}
