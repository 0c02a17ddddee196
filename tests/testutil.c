/*
 * testutil.c: see testutil.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "testutil.h"
#include "util.h"

void vkt_fail_with_error(const char *expr, const char *file, int line)
{
    const virtkit_error *e = virtkit_error_last();
    print_error("%s:%d: %s failed: %s (%s/%s)\n", file, line, expr,
                e ? e->message : "no error set", e ? virtkit_error_code_name(e->code) : "-",
                e ? virtkit_error_subsystem_name(e->subsystem) : "-");
    fail();
}

void vkt_check_error(int code, const char *needle, const char *file, int line)
{
    const virtkit_error *e = virtkit_error_last();
    if (!e) {
        print_error("%s:%d: expected error %s, but no error is set\n", file, line,
                    virtkit_error_code_name(code));
        fail();
        return;
    }
    if (e->code != code || (needle && !strstr(e->message, needle))) {
        print_error("%s:%d: expected error %s containing '%s', got %s: %s\n", file, line,
                    virtkit_error_code_name(code), needle ? needle : "", 
                    virtkit_error_code_name(e->code), e->message);
        fail();
    }
}

char *vkt_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *t = vk_asprintf("%s/virtkit-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t)) {
        print_error("mkdtemp failed: %s\n", strerror(errno));
        fail();
    }
    return t;
}

void vkt_tmpdir_cleanup(char *dir)
{
    if (dir)
        vk_remove_tree(dir);
    free(dir);
}

char *vkt_srcpath(const char *rel)
{
    const char *src = getenv("VIRTKIT_TEST_SRCDIR");
    return vk_asprintf("%s/%s", src && *src ? src : ".", rel);
}

char *vkt_read_file(const char *path)
{
    char *r = vk_file_read(path, 64 << 20, NULL);
    virtkit_error_clear();
    return r;
}

void vkt_golden(const char *rel, const char *actual)
{
    VK_AUTOFREE(char *) path = vkt_srcpath(rel);
    const char *regen = getenv("VIRTKIT_REGENERATE");
    if (regen && *regen && *regen != '0') {
        if (vk_file_write_atomic(path, actual, strlen(actual), 0644) < 0) {
            print_error("cannot write golden file %s\n", path);
            fail();
        }
        return;
    }
    VK_AUTOFREE(char *) expected = vkt_read_file(path);
    if (!expected) {
        print_error("golden file %s is missing (regenerate with make check "
                    "VIRTKIT_REGENERATE=1)\n", path);
        fail();
        return;
    }
    if (strcmp(expected, actual) != 0) {
        print_error("output differs from golden file %s\n--- expected\n%s\n--- actual\n%s\n", path,
                    expected, actual);
        fail();
    }
}
