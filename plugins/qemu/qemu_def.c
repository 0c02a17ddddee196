/*
 * qemu_def.c: reading definitions through the host's accessors, with
 * "unknown to the schema" read as "absent".
 *
 * The domain format grows while this plugin is written: an element the
 * schema does not know yet cannot be in a parsed definition, so asking for
 * it is the same as finding it absent. The accessors report such a path
 * as an error; we drop that error here (only when the slot was clear
 * before the call, so nothing of the caller's is lost).
 */
#include "config.h"

#include <stdio.h>

#include "qemu.h"

#define KEEP_ERRORS_CLEAN(expr)                                                          \
    ({                                                                                   \
        int had_ = H->error_code();                                                      \
        __typeof__(expr) r_ = (expr);                                                    \
        if (!had_ && H->error_code())                                                    \
            vkc_error_reset();                                                           \
        r_;                                                                              \
    })

const char *qemu_def_str(const vkp_def *n, const char *path)
{
    if (!n)
        return NULL;
    return KEEP_ERRORS_CLEAN(H->def->get(n, path));
}

int qemu_def_u64(const vkp_def *n, const char *path, uint64_t *out)
{
    if (!n)
        return 0;
    const char *s = qemu_def_str(n, path);
    if (!s)
        return 0;
    if (vkc_parse_u64(s, 0, out) < 0) {
        char where[96];
        QEMU_ERR(VIRTKIT_ERR_XML, "%s: '%s' is not a number (%s)",
                 qemu_def_where(n, where, sizeof(where)), s, path);
        return -1;
    }
    return 1;
}

size_t qemu_def_count(const vkp_def *n, const char *path)
{
    if (!n)
        return 0;
    return KEEP_ERRORS_CLEAN(H->def->count(n, path));
}

const vkp_def *qemu_def_child(const vkp_def *n, const char *path, size_t idx)
{
    if (!n)
        return NULL;
    return KEEP_ERRORS_CLEAN(H->def->child(n, path, idx));
}

bool qemu_def_has(const vkp_def *n, const char *path)
{
    return qemu_def_count(n, path) > 0;
}

const char *qemu_def_where(const vkp_def *n, char *buf, size_t len)
{
    const char *el = n ? H->def->element(n) : "?";
    int line = n ? H->def->line(n) : 0;
    if (line > 0)
        snprintf(buf, len, "<%s> (line %d)", el, line);
    else
        snprintf(buf, len, "<%s>", el);
    return buf;
}
