/*
 * access.c: see access.h. Rules are parsed once (at start and on SIGHUP)
 * into a flat array of (identity, permission bits per object kind), so a
 * check is a scan of a few rules with no allocation.
 */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>

#include "access.h"
#include "error.h"
#include "fileutil.h"

typedef enum {
    ID_ANY = 0,
    ID_UID,
    ID_GID,
    ID_USER,
    ID_GROUP,
    ID_DN,
} id_kind;

typedef struct rule {
    id_kind kind;
    unsigned long num;       /* uid or gid */
    char *pattern;           /* user, group name, DN pattern */
    uint32_t perms[VK_ACL_NOBJECTS];
} rule;

struct vk_access {
    rule *rules;
    size_t n, cap;
};

#define ALL_OPS ((1u << VK_ACL_NOPS) - 1)

void vk_access_free(vk_access *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->rules[i].pattern);
    free(a->rules);
    free(a);
}

size_t vk_access_count(const vk_access *a)
{
    return a ? a->n : 0;
}

static int lookup_name(const char *const *names, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
            return (int)i;
    return -1;
}

#define RULE_ERR(...)                                                                    \
    do {                                                                                 \
        vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_ACCESS, __VA_ARGS__);                 \
        return -1;                                                                       \
    } while (0)

static int parse_identity(rule *r, const char *w, const char *name, int line)
{
    if (vk_streq(w, "*")) {
        r->kind = ID_ANY;
        return 0;
    }
    const char *colon = strchr(w, ':');
    if (!colon || !colon[1])
        RULE_ERR("%s:%d: identity '%s' must be uid:N, user:NAME, gid:N, group:NAME, "
                 "dn:PATTERN or *", name, line, w);
    size_t klen = (size_t)(colon - w);
    const char *v = colon + 1;
    static const struct {
        const char *prefix;
        id_kind kind;
        bool numeric;
    } kinds[] = {
        { "uid", ID_UID, true },   { "gid", ID_GID, true }, { "user", ID_USER, false },
        { "group", ID_GROUP, false }, { "dn", ID_DN, false },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(kinds); i++) {
        if (strlen(kinds[i].prefix) != klen || strncmp(kinds[i].prefix, w, klen) != 0)
            continue;
        r->kind = kinds[i].kind;
        if (kinds[i].numeric) {
            uint64_t n;
            if (vk_parse_u64(v, 10, &n) < 0 || n > 0xffffffffu)
                RULE_ERR("%s:%d: '%s' is not a number in identity '%s'", name, line, v, w);
            r->num = (unsigned long)n;
        } else {
            r->pattern = vk_strdup(v);
        }
        return 0;
    }
    RULE_ERR("%s:%d: unknown identity kind '%.*s' in '%s' (use uid, user, gid, group or dn)",
             name, line, (int)klen, w, w);
}

/* "domain:read,start" or "*:read" or "* all" (object and ops as two words,
 * handled by the caller joining them). */
static int parse_grant(rule *r, const char *obj, size_t objlen, const char *ops,
                       const char *name, int line)
{
    uint32_t bits = 0;
    const char *p = ops;
    while (*p) {
        size_t l = strcspn(p, ",");
        if (l == 3 && strncmp(p, "all", 3) == 0) {
            bits = ALL_OPS;
        } else {
            int op = lookup_name(vk_acl_op_names, VK_ACL_NOPS, p, l);
            if (op < 0)
                RULE_ERR("%s:%d: unknown operation '%.*s' (known: read, read_secure, write, "
                         "start, stop, save, migrate, console, upload, download, open, all)",
                         name, line, (int)l, p);
            bits |= 1u << op;
        }
        p += l;
        if (*p == ',')
            p++;
    }
    if (!bits)
        RULE_ERR("%s:%d: no operation given for '%.*s'", name, line, (int)objlen, obj);
    if (objlen == 1 && *obj == '*') {
        for (int i = 0; i < VK_ACL_NOBJECTS; i++)
            r->perms[i] |= bits;
        return 0;
    }
    int o = lookup_name(vk_acl_object_names, VK_ACL_NOBJECTS, obj, objlen);
    if (o < 0)
        RULE_ERR("%s:%d: unknown object kind '%.*s' (known: connect, node, domain, network, "
                 "pool, volume, nodedev, *)", name, line, (int)objlen, obj);
    r->perms[o] |= bits;
    return 0;
}

static int parse_line(vk_access *a, char *s, const char *name, int line)
{
    VK_AUTOSTRV words = NULL;
    size_t nw = 0, capw = 0;
    for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
        VK_GROW(words, capw, nw + 1);
        words[nw++] = vk_strdup(tok);
        words[nw] = NULL;
    }
    if (nw == 0)
        return 0;
    if (nw == 1)
        RULE_ERR("%s:%d: identity '%s' grants nothing (add object:operations)", name, line,
                 words[0]);
    rule r = { 0 };
    if (parse_identity(&r, words[0], name, line) < 0)
        return -1;
    for (size_t i = 1; i < nw; i++) {
        const char *w = words[i];
        const char *colon = strchr(w, ':');
        int rc;
        if (colon) {
            rc = parse_grant(&r, w, (size_t)(colon - w), colon + 1, name, line);
        } else if (i + 1 < nw && !strchr(words[i + 1], ':')) {
            /* "* all" / "domain all": object and operations as two words */
            rc = parse_grant(&r, w, strlen(w), words[i + 1], name, line);
            i++;
        } else {
            vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_ACCESS,
                         "%s:%d: '%s' must be object:operations", name, line, w);
            rc = -1;
        }
        if (rc < 0) {
            free(r.pattern);
            return -1;
        }
    }
    VK_GROW(a->rules, a->cap, a->n);
    a->rules[a->n++] = r;
    return 0;
}

vk_access *vk_access_parse(const char *text, const char *name)
{
    VK_AUTOPTR(vk_access) a = vk_alloc(sizeof(*a));
    VK_AUTOFREE(char *) copy = vk_strdup(text);
    int line = 0;
    char *save = NULL;
    /* Split on newlines ourselves: parse_line uses strtok. */
    for (char *p = copy; p; p = save) {
        char *nl = strchr(p, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = 0;
        line++;
        char *hash = strchr(p, '#');
        if (hash)
            *hash = 0;
        if (parse_line(a, p, name, line) < 0)
            return NULL;
    }
    return VK_STEAL(a);
}

vk_access *vk_access_load(const char *path)
{
    VK_AUTOFREE(char *) text = vk_file_read(path, 1 << 20, NULL);
    if (!text) {
        vk_error_prefix("access rules: ");
        return NULL;
    }
    return vk_access_parse(text, path);
}

static bool in_groups(const vk_identity *id, gid_t g)
{
    if (id->gid == g)
        return true;
    for (int i = 0; i < id->ngroups; i++)
        if (id->groups[i] == g)
            return true;
    return false;
}

static bool rule_matches(const rule *r, const vk_identity *id)
{
    switch (r->kind) {
    case ID_ANY: return true;
    case ID_UID: return id->unix_peer && id->uid == (uid_t)r->num;
    case ID_GID: return id->unix_peer && in_groups(id, (gid_t)r->num);
    case ID_USER: return id->unix_peer && id->user && vk_streq(id->user, r->pattern);
    case ID_GROUP: {
        if (!id->unix_peer)
            return false;
        struct group gr, *res = NULL;
        char buf[4096];
        if (getgrnam_r(r->pattern, &gr, buf, sizeof(buf), &res) != 0 || !res)
            return false;
        return in_groups(id, res->gr_gid);
    }
    case ID_DN: return id->dn && fnmatch(r->pattern, id->dn, 0) == 0;
    }
    return false;
}

bool vk_access_allowed(const vk_access *a, const vk_identity *id, vk_acl_object obj,
                       vk_acl_op op)
{
    if (!a)
        return true;
    for (size_t i = 0; i < a->n; i++) {
        const rule *r = &a->rules[i];
        if (!rule_matches(r, id))
            continue;
        if (obj == VK_ACL_CONNECT && (op == VK_ACL_OPEN || op == VK_ACL_READ))
            return true;
        if (r->perms[obj] & (1u << op))
            return true;
    }
    return false;
}
