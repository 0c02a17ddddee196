/*
 * test_storage.c: storage pools and volumes of the test hypervisor. A
 * volume's contents live in a memfd (sparse, so a 10 GiB volume costs
 * nothing until written), which makes upload and download real byte
 * transfers through streams without touching the host's disks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define ERR(code, ...) H->error(code, VIRTKIT_SUB_STORAGE, __VA_ARGS__)
#define DEFAULT_POOL_BYTES (100ULL << 30)

static void vol_free(test_vol *v)
{
    if (!v)
        return;
    if (v->fd >= 0)
        close(v->fd);
    H->free(v->name);
    H->free(v->key);
    H->def->free(v->def);
    H->free(v);
}

#define POOL(o) ((test_pool *)(o))

static void pool_free(test_obj *o)
{
    if (!o)
        return;
    test_pool *p = POOL(o);
    for (size_t i = 0; i < p->nvols; i++)
        vol_free(p->vols[i]);
    H->free(p->vols);
    H->free(o->name);
    H->def->free(o->def);
    H->free(o);
}

void test_pools_init(test_set *s)
{
    *s = (test_set){ .what = "storage pool", .no_object_code = VIRTKIT_ERR_NO_POOL,
                     .subsystem = VIRTKIT_SUB_STORAGE, .free = pool_free,
                     .emit = H->pool_event_lifecycle };
}

static const char *pool_path(const test_pool *p)
{
    const char *t = H->def->get(p->base.def, "target/path");
    return t ? t : "/test-pool";
}

static unsigned long long vol_allocation(const test_vol *v)
{
    struct stat st;
    return fstat(v->fd, &st) == 0 ? (unsigned long long)st.st_blocks * 512ULL : 0;
}

static unsigned long long pool_allocation(const test_pool *p)
{
    unsigned long long a = 0;
    for (size_t i = 0; i < p->nvols; i++)
        a += p->vols[i]->capacity;
    return a;
}

static int pool_add(vkp_conn *c, vkp_def *def, bool persistent, test_pool **out)
{
    test_obj *o;
    if (test_set_put(&c->pools, def, sizeof(test_pool), true, &o) < 0)
        return -1;
    uint64_t cap = 0;
    POOL(o)->capacity =
        H->def->get_u64(def, "capacity", &cap) > 0 && cap ? cap : DEFAULT_POOL_BYTES;
    o->persistent = o->persistent || persistent;
    *out = POOL(o);
    return 0;
}

int test_pool_load(vkp_conn *c, vkp_def *def, bool active)
{
    test_pool *p;
    if (pool_add(c, def, true, &p) < 0)
        return -1;
    p->base.active = active;
    return 0;
}

static int t_list_all_pools(vkp_conn *c, vkp_ref **refs, unsigned int flags)
{
    return test_set_list(c, &c->pools, refs, flags);
}

static int t_lookup_pool(vkp_conn *c, const char *name, const unsigned char *uuid, vkp_ref *out)
{
    return test_set_lookup(c, &c->pools, name, uuid, out);
}

static int define_or_create(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out,
                            bool create)
{
    vkp_def *def = NULL;
    if (H->def->parse(VKP_DEF_POOL, xml, (flags & 1) ? VKP_DEF_PARSE_VALIDATE : 0, &def) < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    test_pool *p;
    int r = pool_add(c, def, !create, &p);
    if (r == 0) {
        p->base.active |= create;
        test_set_emit(c, &c->pools, &p->base,
                      create ? VIRTKIT_POOL_EVENT_STARTED : VIRTKIT_POOL_EVENT_DEFINED);
        test_ref_fill(out, p->base.name, p->base.uuid, -1);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_pool_define(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    return define_or_create(c, xml, flags, out, false);
}

static int t_pool_create_xml(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    return define_or_create(c, xml, flags, out, true);
}

/* Find the pool and check it is (in)active as needed (-1: either). */
static test_pool *pool_for(vkp_conn *c, const vkp_ref *ref, int want_active)
{
    test_obj *o = test_set_find_ref(&c->pools, ref);
    if (o && want_active >= 0 && o->active != (bool)want_active) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "storage pool '%s' is %s", o->name,
            o->active ? "active" : "not active");
        return NULL;
    }
    return POOL(o);
}

static int t_pool_undefine(vkp_conn *c, const vkp_ref *ref)
{
    return test_set_undefine(c, &c->pools, ref, VIRTKIT_POOL_EVENT_UNDEFINED);
}

static int t_pool_build(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 0);
    if (p)
        test_set_emit(c, &c->pools, &p->base, VIRTKIT_POOL_EVENT_CREATED);
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_create(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 0);
    if (p) {
        p->base.active = true;
        test_set_emit(c, &c->pools, &p->base, VIRTKIT_POOL_EVENT_STARTED);
    }
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_destroy(vkp_conn *c, const vkp_ref *ref)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 1);
    if (p) {
        p->base.active = false;
        test_set_emit(c, &c->pools, &p->base, VIRTKIT_POOL_EVENT_STOPPED);
        if (!p->base.persistent)
            test_set_remove(&c->pools, &p->base);
    }
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_delete(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 0);
    if (p) {
        for (size_t i = 0; i < p->nvols; i++)
            vol_free(p->vols[i]);
        p->nvols = 0;
        test_set_emit(c, &c->pools, &p->base, VIRTKIT_POOL_EVENT_DELETED);
    }
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_refresh(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 1);
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_get_info(vkp_conn *c, const vkp_ref *ref, virtkit_pool_info *info)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, -1);
    if (p) {
        unsigned long long alloc = pool_allocation(p);
        info->state = p->base.active ? VIRTKIT_POOL_RUNNING : VIRTKIT_POOL_INACTIVE;
        info->capacity = p->capacity;
        info->allocation = p->base.active ? alloc : 0;
        info->available = p->base.active && p->capacity > alloc ? p->capacity - alloc : 0;
    }
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

/* Set a byte count element of a definition ("capacity", "allocation"). */
static void set_bytes(vkp_def *d, const char *elem, unsigned long long v)
{
    char buf[32], unit[48];
    snprintf(buf, sizeof(buf), "%llu", v);
    snprintf(unit, sizeof(unit), "%s/@unit", elem);
    H->def->set(d, elem, buf);
    H->def->set(d, unit, "bytes");
}

static char *t_pool_get_xml(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    char *x = NULL;
    test_pool *p = pool_for(c, ref, -1);
    if (p) {
        unsigned long long alloc = pool_allocation(p);
        vkp_def *d = H->def->copy(p->base.def);
        set_bytes(d, "capacity", p->capacity);
        set_bytes(d, "allocation", alloc);
        set_bytes(d, "available", p->capacity > alloc ? p->capacity - alloc : 0);
        x = H->def->format(d, (flags & VIRTKIT_DOMAIN_XML_AS_WRITTEN) ? VKP_DEF_FORMAT_AS_WRITTEN
                                                                       : 0);
        H->def->free(d);
    }
    pthread_mutex_unlock(&c->lock);
    return x;
}

static int t_pool_is_active(vkp_conn *c, const vkp_ref *ref)
{
    return test_set_flag(c, &c->pools, ref, offsetof(test_obj, active));
}

static int t_pool_is_persistent(vkp_conn *c, const vkp_ref *ref)
{
    return test_set_flag(c, &c->pools, ref, offsetof(test_obj, persistent));
}

static int t_pool_get_autostart(vkp_conn *c, const vkp_ref *ref, int *autostart)
{
    return test_set_get_autostart(c, &c->pools, ref, autostart);
}

static int t_pool_set_autostart(vkp_conn *c, const vkp_ref *ref, int autostart)
{
    return test_set_set_autostart(c, &c->pools, ref, autostart);
}

/* ------------------------------------------------------------- volumes -- */

static void volref_fill(vkp_volref *out, const test_pool *p, const test_vol *v)
{
    out->pool = H->strdup(p->base.name);
    out->name = H->strdup(v->name);
    out->key = H->strdup(v->key);
}

static test_vol *find_vol(test_pool *p, const char *name)
{
    for (size_t i = 0; i < p->nvols; i++)
        if (strcmp(p->vols[i]->name, name) == 0)
            return p->vols[i];
    return NULL;
}

/* The volume a reference names, in an active pool. */
static test_vol *vol_for(vkp_conn *c, const vkp_volref *ref, test_pool **pool_out)
{
    test_pool *p = POOL(test_set_find(&c->pools, ref->pool, NULL));
    if (!p || !p->base.active) {
        ERR(p ? VIRTKIT_ERR_OPERATION_INVALID : VIRTKIT_ERR_NO_POOL,
            "storage pool '%s' %s", ref->pool, p ? "is not active" : "does not exist");
        return NULL;
    }
    test_vol *v = find_vol(p, ref->name);
    if (!v)
        ERR(VIRTKIT_ERR_NO_VOLUME, "no volume '%s' in storage pool '%s'", ref->name, ref->pool);
    if (pool_out)
        *pool_out = p;
    return v;
}

int test_vol_load(vkp_conn *c, test_pool *p, vkp_def *def)
{
    const char *name = H->def->get(def, "name");
    if (find_vol(p, name)) {
        ERR(VIRTKIT_ERR_DUPLICATE, "storage pool '%s' already has a volume '%s'", p->base.name,
            name);
        H->def->free(def);
        return -1;
    }
    uint64_t cap = 0;
    H->def->get_u64(def, "capacity", &cap);
    if (pool_allocation(p) + cap > p->capacity) {
        ERR(VIRTKIT_ERR_OPERATION_FAILED,
            "volume '%s' (%llu bytes) does not fit in storage pool '%s' (%llu bytes free)", name,
            (unsigned long long)cap, p->base.name, p->capacity - pool_allocation(p));
        H->def->free(def);
        return -1;
    }
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)cap) < 0) {
        H->error_system(errno, VIRTKIT_SUB_STORAGE, "cannot back volume '%s'", name);
        if (fd >= 0)
            close(fd);
        H->def->free(def);
        return -1;
    }
    test_vol *v = H->alloc(sizeof(*v));
    v->name = H->strdup(name);
    v->key = H->asprintf("%s/%s", pool_path(p), name);
    v->def = def;
    v->fd = fd;
    v->capacity = cap;
    H->def->set(def, "key", v->key);
    H->def->set(def, "target/path", v->key);
    TEST_GROW(p->vols, p->vols_cap, p->nvols);
    p->vols[p->nvols++] = v;
    return 0;
}

static int t_list_all_volumes(vkp_conn *c, const vkp_ref *ref, vkp_volref **vols,
                              unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int n = -1;
    test_pool *p = pool_for(c, ref, 1);
    if (p) {
        vkp_volref *out = H->alloc((p->nvols + 1) * sizeof(*out));
        for (size_t i = 0; i < p->nvols; i++)
            volref_fill(&out[i], p, p->vols[i]);
        *vols = out;
        n = (int)p->nvols;
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

static int t_lookup_volume(vkp_conn *c, const char *pool, const char *name, const char *key,
                           const char *path, vkp_volref *out)
{
    pthread_mutex_lock(&c->lock);
    const char *want = key ? key : path;
    for (size_t i = 0; i < c->pools.n; i++) {
        test_pool *p = POOL(c->pools.items[i]);
        if (!p->base.active || (pool && strcmp(p->base.name, pool) != 0))
            continue;
        for (size_t j = 0; j < p->nvols; j++) {
            test_vol *v = p->vols[j];
            if ((name && strcmp(v->name, name) == 0) || (want && strcmp(v->key, want) == 0)) {
                volref_fill(out, p, v);
                pthread_mutex_unlock(&c->lock);
                return 0;
            }
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (name)
        ERR(VIRTKIT_ERR_NO_VOLUME, "no volume '%s' in storage pool '%s'", name, pool ? pool : "?");
    else
        ERR(VIRTKIT_ERR_NO_VOLUME, "no volume with %s '%s'", key ? "key" : "path", want);
    return -1;
}

static int copy_fd(int from, int to, const char *what)
{
    char buf[65536];
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(from, buf, sizeof(buf), off);
        if (n < 0) {
            H->error_system(errno, VIRTKIT_SUB_STORAGE, "cannot read %s", what);
            return -1;
        }
        if (n == 0)
            return 0;
        if (pwrite(to, buf, (size_t)n, off) != n) {
            H->error_system(errno, VIRTKIT_SUB_STORAGE, "cannot write %s", what);
            return -1;
        }
        off += n;
    }
}

static int t_volume_create_xml(vkp_conn *c, const vkp_ref *pref, const char *xml,
                               const vkp_volref *clone_of, unsigned int flags, vkp_volref *out)
{
    vkp_def *def = NULL;
    if (H->def->parse(VKP_DEF_VOLUME, xml, 0, &def) < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_pool *p = pool_for(c, pref, 1);
    test_vol *src = NULL;
    if (!p || (clone_of && !(src = vol_for(c, clone_of, NULL)))) {
        H->def->free(def);
        goto out;
    }
    if (src) {
        uint64_t cap = 0;
        if (H->def->get_u64(def, "capacity", &cap) <= 0) {
            char buf[32];
            snprintf(buf, sizeof(buf), "%llu", src->capacity);
            H->def->set(def, "capacity", buf);
        }
    }
    if (test_vol_load(c, p, def) < 0)
        goto out;
    test_vol *v = p->vols[p->nvols - 1];
    if (src && copy_fd(src->fd, v->fd, "the source volume") < 0) {
        vol_free(v);
        p->nvols--;
        goto out;
    }
    volref_fill(out, p, v);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_volume_delete(vkp_conn *c, const vkp_volref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p;
    test_vol *v = vol_for(c, ref, &p);
    if (v) {
        for (size_t i = 0; i < p->nvols; i++) {
            if (p->vols[i] == v) {
                memmove(&p->vols[i], &p->vols[i + 1], (p->nvols - i - 1) * sizeof(*p->vols));
                p->nvols--;
                break;
            }
        }
        vol_free(v);
    }
    pthread_mutex_unlock(&c->lock);
    return v ? 0 : -1;
}

static int t_volume_wipe(vkp_conn *c, const vkp_volref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_vol *v = vol_for(c, ref, NULL);
    if (v) {
        if (ftruncate(v->fd, 0) < 0 || ftruncate(v->fd, (off_t)v->capacity) < 0)
            H->error_system(errno, VIRTKIT_SUB_STORAGE, "cannot wipe volume '%s'", v->name);
        else
            r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_volume_resize(vkp_conn *c, const vkp_volref *ref, unsigned long long capacity,
                           unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_pool *p;
    test_vol *v = vol_for(c, ref, &p);
    if (!v)
        goto out;
    if (capacity < v->capacity) {
        ERR(VIRTKIT_ERR_INVALID_ARG, "volume '%s': shrinking from %llu to %llu bytes is refused",
            v->name, v->capacity, capacity);
        goto out;
    }
    if (pool_allocation(p) - v->capacity + capacity > p->capacity) {
        ERR(VIRTKIT_ERR_OPERATION_FAILED,
            "volume '%s': storage pool '%s' has no room for %llu bytes", v->name, p->base.name,
            capacity);
        goto out;
    }
    if (ftruncate(v->fd, (off_t)capacity) < 0) {
        H->error_system(errno, VIRTKIT_SUB_STORAGE, "cannot resize volume '%s'", v->name);
        goto out;
    }
    v->capacity = capacity;
    set_bytes(v->def, "capacity", capacity);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_volume_get_info(vkp_conn *c, const vkp_volref *ref, virtkit_volume_info *info)
{
    pthread_mutex_lock(&c->lock);
    test_vol *v = vol_for(c, ref, NULL);
    if (v) {
        info->type = VIRTKIT_VOLUME_FILE;
        info->capacity = v->capacity;
        info->allocation = vol_allocation(v);
    }
    pthread_mutex_unlock(&c->lock);
    return v ? 0 : -1;
}

static char *t_volume_get_xml(vkp_conn *c, const vkp_volref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    char *x = NULL;
    test_vol *v = vol_for(c, ref, NULL);
    if (v) {
        vkp_def *d = H->def->copy(v->def);
        set_bytes(d, "allocation", vol_allocation(v));
        x = H->def->format(d, 0);
        H->def->free(d);
    }
    pthread_mutex_unlock(&c->lock);
    return x;
}

static char *t_volume_get_path(vkp_conn *c, const vkp_volref *ref)
{
    pthread_mutex_lock(&c->lock);
    test_vol *v = vol_for(c, ref, NULL);
    char *p = v ? H->strdup(v->key) : NULL;
    pthread_mutex_unlock(&c->lock);
    return p;
}

static int t_volume_open_fd(vkp_conn *c, const vkp_volref *ref, int for_write,
                            unsigned long long offset, unsigned long long length,
                            unsigned int flags, int *fd)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_vol *v = vol_for(c, ref, NULL);
    if (!v)
        goto out;
    if (offset > v->capacity || (length && offset + length > v->capacity)) {
        ERR(VIRTKIT_ERR_INVALID_ARG,
            "volume '%s': range %llu+%llu exceeds its capacity of %llu bytes", v->name, offset,
            length, v->capacity);
        goto out;
    }
    /* A fresh open file description, so the offset is the stream's own. */
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", v->fd);
    int nfd = open(proc, (for_write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (nfd < 0 || lseek(nfd, (off_t)offset, SEEK_SET) < 0) {
        H->error_system(errno, VIRTKIT_SUB_STORAGE, "cannot open volume '%s'", v->name);
        if (nfd >= 0)
            close(nfd);
        goto out;
    }
    *fd = nfd;
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static const char *const pool_types[] = { "dir", "fs", "netfs", "logical", "disk", NULL };

const vkp_storage_ops test_storage_ops = {
    .struct_size = sizeof(vkp_storage_ops),
    .pool_types = pool_types,
    .list_all_pools = t_list_all_pools,
    .lookup_pool = t_lookup_pool,
    .pool_define = t_pool_define,
    .pool_create_xml = t_pool_create_xml,
    .pool_undefine = t_pool_undefine,
    .pool_build = t_pool_build,
    .pool_create = t_pool_create,
    .pool_destroy = t_pool_destroy,
    .pool_delete = t_pool_delete,
    .pool_refresh = t_pool_refresh,
    .pool_get_info = t_pool_get_info,
    .pool_get_xml = t_pool_get_xml,
    .pool_is_active = t_pool_is_active,
    .pool_is_persistent = t_pool_is_persistent,
    .pool_get_autostart = t_pool_get_autostart,
    .pool_set_autostart = t_pool_set_autostart,
    .list_all_volumes = t_list_all_volumes,
    .lookup_volume = t_lookup_volume,
    .volume_create_xml = t_volume_create_xml,
    .volume_delete = t_volume_delete,
    .volume_wipe = t_volume_wipe,
    .volume_resize = t_volume_resize,
    .volume_get_info = t_volume_get_info,
    .volume_get_xml = t_volume_get_xml,
    .volume_get_path = t_volume_get_path,
    .volume_open_fd = t_volume_open_fd,
};
