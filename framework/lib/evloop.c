/*
 * evloop.c: the default event loop and the registration of an
 * application's own.
 *
 * Design: handles and timers live in two arrays guarded by one mutex.
 * run_once snapshots the enabled fds into a pollfd array, polls without
 * the lock, then dispatches callbacks one at a time with the lock
 * released, re-checking that each watch still exists (a callback may
 * remove any watch, including its own). Removal only marks an entry
 * deleted; the free callbacks run at the end of the iteration, outside
 * any dispatch, so a callback never sees its opaque freed under it. A
 * self-pipe wakes poll when another thread changes the sets.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "error.h"
#include "evloop.h"
#include "fileutil.h"

/* ----------------------------------------------------- registered impl -- */
static pthread_rwlock_t impl_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct {
    virtkit_event_add_handle_fn add_handle;
    virtkit_event_update_handle_fn update_handle;
    virtkit_event_remove_handle_fn remove_handle;
    virtkit_event_add_timeout_fn add_timeout;
    virtkit_event_update_timeout_fn update_timeout;
    virtkit_event_remove_timeout_fn remove_timeout;
} impl;

VIRTKIT_API void virtkit_event_register_impl(virtkit_event_add_handle_fn add_handle,
                                             virtkit_event_update_handle_fn update_handle,
                                             virtkit_event_remove_handle_fn remove_handle,
                                             virtkit_event_add_timeout_fn add_timeout,
                                             virtkit_event_update_timeout_fn update_timeout,
                                             virtkit_event_remove_timeout_fn remove_timeout)
{
    pthread_rwlock_wrlock(&impl_lock);
    impl.add_handle = add_handle;
    impl.update_handle = update_handle;
    impl.remove_handle = remove_handle;
    impl.add_timeout = add_timeout;
    impl.update_timeout = update_timeout;
    impl.remove_timeout = remove_timeout;
    pthread_rwlock_unlock(&impl_lock);
}

bool vk_event_have_impl(void)
{
    pthread_rwlock_rdlock(&impl_lock);
    bool r = impl.add_handle && impl.add_timeout;
    pthread_rwlock_unlock(&impl_lock);
    return r;
}

static int no_impl(void)
{
    vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_EVENT,
                 "no event loop registered: call virtkit_event_register_default_impl() or "
                 "virtkit_event_register_impl() first");
    return -1;
}

#define IMPL_CALL(fn, ...)                                                              \
    ({                                                                                  \
        pthread_rwlock_rdlock(&impl_lock);                                              \
        __typeof__(impl.fn) f_ = impl.fn;                                               \
        pthread_rwlock_unlock(&impl_lock);                                              \
        f_;                                                                             \
    })

int vk_event_add_handle(int fd, int events, virtkit_event_handle_cb cb, void *opaque,
                        virtkit_free_cb ff)
{
    virtkit_event_add_handle_fn f = IMPL_CALL(add_handle);
    return f ? f(fd, events, cb, opaque, ff) : no_impl();
}

void vk_event_update_handle(int watch, int events)
{
    virtkit_event_update_handle_fn f = IMPL_CALL(update_handle);
    if (f)
        f(watch, events);
}

int vk_event_remove_handle(int watch)
{
    virtkit_event_remove_handle_fn f = IMPL_CALL(remove_handle);
    return f ? f(watch) : no_impl();
}

int vk_event_add_timeout(int timeout_ms, virtkit_event_timeout_cb cb, void *opaque,
                         virtkit_free_cb ff)
{
    virtkit_event_add_timeout_fn f = IMPL_CALL(add_timeout);
    return f ? f(timeout_ms, cb, opaque, ff) : no_impl();
}

void vk_event_update_timeout(int timer, int timeout_ms)
{
    virtkit_event_update_timeout_fn f = IMPL_CALL(update_timeout);
    if (f)
        f(timer, timeout_ms);
}

int vk_event_remove_timeout(int timer)
{
    virtkit_event_remove_timeout_fn f = IMPL_CALL(remove_timeout);
    return f ? f(timer) : no_impl();
}

VIRTKIT_API int virtkit_event_add_handle(int fd, int events, virtkit_event_handle_cb cb,
                                         void *opaque, virtkit_free_cb ff)
{
    return vk_event_add_handle(fd, events, cb, opaque, ff);
}
VIRTKIT_API void virtkit_event_update_handle(int watch, int events)
{
    vk_event_update_handle(watch, events);
}
VIRTKIT_API int virtkit_event_remove_handle(int watch)
{
    return vk_event_remove_handle(watch);
}
VIRTKIT_API int virtkit_event_add_timeout(int timeout_ms, virtkit_event_timeout_cb cb,
                                          void *opaque, virtkit_free_cb ff)
{
    return vk_event_add_timeout(timeout_ms, cb, opaque, ff);
}
VIRTKIT_API void virtkit_event_update_timeout(int timer, int timeout_ms)
{
    vk_event_update_timeout(timer, timeout_ms);
}
VIRTKIT_API int virtkit_event_remove_timeout(int timer)
{
    return vk_event_remove_timeout(timer);
}

/* ----------------------------------------------------- default impl -- */
typedef struct {
    int watch;
    int fd;
    int events;
    virtkit_event_handle_cb cb;
    void *opaque;
    virtkit_free_cb ff;
    bool deleted;
} loop_handle;

typedef struct {
    int timer;
    int interval;       /* -1 disabled */
    int64_t expires_ms;
    virtkit_event_timeout_cb cb;
    void *opaque;
    virtkit_free_cb ff;
    bool deleted;
} loop_timer;

static struct {
    pthread_mutex_t lock;
    loop_handle *handles;
    size_t nhandles, handles_cap;
    loop_timer *timers;
    size_t ntimers, timers_cap;
    int next_watch, next_timer;
    int wake[2];
    bool running;
    pthread_t leader;
} loop = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = { -1, -1 } };

void vk_evloop_default_wakeup(void)
{
    if (loop.wake[1] >= 0 && loop.running && !pthread_equal(loop.leader, pthread_self())) {
        char c = 0;
        ssize_t r = write(loop.wake[1], &c, 1);
        (void)r;
    }
}

static int to_poll(int events)
{
    int r = 0;
    if (events & VIRTKIT_EVENT_HANDLE_READABLE)
        r |= POLLIN;
    if (events & VIRTKIT_EVENT_HANDLE_WRITABLE)
        r |= POLLOUT;
    return r;
}

static int from_poll(int revents)
{
    int r = 0;
    if (revents & POLLIN)
        r |= VIRTKIT_EVENT_HANDLE_READABLE;
    if (revents & POLLOUT)
        r |= VIRTKIT_EVENT_HANDLE_WRITABLE;
    if (revents & (POLLERR | POLLNVAL))
        r |= VIRTKIT_EVENT_HANDLE_ERROR;
    if (revents & POLLHUP)
        r |= VIRTKIT_EVENT_HANDLE_HANGUP;
    return r;
}

static int def_add_handle(int fd, int events, virtkit_event_handle_cb cb, void *opaque,
                          virtkit_free_cb ff)
{
    pthread_mutex_lock(&loop.lock);
    VK_GROW(loop.handles, loop.handles_cap, loop.nhandles);
    loop_handle *h = &loop.handles[loop.nhandles++];
    *h = (loop_handle){ .watch = ++loop.next_watch, .fd = fd, .events = events, .cb = cb,
                        .opaque = opaque, .ff = ff };
    int w = h->watch;
    pthread_mutex_unlock(&loop.lock);
    vk_evloop_default_wakeup();
    return w;
}

static loop_handle *find_handle(int watch)
{
    for (size_t i = 0; i < loop.nhandles; i++)
        if (loop.handles[i].watch == watch && !loop.handles[i].deleted)
            return &loop.handles[i];
    return NULL;
}

static loop_timer *find_timer(int timer)
{
    for (size_t i = 0; i < loop.ntimers; i++)
        if (loop.timers[i].timer == timer && !loop.timers[i].deleted)
            return &loop.timers[i];
    return NULL;
}

static void def_update_handle(int watch, int events)
{
    pthread_mutex_lock(&loop.lock);
    loop_handle *h = find_handle(watch);
    if (h)
        h->events = events;
    pthread_mutex_unlock(&loop.lock);
    vk_evloop_default_wakeup();
}

static int def_remove_handle(int watch)
{
    pthread_mutex_lock(&loop.lock);
    loop_handle *h = find_handle(watch);
    if (h)
        h->deleted = true;
    pthread_mutex_unlock(&loop.lock);
    vk_evloop_default_wakeup();
    return h ? 0 : -1;
}

static int def_add_timeout(int timeout_ms, virtkit_event_timeout_cb cb, void *opaque,
                           virtkit_free_cb ff)
{
    pthread_mutex_lock(&loop.lock);
    VK_GROW(loop.timers, loop.timers_cap, loop.ntimers);
    loop_timer *t = &loop.timers[loop.ntimers++];
    *t = (loop_timer){ .timer = ++loop.next_timer, .interval = timeout_ms,
                       .expires_ms = vk_now_ms() + (timeout_ms > 0 ? timeout_ms : 0),
                       .cb = cb, .opaque = opaque, .ff = ff };
    int id = t->timer;
    pthread_mutex_unlock(&loop.lock);
    vk_evloop_default_wakeup();
    return id;
}

static void def_update_timeout(int timer, int timeout_ms)
{
    pthread_mutex_lock(&loop.lock);
    loop_timer *t = find_timer(timer);
    if (t) {
        t->interval = timeout_ms;
        t->expires_ms = vk_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    }
    pthread_mutex_unlock(&loop.lock);
    vk_evloop_default_wakeup();
}

static int def_remove_timeout(int timer)
{
    pthread_mutex_lock(&loop.lock);
    loop_timer *t = find_timer(timer);
    if (t)
        t->deleted = true;
    pthread_mutex_unlock(&loop.lock);
    vk_evloop_default_wakeup();
    return t ? 0 : -1;
}

/* Drop deleted entries and run their free callbacks, outside the lock. */
static void loop_cleanup(void)
{
    typedef struct {
        virtkit_free_cb ff;
        void *opaque;
    } pending_free;
    pending_free *frees = NULL;
    size_t nfree = 0, capfree = 0;

    pthread_mutex_lock(&loop.lock);
    size_t j = 0;
    for (size_t i = 0; i < loop.nhandles; i++) {
        if (loop.handles[i].deleted) {
            if (loop.handles[i].ff) {
                VK_GROW(frees, capfree, nfree);
                frees[nfree++] = (pending_free){ loop.handles[i].ff, loop.handles[i].opaque };
            }
        } else {
            loop.handles[j++] = loop.handles[i];
        }
    }
    loop.nhandles = j;
    j = 0;
    for (size_t i = 0; i < loop.ntimers; i++) {
        if (loop.timers[i].deleted) {
            if (loop.timers[i].ff) {
                VK_GROW(frees, capfree, nfree);
                frees[nfree++] = (pending_free){ loop.timers[i].ff, loop.timers[i].opaque };
            }
        } else {
            loop.timers[j++] = loop.timers[i];
        }
    }
    loop.ntimers = j;
    pthread_mutex_unlock(&loop.lock);
    for (size_t i = 0; i < nfree; i++)
        frees[i].ff(frees[i].opaque);
    free(frees);
}

int vk_evloop_default_run_once(void)
{
    struct pollfd *fds = NULL;
    int *watches = NULL;
    size_t nfds = 0;

    pthread_mutex_lock(&loop.lock);
    loop.running = true;
    loop.leader = pthread_self();
    fds = vk_alloc_n(loop.nhandles + 1, sizeof(*fds));
    watches = vk_alloc_n(loop.nhandles + 1, sizeof(*watches));
    fds[nfds].fd = loop.wake[0];
    fds[nfds].events = POLLIN;
    watches[nfds++] = 0;
    for (size_t i = 0; i < loop.nhandles; i++) {
        loop_handle *h = &loop.handles[i];
        if (h->deleted || h->fd < 0)
            continue;
        fds[nfds].fd = h->fd;
        fds[nfds].events = (short)to_poll(h->events);
        watches[nfds++] = h->watch;
    }
    int64_t now = vk_now_ms(), next = -1;
    for (size_t i = 0; i < loop.ntimers; i++) {
        loop_timer *t = &loop.timers[i];
        if (t->deleted || t->interval < 0)
            continue;
        if (next < 0 || t->expires_ms < next)
            next = t->expires_ms;
    }
    pthread_mutex_unlock(&loop.lock);

    int timeout = next < 0 ? -1 : (next <= now ? 0 : (int)(next - now));
    int n = poll(fds, nfds, timeout);
    if (n < 0 && errno != EINTR) {
        vk_error_system(errno, VIRTKIT_SUB_EVENT, "poll failed in the event loop");
        free(fds);
        free(watches);
        pthread_mutex_lock(&loop.lock);
        loop.running = false;
        pthread_mutex_unlock(&loop.lock);
        return -1;
    }

    /* Timers first: one that expired fires once, then re-arms. */
    now = vk_now_ms();
    pthread_mutex_lock(&loop.lock);
    for (size_t i = 0; i < loop.ntimers; i++) {
        loop_timer *t = &loop.timers[i];
        if (t->deleted || t->interval < 0 || t->expires_ms > now)
            continue;
        t->expires_ms = now + t->interval;
        int id = t->timer;
        virtkit_event_timeout_cb cb = t->cb;
        void *opaque = t->opaque;
        pthread_mutex_unlock(&loop.lock);
        cb(id, opaque);
        pthread_mutex_lock(&loop.lock);
    }
    pthread_mutex_unlock(&loop.lock);

    if (n > 0 && (fds[0].revents & POLLIN)) {
        char buf[64];
        while (read(loop.wake[0], buf, sizeof(buf)) > 0)
            ;
    }
    for (size_t i = 1; n > 0 && i < nfds; i++) {
        if (!fds[i].revents)
            continue;
        pthread_mutex_lock(&loop.lock);
        loop_handle *h = find_handle(watches[i]);
        virtkit_event_handle_cb cb = h ? h->cb : NULL;
        void *opaque = h ? h->opaque : NULL;
        int fd = h ? h->fd : -1;
        int wanted = h ? h->events : 0;
        pthread_mutex_unlock(&loop.lock);
        int ev = from_poll(fds[i].revents) &
                 (wanted | VIRTKIT_EVENT_HANDLE_ERROR | VIRTKIT_EVENT_HANDLE_HANGUP);
        if (cb && ev)
            cb(watches[i], fd, ev, opaque);
    }
    free(fds);
    free(watches);
    loop_cleanup();
    pthread_mutex_lock(&loop.lock);
    loop.running = false;
    pthread_mutex_unlock(&loop.lock);
    return 0;
}

VIRTKIT_API int virtkit_event_register_default_impl(void)
{
    pthread_mutex_lock(&loop.lock);
    if (loop.wake[0] < 0) {
        if (pipe2(loop.wake, O_CLOEXEC | O_NONBLOCK) < 0) {
            pthread_mutex_unlock(&loop.lock);
            vk_error_system(errno, VIRTKIT_SUB_EVENT, "cannot create the event loop wakeup pipe");
            return -1;
        }
    }
    pthread_mutex_unlock(&loop.lock);
    virtkit_event_register_impl(def_add_handle, def_update_handle, def_remove_handle,
                                def_add_timeout, def_update_timeout, def_remove_timeout);
    return 0;
}

VIRTKIT_API int virtkit_event_run_default_impl(void)
{
    if (loop.wake[0] < 0) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_EVENT,
                     "the default event loop is not registered");
        return -1;
    }
    virtkit_error_clear();
    return vk_evloop_default_run_once();
}
