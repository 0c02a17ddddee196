/*
 * daemon_conf.h: virtkitd's configuration (conf/virtkitd.conf, libconfig).
 * Every setting has a default derived from the daemon's root, so the file
 * is optional; a setting the daemon does not know, of the wrong type or
 * out of range is an error naming the file, the setting and the value
 * (a typo never silently falls back to a default).
 */
#ifndef VKD_CONF_H
#define VKD_CONF_H

#include "paths.h"
#include "util.h"

typedef struct vkd_config {
    /* unix = { ... } */
    char *rw_socket, *ro_socket;
    unsigned int rw_mode, ro_mode;
    char *group;
    /* tls = { ... } */
    int tls_listen;
    char *tls_address;
    unsigned int tls_port;
    char *tls_cert, *tls_key, *tls_ca, *tls_crl, *tls_priority;
    char **tls_allowed_dn;
    /* limits = { ... } */
    unsigned int max_clients, workers, priority_workers, max_requests, max_message_size;
    unsigned int open_timeout;
    /* keepalive = { ... } */
    int keepalive_interval;
    unsigned int keepalive_count;
    /* top level and small groups */
    char *access_file;
    char *log_level, *log_output;
    unsigned int event_backlog;
    char *delay_procedure;
    unsigned int delay_ms;
} vkd_config;

/* Defaults for a daemon whose paths are `paths`, then the file (when it
 * exists; missing is fine unless `must_exist`). -1 with VIRTKIT_ERR_CONF,
 * and then *cfg holds nothing to clear. */
int vkd_config_load(vkd_config *cfg, const char *path, bool must_exist, const vk_paths *paths);
void vkd_config_clear(vkd_config *cfg);

#endif
