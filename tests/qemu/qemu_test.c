/*
 * qemu_test.c: the qemu plugin end to end with real qemu (TCG; KVM is
 * not used here because TESTBED.md's hosts cannot boot ordinary guests on
 * it), through the public API as an application uses it, on qemu:///embed
 * roots of our own. qemu runs as the default unprivileged user.
 *
 * The tiny guest (tests/guest/build-guest.sh) prints a marker on its
 * serial console and keeps a shell there; the tests drive that shell to
 * see what the guest sees. SKIP (77) with the reason when qemu or the
 * guest cannot be had.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"
#include "testutil.h"

#define MARKER "VIRTKIT-GUEST-READY"
#define BOOT_MS 60000

static char *root;          /* source root, 0755 so qemu's user reaches images */
static char *root2;         /* migration destination */
static char uri[4200], uri2[4200];

/* ------------------------------------------------------------- events -- */

typedef struct {
    int event, detail;
    char name[64];
} seen_event;

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static seen_event events[512];
static int nevents;

static void on_lifecycle(virtkit_connect *c, virtkit_domain *d, int event, int detail,
                         void *opaque)
{
    (void)c;
    (void)opaque;
    pthread_mutex_lock(&ev_lock);
    if (nevents == 512) {
        /* keep the newest half */
        memmove(events, events + 256, 256 * sizeof(events[0]));
        nevents = 256;
    }
    {
        events[nevents].event = event;
        events[nevents].detail = detail;
        snprintf(events[nevents].name, sizeof(events[nevents].name), "%s",
                 virtkit_domain_get_name(d));
        nevents++;
    }
    pthread_mutex_unlock(&ev_lock);
}

/* Wait until an event (event, detail) for domain `name` arrived. */
static bool wait_event(const char *name, int event, int detail, int timeout_ms)
{
    long long end = vkt_now_ms() + timeout_ms;
    while (vkt_now_ms() < end) {
        pthread_mutex_lock(&ev_lock);
        for (int i = 0; i < nevents; i++) {
            if (events[i].event == event && events[i].detail == detail &&
                strcmp(events[i].name, name) == 0) {
                events[i].event = -1; /* consumed */
                pthread_mutex_unlock(&ev_lock);
                return true;
            }
        }
        pthread_mutex_unlock(&ev_lock);
        usleep(20000);
    }
    print_error("no event %s/%s for %s within %d ms\n", virtkit_domain_event_name(event),
                virtkit_domain_event_detail_name(event, detail), name, timeout_ms);
    return false;
}

static void clear_events(void)
{
    pthread_mutex_lock(&ev_lock);
    nevents = 0;
    pthread_mutex_unlock(&ev_lock);
}

/* ------------------------------------------------------------ helpers -- */

static virtkit_connect *open_root(const char *u)
{
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(u, 0));
    VKT_OK(virtkit_connect_domain_event_register(c, NULL, VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE,
                                                 VIRTKIT_EVENT_CALLBACK(on_lifecycle), NULL,
                                                 NULL));
    return c;
}

static void expect_state(virtkit_domain *d, int state, int reason)
{
    int s = -1, r = -1;
    VKT_OK(virtkit_domain_get_state(d, &s, &r, 0));
    if (s != state || r != reason)
        print_error("domain %s is %s/%s, expected %s/%s\n", virtkit_domain_get_name(d),
                    virtkit_domain_state_name(s), virtkit_domain_reason_name(s, r),
                    virtkit_domain_state_name(state), virtkit_domain_reason_name(state, reason));
    assert_int_equal(s, state);
    assert_int_equal(r, reason);
}

static bool wait_state(virtkit_domain *d, int state, int timeout_ms)
{
    long long end = vkt_now_ms() + timeout_ms;
    int s = -1, r;
    while (vkt_now_ms() < end) {
        if (virtkit_domain_get_state(d, &s, &r, 0) >= 0 && s == state)
            return true;
        usleep(20000);
    }
    print_error("domain %s stayed %s, expected %s\n", virtkit_domain_get_name(d),
                virtkit_domain_state_name(s), virtkit_domain_state_name(state));
    return false;
}

static vkt_console *boot_console(virtkit_domain *d)
{
    vkt_console *con = VKT_NONNULL(vkt_console_open(d));
    if (vkt_console_wait(con, MARKER, BOOT_MS) < 0) {
        print_error("no marker from %s; console:\n%s\n", virtkit_domain_get_name(d),
                    vkt_console_log(con));
        fail();
    }
    return con;
}

/* Run cmd in the guest and return its output (caller frees). */
static char *guest(vkt_console *con, const char *cmd)
{
    int rc = -1;
    char *out = vkt_console_run(con, cmd, 20000, &rc);
    if (!out) {
        print_error("guest command '%s' timed out; console:\n%s\n", cmd, vkt_console_log(con));
        fail();
    }
    return out;
}

static double guest_uptime(vkt_console *con)
{
    char *out = guest(con, "cat /proc/uptime");
    double up = 0;
    char *p = out;
    while (*p && (*p < '0' || *p > '9'))
        p++;
    up = strtod(p, NULL);
    free(out);
    return up;
}

static unsigned long long param_ull(virtkit_params *p, const char *name)
{
    unsigned long long v = 0;
    if (virtkit_params_get_ullong(p, name, &v) != 1) {
        print_error("stats lack %s\n", name);
        fail();
    }
    return v;
}

static pid_t qemu_pid_of(const char *r, const char *name)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/run/virtkit/qemu/%s.json", r, name);
    char *text = vkt_read_file(path);
    assert_non_null(text);
    char *p = strstr(text, "\"pid\"");
    assert_non_null(p);
    pid_t pid = (pid_t)atoi(strchr(p, ':') + 1);
    free(text);
    return pid;
}

/* The domain `name` in state shutoff whatever an earlier failed test left. */
static virtkit_domain *fresh(virtkit_connect *c, const char *name)
{
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, name));
    if (virtkit_domain_is_active(d) == 1)
        virtkit_domain_destroy(d, 0);
    if (virtkit_domain_has_managed_save(d, 0) == 1)
        virtkit_domain_managed_save_remove(d, 0);
    clear_events();
    return d;
}

/* /proc/PID/stat field 22, 0 when the process is gone. */
static unsigned long long proc_starttime(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    char *text = vkt_read_file(path);
    char *p = text ? strrchr(text, ')') : NULL;
    unsigned long long v = 0;
    for (int field = 2; p && *p; p++) {
        if (*p == ' ' && ++field == 22) {
            v = strtoull(p + 1, NULL, 10);
            break;
        }
    }
    free(text);
    return v;
}

/* ------------------------------------------------------------ fixture -- */

static int setup(void **state)
{
    (void)state;
    char why[512];
    if (!vkt_guest_dir(why, sizeof(why))) {
        fprintf(stderr, "SKIP: %s\n", why);
        exit(77);
    }
    root = vkt_tmpdir();
    root2 = vkt_tmpdir();
    chmod(root, 0755);
    chmod(root2, 0755);
    snprintf(uri, sizeof(uri), "qemu:///embed?root=%s", root);
    snprintf(uri2, sizeof(uri2), "qemu:///embed?root=%s", root2);
    /* a short shutdown wait for the "guest ignored shutdown" case */
    char conf[4200];
    snprintf(conf, sizeof(conf), "%s/etc/virtkit", root);
    char cmd[12800];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && printf 'shutdown_timeout = 10;\\ndestroy_timeout_ms = 1500;\\n' > '%s/qemu.conf'",
             conf, conf);
    if (system(cmd) != 0)
        return -1;
    vkt_run_event_loop_thread();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    /* Nothing may outlive the test: destroy what is left in both roots. */
    const char *uris[] = { uri, uri2 };
    for (int i = 0; i < 2; i++) {
        virtkit_connect *c = virtkit_connect_open(uris[i], 0);
        virtkit_domain **doms = NULL;
        int n = c ? virtkit_connect_list_all_domains(c, &doms, VIRTKIT_LIST_DOMAINS_ACTIVE) : 0;
        for (int k = 0; k < n; k++) {
            virtkit_domain_destroy(doms[k], 0);
            virtkit_domain_free(doms[k]);
        }
        virtkit_free(doms);
        if (c)
            virtkit_connect_close(c);
    }
    /* Whatever a failed test left behind: the qemu of every status file
     * still in our roots (by pid, when its start time still matches). */
    const char *roots[] = { root, root2 };
    for (int i = 0; i < 2; i++) {
        char dir[4300];
        snprintf(dir, sizeof(dir), "%s/run/virtkit/qemu", roots[i]);
        DIR *dh = opendir(dir);
        struct dirent *e;
        while (dh && (e = readdir(dh))) {
            if (!strstr(e->d_name, ".json"))
                continue;
            char path[4600];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            char *text = vkt_read_file(path);
            char *pp = text ? strstr(text, "\"pid\"") : NULL;
            char *sp = text ? strstr(text, "\"starttime\"") : NULL;
            if (pp && sp) {
                pid_t pid = (pid_t)atoi(strchr(pp, ':') + 1);
                unsigned long long start = strtoull(strchr(sp, ':') + 1, NULL, 10);
                if (pid > 0 && start && proc_starttime(pid) == start)
                    kill(pid, SIGKILL);
            }
            free(text);
        }
        if (dh)
            closedir(dh);
    }
    vkt_tmpdir_cleanup(root);
    vkt_tmpdir_cleanup(root2);
    return 0;
}

/* ---------------------------------------------------------------- tests -- */

/* define, start, console, info, stats, suspend/resume with the guest's
 * clock stopping, reboot, graceful shutdown. */
static void test_lifecycle(void **state)
{
    (void)state;
    virtkit_connect *c = open_root(uri);
    /* with an empty cdrom for the media change test */
    char *xml = vkt_guest_xml("life", "qemu",
                              "    <disk type='file' device='cdrom'><target dev='sda' "
                              "bus='sata'/><readonly/></disk>\n");
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_define_xml(c, xml, 0));
    free(xml);
    assert_true(wait_event("life", VIRTKIT_EVENT_DEFINED, VIRTKIT_EVENT_DEFINED_ADDED, 5000));
    expect_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_UNKNOWN);
    assert_int_equal(virtkit_connect_num_of_defined_domains(c), 1);
    /* capabilities: probed once, cached under the root */
    char *caps = VKT_NONNULL(virtkit_connect_get_capabilities(c));
    assert_non_null(strstr(caps, "<emulator>/usr/bin/qemu-system-x86_64</emulator>"));
    assert_non_null(strstr(caps, "<domain type='qemu'/>"));
    assert_non_null(strstr(caps, ">pc-q35-"));
    free(caps);
    char cache[4300];
    snprintf(cache, sizeof(cache),
             "%s/var/cache/virtkit/qemu/capabilities/_usr_bin_qemu-system-x86_64.json", root);
    assert_int_equal(access(cache, F_OK), 0);

    long long t0 = vkt_now_ms();
    VKT_OK(virtkit_domain_create(d, 0));
    long long t_start = vkt_now_ms() - t0;
    assert_true(wait_event("life", VIRTKIT_EVENT_STARTED, VIRTKIT_EVENT_STARTED_BOOTED, 5000));
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    assert_true(virtkit_domain_get_id(d) > 0);
    vkt_console *con = boot_console(d);
    print_message("start returned in %lld ms; guest marker after %lld ms\n", t_start,
                  vkt_now_ms() - t0);

    /* qemu runs unprivileged, in its own cgroup */
    pid_t pid = qemu_pid_of(root, "life");
    char path[256], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    char *st = vkt_read_file(path);
    assert_non_null(st);
    assert_non_null(strstr(st, "Uid:\t65534"));
    free(st);
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    char *cg = vkt_read_file(path);
    assert_non_null(cg);
    assert_non_null(strstr(cg, "/virtkit/qemu-"));
    free(cg);

    virtkit_domain_info info = VIRTKIT_DOMAIN_INFO_INIT;
    VKT_OK(virtkit_domain_get_info(d, &info));
    assert_int_equal(info.state, VIRTKIT_DOMAIN_RUNNING);
    assert_int_equal(info.max_mem_kib, 256 * 1024);
    assert_int_equal(info.nr_vcpus, 1);
    assert_true(info.cpu_time_ns > 100000000ULL);

    virtkit_domain_stats **recs = NULL;
    assert_int_equal(virtkit_connect_get_all_domain_stats(c, 0, &recs, 0), 1);
    assert_true(param_ull(recs[0]->params, "cpu.time") > 0);
    assert_int_equal(param_ull(recs[0]->params, "balloon.maximum"), 256 * 1024);
    assert_true(param_ull(recs[0]->params, "balloon.rss") > 1024);
    assert_true(param_ull(recs[0]->params, "vcpu.0.time") > 0);
    virtkit_domain_stats_free(recs);

    /* memory through the balloon */
    VKT_OK(virtkit_domain_set_memory(d, 200 * 1024, VIRTKIT_DOMAIN_AFFECT_LIVE));
    VKT_OK(virtkit_domain_get_info(d, &info));
    assert_int_equal(info.memory_kib, 200 * 1024);
    char *lx = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    assert_non_null(strstr(lx, "<currentMemory unit='KiB'>204800</currentMemory>"));
    free(lx);
    virtkit_error_clear();
    assert_int_equal(virtkit_domain_set_memory(d, 512 * 1024, VIRTKIT_DOMAIN_AFFECT_LIVE), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "exceeds its memory");

    /* suspend: the guest's clock stops */
    double up1 = guest_uptime(con);
    long long w1 = vkt_now_ms();
    VKT_OK(virtkit_domain_suspend(d, 0));
    assert_true(wait_event("life", VIRTKIT_EVENT_SUSPENDED, VIRTKIT_EVENT_SUSPENDED_PAUSED, 5000));
    expect_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER);
    sleep(3);
    VKT_OK(virtkit_domain_resume(d, 0));
    assert_true(wait_event("life", VIRTKIT_EVENT_RESUMED, VIRTKIT_EVENT_RESUMED_UNPAUSED, 5000));
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_UNPAUSED);
    double up2 = guest_uptime(con);
    double wall = (double)(vkt_now_ms() - w1) / 1000.0;
    print_message("guest clock advanced %.2f s over %.2f s of wall time (3 s paused)\n",
                  up2 - up1, wall);
    assert_true(up2 > up1);
    assert_true(up2 - up1 < wall - 2.0);

    /* ACPI reboot: the guest comes back */
    VKT_OK(virtkit_domain_reboot(d, 0));
    assert_int_equal(vkt_console_wait(con, MARKER, BOOT_MS), 0);
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);

    /* graceful shutdown through ACPI, waiting for it */
    char *out = guest(con, "echo ok");
    free(out);
    VKT_OK(virtkit_domain_shutdown(d, VIRTKIT_DOMAIN_SHUTDOWN_WAIT));
    expect_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_SHUTDOWN);
    assert_true(wait_event("life", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_SHUTDOWN, 5000));
    assert_int_equal(virtkit_domain_get_id(d), -1);
    vkt_console_close(con);
    /* nothing of the run remains */
    snprintf(buf, sizeof(buf), "%s/run/virtkit/qemu/life.json", root);
    assert_int_equal(access(buf, F_OK), -1);
    snprintf(buf, sizeof(buf), "%s/var/log/virtkit/qemu/life.log", root);
    char *log = vkt_read_file(buf);
    assert_non_null(log);
    assert_non_null(strstr(log, "-accel tcg"));
    free(log);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

/* save/restore keeps the guest alive; managed save restores on start;
 * corrupt images are refused. */
static void test_save_restore(void **state)
{
    (void)state;
    virtkit_connect *c = open_root(uri);
    virtkit_domain *d = fresh(c, "life");
    VKT_OK(virtkit_domain_create(d, 0));
    vkt_console *con = boot_console(d);
    char *out = guest(con, "echo before > /tmp/mark; cat /tmp/mark");
    assert_non_null(strstr(out, "before"));
    free(out);

    char img[4200];
    snprintf(img, sizeof(img), "%s/life.save", root);
    long long t0 = vkt_now_ms();
    VKT_OK(virtkit_domain_save(d, img, 0));
    print_message("save took %lld ms\n", vkt_now_ms() - t0);
    expect_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_SAVED);
    assert_true(wait_event("life", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_SAVED, 5000));
    char *ixml = VKT_NONNULL(virtkit_domain_save_image_get_xml(c, img, 0));
    assert_non_null(strstr(ixml, "<name>life</name>"));
    free(ixml);
    vkt_console_close(con);

    t0 = vkt_now_ms();
    VKT_OK(virtkit_domain_restore(c, img, NULL, 0));
    print_message("restore took %lld ms\n", vkt_now_ms() - t0);
    assert_true(wait_event("life", VIRTKIT_EVENT_STARTED, VIRTKIT_EVENT_STARTED_RESTORED, 5000));
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_RESTORED);
    con = VKT_NONNULL(vkt_console_open(d));
    out = guest(con, "cat /tmp/mark");
    assert_non_null(strstr(out, "before"));
    free(out);

    /* a guest memory dump is an ELF core; the guest runs on afterwards */
    char core[4200];
    snprintf(core, sizeof(core), "%s/life.core", root);
    VKT_OK(virtkit_domain_core_dump(d, core, VIRTKIT_DUMP_MEMORY_ONLY));
    FILE *cf = fopen(core, "rb");
    assert_non_null(cf);
    char elf[4] = { 0 };
    assert_int_equal(fread(elf, 1, 4, cf), 4);
    fseek(cf, 0, SEEK_END);
    assert_true(ftell(cf) > 200L * 1024 * 1024);
    fclose(cf);
    unlink(core);
    assert_memory_equal(elf, "\x7f" "ELF", 4);
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_UNPAUSED);

    /* a damaged copy is refused before anything starts */
    char bad[4200];
    snprintf(bad, sizeof(bad), "%s/bad.save", root);
    char cmd[13000];
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && truncate -s -4096 '%s'", img, bad, bad);
    assert_int_equal(system(cmd), 0);
    VKT_OK(virtkit_domain_destroy(d, 0));
    virtkit_error_clear();
    assert_int_equal(virtkit_domain_restore(c, bad, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_SAVE_IMAGE, "truncated");
    expect_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_DESTROYED);

    /* managed save: start resumes from it, then it is gone */
    VKT_OK(virtkit_domain_restore(c, img, NULL, 0));
    vkt_console_close(con);
    VKT_OK(virtkit_domain_managed_save(d, 0));
    assert_int_equal(virtkit_domain_has_managed_save(d, 0), 1);
    virtkit_error_clear();
    assert_int_equal(virtkit_domain_undefine(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "managed save");
    VKT_OK(virtkit_domain_create(d, 0));
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_RESTORED);
    assert_int_equal(virtkit_domain_has_managed_save(d, 0), 0);
    con = VKT_NONNULL(vkt_console_open(d));
    out = guest(con, "cat /tmp/mark");
    assert_non_null(strstr(out, "before"));
    free(out);
    vkt_console_close(con);
    VKT_OK(virtkit_domain_destroy(d, 0));
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

/* hotplug of a disk the guest sees, then unplug. */
static void test_hotplug(void **state)
{
    (void)state;
    virtkit_connect *c = open_root(uri);
    virtkit_domain *d = fresh(c, "life");
    VKT_OK(virtkit_domain_create(d, 0));
    vkt_console *con = boot_console(d);
    char img[4200];
    snprintf(img, sizeof(img), "%s/extra.img", root);
    int fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 32 << 20), 0);
    close(fd);
    char dev[4400];
    snprintf(dev, sizeof(dev),
             "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
             "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>", img);
    VKT_OK(virtkit_domain_attach_device(d, dev, VIRTKIT_DOMAIN_AFFECT_LIVE));
    /* the image was handed to qemu's user while attached */
    struct stat sb;
    assert_int_equal(stat(img, &sb), 0);
    assert_int_equal(sb.st_uid, 65534);
    /* the guest has no other virtio disk: it names this one vda */
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        char *out = guest(con, "cat /sys/block/vda/size 2>&1");
        seen = strstr(out, "65536") != NULL;
        free(out);
        if (!seen)
            usleep(200000);
    }
    assert_true(seen);
    char *x = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    assert_non_null(strstr(x, "extra.img"));
    free(x);
    char *rd = guest(con, "dd if=/dev/vda of=/dev/null bs=4k count=16 2>&1");
    free(rd);
    virtkit_domain_stats **recs = NULL;
    assert_int_equal(virtkit_connect_get_all_domain_stats(c, VIRTKIT_STATS_BLOCK, &recs, 0), 1);
    unsigned int nblock = 0;
    assert_int_equal(virtkit_params_get_uint(recs[0]->params, "block.count", &nblock), 1);
    assert_int_equal(nblock, 2); /* the cdrom and vdb */
    const char *bname = NULL;
    assert_int_equal(virtkit_params_get_string(recs[0]->params, "block.1.name", &bname), 1);
    assert_string_equal(bname, "vdb");
    assert_true(param_ull(recs[0]->params, "block.1.rd.bytes") >= 65536);
    virtkit_domain_stats_free(recs);
    long long t0 = vkt_now_ms();
    VKT_OK(virtkit_domain_detach_device(d, dev, VIRTKIT_DOMAIN_AFFECT_LIVE));
    print_message("detach took %lld ms (guest's PCIe unplug)\n", vkt_now_ms() - t0);
    char *out = guest(con, "ls /sys/block");
    assert_null(strstr(out, "vda"));
    free(out);
    assert_int_equal(stat(img, &sb), 0);
    assert_int_equal(sb.st_uid, 0); /* given back */
    /* new media in the cdrom, then ejected */
    char iso[4300], media[4600];
    snprintf(iso, sizeof(iso), "%s/media.iso", root);
    fd = open(iso, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 4 << 20), 0);
    close(fd);
    snprintf(media, sizeof(media),
             "<disk type='file' device='cdrom'><source file='%s'/><target dev='sda' "
             "bus='sata'/><readonly/></disk>", iso);
    VKT_OK(virtkit_domain_update_device(d, media, VIRTKIT_DOMAIN_AFFECT_LIVE));
    out = guest(con, "dd if=/dev/sr0 of=/dev/null bs=2k count=1 2>/dev/null; "
                     "cat /sys/block/sr0/size");
    assert_non_null(strstr(out, "8192"));
    free(out);
    VKT_OK(virtkit_domain_update_device(d, "<disk type='file' device='cdrom'><target dev='sda' "
                                           "bus='sata'/><readonly/></disk>",
                                        VIRTKIT_DOMAIN_AFFECT_LIVE));
    x = VKT_NONNULL(virtkit_domain_get_xml(d, 0));
    assert_null(strstr(x, "media.iso"));
    free(x);

    /* detaching what is not there names the problem */
    virtkit_error_clear();
    assert_int_equal(virtkit_domain_detach_device(d, dev, VIRTKIT_DOMAIN_AFFECT_LIVE), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_DEVICE, "no such disk");
    vkt_console_close(con);
    VKT_OK(virtkit_domain_destroy(d, 0));

    /* the persistent definition (CURRENT on a shut off domain = CONFIG) */
    VKT_OK(virtkit_domain_attach_device(d, dev, VIRTKIT_DOMAIN_AFFECT_CURRENT));
    x = VKT_NONNULL(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_INACTIVE));
    assert_non_null(strstr(x, "extra.img"));
    free(x);
    virtkit_error_clear();
    assert_int_equal(virtkit_domain_attach_device(d, dev, VIRTKIT_DOMAIN_AFFECT_LIVE), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_INVALID, "not running");
    VKT_OK(virtkit_domain_detach_device(d, dev, VIRTKIT_DOMAIN_AFFECT_CONFIG));
    x = VKT_NONNULL(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_INACTIVE));
    assert_null(strstr(x, "extra.img"));
    free(x);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

/* kill -9 of qemu is a crash; a new embedded instance reconnects to a
 * running domain. */
static void test_crash_and_reconnect(void **state)
{
    (void)state;
    virtkit_connect *c = open_root(uri);
    virtkit_domain *d = fresh(c, "life");
    VKT_OK(virtkit_domain_create(d, 0));
    pid_t pid = qemu_pid_of(root, "life");
    clear_events();
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_true(wait_state(d, VIRTKIT_DOMAIN_SHUTOFF, 10000));
    expect_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_CRASHED);
    assert_true(wait_event("life", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_CRASHED, 5000));
    /* reaped by us at once: no zombie left */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d", (int)pid);
    assert_int_equal(access(path, F_OK), -1);

    VKT_OK(virtkit_domain_create(d, 0));
    vkt_console *con = boot_console(d);
    vkt_console_close(con);
    int id = virtkit_domain_get_id(d);
    pid = qemu_pid_of(root, "life");
    virtkit_domain_free(d);
    /* the last connection: the instance goes away */
    assert_int_equal(virtkit_connect_close(c), 0);
    assert_int_equal(kill(pid, 0), 0);

    c = open_root(uri);
    d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "life"));
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    assert_int_equal(virtkit_domain_get_id(d), id);
    con = VKT_NONNULL(vkt_console_open(d));
    char *out = guest(con, "echo again");
    assert_non_null(strstr(out, "again"));
    free(out);
    vkt_console_close(con);
    VKT_OK(virtkit_domain_destroy(d, 0));
    expect_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_DESTROYED);

    /* qemu that died while no instance watched: found shut off */
    VKT_OK(virtkit_domain_create(d, 0));
    pid = qemu_pid_of(root, "life");
    virtkit_domain_free(d);
    virtkit_connect_close(c);
    kill(pid, SIGKILL);
    usleep(300000);
    c = open_root(uri);
    d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "life"));
    expect_state(d, VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_CRASHED);

    /* autostart: once per host boot, a new instance starts it (the marker
     * in the run dir says it happened; removing it stands for a reboot) */
    VKT_OK(virtkit_domain_set_autostart(d, 1));
    virtkit_domain_free(d);
    virtkit_connect_close(c);
    c = open_root(uri);
    d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "life"));
    assert_int_equal(virtkit_domain_is_active(d), 0);
    virtkit_domain_free(d);
    virtkit_connect_close(c);
    char marker[4300];
    snprintf(marker, sizeof(marker), "%s/run/virtkit/qemu/autostarted", root);
    assert_int_equal(unlink(marker), 0);
    c = open_root(uri);
    d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "life"));
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    int autostart = 0;
    VKT_OK(virtkit_domain_get_autostart(d, &autostart));
    assert_int_equal(autostart, 1);
    VKT_OK(virtkit_domain_set_autostart(d, 0));
    VKT_OK(virtkit_domain_destroy(d, 0));
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

/* on_poweroff=restart brings a powered-off guest back; on_reboot=destroy
 * ends a guest that reboots. */
static void test_lifecycle_actions(void **state)
{
    (void)state;
    virtkit_connect *c = open_root(uri);
    char *base = vkt_guest_xml("acts", "qemu", NULL);
    char *xml = NULL;
    char *at = strstr(base, "</features>") + strlen("</features>");
    assert_true(asprintf(&xml, "%.*s\n  <on_poweroff>restart</on_poweroff>\n"
                               "  <on_reboot>destroy</on_reboot>%s",
                         (int)(at - base), base, at) > 0);
    free(base);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_create_xml(c, xml, 0));
    free(xml);
    vkt_console *con = boot_console(d);
    clear_events();
    int rc;
    char *out = vkt_console_run(con, "poweroff -f", 2000, &rc);
    free(out);
    assert_int_equal(vkt_console_wait(con, MARKER, BOOT_MS), 0);
    assert_true(wait_event("acts", VIRTKIT_EVENT_SHUTDOWN, VIRTKIT_EVENT_SHUTDOWN_GUEST, 5000));
    expect_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    out = vkt_console_run(con, "reboot -f", 2000, &rc);
    free(out);
    assert_true(wait_event("acts", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_SHUTDOWN, 20000));
    vkt_console_close(con);
    /* transient: gone */
    virtkit_error_clear();
    assert_null(virtkit_domain_lookup_by_name(c, "acts"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "acts");
    virtkit_domain_free(d);

    /* a guest panic (pvpanic) with on_crash=preserve: crashed/panicked,
     * qemu kept for inspection */
    base = vkt_guest_xml("panic", "qemu", "    <panic model='isa'/>\n");
    at = strstr(base, "</features>") + strlen("</features>");
    xml = NULL;
    assert_true(asprintf(&xml, "%.*s\n  <on_crash>preserve</on_crash>%s", (int)(at - base), base,
                         at) > 0);
    free(base);
    d = VKT_NONNULL(virtkit_domain_create_xml(c, xml, 0));
    free(xml);
    con = boot_console(d);
    out = vkt_console_run(con, "echo c > /proc/sysrq-trigger", 2000, &rc);
    free(out);
    assert_true(wait_event("panic", VIRTKIT_EVENT_CRASHED, VIRTKIT_EVENT_CRASHED_PANICKED,
                           20000));
    expect_state(d, VIRTKIT_DOMAIN_CRASHED, VIRTKIT_CRASHED_PANICKED);
    vkt_console_close(con);
    VKT_OK(virtkit_domain_destroy(d, 0));
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

/* Live migration between two embedded roots, over a unix socket and back
 * over TCP. */
static void test_migration(void **state)
{
    (void)state;
    virtkit_connect *src = open_root(uri);
    virtkit_connect *dst = open_root(uri2);
    char *xml = vkt_guest_xml("mig", "qemu", NULL);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_create_xml(src, xml, 0));
    free(xml);
    vkt_console *con = boot_console(d);
    char *out = guest(con, "echo moved > /tmp/m");
    free(out);
    vkt_console_close(con);
    long long t0 = vkt_now_ms();
    virtkit_domain *d2 = VKT_NONNULL(virtkit_domain_migrate(d, dst, NULL, VIRTKIT_MIGRATE_LIVE));
    print_message("unix migration took %lld ms\n", vkt_now_ms() - t0);
    expect_state(d2, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_MIGRATED);
    assert_true(wait_event("mig", VIRTKIT_EVENT_STOPPED, VIRTKIT_EVENT_STOPPED_MIGRATED, 5000));
    /* the transient source is gone */
    virtkit_error_clear();
    assert_null(virtkit_domain_lookup_by_name(src, "mig"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "mig");
    con = VKT_NONNULL(vkt_console_open(d2));
    out = guest(con, "cat /tmp/m");
    assert_non_null(strstr(out, "moved"));
    free(out);
    vkt_console_close(con);

    virtkit_params *p = virtkit_params_new();
    virtkit_params_add_string(p, "uri", "tcp:127.0.0.1");
    t0 = vkt_now_ms();
    virtkit_domain *d3 = VKT_NONNULL(virtkit_domain_migrate(d2, src, p, VIRTKIT_MIGRATE_LIVE));
    print_message("tcp migration took %lld ms\n", vkt_now_ms() - t0);
    virtkit_params_free(p);
    expect_state(d3, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_MIGRATED);
    con = VKT_NONNULL(vkt_console_open(d3));
    out = guest(con, "cat /tmp/m");
    assert_non_null(strstr(out, "moved"));
    free(out);
    vkt_console_close(con);
    VKT_OK(virtkit_domain_destroy(d3, 0));
    virtkit_domain_free(d3);
    virtkit_domain_free(d2);
    virtkit_domain_free(d);
    virtkit_connect_close(dst);
    virtkit_connect_close(src);
}

static int stuck_result;

static void *stuck_resume(void *arg)
{
    stuck_result = virtkit_domain_resume(arg, 0);
    return NULL;
}

/* What cannot work fails before launch, naming the cause. */
static void test_errors(void **state)
{
    (void)state;
    virtkit_connect *c = open_root(uri);
    char extra[512];
    snprintf(extra, sizeof(extra),
             "    <disk type='file'><source file='%s/missing.img'/>"
             "<target dev='vda' bus='virtio'/></disk>\n", root);
    char *xml = vkt_guest_xml("broken", "qemu", extra);
    virtkit_error_clear();
    assert_null(virtkit_domain_create_xml(c, xml, 0));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "missing.img");
    free(xml);
    /* a transient domain that could not start leaves nothing behind */
    virtkit_error_clear();
    assert_null(virtkit_domain_lookup_by_name(c, "broken"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "broken");

    xml = vkt_guest_xml("lxcish", "lxc", NULL);
    virtkit_error_clear();
    assert_null(virtkit_domain_define_xml(c, xml, 0));
    free(xml);

    xml = vkt_guest_xml("sound", "qemu", "    <sound model='ich9'/>\n");
    virtkit_error_clear();
    assert_null(virtkit_domain_define_xml(c, xml, 0));
    VKT_ERROR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "<devices/sound>");
    free(xml);

    /* a paused guest cannot react to the power button */
    xml = vkt_guest_xml("deaf", "qemu", NULL);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_create_xml(c, xml, VIRTKIT_DOMAIN_START_PAUSED));
    free(xml);
    expect_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER);
    virtkit_error_clear();
    long long t0 = vkt_now_ms();
    assert_int_equal(virtkit_domain_shutdown(d, VIRTKIT_DOMAIN_SHUTDOWN_WAIT), -1);
    VKT_ERROR(VIRTKIT_ERR_GUEST, "guest ignored shutdown");
    assert_true(vkt_now_ms() - t0 >= 9000);

    /* a stuck qemu: the job waits, queries answer from the cached state
     * at once, and destroy still works */
    pid_t pid = qemu_pid_of(root, "deaf");
    assert_int_equal(kill(pid, SIGSTOP), 0);
    pthread_t t;
    pthread_create(&t, NULL, stuck_resume, d);
    usleep(500000);
    int st = -1;
    t0 = vkt_now_ms();
    int r = virtkit_domain_get_state(d, &st, NULL, 0);
    assert_true(vkt_now_ms() - t0 < 200);
    assert_int_equal(r, VIRTKIT_DOMAIN_STATE_CACHED);
    assert_int_equal(st, VIRTKIT_DOMAIN_PAUSED);
    /* bulk stats skip what would wait for the busy domain */
    virtkit_domain_stats **recs = NULL;
    t0 = vkt_now_ms();
    assert_true(virtkit_connect_get_all_domain_stats(c, 0, &recs,
                                                     VIRTKIT_GET_STATS_NOWAIT) >= 1);
    assert_true(vkt_now_ms() - t0 < 500);
    virtkit_domain_stats_free(recs);
    t0 = vkt_now_ms();
    VKT_OK(virtkit_domain_destroy(d, 0));
    long long took = vkt_now_ms() - t0;
    print_message("destroy of a stuck qemu took %lld ms\n", took);
    assert_true(took < 5000); /* SIGTERM, 1.5 s, SIGKILL: not the job's 30 s */
    pthread_join(t, NULL);
    assert_int_equal(stuck_result, -1);
    /* transient: gone */
    virtkit_error_clear();
    assert_null(virtkit_domain_lookup_by_name(c, "deaf"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "deaf");
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_save_restore),
        cmocka_unit_test(test_hotplug),
        cmocka_unit_test(test_crash_and_reconnect),
        cmocka_unit_test(test_lifecycle_actions),
        cmocka_unit_test(test_migration),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
