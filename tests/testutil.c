/*
 * testutil.c: see testutil.h. Plain libc only, so API tests can link it
 * next to the public library without the core's internals.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

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

static char *xasprintf(const char *fmt, const char *a, const char *b)
{
    char *r = NULL;
    if (asprintf(&r, fmt, a, b) < 0)
        abort();
    return r;
}

char *vkt_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *t = xasprintf("%s/virtkit-test-XXXXXX%s", base && *base ? base : "/tmp", "");
    if (!mkdtemp(t)) {
        print_error("mkdtemp failed: %s\n", strerror(errno));
        fail();
    }
    return t;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *sub = xasprintf("%s/%s", path, e->d_name);
            remove_tree(sub);
            free(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

void vkt_tmpdir_cleanup(char *dir)
{
    if (dir && strncmp(dir, "/tmp/", 5) == 0)
        remove_tree(dir);
    else if (dir && getenv("TMPDIR") && strncmp(dir, getenv("TMPDIR"), strlen(getenv("TMPDIR"))) == 0)
        remove_tree(dir);
    free(dir);
}

char *vkt_srcpath(const char *rel)
{
    const char *src = getenv("VIRTKIT_TEST_SRCDIR");
    return xasprintf("%s/%s", src && *src ? src : ".", rel);
}

static void link_into(const char *dir, const char *target, const char *name)
{
    char *dst = xasprintf("%s/%s", dir, name);
    if (symlink(target, dst) < 0) {
        print_error("cannot link %s to %s: %s\n", dst, target, strerror(errno));
        fail();
    }
    free(dst);
}

void vkt_use_plugins_with_example(const char *tmp)
{
    const char *b = getenv("VIRTKIT_TEST_BUILDDIR");
    b = b && *b ? b : ".";
    char *dir = xasprintf("%s/%s", tmp, "plugins");
    char *stage = xasprintf("%s/%s", b, "plugin-stage");
    if (mkdir(dir, 0755) < 0) {
        print_error("cannot create %s: %s\n", dir, strerror(errno));
        fail();
    }
    DIR *d = opendir(stage);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *target = xasprintf("%s/%s", stage, e->d_name);
        link_into(dir, target, e->d_name);
        free(target);
    }
    if (d)
        closedir(d);
    char *so = xasprintf("%s/%s", b, "tests/plugins/.libs/example.so");
    char *manifest = vkt_srcpath("../sdk/examples/example.plugin");
    link_into(dir, so, "example.so");
    link_into(dir, manifest, "example.plugin");
    setenv("VIRTKIT_PLUGIN_DIR", dir, 1);
    free(so);
    free(manifest);
    free(stage);
    free(dir);
}

char *vkt_read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 >= cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = 0;
    return buf;
}

void vkt_golden(const char *rel, const char *actual)
{
    char *path = vkt_srcpath(rel);
    const char *regen = getenv("VIRTKIT_REGENERATE");
    if (regen && *regen && *regen != '0') {
        FILE *f = fopen(path, "we");
        if (!f || fputs(actual, f) < 0 || fclose(f) != 0) {
            print_error("cannot write golden file %s: %s\n", path, strerror(errno));
            free(path);
            fail();
        }
        free(path);
        return;
    }
    char *expected = vkt_read_file(path);
    if (!expected) {
        print_error("golden file %s is missing (regenerate with make check "
                    "VIRTKIT_REGENERATE=1)\n", path);
        free(path);
        fail();
        return;
    }
    int differ = strcmp(expected, actual) != 0;
    if (differ)
        print_error("output differs from golden file %s\n--- expected\n%s\n--- actual\n%s\n", path,
                    expected, actual);
    free(expected);
    free(path);
    if (differ)
        fail();
}
