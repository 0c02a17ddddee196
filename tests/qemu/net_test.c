/*
 * net_test.c: bridged networking of the qemu plugin with real qemu, inside
 * a network namespace of this test's own (unshare at start: the bridge, the
 * taps and qemu live there and vanish with the process; the host's
 * interfaces are never touched).
 *
 * A guest on a bridge through a tap we create answers pings from the
 * bridge's address; the tap counters show in the stats; a second
 * interface hot-plugged on the same bridge appears in the guest and goes
 * again on detach. SKIP (77) without root, qemu, `ip` or the guest.
 */
#include "config.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"
#include "testutil.h"

#define MARKER "VIRTKIT-GUEST-READY"

static char *root;
static char uri[4200];

static int setup(void **state)
{
    (void)state;
    char why[512];
    if (geteuid() != 0) {
        fprintf(stderr, "SKIP: needs root for a network namespace\n");
        exit(77);
    }
    if (access("/usr/sbin/ip", X_OK) != 0 && access("/sbin/ip", X_OK) != 0) {
        fprintf(stderr, "SKIP: iproute2's ip is not installed\n");
        exit(77);
    }
    if (!vkt_guest_dir(why, sizeof(why))) {
        fprintf(stderr, "SKIP: %s\n", why);
        exit(77);
    }
    /* Before any thread exists, so every thread and child shares it. */
    if (unshare(CLONE_NEWNET) < 0) {
        fprintf(stderr, "SKIP: cannot create a network namespace\n");
        exit(77);
    }
    if (system("ip link set lo up && ip link add vkbr0 type bridge && "
               "ip addr add 10.99.0.1/24 dev vkbr0 && ip link set vkbr0 up") != 0)
        return -1;
    root = vkt_tmpdir();
    chmod(root, 0755);
    snprintf(uri, sizeof(uri), "qemu:///embed?root=%s", root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vkt_destroy_leftover(uri, "net");
    vkt_tmpdir_cleanup(root);
    return 0;
}

static char *guest(vkt_console *con, const char *cmd)
{
    int rc = -1;
    char *out = vkt_console_run(con, cmd, 30000, &rc);
    if (!out) {
        print_error("guest command '%s' timed out; console:\n%s\n", cmd, vkt_console_log(con));
        fail();
    }
    return out;
}

static unsigned long long stat_of(virtkit_connect *c, const char *name)
{
    virtkit_domain_stats **recs = NULL;
    unsigned long long v = 0;
    int n = virtkit_connect_get_all_domain_stats(c, VIRTKIT_STATS_INTERFACE, &recs, 0);
    if (n == 1 && virtkit_params_get_ullong(recs[0]->params, name, &v) != 1)
        v = 0;
    virtkit_domain_stats_free(recs);
    return v;
}

static void test_bridge(void **state)
{
    (void)state;
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri, 0));
    char *xml = vkt_guest_xml("net", "qemu",
                              "    <interface type='bridge'><mac address='52:54:00:99:00:02'/>"
                              "<source bridge='vkbr0'/><model type='virtio'/></interface>\n");
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_create_xml(c, xml, 0));
    free(xml);
    /* the tap is on the bridge, with the host-side MAC derived from the
     * guest's */
    int rc = system("ip -o link show master vkbr0 | grep -q 'fe:54:00:99:00:02'");
    assert_int_equal(rc, 0);
    vkt_console *con = VKT_NONNULL(vkt_console_open(d));
    assert_int_equal(vkt_console_wait(con, MARKER, 60000), 0);
    char *out = guest(con, "ip addr add 10.99.0.2/24 dev eth0; ip link set eth0 up");
    free(out);
    /* the first packets may go before the bridge has learnt the port */
    out = guest(con, "ping -c 5 -W 1 10.99.0.1 >/dev/null");
    free(out);
    out = guest(con, "ping -c 3 -W 5 10.99.0.1 >/dev/null && echo PING-OK");
    if (!strstr(out, "PING-OK")) {
        char *diag = guest(con, "ip addr; ip link; ping -c 1 -W 2 10.99.0.1");
        print_error("ping failed: %s\nguest: %s\n", out, diag);
        if (system("ip addr; ip link show master vkbr0") != 0)
            print_error("ip failed\n");
        free(diag);
    }
    assert_non_null(strstr(out, "PING-OK"));
    free(out);
    char name[64] = "";
    virtkit_domain_stats **recs = NULL;
    assert_int_equal(virtkit_connect_get_all_domain_stats(c, VIRTKIT_STATS_INTERFACE, &recs, 0),
                     1);
    const char *tap = NULL;
    assert_int_equal(virtkit_params_get_string(recs[0]->params, "net.0.name", &tap), 1);
    snprintf(name, sizeof(name), "%s", tap);
    virtkit_domain_stats_free(recs);
    assert_true(strncmp(name, "vktap", 5) == 0);
    assert_true(stat_of(c, "net.0.tx.bytes") > 200); /* the guest's pings out */
    assert_true(stat_of(c, "net.0.rx.bytes") > 200); /* the replies in */

    /* hotplug a second NIC on the same bridge */
    const char *nic = "<interface type='bridge'><mac address='52:54:00:99:00:03'/>"
                      "<source bridge='vkbr0'/><model type='virtio'/></interface>";
    VKT_OK(virtkit_domain_attach_device(d, nic, VIRTKIT_DOMAIN_AFFECT_LIVE));
    bool seen = false;
    for (int i = 0; i < 50 && !seen; i++) {
        out = guest(con, "cat /sys/class/net/eth1/address 2>&1");
        seen = strstr(out, "52:54:00:99:00:03") != NULL;
        free(out);
        if (!seen)
            usleep(200000);
    }
    assert_true(seen);
    rc = system("ip -o link show master vkbr0 | grep -q 'fe:54:00:99:00:03'");
    assert_int_equal(rc, 0);
    VKT_OK(virtkit_domain_detach_device(d, nic, VIRTKIT_DOMAIN_AFFECT_LIVE));
    out = guest(con, "ls /sys/class/net");
    assert_null(strstr(out, "eth1"));
    free(out);
    /* the tap went with qemu's fd */
    rc = system("ip -o link show master vkbr0 | grep -q 'fe:54:00:99:00:03'");
    assert_int_not_equal(rc, 0);
    vkt_console_close(con);
    VKT_OK(virtkit_domain_destroy(d, 0));
    rc = system("ip -o link show master vkbr0 | grep -q 'fe:54:00:99'");
    assert_int_not_equal(rc, 0);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
