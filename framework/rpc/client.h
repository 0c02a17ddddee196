/*
 * client.h: the client side of one protocol connection, used by the remote
 * driver (remote.c). Thread-safe: any number of threads may call at once;
 * replies are matched to calls by serial number.
 *
 * Reading is done by whoever needs it ("buck passing", as in libvirt): a
 * thread waiting for a reply reads the socket itself and hands replies and
 * stream data that belong to other threads over to them; when it has its
 * own, it passes the reader role to the next waiter. While no call is in
 * flight, the application's event loop (when one is registered) reads, so
 * events and keepalive pings are handled promptly. No thread is created.
 *
 * Connection states: OPEN -> CLOSED (EOF, error, keepalive timeout, or
 * vk_rpc_client_close). Once closed, every pending and future call fails
 * with VIRTKIT_ERR_CONNECTION_CLOSED, or with the reason the daemon gave in
 * a NOTICE frame before hanging up.
 */
#ifndef VK_RPC_CLIENT_H
#define VK_RPC_CLIENT_H

#include "protocol.h"
#include "transport.h"

typedef struct vk_rpc_client vk_rpc_client;
typedef struct vk_rpc_stream vk_rpc_stream;

typedef struct vk_rpc_client_cbs {
    /* An EVENT frame arrived; called from the reading thread, no lock held. */
    void (*event)(void *opaque, const uint8_t *body, size_t len);
    /* The connection broke (virtkit_close_reason); called once, no lock
     * held. Not called for vk_rpc_client_close. */
    void (*closed)(void *opaque, int reason);
    /* The client is freed: opaque is no longer used (it may outlive
     * vk_rpc_client_close while an event loop callback finishes). */
    void (*release)(void *opaque);
} vk_rpc_client_cbs;

/* Takes over sock (closed with the client). */
vk_rpc_client *vk_rpc_client_new(vk_rpc_sock *sock, const vk_rpc_client_cbs *cbs, void *opaque);
/* Limits announced by the daemon at open. */
void vk_rpc_client_set_limits(vk_rpc_client *c, uint32_t max_message, uint32_t max_requests,
                              uint32_t max_prio);
/* Call procedure proc. On success returns 0 and *ret (NULL allowed when
 * the caller ignores the reply) unpacked into arena a. On failure -1 with
 * the daemon's error (or a connection error) set. */
int vk_rpc_client_call(vk_rpc_client *c, uint32_t proc, const ProtobufCMessage *args,
                       ProtobufCMessage **ret, vk_arena *a);
/* Read from the event loop while idle (events, pings, EOF). */
int vk_rpc_client_watch(vk_rpc_client *c);
/* Ping every interval seconds when nothing arrived; give up after count
 * unanswered pings. interval <= 0 stops. Needs an event loop. */
int vk_rpc_client_keepalive(vk_rpc_client *c, int interval, unsigned int count);
bool vk_rpc_client_alive(vk_rpc_client *c);
/* Hang up (pending calls fail) and drop the caller's reference. */
void vk_rpc_client_close(vk_rpc_client *c);

/* ------------------------------------------------------------ streams --
 * A stream is opened by a call whose procedure has VK_PROC_STREAM; data
 * then flows both ways in STREAM frames carrying the call's serial. */
vk_rpc_stream *vk_rpc_stream_open(vk_rpc_client *c, uint32_t proc, const ProtobufCMessage *args);
/* Bytes sent, or -1. */
int vk_rpc_stream_send(vk_rpc_stream *st, const char *data, size_t n);
/* Bytes received, 0 at the end, -2 when nonblock and nothing is there, -1. */
int vk_rpc_stream_recv(vk_rpc_stream *st, char *data, size_t n, bool nonblock);
/* 1 when recv would not block (data, end, or error pending). */
int vk_rpc_stream_readable(vk_rpc_stream *st);
/* Tell the daemon we are done and wait for its confirmation. */
int vk_rpc_stream_finish(vk_rpc_stream *st);
int vk_rpc_stream_abort(vk_rpc_stream *st);
/* Called (no lock held, reading thread) whenever data, end or an error
 * arrives, so a non-blocking user can be told. */
void vk_rpc_stream_set_notify(vk_rpc_stream *st, void (*fn)(void *), void *opaque);
void vk_rpc_stream_free(vk_rpc_stream *st);

#endif
