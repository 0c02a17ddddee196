/*
 * example-test.c: the contract of sdk/examples/example.c, the plugin
 * vendors copy, through the public API: its lifecycle table, the events
 * each transition emits, list filters, transient domains, duplicate
 * names, and the errors it gives. The plugin is built here from the same
 * source with the same include paths pkg-config gives (no config.h), and
 * loaded from a plugin directory with its own manifest; install-test.sh
 * proves the out-of-tree build and the installed CLI.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "testutil.h"
#include "util.h"

#define MAX_EVENTS 64

typedef struct {
    char name[32];
    int event, detail;
} seen_event;

static seen_event events[MAX_EVENTS];
static size_t nevents;

static void on_lifecycle(virtkit_connect *conn, virtkit_domain *dom, int event, int detail,
                         void *opaque)
{
    if (nevents < MAX_EVENTS) {
        snprintf(events[nevents].name, sizeof(events[nevents].name), "%s",
                 virtkit_domain_get_name(dom));
        events[nevents].event = event;
        events[nevents].detail = detail;
        nevents++;
    }
}

/* Dispatch what is queued (the core arms a 0 ms timer) and check that the
 * events since the last call are exactly `want` (name, event, detail). */
static void expect_events(const seen_event *want, size_t n)
{
    VKT_OK(virtkit_event_run_default_impl());
    if (nevents != n)
        print_error("expected %zu events, got %zu\n", n, nevents);
    assert_int_equal(nevents, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(events[i].name, want[i].name);
        assert_int_equal(events[i].event, want[i].event);
        assert_int_equal(events[i].detail, want[i].detail);
    }
    nevents = 0;
}
#define EXPECT_EVENT(nm, ev, det)                                                        \
    do {                                                                                 \
        const seen_event w_ = { nm, ev, det };                                           \
        expect_events(&w_, 1);                                                           \
    } while (0)

static char *tmpdir;
static virtkit_connect *conn;

static const char web1_xml[] =
    "<domain type='test'><name>web1</name><memory unit='MiB'>256</memory>"
    "<vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";

static int setup(void **state)
{
    tmpdir = vkt_tmpdir();
    const char *b = getenv("VIRTKIT_TEST_BUILDDIR");
    VK_AUTOFREE(char *) so = vk_asprintf("%s/tests/plugins/.libs/example.so", b ? b : ".");
    VK_AUTOFREE(char *) manifest = vkt_srcpath("../sdk/examples/example.plugin");
    size_t len = 0;
    VK_AUTOFREE(char *) data = vk_file_read(so, 64 << 20, &len);
    VK_AUTOFREE(char *) mtext = vk_file_read(manifest, 1 << 20, NULL);
    if (!data || !mtext) {
        print_error("cannot read %s or %s\n", so, manifest);
        return -1;
    }
    VK_AUTOFREE(char *) dst = vk_path_join(tmpdir, "example.so");
    VK_AUTOFREE(char *) mdst = vk_path_join(tmpdir, "example.plugin");
    if (vk_file_write_atomic(dst, data, len, 0755) < 0 ||
        vk_file_write_atomic(mdst, mtext, strlen(mtext), 0644) < 0)
        return -1;
    setenv("VIRTKIT_PLUGIN_DIR", tmpdir, 1);
    setenv("VIRTKIT_ROOT", tmpdir, 1);
    if (virtkit_event_register_default_impl() < 0)
        return -1;
    conn = virtkit_connect_open("example:///default", 0);
    if (!conn) {
        print_error("cannot open example:///default: %s\n", virtkit_error_last()->message);
        return -1;
    }
    if (virtkit_connect_domain_event_register(conn, NULL, VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIRTKIT_EVENT_CALLBACK(on_lifecycle), NULL,
                                              NULL) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    if (conn)
        virtkit_connect_close(conn);
    vkt_tmpdir_cleanup(tmpdir);
    return 0;
}

/* Names of the domains a filtered listing returns, joined by ','. */
static char *listing(unsigned int flags)
{
    virtkit_domain **doms = NULL;
    int n = virtkit_connect_list_all_domains(conn, &doms, flags);
    VKT_OK(n);
    char *out = vk_strdup("");
    for (int i = 0; i < n; i++) {
        char *next = vk_asprintf("%s%s%s", out, i ? "," : "", virtkit_domain_get_name(doms[i]));
        free(out);
        out = next;
        virtkit_domain_free(doms[i]);
    }
    virtkit_free(doms);
    return out;
}

static void assert_listing(unsigned int flags, const char *want)
{
    VK_AUTOFREE(char *) got = listing(flags);
    if (strcmp(got, want) != 0)
        print_error("listing with flags 0x%x: wanted '%s', got '%s'\n", flags, want, got);
    assert_string_equal(got, want);
}

static void assert_state(virtkit_domain *d, int state, int reason)
{
    int s = -1, r = -1;
    VKT_OK(virtkit_domain_get_state(d, &s, &r, 0));
    assert_int_equal(s, state);
    assert_int_equal(r, reason);
}

static void test_default_node(void **state)
{
    assert_listing(0, "demo");
    assert_int_equal(virtkit_connect_num_of_domains(conn), 1);
    assert_int_equal(virtkit_connect_num_of_defined_domains(conn), 0);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(conn, "demo"));
    assert_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    assert_true(virtkit_domain_get_id(d) > 0);
    virtkit_domain_free(d);
    assert_null(virtkit_domain_lookup_by_name(conn, "nope"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "no domain named 'nope'");
    /* Another path on the scheme is not this plugin's. */
    assert_null(virtkit_connect_open("example:///elsewhere", 0));
    VKT_ERROR(VIRTKIT_ERR_NO_CONNECT, "does not serve URI 'example:///elsewhere'");
}

static void test_lifecycle(void **state)
{
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_define_xml(conn, web1_xml, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_DEFINED, VIRTKIT_EVENT_DEFINED_ADDED);
    assert_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_UNKNOWN);
    assert_int_equal(virtkit_domain_is_persistent(d), 1);
    /* The plugin gave it a uuid, kept in its definition. */
    VK_AUTOFREE(char *) xml = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    assert_non_null(strstr(xml, "<uuid>"));

    VKT_OK(virtkit_domain_create(d, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_STARTED, VIRTKIT_EVENT_STARTED_BOOTED);
    assert_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    assert_int_equal(virtkit_domain_create(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "cannot start domain 'web1': it is running");

    VKT_OK(virtkit_domain_suspend(d, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_SUSPENDED, VIRTKIT_EVENT_SUSPENDED_PAUSED);
    assert_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER);
    assert_listing(VIRTKIT_LIST_DOMAINS_PAUSED, "web1");
    assert_int_equal(virtkit_domain_shutdown(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "cannot shut down domain 'web1': it is paused");
    VKT_OK(virtkit_domain_resume(d, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_RESUMED, VIRTKIT_EVENT_RESUMED_UNPAUSED);
    assert_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_UNPAUSED);

    virtkit_domain_info info = VIRTKIT_DOMAIN_INFO_INIT;
    VKT_OK(virtkit_domain_get_info(d, &info));
    assert_int_equal(info.state, VIRTKIT_DOMAIN_RUNNING);
    assert_int_equal(info.max_mem_kib, 262144);
    assert_int_equal(info.nr_vcpus, 2);

    VKT_OK(virtkit_domain_shutdown(d, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_SHUTDOWN);
    assert_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_SHUTDOWN);
    assert_int_equal(virtkit_domain_destroy(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "cannot destroy domain 'web1': it is shut off");

    /* What the example does not implement is "not supported". */
    VK_AUTOFREE(char *) img = vk_path_join(tmpdir, "web1.img");
    assert_int_equal(virtkit_domain_save(d, img, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_SUPPORT, "not supported by the 'example' driver");

    VKT_OK(virtkit_domain_undefine(d, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
    assert_listing(0, "demo");
    virtkit_domain_free(d);
}

static void test_list_filters(void **state)
{
    virtkit_domain *a = VKT_NONNULL(virtkit_domain_define_xml(conn, web1_xml, 0));
    nevents = 0;
    assert_listing(0, "demo,web1");
    assert_listing(VIRTKIT_LIST_DOMAINS_ACTIVE, "demo");
    assert_listing(VIRTKIT_LIST_DOMAINS_INACTIVE, "web1");
    assert_listing(VIRTKIT_LIST_DOMAINS_ACTIVE | VIRTKIT_LIST_DOMAINS_INACTIVE, "demo,web1");
    assert_listing(VIRTKIT_LIST_DOMAINS_TRANSIENT, "");
    assert_listing(VIRTKIT_LIST_DOMAINS_PERSISTENT | VIRTKIT_LIST_DOMAINS_SHUTOFF, "web1");
    assert_listing(VIRTKIT_LIST_DOMAINS_RUNNING | VIRTKIT_LIST_DOMAINS_PAUSED, "demo");
    assert_listing(VIRTKIT_LIST_DOMAINS_MANAGEDSAVE, "");
    assert_listing(VIRTKIT_LIST_DOMAINS_NO_AUTOSTART, "demo,web1");
    VKT_OK(virtkit_domain_undefine(a, 0));
    virtkit_domain_free(a);
    VKT_OK(virtkit_event_run_default_impl());
    nevents = 0;
}

/* A domain created from XML is transient: it is gone once it stops. So is
 * a persistent one undefined while it runs. */
static void test_transient(void **state)
{
    static const char tmp_xml[] =
        "<domain type='test'><name>tmp1</name><memory unit='KiB'>65536</memory>"
        "<os><type arch='x86_64'>hvm</type></os></domain>";
    virtkit_domain *t = VKT_NONNULL(virtkit_domain_create_xml(conn, tmp_xml, 0));
    EXPECT_EVENT("tmp1", VIRTKIT_EVENT_STARTED, VIRTKIT_EVENT_STARTED_BOOTED);
    assert_int_equal(virtkit_domain_is_persistent(t), 0);
    assert_listing(VIRTKIT_LIST_DOMAINS_TRANSIENT, "tmp1");
    assert_int_equal(virtkit_domain_undefine(t, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "cannot undefine domain 'tmp1': it is transient");
    VKT_OK(virtkit_domain_destroy(t, 0));
    EXPECT_EVENT("tmp1", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_DESTROYED);
    assert_null(virtkit_domain_lookup_by_name(conn, "tmp1"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "tmp1");
    virtkit_domain_free(t);

    virtkit_domain *d = VKT_NONNULL(virtkit_domain_define_xml(conn, web1_xml, 0));
    VKT_OK(virtkit_domain_create(d, 0));
    nevents = 0;
    VKT_OK(virtkit_event_run_default_impl());
    nevents = 0;
    VKT_OK(virtkit_domain_undefine(d, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
    assert_int_equal(virtkit_domain_is_active(d), 1);
    assert_int_equal(virtkit_domain_is_persistent(d), 0);
    VKT_OK(virtkit_domain_destroy(d, 0));
    EXPECT_EVENT("web1", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_DESTROYED);
    assert_listing(0, "demo");
    virtkit_domain_free(d);
}

/* Redefining updates; another domain's name or uuid is refused, naming
 * both; bad XML is refused by the core's parser before the plugin keeps
 * anything. */
static void test_definitions(void **state)
{
    static const char v1[] =
        "<domain type='test'><name>db</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        "<memory unit='MiB'>128</memory><os><type arch='x86_64'>hvm</type></os></domain>";
    static const char v2[] =
        "<domain type='test'><name>db</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        "<memory unit='MiB'>512</memory><os><type arch='x86_64'>hvm</type></os></domain>";
    static const char same_name[] =
        "<domain type='test'><name>db</name><uuid>99999999-2222-3333-4444-555555555555</uuid>"
        "<memory unit='MiB'>128</memory><os><type arch='x86_64'>hvm</type></os></domain>";
    static const char same_uuid[] =
        "<domain type='test'><name>db2</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        "<memory unit='MiB'>128</memory><os><type arch='x86_64'>hvm</type></os></domain>";
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_define_xml(conn, v1, 0));
    EXPECT_EVENT("db", VIRTKIT_EVENT_DEFINED, VIRTKIT_EVENT_DEFINED_ADDED);
    virtkit_domain_free(VKT_NONNULL(virtkit_domain_define_xml(conn, v2, 0)));
    EXPECT_EVENT("db", VIRTKIT_EVENT_DEFINED, VIRTKIT_EVENT_DEFINED_UPDATED);
    virtkit_domain_info info = VIRTKIT_DOMAIN_INFO_INIT;
    VKT_OK(virtkit_domain_get_info(d, &info));
    assert_int_equal(info.max_mem_kib, 512 * 1024);

    assert_null(virtkit_domain_define_xml(conn, same_name, 0));
    VKT_ERROR(VIRTKIT_ERR_DUPLICATE,
              "domain 'db': the name is already used by domain 'db' (uuid "
              "11111111-2222-3333-4444-555555555555)");
    assert_null(virtkit_domain_define_xml(conn, same_uuid, 0));
    VKT_ERROR(VIRTKIT_ERR_DUPLICATE, "domain 'db2': the uuid is already used by domain 'db'");
    assert_null(virtkit_domain_define_xml(conn, "<domain type='test'><nam>x</nam>", 0));
    assert_non_null(virtkit_error_last());
    assert_int_equal(virtkit_error_last()->code, VIRTKIT_ERR_XML);
    assert_listing(0, "db,demo");

    VKT_OK(virtkit_domain_undefine(d, 0));
    EXPECT_EVENT("db", VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
    virtkit_domain_free(d);
}

/* Each connection is a node of its own. */
static void test_connections_independent(void **state)
{
    virtkit_connect *other = VKT_NONNULL(virtkit_connect_open("example:///default", 0));
    virtkit_domain_free(VKT_NONNULL(virtkit_domain_define_xml(other, web1_xml, 0)));
    assert_listing(0, "demo");
    assert_int_equal(virtkit_connect_num_of_defined_domains(other), 1);
    virtkit_connect_close(other);
}

int main(void)
{
    unsetenv("VIRTKIT_LOG");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_node),
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_list_filters),
        cmocka_unit_test(test_transient),
        cmocka_unit_test(test_definitions),
        cmocka_unit_test(test_connections_independent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
