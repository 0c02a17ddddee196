/*
 * test_rng.c: the committed RelaxNG grammars (docs/schemas) are exactly
 * what virtkit-schema-gen makes of the tables, and each one loads in
 * libxml2 and accepts a minimal document of its kind. Regenerate with
 * `make schemas` or `make check VIRTKIT_REGENERATE=1`.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "defs.h"
#include "testutil.h"

static const struct {
    const char *file;
    int kind;
    const char *minimal;
} grammars[] = {
    { "domain.rng", VKP_DEF_DOMAIN,
      "<domain type='test'><name>a</name><memory>1024</memory></domain>" },
    { "network.rng", VKP_DEF_NETWORK, "<network><name>n</name></network>" },
    { "storagepool.rng", VKP_DEF_POOL,
      "<pool type='dir'><name>p</name><target><path>/p</path></target></pool>" },
    { "storagevol.rng", VKP_DEF_VOLUME,
      "<volume><name>v</name><capacity>1</capacity></volume>" },
    { "nodedev.rng", VKP_DEF_NODEDEV, "<device><name>computer</name></device>" },
    { "capability.rng", VK_DEF_CAPS, NULL },
};

static void test_committed_grammars(void **state)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(grammars); i++) {
        VK_AUTOFREE(char *) rng = VKT_NONNULL(vk_schema_rng(vk_xkind_get(grammars[i].kind)));
        VK_AUTOFREE(char *) rel = vk_asprintf("../docs/schemas/%s", grammars[i].file);
        vkt_golden(rel, rng);
    }
}

static void test_grammars_load_and_accept(void **state)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(grammars); i++) {
        if (!grammars[i].minimal)
            continue;
        VK_AUTOFREE(char *) path = vk_asprintf("%s/%s", vk_schema_dir(), grammars[i].file);
        VKT_OK(vk_schema_validate_rng(path, grammars[i].minimal));
    }
}

/* The VALIDATE flag checks input against the installed grammar, before
 * (and independently of) the parser's own checks. */
static void test_validate_flag(void **state)
{
    const char *bad = "<domain type='test'><name>a</name><memory>1024</memory>"
                      "<vcpu>two</vcpu></domain>";
    assert_null(vk_def_parse(VKP_DEF_DOMAIN, bad, VKP_DEF_PARSE_VALIDATE));
    VKT_ERROR(VIRTKIT_ERR_XML, "domain XML does not validate against the schema");
    assert_null(vk_def_parse(VKP_DEF_DOMAIN, bad, 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "<vcpu>: value 'two' is not valid");
    const char *good = "<domain type='test'><name>a</name><memory>1024</memory></domain>";
    vk_xnode *n = VKT_NONNULL(vk_def_parse(VKP_DEF_DOMAIN, good, VKP_DEF_PARSE_VALIDATE));
    vk_xnode_free(n);
    /* compiled grammars are cached; a changed file is compiled again */
    for (int i = 0; i < 3; i++) {
        n = VKT_NONNULL(vk_def_parse(VKP_DEF_DOMAIN, good, VKP_DEF_PARSE_VALIDATE));
        vk_xnode_free(n);
    }
    /* a grammar that cannot be found is an error, not a silent pass */
    setenv("VIRTKIT_SCHEMA_DIR", "/nonexistent", 1);
    assert_null(vk_def_parse(VKP_DEF_DOMAIN, good, VKP_DEF_PARSE_VALIDATE));
    VKT_ERROR(VIRTKIT_ERR_SYSTEM, "cannot load RelaxNG schema '/nonexistent/domain.rng'");
}

/* A grammar that changes on disk is compiled again (cache keyed by mtime). */
static void test_grammar_reload(void **state)
{
    char *dir = vkt_tmpdir();
    VK_AUTOFREE(char *) path = vk_asprintf("%s/domain.rng", dir);
    VK_AUTOFREE(char *) ours = VKT_NONNULL(vk_schema_rng(vk_xkind_get(VKP_DEF_DOMAIN)));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(ours, f);
    fclose(f);
    const char *doc = "<domain type='test'><name>a</name><memory>1024</memory></domain>";
    VKT_OK(vk_schema_validate_rng(path, doc));
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("<grammar xmlns='http://relaxng.org/ns/structure/1.0'><start>"
          "<element name='nothing'><empty/></element></start></grammar>",
          f);
    fclose(f);
    struct timespec later[2] = { { .tv_sec = 2000000000 }, { .tv_sec = 2000000000 } };
    assert_int_equal(utimensat(AT_FDCWD, path, later, 0), 0);
    assert_int_equal(vk_schema_validate_rng(path, doc), -1);
    VKT_ERROR(VIRTKIT_ERR_XML, "does not validate");
    vkt_tmpdir_cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_grammars),
        cmocka_unit_test(test_grammars_load_and_accept),
        cmocka_unit_test(test_validate_flag),
        cmocka_unit_test(test_grammar_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
