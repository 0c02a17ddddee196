/*
 * host_sysfs.h: reading the node's sysfs, /proc and a few /etc files under
 * one root, so tests can point every reader at a recorded tree. The root
 * is vk_host_set_root(), else $VIRTKIT_SYSFS_ROOT, else "/". Paths given
 * here are always absolute paths of the real machine ("/sys/...").
 *
 * Errors name the file as it is on disk (root included) and what was
 * wrong with it: "cannot parse /x/sys/.../core_id: 'abc' is not an
 * integer". "Optional" readers treat an absent file as a normal answer.
 */
#ifndef VK_HOST_SYSFS_H
#define VK_HOST_SYSFS_H

#include "util.h"

void vk_hostfs_set_root(const char *root);
/* The full path of rel under the root. Caller frees. */
char *vk_hostfs_path(const char *rel);
/* The root's canonical path ("" for "/"). Caller frees. */
char *vk_hostfs_root(void);

/* Read a whole (small) file; NULL with VIRTKIT_ERR_SYSTEM naming it. */
char *vk_hostfs_read(const char *fmt, ...) VK_PRINTF(1, 2);
/* Same, but an absent or unreadable-by-design file (ENOENT, ENOTDIR,
 * ENODEV, EINVAL, ENXIO, EOPNOTSUPP: sysfs says "no value" that way)
 * gives 0 with *out NULL. 1 when read, -1 on other errors. */
int vk_hostfs_read_opt(char **out, const char *fmt, ...) VK_PRINTF(2, 3);
/* The first line of a file, whitespace trimmed; same return as _opt. */
int vk_hostfs_line_opt(char **out, const char *fmt, ...) VK_PRINTF(2, 3);
/* An integer file (decimal, or 0x hex when base is 0). Absent: 0 (with
 * *out untouched); present: 1; garbage or error: -1 naming the file and
 * its content. */
int vk_hostfs_i64_opt(int64_t *out, int base, const char *fmt, ...) VK_PRINTF(3, 4);
int vk_hostfs_u64_opt(uint64_t *out, int base, const char *fmt, ...) VK_PRINTF(3, 4);
/* Required integer file: absent is an error. */
int vk_hostfs_u64(uint64_t *out, int base, const char *fmt, ...) VK_PRINTF(3, 4);
bool vk_hostfs_exists(const char *fmt, ...) VK_PRINTF(1, 2);
/* Entries of a directory starting with prefix ("" for all, dot files
 * skipped), sorted with numbers compared as numbers (cpu2 < cpu10).
 * An absent directory gives an empty vector. Caller frees. */
char **vk_hostfs_list(const char *prefix, const char *fmt, ...) VK_PRINTF(2, 3);
/* The canonical path of a link or directory, as a path of the machine
 * (root stripped); NULL (no error) when it does not resolve. */
char *vk_hostfs_resolve(const char *fmt, ...) VK_PRINTF(1, 2);
/* The last component of the link's target ("e1000e" for .../driver);
 * NULL (no error) when it is absent. */
char *vk_hostfs_link_name(const char *fmt, ...) VK_PRINTF(1, 2);

/* Set a parse error naming the file: "cannot parse <root><rel>: why". */
void vk_hostfs_parse_error(const char *rel, const char *fmt, ...) VK_PRINTF(2, 3);

/* Compare names with embedded numbers numerically ("sda2" < "sda10"). */
int vk_natural_cmp(const char *a, const char *b);

/* One value of a /proc/meminfo-style text ("Key:   123 kB", optionally
 * prefixed "Node N "). 1 found (in KiB, or the bare number), 0 absent,
 * -1 garbage (*why set, caller frees). */
int vk_meminfo_value(const char *text, const char *key, uint64_t *out, char **why);

#endif
