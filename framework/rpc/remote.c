/*
 * remote.c: the remote driver: a connection whose node is served by
 * virtkitd. Chooses the transport from the URI, opens the session
 * (CONNECT_OPEN), installs the ops tables of remote_ops.c, delivers the
 * daemon's events and the connection's end to the core, and binds
 * streams (console, volume transfers) to protocol streams.
 *
 * Transports, from the URI:
 *   driver[+unix]:///path[?socket=PATH]   the local daemon's UNIX socket
 *                                         (the read-only one for RO opens)
 *   driver+tls://host[:port]/path         TLS, x509 both ways (?pkipath=DIR,
 *                                         ?no_verify=1 skips checking the
 *                                         daemon's certificate)
 *   driver+ssh://[user@]host[:port]/path  the system ssh running
 *                                         "virtkitd --stdio-proxy" (ssh.c)
 *   driver://host/path                    TLS, like libvirt
 * There is no plaintext TCP transport.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include "evloop.h"
#include "fileutil.h"
#include "log.h"
#include "remote.h"
#include "stream.h"

/* Parameters that tell the client how to reach the daemon; everything
 * else in the query goes to the daemon's driver. */
static const char *const client_params[] = {
    "socket", "pkipath", "no_verify", "keyfile", "known_hosts", "command", "proxy",
    "resume_events", "root", "no_tty", "tls_priority", NULL,
};

char *vk_remote_daemon_uri(const vk_uri *u)
{
    vk_uri d = { .scheme = u->driver, .driver = u->driver, .path = u->path };
    d.params = vk_alloc_n(u->nparams + 1, sizeof(*d.params));
    for (size_t i = 0; i < u->nparams; i++)
        if (!vk_strv_contains(client_params, u->params[i].name))
            d.params[d.nparams++] = u->params[i];
    char *s = vk_uri_format(&d);
    free(d.params);
    return s;
}

/* --------------------------------------------------- remote lifetime -- */

static void remote_release(void *opaque)
{
    vk_remote *r = opaque;
    pthread_mutex_destroy(&r->lock);
    free(r->type);
    free(r);
}

/* A reference on the connection if it is still alive (refs > 0): events
 * and the close notice may race with the last virtkit_connect_close. */
static virtkit_connect *remote_conn_get(vk_remote *r)
{
    pthread_mutex_lock(&r->lock);
    virtkit_connect *c = r->conn;
    if (c) {
        int v = __atomic_load_n(&c->refs, __ATOMIC_RELAXED);
        for (;;) {
            if (v <= 0) {
                c = NULL;
                break;
            }
            if (__atomic_compare_exchange_n(&c->refs, &v, v + 1, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_RELAXED))
                break;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return c;
}

static void remote_on_event(void *opaque, const uint8_t *body, size_t len)
{
    vk_remote *r = opaque;
    VK_ARENA_STACK(a, 2048);
    VkEvent *e = (VkEvent *)vk_rpc_unpack(&vk_event__descriptor, body, len, &a, "event");
    if (!e) {
        VK_WARN("remote", "dropping an event: %s", vk_error_message());
        virtkit_error_clear();
        return;
    }
    if (e->kind < VK_EV_DOMAIN_LIFECYCLE || e->kind > VK_EV_NODEDEV_LIFECYCLE || e->seq == 0)
        return; /* a kind from a newer daemon: nobody here can want it */
    vk_event ev = { .kind = (vk_event_kind)e->kind, .seq = e->seq, .event = e->event,
                    .detail = e->detail, .str1 = vk_strdup(e->str1), .str2 = vk_strdup(e->str2),
                    .str3 = vk_strdup(e->str3) };
    if (vk_rpc_ref_from_wire(e->obj, &ev.obj) < 0) {
        virtkit_error_clear();
        vk_event_clear(&ev);
        return;
    }
    virtkit_connect *conn = remote_conn_get(r);
    if (!conn) {
        vk_event_clear(&ev);
        return;
    }
    vk_event_queue(conn, &ev);
    vk_connect_unref(conn);
}

static void remote_on_closed(void *opaque, int reason)
{
    virtkit_connect *conn = remote_conn_get(opaque);
    if (!conn)
        return;
    pthread_mutex_lock(&conn->lock);
    virtkit_connect_close_cb cb = conn->close_cb;
    void *cbo = conn->close_opaque;
    pthread_mutex_unlock(&conn->lock);
    VK_DEBUG("remote", "connection to %s closed (reason %d)", conn->uri_str, reason);
    if (cb)
        cb(conn, reason, cbo);
    vk_connect_unref(conn);
}

static const vk_rpc_client_cbs remote_cbs = {
    .event = remote_on_event,
    .closed = remote_on_closed,
    .release = remote_release,
};

/* ---------------------------------------------------------- transports -- */

static int param_bool(const vk_uri *u, const char *name)
{
    const char *v = vk_uri_param_get(u, name);
    return v && (vk_streq(v, "1") || vk_streq(v, "yes") || vk_streq(v, "true"));
}

static int connect_unix(virtkit_connect *conn, bool readonly, vk_rpc_sock *s)
{
    const char *sock = vk_uri_param_get(conn->uri, "socket");
    VK_AUTOFREE(char *) def = NULL;
    if (vk_str_empty(sock))
        sock = def = vk_paths_daemon_socket(conn->paths, readonly);
    return vk_rpc_unix_connect(sock, s);
}

#define TLS_TIMEOUT_MS 30000

static int connect_tls(virtkit_connect *conn, vk_rpc_sock *s, char **missing_cert)
{
    const vk_uri *u = conn->uri;
    if (!u->host) {
        vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_REMOTE,
                     "URI '%s' uses TLS but names no host", conn->uri_str);
        return -1;
    }
    const char *pki = vk_uri_param_get(u, "pkipath");
    VK_AUTOFREE(char *) defpki = NULL;
    if (vk_str_empty(pki))
        pki = defpki = vk_path_join(conn->paths->config, "pki");
    VK_AUTOFREE(char *) ca = vk_path_join(pki, "cacert.pem");
    VK_AUTOFREE(char *) cert = vk_path_join(pki, "clientcert.pem");
    VK_AUTOFREE(char *) key = vk_path_join(pki, "clientkey.pem");
    bool have_cert = vk_file_exists(cert) && vk_file_exists(key);
    VK_AUTOPTR(vk_tls_ctx) ctx = vk_tls_client_new(have_cert ? cert : NULL,
                                                   have_cert ? key : NULL, ca,
                                                   vk_uri_param_get(u, "tls_priority"));
    if (!ctx)
        return -1;
    if (vk_rpc_tcp_connect(u->host, u->port ? u->port : VK_RPC_TLS_PORT, TLS_TIMEOUT_MS, s) < 0)
        return -1;
    if (vk_tls_session_start(ctx, s, u->host) < 0)
        return -1;
    int64_t deadline = vk_now_ms() + TLS_TIMEOUT_MS;
    for (;;) {
        int r = vk_tls_handshake(s);
        if (r == 0)
            break;
        if (r == -1) {
            vk_error_prefix("%s port %d: ", u->host, u->port ? u->port : VK_RPC_TLS_PORT);
            return -1;
        }
        int left = (int)(deadline - vk_now_ms());
        if (left <= 0 || vk_rpc_sock_wait(s, vk_tls_handshake_wants(s), left) == 0) {
            vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_REMOTE,
                         "TLS handshake with %s timed out after %d s", u->host,
                         TLS_TIMEOUT_MS / 1000);
            return -1;
        }
    }
    if (!param_bool(u, "no_verify") && vk_tls_check_server(s, u->host) < 0)
        return -1;
    if (!have_cert)
        *missing_cert = VK_STEAL(cert);
    return 0;
}

/* Read what ssh printed, to explain a connection that ended at once. */
static void add_ssh_reason(int errfd)
{
    if (errfd < 0 || vk_error_code() != VIRTKIT_ERR_CONNECTION_CLOSED)
        return;
    char buf[1024];
    size_t n = 0;
    int64_t deadline = vk_now_ms() + 2000;
    while (n < sizeof(buf) - 1) {
        struct pollfd p = { .fd = errfd, .events = POLLIN };
        int left = (int)(deadline - vk_now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t r = read(errfd, buf + n, sizeof(buf) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = 0;
    if (n)
        vk_error_set(VIRTKIT_ERR_AUTH_FAILED, VIRTKIT_SUB_REMOTE,
                     "cannot reach virtkitd through ssh: %s", buf);
}

/* ------------------------------------------------------------- open -- */

int vk_remote_open(virtkit_connect *conn, unsigned int flags)
{
    const vk_uri *u = conn->uri;
    const char *t = u->transport;
    if (!t)
        t = u->host ? "tls" : "unix";
    bool readonly = (flags & VIRTKIT_CONNECT_RO) != 0;
    uint64_t resume = 0;
    const char *rs = vk_uri_param_get(u, "resume_events");
    if (rs && vk_parse_u64(rs, 10, &resume) < 0) {
        vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_REMOTE,
                     "URI '%s': resume_events '%s' is not a sequence number", conn->uri_str, rs);
        return -1;
    }

    vk_rpc_sock s = VK_RPC_SOCK_INIT;
    VK_AUTOCLOSE errfd = -1;
    VK_AUTOFREE(char *) missing_cert = NULL;
    int r;
    if (vk_streq(t, "unix"))
        r = connect_unix(conn, readonly, &s);
    else if (vk_streq(t, "tls"))
        r = connect_tls(conn, &s, &missing_cert);
    else if (vk_streq(t, "ssh"))
        r = vk_remote_ssh_spawn(u, readonly, &s, &errfd);
    else if (vk_streq(t, "tcp")) {
        vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_REMOTE,
                     "URI '%s': plaintext TCP is not offered; use %s+tls:// or %s+ssh://",
                     conn->uri_str, u->driver, u->driver);
        return -1;
    } else {
        vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_REMOTE,
                     "URI '%s': unknown transport '%s' (use unix, tls or ssh)", conn->uri_str, t);
        return -1;
    }
    if (r < 0) {
        vk_rpc_sock_close(&s);
        return -1;
    }

    vk_remote *rem = vk_alloc(sizeof(*rem));
    pthread_mutex_init(&rem->lock, NULL);
    rem->conn = conn;
    rem->readonly = readonly;
    rem->resume = resume;
    rem->rpc = vk_rpc_client_new(&s, &remote_cbs, rem);
    /* From here, rem is freed by the client's release callback. */
    conn->remote = rem;
    /* With an event loop, it notices events and the daemon hanging up
     * while no call is in flight. */
    if (vk_event_have_impl() && vk_rpc_client_watch(rem->rpc) < 0)
        virtkit_error_clear();

    VK_ARENA_STACK(a, 1024);
    VK_AUTOFREE(char *) duri = vk_remote_daemon_uri(u);
    VkOpenArgs args = VK_OPEN_ARGS__INIT;
    args.uri = duri;
    args.has_flags = 1;
    args.flags = flags & VIRTKIT_CONNECT_RO;
    args.has_client_version = 1;
    args.client_version = virtkit_library_version();
    /* Not advertised: a registered event loop is not always run (the CLI
     * runs it only for consoles), and a client that cannot answer pings
     * would be dropped while idle. Pinging the daemon (set_keepalive) says
     * that this client answers. */
    args.has_keepalive = 1;
    args.keepalive = false;
    if (rs) {
        args.has_resume_events = 1;
        args.resume_events = resume;
    }
    VkOpenRet *ret = NULL;
    if (vk_rpc_client_call(rem->rpc, VK_PROC_connect_open, &args.base, (ProtobufCMessage **)&ret,
                           &a) < 0) {
        add_ssh_reason(errfd);
        if (missing_cert && vk_error_code() == VIRTKIT_ERR_AUTH_FAILED) {
            VK_AUTOFREE(char *) msg = vk_strdup(vk_error_message());
            vk_error_set(VIRTKIT_ERR_AUTH_FAILED, VIRTKIT_SUB_REMOTE,
                         "%s (this client has no certificate: '%s' or its key is missing)", msg,
                         missing_cert);
        }
        return -1; /* connect_free closes rem */
    }
    vk_rpc_client_set_limits(rem->rpc, ret->max_message, ret->max_requests,
                             ret->priority_requests);
    rem->type = vk_strdup(ret->type);
    conn->type = rem->type;
    conn->hv = &vk_remote_hv_ops;
    conn->stor = &vk_remote_storage_ops;
    conn->net = &vk_remote_network_ops;
    /* The ops find the remote through their vkp_conn; the tables have no
     * close op, so the core leaves closing to vk_remote_close. */
    conn->hv_conn = (vkp_conn *)(void *)rem;
    conn->stor_conn = conn->hv_conn;
    conn->net_conn = conn->hv_conn;
    VK_DEBUG("remote", "opened %s through %s (daemon serves '%s' with %s)", conn->uri_str, t,
             duri, rem->type);
    return 0;
}

void vk_remote_close(vk_remote *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->conn = NULL;
    pthread_mutex_unlock(&r->lock);
    vk_rpc_client_close(r->rpc);
}

int vk_remote_is_alive(vk_remote *r)
{
    return vk_rpc_client_alive(r->rpc) ? 1 : 0;
}

int vk_remote_set_keepalive(vk_remote *r, int interval, unsigned int count)
{
    if (interval > 0 && !vk_event_have_impl()) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_REMOTE,
                     "keepalive needs an event loop: call virtkit_event_register_default_impl() "
                     "and run it");
        return -1;
    }
    if (interval > 0 && count == 0) {
        vk_error_invalid_arg("keepalive count must be at least 1");
        return -1;
    }
    if (interval > 0 && vk_rpc_client_watch(r->rpc) < 0)
        return -1;
    return vk_rpc_client_keepalive(r->rpc, interval, count);
}

int vk_remote_events_wanted(virtkit_connect *conn, vk_event_kind kind, bool on)
{
    vk_remote *r = conn->remote;
    if (on && vk_rpc_client_watch(r->rpc) < 0)
        return -1;
    VK_ARENA_STACK(a, 256);
    VkEventReg args = VK_EVENT_REG__INIT;
    args.kind = kind;
    return vk_rpc_client_call(r->rpc, on ? VK_PROC_event_register : VK_PROC_event_deregister,
                              &args.base, NULL, &a);
}

/* ----------------------------------------------------------- streams -- */

typedef struct remote_stream {
    vk_rpc_stream *rs;
    virtkit_stream *st;
    pthread_mutex_t lock;
    int timer;             /* fires the application's callback */
    int events;            /* what the application watches */
} remote_stream;

static remote_stream *rst(virtkit_stream *st)
{
    return st->priv;
}

static int rs_send(virtkit_stream *st, const char *data, size_t n)
{
    return vk_rpc_stream_send(rst(st)->rs, data, n);
}

static int rs_recv(virtkit_stream *st, char *data, size_t n)
{
    return vk_rpc_stream_recv(rst(st)->rs, data, n, st->flags & VIRTKIT_STREAM_NONBLOCK);
}

static int rs_finish(virtkit_stream *st)
{
    return vk_rpc_stream_finish(rst(st)->rs);
}

static int rs_abort(virtkit_stream *st)
{
    return vk_rpc_stream_abort(rst(st)->rs);
}

/* The application's callback runs from its event loop: readable when data
 * (or the end) is waiting, writable always (sends are queued). */
static void rs_timer(int timer, void *opaque)
{
    remote_stream *p = opaque;
    pthread_mutex_lock(&p->lock);
    int want = p->events;
    int ev = 0;
    if ((want & VIRTKIT_EVENT_HANDLE_READABLE) && vk_rpc_stream_readable(p->rs))
        ev |= VIRTKIT_EVENT_HANDLE_READABLE;
    if (want & VIRTKIT_EVENT_HANDLE_WRITABLE)
        ev |= VIRTKIT_EVENT_HANDLE_WRITABLE;
    if (!ev && p->timer >= 0)
        vk_event_update_timeout(p->timer, -1);
    pthread_mutex_unlock(&p->lock);
    if (ev)
        vk_stream_fire(p->st, ev);
}

static void rs_notify(void *opaque)
{
    remote_stream *p = opaque;
    pthread_mutex_lock(&p->lock);
    if (p->timer >= 0 && (p->events & VIRTKIT_EVENT_HANDLE_READABLE))
        vk_event_update_timeout(p->timer, 0);
    pthread_mutex_unlock(&p->lock);
}

static int rs_watch(virtkit_stream *st, int events)
{
    remote_stream *p = rst(st);
    pthread_mutex_lock(&p->lock);
    p->events = events;
    if (p->timer < 0) {
        p->timer = vk_event_add_timeout(0, rs_timer, p, NULL);
        if (p->timer < 0) {
            pthread_mutex_unlock(&p->lock);
            return -1;
        }
    } else {
        vk_event_update_timeout(p->timer, 0);
    }
    pthread_mutex_unlock(&p->lock);
    vk_rpc_stream_set_notify(p->rs, rs_notify, p);
    return 0;
}

static void rs_unwatch(virtkit_stream *st)
{
    remote_stream *p = rst(st);
    vk_rpc_stream_set_notify(p->rs, NULL, NULL);
    pthread_mutex_lock(&p->lock);
    if (p->timer >= 0)
        vk_event_remove_timeout(p->timer);
    p->timer = -1;
    p->events = 0;
    pthread_mutex_unlock(&p->lock);
}

static void rs_release(virtkit_stream *st)
{
    remote_stream *p = rst(st);
    rs_unwatch(st);
    vk_rpc_stream_free(p->rs);
    pthread_mutex_destroy(&p->lock);
    free(p);
    st->priv = NULL;
}

static const vk_stream_ops remote_stream_ops = {
    .send = rs_send,
    .recv = rs_recv,
    .finish = rs_finish,
    .abort = rs_abort,
    .watch = rs_watch,
    .unwatch = rs_unwatch,
    .release = rs_release,
};

static int bind_stream(virtkit_stream *st, vk_rpc_stream *rs)
{
    if (!rs)
        return -1;
    remote_stream *p = vk_alloc(sizeof(*p));
    p->rs = rs;
    p->st = st;
    p->timer = -1;
    pthread_mutex_init(&p->lock, NULL);
    vk_stream_bind(st, &remote_stream_ops, p);
    return 0;
}

int vk_remote_open_console(virtkit_domain *dom, const char *dev, virtkit_stream *st,
                           unsigned int flags)
{
    vk_remote *r = dom->conn->remote;
    VkRef ref = VK_REF__INIT;
    vk_rpc_ref_to_wire(&dom->ref, &ref);
    VkRefStr args = VK_REF_STR__INIT;
    args.ref = &ref;
    args.str = (char *)dev;
    args.has_flags = 1;
    args.flags = flags;
    return bind_stream(st, vk_rpc_stream_open(r->rpc, VK_PROC_domain_open_console, &args.base));
}

int vk_remote_volume_transfer(virtkit_volume *vol, virtkit_stream *st, unsigned long long offset,
                              unsigned long long length, unsigned int flags, int for_write)
{
    vk_remote *r = vol->conn->remote;
    VkVolRef ref = VK_VOL_REF__INIT;
    vk_rpc_volref_to_wire(&vol->ref, &ref);
    VkVolArgs args = VK_VOL_ARGS__INIT;
    args.vol = &ref;
    args.has_flags = 1;
    args.flags = flags;
    args.has_value = 1;
    args.value = offset;
    args.has_value2 = 1;
    args.value2 = length;
    return bind_stream(st, vk_rpc_stream_open(r->rpc, for_write ? VK_PROC_volume_upload
                                                                : VK_PROC_volume_download,
                                              &args.base));
}
