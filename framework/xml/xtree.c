/*
 * xtree.c: see xtree.h.
 */
#include "config.h"

#include <stdlib.h>

#include "schema.h"
#include "xtree.h"

/* Arrays of a node grow from two slots: most elements have one or two
 * attributes and few children. */
static void grow(void *arr, uint32_t *cap, uint32_t need, size_t size)
{
    void **a = (void **)arr;
    if (need < *cap)
        return;
    uint32_t ncap = *cap ? *cap * 2 : 2;
    while (ncap <= need)
        ncap *= 2;
    *a = vk_realloc(*a, ncap * size);
    *cap = ncap;
}

/* Names are compared a lot (every lookup scans a node's attributes or
 * children); checking the first byte first skips most strcmp calls. */
static inline bool name_eq(const char *a, const char *b)
{
    return a[0] == b[0] && strcmp(a, b) == 0;
}

vk_xnode *vk_xnode_new(const char *name, const vk_xelem *schema)
{
    vk_xnode *n = vk_alloc(sizeof(*n));
    if (schema && schema->name && strcmp(schema->name, name) == 0) {
        n->name = (char *)schema->name;
    } else {
        n->name = vk_strdup(name);
        n->name_owned = true;
    }
    n->schema = schema;
    return n;
}

void vk_xnode_free(vk_xnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nattrs; i++) {
        if (n->attrs[i].name_owned)
            free(n->attrs[i].name);
        free(n->attrs[i].value);
    }
    free(n->attrs);
    for (size_t i = 0; i < n->nchildren; i++)
        vk_xnode_free(n->children[i]);
    free(n->children);
    free(n->text);
    if (n->name_owned)
        free(n->name);
    free(n->as_written_src);
    vk_xnode_free(n->as_written);
    free(n);
}

vk_xnode *vk_xnode_copy(const vk_xnode *n)
{
    if (!n)
        return NULL;
    vk_xnode *c = vk_xnode_new(n->name, n->schema);
    c->line = n->line;
    c->kind = n->kind;
    c->text = vk_strdup(n->text);
    for (size_t i = 0; i < n->nattrs; i++)
        vk_xnode_set_attr(c, n->attrs[i].name, n->attrs[i].value);
    for (size_t i = 0; i < n->nchildren; i++)
        vk_xnode_append(c, vk_xnode_copy(n->children[i]));
    c->as_written_src = vk_strdup(n->as_written_src);
    c->as_written = vk_xnode_copy(n->as_written);
    return c;
}

bool vk_xnode_equal(const vk_xnode *a, const vk_xnode *b)
{
    if (!a || !b)
        return a == b;
    if (!vk_streq(a->name, b->name) || !vk_streq(a->text, b->text) ||
        a->nattrs != b->nattrs || a->nchildren != b->nchildren)
        return false;
    for (size_t i = 0; i < a->nattrs; i++)
        if (!vk_streq(a->attrs[i].value, vk_xnode_attr(b, a->attrs[i].name)))
            return false;
    for (size_t i = 0; i < a->nchildren; i++)
        if (!vk_xnode_equal(a->children[i], b->children[i]))
            return false;
    return true;
}

const char *vk_xnode_attr(const vk_xnode *n, const char *name)
{
    for (size_t i = 0; n && i < n->nattrs; i++)
        if (name_eq(n->attrs[i].name, name))
            return n->attrs[i].value;
    return NULL;
}

void vk_xnode_set_attr(vk_xnode *n, const char *name, const char *value)
{
    for (size_t i = 0; i < n->nattrs; i++) {
        if (!vk_streq(n->attrs[i].name, name))
            continue;
        if (value) {
            char *v = vk_strdup(value);
            free(n->attrs[i].value);
            n->attrs[i].value = v;
        } else {
            if (n->attrs[i].name_owned)
                free(n->attrs[i].name);
            free(n->attrs[i].value);
            memmove(&n->attrs[i], &n->attrs[i + 1], (n->nattrs - i - 1) * sizeof(*n->attrs));
            n->nattrs--;
        }
        return;
    }
    if (!value)
        return;
    grow(&n->attrs, &n->attrs_cap, n->nattrs, sizeof(*n->attrs));
    vk_xattrval *a = &n->attrs[n->nattrs++];
    const vk_xattr *spec = n->schema ? vk_schema_attr(n->schema, name) : NULL;
    a->name_owned = !spec;
    a->name = spec ? (char *)spec->name : vk_strdup(name);
    a->value = vk_strdup(value);
}

void vk_xnode_set_text(vk_xnode *n, const char *text)
{
    char *t = vk_strdup(text);
    free(n->text);
    n->text = t;
}

vk_xnode *vk_xnode_child_nth(const vk_xnode *n, const char *name, size_t idx)
{
    for (size_t i = 0; n && i < n->nchildren; i++) {
        if (name_eq(n->children[i]->name, name)) {
            if (idx == 0)
                return n->children[i];
            idx--;
        }
    }
    return NULL;
}

vk_xnode *vk_xnode_child(const vk_xnode *n, const char *name)
{
    return vk_xnode_child_nth(n, name, 0);
}

size_t vk_xnode_count(const vk_xnode *n, const char *name)
{
    size_t c = 0;
    for (size_t i = 0; n && i < n->nchildren; i++)
        if (name_eq(n->children[i]->name, name))
            c++;
    return c;
}

void vk_xnode_insert(vk_xnode *n, size_t pos, vk_xnode *child)
{
    grow(&n->children, &n->children_cap, n->nchildren, sizeof(*n->children));
    if (pos > n->nchildren)
        pos = n->nchildren;
    memmove(&n->children[pos + 1], &n->children[pos],
            (n->nchildren - pos) * sizeof(*n->children));
    n->children[pos] = child;
    n->nchildren++;
    child->parent = n;
}

void vk_xnode_append(vk_xnode *n, vk_xnode *child)
{
    vk_xnode_insert(n, n->nchildren, child);
}

void vk_xnode_unlink(vk_xnode *child)
{
    vk_xnode *p = child->parent;
    if (!p)
        return;
    for (size_t i = 0; i < p->nchildren; i++) {
        if (p->children[i] == child) {
            memmove(&p->children[i], &p->children[i + 1],
                    (p->nchildren - i - 1) * sizeof(*p->children));
            p->nchildren--;
            break;
        }
    }
    child->parent = NULL;
}

const char *vk_xnode_child_text(const vk_xnode *n, const char *name)
{
    vk_xnode *c = vk_xnode_child(n, name);
    return c ? c->text : NULL;
}
