/*
 * rpctest.c: see rpctest.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "fileutil.h"
#include "rpctest.h"

static char *daemon_bin(void)
{
    const char *b = getenv("VIRTKIT_TEST_BUILDDIR");
    return vk_asprintf("%s/framework/daemon/virtkitd", b && *b ? b : ".");
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *const *saved_args[1];

static void spawn(vkt_daemon *d, const char *const *extra)
{
    VK_AUTOFREE(char *) bin = daemon_bin();
    const char *argv[32];
    size_t n = 0;
    argv[n++] = bin;
    argv[n++] = "--root";
    argv[n++] = d->root;
    argv[n++] = "--config";
    argv[n++] = d->conf;
    argv[n++] = "--verbose";
    for (size_t i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        /* A test that fails half-way must not leave a daemon behind. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        const char *nofile = getenv("VKT_DAEMON_NOFILE");
        if (nofile && *nofile) {
            struct rlimit rl = { (rlim_t)atoi(nofile), (rlim_t)atoi(nofile) };
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    assert_true(pid > 0);
    d->pid = pid;
    int64_t deadline = now_ms() + 10000;
    for (;;) {
        int fd = vkt_raw_connect(d->rw);
        if (fd >= 0) {
            close(fd);
            return;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            VK_AUTOFREE(char *) log = vkt_read_file(d->log);
            fail_msg("virtkitd exited during start: %s", log ? log : "(no log)");
        }
        if (now_ms() > deadline) {
            VK_AUTOFREE(char *) log = vkt_read_file(d->log);
            fail_msg("virtkitd did not answer within 10 s: %s", log ? log : "(no log)");
        }
        usleep(5000);
    }
}

vkt_daemon *vkt_daemon_start(const char *conf_text, const char *const *extra_args)
{
    vkt_daemon *d = vk_alloc(sizeof(*d));
    d->root = vkt_tmpdir();
    d->conf = vk_asprintf("%s/virtkitd.conf", d->root);
    d->log = vk_asprintf("%s/virtkitd.log", d->root);
    d->rw = vk_asprintf("%s/run/virtkit/virtkitd-sock", d->root);
    d->ro = vk_asprintf("%s/run/virtkit/virtkitd-sock-ro", d->root);
    d->uri = vk_asprintf("test+unix:///default?socket=%s", d->rw);
    d->uri_ro = vk_asprintf("test+unix:///default?socket=%s", d->ro);
    vkt_daemon_set_conf(d, conf_text);
    saved_args[0] = extra_args;
    spawn(d, extra_args);
    return d;
}

void vkt_daemon_restart(vkt_daemon *d)
{
    spawn(d, saved_args[0]);
}

void vkt_daemon_set_conf(vkt_daemon *d, const char *conf_text)
{
    const char *t = conf_text ? conf_text : "";
    assert_int_equal(vk_file_write_atomic(d->conf, t, strlen(t), 0600), 0);
}

void vkt_daemon_signal(vkt_daemon *d, int sig)
{
    if (d->pid > 0)
        kill(d->pid, sig);
}

int vkt_daemon_wait(vkt_daemon *d, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (d->pid > 0) {
        int st;
        if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
            d->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        if (now_ms() > deadline)
            return -1;
        usleep(5000);
    }
    return 0;
}

void vkt_daemon_free(vkt_daemon *d)
{
    if (!d)
        return;
    int status = 0;
    if (d->pid > 0) {
        vkt_daemon_signal(d, SIGTERM);
        status = vkt_daemon_wait(d, 10000);
        if (status < 0) {
            vkt_daemon_signal(d, SIGKILL);
            vkt_daemon_wait(d, 5000);
        }
    }
    /* A clean stop exits 0: anything else (a crash, a sanitizer's report
     * of an error or a leak at exit) fails the test, with the log. */
    if (status != 0) {
        VK_AUTOFREE(char *) log = vkt_read_file(d->log);
        size_t n = log ? strlen(log) : 0;
        print_error("virtkitd exited with status %d; end of its log:\n%s\n", status,
                    log ? log + (n > 4000 ? n - 4000 : 0) : "(none)");
        vkt_tmpdir_cleanup(d->root);
        d->root = NULL;
        fail();
    }
    vkt_tmpdir_cleanup(d->root);
    free(d->conf);
    free(d->log);
    free(d->rw);
    free(d->ro);
    free(d->uri);
    free(d->uri_ro);
    free(d);
}

bool vkt_daemon_log_has(vkt_daemon *d, const char *needle, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        VK_AUTOFREE(char *) log = vkt_read_file(d->log);
        if (log && strstr(log, needle))
            return true;
        if (now_ms() > deadline)
            return false;
        usleep(10000);
    }
}

long vkt_daemon_rss_kb(vkt_daemon *d)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)d->pid);
    VK_AUTOFREE(char *) s = vkt_read_file(path);
    const char *p = s ? strstr(s, "VmRSS:") : NULL;
    return p ? strtol(p + 6, NULL, 10) : -1;
}

/* ------------------------------------------------------------------ raw -- */

int vkt_raw_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void vkt_raw_write(int fd, const void *data, size_t n)
{
    assert_int_equal(vk_write_all(fd, data, n), (ssize_t)n);
}

void vkt_raw_send(int fd, uint32_t type, uint32_t proc, uint32_t serial, uint32_t status,
                  const ProtobufCMessage *body)
{
    vk_rpc_header h = { .type = (uint16_t)type, .proc = proc, .serial = serial, .status = status };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, body, &len);
    vkt_raw_write(fd, buf, len);
    free(buf);
}

static int read_exact(int fd, uint8_t *buf, size_t n, int64_t deadline)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int left = (int)(deadline - now_ms());
        if (left < 0 || poll(&p, 1, left) <= 0)
            return -1;
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return 1;
}

int vkt_raw_recv(int fd, vk_rpc_header *h, uint8_t **body, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t hb[VK_RPC_HEADER_SIZE];
    int r = read_exact(fd, hb, sizeof(hb), deadline);
    if (r <= 0)
        return r;
    if (vk_rpc_header_decode(hb, VK_RPC_MAX_MAX_MESSAGE, h) < 0)
        fail_msg("daemon sent a bad header: %s", vk_error_message());
    size_t n = h->len - VK_RPC_HEADER_SIZE;
    *body = vk_alloc(n + 1);
    if (n && read_exact(fd, *body, n, deadline) <= 0) {
        free(*body);
        *body = NULL;
        return 0;
    }
    return 1;
}

uint32_t vkt_raw_reply(int fd, uint32_t serial, int *code, char **msg)
{
    for (;;) {
        vk_rpc_header h;
        uint8_t *body = NULL;
        int r = vkt_raw_recv(fd, &h, &body, 10000);
        if (r <= 0)
            fail_msg("no reply to serial %u (%s)", serial, r == 0 ? "hung up" : "timeout");
        if (h.type != VK_RPC_REPLY || h.serial != serial) {
            free(body);
            continue;
        }
        if (code)
            *code = 0;
        if (msg)
            *msg = NULL;
        if (h.status == VK_RPC_ERROR) {
            VK_ARENA_STACK(a, 1024);
            VkError *e = (VkError *)vk_rpc_unpack(&vk_error__descriptor, body,
                                                  h.len - VK_RPC_HEADER_SIZE, &a, "error");
            assert_non_null(e);
            if (code)
                *code = e->code;
            if (msg)
                *msg = vk_strdup(e->message);
        }
        free(body);
        return h.status;
    }
}

uint32_t vkt_raw_open(int fd, const char *uri)
{
    VkOpenArgs a = VK_OPEN_ARGS__INIT;
    a.uri = (char *)uri;
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_connect_open, 1, VK_RPC_OK, &a.base);
    return vkt_raw_reply(fd, 1, NULL, NULL);
}

bool vkt_raw_closed(int fd, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    char buf[4096];
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int left = (int)(deadline - now_ms());
        if (left < 0 || poll(&p, 1, left) <= 0)
            return false;
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r == 0 || (r < 0 && errno == ECONNRESET))
            return true;
    }
}
