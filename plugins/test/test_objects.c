/*
 * test_objects.c: the bookkeeping networks and storage pools share in the
 * test hypervisor: a set of named, uuid'd objects with a definition and
 * active/persistent/autostart flags, and the ops that only touch those.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "test.h"

void test_set_clear(test_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->free(s->items[i]);
    H->free(s->items);
    s->items = NULL;
    s->n = s->cap = 0;
}

test_obj *test_set_find(test_set *s, const char *name, const unsigned char *uuid)
{
    for (size_t i = 0; i < s->n; i++)
        if ((name && strcmp(s->items[i]->name, name) == 0) ||
            (uuid && memcmp(s->items[i]->uuid, uuid, 16) == 0))
            return s->items[i];
    return NULL;
}

test_obj *test_set_find_ref(test_set *s, const vkp_ref *ref)
{
    test_obj *o = test_set_find(s, NULL, ref->uuid);
    if (!o)
        H->error(s->no_object_code, s->subsystem, "no %s '%s'", s->what,
                 ref->name ? ref->name : "?");
    return o;
}

/* Check a new definition's identity: returns the object it replaces (or
 * NULL for a new one) in *existing; -1 on a name/uuid conflict. Takes
 * ownership of def on failure only. */
static int set_claim(test_set *s, vkp_def *def, char **name, unsigned char uuid[16],
                     test_obj **existing)
{
    if (test_def_identity(def, s->what, name, uuid) < 0) {
        H->def->free(def);
        return -1;
    }
    test_obj *byname = test_set_find(s, *name, NULL), *byuuid = test_set_find(s, NULL, uuid);
    if (byname != byuuid) {
        H->error(VIRTKIT_ERR_DUPLICATE, s->subsystem,
                 "%s '%s' conflicts with an existing %s's %s", s->what, *name, s->what,
                 byname ? "name" : "uuid");
        H->free(*name);
        H->def->free(def);
        return -1;
    }
    *existing = byname;
    return 0;
}

static void set_append(test_set *s, test_obj *obj)
{
    TEST_GROW(s->items, s->cap, s->n);
    s->items[s->n++] = obj;
}

int test_set_put(test_set *s, vkp_def *def, size_t objsize, bool refuse_active, test_obj **out)
{
    char *name;
    unsigned char uuid[16];
    test_obj *o;
    if (set_claim(s, def, &name, uuid, &o) < 0)
        return -1;
    if (o && o->active && refuse_active) {
        H->error(VIRTKIT_ERR_OPERATION_INVALID, s->subsystem, "%s '%s' is active: stop it first",
                 s->what, name);
        H->free(name);
        H->def->free(def);
        return -1;
    }
    if (o) {
        H->free(name);
        H->def->free(o->def);
    } else {
        o = H->alloc(objsize);
        o->name = name;
        memcpy(o->uuid, uuid, 16);
        set_append(s, o);
    }
    o->def = def;
    *out = o;
    return 0;
}

void test_set_remove(test_set *s, test_obj *obj)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i] == obj) {
            memmove(&s->items[i], &s->items[i + 1], (s->n - i - 1) * sizeof(*s->items));
            s->n--;
            break;
        }
    }
    s->free(obj);
}

void test_set_emit(vkp_conn *c, test_set *s, const test_obj *obj, int event)
{
    vkp_ref r = { obj->name, { 0 }, -1 };
    memcpy(r.uuid, obj->uuid, 16);
    s->emit(c->ctx, &r, event, 0);
}

/* Network and pool listing flags share their values:
 * ACTIVE 1, INACTIVE 2, PERSISTENT 4, TRANSIENT 8, AUTOSTART 16, NO_AUTOSTART 32.
 * Each pair filters only when exactly one of its two bits is given. */
static bool list_match(const test_obj *o, unsigned int f)
{
    const bool has[3] = { o->active, o->persistent, o->autostart };
    for (int i = 0; i < 3; i++) {
        unsigned int yes = 1u << (2 * i), no = 1u << (2 * i + 1);
        if ((f & yes) && !(f & no) && !has[i])
            return false;
        if ((f & no) && !(f & yes) && has[i])
            return false;
    }
    return true;
}

int test_set_list(vkp_conn *c, test_set *s, vkp_ref **refs, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    vkp_ref *out = H->alloc((s->n + 1) * sizeof(*out));
    int k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (list_match(s->items[i], flags))
            test_ref_fill(&out[k++], s->items[i]->name, s->items[i]->uuid, -1);
    pthread_mutex_unlock(&c->lock);
    *refs = out;
    return k;
}

int test_set_lookup(vkp_conn *c, test_set *s, const char *name, const unsigned char *uuid,
                    vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    test_obj *o = test_set_find(s, name, uuid);
    if (o)
        test_ref_fill(out, o->name, o->uuid, -1);
    pthread_mutex_unlock(&c->lock);
    if (!o) {
        char u[VIRTKIT_UUID_STRING_BUFLEN] = "";
        if (uuid)
            H->def->uuid_format(uuid, u);
        H->error(s->no_object_code, s->subsystem, "no %s %s '%s'", s->what,
                 name ? "named" : "with uuid", name ? name : u);
        return -1;
    }
    return 0;
}

int test_set_flag(vkp_conn *c, test_set *s, const vkp_ref *ref, size_t offset)
{
    pthread_mutex_lock(&c->lock);
    test_obj *o = test_set_find_ref(s, ref);
    int r = o ? *(const bool *)((const char *)o + offset) : -1;
    pthread_mutex_unlock(&c->lock);
    return r;
}

int test_set_get_autostart(vkp_conn *c, test_set *s, const vkp_ref *ref, int *autostart)
{
    int r = test_set_flag(c, s, ref, offsetof(test_obj, autostart));
    if (r < 0)
        return -1;
    *autostart = r;
    return 0;
}

int test_set_set_autostart(vkp_conn *c, test_set *s, const vkp_ref *ref, int autostart)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_obj *o = test_set_find_ref(s, ref);
    if (o && !o->persistent) {
        H->error(VIRTKIT_ERR_OPERATION_INVALID, s->subsystem,
                 "%s '%s' is transient: it cannot autostart", s->what, o->name);
    } else if (o) {
        o->autostart = autostart;
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

int test_set_undefine(vkp_conn *c, test_set *s, const vkp_ref *ref, int event)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_obj *o = test_set_find_ref(s, ref);
    if (o && !o->persistent) {
        H->error(VIRTKIT_ERR_OPERATION_INVALID, s->subsystem, "%s '%s' is transient", s->what,
                 o->name);
    } else if (o) {
        o->persistent = false;
        o->autostart = false;
        test_set_emit(c, s, o, event);
        if (!o->active)
            test_set_remove(s, o);
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}
