/*
 * events_test.c: node device lifecycle events from kernel uevents.
 *
 * The whole test runs inside a network and mount namespace of its own
 * (unshare at start; both vanish when the process exits): a fresh sysfs
 * mounted on a scratch directory shows only this namespace's interfaces,
 * and interfaces created here are invisible to the host. It creates a
 * dummy interface (a veth pair when the dummy driver is missing), expects
 * CREATED, deletes it and expects DELETED, on every watching connection,
 * and none after the last callback is gone. The connections are to the SDK
 * example plugin, which leaves node devices to the core (the test plugin
 * describes a fake node of its own). Skips (77) without root or namespace
 * support.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>

#include "hosttest.h"
#include "strbuf.h"

#define WAIT_MS 5000

typedef struct {
    char names[32][96];
    int events[32];
    int n;
} seen_events;

static void on_event(virtkit_connect *conn, virtkit_nodedev *dev, int event, int detail,
                     void *opaque)
{
    seen_events *s = opaque;
    if (s->n < 32) {
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", virtkit_nodedev_get_name(dev));
        s->events[s->n++] = event;
    }
}

static void tick(int timer, void *opaque)
{
}

/* Run the loop until pred holds or the time is up. */
static bool wait_for(bool (*pred)(void *), void *arg, int ms)
{
    int64_t end = vk_now_ms() + ms;
    while (!pred(arg) && vk_now_ms() < end)
        virtkit_event_run_default_impl();
    return pred(arg);
}

static const char *iface_kind; /* "dummy" or "veth" */
static char *sysroot;

static int find(const seen_events *s, const char *prefix, int event)
{
    for (int i = 0; i < s->n; i++)
        if (vk_str_has_prefix(s->names[i], prefix) && s->events[i] == event)
            return i;
    return -1;
}

typedef struct {
    seen_events *s;
    int event;
} want;

static bool got_vkt0(void *arg)
{
    want *w = arg;
    return find(w->s, "net_vkt0_", w->event) >= 0;
}

static int ip(const char *fmt, const char *name)
{
    VK_AUTOFREE(char *) cmd = vk_asprintf(fmt, name);
    return system(cmd);
}

static void add_iface(void)
{
    if (vk_streq(iface_kind, "dummy"))
        assert_int_equal(ip("ip link add %s type dummy", "vkt0"), 0);
    else
        assert_int_equal(ip("ip link add %s type veth peer name vkt1", "vkt0"), 0);
}

static void test_created_deleted(void **state)
{
    virtkit_connect *a = VKT_NONNULL(virtkit_connect_open("example:///default", 0));
    virtkit_connect *b = VKT_NONNULL(virtkit_connect_open("example:///default", 0));
    seen_events sa = { 0 }, sb = { 0 };
    int ida = virtkit_connect_nodedev_event_register(a, NULL, on_event, &sa, NULL);
    int idb = virtkit_connect_nodedev_event_register(b, NULL, on_event, &sb, NULL);
    VKT_OK(ida);
    VKT_OK(idb);

    add_iface();
    want wa = { &sa, VIRTKIT_NODEDEV_EVENT_CREATED }, wb = { &sb, VIRTKIT_NODEDEV_EVENT_CREATED };
    assert_true(wait_for(got_vkt0, &wa, WAIT_MS));
    assert_true(wait_for(got_vkt0, &wb, WAIT_MS));
    int i = find(&sa, "net_vkt0_", VIRTKIT_NODEDEV_EVENT_CREATED);
    print_message("created: %s\n", sa.names[i]);
    /* the name is the one the device has now */
    virtkit_nodedev *dev = VKT_NONNULL(virtkit_nodedev_lookup_by_name(a, sa.names[i]));
    virtkit_nodedev_free(dev);

    assert_int_equal(ip("ip link del %s", "vkt0"), 0);
    wa.event = wb.event = VIRTKIT_NODEDEV_EVENT_DELETED;
    assert_true(wait_for(got_vkt0, &wa, WAIT_MS));
    assert_true(wait_for(got_vkt0, &wb, WAIT_MS));
    assert_string_equal(sa.names[find(&sa, "net_vkt0_", VIRTKIT_NODEDEV_EVENT_DELETED)],
                        sa.names[i]);
    if (!vk_streq(iface_kind, "dummy")) { /* the peer went too */
        assert_true(find(&sa, "net_vkt1_", VIRTKIT_NODEDEV_EVENT_CREATED) >= 0);
        assert_true(find(&sa, "net_vkt1_", VIRTKIT_NODEDEV_EVENT_DELETED) >= 0);
    }

    /* one connection leaves: the other still hears */
    VKT_OK(virtkit_connect_nodedev_event_deregister(a, ida));
    int before = sa.n;
    add_iface();
    wb.event = VIRTKIT_NODEDEV_EVENT_CREATED;
    sb.n = 0;
    assert_true(wait_for(got_vkt0, &wb, WAIT_MS));
    assert_int_equal(sa.n, before);

    /* the last one leaves: the monitor stops, nothing more arrives */
    VKT_OK(virtkit_connect_nodedev_event_deregister(b, idb));
    sb.n = 0;
    assert_int_equal(ip("ip link del %s", "vkt0"), 0);
    assert_false(wait_for(got_vkt0, &wb, 500));
    virtkit_connect_close(a);
    virtkit_connect_close(b);
}

/* Closing a connection that still watches must stop its events cleanly. */
static void test_close_while_watching(void **state)
{
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open("example:///default", 0));
    seen_events s = { 0 };
    VKT_OK(virtkit_connect_nodedev_event_register(c, NULL, on_event, &s, NULL));
    add_iface();
    virtkit_connect_close(c); /* the uevent is pending; the connection is gone */
    int64_t end = vk_now_ms() + 400;
    while (vk_now_ms() < end)
        virtkit_event_run_default_impl();
    assert_int_equal(s.n, 0);
    assert_int_equal(ip("ip link del %s", "vkt0"), 0);
}

static int enter_namespaces(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "SKIP: needs root to create network namespaces\n");
        return 77;
    }
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
        fprintf(stderr, "SKIP: cannot create network/mount namespaces: %s\n", strerror(errno));
        return 77;
    }
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0) {
        fprintf(stderr, "SKIP: cannot make mounts private: %s\n", strerror(errno));
        return 77;
    }
    sysroot = vkt_tmpdir();
    VK_AUTOFREE(char *) sys = vk_asprintf("%s/sys", sysroot);
    if (mkdir(sys, 0755) < 0 || mount("sysfs", sys, "sysfs", 0, NULL) < 0) {
        fprintf(stderr, "SKIP: cannot mount sysfs for the namespace: %s\n", strerror(errno));
        return 77;
    }
    if (system("ip link add vkprobe type dummy 2>/dev/null") == 0) {
        iface_kind = "dummy";
        if (system("ip link del vkprobe") != 0)
            return 77;
    } else if (system("ip link add vkprobe type veth peer name vkprobe1 2>/dev/null") == 0) {
        iface_kind = "veth";
        if (system("ip link del vkprobe") != 0)
            return 77;
    } else {
        fprintf(stderr, "SKIP: neither dummy nor veth interfaces can be created here\n");
        return 77;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int r = enter_namespaces();
    if (r)
        return r;
    fprintf(stderr, "events-test: private network namespace, %s interfaces\n", iface_kind);
    vk_host_set_root(sysroot);
    vkt_use_plugins_with_example(sysroot);
    VKT_OK(virtkit_event_register_default_impl());
    virtkit_event_add_timeout(100, tick, NULL, NULL); /* keeps the loop turning */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_created_deleted),
        cmocka_unit_test(test_close_while_watching),
    };
    r = cmocka_run_group_tests(tests, NULL, NULL);
    VK_AUTOFREE(char *) sys = vk_asprintf("%s/sys", sysroot);
    umount(sys);
    vkt_tmpdir_cleanup(sysroot);
    return r;
}
