/*
 * defs.h: parsing, formatting and reading definitions, for the core. The
 * same functions back the plugins' vkp_def_api (host table), where a
 * vkp_def is a vk_xnode.
 *
 * Parsing runs four steps, each testable on its own:
 *   1. structure: every element/attribute/text checked against the tables
 *   2. semantics: the kind's validate hook (duplicate targets, ranges)
 *   3. RelaxNG:   only with VKP_DEF_PARSE_VALIDATE
 *   4. defaults:  the kind's defaults hook (uuid, mac, aliases, addresses),
 *                 skipped with VKP_DEF_PARSE_NO_DEFAULTS; the tree before it
 *                 is kept for VKP_DEF_FORMAT_AS_WRITTEN.
 */
#ifndef VK_DEFS_H
#define VK_DEFS_H

#include <virtkit-1/host.h>

#include "schema.h"

vk_xnode *vk_def_parse(int kind, const char *xml, unsigned int flags);
char *vk_def_format(const vk_xnode *def, unsigned int flags);
/* Run the defaults step on a tree (what parse does last). */
int vk_def_apply_defaults(vk_xnode *def);

/* Path access, as documented on vkp_def_api in virtkit-1/host.h. */
const char *vk_def_get(const vk_xnode *n, const char *path);
int vk_def_get_u64(const vk_xnode *n, const char *path, uint64_t *out);
int vk_def_get_i64(const vk_xnode *n, const char *path, int64_t *out);
int vk_def_get_bool(const vk_xnode *n, const char *path, int dflt);
size_t vk_def_count(const vk_xnode *n, const char *path);
vk_xnode *vk_def_child(const vk_xnode *n, const char *path, size_t idx);
int vk_def_set(vk_xnode *n, const char *path, const char *value);
int vk_def_append(vk_xnode *n, const char *path, vk_xnode *child);
/* A new empty <element> under the node at path (created when missing; ""
 * for n itself), in schema order; NULL with an error when the schema has
 * no such child there. */
vk_xnode *vk_def_add(vk_xnode *n, const char *path, const char *element);
int vk_def_remove(vk_xnode *n, const char *path, size_t idx);

/* The table handed to plugins. */
extern const vkp_def_api vk_def_api;

/* The domain's device container schema (for hotplug fragments). */
const vk_xelem *vk_domain_devices_schema(void);

/* Kinds, defined next to their tables. */
extern const vk_xkind vk_domain_kind;
extern const vk_xkind vk_network_kind;
extern const vk_xkind vk_pool_kind;
extern const vk_xkind vk_volume_kind;
extern const vk_xkind vk_nodedev_kind;
extern const vk_xkind vk_caps_kind;
/* Pseudo-kind for capabilities documents (not a vkp_def_kind). */
#define VK_DEF_CAPS 100

#endif
