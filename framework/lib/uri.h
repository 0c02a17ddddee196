/*
 * uri.h: connection URIs, driver[+transport]://[user@][host][:port]/path[?k=v&...].
 * Parsing only; what a URI means is decided by the connection code.
 */
#ifndef VK_URI_H
#define VK_URI_H

#include "util.h"

typedef struct vk_uri_param {
    char *name;
    char *value;
} vk_uri_param;

typedef struct vk_uri {
    char *scheme;     /* "qemu+ssh" as written */
    char *driver;     /* "qemu" */
    char *transport;  /* "ssh", or NULL */
    char *user;
    char *host;       /* without brackets for IPv6 */
    int port;         /* 0 when absent */
    char *path;       /* "/system", never NULL ("" when empty) */
    vk_uri_param *params;
    size_t nparams;
} vk_uri;

/* Parse; NULL with VIRTKIT_ERR_INVALID_URI naming the URI and the fault. */
vk_uri *vk_uri_parse(const char *s);
void vk_uri_free(vk_uri *u);
/* The value of query parameter name, or NULL (last one wins). */
const char *vk_uri_param_get(const vk_uri *u, const char *name);
/* Format back (canonical: lower-case scheme, escaped query). */
char *vk_uri_format(const vk_uri *u);
/* 1 when the URI names another machine (host set and not localhost). */
bool vk_uri_is_remote(const vk_uri *u);
VK_DEFINE_AUTOPTR(vk_uri, vk_uri_free)

#endif
