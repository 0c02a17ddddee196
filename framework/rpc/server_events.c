/*
 * server_events.c: events on the daemon side.
 *
 * A client's subscription is a callback on its own in-process connection;
 * each event is stamped by the backlog (evlog.c) and sent as an EVENT
 * frame. ev_lock orders a subscription's replay of missed events (for a
 * client that opened with resume_events) before any live one.
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

typedef struct ev_sub {
    srv_client *cl;          /* a client's subscription, or */
    srv_hub *hub;            /* a hub's (records only) */
    vk_event_kind kind;
} ev_sub;

static void ev_sub_free(void *p)
{
    ev_sub *s = p;
    if (s->cl)
        srv_client_unref(s->cl);
    free(s);
}

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

static void deliver(ev_sub *s, vk_event *ev)
{
    if (s->hub) {
        vk_evlog_record(s->hub->srv->evlog, s->hub->key, 0, 0, ev);
        return;
    }
    srv_client *cl = s->cl;
    pthread_mutex_lock(&cl->lock);
    bool gone = cl->closed;
    const char *key = cl->key;
    pthread_mutex_unlock(&cl->lock);
    if (gone)
        return;
    pthread_mutex_lock(&cl->ev_lock);
    uint64_t seq = vk_evlog_record(cl->srv->evlog, key, cl->id, cl->last_seq, ev);
    cl->last_seq = seq;
    send_event_frame(cl, seq, ev);
    pthread_mutex_unlock(&cl->ev_lock);
}

static void cb_domain_lifecycle(virtkit_connect *conn, virtkit_domain *d, int event, int detail,
                                void *opaque)
{
    vk_event ev = { .kind = VK_EV_DOMAIN_LIFECYCLE, .event = event, .detail = detail,
                    .obj = d->ref };
    deliver(opaque, &ev);
}

static void cb_domain_reboot(virtkit_connect *conn, virtkit_domain *d, void *opaque)
{
    vk_event ev = { .kind = VK_EV_DOMAIN_REBOOT, .obj = d->ref };
    deliver(opaque, &ev);
}

static void cb_domain_io_error(virtkit_connect *conn, virtkit_domain *d, const char *src,
                               const char *alias, int action, const char *reason, void *opaque)
{
    vk_event ev = { .kind = VK_EV_DOMAIN_IO_ERROR, .event = action, .str1 = (char *)src,
                    .str2 = (char *)alias, .str3 = (char *)reason, .obj = d->ref };
    deliver(opaque, &ev);
}

static void cb_domain_device(virtkit_connect *conn, virtkit_domain *d, const char *alias,
                             void *opaque)
{
    ev_sub *s = opaque;
    vk_event ev = { .kind = s->kind, .str1 = (char *)alias, .obj = d->ref };
    deliver(s, &ev);
}

static void cb_network(virtkit_connect *conn, virtkit_network *n, int event, int detail,
                       void *opaque)
{
    vk_event ev = { .kind = VK_EV_NETWORK_LIFECYCLE, .event = event, .detail = detail,
                    .obj = n->ref };
    deliver(opaque, &ev);
}

static void cb_pool(virtkit_connect *conn, virtkit_pool *p, int event, int detail, void *opaque)
{
    vk_event ev = { .kind = VK_EV_POOL_LIFECYCLE, .event = event, .detail = detail,
                    .obj = p->ref };
    deliver(opaque, &ev);
}

static void cb_nodedev(virtkit_connect *conn, virtkit_nodedev *d, int event, int detail,
                       void *opaque)
{
    vk_event ev = { .kind = VK_EV_NODEDEV_LIFECYCLE, .event = event, .detail = detail,
                    .obj = { .name = d->name, .id = -1 } };
    deliver(opaque, &ev);
}

/* One registration per kind: the table of how to subscribe to it. */
static int subscribe(virtkit_connect *conn, vk_event_kind kind, ev_sub *s)
{
    switch (kind) {
    case VK_EV_DOMAIN_LIFECYCLE:
        return virtkit_connect_domain_event_register(conn, NULL, VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIRTKIT_EVENT_CALLBACK(cb_domain_lifecycle),
                                                     s, ev_sub_free);
    case VK_EV_DOMAIN_REBOOT:
        return virtkit_connect_domain_event_register(conn, NULL, VIRTKIT_DOMAIN_EVENT_ID_REBOOT,
                                                     VIRTKIT_EVENT_CALLBACK(cb_domain_reboot), s,
                                                     ev_sub_free);
    case VK_EV_DOMAIN_IO_ERROR:
        return virtkit_connect_domain_event_register(conn, NULL, VIRTKIT_DOMAIN_EVENT_ID_IO_ERROR,
                                                     VIRTKIT_EVENT_CALLBACK(cb_domain_io_error),
                                                     s, ev_sub_free);
    case VK_EV_DOMAIN_DEVICE_REMOVED:
    case VK_EV_DOMAIN_DEVICE_ADDED:
        return virtkit_connect_domain_event_register(
            conn, NULL,
            kind == VK_EV_DOMAIN_DEVICE_ADDED ? VIRTKIT_DOMAIN_EVENT_ID_DEVICE_ADDED
                                              : VIRTKIT_DOMAIN_EVENT_ID_DEVICE_REMOVED,
            VIRTKIT_EVENT_CALLBACK(cb_domain_device), s, ev_sub_free);
    case VK_EV_NETWORK_LIFECYCLE:
        return virtkit_connect_network_event_register(conn, NULL, cb_network, s, ev_sub_free);
    case VK_EV_POOL_LIFECYCLE:
        return virtkit_connect_pool_event_register(conn, NULL, cb_pool, s, ev_sub_free);
    case VK_EV_NODEDEV_LIFECYCLE:
        return virtkit_connect_nodedev_event_register(conn, NULL, cb_nodedev, s, ev_sub_free);
    }
    return -1;
}

static int unsubscribe(virtkit_connect *conn, vk_event_kind kind, int id)
{
    switch (kind) {
    case VK_EV_NETWORK_LIFECYCLE: return virtkit_connect_network_event_deregister(conn, id);
    case VK_EV_POOL_LIFECYCLE: return virtkit_connect_pool_event_deregister(conn, id);
    case VK_EV_NODEDEV_LIFECYCLE: return virtkit_connect_nodedev_event_deregister(conn, id);
    default: return virtkit_connect_domain_event_deregister(conn, id);
    }
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

int srv_event_register(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    const VkEventReg *in = (const VkEventReg *)args_;
    if (check_kind(in->kind) < 0)
        return -1;
    srv_client *cl = c->cl;
    vk_event_kind kind = (vk_event_kind)in->kind;
    pthread_mutex_lock(&cl->ev_lock);
    pthread_mutex_lock(&cl->lock);
    bool have = cl->cb_ids[kind] >= 0;
    bool resuming = cl->resuming;
    uint64_t from = cl->resume_from;
    pthread_mutex_unlock(&cl->lock);
    if (!have) {
        ev_sub *s = vk_alloc(sizeof(*s));
        srv_client_ref(cl);
        s->cl = cl;
        s->kind = kind;
        int id = subscribe(c->conn, kind, s);
        if (id < 0) {
            pthread_mutex_unlock(&cl->ev_lock);
            ev_sub_free(s); /* a refused registration keeps nothing */
            return -1;
        }
        pthread_mutex_lock(&cl->lock);
        cl->cb_ids[kind] = id;
        pthread_mutex_unlock(&cl->lock);
        /* Live events wait on ev_lock, so the missed ones go first. */
        if (resuming) {
            size_t n = vk_evlog_replay(cl->srv->evlog, cl->key, kind, from, replay_one, cl);
            VK_DEBUG("events", "client %llu: replayed %zu missed event(s) of kind %d after %llu",
                     (unsigned long long)cl->id, n, (int)kind, (unsigned long long)from);
        }
    }
    pthread_mutex_unlock(&cl->ev_lock);
    VkEmpty *out = vk_arena_alloc(c->a, sizeof(*out));
    vk_empty__init(out);
    *ret = &out->base;
    return 0;
}

int srv_event_deregister(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    const VkEventReg *in = (const VkEventReg *)args_;
    if (check_kind(in->kind) < 0)
        return -1;
    srv_client *cl = c->cl;
    pthread_mutex_lock(&cl->lock);
    int id = cl->cb_ids[in->kind];
    cl->cb_ids[in->kind] = -1;
    pthread_mutex_unlock(&cl->lock);
    if (id >= 0 && unsubscribe(c->conn, (vk_event_kind)in->kind, id) < 0)
        return -1;
    VkEmpty *out = vk_arena_alloc(c->a, sizeof(*out));
    vk_empty__init(out);
    *ret = &out->base;
    return 0;
}

void srv_events_drop(srv_client *cl)
{
    pthread_mutex_lock(&cl->lock);
    virtkit_connect *conn = cl->conn;
    int ids[VK_ARRAY_LEN(cl->cb_ids)];
    memcpy(ids, cl->cb_ids, sizeof(ids));
    for (size_t i = 0; i < VK_ARRAY_LEN(cl->cb_ids); i++)
        cl->cb_ids[i] = -1;
    pthread_mutex_unlock(&cl->lock);
    for (size_t k = 0; conn && k < VK_ARRAY_LEN(ids); k++)
        if (ids[k] >= 0)
            unsubscribe(conn, (vk_event_kind)k, ids[k]);
    virtkit_error_clear();
}

/* --------------------------------------------------------------- hubs -- */

/* Every kind but node devices (those come from the host, not a driver's
 * state, and would start a uevent monitor per hub). */
static const vk_event_kind hub_kinds[] = {
    VK_EV_DOMAIN_LIFECYCLE, VK_EV_DOMAIN_REBOOT, VK_EV_DOMAIN_IO_ERROR,
    VK_EV_DOMAIN_DEVICE_REMOVED, VK_EV_DOMAIN_DEVICE_ADDED, VK_EV_NETWORK_LIFECYCLE,
    VK_EV_POOL_LIFECYCLE,
};

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
    for (size_t i = 0; i < VK_ARRAY_LEN(hub_kinds); i++) {
        ev_sub *sub = vk_alloc(sizeof(*sub));
        sub->hub = h;
        sub->kind = hub_kinds[i];
        if (subscribe(h->conn, hub_kinds[i], sub) < 0) {
            VK_WARN("events", "%s: cannot listen to events of kind %d: %s", key,
                    (int)hub_kinds[i], vk_error_message());
            ev_sub_free(sub);
        }
    }
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
        if (h->conn)
            virtkit_connect_close(h->conn);
        free(h->key);
        free(h);
        h = n;
    }
}
