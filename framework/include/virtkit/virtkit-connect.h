/*
 * virtkit-connect.h: opening a connection to a node by URI.
 *
 * URI form: driver[+transport]://[user@][host][:port]/path[?k=v&...]
 *   test:///default            in-process reference hypervisor
 *   test:///PATH.xml           in-process, node described by a file
 *   qemu:///system             local daemon over its UNIX socket
 *   qemu:///embed?root=DIR     in-process, private state under DIR
 *   qemu+tls://host/system     remote daemon over TLS (x509 client cert)
 *   qemu+ssh://user@host/system remote daemon through the system ssh
 * A NULL URI means the configured default (virtkit.conf "uri_default" or
 * the VIRTKIT_DEFAULT_URI environment variable), else test:///default.
 */
#ifndef VIRTKIT_CONNECT_H
#define VIRTKIT_CONNECT_H

#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    VIRTKIT_CONNECT_RO = 1 << 0,        /* read-only: only queries allowed */
    VIRTKIT_CONNECT_NO_ALIASES = 1 << 1,/* do not expand configured aliases */
} virtkit_connect_flags;

VIRTKIT_API virtkit_connect *virtkit_connect_open(const char *uri, unsigned int flags);
/* Drops one reference; the connection closes when the last handle that
 * uses it is gone. Returns the remaining reference count, or -1. */
VIRTKIT_API int virtkit_connect_close(virtkit_connect *conn);
VIRTKIT_API int virtkit_connect_ref(virtkit_connect *conn);

/* The canonical URI of the connection; caller frees. */
VIRTKIT_API char *virtkit_connect_get_uri(virtkit_connect *conn);
/* The hypervisor plugin's name ("test", "qemu"...); owned by conn. */
VIRTKIT_API const char *virtkit_connect_get_type(virtkit_connect *conn);
/* The hostname of the node; caller frees. */
VIRTKIT_API char *virtkit_connect_get_hostname(virtkit_connect *conn);
/* The hypervisor's version (major*1000000+minor*1000+micro). */
VIRTKIT_API int virtkit_connect_get_version(virtkit_connect *conn, unsigned long long *version);
/* 1 when the connection is usable, 0 when it broke (daemon gone), -1. */
VIRTKIT_API int virtkit_connect_is_alive(virtkit_connect *conn);
VIRTKIT_API int virtkit_connect_is_remote(virtkit_connect *conn);
/* Keep the connection checked: a ping every interval seconds, closed after
 * count unanswered ones. Only meaningful for remote connections. */
VIRTKIT_API int virtkit_connect_set_keepalive(virtkit_connect *conn, int interval, unsigned int count);

/* Called once when a connection breaks (daemon restart, network loss). */
typedef void (*virtkit_connect_close_cb)(virtkit_connect *conn, int reason, void *opaque);
typedef enum {
    VIRTKIT_CLOSE_ERROR = 0,
    VIRTKIT_CLOSE_EOF = 1,
    VIRTKIT_CLOSE_KEEPALIVE = 2,
    VIRTKIT_CLOSE_CLIENT = 3,
} virtkit_close_reason;
VIRTKIT_API int virtkit_connect_register_close_callback(virtkit_connect *conn,
                                                       virtkit_connect_close_cb cb,
                                                       void *opaque,
                                                       void (*free_opaque)(void *));

/* Plugins known to this core, from their manifests (nothing is loaded).
 * Each entry is a parameter list: name, version, abi ("1.0"), kinds
 * ("hypervisor,storage"), schemes, license, path, state ("available",
 * "loaded", "refused: <why>"). The array and its lists are freed with
 * virtkit_plugin_list_free(). */
VIRTKIT_API int virtkit_plugin_list(virtkit_params ***plugins, unsigned int flags);
VIRTKIT_API void virtkit_plugin_list_free(virtkit_params **plugins, int n);
/* Load a plugin by name now (the loader refuses with a clear error). */
VIRTKIT_API int virtkit_plugin_load(const char *name, unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif
