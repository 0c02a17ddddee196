/*
 * nodedev_monitor.c: node device lifecycle events from kernel uevents.
 *
 * One NETLINK_KOBJECT_UEVENT socket (no libudev: the kernel's own
 * multicast group 1, messages accepted only from the kernel, pid 0) is
 * open while at least one connection watches. A uevent for a subsystem
 * we describe does not itself say which node device changed (a device's
 * name depends on attributes such as the MAC address, and a removed
 * device's sysfs is already gone), so the monitor waits for the burst to
 * settle (SETTLE_MS), rescans, and diffs the names against the previous
 * scan: names that appeared are CREATED, names that vanished DELETED. A
 * rename or a lost uevent (socket overflow) is handled the same way.
 *
 * States: idle (no watcher, no socket) -> watching (socket + handle in
 * the event loop) -> settling (a rescan timer armed) -> watching. The last
 * watcher leaving closes everything. The monitor's lock is never held by
 * callers of vk_event_queue's locks in the other order: watch() is called
 * with no event lock held.
 *
 * Uevents for network interfaces go to the network namespace that owns
 * the interface, so a process sees its own namespace's interfaces come
 * and go, matching what /sys/class/net shows it.
 */
#include "config.h"

#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "core.h"
#include "evloop.h"
#include "log.h"
#include "nodedev.h"
#include "nodedev_db.h"

#define SETTLE_MS 100
#define UEVENT_BUF 8192

static struct {
    pthread_mutex_t lock;
    virtkit_connect **conns;
    size_t n, cap;
    int fd;
    int watch;
    int timer;
    char **known;          /* sorted names of the last scan */
} mon = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, -1, -1, -1, NULL };

/* Subsystems whose devices we describe. */
static const char *const watched_subsystems[] = { "pci", "usb", "net", "block", "scsi",
                                                  "scsi_host", NULL };

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of every node device, or NULL (error set). */
static char **scan_names(void)
{
    vk_ndev_db db;
    if (vk_ndev_scan(&db) < 0)
        return NULL;
    char **v = vk_alloc_n(db.n + 1, sizeof(char *));
    for (size_t i = 0; i < db.n; i++)
        v[i] = VK_STEAL(db.devs[i].name);
    vk_ndev_db_clear(&db);
    qsort(v, vk_strv_len(v), sizeof(char *), str_cmp);
    return v;
}

static void emit(const char *name, int event)
{
    for (size_t i = 0; i < mon.n; i++) {
        vk_event ev = { .kind = VK_EV_NODEDEV_LIFECYCLE, .event = event };
        ev.obj.name = vk_strdup(name);
        vk_event_queue(mon.conns[i], &ev);
    }
}

/* Rescan and report the difference; runs in the event loop. */
static void settle_timer(int timer, void *opaque)
{
    pthread_mutex_lock(&mon.lock);
    if (timer != mon.timer) {
        pthread_mutex_unlock(&mon.lock);
        return; /* stale: the monitor stopped or rearmed */
    }
    vk_event_remove_timeout(mon.timer);
    mon.timer = -1;
    char **now = scan_names();
    if (!now) {
        VK_WARN("nodedev", "monitor: rescan failed, keeping the last view: %s",
                vk_error_message());
        virtkit_error_clear();
        pthread_mutex_unlock(&mon.lock);
        return;
    }
    size_t i = 0, j = 0, ni = vk_strv_len(mon.known), nj = vk_strv_len(now);
    /* merge walk over the two sorted lists: deletions first, then creations */
    for (int pass = 0; pass < 2; pass++) {
        for (i = 0, j = 0; i < ni || j < nj;) {
            int c = i >= ni ? 1 : j >= nj ? -1 : strcmp(mon.known[i], now[j]);
            if (c < 0) {
                if (pass == 0)
                    emit(mon.known[i], VIRTKIT_NODEDEV_EVENT_DELETED);
                i++;
            } else if (c > 0) {
                if (pass == 1)
                    emit(now[j], VIRTKIT_NODEDEV_EVENT_CREATED);
                j++;
            } else {
                i++;
                j++;
            }
        }
    }
    vk_strv_free(mon.known);
    mon.known = now;
    pthread_mutex_unlock(&mon.lock);
}

/* Does this uevent concern a device we describe? "add@/devices/...\0
 * ACTION=add\0DEVPATH=...\0SUBSYSTEM=net\0..." */
static bool uevent_relevant(const char *buf, size_t len)
{
    const char *action = NULL, *subsystem = NULL;
    for (size_t off = 0; off < len;) {
        const char *kv = buf + off;
        size_t l = strnlen(kv, len - off);
        if (!strncmp(kv, "ACTION=", 7))
            action = kv + 7;
        else if (!strncmp(kv, "SUBSYSTEM=", 10))
            subsystem = kv + 10;
        off += l + 1;
    }
    if (!action || !subsystem || !vk_strv_contains(watched_subsystems, subsystem))
        return false;
    return vk_streq(action, "add") || vk_streq(action, "remove") || vk_streq(action, "move") ||
           vk_streq(action, "change");
}

static void arm_settle(void)
{
    if (mon.timer >= 0)
        return;
    mon.timer = vk_event_add_timeout(SETTLE_MS, settle_timer, NULL, NULL);
    if (mon.timer < 0) {
        VK_WARN("nodedev", "monitor: cannot arm the rescan timer: %s", vk_error_message());
        virtkit_error_clear();
    }
}

static void uevent_readable(int watch, int fd, int events, void *opaque)
{
    pthread_mutex_lock(&mon.lock);
    if (watch != mon.watch) {
        pthread_mutex_unlock(&mon.lock);
        return;
    }
    char buf[UEVENT_BUF];
    bool relevant = false;
    for (;;) {
        struct sockaddr_nl sa;
        struct iovec iov = { buf, sizeof(buf) - 1 };
        struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
                              .msg_iovlen = 1 };
        ssize_t r = recvmsg(fd, &msg, MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) { /* overflowed: events lost, the rescan catches up */
                relevant = true;
                continue;
            }
            break; /* EAGAIN: drained */
        }
        if (sa.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC))
            continue; /* not from the kernel, or not a uevent we can read */
        buf[r] = 0;
        relevant = relevant || uevent_relevant(buf, (size_t)r);
    }
    if (relevant)
        arm_settle();
    pthread_mutex_unlock(&mon.lock);
}

static void close_fd(void *opaque)
{
    close((int)(intptr_t)opaque);
}

static int monitor_start(void)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    NETLINK_KOBJECT_UEVENT);
    if (fd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_NODEDEV,
                        "cannot open the kernel uevent socket for node device events");
        return -1;
    }
    int sz = 1 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_NODEDEV,
                        "cannot listen to kernel uevents for node device events");
        close(fd);
        return -1;
    }
    /* the baseline view: events are differences from it */
    char **known = scan_names();
    if (!known) {
        close(fd);
        return -1;
    }
    int w = vk_event_add_handle(fd, VIRTKIT_EVENT_HANDLE_READABLE, uevent_readable,
                                (void *)(intptr_t)fd, close_fd);
    if (w < 0) {
        vk_strv_free(known);
        close(fd);
        return -1;
    }
    mon.fd = fd;
    mon.watch = w;
    mon.known = known;
    return 0;
}

static void monitor_stop(void)
{
    if (mon.timer >= 0)
        vk_event_remove_timeout(mon.timer);
    if (mon.watch >= 0)
        vk_event_remove_handle(mon.watch); /* the loop closes the fd (close_fd) */
    mon.fd = mon.watch = mon.timer = -1;
    vk_strv_free(mon.known);
    mon.known = NULL;
}

int vk_nodedev_monitor_watch(virtkit_connect *conn, bool on)
{
    if (on && conn->hv && VKP_HAS_OP(conn->hv, vkp_hypervisor_ops, list_all_nodedevs))
        return 0; /* the plugin describes its own node and its events */
    pthread_mutex_lock(&mon.lock);
    size_t i = 0;
    while (i < mon.n && mon.conns[i] != conn)
        i++;
    int ret = 0;
    if (on && i == mon.n) {
        if (mon.n == 0)
            ret = monitor_start();
        if (ret == 0) {
            VK_GROW(mon.conns, mon.cap, mon.n);
            mon.conns[mon.n++] = conn;
        }
    } else if (!on && i < mon.n) {
        mon.conns[i] = mon.conns[--mon.n];
        if (mon.n == 0)
            monitor_stop();
    }
    pthread_mutex_unlock(&mon.lock);
    return ret;
}
