/*
 * virtkit-stream.h: byte streams between the application and a backend:
 * consoles, volume upload/download. Work the same locally and remotely.
 */
#ifndef VIRTKIT_STREAM_H
#define VIRTKIT_STREAM_H

#include <virtkit/virtkit-common.h>
#include <virtkit/virtkit-event.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    VIRTKIT_STREAM_NONBLOCK = 1 << 0,
} virtkit_stream_flags;

VIRTKIT_API virtkit_stream *virtkit_stream_new(virtkit_connect *conn, unsigned int flags);
/* Returns bytes written, -2 when a non-blocking stream would block, -1. */
VIRTKIT_API int virtkit_stream_send(virtkit_stream *st, const char *data, size_t n);
/* Returns bytes read, 0 at end of stream, -2 would block, -1 on error. */
VIRTKIT_API int virtkit_stream_recv(virtkit_stream *st, char *data, size_t n);
typedef void (*virtkit_stream_event_cb)(virtkit_stream *st, int events, void *opaque);
VIRTKIT_API int virtkit_stream_add_callback(virtkit_stream *st, int events,
                                            virtkit_stream_event_cb cb, void *opaque,
                                            virtkit_free_cb ff);
VIRTKIT_API int virtkit_stream_update_callback(virtkit_stream *st, int events);
VIRTKIT_API int virtkit_stream_remove_callback(virtkit_stream *st);
/* Orderly end of a transfer (flushes and checks the far side's status). */
VIRTKIT_API int virtkit_stream_finish(virtkit_stream *st);
VIRTKIT_API int virtkit_stream_abort(virtkit_stream *st);
VIRTKIT_API int virtkit_stream_ref(virtkit_stream *st);
VIRTKIT_API int virtkit_stream_free(virtkit_stream *st);

#ifdef __cplusplus
}
#endif
#endif
