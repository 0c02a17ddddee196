/*
 * transport.h: the byte pipes the protocol runs over. A vk_rpc_sock is a
 * non-blocking socket, optionally wrapped in a TLS session, optionally
 * with a child process on the far end (ssh). Reads and writes have the
 * same contract everywhere: > 0 bytes moved, 0 end of stream (read), -2
 * would block, -1 error (with this thread's error set).
 *
 * TLS (GnuTLS, x509 only, TLS 1.2 minimum): vk_tls_ctx holds credentials;
 * peers are verified after the handshake so that a refusal can be told to
 * the other side in words, not just a TLS alert.
 */
#ifndef VK_RPC_TRANSPORT_H
#define VK_RPC_TRANSPORT_H

#include <gnutls/gnutls.h>
#include <sys/types.h>

#include "util.h"

typedef struct vk_rpc_sock {
    int fd;
    gnutls_session_t tls;      /* NULL: plain */
    pid_t child;               /* ssh process, 0 when none */
} vk_rpc_sock;

#define VK_RPC_SOCK_INIT { -1, NULL, 0 }

ssize_t vk_rpc_sock_read(vk_rpc_sock *s, void *buf, size_t n);
ssize_t vk_rpc_sock_write(vk_rpc_sock *s, const void *buf, size_t n);
/* Wait until the socket is readable (events POLLIN) or writable (POLLOUT)
 * or timeout_ms passes (-1: forever). 1 ready, 0 timeout, -1 error. TLS
 * data already decrypted counts as readable. */
int vk_rpc_sock_wait(vk_rpc_sock *s, short events, int timeout_ms);
/* Close: TLS bye (best effort), close the fd, reap the child. */
void vk_rpc_sock_close(vk_rpc_sock *s);

/* Connect to a UNIX socket path (non-blocking fd returned in s). */
int vk_rpc_unix_connect(const char *path, vk_rpc_sock *s);
/* Connect to host:port over TCP (any address family), with a timeout. */
int vk_rpc_tcp_connect(const char *host, int port, int timeout_ms, vk_rpc_sock *s);

/* ---------------------------------------------------------------- TLS -- */
#define VK_TLS_DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

typedef struct vk_tls_ctx vk_tls_ctx;

/* Server credentials: certificate and key, the CA that signs client
 * certificates, an optional CRL. Errors name the file at fault. */
vk_tls_ctx *vk_tls_server_new(const char *cert, const char *key, const char *ca,
                              const char *crl, const char *priority);
/* Client credentials: the CA that signs the daemon's certificate and, when
 * given, the client's own certificate and key. */
vk_tls_ctx *vk_tls_client_new(const char *cert, const char *key, const char *ca,
                              const char *priority);
void vk_tls_ctx_free(vk_tls_ctx *ctx);
VK_DEFINE_AUTOPTR(vk_tls_ctx, vk_tls_ctx_free)

/* Start a TLS session on s->fd (server side when server_name is NULL). */
int vk_tls_session_start(vk_tls_ctx *ctx, vk_rpc_sock *s, const char *server_name);
/* One handshake step: 0 done, -2 again (wait for s's direction), -1
 * failed (error set). */
int vk_tls_handshake(vk_rpc_sock *s);
/* The direction a pending handshake waits for: POLLIN or POLLOUT. */
short vk_tls_handshake_wants(vk_rpc_sock *s);
/* Server side, after the handshake: the client sent a certificate that
 * chains to the CA, is within its validity dates, is not revoked, and has a
 * subject DN matching one of the allowed patterns (fnmatch; NULL or empty
 * list: any). *dn gets the subject (malloc'd) even on refusal, when known. */
int vk_tls_check_client(vk_rpc_sock *s, char *const *allowed_dn, char **dn);
/* Client side, after the handshake: the daemon's certificate chains to the
 * CA, is valid now and names `hostname`. */
int vk_tls_check_server(vk_rpc_sock *s, const char *hostname);
/* "TLS1.3" etc., for logs. */
const char *vk_tls_version_name(vk_rpc_sock *s);

#endif
