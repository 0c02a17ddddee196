/*
 * stream.h: internals of virtkit_stream. A stream is bound to a backend
 * once a call (open_console, volume upload/download) sets it up: locally
 * to a file descriptor the plugin gave, remotely to the remote driver's
 * stream over the daemon connection.
 */
#ifndef VK_STREAM_H
#define VK_STREAM_H

#include "core.h"

typedef struct vk_stream_ops {
    int (*send)(virtkit_stream *st, const char *data, size_t n);
    int (*recv)(virtkit_stream *st, char *data, size_t n);
    int (*finish)(virtkit_stream *st);
    int (*abort)(virtkit_stream *st);
    /* Watch for readiness; the backend calls vk_stream_fire(st, events). */
    int (*watch)(virtkit_stream *st, int events);
    void (*unwatch)(virtkit_stream *st);
    void (*release)(virtkit_stream *st);
} vk_stream_ops;

struct virtkit_stream {
    int refs;
    pthread_mutex_t lock;
    virtkit_connect *conn;
    unsigned int flags;
    const vk_stream_ops *ops;   /* NULL until bound */
    void *priv;
    int fd;                     /* local streams */
    int watch;                  /* local: event loop watch */
    unsigned long long remaining; /* local: bytes left, 0 = unlimited */
    bool limited;
    virtkit_stream_event_cb cb;
    void *cb_opaque;
    virtkit_free_cb cb_ff;
    int cb_events;
    bool finished;
};

/* Bind st to a local fd (ownership passes). length 0: unlimited. */
int vk_stream_bind_fd(virtkit_stream *st, int fd, unsigned long long length);
/* Bind to another backend. */
void vk_stream_bind(virtkit_stream *st, const vk_stream_ops *ops, void *priv);
/* Deliver readiness to the application's callback. */
void vk_stream_fire(virtkit_stream *st, int events);

#endif
