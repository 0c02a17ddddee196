/*
 * testutil.h: helpers for cmocka tests. A failing check prints the
 * library's last error (like libgit2's clar helpers), so a red test says
 * why without a debugger.
 */
#ifndef VK_TESTUTIL_H
#define VK_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <virtkit/virtkit.h>

/* Print the last virtkit error and fail. */
void vkt_fail_with_error(const char *expr, const char *file, int line);

/* Assert a call returned >= 0 (or non-NULL), printing the error if not. */
#define VKT_OK(expr)                                                                     \
    do {                                                                                 \
        if ((expr) < 0)                                                                  \
            vkt_fail_with_error(#expr, __FILE__, __LINE__);                              \
    } while (0)
#define VKT_NONNULL(expr)                                                                \
    ({                                                                                   \
        __typeof__(expr) vkt_v_ = (expr);                                                \
        if (!vkt_v_)                                                                     \
            vkt_fail_with_error(#expr, __FILE__, __LINE__);                              \
        vkt_v_;                                                                          \
    })
/* Assert the last error has this code and its message contains `needle`. */
#define VKT_ERROR(code, needle) vkt_check_error((code), (needle), __FILE__, __LINE__)
void vkt_check_error(int code, const char *needle, const char *file, int line);

/* A fresh temporary directory (removed by vkt_tmpdir_cleanup). */
char *vkt_tmpdir(void);
void vkt_tmpdir_cleanup(char *dir);
/* Path of a file under tests/ in the source tree. Caller frees. */
char *vkt_srcpath(const char *rel);
/* A plugin directory (inside the temporary directory `tmp`) holding the
 * build tree's plugins and sdk/examples' plugin (example:///default, which
 * leaves node devices to the core), made the one this process uses. */
void vkt_use_plugins_with_example(const char *tmp);
/* Read a whole file; NULL if missing. Caller frees. */
char *vkt_read_file(const char *path);
/* Compare `actual` with the golden file `rel` (under tests/); with
 * VIRTKIT_REGENERATE=1 in the environment, rewrite the file instead. */
void vkt_golden(const char *rel, const char *actual);

#endif
