/*
 * evlog.c: see evlog.h.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "evlog.h"
#include "fileutil.h"
#include "log.h"
#include "protocol.h"

#define COALESCE_MS 200
#define COALESCE_SCAN 64
#define MAX_FILE (64u << 20)

typedef struct entry {
    uint64_t seq;
    uint64_t origin;
    bool has_hub;           /* a hub's copy is (or became) this entry */
    int64_t t_ms;
    char *key;
    vk_event ev;
} entry;

struct vk_evlog {
    pthread_mutex_t lock;
    entry *ring;
    size_t cap, head, n;    /* oldest at head */
    uint64_t last;          /* last number issued */
    uint64_t floor;         /* numbers <= floor are not (all) kept */
    char *path;
    char **keys;            /* NULL-terminated */
};

static void entry_clear(entry *e)
{
    free(e->key);
    vk_event_clear(&e->ev);
    memset(e, 0, sizeof(*e));
}

static entry *nth(vk_evlog *l, size_t i)
{
    return &l->ring[(l->head + i) % l->cap];
}

static void copy_event(vk_event *dst, const vk_event *src)
{
    *dst = *src;
    dst->obj.name = vk_strdup(src->obj.name);
    dst->str1 = vk_strdup(src->str1);
    dst->str2 = vk_strdup(src->str2);
    dst->str3 = vk_strdup(src->str3);
}

/* Keep a copy; evict the oldest when full (its number becomes the floor). */
static void push(vk_evlog *l, uint64_t seq, uint64_t origin, int64_t t, const char *key,
                 const vk_event *ev)
{
    if (l->n == l->cap) {
        entry *old = nth(l, 0);
        if (old->seq > l->floor)
            l->floor = old->seq;
        entry_clear(old);
        l->head = (l->head + 1) % l->cap;
        l->n--;
    }
    entry *e = nth(l, l->n++);
    e->seq = seq;
    e->origin = origin;
    e->has_hub = origin == 0;
    e->t_ms = t;
    e->key = vk_strdup(key);
    copy_event(&e->ev, ev);
}

static void load(vk_evlog *l)
{
    if (!l->path || !vk_file_exists(l->path))
        return;
    size_t len = 0;
    VK_AUTOFREE(char *) data = vk_file_read(l->path, MAX_FILE, &len);
    VkEventBacklog *b = data ? vk_event_backlog__unpack(NULL, len, (uint8_t *)data) : NULL;
    if (!b) {
        VK_WARN("events", "cannot read the event backlog '%s'%s%s: resuming clients will be "
                "told they missed events", l->path, data ? "" : ": ",
                data ? "" : vk_error_message());
        virtkit_error_clear();
        /* Unknown history: start past anything a client can have seen. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        l->last = l->floor = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
        return;
    }
    l->last = b->last_seq;
    l->floor = b->floor;
    for (size_t i = 0; i < b->n_keys; i++)
        vk_evlog_add_key(l, b->keys[i]);
    for (size_t i = 0; i < b->n_records; i++) {
        const VkEventRecord *r = b->records[i];
        const VkEvent *w = r->ev;
        vk_event ev = { .kind = (vk_event_kind)w->kind, .event = w->event, .detail = w->detail,
                        .str1 = w->str1, .str2 = w->str2, .str3 = w->str3 };
        if (vk_rpc_ref_from_wire(w->obj, &ev.obj) < 0) {
            virtkit_error_clear();
            continue;
        }
        push(l, w->seq, 0, 0, r->key, &ev);
        vk_ref_clear(&ev.obj);
    }
    if (!b->clean) {
        /* The previous daemon crashed: it may have issued numbers after its
         * last save. Jump well past them. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t now_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
        if (now_us > l->last)
            l->last = now_us;
        l->floor = l->last;
        VK_WARN("events", "the previous daemon did not stop cleanly: event numbers restart at "
                "%llu", (unsigned long long)l->last);
    }
    vk_event_backlog__free_unpacked(b, NULL);
}

vk_evlog *vk_evlog_new(size_t capacity, const char *path)
{
    vk_evlog *l = vk_alloc(sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    l->cap = capacity ? capacity : 1;
    l->ring = vk_alloc_n(l->cap, sizeof(entry));
    l->path = vk_strdup(path);
    load(l);
    return l;
}

void vk_evlog_free(vk_evlog *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        entry_clear(nth(l, i));
    free(l->ring);
    free(l->path);
    vk_strv_free(l->keys);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

int vk_evlog_save(vk_evlog *l, bool clean)
{
    if (!l->path)
        return 0;
    pthread_mutex_lock(&l->lock);
    VK_ARENA_STACK(a, 4096);
    VkEventBacklog b = VK_EVENT_BACKLOG__INIT;
    b.has_last_seq = b.has_floor = b.has_clean = 1;
    b.last_seq = l->last;
    b.floor = l->floor;
    b.clean = clean;
    b.n_keys = vk_strv_len(l->keys);
    b.keys = l->keys;
    b.n_records = l->n;
    b.records = vk_arena_alloc(&a, (l->n + 1) * sizeof(VkEventRecord *));
    for (size_t i = 0; i < l->n; i++) {
        entry *e = nth(l, i);
        VkEventRecord *r = vk_arena_alloc(&a, sizeof(*r));
        VkEvent *w = vk_arena_alloc(&a, sizeof(*w));
        VkRef *o = vk_arena_alloc(&a, sizeof(*o));
        vk_event_record__init(r);
        vk_event__init(w);
        vk_ref__init(o);
        vk_rpc_ref_to_wire(&e->ev.obj, o);
        w->kind = e->ev.kind;
        w->seq = e->seq;
        w->obj = o;
        w->has_event = w->has_detail = 1;
        w->event = e->ev.event;
        w->detail = e->ev.detail;
        w->str1 = e->ev.str1;
        w->str2 = e->ev.str2;
        w->str3 = e->ev.str3;
        r->key = e->key;
        r->ev = w;
        b.records[i] = r;
    }
    size_t len = vk_event_backlog__get_packed_size(&b);
    VK_AUTOFREE(uint8_t *) buf = vk_alloc(len + 1);
    vk_event_backlog__pack(&b, buf);
    pthread_mutex_unlock(&l->lock);
    if (vk_file_write_atomic(l->path, (const char *)buf, len, 0600) < 0) {
        VK_WARN("events", "cannot save the event backlog: %s", vk_error_message());
        return -1;
    }
    return 0;
}

static bool same_event(const vk_event *a, const vk_event *b)
{
    return a->kind == b->kind && a->event == b->event && a->detail == b->detail &&
           a->obj.id == b->obj.id && memcmp(a->obj.uuid, b->obj.uuid, 16) == 0 &&
           vk_streq(a->obj.name, b->obj.name) && vk_streq(a->str1, b->str1) &&
           vk_streq(a->str2, b->str2) && vk_streq(a->str3, b->str3);
}

uint64_t vk_evlog_record(vk_evlog *l, const char *key, uint64_t origin, uint64_t after,
                         const vk_event *ev)
{
    int64_t now = vk_now_ms();
    pthread_mutex_lock(&l->lock);
    /* One event seen by a hub and by clients of a shared driver: the hub's
     * copy joins a client's entry, a client's copy joins a hub's entry.
     * Clients' copies never join each other: their connections may have
     * private state (the test driver), where equal events are distinct. */
    for (size_t k = 0; k < l->n && k < COALESCE_SCAN; k++) {
        entry *e = nth(l, l->n - 1 - k);
        if (now - e->t_ms > COALESCE_MS || e->seq <= after)
            break;
        if (!vk_streq(e->key, key) || !same_event(&e->ev, ev))
            continue;
        if (origin == 0 ? (!e->has_hub) : (e->has_hub && e->origin != origin)) {
            uint64_t seq = e->seq;
            e->has_hub = true;
            if (origin)
                e->origin = origin;
            pthread_mutex_unlock(&l->lock);
            return seq;
        }
    }
    uint64_t seq = ++l->last;
    push(l, seq, origin, now, key, ev);
    pthread_mutex_unlock(&l->lock);
    return seq;
}

void vk_evlog_add_key(vk_evlog *l, const char *key)
{
    pthread_mutex_lock(&l->lock);
    if (!vk_strv_contains((const char *const *)l->keys, key)) {
        size_t n = vk_strv_len(l->keys);
        l->keys = vk_realloc(l->keys, (n + 2) * sizeof(char *));
        l->keys[n] = vk_strdup(key);
        l->keys[n + 1] = NULL;
    }
    pthread_mutex_unlock(&l->lock);
}

char **vk_evlog_keys(vk_evlog *l)
{
    pthread_mutex_lock(&l->lock);
    size_t n = vk_strv_len(l->keys);
    char **v = vk_alloc_n(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        v[i] = vk_strdup(l->keys[i]);
    pthread_mutex_unlock(&l->lock);
    return v;
}

uint64_t vk_evlog_last(vk_evlog *l)
{
    pthread_mutex_lock(&l->lock);
    uint64_t v = l->last;
    pthread_mutex_unlock(&l->lock);
    return v;
}

int vk_evlog_check_resume(vk_evlog *l, uint64_t from)
{
    pthread_mutex_lock(&l->lock);
    uint64_t last = l->last, floor = l->floor;
    size_t cap = l->cap;
    pthread_mutex_unlock(&l->lock);
    if (from > last) {
        vk_error_set(VIRTKIT_ERR_EVENTS_MISSED, VIRTKIT_SUB_EVENT,
                     "cannot resume events after %llu: the daemon's last event is %llu (it lost "
                     "its event history); reopen without resume_events and resynchronise",
                     (unsigned long long)from, (unsigned long long)last);
        return -1;
    }
    if (from < floor) {
        vk_error_set(VIRTKIT_ERR_EVENTS_MISSED, VIRTKIT_SUB_EVENT,
                     "cannot resume events after %llu: events up to %llu are no longer kept "
                     "(the daemon keeps the last %zu); reopen without resume_events and "
                     "resynchronise", (unsigned long long)from, (unsigned long long)floor, cap);
        return -1;
    }
    return 0;
}

size_t vk_evlog_replay(vk_evlog *l, const char *key, vk_event_kind kind, uint64_t from,
                       void (*fn)(void *opaque, uint64_t seq, const vk_event *ev), void *opaque)
{
    size_t k = 0;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->n; i++) {
        entry *e = nth(l, i);
        if (e->seq > from && e->ev.kind == kind && vk_streq(e->key, key)) {
            fn(opaque, e->seq, &e->ev);
            k++;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return k;
}
