/*
 * defs.c: see defs.h. Paths are resolved against the schema as well as
 * the tree, so "absent" (the user did not write it) and "unknown" (no such
 * element in the format: a plugin bug or a newer plugin) stay distinct.
 */
#include "config.h"

#include <stdlib.h>

#include "defs.h"
#include "error.h"
#include "uuid.h"

const vk_xkind *vk_xkind_get(int kind)
{
    switch (kind) {
    case VKP_DEF_DOMAIN: return &vk_domain_kind;
    case VKP_DEF_NETWORK: return &vk_network_kind;
    case VKP_DEF_POOL: return &vk_pool_kind;
    case VKP_DEF_VOLUME: return &vk_volume_kind;
    case VKP_DEF_NODEDEV: return &vk_nodedev_kind;
    case VK_DEF_CAPS: return &vk_caps_kind;
    }
    return NULL;
}

static int validate_rng(const vk_xkind *k, const char *xml)
{
    VK_AUTOFREE(char *) path = vk_asprintf("%s/%s", vk_schema_dir(), k->rng_file);
    if (vk_schema_validate_rng(path, xml) == 0)
        return 0;
    if (vk_error_code() == VIRTKIT_ERR_XML)
        vk_error_prefix("%s ", k->what); /* "domain XML does not validate..." */
    return -1;
}

vk_xnode *vk_def_parse(int kind, const char *xml, unsigned int flags)
{
    const unsigned int known = VKP_DEF_PARSE_VALIDATE | VKP_DEF_PARSE_NO_DEFAULTS |
                               VKP_DEF_PARSE_STATUS;
    if (flags & ~known) {
        vk_error_set(VIRTKIT_ERR_INVALID_FLAGS, VIRTKIT_SUB_XML,
                     "unsupported definition parse flags 0x%x", flags & ~known);
        return NULL;
    }
    if (kind == VKP_DEF_DEVICE) {
        vk_xnode *n = vk_schema_parse_child(vk_domain_devices_schema(), "device", xml, flags);
        if (n)
            n->kind = VKP_DEF_DEVICE;
        return n;
    }
    const vk_xkind *k = vk_xkind_get(kind);
    if (!k) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_XML, "unknown definition kind %d", kind);
        return NULL;
    }
    if ((flags & VKP_DEF_PARSE_VALIDATE) && xml && validate_rng(k, xml) < 0)
        return NULL;
    VK_AUTOPTR(vk_xnode) n = vk_schema_parse(k, xml, flags);
    if (!n)
        return NULL;
    if (!(flags & VKP_DEF_PARSE_NO_DEFAULTS)) {
        /* The text is a fraction of a second tree's size. */
        n->as_written_src = vk_strdup(xml);
        if (vk_def_apply_defaults(n) < 0)
            return NULL;
    }
    return VK_STEAL(n);
}

/* Defaults are idempotent: applying them to an expanded definition
 * changes nothing. The definition as written is kept the first time. The
 * semantic checks run again afterwards, so an address or controller the
 * step added that clashes with one the user wrote is reported, not
 * stored. */
int vk_def_apply_defaults(vk_xnode *def)
{
    if (!def) {
        vk_error_invalid_arg("no definition to expand");
        return -1;
    }
    const vk_xkind *k = vk_xkind_get(def->kind);
    if (!k || !k->defaults || k->root != def->schema)
        return 0;
    if (!def->as_written && !def->as_written_src)
        def->as_written = vk_xnode_copy(def);
    if (k->defaults(def) < 0)
        return -1;
    return k->validate ? k->validate(def) : 0;
}

char *vk_def_format(const vk_xnode *def, unsigned int flags)
{
    if (!def) {
        vk_error_invalid_arg("no definition to format");
        return NULL;
    }
    const unsigned int known = VKP_DEF_FORMAT_INACTIVE | VKP_DEF_FORMAT_AS_WRITTEN |
                               VKP_DEF_FORMAT_SECURE | VKP_DEF_FORMAT_STATUS;
    if (flags & ~known) {
        vk_error_set(VIRTKIT_ERR_INVALID_FLAGS, VIRTKIT_SUB_XML,
                     "unsupported definition format flags 0x%x", flags & ~known);
        return NULL;
    }
    if ((flags & VKP_DEF_FORMAT_AS_WRITTEN) && def->as_written)
        def = def->as_written;
    else if ((flags & VKP_DEF_FORMAT_AS_WRITTEN) && def->as_written_src) {
        /* It parsed before, with the same tables: it parses again. */
        const vk_xkind *k = vk_xkind_get(def->kind);
        VK_AUTOPTR(vk_xnode) w = k ? vk_schema_parse(k, def->as_written_src, 0) : NULL;
        if (!w)
            return NULL;
        return vk_schema_format(w, flags);
    }
    return vk_schema_format(def, flags);
}

/* ---------------------------------------------------------------- paths -- */

static void path_error(const vk_xnode *n, const char *path, const char *comp)
{
    vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_XML,
                 "path '%s' on <%s>: '%s' is not part of the format", path, n->name, comp);
}

/* Walk all but the last component; returns the node reached (or NULL when
 * absent) and sets *last. *bad is set when a component is unknown. */
static vk_xnode *walk(const vk_xnode *n, const char *path, char **last, bool *bad, bool create)
{
    VK_AUTOSTRV comps = vk_strv_split(path, "/");
    size_t nc = vk_strv_len(comps);
    *bad = false;
    *last = NULL;
    if (nc == 0 || !n) {
        *bad = true;
        if (n)
            path_error(n, path, "");
        return NULL;
    }
    vk_xnode *cur = (vk_xnode *)n;
    for (size_t i = 0; i + 1 < nc; i++) {
        const vk_xelem *ce = NULL;
        if (cur->schema && !(cur->schema->flags & VK_XE_VERBATIM)) {
            ce = vk_schema_child(cur->schema, comps[i]);
            if (!ce) {
                path_error(n, path, comps[i]);
                *bad = true;
                return NULL;
            }
        }
        vk_xnode *next = vk_xnode_child(cur, comps[i]);
        if (!next) {
            if (!create) {
                /* still check the rest of the path against the schema */
                const vk_xelem *se = ce;
                for (size_t j = i + 1; se && j + 1 < nc; j++) {
                    se = vk_schema_child(se, comps[j]);
                    if (!se) {
                        path_error(n, path, comps[j]);
                        *bad = true;
                        return NULL;
                    }
                }
                *last = vk_strdup(comps[nc - 1]);
                return NULL;
            }
            next = vk_xnode_new(comps[i], ce);
            vk_schema_insert(cur, next);
        }
        cur = next;
    }
    *last = vk_strdup(comps[nc - 1]);
    return cur;
}

static bool schema_knows(const vk_xnode *n, const char *root_path, const vk_xnode *at,
                         const char *last)
{
    if (!at || !at->schema || (at->schema->flags & VK_XE_VERBATIM))
        return true;
    if (last[0] == '@') {
        if (vk_schema_attr(at->schema, last + 1))
            return true;
    } else if (vk_schema_child(at->schema, last)) {
        return true;
    }
    path_error(n, root_path, last);
    return false;
}

/* Resolve path to a value: 0 with *out set (NULL when absent), or -1 when
 * the path is not part of the format (error set). Callers tell the two
 * apart by the return, never by whatever error was set before. */
static int def_lookup(const vk_xnode *n, const char *path, const char **out)
{
    VK_AUTOFREE(char *) last = NULL;
    bool bad;
    *out = NULL;
    vk_xnode *at = walk(n, path, &last, &bad, false);
    if (bad)
        return -1;
    if (!at)
        return 0;
    if (!schema_knows(n, path, at, last))
        return -1;
    if (last[0] == '@') {
        *out = vk_xnode_attr(at, last + 1);
    } else {
        vk_xnode *c = vk_xnode_child(at, last);
        *out = c ? (c->text ? c->text : "") : NULL;
    }
    return 0;
}

const char *vk_def_get(const vk_xnode *n, const char *path)
{
    const char *v;
    return def_lookup(n, path, &v) < 0 ? NULL : v;
}

int vk_def_get_u64(const vk_xnode *n, const char *path, uint64_t *out)
{
    const char *v;
    if (def_lookup(n, path, &v) < 0)
        return -1;
    if (!v)
        return 0;
    uint64_t x;
    if (vk_parse_u64(v, 0, &x) < 0) {
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "<%s> %s: '%s' is not a number", n->name,
                     path, v);
        return -1;
    }
    *out = x;
    return 1;
}

int vk_def_get_i64(const vk_xnode *n, const char *path, int64_t *out)
{
    const char *v;
    if (def_lookup(n, path, &v) < 0)
        return -1;
    if (!v)
        return 0;
    int64_t x;
    if (vk_parse_i64(v, 0, &x) < 0) {
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "<%s> %s: '%s' is not a number", n->name,
                     path, v);
        return -1;
    }
    *out = x;
    return 1;
}

int vk_def_get_bool(const vk_xnode *n, const char *path, int dflt)
{
    const char *v = vk_def_get(n, path);
    if (!v)
        return dflt;
    if (vk_streq(v, "yes") || vk_streq(v, "on") || vk_streq(v, "1") || vk_streq(v, "true"))
        return 1;
    if (vk_streq(v, "no") || vk_streq(v, "off") || vk_streq(v, "0") || vk_streq(v, "false"))
        return 0;
    return dflt;
}

/* The node holding path's last component: 0 with *at (NULL when absent),
 * -1 when the path is unknown (error set). */
static int def_parent(const vk_xnode *n, const char *path, vk_xnode **at, char **last)
{
    bool bad;
    *at = walk(n, path, last, &bad, false);
    if (bad || (*at && !schema_knows(n, path, *at, *last))) {
        *at = NULL;
        return -1;
    }
    return 0;
}

size_t vk_def_count(const vk_xnode *n, const char *path)
{
    VK_AUTOFREE(char *) last = NULL;
    vk_xnode *at;
    if (def_parent(n, path, &at, &last) < 0 || !at)
        return 0;
    return vk_xnode_count(at, last);
}

vk_xnode *vk_def_child(const vk_xnode *n, const char *path, size_t idx)
{
    VK_AUTOFREE(char *) last = NULL;
    vk_xnode *at;
    if (def_parent(n, path, &at, &last) < 0 || !at)
        return NULL;
    return vk_xnode_child_nth(at, last, idx);
}

int vk_def_set(vk_xnode *n, const char *path, const char *value)
{
    VK_AUTOFREE(char *) last = NULL;
    bool bad;
    vk_xnode *at = walk(n, path, &last, &bad, value != NULL);
    if (bad)
        return -1;
    if (!at)
        return 0; /* removing something absent */
    if (!schema_knows(n, path, at, last))
        return -1;
    if (last[0] == '@') {
        if (value && at->schema && !(at->schema->flags & VK_XE_VERBATIM)) {
            VK_AUTOFREE(char *) norm =
                vk_schema_check_attr(at, vk_schema_attr(at->schema, last + 1), value);
            if (!norm)
                return -1;
            vk_xnode_set_attr(at, last + 1, norm);
        } else {
            vk_xnode_set_attr(at, last + 1, value);
        }
        return 0;
    }
    vk_xnode *c = vk_xnode_child(at, last);
    if (!value) {
        if (c) {
            vk_xnode_unlink(c);
            vk_xnode_free(c);
        }
        return 0;
    }
    bool created = !c;
    if (created) {
        c = vk_xnode_new(last, at->schema ? vk_schema_child(at->schema, last) : NULL);
        vk_schema_insert(at, c);
    }
    if (c->schema && c->schema->text && !(c->schema->flags & VK_XE_VERBATIM)) {
        VK_AUTOFREE(char *) norm = vk_schema_check_text(c, value);
        if (!norm) {
            if (created) {
                vk_xnode_unlink(c);
                vk_xnode_free(c);
            }
            return -1;
        }
        vk_xnode_set_text(c, norm);
        /* A scaled value set through a path is in the stored unit. */
        if (c->schema->text == &vk_xt_scaled && vk_schema_attr(c->schema, "unit"))
            vk_xnode_set_attr(c, "unit",
                              (c->schema->flags & VK_XE_SCALED_BYTES) ? "bytes" : "KiB");
    } else if (c->schema && !c->schema->text) {
        vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_XML, "<%s> takes no text", c->name);
        return -1;
    } else {
        vk_xnode_set_text(c, value);
    }
    return 0;
}

int vk_def_append(vk_xnode *n, const char *path, vk_xnode *child)
{
    vk_xnode *at = n;
    if (!vk_str_empty(path)) {
        VK_AUTOFREE(char *) full = vk_asprintf("%s/%s", path, child->name);
        VK_AUTOFREE(char *) last = NULL;
        bool bad;
        at = walk(n, full, &last, &bad, true);
        if (bad || !at)
            return -1;
    }
    const vk_xelem *ce = at->schema ? vk_schema_child(at->schema, child->name) : NULL;
    if (at->schema && !ce) {
        vk_error_set(VIRTKIT_ERR_XML, VIRTKIT_SUB_XML, "<%s> cannot hold <%s>", at->name,
                     child->name);
        return -1;
    }
    child->schema = ce ? ce : child->schema;
    child->kind = 0;
    vk_schema_insert(at, child);
    return 0;
}

vk_xnode *vk_def_add(vk_xnode *n, const char *path, const char *element)
{
    VK_AUTOFREE(char *) full = vk_str_empty(path) ? vk_strdup(element)
                                                  : vk_asprintf("%s/%s", path, element);
    VK_AUTOFREE(char *) last = NULL;
    bool bad;
    vk_xnode *at = walk(n, full, &last, &bad, true);
    if (bad || !at || !schema_knows(n, full, at, last))
        return NULL;
    vk_xnode *c = vk_xnode_new(last, at->schema ? vk_schema_child(at->schema, last) : NULL);
    vk_schema_insert(at, c);
    return c;
}

int vk_def_remove(vk_xnode *n, const char *path, size_t idx)
{
    VK_AUTOFREE(char *) last = NULL;
    vk_xnode *at;
    if (def_parent(n, path, &at, &last) < 0)
        return -1;
    vk_xnode *c = vk_xnode_child_nth(at, last, idx);
    if (!c) {
        vk_error_set(VIRTKIT_ERR_NO_DEVICE, VIRTKIT_SUB_XML, "no element %s[%zu] in <%s>", path,
                     idx, n->name);
        return -1;
    }
    vk_xnode_unlink(c);
    vk_xnode_free(c);
    return 0;
}

/* -------------------------------------------------------- plugin table -- */

static int api_parse(vkp_def_kind kind, const char *xml, unsigned int flags, vkp_def **out)
{
    vk_xnode *n = vk_def_parse((int)kind, xml, flags);
    if (!n)
        return -1;
    *out = (vkp_def *)n;
    return 0;
}

static char *api_format(const vkp_def *d, unsigned int flags)
{
    return vk_def_format((const vk_xnode *)d, flags);
}

static vkp_def *api_add(vkp_def *d, const char *path, const char *element)
{
    return (vkp_def *)vk_def_add((vk_xnode *)d, path, element);
}

static vkp_def *api_copy(const vkp_def *d)
{
    return (vkp_def *)vk_xnode_copy((const vk_xnode *)d);
}

static void api_free(vkp_def *d)
{
    vk_xnode_free((vk_xnode *)d);
}

static const char *api_element(const vkp_def *d)
{
    return d ? ((const vk_xnode *)d)->name : NULL;
}

static const char *api_get(const vkp_def *d, const char *path)
{
    return vk_def_get((const vk_xnode *)d, path);
}

static int api_get_u64(const vkp_def *d, const char *path, uint64_t *out)
{
    return vk_def_get_u64((const vk_xnode *)d, path, out);
}

static int api_get_i64(const vkp_def *d, const char *path, int64_t *out)
{
    return vk_def_get_i64((const vk_xnode *)d, path, out);
}

static int api_get_bool(const vkp_def *d, const char *path, int dflt)
{
    return vk_def_get_bool((const vk_xnode *)d, path, dflt);
}

static size_t api_count(const vkp_def *d, const char *path)
{
    return vk_def_count((const vk_xnode *)d, path);
}

static const vkp_def *api_child(const vkp_def *d, const char *path, size_t idx)
{
    return (const vkp_def *)vk_def_child((const vk_xnode *)d, path, idx);
}

static vkp_def *api_child_mut(vkp_def *d, const char *path, size_t idx)
{
    return (vkp_def *)vk_def_child((const vk_xnode *)d, path, idx);
}

static int api_set(vkp_def *d, const char *path, const char *value)
{
    return vk_def_set((vk_xnode *)d, path, value);
}

static int api_append(vkp_def *d, const char *path, vkp_def *child)
{
    return vk_def_append((vk_xnode *)d, path, (vk_xnode *)child);
}

static int api_remove(vkp_def *d, const char *path, size_t idx)
{
    return vk_def_remove((vk_xnode *)d, path, idx);
}

static const vkp_def *api_parent(const vkp_def *d)
{
    return d ? (const vkp_def *)((const vk_xnode *)d)->parent : NULL;
}

static int api_line(const vkp_def *d)
{
    return d ? ((const vk_xnode *)d)->line : 0;
}

static int api_equal(const vkp_def *a, const vkp_def *b)
{
    return vk_xnode_equal((const vk_xnode *)a, (const vk_xnode *)b);
}

static const char *api_child_name(const vkp_def *d, size_t idx)
{
    const vk_xnode *n = (const vk_xnode *)d;
    return (n && idx < n->nchildren) ? n->children[idx]->name : NULL;
}

static const vkp_def *api_nth_child(const vkp_def *d, size_t idx)
{
    const vk_xnode *n = (const vk_xnode *)d;
    return (n && idx < n->nchildren) ? (const vkp_def *)n->children[idx] : NULL;
}

static int api_uuid_parse(const char *s, unsigned char uuid[16])
{
    return vk_uuid_parse(s, uuid);
}

static void api_uuid_format(const unsigned char uuid[16], char *buf)
{
    vk_uuid_format(uuid, buf);
}

const vkp_def_api vk_def_api = {
    .struct_size = sizeof(vkp_def_api),
    .parse = api_parse,
    .format = api_format,
    .copy = api_copy,
    .free = api_free,
    .element = api_element,
    .get = api_get,
    .get_u64 = api_get_u64,
    .get_i64 = api_get_i64,
    .get_bool = api_get_bool,
    .count = api_count,
    .child = api_child,
    .child_mut = api_child_mut,
    .set = api_set,
    .append = api_append,
    .add = api_add,
    .remove = api_remove,
    .parent = api_parent,
    .line = api_line,
    .equal = api_equal,
    .child_name = api_child_name,
    .nth_child = api_nth_child,
    .uuid_parse = api_uuid_parse,
    .uuid_format = api_uuid_format,
    .uuid_generate = vk_uuid_generate,
};
