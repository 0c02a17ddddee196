/*
 * qemu_watch.c: the watcher thread of a driver: one poll() over every
 * QMP socket and pidfd of its domains.
 *
 * The plugin cannot rely on the application's event loop (an embedding
 * program may never run one), so each driver owns this thread. Callbacks
 * run in it, one at a time, without the watcher's lock held. Removing a
 * watch waits until its callback is no longer running, so the callback's
 * data can be freed right after qemu_watch_remove() returns; a callback
 * may remove its own watch (it then just does not run again).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>

#include "qemu.h"
#include "vkc_file.h"

typedef struct watch {
    int id;
    int fd;
    short events;
    qemu_watch_cb cb;
    void *opaque;
    bool dead;
} watch;

struct qemu_watcher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int wake[2];
    watch **items;
    size_t n, cap;
    int next_id;
    int running_id;     /* the watch whose callback runs now, 0: none */
    bool quit;
    char *label;
};

static void wake(qemu_watcher *w)
{
    char c = 1;
    ssize_t r = write(w->wake[1], &c, 1);
    (void)r;
}

static watch *find(qemu_watcher *w, int id)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->items[i]->id == id)
            return w->items[i];
    return NULL;
}

static void compact(qemu_watcher *w)
{
    size_t j = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (w->items[i]->dead)
            free(w->items[i]);
        else
            w->items[j++] = w->items[i];
    }
    w->n = j;
}

static void *watcher_main(void *arg)
{
    qemu_watcher *w = arg;
    struct pollfd *pfds = NULL;
    int *ids = NULL;
    size_t cap = 0;
    pthread_mutex_lock(&w->lock);
    while (!w->quit) {
        compact(w);
        if (w->n + 1 > cap) {
            cap = w->n + 16;
            pfds = H->realloc(pfds, cap * sizeof(*pfds));
            ids = H->realloc(ids, cap * sizeof(*ids));
        }
        pfds[0] = (struct pollfd){ .fd = w->wake[0], .events = POLLIN };
        size_t np = 1;
        for (size_t i = 0; i < w->n; i++) {
            pfds[np] = (struct pollfd){ .fd = w->items[i]->fd, .events = w->items[i]->events };
            ids[np++] = w->items[i]->id;
        }
        pthread_mutex_unlock(&w->lock);
        int r = poll(pfds, np, -1);
        if (r < 0 && errno != EINTR)
            VKC_WARN("watcher %s: poll failed: %s", w->label, strerror(errno));
        if (pfds[0].revents) {
            char buf[64];
            while (read(w->wake[0], buf, sizeof(buf)) > 0)
                ;
        }
        pthread_mutex_lock(&w->lock);
        for (size_t i = 1; r > 0 && i < np && !w->quit; i++) {
            if (!pfds[i].revents)
                continue;
            watch *wt = find(w, ids[i]);
            if (!wt || wt->dead)
                continue;
            w->running_id = wt->id;
            qemu_watch_cb cb = wt->cb;
            void *opaque = wt->opaque;
            int fd = wt->fd;
            pthread_mutex_unlock(&w->lock);
            cb(fd, pfds[i].revents, opaque);
            pthread_mutex_lock(&w->lock);
            w->running_id = 0;
            pthread_cond_broadcast(&w->cond);
        }
    }
    pthread_mutex_unlock(&w->lock);
    free(pfds);
    free(ids);
    return NULL;
}

qemu_watcher *qemu_watcher_new(const char *label)
{
    qemu_watcher *w = vkc_alloc(sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->label = vkc_strdup(label);
    w->next_id = 1;
    if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        vkc_error_system(errno, "cannot create the watcher's pipe");
        free(w->label);
        free(w);
        return NULL;
    }
    /* The thread must not take the application's signals. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int r = pthread_create(&w->thread, NULL, watcher_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        vkc_error_system(r, "cannot start the watcher thread");
        close(w->wake[0]);
        close(w->wake[1]);
        free(w->label);
        free(w);
        return NULL;
    }
    return w;
}

int qemu_watch_add(qemu_watcher *w, int fd, short events, qemu_watch_cb cb, void *opaque)
{
    watch *wt = vkc_alloc(sizeof(*wt));
    wt->fd = fd;
    wt->events = events;
    wt->cb = cb;
    wt->opaque = opaque;
    pthread_mutex_lock(&w->lock);
    wt->id = w->next_id++;
    VKC_GROW(w->items, w->cap, w->n);
    w->items[w->n++] = wt;
    int id = wt->id;
    pthread_mutex_unlock(&w->lock);
    wake(w);
    return id;
}

bool qemu_watcher_is_self(qemu_watcher *w)
{
    return pthread_equal(pthread_self(), w->thread);
}

void qemu_watch_remove(qemu_watcher *w, int id)
{
    if (id <= 0)
        return;
    pthread_mutex_lock(&w->lock);
    watch *wt = find(w, id);
    if (wt)
        wt->dead = true;
    if (!qemu_watcher_is_self(w))
        while (w->running_id == id)
            pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
    wake(w);
}

void qemu_watcher_free(qemu_watcher *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_mutex_unlock(&w->lock);
    wake(w);
    pthread_join(w->thread, NULL);
    for (size_t i = 0; i < w->n; i++)
        free(w->items[i]);
    free(w->items);
    close(w->wake[0]);
    close(w->wake[1]);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w->label);
    free(w);
}
