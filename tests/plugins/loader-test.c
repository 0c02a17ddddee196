/*
 * loader-test.c: the plugin loader's contract (design section 3), proved
 * with the fixture plugins of tests/plugins/fixtures.
 *
 * Every fixture is loaded twice, each time from a private copy in a fresh
 * directory: once through a plugin directory with a manifest and the
 * public calls (virtkit_plugin_list, virtkit_plugin_load), once directly
 * by path (vk_loader_load_path). A refusal must be VIRTKIT_ERR_PLUGIN with
 * a message naming the plugin, its file and the rule, must stay the same
 * on a second attempt, and must leave the process running. Fixtures that
 * are accepted must also serve a connection.
 *
 * Order matters once: a loaded plugin is never unloaded, and the loader
 * knows a plugin by name, so the tests that need fx_good in a fresh
 * directory (permissions, manifests) run before the table of fixtures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "fileutil.h"
#include "loader.h"
#include "testutil.h"
#include "util.h"

typedef struct {
    const char *fixture;   /* file name without .so */
    const char *scheme;    /* accepted and serving this URI scheme; NULL: refused */
    const char *needle;    /* refused: what the message must say */
    const char *needle2;   /* and this too (optional) */
} fx_case;

static const fx_case cases[] = {
    { "fx_good", "fxgood", NULL },
    { "fx_short", "fxshort", NULL },
    { "fx_long_zero", "fxlongzero", NULL },
    { "fx_ops_zero", "fxopszero", NULL },
    { "fx_magic", NULL, "bad magic 0x4c504b56 (expected 0x564b504c): not a virtkit plugin" },
    { "fx_major", NULL, "built for plugin ABI 2.0", "another major is never compatible" },
    { "fx_newminor", NULL, "plugin needs a newer core: built against SDK 1." },
    { "fx_long_dirty", NULL, "descriptor is ", "this core knows, and its tail is not zero" },
    { "fx_ops_dirty", NULL, "hypervisor ops table is ",
      "this core knows, and its tail is not zero" },
    { "fx_tiny", NULL, "descriptor size 8 is too small" },
    { "fx_misnamed", NULL,
      "descriptor names the plugin 'someone_else' but its file is 'fx_misnamed.so'" },
    { "fx_unresolved", NULL, "undefined symbol: fx_nobody_provides_this" },
    /* Linked lazily: the loader binds it at once all the same. */
    { "fx_lazy", NULL, "undefined symbol: fx_nobody_provides_this" },
    { "fx_noentry", NULL, "no entry point virtkit_plugin_entry_v1" },
    { "fx_nodesc", NULL, "entry point returned no descriptor" },
    { "fx_initfail", NULL,
      "init failed: fixture 'fx_initfail': helper /nonexistent/fx-helper is missing" },
    { "fx_initsilent", NULL, "init failed: no reason given" },
    { "fx_kinds", NULL, "declares kind storage but provides no storage ops" },
    { "fx_kindbits", NULL, "kinds 0x81 is empty or has unknown bits" },
};

/* ------------------------------------------------------------ helpers -- */

/* The built fixture (libtool puts the shared object in .libs/). */
static char *fixture_so(const char *fixture)
{
    const char *b = getenv("VIRTKIT_TEST_BUILDDIR");
    char *p = vk_asprintf("%s/tests/plugins/.libs/%s.so", b && *b ? b : ".", fixture);
    if (!vk_file_exists(p)) {
        print_error("fixture %s is not built (run through make check)\n", p);
        fail();
    }
    return p;
}

/* Copy fixture into dir as FILE.so (FILE defaults to the fixture's name),
 * mode 0755; returns the copy's path. */
static char *stage_so(const char *dir, const char *fixture)
{
    VK_AUTOFREE(char *) src = fixture_so(fixture);
    size_t len = 0;
    VK_AUTOFREE(char *) data = VKT_NONNULL(vk_file_read(src, 64 << 20, &len));
    char *dst = vk_asprintf("%s/%s.so", dir, fixture);
    VKT_OK(vk_file_write_atomic(dst, data, len, 0755));
    return dst;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    VKT_OK(vk_file_write_atomic(path, text, strlen(text), mode));
}

/* A manifest as the build installs one beside each plugin. */
static void stage_manifest(const char *dir, const char *name, const char *scheme)
{
    VK_AUTOFREE(char *) path = vk_asprintf("%s/%s.plugin", dir, name);
    VK_AUTOFREE(char *) text = vk_asprintf(
        "# loader fixture\nname = \"%s\";\nversion = \"1.0\";\nabi = \"1.0\";\n"
        "kinds = [\"hypervisor\"];\nschemes = [\"%s\"];\nlicense = \"MIT\";\n"
        "description = \"fixture %s\";\n",
        name, scheme ? scheme : "fxnone", name);
    write_text(path, text, 0644);
}

/* Use dir as the plugin directory, from a clean loader view. */
static void use_plugin_dir(const char *dir)
{
    setenv("VIRTKIT_PLUGIN_DIR", dir, 1);
    vk_loader_reset();
}

/* The listing entry of plugin `name` (from virtkit_plugin_list), or NULL. */
static const char *listed(const char *name, const char *key, char **buf)
{
    virtkit_params **list = NULL;
    int n = virtkit_plugin_list(&list, 0);
    VKT_OK(n);
    const char *found = NULL;
    for (int i = 0; i < n && !found; i++) {
        const char *nm = NULL, *v = NULL;
        if (virtkit_params_get_string(list[i], "name", &nm) == 1 && vk_streq(nm, name) &&
            virtkit_params_get_string(list[i], key, &v) == 1)
            found = *buf = vk_strdup(v);
    }
    virtkit_plugin_list_free(list, n);
    return found;
}

/* The last error is the refusal of `name` for rule `needle`, and names
 * the file. */
static void check_refusal(const char *name, const char *path, const char *needle)
{
    VKT_ERROR(VIRTKIT_ERR_PLUGIN, needle);
    const virtkit_error *e = virtkit_error_last();
    assert_non_null(e);
    assert_int_equal(e->subsystem, VIRTKIT_SUB_PLUGIN);
    VK_AUTOFREE(char *) who = vk_asprintf("plugin '%s' (%s) refused: ", name, path);
    if (!strstr(e->message, who)) {
        print_error("refusal does not name the plugin and file: wanted '%s' in '%s'\n", who,
                    e->message);
        fail();
    }
}

/* The refusal of a fixture of the table. */
static void check_case_refusal(const fx_case *c, const char *so)
{
    check_refusal(c->fixture, so, c->needle);
    if (c->needle2)
        VKT_ERROR(VIRTKIT_ERR_PLUGIN, c->needle2);
}

/* Open a connection through an accepted fixture and use it: one running
 * domain "fx-dom". */
static void check_serves(const char *scheme)
{
    VK_AUTOFREE(char *) uri = vk_asprintf("%s:///default", scheme);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri, 0));
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "fx-dom"));
    virtkit_domain_free(d);
    assert_null(virtkit_domain_lookup_by_name(c, "nope"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "has no domain 'nope'");
    virtkit_connect_close(c);
}

/* ------------------------------------------------- the fixture table -- */

/* Through a plugin directory: listed without loading, then loaded (or
 * refused) by name, and listed again with the outcome. */
static void test_fixture_dir(void **state)
{
    const fx_case *c = *state;
    VK_AUTOFREE(char *) dir = vkt_tmpdir();
    VK_AUTOFREE(char *) so = stage_so(dir, c->fixture);
    stage_manifest(dir, c->fixture, c->scheme);
    use_plugin_dir(dir);

    VK_AUTOFREE(char *) st0 = NULL;
    VK_AUTOFREE(char *) path = NULL;
    assert_non_null(listed(c->fixture, "state", &st0));
    assert_string_equal(st0, "available");
    assert_non_null(listed(c->fixture, "path", &path));
    assert_string_equal(path, so);

    int r = virtkit_plugin_load(c->fixture, 0);
    if (c->scheme)
        VKT_OK(r);
    else {
        assert_int_equal(r, -1);
        check_case_refusal(c, so);
    }
    VK_AUTOFREE(char *) st1 = NULL;
    assert_non_null(listed(c->fixture, "state", &st1));
    if (c->scheme) {
        assert_string_equal(st1, "loaded");
        VK_AUTOFREE(char *) abi = NULL;
        assert_non_null(listed(c->fixture, "abi", &abi));
        VK_AUTOFREE(char *) want = vk_asprintf("%d.%d", VIRTKIT_PLUGIN_ABI_MAJOR,
                                               vk_streq(c->fixture, "fx_short") ? 0
                                                   : VIRTKIT_PLUGIN_ABI_MINOR);
        assert_string_equal(abi, want);
        check_serves(c->scheme);
    } else {
        assert_true(vk_str_has_prefix(st1, "refused: "));
        /* Once its descriptor was read, the listing shows the ABI the
         * plugin was built for, not its manifest's claim. */
        if (vk_streq(c->fixture, "fx_newminor") || vk_streq(c->fixture, "fx_major")) {
            VK_AUTOFREE(char *) abi = NULL;
            assert_non_null(listed(c->fixture, "abi", &abi));
            VK_AUTOFREE(char *) want = vk_streq(c->fixture, "fx_major")
                                           ? vk_strdup("2.0")
                                           : vk_asprintf("1.%d", VIRTKIT_ABI_MINOR_NUM + 1);
            assert_string_equal(abi, want);
        }
        assert_non_null(strstr(st1, c->needle));
        assert_true(!c->needle2 || strstr(st1, c->needle2));
        /* A refused plugin stays refused, for the same reason. */
        assert_int_equal(virtkit_plugin_load(c->fixture, 0), -1);
        check_case_refusal(c, so);
        /* The listing gives the same reason as the error. */
        assert_true(vk_str_has_suffix(virtkit_error_last()->message,
                                      st1 + strlen("refused: ")));
        /* ... and a URI it claims finds it refused, not absent. */
        assert_null(virtkit_connect_open("fxnone:///default", 0));
        VKT_ERROR(VIRTKIT_ERR_PLUGIN, c->needle);
    }
    vkt_tmpdir_cleanup(VK_STEAL(dir));
}

/* Directly by absolute path, without a manifest. */
static void test_fixture_path(void **state)
{
    const fx_case *c = *state;
    VK_AUTOFREE(char *) dir = vkt_tmpdir();
    VK_AUTOFREE(char *) so = stage_so(dir, c->fixture);
    use_plugin_dir(dir);

    vk_plugin *p = vk_loader_load_path(so);
    if (c->scheme) {
        VKT_NONNULL(p);
        assert_int_equal(p->state, VK_PLUGIN_LOADED);
        assert_string_equal(p->desc->name, c->fixture);
        assert_int_equal(p->desc->magic, VIRTKIT_PLUGIN_MAGIC);
        assert_non_null(p->desc->hypervisor);
        /* The same file again is the same plugin, not a second load. */
        assert_ptr_equal(vk_loader_load_path(so), p);
    } else {
        assert_null(p);
        check_case_refusal(c, so);
        VK_AUTOFREE(char *) msg = vk_strdup(virtkit_error_last()->message);
        assert_null(vk_loader_load_path(so));
        assert_string_equal(virtkit_error_last()->message, msg);
    }
    vkt_tmpdir_cleanup(VK_STEAL(dir));
}

/* ------------------------------------------------ rules beyond files -- */

/* An older plugin's short descriptor is zero-extended (its storage and
 * network members, poisoned in the fixture, read as absent) and the ops
 * its short table lacks are "not supported", never a call into the
 * poison. */
static void test_short_descriptor_zero_extended(void **state)
{
    VK_AUTOFREE(char *) dir = vkt_tmpdir();
    VK_AUTOFREE(char *) so = stage_so(dir, "fx_short");
    use_plugin_dir(dir);
    vk_plugin *p = VKT_NONNULL(vk_loader_load_path(so));
    assert_int_equal(p->desc->struct_size, offsetof(vkp_descriptor, storage));
    assert_null(p->desc->storage);
    assert_null(p->desc->network);
    assert_string_equal(p->abi, "1.0");

    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open("fxshort:///default", 0));
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "fx-dom"));
    /* domain_suspend, domain_get_xml and domain_get_state lie past the
     * table's end. */
    assert_int_equal(virtkit_domain_suspend(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_SUPPORT, "domain_suspend is not supported by the 'fx_short'");
    assert_null(virtkit_domain_get_xml(d, 0));
    VKT_ERROR(VIRTKIT_ERR_NO_SUPPORT, "domain_get_xml");
    int st = -1, reason = -1;
    assert_int_equal(virtkit_domain_get_state(d, &st, &reason, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_SUPPORT, "domain_get_state");
    /* An op of SDK 1.1 on this 1.0 plugin: not supported, never a jump
     * past its table. */
    assert_int_equal(virtkit_domain_pin_vcpu(d, 0, "0", 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_SUPPORT, "domain_pin");
    /* Storage and networks: no tables at all. */
    assert_int_equal(virtkit_connect_list_all_pools(c, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_SUPPORT, "list_all_pools");
    assert_int_equal(virtkit_connect_list_all_networks(c, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_SUPPORT, "list_all_networks");
    virtkit_domain_free(d);
    virtkit_connect_close(c);
    vkt_tmpdir_cleanup(VK_STEAL(dir));
}

/* A plugin built against a newer SDK minor: the message gives both
 * versions, so the user knows to upgrade the core, not the plugin. */
static void test_newer_minor_message(void **state)
{
    VK_AUTOFREE(char *) dir = vkt_tmpdir();
    VK_AUTOFREE(char *) so = stage_so(dir, "fx_newminor");
    use_plugin_dir(dir);
    assert_null(vk_loader_load_path(so));
    unsigned int major = 0, minor = 99;
    virtkit_plugin_abi(&major, &minor);
    assert_int_equal(major, VIRTKIT_PLUGIN_ABI_MAJOR);
    assert_int_equal(minor, VIRTKIT_ABI_MINOR_NUM);
    VK_AUTOFREE(char *) want = vk_asprintf(
        "plugin needs a newer core: built against SDK %u.%u, this core implements ABI %u.%u",
        major, minor + 1, major, minor);
    VKT_ERROR(VIRTKIT_ERR_PLUGIN, want);
    vkt_tmpdir_cleanup(VK_STEAL(dir));
}

/* Only root (or the running user) may own the plugin directory and file,
 * and neither may be writable by group or others: whoever can write there
 * runs code in every virtkit process. */
typedef struct {
    bool dir;          /* spoil the directory (else the file) */
    mode_t mode;       /* chmod to this, when not 0 */
    uid_t uid;         /* chown to this, when not 0 (root only) */
    const char *rule;  /* the refusal, after "<directory|file> <path> " */
} perm_case;

static const perm_case perm_cases[] = {
    { true, 0777, 0, "is writable by group or others (mode 0777)" },
    /* Sticky, like /tmp, is no better: anyone may still add a plugin. */
    { true, 01777, 0, "is writable by group or others (mode 1777)" },
    { true, 0775, 0, "is writable by group or others (mode 0775)" },
    { false, 0775, 0, "is writable by group or others (mode 0775)" },
    { false, 0757, 0, "is writable by group or others (mode 0757)" },
    { true, 0, 4242, "is owned by uid 4242, not root" },
    { false, 0, 4242, "is owned by uid 4242, not root" },
};

static void test_permissions(void **state)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(perm_cases); i++) {
        const perm_case *pc = &perm_cases[i];
        if (pc->uid && geteuid() != 0) {
            print_message("skipping the uid %u case: only root can give a file away\n",
                          (unsigned)pc->uid);
            continue;
        }
        VK_AUTOFREE(char *) dir = vkt_tmpdir();
        VK_AUTOFREE(char *) so = stage_so(dir, "fx_good");
        const char *target = pc->dir ? dir : so;
        if (pc->mode)
            assert_int_equal(chmod(target, pc->mode), 0);
        if (pc->uid)
            assert_int_equal(chown(target, pc->uid, pc->uid), 0);
        use_plugin_dir(dir);
        assert_null(vk_loader_load_path(so));
        VK_AUTOFREE(char *) want =
            vk_asprintf("%s %s %s", pc->dir ? "directory" : "file", target, pc->rule);
        check_refusal("fx_good", so, want);
        vkt_tmpdir_cleanup(VK_STEAL(dir));
    }
}

/* A relative path would resolve against whatever the working directory
 * is: refused, whether given directly or through a relative plugin
 * directory. */
static void test_relative_path(void **state)
{
    VK_AUTOFREE(char *) dir = vkt_tmpdir();
    VK_AUTOFREE(char *) sub = vk_path_join(dir, "plugins");
    VKT_OK(vk_mkdir_p(sub, 0755));
    VK_AUTOFREE(char *) so = stage_so(sub, "fx_good");
    stage_manifest(sub, "fx_good", "fxrel");
    VK_AUTOFREE(char *) cwd = getcwd(NULL, 0);
    assert_int_equal(chdir(dir), 0);

    use_plugin_dir(dir);
    assert_null(vk_loader_load_path("plugins/fx_good.so"));
    check_refusal("fx_good", "plugins/fx_good.so", "path plugins/fx_good.so is not absolute");

    use_plugin_dir("plugins");
    assert_int_equal(virtkit_plugin_load("fx_good", 0), -1);
    check_refusal("fx_good", "plugins/fx_good.so", "path plugins/fx_good.so is not absolute");
    assert_null(virtkit_connect_open("fxrel:///default", 0));
    VKT_ERROR(VIRTKIT_ERR_PLUGIN, "is not absolute");

    assert_int_equal(chdir(cwd), 0);
    vkt_tmpdir_cleanup(VK_STEAL(dir));
}

/* Manifests are how plugins are listed without loading them; a broken one
 * refuses its plugin, naming the file and the fault, and leaves the other
 * plugins of the directory alone. */
typedef struct {
    const char *what;
    const char *text;
    const char *needle;
} manifest_case;

static const manifest_case bad_manifests[] = {
    { "syntax error", "name = \"fx_good\";\nkinds = [\"hypervisor\"\n", ":3: syntax error" },
    { "another name", "name = \"fx_other\";\n",
      "manifest names the plugin 'fx_other' but the file is 'fx_good.plugin'" },
    { "kinds not a list", "name = \"fx_good\";\nkinds = \"hypervisor\";\n",
      "setting 'kinds' must be a list of strings" },
    { "version not a string", "name = \"fx_good\";\nversion = 3;\n",
      "setting 'version' must be a string" },
    { "schemes of numbers", "name = \"fx_good\";\nschemes = [1, 2];\n",
      "setting 'schemes' must be a list of strings" },
};

static void test_malformed_manifest(void **state)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(bad_manifests); i++) {
        const manifest_case *m = &bad_manifests[i];
        VK_AUTOFREE(char *) dir = vkt_tmpdir();
        VK_AUTOFREE(char *) so = stage_so(dir, "fx_good");
        VK_AUTOFREE(char *) mf = vk_asprintf("%s/fx_good.plugin", dir);
        write_text(mf, m->text, 0644);
        /* A healthy neighbour in the same directory. */
        VK_AUTOFREE(char *) so2 = stage_so(dir, "fx_initfail");
        stage_manifest(dir, "fx_initfail", NULL);
        use_plugin_dir(dir);

        VK_AUTOFREE(char *) st = NULL;
        assert_non_null(listed("fx_good", "state", &st));
        if (!strstr(st, m->needle)) {
            print_error("manifest case '%s': listed state '%s' lacks '%s'\n", m->what, st,
                        m->needle);
            fail();
        }
        VK_AUTOFREE(char *) st2 = NULL;
        assert_non_null(listed("fx_initfail", "state", &st2));
        assert_string_equal(st2, "available");

        assert_int_equal(virtkit_plugin_load("fx_good", 0), -1);
        check_refusal("fx_good", so, m->needle);
        vkt_tmpdir_cleanup(VK_STEAL(dir));
    }
}

/* A file that is not a shared object at all, and a manifest whose
 * library is missing. */
static void test_not_loadable(void **state)
{
    VK_AUTOFREE(char *) dir = vkt_tmpdir();
    VK_AUTOFREE(char *) so = vk_asprintf("%s/fx_garbage.so", dir);
    write_text(so, "this is not an ELF file\n", 0755);
    use_plugin_dir(dir);
    assert_null(vk_loader_load_path(so));
    check_refusal("fx_garbage", so, "cannot load: ");

    stage_manifest(dir, "fx_absent", "fxabsent");
    use_plugin_dir(dir);
    assert_int_equal(virtkit_plugin_load("fx_absent", 0), -1);
    VK_AUTOFREE(char *) absent = vk_asprintf("%s/fx_absent.so", dir);
    check_refusal("fx_absent", absent, "cannot stat file");

    assert_null(vk_loader_load_path("/nonexistent/dir/libfoo.txt"));
    VKT_ERROR(VIRTKIT_ERR_PLUGIN, "'/nonexistent/dir/libfoo.txt' is not a .so file");
    vkt_tmpdir_cleanup(VK_STEAL(dir));
}

/* The public entry points' own argument checks. */
static void test_public_api_contract(void **state)
{
    VK_AUTOFREE(char *) dir = vkt_tmpdir();
    use_plugin_dir(dir);
    assert_int_equal(virtkit_plugin_load("fx_good", 1), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, NULL);
    assert_int_equal(virtkit_plugin_load(NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, NULL);
    assert_int_equal(virtkit_plugin_load("", 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, NULL);
    assert_int_equal(virtkit_plugin_load("fx_nowhere", 0), -1);
    VK_AUTOFREE(char *) want = vk_asprintf("no plugin named 'fx_nowhere' in %s", dir);
    VKT_ERROR(VIRTKIT_ERR_PLUGIN, want);
    assert_int_equal(virtkit_plugin_list(NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, NULL);
    virtkit_params **list = NULL;
    assert_int_equal(virtkit_plugin_list(&list, 2), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, NULL);
    assert_int_equal(virtkit_plugin_list(&list, 0), 0);
    virtkit_plugin_list_free(list, 0);
    vkt_tmpdir_cleanup(VK_STEAL(dir));
}

int main(void)
{
    /* Debug logs would bury the test's own output. */
    unsetenv("VIRTKIT_LOG");
    struct CMUnitTest tests[16 + 2 * VK_ARRAY_LEN(cases)];
    size_t n = 0;
    /* First: tests that load fx_good from fresh directories by name. */
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_public_api_contract);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_permissions);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_relative_path);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_malformed_manifest);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_not_loadable);
    size_t first_fixture = n;
    for (size_t i = 0; i < VK_ARRAY_LEN(cases); i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_fixture_dir,
                                                                (void *)&cases[i]);
        tests[n++].name = vk_asprintf("dir/%s", cases[i].fixture);
    }
    for (size_t i = 0; i < VK_ARRAY_LEN(cases); i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_fixture_path,
                                                                (void *)&cases[i]);
        tests[n++].name = vk_asprintf("path/%s", cases[i].fixture);
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_short_descriptor_zero_extended);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_newer_minor_message);
    int failed = _cmocka_run_group_tests("loader", tests, n, NULL, NULL);
    for (size_t i = first_fixture; i < first_fixture + 2 * VK_ARRAY_LEN(cases); i++)
        free((char *)tests[i].name);
    return failed;
}
