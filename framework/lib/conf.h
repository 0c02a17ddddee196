/*
 * conf.h: configuration files (libconfig syntax). Errors name the file
 * and line. The client file virtkit.conf holds:
 *   uri_default = "qemu:///system";
 *   uri_aliases = ( "prod=qemu+tls://prod.example.com/system", ... );
 * It is read from <config dir>/virtkit.conf, then the user's
 * ~/.config/virtkit/virtkit.conf (later files win).
 */
#ifndef VK_CONF_H
#define VK_CONF_H

#include <libconfig.h>

#include "util.h"

/* Load a file into a fresh config_t. Returns 1 loaded, 0 when the file
 * does not exist (cfg left initialised and empty), -1 on a syntax error. */
int vk_conf_load(const char *path, config_t *cfg);
void vk_conf_free(config_t *cfg);
/* Typed lookups: 1 found, 0 absent, -1 wrong type (error names the key). */
int vk_conf_string(const config_t *cfg, const char *key, const char **out);
int vk_conf_int(const config_t *cfg, const char *key, long long *out);
int vk_conf_bool(const config_t *cfg, const char *key, int *out);
/* A list of strings; *out is a NULL-terminated vector (caller frees). */
int vk_conf_strv(const config_t *cfg, const char *key, char ***out);

/* The client configuration: the default URI (NULL when unset) and alias
 * expansion. Reads the files once per process. */
const char *vk_conf_client_default_uri(void);
/* "prod" -> "qemu+tls://..." when an alias matches, else NULL. Caller frees. */
char *vk_conf_client_alias(const char *name);
/* Forget the cached client configuration (tests, SIGHUP). */
void vk_conf_client_reset(void);

#endif
