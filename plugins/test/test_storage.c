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

void test_pool_free(test_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nvols; i++)
        vol_free(p->vols[i]);
    H->free(p->vols);
    H->free(p->name);
    H->def->free(p->def);
    H->free(p);
}

static void emit(vkp_conn *c, const test_pool *p, int event)
{
    vkp_ref r = { p->name, { 0 }, -1 };
    memcpy(r.uuid, p->uuid, 16);
    H->pool_event_lifecycle(c->ctx, &r, event, 0);
}

static test_pool *find(vkp_conn *c, const char *name, const unsigned char *uuid)
{
    for (size_t i = 0; i < c->npools; i++)
        if ((name && strcmp(c->pools[i]->name, name) == 0) ||
            (uuid && memcmp(c->pools[i]->uuid, uuid, 16) == 0))
            return c->pools[i];
    return NULL;
}

static test_pool *find_ref(vkp_conn *c, const vkp_ref *ref)
{
    test_pool *p = find(c, NULL, ref->uuid);
    if (!p)
        ERR(VIRTKIT_ERR_NO_POOL, "no storage pool '%s'", ref->name ? ref->name : "?");
    return p;
}

static const char *pool_path(const test_pool *p)
{
    const char *t = H->def->get(p->def, "target/path");
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
    char *name;
    unsigned char uuid[16];
    if (test_def_identity(def, "pool", &name, uuid) < 0) {
        H->def->free(def);
        return -1;
    }
    test_pool *byname = find(c, name, NULL), *byuuid = find(c, NULL, uuid);
    if (byname != byuuid || (byname && byname->active)) {
        if (byname && byname == byuuid)
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "storage pool '%s' is active: stop it first", name);
        else
            ERR(VIRTKIT_ERR_DUPLICATE, "storage pool '%s' conflicts with an existing pool's %s",
                name, byname ? "name" : "uuid");
        H->free(name);
        H->def->free(def);
        return -1;
    }
    test_pool *p = byname;
    if (p) {
        H->free(name);
        H->def->free(p->def);
        p->def = def;
    } else {
        p = H->alloc(sizeof(*p));
        p->name = name;
        memcpy(p->uuid, uuid, 16);
        p->def = def;
        TEST_GROW(c->pools, c->pools_cap, c->npools);
        c->pools[c->npools++] = p;
    }
    uint64_t cap = 0;
    p->capacity = H->def->get_u64(def, "capacity", &cap) > 0 && cap ? cap : DEFAULT_POOL_BYTES;
    p->persistent = p->persistent || persistent;
    *out = p;
    return 0;
}

int test_pool_load(vkp_conn *c, vkp_def *def, bool active)
{
    test_pool *p;
    if (pool_add(c, def, true, &p) < 0)
        return -1;
    p->active = active;
    return 0;
}

static void remove_pool(vkp_conn *c, test_pool *p)
{
    for (size_t i = 0; i < c->npools; i++) {
        if (c->pools[i] == p) {
            memmove(&c->pools[i], &c->pools[i + 1], (c->npools - i - 1) * sizeof(*c->pools));
            c->npools--;
            break;
        }
    }
    test_pool_free(p);
}

static int t_list_all_pools(vkp_conn *c, vkp_ref **refs, unsigned int f)
{
    pthread_mutex_lock(&c->lock);
    vkp_ref *out = H->alloc((c->npools + 1) * sizeof(*out));
    int k = 0;
    for (size_t i = 0; i < c->npools; i++) {
        test_pool *p = c->pools[i];
#define SKIP(a, b, cond) (((f & (a)) && !(f & (b)) && !(cond)) || ((f & (b)) && !(f & (a)) && (cond)))
        if (SKIP(VIRTKIT_LIST_POOLS_ACTIVE, VIRTKIT_LIST_POOLS_INACTIVE, p->active) ||
            SKIP(VIRTKIT_LIST_POOLS_PERSISTENT, VIRTKIT_LIST_POOLS_TRANSIENT, p->persistent) ||
            SKIP(VIRTKIT_LIST_POOLS_AUTOSTART, VIRTKIT_LIST_POOLS_NO_AUTOSTART, p->autostart))
            continue;
#undef SKIP
        test_ref_fill(&out[k++], p->name, p->uuid, -1);
    }
    pthread_mutex_unlock(&c->lock);
    *refs = out;
    return k;
}

static int t_lookup_pool(vkp_conn *c, const char *name, const unsigned char *uuid, vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = find(c, name, uuid);
    if (p)
        test_ref_fill(out, p->name, p->uuid, -1);
    pthread_mutex_unlock(&c->lock);
    if (!p) {
        char u[VIRTKIT_UUID_STRING_BUFLEN] = "";
        if (uuid)
            H->def->uuid_format(uuid, u);
        ERR(VIRTKIT_ERR_NO_POOL, "no storage pool %s '%s'", name ? "named" : "with uuid",
            name ? name : u);
        return -1;
    }
    return 0;
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
        if (create) {
            p->active = true;
            emit(c, p, VIRTKIT_POOL_EVENT_STARTED);
        } else {
            emit(c, p, VIRTKIT_POOL_EVENT_DEFINED);
        }
        test_ref_fill(out, p->name, p->uuid, -1);
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

/* Common prologue: find the pool and check it is (in)active as needed. */
static test_pool *pool_for(vkp_conn *c, const vkp_ref *ref, int want_active)
{
    test_pool *p = find_ref(c, ref);
    if (p && want_active >= 0 && p->active != (bool)want_active) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "storage pool '%s' is %s", p->name,
            p->active ? "active" : "not active");
        return NULL;
    }
    return p;
}

static int t_pool_undefine(vkp_conn *c, const vkp_ref *ref)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_pool *p = pool_for(c, ref, -1);
    if (p) {
        if (!p->persistent) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "storage pool '%s' is transient", p->name);
        } else {
            p->persistent = false;
            emit(c, p, VIRTKIT_POOL_EVENT_UNDEFINED);
            if (!p->active)
                remove_pool(c, p);
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_pool_build(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 0);
    if (p)
        emit(c, p, VIRTKIT_POOL_EVENT_CREATED);
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_create(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 0);
    if (p) {
        p->active = true;
        emit(c, p, VIRTKIT_POOL_EVENT_STARTED);
    }
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_destroy(vkp_conn *c, const vkp_ref *ref)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, 1);
    if (p) {
        p->active = false;
        emit(c, p, VIRTKIT_POOL_EVENT_STOPPED);
        if (!p->persistent)
            remove_pool(c, p);
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
        emit(c, p, VIRTKIT_POOL_EVENT_DELETED);
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
        info->state = p->active ? VIRTKIT_POOL_RUNNING : VIRTKIT_POOL_INACTIVE;
        info->capacity = p->capacity;
        info->allocation = p->active ? alloc : 0;
        info->available = p->active && p->capacity > alloc ? p->capacity - alloc : 0;
    }
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static char *t_pool_get_xml(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    char *x = NULL;
    test_pool *p = pool_for(c, ref, -1);
    if (p) {
        char buf[32];
        unsigned long long alloc = pool_allocation(p);
        vkp_def *d = H->def->copy(p->def);
        snprintf(buf, sizeof(buf), "%llu", p->capacity);
        H->def->set(d, "capacity", buf);
        H->def->set(d, "capacity/@unit", "bytes");
        snprintf(buf, sizeof(buf), "%llu", alloc);
        H->def->set(d, "allocation", buf);
        H->def->set(d, "allocation/@unit", "bytes");
        snprintf(buf, sizeof(buf), "%llu", p->capacity > alloc ? p->capacity - alloc : 0);
        H->def->set(d, "available", buf);
        H->def->set(d, "available/@unit", "bytes");
        x = H->def->format(d, (flags & VIRTKIT_DOMAIN_XML_AS_WRITTEN) ? VKP_DEF_FORMAT_AS_WRITTEN
                                                                       : 0);
        H->def->free(d);
    }
    pthread_mutex_unlock(&c->lock);
    return x;
}

#define POOL_BOOL(fn, field)                                                             \
    static int fn(vkp_conn *c, const vkp_ref *ref)                                       \
    {                                                                                    \
        pthread_mutex_lock(&c->lock);                                                    \
        test_pool *p = pool_for(c, ref, -1);                                             \
        int r = p ? p->field : -1;                                                       \
        pthread_mutex_unlock(&c->lock);                                                  \
        return r;                                                                        \
    }
POOL_BOOL(t_pool_is_active, active)
POOL_BOOL(t_pool_is_persistent, persistent)

static int t_pool_get_autostart(vkp_conn *c, const vkp_ref *ref, int *autostart)
{
    pthread_mutex_lock(&c->lock);
    test_pool *p = pool_for(c, ref, -1);
    if (p)
        *autostart = p->autostart;
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : -1;
}

static int t_pool_set_autostart(vkp_conn *c, const vkp_ref *ref, int autostart)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_pool *p = pool_for(c, ref, -1);
    if (p) {
        if (!p->persistent) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "storage pool '%s' is transient", p->name);
        } else {
            p->autostart = autostart;
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* ------------------------------------------------------------- volumes -- */

static void volref_fill(vkp_volref *out, const test_pool *p, const test_vol *v)
{
    out->pool = H->strdup(p->name);
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
    test_pool *p = find(c, ref->pool, NULL);
    if (!p || !p->active) {
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
        ERR(VIRTKIT_ERR_DUPLICATE, "storage pool '%s' already has a volume '%s'", p->name, name);
        H->def->free(def);
        return -1;
    }
    uint64_t cap = 0;
    H->def->get_u64(def, "capacity", &cap);
    if (pool_allocation(p) + cap > p->capacity) {
        ERR(VIRTKIT_ERR_OPERATION_FAILED,
            "volume '%s' (%llu bytes) does not fit in storage pool '%s' (%llu bytes free)", name,
            (unsigned long long)cap, p->name, p->capacity - pool_allocation(p));
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
    for (size_t i = 0; i < c->npools; i++) {
        test_pool *p = c->pools[i];
        if (!p->active || (pool && strcmp(p->name, pool) != 0))
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
        ERR(VIRTKIT_ERR_OPERATION_FAILED, "volume '%s': storage pool '%s' has no room for %llu bytes",
            v->name, p->name, capacity);
        goto out;
    }
    if (ftruncate(v->fd, (off_t)capacity) < 0) {
        H->error_system(errno, VIRTKIT_SUB_STORAGE, "cannot resize volume '%s'", v->name);
        goto out;
    }
    v->capacity = capacity;
    char buf[32];
    snprintf(buf, sizeof(buf), "%llu", capacity);
    H->def->set(v->def, "capacity", buf);
    H->def->set(v->def, "capacity/@unit", "bytes");
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
        char buf[32];
        vkp_def *d = H->def->copy(v->def);
        snprintf(buf, sizeof(buf), "%llu", vol_allocation(v));
        H->def->set(d, "allocation", buf);
        H->def->set(d, "allocation/@unit", "bytes");
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
