/*
 * server.h: the server side of the protocol, run by virtkitd. It owns the
 * listening sockets it is given, its I/O thread, its worker pools and the
 * clients; each client's calls run against the client's own in-process
 * connection (VK_CONNECT_NO_REMOTE) to the plugins.
 *
 * Threads: one I/O thread (accept, TLS handshakes, reading frames,
 * keepalive, flushing output that did not fit the socket), `workers`
 * threads for calls and `prio_workers` threads that only take calls of
 * the priority lane (VK_PROC_PRIO: destroy, lookups, state), so these
 * still run when every worker is stuck in a slow call. Workers write
 * their replies to the socket themselves. Event callbacks run in the
 * process's event loop (the daemon's main thread).
 */
#ifndef VK_RPC_SERVER_H
#define VK_RPC_SERVER_H

#include "access.h"
#include "transport.h"

typedef struct vk_server vk_server;

typedef struct vk_server_config {
    unsigned int max_clients;
    unsigned int workers;
    unsigned int prio_workers;
    unsigned int max_requests;      /* calls in flight per client */
    unsigned int max_message;       /* bytes per frame, header included */
    int keepalive_interval;         /* seconds; <= 0: the daemon never pings */
    unsigned int keepalive_count;
    unsigned int open_timeout;      /* seconds a client may take to open */
    char **tls_allowed_dn;          /* NULL or empty: any certificate of the CA */
    const vk_access *access;        /* NULL: everything allowed */
    size_t event_backlog;
    const char *event_file;         /* NULL: the backlog is not saved */
    /* Testing only: make procedure delay_proc sleep delay_ms first. */
    const char *delay_proc;
    unsigned int delay_ms;
} vk_server_config;

vk_server *vk_server_new(const vk_server_config *cfg);
/* Hand over a listening socket (the server closes it). */
int vk_server_add_unix(vk_server *s, int fd, bool readonly);
int vk_server_add_tls(vk_server *s, int fd, vk_tls_ctx *ctx /* taken */);
int vk_server_start(vk_server *s);
/* SIGHUP: new limits, keepalive, DN list and access rules. Existing
 * clients keep their connection; the new rules apply to their next call.
 * The caller keeps cfg->access alive until the next reload or free. */
void vk_server_reload(vk_server *s, const vk_server_config *cfg);
/* Stop accepting, hang up on every client, wait (a bounded time) for the
 * workers, save the event backlog. */
void vk_server_stop(vk_server *s);
void vk_server_free(vk_server *s);
/* For logs and tests. */
unsigned int vk_server_nclients(vk_server *s);

#endif
