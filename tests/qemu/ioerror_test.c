/*
 * ioerror_test.c: a disk whose image cannot grow (a 2 MiB tmpfs in a mount
 * namespace of this test's own) makes qemu stop the guest on ENOSPC; the
 * plugin reports it as an I/O error event naming the disk and the reason,
 * and the domain as paused/ioerror. SKIP (77) without root or the guest.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"
#include "testutil.h"

static char *root;
static char uri[4200];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char io_alias[64], io_reason[128];
static int io_action = -1;
static bool suspended_ioerror;

static void on_io_error(virtkit_connect *c, virtkit_domain *d, const char *src, const char *alias,
                        int action, const char *reason, void *opaque)
{
    (void)c;
    (void)d;
    (void)src;
    (void)opaque;
    pthread_mutex_lock(&lock);
    snprintf(io_alias, sizeof(io_alias), "%s", alias ? alias : "");
    snprintf(io_reason, sizeof(io_reason), "%s", reason ? reason : "");
    io_action = action;
    pthread_mutex_unlock(&lock);
}

static void on_lifecycle(virtkit_connect *c, virtkit_domain *d, int event, int detail, void *op)
{
    (void)c;
    (void)d;
    (void)op;
    pthread_mutex_lock(&lock);
    if (event == VIRTKIT_EVENT_SUSPENDED && detail == VIRTKIT_EVENT_SUSPENDED_IOERROR)
        suspended_ioerror = true;
    pthread_mutex_unlock(&lock);
}

static int setup(void **state)
{
    (void)state;
    char why[512];
    if (geteuid() != 0) {
        fprintf(stderr, "SKIP: needs root for a mount namespace\n");
        exit(77);
    }
    if (!vkt_guest_dir(why, sizeof(why))) {
        fprintf(stderr, "SKIP: %s\n", why);
        exit(77);
    }
    /* Before any thread: qemu and we share the private mounts. */
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        fprintf(stderr, "SKIP: cannot create a mount namespace\n");
        exit(77);
    }
    root = vkt_tmpdir();
    chmod(root, 0755);
    snprintf(uri, sizeof(uri), "qemu:///embed?root=%s", root);
    vkt_run_event_loop_thread();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vkt_destroy_leftover(uri, "full");
    char small[4300];
    snprintf(small, sizeof(small), "%s/small", root);
    umount(small);
    vkt_tmpdir_cleanup(root);
    return 0;
}

static void test_enospc(void **state)
{
    (void)state;
    char small[4300], img[4400];
    snprintf(small, sizeof(small), "%s/small", root);
    assert_int_equal(mkdir(small, 0755), 0);
    assert_int_equal(mount("tmpfs", small, "tmpfs", 0, "size=2m,mode=0755"), 0);
    snprintf(img, sizeof(img), "%s/disk.img", small);
    int fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 64 << 20), 0); /* sparse: room for 2 MiB only */
    close(fd);

    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri, 0));
    VKT_OK(virtkit_connect_domain_event_register(c, NULL, VIRTKIT_DOMAIN_EVENT_ID_IO_ERROR,
                                                 VIRTKIT_EVENT_CALLBACK(on_io_error), NULL, NULL));
    VKT_OK(virtkit_connect_domain_event_register(c, NULL, VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE,
                                                 VIRTKIT_EVENT_CALLBACK(on_lifecycle), NULL,
                                                 NULL));
    char disk[4600];
    snprintf(disk, sizeof(disk),
             "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
             "<source file='%s'/><target dev='vda' bus='virtio'/></disk>\n", img);
    char *xml = vkt_guest_xml("full", "qemu", disk);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_create_xml(c, xml, 0));
    free(xml);
    vkt_console *con = VKT_NONNULL(vkt_console_open(d));
    assert_int_equal(vkt_console_wait(con, "VIRTKIT-GUEST-READY", 60000), 0);
    int rc;
    /* the guest stops in the middle: the command does not come back */
    char *out = vkt_console_run(con, "dd if=/dev/zero of=/dev/vda bs=1M count=16 oflag=direct",
                                3000, &rc);
    free(out);
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        pthread_mutex_lock(&lock);
        seen = io_action >= 0 && suspended_ioerror;
        pthread_mutex_unlock(&lock);
        if (!seen)
            usleep(100000);
    }
    assert_true(seen);
    print_message("I/O error event: alias '%s', action %d, reason '%s'\n", io_alias, io_action,
                  io_reason);
    assert_string_equal(io_alias, "virtio-disk0");
    assert_int_equal(io_action, 1); /* the guest was paused */
    assert_non_null(strstr(io_reason, "No space left"));
    int st = -1, reason = -1;
    VKT_OK(virtkit_domain_get_state(d, &st, &reason, 0));
    assert_int_equal(st, VIRTKIT_DOMAIN_PAUSED);
    assert_int_equal(reason, VIRTKIT_PAUSED_IOERROR);
    vkt_console_close(con);
    VKT_OK(virtkit_domain_destroy(d, 0));
    virtkit_domain_free(d);
    virtkit_connect_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enospc),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
