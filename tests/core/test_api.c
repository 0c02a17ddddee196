/*
 * test_api.c: the public API's contract, driven against $VIRTKIT_TEST_URI
 * (default test:///default). The same binary runs again through the
 * daemon (test+unix://...) and TLS, so nothing here may assume it runs
 * in-process. Each test opens its own connection, hence a fresh node.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static const char *uri(void)
{
    const char *u = getenv("VIRTKIT_TEST_URI");
    return u && *u ? u : "test:///default";
}

static virtkit_connect *open_conn(void)
{
    return VKT_NONNULL(virtkit_connect_open(uri(), 0));
}

static const char small_domain[] =
    "<domain type='test'>\n"
    "  <name>%s</name>\n"
    "  <memory unit='MiB'>128</memory>\n"
    "  <vcpu>2</vcpu>\n"
    "  <os><type arch='x86_64'>hvm</type></os>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'>\n"
    "      <source file='/var/lib/images/%s.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "    </disk>\n"
    "    <interface type='network'><source network='default'/></interface>\n"
    "  </devices>\n"
    "</domain>\n";

static char *dom_xml(const char *name)
{
    char *x = NULL;
    if (asprintf(&x, small_domain, name, name) < 0)
        abort();
    return x;
}

static void state_is(virtkit_domain *d, int want, int want_reason)
{
    int st = -1, reason = -1;
    VKT_OK(virtkit_domain_get_state(d, &st, &reason, 0));
    if (st != want || reason != want_reason)
        print_error("domain %s: state %s/%s, want %s/%s\n", virtkit_domain_get_name(d),
                    virtkit_domain_state_name(st), virtkit_domain_reason_name(st, reason),
                    virtkit_domain_state_name(want), virtkit_domain_reason_name(want, want_reason));
    assert_int_equal(st, want);
    assert_int_equal(reason, want_reason);
}

/* ------------------------------------------------------------- tests -- */

static void test_open_close(void **state)
{
    virtkit_connect *c = open_conn();
    char *u = VKT_NONNULL(virtkit_connect_get_uri(c));
    free(u);
    assert_string_equal(virtkit_connect_get_type(c), "test");
    unsigned long long v = 0;
    VKT_OK(virtkit_connect_get_version(c, &v));
    assert_true(v > 0);
    assert_int_equal(virtkit_connect_is_alive(c), 1);
    char *h = VKT_NONNULL(virtkit_connect_get_hostname(c));
    free(h);
    /* A handle keeps the connection alive after the caller's close. */
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    assert_int_equal(virtkit_connect_close(c), 1);
    assert_string_equal(virtkit_domain_get_name(d), "test");
    virtkit_domain_free(d);
}

static void test_open_errors(void **state)
{
    assert_null(virtkit_connect_open("nosuchdriver:///x", 0));
    VKT_ERROR(VIRTKIT_ERR_NO_CONNECT, "nosuchdriver");
    assert_null(virtkit_connect_open("not a uri", 0));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, NULL);
    assert_null(virtkit_connect_open("test:///no/such/file.xml", 0));
    VKT_ERROR(VIRTKIT_ERR_SYSTEM, "no/such/file.xml");
    assert_null(virtkit_connect_open("test:///default", 1u << 20));
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, "unsupported flags");
}

static void test_default_node(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_domain **doms = NULL;
    int n = virtkit_connect_list_all_domains(c, &doms, 0);
    assert_int_equal(n, 1);
    assert_string_equal(virtkit_domain_get_name(doms[0]), "test");
    assert_true(virtkit_domain_get_id(doms[0]) > 0);
    virtkit_domain_free(doms[0]);
    free(doms);
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    assert_int_equal(virtkit_connect_num_of_defined_domains(c), 0);

    virtkit_node_info ni = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(virtkit_node_get_info(c, &ni));
    assert_int_equal(ni.cpus, 8);
    assert_int_equal(ni.nodes, 2);
    assert_true(ni.memory_kib == 16ULL * 1024 * 1024);
    assert_int_equal(ni.nodes * ni.sockets * ni.cores * ni.threads, 8);

    char *caps = VKT_NONNULL(virtkit_connect_get_capabilities(c));
    assert_non_null(strstr(caps, "<cells num='2'>"));
    assert_non_null(strstr(caps, "<domain type='test'/>"));
    free(caps);

    unsigned long long free_b[4];
    assert_int_equal(virtkit_node_get_cells_free_memory(c, free_b, 0, 4), 2);
    assert_int_equal(virtkit_node_get_cells_free_memory(c, free_b, 5, 1), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "cell 5");
    unsigned char *map = NULL;
    unsigned int online = 0;
    assert_int_equal(virtkit_node_get_cpu_map(c, &map, &online, 0), 8);
    assert_int_equal(online, 8);
    virtkit_free(map);
    virtkit_params *p = NULL;
    VKT_OK(virtkit_node_get_cpu_stats(c, VIRTKIT_NODE_CPU_STATS_ALL_CPUS, &p, 0));
    unsigned long long idle = 0, user = 0;
    assert_int_equal(virtkit_params_get_ullong(p, "idle", &idle), 1);
    assert_int_equal(virtkit_params_get_ullong(p, "user", &user), 1);
    assert_true(idle > user);
    virtkit_params_free(p);
    VKT_OK(virtkit_node_get_memory_stats(c, 1, &p, 0));
    virtkit_params_free(p);
    assert_int_equal(virtkit_node_get_memory_stats(c, 7, &p, 0), -1);
    virtkit_connect_close(c);
}

static void test_lifecycle(void **state)
{
    virtkit_connect *c = open_conn();
    char *xml = dom_xml("web1");
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_define_xml(c, xml, 0));
    free(xml);
    assert_int_equal(virtkit_domain_get_id(d), -1);
    assert_int_equal(virtkit_domain_is_active(d), 0);
    assert_int_equal(virtkit_domain_is_persistent(d), 1);
    state_is(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_UNKNOWN);

    VKT_OK(virtkit_domain_create(d, 0));
    assert_true(virtkit_domain_get_id(d) > 0);
    state_is(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    assert_int_equal(virtkit_domain_create(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "already running");

    VKT_OK(virtkit_domain_suspend(d, 0));
    state_is(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER);
    assert_int_equal(virtkit_domain_suspend(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "already paused");
    VKT_OK(virtkit_domain_resume(d, 0));
    state_is(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_UNPAUSED);

    VKT_OK(virtkit_domain_reboot(d, 0));
    state_is(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    VKT_OK(virtkit_domain_shutdown(d, 0));
    state_is(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_SHUTDOWN);
    assert_int_equal(virtkit_domain_shutdown(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "not running");

    VKT_OK(virtkit_domain_create(d, VIRTKIT_DOMAIN_START_PAUSED));
    state_is(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER);
    VKT_OK(virtkit_domain_destroy(d, 0));
    state_is(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_DESTROYED);

    /* undefine of an active domain leaves it running, transient */
    VKT_OK(virtkit_domain_create(d, 0));
    VKT_OK(virtkit_domain_undefine(d, 0));
    assert_int_equal(virtkit_domain_is_persistent(d), 0);
    assert_int_equal(virtkit_domain_is_active(d), 1);
    VKT_OK(virtkit_domain_destroy(d, 0));
    assert_int_equal(virtkit_domain_get_state(d, &(int){ 0 }, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "web1");
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_transient(void **state)
{
    virtkit_connect *c = open_conn();
    char *xml = dom_xml("tmp1");
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_create_xml(c, xml, 0));
    assert_int_equal(virtkit_domain_is_persistent(d), 0);
    assert_int_equal(virtkit_connect_num_of_domains(c), 2);
    /* the same name cannot be created twice */
    assert_null(virtkit_domain_create_xml(c, xml, 0));
    free(xml);
    VKT_OK(virtkit_domain_shutdown(d, 0));
    assert_null(virtkit_domain_lookup_by_name(c, "tmp1"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "tmp1");
    assert_int_equal(virtkit_domain_set_autostart(d, 1), -1);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_lookup_and_list(void **state)
{
    virtkit_connect *c = open_conn();
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof(name), "dom%d", i);
        char *xml = dom_xml(name);
        virtkit_domain *d = VKT_NONNULL(virtkit_domain_define_xml(c, xml, 0));
        free(xml);
        if (i % 2)
            VKT_OK(virtkit_domain_create(d, 0));
        if (i == 4)
            VKT_OK(virtkit_domain_set_autostart(d, 1));
        virtkit_domain_free(d);
    }
    assert_int_equal(virtkit_connect_list_all_domains(c, NULL, 0), 6);
    assert_int_equal(virtkit_connect_list_all_domains(c, NULL, VIRTKIT_LIST_DOMAINS_ACTIVE), 3);
    assert_int_equal(virtkit_connect_list_all_domains(c, NULL, VIRTKIT_LIST_DOMAINS_INACTIVE), 3);
    assert_int_equal(virtkit_connect_list_all_domains(c, NULL, VIRTKIT_LIST_DOMAINS_AUTOSTART), 1);
    assert_int_equal(virtkit_connect_list_all_domains(
                         c, NULL, VIRTKIT_LIST_DOMAINS_ACTIVE | VIRTKIT_LIST_DOMAINS_INACTIVE),
                     6);
    assert_int_equal(virtkit_connect_list_all_domains(c, NULL, VIRTKIT_LIST_DOMAINS_SHUTOFF), 3);
    assert_int_equal(virtkit_connect_list_all_domains(c, NULL, 1u << 30), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, NULL);
    virtkit_domain **doms = NULL;
    int n = virtkit_connect_list_all_domains(c, &doms, 0);
    for (int i = 1; i < n; i++) /* sorted by name */
        assert_true(strcmp(virtkit_domain_get_name(doms[i - 1]),
                           virtkit_domain_get_name(doms[i])) < 0);
    for (int i = 0; i < n; i++)
        virtkit_domain_free(doms[i]);
    free(doms);

    virtkit_domain *a = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "dom1"));
    char uuid[VIRTKIT_UUID_STRING_BUFLEN];
    unsigned char raw[16];
    VKT_OK(virtkit_domain_get_uuid_string(a, uuid));
    VKT_OK(virtkit_domain_get_uuid(a, raw));
    virtkit_domain *b = VKT_NONNULL(virtkit_domain_lookup_by_uuid_string(c, uuid));
    virtkit_domain *bb = VKT_NONNULL(virtkit_domain_lookup_by_uuid(c, raw));
    virtkit_domain *e = VKT_NONNULL(virtkit_domain_lookup_by_id(c, virtkit_domain_get_id(a)));
    assert_string_equal(virtkit_domain_get_name(b), "dom1");
    assert_string_equal(virtkit_domain_get_name(bb), "dom1");
    assert_string_equal(virtkit_domain_get_name(e), "dom1");
    assert_null(virtkit_domain_lookup_by_id(c, 9999));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "9999");
    assert_null(virtkit_domain_lookup_by_uuid_string(c, "not-a-uuid"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "not-a-uuid");
    assert_null(virtkit_domain_lookup_by_name(c, ""));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, NULL);
    virtkit_domain_free(a);
    virtkit_domain_free(b);
    virtkit_domain_free(bb);
    virtkit_domain_free(e);
    virtkit_connect_close(c);
}

static void test_define_errors(void **state)
{
    virtkit_connect *c = open_conn();
    assert_null(virtkit_domain_define_xml(c, "<domain", 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "malformed");
    assert_null(virtkit_domain_define_xml(c, "<domain type='test'><name>x</name>"
                                             "<memory>1024</memory><bogus/></domain>", 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "<bogus>");
    assert_null(virtkit_domain_define_xml(c, "<domain type='kvm'><name>x</name>"
                                             "<memory>1048576</memory></domain>", 0));
    VKT_ERROR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "type 'kvm'");
    assert_null(virtkit_domain_define_xml(c, NULL, 0));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, NULL);
    /* same name, other uuid */
    assert_null(virtkit_domain_define_xml(c, "<domain type='test'><name>test</name>"
                                             "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                                             "<memory>1048576</memory></domain>", 0));
    VKT_ERROR(VIRTKIT_ERR_DUPLICATE, "already exists");
    /* redefining with the same identity updates */
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_define_xml(
        c, "<domain type='test'><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
           "<memory unit='MiB'>512</memory></domain>", 0));
    char *x = VKT_NONNULL(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_INACTIVE));
    assert_non_null(strstr(x, "<memory unit='KiB'>524288</memory>"));
    free(x);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_get_xml_and_info(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    char *live = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    char *inactive = VKT_NONNULL(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_INACTIVE));
    assert_non_null(strstr(live, " id='"));
    assert_null(strstr(inactive, " id='"));
    free(live);
    free(inactive);
    virtkit_domain_info info = VIRTKIT_DOMAIN_INFO_INIT;
    VKT_OK(virtkit_domain_get_info(d, &info));
    assert_int_equal(info.state, VIRTKIT_DOMAIN_RUNNING);
    assert_true(info.max_mem_kib == 8388608);
    assert_true(info.memory_kib == 2097152);
    assert_int_equal(info.nr_vcpus, 2);
    virtkit_domain_info bad = { 0 };
    assert_int_equal(virtkit_domain_get_info(d, &bad), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "VIRTKIT_DOMAIN_INFO_INIT");
    assert_null(virtkit_domain_get_xml(d, 1u << 20));
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, NULL);
    int as = -1;
    VKT_OK(virtkit_domain_get_autostart(d, &as));
    assert_int_equal(as, 0);
    VKT_OK(virtkit_domain_set_autostart(d, 1));
    VKT_OK(virtkit_domain_get_autostart(d, &as));
    assert_int_equal(as, 1);
    VKT_OK(virtkit_domain_set_memory(d, 1048576, VIRTKIT_DOMAIN_AFFECT_LIVE));
    VKT_OK(virtkit_domain_get_info(d, &info));
    assert_true(info.memory_kib == 1048576);
    assert_int_equal(virtkit_domain_set_memory(d, 99999999, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "exceeds its maximum");
    VKT_OK(virtkit_domain_set_vcpus(d, 1, VIRTKIT_DOMAIN_AFFECT_LIVE | VIRTKIT_DOMAIN_AFFECT_CONFIG));
    VKT_OK(virtkit_domain_get_info(d, &info));
    assert_int_equal(info.nr_vcpus, 1);
    assert_int_equal(virtkit_domain_set_vcpus(d, 0, 0), -1);
    /* pinning: live and config both record it; bad lists and flags refused */
    VKT_OK(virtkit_domain_pin_vcpu(d, 0, "2-3",
                                   VIRTKIT_DOMAIN_AFFECT_LIVE | VIRTKIT_DOMAIN_AFFECT_CONFIG));
    VKT_OK(virtkit_domain_pin_emulator(d, "0", 0));
    char *x = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    assert_non_null(strstr(x, "<vcpupin vcpu='0' cpuset='2-3'/>"));
    assert_non_null(strstr(x, "<emulatorpin cpuset='0'/>"));
    free(x);
    x = VKT_NONNULL(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_INACTIVE));
    assert_non_null(strstr(x, "<vcpupin vcpu='0' cpuset='2-3'/>"));
    assert_null(strstr(x, "<emulatorpin"));
    free(x);
    assert_int_equal(virtkit_domain_pin_vcpu(d, 0, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "CPU list '(null)'");
    assert_int_equal(virtkit_domain_pin_vcpu(d, 0, "3-1", 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "runs backwards");
    assert_int_equal(virtkit_domain_pin_emulator(d, "0", 1u << 7), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, "");
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_save_restore(void **state)
{
    virtkit_connect *c = open_conn();
    char *dir = vkt_tmpdir();
    char *img = NULL;
    assert_true(asprintf(&img, "%s/test.save", dir) > 0);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    VKT_OK(virtkit_domain_suspend(d, 0));
    VKT_OK(virtkit_domain_save(d, img, 0));
    state_is(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_SAVED);
    char *sx = VKT_NONNULL(virtkit_domain_save_image_get_xml(c, img, 0));
    assert_non_null(strstr(sx, "<name>test</name>"));
    free(sx);
    VKT_OK(virtkit_domain_restore(c, img, NULL, 0));
    state_is(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER); /* saved paused */
    VKT_OK(virtkit_domain_resume(d, 0));

    /* Corrupt and truncated images are refused. */
    VKT_OK(virtkit_domain_save(d, img, VIRTKIT_DOMAIN_SAVE_RUNNING));
    char *data = vkt_read_file(img);
    size_t len = strlen(data + 32) + 32; /* header is 24 bytes; XML follows */
    int fd = open(img, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "X", 1, (off_t)len - 20), 1);
    close(fd);
    assert_int_equal(virtkit_domain_restore(c, img, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_SAVE_IMAGE, "corrupt");
    assert_int_equal(truncate(img, 40), 0);
    assert_int_equal(virtkit_domain_restore(c, img, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_SAVE_IMAGE, "truncated");
    assert_int_equal(virtkit_domain_restore(c, "/etc/passwd", NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_SAVE_IMAGE, "not a test driver save image");
    assert_int_equal(virtkit_domain_restore(c, img, NULL,
                                            VIRTKIT_DOMAIN_SAVE_RUNNING | VIRTKIT_DOMAIN_SAVE_PAUSED),
                     -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, "exclude each other");
    free(data);
    free(img);
    virtkit_domain_free(d);
    vkt_tmpdir_cleanup(dir);
    virtkit_connect_close(c);
}

static void test_managed_save(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    VKT_OK(virtkit_domain_managed_save(d, 0));
    state_is(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_SAVED);
    assert_int_equal(virtkit_domain_has_managed_save(d, 0), 1);
    assert_int_equal(virtkit_connect_list_all_domains(c, NULL, VIRTKIT_LIST_DOMAINS_MANAGEDSAVE), 1);
    assert_int_equal(virtkit_domain_undefine(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "managed save");
    VKT_OK(virtkit_domain_create(d, 0));
    state_is(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_RESTORED);
    assert_int_equal(virtkit_domain_has_managed_save(d, 0), 0);
    VKT_OK(virtkit_domain_managed_save(d, 0));
    VKT_OK(virtkit_domain_create(d, VIRTKIT_DOMAIN_START_FORCE_BOOT));
    state_is(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    assert_int_equal(virtkit_domain_managed_save_remove(d, 0), -1);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_hotplug(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    const char *disk = "<disk type='file' device='disk'><source file='/tmp/extra.img'/>"
                       "<target dev='vdb' bus='virtio'/></disk>";
    VKT_OK(virtkit_domain_attach_device(d, disk, VIRTKIT_DOMAIN_AFFECT_LIVE));
    char *x = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    assert_non_null(strstr(x, "dev='vdb'"));
    free(x);
    x = VKT_NONNULL(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_INACTIVE));
    assert_null(strstr(x, "dev='vdb'"));
    free(x);
    assert_int_equal(virtkit_domain_attach_device(d, disk, VIRTKIT_DOMAIN_AFFECT_LIVE), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "already has");
    VKT_OK(virtkit_domain_detach_device(d, disk, VIRTKIT_DOMAIN_AFFECT_LIVE));
    assert_int_equal(virtkit_domain_detach_device(d, disk, VIRTKIT_DOMAIN_AFFECT_LIVE), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_DEVICE, NULL);
    assert_int_equal(virtkit_domain_attach_device(d, "<nonsense/>", 0), -1);
    VKT_ERROR(VIRTKIT_ERR_XML, NULL);
    VKT_OK(virtkit_domain_attach_device(d, disk, VIRTKIT_DOMAIN_AFFECT_CONFIG));
    x = VKT_NONNULL(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_INACTIVE));
    assert_non_null(strstr(x, "dev='vdb'"));
    free(x);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_stats(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_domain_stats **recs = NULL;
    int n = virtkit_connect_get_all_domain_stats(c, 0, &recs, 0);
    assert_int_equal(n, 1);
    int st = 0;
    unsigned int cnt = 0;
    unsigned long long cur = 0;
    assert_int_equal(virtkit_params_get_int(recs[0]->params, "state.state", &st), 1);
    assert_int_equal(st, VIRTKIT_DOMAIN_RUNNING);
    assert_int_equal(virtkit_params_get_uint(recs[0]->params, "block.count", &cnt), 1);
    assert_int_equal(cnt, 1);
    assert_int_equal(virtkit_params_get_ullong(recs[0]->params, "balloon.current", &cur), 1);
    assert_true(cur == 2097152);
    virtkit_domain_stats_free(recs);
    n = virtkit_connect_get_all_domain_stats(c, VIRTKIT_STATS_STATE, &recs,
                                             VIRTKIT_GET_STATS_INACTIVE);
    assert_int_equal(n, 0);
    virtkit_domain_stats_free(recs);
    assert_int_equal(virtkit_connect_get_all_domain_stats(c, 1u << 20, &recs, 0), -1);
    virtkit_connect_close(c);
}

/* ------------------------------------------------------------ events -- */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int events[64];
    int details[64];
    int n;
} ev_log;

static volatile int loop_stop;

static void noop_timer(int timer, void *opaque)
{
}

static void *loop_thread(void *arg)
{
    while (!loop_stop)
        virtkit_event_run_default_impl();
    return NULL;
}

static void on_lifecycle(virtkit_connect *c, virtkit_domain *d, int event, int detail, void *opaque)
{
    ev_log *l = opaque;
    pthread_mutex_lock(&l->lock);
    if (l->n < 64) {
        l->events[l->n] = event;
        l->details[l->n++] = detail;
    }
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

static void wait_events(ev_log *l, int n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    pthread_mutex_lock(&l->lock);
    while (l->n < n && pthread_cond_timedwait(&l->cond, &l->lock, &ts) == 0)
        ;
    pthread_mutex_unlock(&l->lock);
    assert_true(l->n >= n);
}

static void test_events(void **state)
{
    virtkit_connect *c = open_conn();
    static ev_log log = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
    loop_stop = 0;
    pthread_t t;
    pthread_create(&t, NULL, loop_thread, NULL);
    int id = virtkit_connect_domain_event_register(c, NULL, VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   VIRTKIT_EVENT_CALLBACK(on_lifecycle), &log, NULL);
    assert_true(id >= 0);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    VKT_OK(virtkit_domain_suspend(d, 0));
    VKT_OK(virtkit_domain_resume(d, 0));
    VKT_OK(virtkit_domain_destroy(d, 0));
    VKT_OK(virtkit_domain_create(d, 0));
    wait_events(&log, 4);
    assert_int_equal(log.events[0], VIRTKIT_EVENT_SUSPENDED);
    assert_int_equal(log.details[0], VIRTKIT_EVENT_SUSPENDED_PAUSED);
    assert_int_equal(log.events[1], VIRTKIT_EVENT_RESUMED);
    assert_int_equal(log.events[2], VIRTKIT_EVENT_STOPPED);
    assert_int_equal(log.details[2], VIRTKIT_EVENT_STOPPED_DESTROYED);
    assert_int_equal(log.events[3], VIRTKIT_EVENT_STARTED);
    assert_string_equal(virtkit_domain_event_name(VIRTKIT_EVENT_STARTED), "started");
    assert_string_equal(virtkit_domain_event_detail_name(VIRTKIT_EVENT_STOPPED,
                                                         VIRTKIT_EVENT_STOPPED_DESTROYED),
                        "destroyed");
    unsigned long long seq = 0;
    VKT_OK(virtkit_connect_last_event_seq(c, &seq));
    assert_true(seq >= 4);
    VKT_OK(virtkit_connect_domain_event_deregister(c, id));
    assert_int_equal(virtkit_connect_domain_event_deregister(c, id), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "no event callback");
    assert_int_equal(virtkit_connect_domain_event_register(c, NULL, 99,
                                                           VIRTKIT_EVENT_CALLBACK(on_lifecycle),
                                                           NULL, NULL),
                     -1);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
    /* wake the loop so it sees the stop flag */
    loop_stop = 1;
    int wake = virtkit_event_add_timeout(0, noop_timer, NULL, NULL);
    pthread_join(t, NULL);
    virtkit_event_remove_timeout(wake);
}

/* -------------------------------------------------- networks, storage -- */

static void test_networks(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_network *n = VKT_NONNULL(virtkit_network_lookup_by_name(c, "default"));
    assert_int_equal(virtkit_network_is_active(n), 1);
    char *br = VKT_NONNULL(virtkit_network_get_bridge_name(n));
    assert_string_equal(br, "virbr0");
    free(br);
    virtkit_params **leases = NULL;
    int nl = virtkit_network_get_dhcp_leases(n, &leases, 0);
    assert_int_equal(nl, 1);
    virtkit_params_array_free(leases, nl);
    virtkit_network_free(n);
    n = VKT_NONNULL(virtkit_network_define_xml(
        c, "<network><name>lab</name><bridge name='vkbr9'/><ip address='10.9.0.1' prefix='24'/></network>",
        0));
    assert_int_equal(virtkit_network_is_active(n), 0);
    VKT_OK(virtkit_network_create(n, 0));
    assert_int_equal(virtkit_connect_list_all_networks(c, NULL, 0), 2);
    VKT_OK(virtkit_network_destroy(n, 0));
    VKT_OK(virtkit_network_undefine(n, 0));
    assert_null(virtkit_network_lookup_by_name(c, "lab"));
    VKT_ERROR(VIRTKIT_ERR_NO_NETWORK, "lab");
    virtkit_network_free(n);
    virtkit_connect_close(c);
}

static void test_storage(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_pool *p = VKT_NONNULL(virtkit_pool_lookup_by_name(c, "default-pool"));
    virtkit_pool_info pi = VIRTKIT_POOL_INFO_INIT;
    VKT_OK(virtkit_pool_get_info(p, &pi));
    assert_int_equal(pi.state, VIRTKIT_POOL_RUNNING);
    virtkit_volume *v = VKT_NONNULL(virtkit_volume_create_xml(
        p, "<volume><name>disk1</name><capacity unit='MiB'>4</capacity></volume>", 0));
    char *path = VKT_NONNULL(virtkit_volume_get_path(v));
    assert_string_equal(path, "/default-pool/disk1");
    virtkit_volume *byp = VKT_NONNULL(virtkit_volume_lookup_by_path(c, path));
    free(path);
    virtkit_volume_free(byp);

    /* Upload then download through streams: the bytes come back. */
    virtkit_stream *st = VKT_NONNULL(virtkit_stream_new(c, 0));
    VKT_OK(virtkit_volume_upload(v, st, 4096, 11, 0));
    assert_int_equal(virtkit_stream_send(st, "hello world", 11), 11);
    VKT_OK(virtkit_stream_finish(st));
    virtkit_stream_free(st);
    st = VKT_NONNULL(virtkit_stream_new(c, 0));
    VKT_OK(virtkit_volume_download(v, st, 4096, 5, 0));
    char buf[32] = { 0 };
    int got = 0, r;
    while ((r = virtkit_stream_recv(st, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
        got += r;
    assert_int_equal(r, 0);
    assert_string_equal(buf, "hello");
    VKT_OK(virtkit_stream_finish(st));
    virtkit_stream_free(st);

    assert_null(virtkit_volume_create_xml(
        p, "<volume><name>huge</name><capacity unit='TiB'>5</capacity></volume>", 0));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "does not fit");
    VKT_OK(virtkit_volume_delete(v, 0));
    virtkit_volume_free(v);
    assert_int_equal(virtkit_pool_destroy(p), 0);
    assert_int_equal(virtkit_pool_list_all_volumes(p, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "not active");
    virtkit_pool_free(p);
    virtkit_connect_close(c);
}

static void test_console_stream(void **state)
{
    virtkit_connect *c = open_conn();
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    virtkit_stream *st = VKT_NONNULL(virtkit_stream_new(c, 0));
    VKT_OK(virtkit_domain_open_console(d, NULL, st, 0));
    char buf[256] = { 0 };
    size_t got = 0;
    while (!strstr(buf, "\r\n")) {
        int r = virtkit_stream_recv(st, buf + got, sizeof(buf) - 1 - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
    assert_non_null(strstr(buf, "test console of domain 'test'"));
    assert_int_equal(virtkit_stream_send(st, "ping", 4), 4);
    memset(buf, 0, sizeof(buf));
    got = 0;
    while (got < 4) {
        int r = virtkit_stream_recv(st, buf + got, 4 - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
    assert_string_equal(buf, "ping");
    VKT_OK(virtkit_stream_finish(st));
    virtkit_stream_free(st);
    /* a stream is used once */
    st = VKT_NONNULL(virtkit_stream_new(c, 0));
    VKT_OK(virtkit_domain_open_console(d, NULL, st, 0));
    assert_int_equal(virtkit_domain_open_console(d, NULL, st, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "already in use");
    virtkit_stream_free(st);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_readonly(void **state)
{
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri(), VIRTKIT_CONNECT_RO));
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    assert_int_equal(virtkit_domain_suspend(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "read-only");
    assert_int_equal(virtkit_domain_destroy(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, NULL);
    assert_null(virtkit_domain_define_xml(c, "<domain/>", 0));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, NULL);
    assert_null(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_SECURE));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, NULL);
    char *x = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    free(x);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

static void test_migrate_between_connections(void **state)
{
    virtkit_connect *a = open_conn(), *b = open_conn();
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(a, "test"));
    /* b has its own "test" domain: migrate under another name */
    virtkit_params *p = virtkit_params_new();
    /* Same uuid on both sides is refused by b; undefine b's first. */
    virtkit_domain *bd = VKT_NONNULL(virtkit_domain_lookup_by_name(b, "test"));
    VKT_OK(virtkit_domain_destroy(bd, 0));
    VKT_OK(virtkit_domain_undefine(bd, 0));
    virtkit_domain_free(bd);
    virtkit_domain *nd = VKT_NONNULL(virtkit_domain_migrate(d, b, p, VIRTKIT_MIGRATE_LIVE));
    state_is(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_MIGRATED);
    state_is(nd, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_MIGRATED);
    virtkit_params_add_ullong(p, "nonsense", 1);
    assert_null(virtkit_domain_migrate(nd, a, p, 0));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "unknown parameter 'nonsense'");
    virtkit_params_free(p);
    virtkit_domain_free(nd);
    virtkit_domain_free(d);
    virtkit_connect_close(a);
    virtkit_connect_close(b);
}

static void test_null_handles(void **state)
{
    assert_int_equal(virtkit_domain_suspend(NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "must not be NULL");
    assert_null(virtkit_domain_lookup_by_name(NULL, "x"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, NULL);
    assert_int_equal(virtkit_connect_close(NULL), -1);
    assert_int_equal(virtkit_domain_free(NULL), -1);
    assert_int_equal(virtkit_connect_num_of_domains(NULL), -1);
    /* success clears the thread's error */
    virtkit_connect *c = open_conn();
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    assert_null(virtkit_error_last());
    virtkit_connect_close(c);
}

static int setup(void **state)
{
    return virtkit_event_register_default_impl();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_close),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_default_node),
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_transient),
        cmocka_unit_test(test_lookup_and_list),
        cmocka_unit_test(test_define_errors),
        cmocka_unit_test(test_get_xml_and_info),
        cmocka_unit_test(test_save_restore),
        cmocka_unit_test(test_managed_save),
        cmocka_unit_test(test_hotplug),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_networks),
        cmocka_unit_test(test_storage),
        cmocka_unit_test(test_console_stream),
        cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_migrate_between_connections),
        cmocka_unit_test(test_null_handles),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
