/*
 * params.c: typed parameter lists. Small (tens of entries), so lookups are
 * linear scans; insertion order is kept for display.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "params.h"
#include "strbuf.h"

VIRTKIT_API virtkit_params *virtkit_params_new(void)
{
    return vk_alloc(sizeof(virtkit_params));
}

static void param_clear(vk_param *p)
{
    if (p->type == VIRTKIT_PARAM_STRING)
        free(p->v.s);
    free(p->name);
}

VIRTKIT_API void virtkit_params_free(virtkit_params *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        param_clear(&p->items[i]);
    free(p->items);
    free(p);
}

const vk_param *vk_params_find(const virtkit_params *p, const char *name)
{
    for (size_t i = 0; p && i < p->n; i++)
        if (vk_streq(p->items[i].name, name))
            return &p->items[i];
    return NULL;
}

static vk_param *param_slot(virtkit_params *p, const char *name, int type)
{
    if (!p || vk_str_empty(name)) {
        vk_error_invalid_arg("parameter list and a non-empty name are required");
        return NULL;
    }
    vk_param *slot = (vk_param *)vk_params_find(p, name);
    if (slot) {
        if (slot->type == VIRTKIT_PARAM_STRING)
            free(slot->v.s);
    } else {
        VK_GROW(p->items, p->cap, p->n);
        slot = &p->items[p->n++];
        slot->name = vk_strdup(name);
    }
    slot->type = type;
    memset(&slot->v, 0, sizeof(slot->v));
    return slot;
}

#define PARAM_ADD(fn, ctype, ptype, field)                                               \
    VIRTKIT_API int fn(virtkit_params *p, const char *name, ctype v)                     \
    {                                                                                    \
        vk_param *s = param_slot(p, name, ptype);                                        \
        if (!s)                                                                          \
            return -1;                                                                   \
        s->v.field = v;                                                                  \
        return 0;                                                                        \
    }
PARAM_ADD(virtkit_params_add_int, int, VIRTKIT_PARAM_INT, i)
PARAM_ADD(virtkit_params_add_uint, unsigned int, VIRTKIT_PARAM_UINT, ui)
PARAM_ADD(virtkit_params_add_llong, long long, VIRTKIT_PARAM_LLONG, l)
PARAM_ADD(virtkit_params_add_ullong, unsigned long long, VIRTKIT_PARAM_ULLONG, ul)
PARAM_ADD(virtkit_params_add_double, double, VIRTKIT_PARAM_DOUBLE, d)

VIRTKIT_API int virtkit_params_add_bool(virtkit_params *p, const char *name, int v)
{
    vk_param *s = param_slot(p, name, VIRTKIT_PARAM_BOOLEAN);
    if (!s)
        return -1;
    s->v.b = v ? 1 : 0;
    return 0;
}

VIRTKIT_API int virtkit_params_add_string(virtkit_params *p, const char *name, const char *v)
{
    if (!v) {
        vk_error_invalid_arg("parameter '%s': string value must not be NULL", name ? name : "");
        return -1;
    }
    vk_param *s = param_slot(p, name, VIRTKIT_PARAM_STRING);
    if (!s)
        return -1;
    s->v.s = vk_strdup(v);
    return 0;
}

static const char *const type_names[] = {
    [VIRTKIT_PARAM_INT] = "int",       [VIRTKIT_PARAM_UINT] = "uint",
    [VIRTKIT_PARAM_LLONG] = "llong",   [VIRTKIT_PARAM_ULLONG] = "ullong",
    [VIRTKIT_PARAM_DOUBLE] = "double", [VIRTKIT_PARAM_BOOLEAN] = "boolean",
    [VIRTKIT_PARAM_STRING] = "string",
};

static const char *type_name(int t)
{
    return (t > 0 && (size_t)t < VK_ARRAY_LEN(type_names)) ? type_names[t] : "unknown";
}

static int param_get(const virtkit_params *p, const char *name, int type, const vk_param **out)
{
    const vk_param *s = vk_params_find(p, name);
    if (!s)
        return 0;
    if (s->type != type) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_CORE,
                     "parameter '%s' has type %s, not %s", name, type_name(s->type),
                     type_name(type));
        return -1;
    }
    *out = s;
    return 1;
}

#define PARAM_GET(fn, ctype, ptype, field)                                               \
    VIRTKIT_API int fn(const virtkit_params *p, const char *name, ctype *v)              \
    {                                                                                    \
        const vk_param *s = NULL;                                                        \
        int r = param_get(p, name, ptype, &s);                                           \
        if (r == 1 && v)                                                                 \
            *v = s->v.field;                                                             \
        return r;                                                                        \
    }
PARAM_GET(virtkit_params_get_int, int, VIRTKIT_PARAM_INT, i)
PARAM_GET(virtkit_params_get_uint, unsigned int, VIRTKIT_PARAM_UINT, ui)
PARAM_GET(virtkit_params_get_llong, long long, VIRTKIT_PARAM_LLONG, l)
PARAM_GET(virtkit_params_get_ullong, unsigned long long, VIRTKIT_PARAM_ULLONG, ul)
PARAM_GET(virtkit_params_get_double, double, VIRTKIT_PARAM_DOUBLE, d)
PARAM_GET(virtkit_params_get_bool, int, VIRTKIT_PARAM_BOOLEAN, b)

VIRTKIT_API int virtkit_params_get_string(const virtkit_params *p, const char *name,
                                          const char **v)
{
    const vk_param *s = NULL;
    int r = param_get(p, name, VIRTKIT_PARAM_STRING, &s);
    if (r == 1 && v)
        *v = s->v.s;
    return r;
}

VIRTKIT_API size_t virtkit_params_count(const virtkit_params *p)
{
    return p ? p->n : 0;
}

VIRTKIT_API const char *virtkit_params_name(const virtkit_params *p, size_t i)
{
    return (p && i < p->n) ? p->items[i].name : NULL;
}

VIRTKIT_API int virtkit_params_type(const virtkit_params *p, size_t i)
{
    return (p && i < p->n) ? p->items[i].type : -1;
}

VIRTKIT_API char *virtkit_params_value_string(const virtkit_params *p, size_t i)
{
    if (!p || i >= p->n) {
        vk_error_invalid_arg("parameter index %zu out of range", i);
        return NULL;
    }
    const vk_param *s = &p->items[i];
    switch (s->type) {
    case VIRTKIT_PARAM_INT: return vk_asprintf("%d", s->v.i);
    case VIRTKIT_PARAM_UINT: return vk_asprintf("%u", s->v.ui);
    case VIRTKIT_PARAM_LLONG: return vk_asprintf("%lld", s->v.l);
    case VIRTKIT_PARAM_ULLONG: return vk_asprintf("%llu", s->v.ul);
    case VIRTKIT_PARAM_DOUBLE: return vk_asprintf("%g", s->v.d);
    case VIRTKIT_PARAM_BOOLEAN: return vk_strdup(s->v.b ? "yes" : "no");
    case VIRTKIT_PARAM_STRING: return vk_strdup(s->v.s);
    }
    vk_error_internal("parameter '%s' has unknown type %d", s->name, s->type);
    return NULL;
}

virtkit_params *vk_params_copy(const virtkit_params *p)
{
    if (!p)
        return NULL;
    virtkit_params *c = virtkit_params_new();
    c->cap = c->n = p->n;
    c->items = vk_alloc_n(p->n ? p->n : 1, sizeof(vk_param));
    for (size_t i = 0; i < p->n; i++) {
        c->items[i] = p->items[i];
        c->items[i].name = vk_strdup(p->items[i].name);
        if (p->items[i].type == VIRTKIT_PARAM_STRING)
            c->items[i].v.s = vk_strdup(p->items[i].v.s);
    }
    return c;
}

int vk_params_validate(const virtkit_params *p, const vk_param_spec *allowed)
{
    for (size_t i = 0; p && i < p->n; i++) {
        const vk_param_spec *a = allowed;
        while (a->name && !vk_streq(a->name, p->items[i].name))
            a++;
        if (!a->name) {
            vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_CORE, "unknown parameter '%s'",
                         p->items[i].name);
            return -1;
        }
        if (a->type != p->items[i].type) {
            vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_CORE,
                         "parameter '%s' must have type %s, not %s", a->name,
                         type_name(a->type), type_name(p->items[i].type));
            return -1;
        }
    }
    return 0;
}

VIRTKIT_API void virtkit_params_array_free(virtkit_params **arr, int n)
{
    for (int i = 0; arr && i < n; i++)
        virtkit_params_free(arr[i]);
    free(arr);
}
