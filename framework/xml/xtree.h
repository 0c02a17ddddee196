/*
 * xtree.h: the in-memory form of every definition (domain, network, pool,
 * volume, node device, capabilities): a small element tree checked
 * against a schema table (schema.h). Plugins see these nodes as vkp_def
 * through path accessors; the core reads them the same way.
 */
#ifndef VK_XTREE_H
#define VK_XTREE_H

#include "util.h"

typedef struct vk_xelem vk_xelem;
typedef struct vk_xnode vk_xnode;

/* Memory: a daemon keeps thousands of definitions, so names known to the
 * schema point at the tables' static strings instead of copies (the
 * *_owned flags say which to free), arrays grow from two slots, and the
 * definition as written is kept as the input text rather than a second
 * tree. */
typedef struct vk_xattrval {
    char *name;
    char *value;
    bool name_owned;
} vk_xattrval;

struct vk_xnode {
    char *name;             /* element name; "prefix:local" for foreign ones */
    const vk_xelem *schema; /* NULL for verbatim (foreign) content */
    vk_xattrval *attrs;
    char *text;             /* NULL when none */
    vk_xnode **children;
    vk_xnode *parent;
    uint32_t nattrs, attrs_cap;
    uint32_t nchildren, children_cap;
    int line;
    /* Root only: which kind of definition (vkp_def_kind). */
    int kind;
    bool name_owned;
    /* Root only, for AS_WRITTEN: the text the definition was parsed from
     * (reparsed without defaults on demand), or a copy of the tree taken
     * before defaults when it was built some other way. */
    char *as_written_src;
    vk_xnode *as_written;
};

vk_xnode *vk_xnode_new(const char *name, const vk_xelem *schema);
void vk_xnode_free(vk_xnode *n);
VK_DEFINE_AUTOPTR(vk_xnode, vk_xnode_free)
vk_xnode *vk_xnode_copy(const vk_xnode *n);
bool vk_xnode_equal(const vk_xnode *a, const vk_xnode *b);

const char *vk_xnode_attr(const vk_xnode *n, const char *name);
/* value NULL removes the attribute. */
void vk_xnode_set_attr(vk_xnode *n, const char *name, const char *value);
void vk_xnode_set_text(vk_xnode *n, const char *text);
/* First child named name, or NULL. */
vk_xnode *vk_xnode_child(const vk_xnode *n, const char *name);
/* idx-th child named name. */
vk_xnode *vk_xnode_child_nth(const vk_xnode *n, const char *name, size_t idx);
size_t vk_xnode_count(const vk_xnode *n, const char *name);
/* Append (ownership passes to n). */
void vk_xnode_append(vk_xnode *n, vk_xnode *child);
/* Insert at position pos among all children. */
void vk_xnode_insert(vk_xnode *n, size_t pos, vk_xnode *child);
/* Unlink child from its parent (not freed). */
void vk_xnode_unlink(vk_xnode *child);
/* Child element text as string / number (for code in the core). */
const char *vk_xnode_child_text(const vk_xnode *n, const char *name);

#endif
