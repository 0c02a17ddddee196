/*
 * host_xml.c: see host_xml.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_xml.h"

static void hx_fail(vk_hx *b, const char *fmt, ...) VK_PRINTF(2, 3);
static void hx_fail(vk_hx *b, const char *fmt, ...)
{
    if (b->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    b->error = vk_vasprintf(fmt, ap);
    va_end(ap);
}

void vk_hx_init(vk_hx *b, const vk_xkind *kind, const char *path)
{
    memset(b, 0, sizeof(*b));
    b->kind = kind;
    const vk_xelem *e = kind->root;
    VK_AUTOSTRV comps = vk_strv_split(path ? path : "", "/");
    for (size_t i = 0; comps[i] && e; i++)
        if (*comps[i])
            e = vk_schema_child(e, comps[i]);
    if (!e) {
        hx_fail(b, "%s format has no element '%s'", kind->what, path);
        b->root = vk_xnode_new(path, NULL);
        return;
    }
    b->root = vk_xnode_new(e->name, e);
    b->root->kind = kind->kind;
}

vk_xnode *vk_hx_add(vk_hx *b, vk_xnode *parent, const char *name)
{
    const vk_xelem *e = parent->schema ? vk_schema_child(parent->schema, name) : NULL;
    vk_xnode *n = vk_xnode_new(name, e);
    if (!e) {
        hx_fail(b, "element <%s> has no child <%s> in the format", parent->name, name);
        /* keep it reachable so it is freed with the tree; the document is
         * refused anyway */
    }
    vk_xnode_append(parent, n);
    return n;
}

/* Check value against a type the way the parser would, keeping the
 * normalised form so what we emit is what a reparse gives. */
static char *checked(vk_hx *b, const vk_xnode *n, const char *what, const vk_xtype *t,
                     const char *const *values, const char *value)
{
    if (t == &vk_xt_scaled)
        t = &vk_xt_ulong; /* we always write plain numbers with a unit */
    char *norm = NULL, *why = NULL;
    if (t->check(value, values, &norm, &why) < 0) {
        hx_fail(b, "<%s> %s: value '%s' is not valid: %s", n->name, what, value, why);
        free(why);
        return NULL;
    }
    return norm ? norm : vk_strdup(value);
}

void vk_hx_attr(vk_hx *b, vk_xnode *n, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) v = vk_vasprintf(fmt, ap);
    va_end(ap);
    const vk_xattr *a = n->schema ? vk_schema_attr(n->schema, name) : NULL;
    if (!a) {
        hx_fail(b, "element <%s> has no attribute '%s' in the format", n->name, name);
        return;
    }
    VK_AUTOFREE(char *) norm = checked(b, n, name, a->type, a->values, v);
    if (norm)
        vk_xnode_set_attr(n, name, norm);
}

static void hx_vtext(vk_hx *b, vk_xnode *n, const char *fmt, va_list ap) VK_PRINTF(3, 0);
static void hx_vtext(vk_hx *b, vk_xnode *n, const char *fmt, va_list ap)
{
    VK_AUTOFREE(char *) v = vk_vasprintf(fmt, ap);
    if (!n->schema || !n->schema->text) {
        hx_fail(b, "element <%s> has no text in the format", n->name);
        return;
    }
    VK_AUTOFREE(char *) norm = checked(b, n, "text", n->schema->text, n->schema->text_values, v);
    if (norm)
        vk_xnode_set_text(n, norm);
}

void vk_hx_text(vk_hx *b, vk_xnode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hx_vtext(b, n, fmt, ap);
    va_end(ap);
}

vk_xnode *vk_hx_leaf(vk_hx *b, vk_xnode *parent, const char *name, const char *fmt, ...)
{
    vk_xnode *n = vk_hx_add(b, parent, name);
    va_list ap;
    va_start(ap, fmt);
    hx_vtext(b, n, fmt, ap);
    va_end(ap);
    return n;
}

/* Run the tables' element hooks bottom-up, as a parse would. */
static int run_checks(const vk_xnode *n)
{
    for (size_t i = 0; i < n->nchildren; i++)
        if (run_checks(n->children[i]) < 0)
            return -1;
    return n->schema && n->schema->check ? n->schema->check(n) : 0;
}

vk_xnode *vk_hx_steal(vk_hx *b)
{
    if (!b->error && b->root &&
        (run_checks(b->root) < 0 ||
         (b->kind && b->kind->root == b->root->schema && b->kind->validate &&
          b->kind->validate(b->root) < 0))) {
        b->error = vk_strdup(vk_error_message());
    }
    if (b->error) {
        vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_HOST, "cannot build <%s>: %s",
                     b->root ? b->root->name : "?", b->error);
        vk_hx_clear(b);
        return NULL;
    }
    vk_xnode *r = b->root;
    b->root = NULL;
    return r;
}

char *vk_hx_finish(vk_hx *b)
{
    VK_AUTOPTR(vk_xnode) root = vk_hx_steal(b);
    return root ? vk_schema_format(root, 0) : NULL;
}

void vk_hx_clear(vk_hx *b)
{
    vk_xnode_free(b->root);
    free(b->error);
    memset(b, 0, sizeof(*b));
}
