/*
 * common_test.c: contracts of plugins/common, the helpers in-tree plugins
 * share: the save image format (round trip, and refusal of truncated,
 * corrupt, foreign and interrupted images), process spawning (kept fds,
 * failures named by step and path, access checks as the target user),
 * JSON path getters, UNIX sockets on paths longer than sun_path, /proc
 * readers and cgroup directories.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "vkc.h"
#include "vkc_cgroup.h"
#include "vkc_file.h"
#include "vkc_json.h"
#include "vkc_proc.h"
#include "vkc_saveimg.h"

extern const vkp_host vk_host_table;

static char *tmp;

static int setup(void **state)
{
    (void)state;
    vkc_init(&vk_host_table, "test");
    tmp = vkt_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vkt_tmpdir_cleanup(tmp);
    return 0;
}

/* ---------------------------------------------------------- save image -- */

#define STATE_LEN (3u << 20)

static unsigned char *make_state(void)
{
    unsigned char *s = malloc(STATE_LEN);
    unsigned int x = 12345;
    for (size_t i = 0; i < STATE_LEN; i++) {
        /* half pseudo-random, half zero pages: like guest memory */
        x = x * 1103515245u + 12345u;
        s[i] = (i / 4096) % 2 ? 0 : (unsigned char)(x >> 16);
    }
    return s;
}

typedef struct {
    int fd;
    const unsigned char *data;
    size_t len;
} feeder;

static void *feed(void *p)
{
    feeder *f = p;
    vkc_write_all(f->fd, f->data, f->len);
    close(f->fd);
    return NULL;
}

typedef struct {
    int fd;
    unsigned char *buf;
    size_t len;
} drainer;

static void *drain(void *p)
{
    drainer *d = p;
    d->len = 0;
    ssize_t n;
    while ((n = read(d->fd, d->buf + d->len, STATE_LEN + 4096 - d->len)) > 0)
        d->len += (size_t)n;
    close(d->fd);
    return NULL;
}

static char *write_image(const char *name, const unsigned char *state)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", tmp, name) > 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    feeder f = { p[1], state, STATE_LEN };
    pthread_t t;
    pthread_create(&t, NULL, feed, &f);
    VKT_OK(vkc_saveimg_write(path, "<domain type='qemu'><name>x</name></domain>",
                             VKC_SAVEIMG_RUNNING, p[0], NULL));
    pthread_join(t, NULL);
    close(p[0]);
    return path;
}

static void test_saveimg_roundtrip(void **state)
{
    (void)state;
    unsigned char *data = make_state();
    char *path = write_image("ok.img", data);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < STATE_LEN); /* zero pages compress */
    vkc_saveimg_info info;
    VKT_OK(vkc_saveimg_check(path, &info));
    assert_string_equal(info.xml, "<domain type='qemu'><name>x</name></domain>");
    assert_true(info.flags & VKC_SAVEIMG_RUNNING);
    assert_int_equal(info.raw_len, STATE_LEN);
    vkc_saveimg_info_clear(&info);

    int p[2];
    assert_int_equal(pipe(p), 0);
    drainer d = { p[0], malloc(STATE_LEN + 4096), 0 };
    pthread_t t;
    pthread_create(&t, NULL, drain, &d);
    VKT_OK(vkc_saveimg_restore(path, p[1], NULL));
    close(p[1]);
    pthread_join(t, NULL);
    assert_int_equal(d.len, STATE_LEN);
    assert_memory_equal(d.buf, data, STATE_LEN);
    free(d.buf);
    free(data);
    free(path);
}

/* Damage a copy of a good image with fn, then expect check to refuse it
 * with VIRTKIT_ERR_SAVE_IMAGE and a message containing `needle`. */
static void expect_refused(const char *name, void (*damage)(const char *path),
                           const char *needle)
{
    unsigned char *data = make_state();
    char *path = write_image(name, data);
    free(data);
    damage(path);
    vkc_saveimg_info info;
    virtkit_error_clear();
    assert_int_equal(vkc_saveimg_check(path, &info), -1);
    VKT_ERROR(VIRTKIT_ERR_SAVE_IMAGE, needle);
    /* restore refuses the same image before writing anything */
    int fd = open("/dev/null", O_WRONLY);
    if (strcmp(needle, "checksum mismatch") != 0 || strstr(name, "hdr")) {
        assert_int_equal(vkc_saveimg_restore(path, fd, NULL), -1);
    }
    close(fd);
    free(path);
}

static void truncate_tail(const char *path)
{
    struct stat st;
    stat(path, &st);
    assert_int_equal(truncate(path, st.st_size - 100), 0);
}

static void flip_data_byte(const char *path)
{
    int fd = open(path, O_RDWR);
    struct stat st;
    fstat(fd, &st);
    unsigned char c;
    off_t at = st.st_size - 1000;
    assert_int_equal(pread(fd, &c, 1, at), 1);
    c ^= 0x55;
    assert_int_equal(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

static void flip_header_byte(const char *path)
{
    int fd = open(path, O_RDWR);
    unsigned char c = 0xff;
    assert_int_equal(pwrite(fd, &c, 1, 44), 1);
    close(fd);
}

static void overwrite_magic(const char *path)
{
    int fd = open(path, O_RDWR);
    assert_int_equal(pwrite(fd, "NotAnImageAtAll!", 16, 0), 16);
    close(fd);
}

static void truncate_header(const char *path)
{
    assert_int_equal(truncate(path, 20), 0);
}

static void test_saveimg_truncated(void **state)
{
    (void)state;
    expect_refused("trunc.img", truncate_tail, "truncated");
    expect_refused("trunc-hdr.img", truncate_header, "shorter than its header");
}

static void test_saveimg_corrupt(void **state)
{
    (void)state;
    expect_refused("corrupt-data.img", flip_data_byte, "checksum mismatch");
    expect_refused("corrupt-hdr.img", flip_header_byte, "corrupt header");
    expect_refused("magic.img", overwrite_magic, "bad magic");
}

static void test_saveimg_interrupted(void **state)
{
    (void)state;
    char *path = NULL;
    assert_true(asprintf(&path, "%s/cancel.img", tmp) > 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "some state", 10), 10);
    volatile int cancel = 1;
    virtkit_error_clear();
    assert_int_equal(vkc_saveimg_write(path, "<domain/>", 0, p[0], &cancel), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "cancelled");
    /* no half-written image is left behind */
    assert_false(vkc_file_exists(path));
    close(p[0]);
    close(p[1]);
    free(path);
}

/* ---------------------------------------------------------------- spawn -- */

static void test_spawn_keeps_fds(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    int out = fcntl(p[1], F_DUPFD_CLOEXEC, 9);
    close(p[1]);
    char arg[64];
    snprintf(arg, sizeof(arg), "echo kept >&%d; ls /proc/self/fd | wc -l", out);
    char *const argv[] = { "/bin/sh", "-c", arg, NULL };
    int keep[] = { out };
    int lp[2];
    assert_int_equal(pipe2(lp, O_CLOEXEC), 0);
    vkc_spawn sp = { .argv = argv, .stdin_fd = -1, .stdout_fd = lp[1], .keep_fds = keep,
                     .nkeep = 1 };
    pid_t pid;
    VKT_OK(vkc_spawn_run(&sp, &pid));
    close(out);
    close(lp[1]);
    char buf[64] = { 0 };
    assert_true(read(p[0], buf, sizeof(buf) - 1) > 0);
    assert_string_equal(buf, "kept\n");
    char cnt[32] = { 0 };
    assert_true(read(lp[0], cnt, sizeof(cnt) - 1) > 0);
    /* 0, 1, 2, the kept fd and ls's own directory fd: nothing leaked */
    assert_int_equal(atoi(cnt), 5);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(p[0]);
    close(lp[0]);
}

static void test_spawn_missing_program(void **state)
{
    (void)state;
    char *const argv[] = { "/nonexistent/qemu-system-x86_64", NULL };
    vkc_spawn sp = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1 };
    pid_t pid;
    virtkit_error_clear();
    assert_int_equal(vkc_spawn_run(&sp, &pid), -1);
    VKT_ERROR(VIRTKIT_ERR_SYSTEM, "cannot run /nonexistent/qemu-system-x86_64");
}

static void test_spawn_access_check(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        print_message("skipped: needs root to switch users\n");
        return;
    }
    /* a file in a 0700 directory: root reads it, nobody cannot */
    char *dir = NULL, *file = NULL;
    assert_true(asprintf(&dir, "%s/private", tmp) > 0);
    assert_true(asprintf(&file, "%s/kernel", dir) > 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    close(open(file, O_WRONLY | O_CREAT, 0644));
    uid_t uid;
    gid_t gid;
    VKT_OK(vkc_lookup_user("nobody", &uid, &gid));
    char *const argv[] = { "/bin/true", NULL };
    vkc_access acc[] = { { file, R_OK, "kernel" } };
    vkc_spawn sp = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .set_ids = true,
                     .uid = uid, .gid = gid, .groups = &gid, .ngroups = 1,
                     .user_name = "nobody", .checks = acc, .nchecks = 1 };
    pid_t pid;
    virtkit_error_clear();
    assert_int_equal(vkc_spawn_run(&sp, &pid), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "kernel");
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "user nobody");
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "no read access");
    /* once reachable, the same spawn runs */
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(chmod(tmp, 0755), 0);
    VKT_OK(vkc_spawn_run(&sp, &pid));
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    free(dir);
    free(file);
}

static void test_pidfd_and_proc(void **state)
{
    (void)state;
    char *const argv[] = { "/bin/sleep", "30", NULL };
    vkc_spawn sp = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1 };
    pid_t pid;
    VKT_OK(vkc_spawn_run(&sp, &pid));
    int pfd = vkc_pidfd_open(pid);
    assert_true(pfd >= 0);
    assert_true(vkc_proc_starttime(pid) > 0);
    assert_int_equal(vkc_pidfd_wait(pfd, 50), 0);
    assert_int_equal(vkc_reap(pid, NULL), 0);
    char *what = vkc_proc_describe(pid);
    assert_non_null(strstr(what, "state S, cpu "));
    free(what);
    kill(pid, SIGKILL);
    assert_int_equal(vkc_pidfd_wait(pfd, 5000), 1);
    int st = 0;
    assert_int_equal(vkc_reap(pid, &st), 1);
    assert_true(WIFSIGNALED(st));
    assert_non_null(strstr(vkc_wait_status_str(st), "signal 9"));
    assert_int_equal(vkc_proc_starttime(pid), 0);
    what = vkc_proc_describe(pid);
    assert_string_equal(what, "gone");
    free(what);
    close(pfd);
    assert_true(vkc_proc_cpu_ns(getpid(), NULL, 0) >= 0);
    assert_true(vkc_proc_rss_kib(getpid()) > 0);
}

/* ----------------------------------------------------------------- JSON -- */

static void test_json(void **state)
{
    (void)state;
    const char *text = "{\"return\": {\"status\": \"running\", \"list\": [{\"n\": 7}, "
                       "{\"n\": \"42\"}], \"ok\": true}}";
    json_object *o = vkc_json_parse(text, strlen(text), "reply");
    assert_non_null(o);
    assert_string_equal(vkc_json_str(o, "return.status"), "running");
    int64_t v = 0;
    assert_int_equal(vkc_json_i64(o, "return.list.0.n", &v), 1);
    assert_int_equal(v, 7);
    assert_int_equal(vkc_json_i64(o, "return.list.1.n", &v), 1);
    assert_int_equal(v, 42);
    assert_int_equal(vkc_json_i64(o, "return.list.2.n", &v), 0);
    assert_null(vkc_json_str(o, "return.missing"));
    assert_int_equal(vkc_json_bool(o, "return.ok", 0), 1);
    json_object_put(o);
    virtkit_error_clear();
    assert_null(vkc_json_parse("{\"a\": 1} trailing", 17, "reply"));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "trailing data");
    assert_null(vkc_json_parse("{\"a\":", 5, "status file"));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "status file is not valid JSON");
    json_object *b = vkc_json_obj("a", VKC_JS("x"), "skip", NULL, "n", VKC_JI(3), NULL);
    char *t = vkc_json_text(b);
    assert_string_equal(t, "{\"a\":\"x\",\"n\":3}");
    free(t);
    json_object_put(b);
}

/* -------------------------------------------------------------- sockets -- */

static void test_unix_long_path(void **state)
{
    (void)state;
    char *dir = NULL;
    assert_true(asprintf(&dir, "%s/%s", tmp,
                         "a-directory-name-long-enough-to-push-the-socket-path-past-the-"
                         "108-bytes-of-sun_path") > 0);
    VKT_OK(vkc_mkdir_p(dir, 0700));
    char *path = NULL;
    assert_true(asprintf(&path, "%s/monitor.sock", dir) > 0);
    assert_true(strlen(path) > 108);
    int l = vkc_unix_listen(path, 1);
    assert_true(l >= 0);
    int c = vkc_unix_connect(path);
    assert_true(c >= 0);
    close(c);
    close(l);
    unlink(path);
    virtkit_error_clear();
    assert_int_equal(vkc_unix_connect(path), -1);
    VKT_ERROR(VIRTKIT_ERR_SYSTEM, "monitor.sock");
    free(path);
    free(dir);
}

/* --------------------------------------------------------------- cgroup -- */

static void test_cgroup_fake_tree(void **state)
{
    (void)state;
    /* a hybrid-looking tree: v1 controller directories */
    char *base = NULL;
    assert_true(asprintf(&base, "%s/cgroupfs", tmp) > 0);
    const char *ctl[] = { "cpu", "memory", "pids" };
    for (size_t i = 0; i < 3; i++) {
        char *d = NULL;
        assert_true(asprintf(&d, "%s/%s", base, ctl[i]) > 0);
        VKT_OK(vkc_mkdir_p(d, 0755));
        free(d);
    }
    vkc_cgroup_set_base(base);
    vkc_cgroup *cg = vkc_cgroup_create("qemu-test-web1");
    assert_non_null(cg);
    char *const *procs = vkc_cgroup_procs_files(cg);
    size_t n = 0;
    while (procs[n])
        n++;
    assert_int_equal(n, 3);
    assert_non_null(strstr(vkc_cgroup_describe(cg), "/memory/virtkit/qemu-test-web1"));
    vkc_cgroup *again = vkc_cgroup_open("qemu-test-web1");
    assert_non_null(again);
    vkc_cgroup_free(again);
    /* a knob goes where its v1 name exists; one nobody offers is an error */
    char *shares = NULL;
    assert_true(asprintf(&shares, "%s/cpu/virtkit/qemu-test-web1/cpu.shares", base) > 0);
    close(open(shares, O_WRONLY | O_CREAT, 0644));
    VKT_OK(vkc_cgroup_set_knob(cg, "cpu.weight", "79", "cpu.shares", "2048"));
    char *got = vkt_read_file(shares);
    assert_string_equal(got, "2048");
    free(got);
    unlink(shares);
    free(shares);
    assert_int_equal(vkc_cgroup_set_knob(cg, "cpu.max", "max", "cpu.cfs_quota_us", "-1"), -1);
    VKT_ERROR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "offers cpu.max or cpu.cfs_quota_us");
    VKT_OK(vkc_cgroup_remove(cg));
    vkc_cgroup_free(cg);
    assert_null(vkc_cgroup_open("qemu-test-web1"));
    /* nothing writable at all */
    char *empty = NULL;
    assert_true(asprintf(&empty, "%s/nocgroup", tmp) > 0);
    VKT_OK(vkc_mkdir_p(empty, 0755));
    vkc_cgroup_set_base(empty);
    virtkit_error_clear();
    assert_null(vkc_cgroup_create("x"));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, "no writable cgroup hierarchy");
    vkc_cgroup_set_base(NULL);
    free(base);
    free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_saveimg_roundtrip),
        cmocka_unit_test(test_saveimg_truncated),
        cmocka_unit_test(test_saveimg_corrupt),
        cmocka_unit_test(test_saveimg_interrupted),
        cmocka_unit_test(test_spawn_keeps_fds),
        cmocka_unit_test(test_spawn_missing_program),
        cmocka_unit_test(test_spawn_access_check),
        cmocka_unit_test(test_pidfd_and_proc),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_unix_long_path),
        cmocka_unit_test(test_cgroup_fake_tree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
