/*
 * hosttable.c: the services table (vkp_host) handed to every plugin.
 * Thin adapters onto the core's own modules; the table itself is the ABI.
 */
#include "config.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core.h"
#include "defs.h"
#include "evloop.h"
#include "fileutil.h"
#include "hostinfo.h"
#include "log.h"
#include "params.h"
#include "uuid.h"

static char *host_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = vk_vasprintf(fmt, ap);
    va_end(ap);
    return r;
}

static void host_log(vkp_log_level level, const char *plugin, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vk_vlog((vk_log_level)level, plugin, fmt, ap);
    va_end(ap);
}

static void host_error(int code, int subsystem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vk_error_vset(code, subsystem, fmt, ap);
    va_end(ap);
}

static void host_error_system(int errnum, int subsystem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vk_error_vsystem(errnum, subsystem, fmt, ap);
    va_end(ap);
}

static char *host_ctx_path(vkp_ctx *ctx, vkp_path_kind kind)
{
    virtkit_connect *c = ctx->conn;
    const char *base;
    switch (kind) {
    case VKP_PATH_CONFIG: base = c->paths->config; break;
    case VKP_PATH_STATE: base = c->paths->state; break;
    case VKP_PATH_RUN: base = c->paths->run; break;
    case VKP_PATH_LOG: base = c->paths->log; break;
    case VKP_PATH_CACHE: base = c->paths->cache; break;
    default:
        vk_error_invalid_arg("unknown path kind %d", (int)kind);
        return NULL;
    }
    char *p = vk_path_join(base, c->type);
    if (vk_mkdir_p(p, 0700) < 0) {
        free(p);
        return NULL;
    }
    return p;
}

static const char *host_ctx_uri(vkp_ctx *ctx, const char *part)
{
    const vk_uri *u = ctx->conn->uri;
    if (!part)
        return NULL;
    if (part[0] == '?')
        return vk_uri_param_get(u, part + 1);
    if (vk_streq(part, "scheme"))
        return u->scheme;
    if (vk_streq(part, "driver"))
        return u->driver;
    if (vk_streq(part, "path"))
        return u->path;
    if (vk_streq(part, "host"))
        return u->host;
    if (vk_streq(part, "user"))
        return u->user;
    if (vk_streq(part, "uri"))
        return ctx->conn->uri_str;
    if (vk_streq(part, "root"))
        return ctx->conn->paths->root;
    return NULL;
}

static int host_ctx_readonly(vkp_ctx *ctx)
{
    return ctx->conn->readonly;
}

static int host_config_string(vkp_ctx *ctx, const char *key, const char **out)
{
    return vk_connect_config_lookup(ctx->conn, key, CONFIG_TYPE_STRING, out);
}

static int host_config_int(vkp_ctx *ctx, const char *key, long long *out)
{
    return vk_connect_config_lookup(ctx->conn, key, CONFIG_TYPE_INT64, out);
}

static int host_config_bool(vkp_ctx *ctx, const char *key, int *out)
{
    return vk_connect_config_lookup(ctx->conn, key, CONFIG_TYPE_BOOL, out);
}

static void copy_ref(vkp_ref *dst, const vkp_ref *src)
{
    dst->name = vk_strdup(src->name);
    memcpy(dst->uuid, src->uuid, 16);
    dst->id = src->id;
}

static void queue(vkp_ctx *ctx, vk_event_kind kind, const vkp_ref *obj, int event, int detail,
                  const char *s1, const char *s2, const char *s3)
{
    if (!ctx || !obj)
        return;
    vk_event ev = { .kind = kind, .event = event, .detail = detail };
    copy_ref(&ev.obj, obj);
    ev.str1 = vk_strdup(s1);
    ev.str2 = vk_strdup(s2);
    ev.str3 = vk_strdup(s3);
    vk_event_queue(ctx->conn, &ev);
}

static void host_domain_event_lifecycle(vkp_ctx *ctx, const vkp_ref *dom, int event, int detail)
{
    queue(ctx, VK_EV_DOMAIN_LIFECYCLE, dom, event, detail, NULL, NULL, NULL);
}

static void host_domain_event_reboot(vkp_ctx *ctx, const vkp_ref *dom)
{
    queue(ctx, VK_EV_DOMAIN_REBOOT, dom, 0, 0, NULL, NULL, NULL);
}

static void host_domain_event_io_error(vkp_ctx *ctx, const vkp_ref *dom, const char *src,
                                       const char *alias, int action, const char *reason)
{
    queue(ctx, VK_EV_DOMAIN_IO_ERROR, dom, action, 0, src, alias, reason);
}

static void host_domain_event_device(vkp_ctx *ctx, const vkp_ref *dom, int event_id,
                                     const char *alias)
{
    vk_event_kind k = event_id == VIRTKIT_DOMAIN_EVENT_ID_DEVICE_ADDED
                          ? VK_EV_DOMAIN_DEVICE_ADDED
                          : VK_EV_DOMAIN_DEVICE_REMOVED;
    queue(ctx, k, dom, 0, 0, alias, NULL, NULL);
}

static void host_network_event(vkp_ctx *ctx, const vkp_ref *net, int event, int detail)
{
    queue(ctx, VK_EV_NETWORK_LIFECYCLE, net, event, detail, NULL, NULL, NULL);
}

static void host_pool_event(vkp_ctx *ctx, const vkp_ref *pool, int event, int detail)
{
    queue(ctx, VK_EV_POOL_LIFECYCLE, pool, event, detail, NULL, NULL, NULL);
}

static int host_write_file_atomic(const char *path, const char *data, size_t len)
{
    return vk_file_write_atomic(path, data, len, 0600);
}

static const vkp_params_api params_api = {
    .struct_size = sizeof(vkp_params_api),
    .create = virtkit_params_new,
    .free = virtkit_params_free,
    .add_int = virtkit_params_add_int,
    .add_uint = virtkit_params_add_uint,
    .add_llong = virtkit_params_add_llong,
    .add_ullong = virtkit_params_add_ullong,
    .add_double = virtkit_params_add_double,
    .add_bool = virtkit_params_add_bool,
    .add_string = virtkit_params_add_string,
    .get_int = virtkit_params_get_int,
    .get_uint = virtkit_params_get_uint,
    .get_ullong = virtkit_params_get_ullong,
    .get_string = virtkit_params_get_string,
    .count = virtkit_params_count,
    .name = virtkit_params_name,
};

static const vkp_node_api node_api = {
    .struct_size = sizeof(vkp_node_api),
    .get_info = vk_host_get_info,
    .get_cpu_map = vk_host_get_cpu_map,
    .cells_free_memory = vk_host_cells_free_memory,
    .cpu_stats = vk_host_cpu_stats,
    .memory_stats = vk_host_memory_stats,
    .capabilities_host_xml = vk_host_capabilities_xml,
    .arch = vk_host_arch,
};

const vkp_host vk_host_table = {
    .struct_size = sizeof(vkp_host),
    .abi_major = VIRTKIT_ABI_MAJOR_NUM,
    .abi_minor = VIRTKIT_ABI_MINOR_NUM,
    .alloc = vk_alloc,
    .realloc = vk_realloc,
    .strdup = vk_strdup,
    .free = free,
    .asprintf = host_asprintf,
    .log = host_log,
    .error = host_error,
    .error_system = host_error_system,
    .error_code = vk_error_code,
    .add_handle = vk_event_add_handle,
    .update_handle = vk_event_update_handle,
    .remove_handle = vk_event_remove_handle,
    .add_timeout = vk_event_add_timeout,
    .update_timeout = vk_event_update_timeout,
    .remove_timeout = vk_event_remove_timeout,
    .ctx_path = host_ctx_path,
    .ctx_uri = host_ctx_uri,
    .ctx_readonly = host_ctx_readonly,
    .config_string = host_config_string,
    .config_int = host_config_int,
    .config_bool = host_config_bool,
    .domain_event_lifecycle = host_domain_event_lifecycle,
    .domain_event_reboot = host_domain_event_reboot,
    .domain_event_io_error = host_domain_event_io_error,
    .domain_event_device = host_domain_event_device,
    .network_event_lifecycle = host_network_event,
    .pool_event_lifecycle = host_pool_event,
    .def = &vk_def_api,
    .params = &params_api,
    .node = &node_api,
    .write_file_atomic = host_write_file_atomic,
};
