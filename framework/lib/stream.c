/*
 * stream.c: see stream.h. The local backend moves bytes directly between
 * the application and the plugin's fd; blocking unless the stream was
 * created with VIRTKIT_STREAM_NONBLOCK.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "evloop.h"
#include "fileutil.h"
#include "stream.h"

VIRTKIT_API virtkit_stream *virtkit_stream_new(virtkit_connect *conn, unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, VIRTKIT_STREAM_NONBLOCK, NULL);
    virtkit_stream *st = vk_alloc(sizeof(*st));
    st->refs = 1;
    pthread_mutex_init(&st->lock, NULL);
    st->conn = conn;
    vk_obj_ref(&conn->refs);
    st->flags = flags;
    st->fd = -1;
    st->watch = -1;
    return st;
}

static int stream_check(virtkit_stream *st, const char *func)
{
    virtkit_error_clear();
    if (!st) {
        vk_error_invalid_arg("%s: stream must not be NULL", func);
        return -1;
    }
    if (!st->ops) {
        vk_error_set(VIRTKIT_ERR_STREAM, VIRTKIT_SUB_STREAM,
                     "%s: the stream is not attached to anything yet", func);
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_stream_send(virtkit_stream *st, const char *data, size_t n)
{
    if (stream_check(st, __func__) < 0)
        return -1;
    return st->ops->send(st, data, n);
}

VIRTKIT_API int virtkit_stream_recv(virtkit_stream *st, char *data, size_t n)
{
    if (stream_check(st, __func__) < 0)
        return -1;
    return st->ops->recv(st, data, n);
}

VIRTKIT_API int virtkit_stream_finish(virtkit_stream *st)
{
    if (stream_check(st, __func__) < 0)
        return -1;
    st->finished = true;
    return st->ops->finish(st);
}

VIRTKIT_API int virtkit_stream_abort(virtkit_stream *st)
{
    if (stream_check(st, __func__) < 0)
        return -1;
    st->finished = true;
    return st->ops->abort(st);
}

VIRTKIT_API int virtkit_stream_add_callback(virtkit_stream *st, int events,
                                            virtkit_stream_event_cb cb, void *opaque,
                                            virtkit_free_cb ff)
{
    if (stream_check(st, __func__) < 0)
        return -1;
    if (!cb) {
        vk_error_invalid_arg("%s: callback must not be NULL", __func__);
        return -1;
    }
    if (st->cb) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_STREAM,
                     "the stream already has a callback");
        return -1;
    }
    st->cb = cb;
    st->cb_opaque = opaque;
    st->cb_ff = ff;
    st->cb_events = events;
    if (st->ops->watch(st, events) < 0) {
        st->cb = NULL;
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_stream_update_callback(virtkit_stream *st, int events)
{
    if (stream_check(st, __func__) < 0)
        return -1;
    if (!st->cb) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_STREAM,
                     "the stream has no callback");
        return -1;
    }
    st->cb_events = events;
    return st->ops->watch(st, events);
}

VIRTKIT_API int virtkit_stream_remove_callback(virtkit_stream *st)
{
    if (stream_check(st, __func__) < 0)
        return -1;
    if (!st->cb) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_STREAM,
                     "the stream has no callback");
        return -1;
    }
    st->ops->unwatch(st);
    if (st->cb_ff)
        st->cb_ff(st->cb_opaque);
    st->cb = NULL;
    st->cb_ff = NULL;
    return 0;
}

void vk_stream_fire(virtkit_stream *st, int events)
{
    if (st->cb && (events & (st->cb_events | VIRTKIT_EVENT_HANDLE_ERROR |
                             VIRTKIT_EVENT_HANDLE_HANGUP)))
        st->cb(st, events, st->cb_opaque);
}

VIRTKIT_API int virtkit_stream_ref(virtkit_stream *st)
{
    if (!st) {
        vk_error_invalid_arg("%s: stream must not be NULL", __func__);
        return -1;
    }
    vk_obj_ref(&st->refs);
    return 0;
}

VIRTKIT_API int virtkit_stream_free(virtkit_stream *st)
{
    if (!st) {
        vk_error_invalid_arg("%s: stream must not be NULL", __func__);
        return -1;
    }
    if (vk_obj_unref(&st->refs) > 0)
        return 0;
    if (st->ops) {
        if (st->cb)
            st->ops->unwatch(st);
        st->ops->release(st);
    }
    if (st->cb_ff)
        st->cb_ff(st->cb_opaque);
    vk_connect_unref(st->conn);
    pthread_mutex_destroy(&st->lock);
    free(st);
    return 0;
}

/* ------------------------------------------------------ local backend -- */

static int fd_wait(virtkit_stream *st, short ev)
{
    if (st->flags & VIRTKIT_STREAM_NONBLOCK)
        return -2;
    struct pollfd p = { .fd = st->fd, .events = ev };
    while (poll(&p, 1, -1) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

static int fd_send(virtkit_stream *st, const char *data, size_t n)
{
    if (st->limited && n > st->remaining) {
        vk_error_set(VIRTKIT_ERR_STREAM, VIRTKIT_SUB_STREAM,
                     "stream: %zu bytes exceed the %llu left in the transfer", n, st->remaining);
        return -1;
    }
    for (;;) {
        /* send() with MSG_NOSIGNAL on sockets: a closed far end is an
         * error for the caller, never a SIGPIPE for the application. */
        ssize_t r = send(st->fd, data, n, MSG_NOSIGNAL);
        if (r < 0 && errno == ENOTSOCK)
            r = write(st->fd, data, n);
        if (r >= 0) {
            if (st->limited)
                st->remaining -= (unsigned long long)r;
            return (int)r;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN) {
            int w = fd_wait(st, POLLOUT);
            if (w == -2)
                return -2;
            if (w == 0)
                continue;
        }
        vk_error_system(errno, VIRTKIT_SUB_STREAM, "stream: write failed");
        return -1;
    }
}

static int fd_recv(virtkit_stream *st, char *data, size_t n)
{
    if (st->limited) {
        if (st->remaining == 0)
            return 0;
        if (n > st->remaining)
            n = (size_t)st->remaining;
    }
    for (;;) {
        ssize_t r = read(st->fd, data, n);
        if (r >= 0) {
            if (st->limited)
                st->remaining -= (unsigned long long)r;
            return (int)r;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN) {
            int w = fd_wait(st, POLLIN);
            if (w == -2)
                return -2;
            if (w == 0)
                continue;
        }
        if (errno == EIO) /* a pty whose other side closed */
            return 0;
        vk_error_system(errno, VIRTKIT_SUB_STREAM, "stream: read failed");
        return -1;
    }
}

static int fd_finish(virtkit_stream *st)
{
    if (st->fd >= 0 && fsync(st->fd) < 0 && errno != EINVAL && errno != EROFS) {
        vk_error_system(errno, VIRTKIT_SUB_STREAM, "stream: cannot flush");
        return -1;
    }
    return 0;
}

static int fd_abort(virtkit_stream *st)
{
    return 0;
}

static void fd_event(int watch, int fd, int events, void *opaque)
{
    vk_stream_fire(opaque, events);
}

static int fd_watch(virtkit_stream *st, int events)
{
    if (st->watch >= 0) {
        vk_event_update_handle(st->watch, events);
        return 0;
    }
    st->watch = vk_event_add_handle(st->fd, events, fd_event, st, NULL);
    return st->watch < 0 ? -1 : 0;
}

static void fd_unwatch(virtkit_stream *st)
{
    if (st->watch >= 0)
        vk_event_remove_handle(st->watch);
    st->watch = -1;
}

static void fd_release(virtkit_stream *st)
{
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
}

static const vk_stream_ops fd_ops = {
    .send = fd_send,
    .recv = fd_recv,
    .finish = fd_finish,
    .abort = fd_abort,
    .watch = fd_watch,
    .unwatch = fd_unwatch,
    .release = fd_release,
};

int vk_stream_bind_fd(virtkit_stream *st, int fd, unsigned long long length)
{
    if (st->ops) {
        close(fd);
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_STREAM,
                     "the stream is already in use");
        return -1;
    }
    if (st->flags & VIRTKIT_STREAM_NONBLOCK)
        vk_set_nonblock(fd, true);
    st->fd = fd;
    st->remaining = length;
    st->limited = length > 0;
    st->ops = &fd_ops;
    return 0;
}

void vk_stream_bind(virtkit_stream *st, const vk_stream_ops *ops, void *priv)
{
    st->ops = ops;
    st->priv = priv;
}

/* ------------------------------------------------- calls using streams -- */

static int check_stream_arg(virtkit_connect *conn, virtkit_stream *st, const char *func)
{
    if (!st || st->conn != conn) {
        vk_error_invalid_arg("%s: the stream must be created on the same connection", func);
        return -1;
    }
    if (st->ops) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_STREAM,
                     "%s: the stream is already in use", func);
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_domain_open_console(virtkit_domain *dom, const char *dev,
                                            virtkit_stream *st, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, 0, -1);
    if (check_stream_arg(dom->conn, st, __func__) < 0)
        return -1;
    if (dom->conn->remote)
        return vk_remote_open_console(dom, dev, st, flags);
    int (*f)(vkp_conn *, const vkp_ref *, const char *, unsigned int, int *) =
        VK_HV(dom->conn, domain_open_console, -1);
    int fd = -1;
    if (f(dom->conn->hv_conn, &dom->ref, dev, flags, &fd) < 0) {
        vk_ensure_error(dom->conn, "domain_open_console");
        return -1;
    }
    return vk_stream_bind_fd(st, fd, 0);
}

static int volume_transfer(virtkit_volume *vol, virtkit_stream *st, unsigned long long offset,
                           unsigned long long length, unsigned int flags, int for_write,
                           const char *func)
{
    if (check_stream_arg(vol->conn, st, func) < 0)
        return -1;
    if (vol->conn->remote)
        return vk_remote_volume_transfer(vol, st, offset, length, flags, for_write);
    int (*f)(vkp_conn *, const vkp_volref *, int, unsigned long long, unsigned long long,
             unsigned int, int *) = VK_STOR(vol->conn, volume_open_fd, -1);
    int fd = -1;
    if (f(vol->conn->stor_conn, &vol->ref, for_write, offset, length, flags, &fd) < 0) {
        vk_ensure_error(vol->conn, "volume_open_fd");
        return -1;
    }
    return vk_stream_bind_fd(st, fd, length);
}

VIRTKIT_API int virtkit_volume_upload(virtkit_volume *vol, virtkit_stream *st,
                                      unsigned long long offset, unsigned long long length,
                                      unsigned int flags)
{
    VK_ENTRY_OBJ_RW(vol, flags, 0, -1);
    return volume_transfer(vol, st, offset, length, flags, 1, __func__);
}

VIRTKIT_API int virtkit_volume_download(virtkit_volume *vol, virtkit_stream *st,
                                        unsigned long long offset, unsigned long long length,
                                        unsigned int flags)
{
    VK_ENTRY_OBJ(vol, flags, 0, -1);
    return volume_transfer(vol, st, offset, length, flags, 0, __func__);
}
