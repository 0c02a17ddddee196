/*
 * connect.c: opening and closing connections.
 *
 * Which code serves a URI:
 *   - a transport (qemu+tls, qemu+ssh, test+unix) or a host: the daemon,
 *     through the remote driver;
 *   - path /system or /session: the local daemon over its UNIX socket;
 *   - anything else (test:///default, test:///file.xml, qemu:///embed):
 *     the plugin serving the scheme, in this process.
 * Inside virtkitd (VK_CONNECT_NO_REMOTE) everything is served in-process.
 *
 * Lifetime: the connection is freed when the caller's reference and every
 * handle made from it are gone; the plugin's close runs then, after which
 * the plugin must not use its vkp_ctx.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "core.h"
#include "loader.h"
#include "log.h"

static bool uri_wants_daemon(const vk_uri *u)
{
    if (u->transport || u->host)
        return true;
    return vk_streq(u->path, "/system") || vk_streq(u->path, "/session");
}

static void connect_free(virtkit_connect *conn)
{
    vk_event_state_close(conn);
    if (conn->hv_conn && VKP_HAS_OP(conn->hv, vkp_hypervisor_ops, close))
        conn->hv->close(conn->hv_conn);
    if (conn->stor_conn && conn->stor_conn != conn->hv_conn &&
        VKP_HAS_OP(conn->stor, vkp_storage_ops, close))
        conn->stor->close(conn->stor_conn);
    if (conn->net_conn && conn->net_conn != conn->hv_conn &&
        VKP_HAS_OP(conn->net, vkp_network_ops, close))
        conn->net->close(conn->net_conn);
    if (conn->remote)
        vk_remote_close(conn->remote);
    vk_event_state_free(conn->events);
    if (conn->plugin_conf) {
        config_destroy(conn->plugin_conf);
        free(conn->plugin_conf);
    }
    if (conn->close_ff)
        conn->close_ff(conn->close_opaque);
    vk_uri_free(conn->uri);
    vk_paths_free(conn->paths);
    free(conn->uri_str);
    pthread_mutex_destroy(&conn->lock);
    free(conn);
}

void vk_connect_unref(virtkit_connect *conn)
{
    if (conn && vk_obj_unref(&conn->refs) == 0)
        connect_free(conn);
}

/* Serve the URI with the plugin for its scheme, in this process. */
static int open_plugin(virtkit_connect *conn, unsigned int flags)
{
    vk_plugin *p = vk_loader_for_scheme(conn->uri->driver);
    if (!p)
        return -1;
    const vkp_descriptor *d = p->desc;
    if (!d->hypervisor) {
        vk_error_set(VIRTKIT_ERR_NO_CONNECT, VIRTKIT_SUB_PLUGIN,
                     "plugin '%s' lists scheme '%s' but is not a hypervisor plugin", p->name,
                     conn->uri->driver);
        return -1;
    }
    conn->plugin = p;
    conn->type = p->name;
    conn->hv = d->hypervisor;
    if (!VKP_HAS_OP(conn->hv, vkp_hypervisor_ops, open)) {
        vk_error_set(VIRTKIT_ERR_PLUGIN, VIRTKIT_SUB_PLUGIN, "plugin '%s' has no open op",
                     p->name);
        return -1;
    }
    int r = conn->hv->open(&conn->ctx, flags & 0xffff, &conn->hv_conn);
    if (r == 1) {
        vk_error_set(VIRTKIT_ERR_NO_CONNECT, VIRTKIT_SUB_PLUGIN,
                     "plugin '%s' does not serve URI '%s'", p->name, conn->uri_str);
        return -1;
    }
    if (r < 0) {
        vk_ensure_error(conn, "open");
        return -1;
    }
    /* A plugin that also serves storage or networks does so on the same
     * connection state. */
    if (d->storage) {
        conn->stor = d->storage;
        conn->stor_conn = conn->hv_conn;
    }
    if (d->network) {
        conn->net = d->network;
        conn->net_conn = conn->hv_conn;
    }
    return 0;
}

static char *resolve_uri(const char *uri, unsigned int flags)
{
    if (!uri)
        uri = vk_conf_client_default_uri();
    if (!uri)
        uri = "test:///default";
    if (!(flags & VIRTKIT_CONNECT_NO_ALIASES) && !strstr(uri, "://")) {
        char *al = vk_conf_client_alias(uri);
        if (al)
            return al;
    }
    return vk_strdup(uri);
}

VIRTKIT_API virtkit_connect *virtkit_connect_open(const char *uri, unsigned int flags)
{
    virtkit_error_clear();
    vk_log_init_from_env();
    if (vk_check_flags(__func__, flags,
                       VIRTKIT_CONNECT_RO | VIRTKIT_CONNECT_NO_ALIASES | VK_CONNECT_NO_REMOTE) < 0)
        return NULL;
    virtkit_connect *conn = vk_alloc(sizeof(*conn));
    conn->refs = 1;
    pthread_mutex_init(&conn->lock, NULL);
    conn->ctx.conn = conn;
    conn->flags = flags;
    conn->readonly = flags & VIRTKIT_CONNECT_RO;
    conn->uri_str = resolve_uri(uri, flags);
    conn->events = vk_event_state_new();
    conn->uri = vk_uri_parse(conn->uri_str);
    if (!conn->uri)
        goto fail;
    conn->paths = vk_paths_new(vk_uri_param_get(conn->uri, "root"));
    int r;
    if (!(flags & VK_CONNECT_NO_REMOTE) && uri_wants_daemon(conn->uri))
        r = vk_remote_open(conn, flags);
    else
        r = open_plugin(conn, flags);
    if (r < 0)
        goto fail;
    VK_DEBUG("connect", "opened %s (%s)", conn->uri_str, conn->type);
    return conn;
fail:
    if (!vk_error_code())
        vk_error_set(VIRTKIT_ERR_NO_CONNECT, VIRTKIT_SUB_CORE, "cannot open '%s'", conn->uri_str);
    {
        /* Do not let the plugin's close run for a conn it never opened. */
        vk_saved_error *e = vk_error_save();
        connect_free(conn);
        vk_error_restore(e);
    }
    return NULL;
}

VIRTKIT_API int virtkit_connect_close(virtkit_connect *conn)
{
    if (!conn) {
        vk_error_invalid_arg("%s: connection must not be NULL", __func__);
        return -1;
    }
    int left = vk_obj_unref(&conn->refs);
    if (left == 0)
        connect_free(conn);
    return left;
}

VIRTKIT_API int virtkit_connect_ref(virtkit_connect *conn)
{
    if (!conn) {
        vk_error_invalid_arg("%s: connection must not be NULL", __func__);
        return -1;
    }
    vk_obj_ref(&conn->refs);
    return 0;
}

VIRTKIT_API char *virtkit_connect_get_uri(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    return vk_strdup(conn->uri_str);
}

VIRTKIT_API const char *virtkit_connect_get_type(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    return conn->type;
}

VIRTKIT_API char *virtkit_connect_get_hostname(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (VKP_HAS_OP(conn->hv, vkp_hypervisor_ops, get_hostname)) {
        char *h = conn->hv->get_hostname(conn->hv_conn);
        if (!h)
            vk_ensure_error(conn, "get_hostname");
        return h;
    }
    char buf[256];
    if (gethostname(buf, sizeof(buf)) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot get the host name");
        return NULL;
    }
    buf[sizeof(buf) - 1] = 0;
    return vk_strdup(buf);
}

VIRTKIT_API int virtkit_connect_get_version(virtkit_connect *conn, unsigned long long *version)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (!version) {
        vk_error_invalid_arg("%s: version must not be NULL", __func__);
        return -1;
    }
    int (*op)(vkp_conn *, unsigned long long *) = VK_HV(conn, get_version, -1);
    if (op(conn->hv_conn, version) < 0) {
        vk_ensure_error(conn, "get_version");
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_connect_is_alive(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (conn->remote)
        return vk_remote_is_alive(conn->remote);
    return 1;
}

VIRTKIT_API int virtkit_connect_is_remote(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    return conn->remote ? 1 : 0;
}

VIRTKIT_API int virtkit_connect_set_keepalive(virtkit_connect *conn, int interval,
                                              unsigned int count)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (!conn->remote) {
        vk_error_set(VIRTKIT_ERR_NO_SUPPORT, VIRTKIT_SUB_CORE,
                     "keepalive applies only to connections through the daemon");
        return -1;
    }
    return vk_remote_set_keepalive(conn->remote, interval, count);
}

VIRTKIT_API int virtkit_connect_register_close_callback(virtkit_connect *conn,
                                                       virtkit_connect_close_cb cb,
                                                       void *opaque, void (*ff)(void *))
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    pthread_mutex_lock(&conn->lock);
    if (conn->close_cb) {
        pthread_mutex_unlock(&conn->lock);
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_CORE,
                     "a close callback is already registered");
        return -1;
    }
    conn->close_cb = cb;
    conn->close_opaque = opaque;
    conn->close_ff = ff;
    pthread_mutex_unlock(&conn->lock);
    return 0;
}

int vk_connect_config_lookup(virtkit_connect *conn, const char *key, int type, void *out)
{
    pthread_mutex_lock(&conn->lock);
    if (!conn->plugin_conf) {
        config_t *cfg = vk_alloc(sizeof(*cfg));
        VK_AUTOFREE(char *) path = vk_asprintf("%s/%s.conf", conn->paths->config, conn->type);
        if (vk_conf_load(path, cfg) < 0) {
            config_destroy(cfg);
            free(cfg);
            pthread_mutex_unlock(&conn->lock);
            return -1;
        }
        conn->plugin_conf = cfg;
    }
    int r;
    switch (type) {
    case CONFIG_TYPE_STRING: r = vk_conf_string(conn->plugin_conf, key, out); break;
    case CONFIG_TYPE_INT64: r = vk_conf_int(conn->plugin_conf, key, out); break;
    case CONFIG_TYPE_BOOL: r = vk_conf_bool(conn->plugin_conf, key, out); break;
    default: r = -1;
    }
    pthread_mutex_unlock(&conn->lock);
    return r;
}

VIRTKIT_API unsigned long long virtkit_library_version(void)
{
    unsigned int a = 0, b = 0, c = 0;
    sscanf(PACKAGE_VERSION, "%u.%u.%u", &a, &b, &c);
    return a * 1000000ULL + b * 1000ULL + c;
}

VIRTKIT_API void virtkit_plugin_abi(unsigned int *major, unsigned int *minor)
{
    if (major)
        *major = VIRTKIT_ABI_MAJOR_NUM;
    if (minor)
        *minor = VIRTKIT_ABI_MINOR_NUM;
}
