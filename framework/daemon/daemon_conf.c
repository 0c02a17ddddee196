/*
 * daemon_conf.c: see daemon_conf.h. One table lists every setting (path,
 * type, field, bounds); loading walks the file's settings and looks each
 * one up in the table, so unknown settings are found, and the table is
 * also what docs/remote.md documents.
 */
#include "config.h"

#include <libconfig.h>
#include <stddef.h>
#include <stdlib.h>

#include "conf.h"
#include "daemon_conf.h"
#include "error.h"
#include "protocol.h"
#include "transport.h"

typedef enum { C_STR, C_UINT, C_INT, C_BOOL, C_MODE, C_STRV } ctype;

typedef struct conf_key {
    const char *path;
    ctype type;
    size_t off;
    long long min, max;
} conf_key;

#define F(m) offsetof(vkd_config, m)
static const conf_key keys[] = {
    { "unix.rw_socket", C_STR, F(rw_socket), 0, 0 },
    { "unix.ro_socket", C_STR, F(ro_socket), 0, 0 },
    { "unix.rw_mode", C_MODE, F(rw_mode), 0, 0777 },
    { "unix.ro_mode", C_MODE, F(ro_mode), 0, 0777 },
    { "unix.group", C_STR, F(group), 0, 0 },
    { "tls.listen", C_BOOL, F(tls_listen), 0, 1 },
    { "tls.address", C_STR, F(tls_address), 0, 0 },
    { "tls.port", C_UINT, F(tls_port), 1, 65535 },
    { "tls.cert", C_STR, F(tls_cert), 0, 0 },
    { "tls.key", C_STR, F(tls_key), 0, 0 },
    { "tls.ca", C_STR, F(tls_ca), 0, 0 },
    { "tls.crl", C_STR, F(tls_crl), 0, 0 },
    { "tls.priority", C_STR, F(tls_priority), 0, 0 },
    { "tls.allowed_dn", C_STRV, F(tls_allowed_dn), 0, 0 },
    { "limits.max_clients", C_UINT, F(max_clients), 1, 1000000 },
    { "limits.workers", C_UINT, F(workers), 1, 1024 },
    { "limits.priority_workers", C_UINT, F(priority_workers), 1, 256 },
    { "limits.max_requests", C_UINT, F(max_requests), 1, 4096 },
    { "limits.max_message_size", C_UINT, F(max_message_size), VK_RPC_MIN_MAX_MESSAGE,
      VK_RPC_MAX_MAX_MESSAGE },
    { "limits.open_timeout", C_UINT, F(open_timeout), 0, 86400 },
    { "keepalive.interval", C_INT, F(keepalive_interval), -1, 86400 },
    { "keepalive.count", C_UINT, F(keepalive_count), 1, 1000 },
    { "access_file", C_STR, F(access_file), 0, 0 },
    { "log.level", C_STR, F(log_level), 0, 0 },
    { "log.output", C_STR, F(log_output), 0, 0 },
    { "events.backlog", C_UINT, F(event_backlog), 1, 1000000 },
    { "testing.delay_procedure", C_STR, F(delay_procedure), 0, 0 },
    { "testing.delay_ms", C_UINT, F(delay_ms), 0, 600000 },
};
#undef F

#define FIELD(cfg, k, type) ((type *)(void *)((char *)(cfg) + (k)->off))

void vkd_config_clear(vkd_config *cfg)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(keys); i++) {
        if (keys[i].type == C_STR)
            free(*FIELD(cfg, &keys[i], char *));
        else if (keys[i].type == C_STRV)
            vk_strv_free(*FIELD(cfg, &keys[i], char **));
    }
    memset(cfg, 0, sizeof(*cfg));
}

static void set_defaults(vkd_config *cfg, const vk_paths *paths)
{
    cfg->rw_socket = vk_paths_daemon_socket(paths, false);
    cfg->ro_socket = vk_paths_daemon_socket(paths, true);
    cfg->rw_mode = 0700;
    cfg->ro_mode = 0777;
    cfg->tls_address = vk_strdup("0.0.0.0");
    cfg->tls_port = VK_RPC_TLS_PORT;
    cfg->tls_cert = vk_asprintf("%s/pki/servercert.pem", paths->config);
    cfg->tls_key = vk_asprintf("%s/pki/serverkey.pem", paths->config);
    cfg->tls_ca = vk_asprintf("%s/pki/cacert.pem", paths->config);
    cfg->tls_priority = vk_strdup(VK_TLS_DEFAULT_PRIORITY);
    cfg->max_clients = 5000;
    cfg->workers = 8;
    cfg->priority_workers = 2;
    cfg->max_requests = 16;
    cfg->max_message_size = VK_RPC_DEFAULT_MAX_MESSAGE;
    cfg->open_timeout = 60;
    cfg->keepalive_interval = 5;
    cfg->keepalive_count = 5;
    cfg->log_level = vk_strdup("info");
    cfg->log_output = vk_strdup("stderr");
    cfg->event_backlog = 1024;
}

static const conf_key *find_key(const char *path)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(keys); i++)
        if (vk_streq(keys[i].path, path))
            return &keys[i];
    return NULL;
}

static int conf_err(const char *file, config_setting_t *s, const char *path, const char *fmt,
                    ...) VK_PRINTF(4, 5);
static int conf_err(const char *file, config_setting_t *s, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) msg = vk_vasprintf(fmt, ap);
    va_end(ap);
    vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON, "%s:%d: setting '%s' %s", file,
                 s ? (int)config_setting_source_line(s) : 0, path, msg);
    return -1;
}

static int get_number(const char *file, config_setting_t *s, const conf_key *k, long long *out)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_INT)
        *out = config_setting_get_int(s);
    else if (t == CONFIG_TYPE_INT64)
        *out = config_setting_get_int64(s);
    else
        return conf_err(file, s, k->path, "must be an integer");
    if (*out < k->min || *out > k->max)
        return conf_err(file, s, k->path, "is %lld, outside %lld..%lld", *out, k->min, k->max);
    return 0;
}

static int apply(vkd_config *cfg, const char *file, config_setting_t *s, const conf_key *k)
{
    int t = config_setting_type(s);
    switch (k->type) {
    case C_STR:
        if (t != CONFIG_TYPE_STRING)
            return conf_err(file, s, k->path, "must be a string");
        free(*FIELD(cfg, k, char *));
        *FIELD(cfg, k, char *) = vk_strdup(config_setting_get_string(s));
        return 0;
    case C_BOOL:
        if (t != CONFIG_TYPE_BOOL)
            return conf_err(file, s, k->path, "must be true or false");
        *FIELD(cfg, k, int) = config_setting_get_bool(s);
        return 0;
    case C_UINT:
    case C_INT: {
        long long v = 0;
        if (get_number(file, s, k, &v) < 0)
            return -1;
        if (k->type == C_UINT)
            *FIELD(cfg, k, unsigned int) = (unsigned int)v;
        else
            *FIELD(cfg, k, int) = (int)v;
        return 0;
    }
    case C_MODE: {
        /* "0700" as a string (libconfig has no octal integers). */
        uint64_t v = 0;
        if (t != CONFIG_TYPE_STRING ||
            vk_parse_u64(config_setting_get_string(s), 8, &v) < 0 || v > (uint64_t)k->max)
            return conf_err(file, s, k->path, "must be an octal mode string like \"0700\"");
        *FIELD(cfg, k, unsigned int) = (unsigned int)v;
        return 0;
    }
    case C_STRV: {
        if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
            return conf_err(file, s, k->path, "must be a list of strings: ( \"a\", \"b\" )");
        int n = config_setting_length(s);
        char **v = vk_alloc_n((size_t)n + 1, sizeof(char *));
        for (int i = 0; i < n; i++) {
            const char *e = config_setting_get_string_elem(s, i);
            if (!e) {
                vk_strv_free(v);
                return conf_err(file, s, k->path, "element %d is not a string", i + 1);
            }
            v[i] = vk_strdup(e);
        }
        vk_strv_free(*FIELD(cfg, k, char **));
        *FIELD(cfg, k, char **) = v;
        return 0;
    }
    }
    return 0;
}

/* Walk every setting of the file; groups recurse, leaves must be known. */
static int walk(vkd_config *cfg, const char *file, config_setting_t *grp, const char *prefix)
{
    int n = config_setting_length(grp);
    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(grp, (unsigned int)i);
        const char *name = config_setting_name(s);
        VK_AUTOFREE(char *) path = prefix ? vk_asprintf("%s.%s", prefix, name) : vk_strdup(name);
        if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
            if (walk(cfg, file, s, path) < 0)
                return -1;
            continue;
        }
        const conf_key *k = find_key(path);
        if (!k)
            return conf_err(file, s, path, "is not a virtkitd setting (see virtkitd.conf's "
                                           "comments for the known ones)");
        if (apply(cfg, file, s, k) < 0)
            return -1;
    }
    return 0;
}

static int load(vkd_config *cfg, const char *path, bool must_exist, const vk_paths *paths)
{
    memset(cfg, 0, sizeof(*cfg));
    set_defaults(cfg, paths);
    config_t c;
    int r = vk_conf_load(path, &c);
    if (r < 0) {
        config_destroy(&c);
        return -1;
    }
    if (r == 0) {
        config_destroy(&c);
        if (must_exist) {
            vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON,
                         "configuration file '%s' does not exist", path);
            return -1;
        }
        return 0;
    }
    r = walk(cfg, path, config_root_setting(&c), NULL);
    config_destroy(&c);
    if (r < 0)
        return -1;
    if (cfg->tls_listen && (vk_str_empty(cfg->tls_cert) || vk_str_empty(cfg->tls_key) ||
                            vk_str_empty(cfg->tls_ca))) {
        vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON,
                     "%s: tls.listen needs tls.cert, tls.key and tls.ca", path);
        return -1;
    }
    return 0;
}

int vkd_config_load(vkd_config *cfg, const char *path, bool must_exist, const vk_paths *paths)
{
    if (load(cfg, path, must_exist, paths) == 0)
        return 0;
    vkd_config_clear(cfg);
    return -1;
}
