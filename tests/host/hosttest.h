/*
 * hosttest.h: helpers shared by the host tests: point the host readers at
 * a recorded tree (tests/data/host/NAME) or at a scratch copy of one that
 * a test breaks on purpose.
 */
#ifndef VK_HOSTTEST_H
#define VK_HOSTTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fileutil.h"
#include "hostinfo.h"
#include "testutil.h"
#include "util.h"

static const char *const host_trees[] = { "laptop", "server", "offline", NULL };

/* Where mktrees.py wrote the trees: <builddir>/tests/data/host/<name>. */
static inline char *ht_tree_path(const char *name)
{
    const char *b = getenv("VIRTKIT_TEST_BUILDDIR");
    return vk_asprintf("%s/tests/data/host/%s", b && *b ? b : ".", name);
}

/* Point the readers at a recorded tree. */
static inline void ht_use_tree(const char *name)
{
    VK_AUTOFREE(char *) path = ht_tree_path(name);
    vk_host_set_root(path);
}

/* A scratch copy of a recorded tree, made current. Caller cleans up with
 * ht_scratch_done(). */
static inline char *ht_scratch(const char *name)
{
    char *dir = vkt_tmpdir();
    VK_AUTOFREE(char *) src = ht_tree_path(name);
    VK_AUTOFREE(char *) cmd = vk_asprintf("cp -a '%s/.' '%s/'", src, dir);
    assert_int_equal(system(cmd), 0);
    vk_host_set_root(dir);
    return dir;
}

static inline void ht_scratch_done(char *dir)
{
    vk_host_set_root(NULL);
    vkt_tmpdir_cleanup(dir);
}

/* Overwrite (or create) a file of the scratch tree. */
static inline void ht_write(const char *dir, const char *rel, const char *content)
{
    VK_AUTOFREE(char *) path = vk_asprintf("%s%s", dir, rel);
    unlink(path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static inline void ht_remove(const char *dir, const char *rel)
{
    VK_AUTOFREE(char *) path = vk_asprintf("%s%s", dir, rel);
    assert_int_equal(vk_remove_tree(path), 0);
}

#endif
