/*
 * access.h: the daemon's access rules: which identities may do what to
 * which kind of object. One rule a line:
 *
 *   # identity           object:operations ...
 *   uid:0                * all
 *   user:alice           domain:read,start,stop  network:read
 *   group:ops            domain:all
 *   dn:CN=ops,O=Example  * all
 *   dn:CN=monitor*       *:read
 *
 * Identities: uid:N, user:NAME, gid:N, group:NAME (primary or
 * supplementary group of a UNIX peer), dn:PATTERN (the TLS client
 * certificate's subject, fnmatch), or * (anyone). Objects are connect,
 * node, domain, network, pool, volume, nodedev or * (all); operations the
 * names in protocol.h's vk_acl_op_names, or all. An identity's rights are
 * the union of every line that matches it; any matching line also grants
 * connect:open and connect:read. Without a rules file everything that can
 * reach a socket is allowed (the read-only socket still only queries).
 */
#ifndef VK_RPC_ACCESS_H
#define VK_RPC_ACCESS_H

#include <sys/types.h>

#include "protocol.h"

typedef struct vk_access vk_access;

typedef struct vk_identity {
    bool unix_peer;       /* uid, gid, pid valid */
    uid_t uid;
    gid_t gid;
    pid_t pid;
    const char *user;     /* name of uid, when known */
    const gid_t *groups;  /* supplementary groups of user */
    int ngroups;
    const char *dn;       /* TLS client certificate subject, or NULL */
} vk_identity;

/* Parse a rules file; NULL with VIRTKIT_ERR_CONF naming the file, line and
 * the word at fault. */
vk_access *vk_access_load(const char *path);
/* Parse rules from a string (tests); name is used in errors. */
vk_access *vk_access_parse(const char *text, const char *name);
void vk_access_free(vk_access *a);
VK_DEFINE_AUTOPTR(vk_access, vk_access_free)
/* True when id may do op on objects of kind obj. NULL rules: allowed. */
bool vk_access_allowed(const vk_access *a, const vk_identity *id, vk_acl_object obj,
                       vk_acl_op op);
/* Number of rules (for logs). */
size_t vk_access_count(const vk_access *a);

#endif
