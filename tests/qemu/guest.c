/*
 * guest.c: see guest.h.
 *
 * The console protocol follows TESTBED.md: send `echo "__B""EG<n>__"; CMD;
 * echo "__E""ND<n>__ rc=$?"` and read until `__END<n>__ rc=N`; the split
 * quotes keep the terminal's echo of the command line from matching.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

long long vkt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *event_loop_main(void *arg)
{
    (void)arg;
    for (;;)
        virtkit_event_run_default_impl();
    return NULL;
}

void vkt_run_event_loop_thread(void)
{
    virtkit_event_register_default_impl();
    pthread_t t;
    pthread_create(&t, NULL, event_loop_main, NULL);
    pthread_detach(t);
}

void vkt_destroy_leftover(const char *uri, const char *name)
{
    virtkit_connect *c = virtkit_connect_open(uri, 0);
    virtkit_domain *d = c ? virtkit_domain_lookup_by_name(c, name) : NULL;
    if (d) {
        virtkit_domain_destroy(d, 0);
        virtkit_domain_free(d);
    }
    if (c)
        virtkit_connect_close(c);
}

const char *vkt_guest_dir(char *why, size_t len)
{
    static char dir[4096];
    if (access("/usr/bin/qemu-system-x86_64", X_OK) != 0) {
        snprintf(why, len, "qemu-system-x86_64 is not installed");
        return NULL;
    }
    const char *env = getenv("VIRTKIT_GUEST_DIR");
    const char *build = getenv("VIRTKIT_TEST_BUILDDIR");
    const char *src = getenv("VIRTKIT_TEST_SRCDIR");
    if (env && *env)
        snprintf(dir, sizeof(dir), "%s", env);
    else
        snprintf(dir, sizeof(dir), "%s/tests/guest-cache", build && *build ? build : ".");
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "sh '%s/guest/build-guest.sh' '%s' >/dev/null 2>&1",
             src && *src ? src : "tests", dir);
    if (system(cmd) != 0) {
        snprintf(why, len, "tests/guest/build-guest.sh could not build the guest in %s (is "
                 "apt-get able to download linux-image-amd64?)", dir);
        return NULL;
    }
    /* qemu runs as an unprivileged user: it must read the guest. */
    chmod(dir, 0755);
    return dir;
}

char *vkt_guest_xml(const char *name, const char *type, const char *extra_devices)
{
    char why[256];
    const char *dir = vkt_guest_dir(why, sizeof(why));
    char *xml = NULL;
    if (asprintf(&xml,
                 "<domain type='%s'>\n"
                 "  <name>%s</name>\n"
                 "  <memory unit='MiB'>256</memory>\n"
                 "  <vcpu>1</vcpu>\n"
                 "  <os>\n"
                 "    <type arch='x86_64' machine='q35'>hvm</type>\n"
                 "    <kernel>%s/vmlinuz</kernel>\n"
                 "    <initrd>%s/initrd.gz</initrd>\n"
                 "    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>\n"
                 "  </os>\n"
                 "  <features><acpi/></features>\n"
                 "  <devices>\n"
                 "    <serial type='pty'/>\n"
                 "    <console type='pty'/>\n"
                 "    <controller type='usb' model='none'/>\n"
                 "%s"
                 "  </devices>\n"
                 "</domain>\n",
                 type ? type : "qemu", name, dir ? dir : "/missing", dir ? dir : "/missing",
                 extra_devices ? extra_devices : "") < 0)
        return NULL;
    return xml;
}

struct vkt_console {
    virtkit_stream *st;
    char *buf;
    size_t len, cap;
    size_t consumed;    /* output before this offset was matched already */
    int seq;
};

vkt_console *vkt_console_open(virtkit_domain *dom)
{
    virtkit_connect *conn = virtkit_domain_get_connect(dom);
    virtkit_stream *st = virtkit_stream_new(conn, VIRTKIT_STREAM_NONBLOCK);
    if (!st)
        return NULL;
    if (virtkit_domain_open_console(dom, NULL, st, 0) < 0) {
        virtkit_stream_free(st);
        return NULL;
    }
    vkt_console *c = calloc(1, sizeof(*c));
    c->st = st;
    c->cap = 65536;
    c->buf = calloc(1, c->cap);
    return c;
}

void vkt_console_close(vkt_console *c)
{
    if (!c)
        return;
    virtkit_stream_abort(c->st);
    virtkit_stream_free(c->st);
    free(c->buf);
    free(c);
}

const char *vkt_console_log(vkt_console *c)
{
    return c ? c->buf : "";
}

/* Read what is there; false on a stream error. */
static bool pump(vkt_console *c)
{
    for (;;) {
        if (c->len + 4096 >= c->cap) {
            c->cap *= 2;
            c->buf = realloc(c->buf, c->cap);
        }
        int n = virtkit_stream_recv(c->st, c->buf + c->len, c->cap - c->len - 1);
        if (n > 0) {
            c->len += (size_t)n;
            c->buf[c->len] = 0;
            continue;
        }
        return n == -2;
    }
}

int vkt_console_wait(vkt_console *c, const char *needle, int timeout_ms)
{
    long long end = vkt_now_ms() + timeout_ms;
    for (;;) {
        if (!pump(c))
            return -1;
        char *hit = strstr(c->buf + c->consumed, needle);
        if (hit) {
            c->consumed = (size_t)(hit - c->buf) + strlen(needle);
            return 0;
        }
        if (vkt_now_ms() > end)
            return -1;
        usleep(20000);
    }
}

char *vkt_console_run(vkt_console *c, const char *cmd, int timeout_ms, int *rc)
{
    /* Output sits between a begin and an end marker the guest prints. The
     * split quotes keep the echo of the typed line (which a line editor
     * may wrap and redraw) from ever matching them. */
    char line[4096], begin[64], marker[64];
    int n = ++c->seq;
    snprintf(line, sizeof(line), "echo \"__B\"\"EG%d__\"; %s; echo \"__E\"\"ND%d__ rc=$?\"\n", n,
             cmd, n);
    snprintf(begin, sizeof(begin), "__BEG%d__", n);
    snprintf(marker, sizeof(marker), "__END%d__ rc=", n);
    pump(c);
    size_t start = c->len;
    size_t off = 0, l = strlen(line);
    long long end = vkt_now_ms() + timeout_ms;
    while (off < l) {
        int w = virtkit_stream_send(c->st, line + off, l - off);
        if (w > 0)
            off += (size_t)w;
        else if (w == -2 && vkt_now_ms() < end)
            usleep(10000);
        else
            return NULL;
    }
    c->consumed = start;
    if (vkt_console_wait(c, marker, timeout_ms) < 0)
        return NULL;
    char *m = c->buf + c->consumed - strlen(marker);
    *rc = atoi(c->buf + c->consumed);
    char *from = strstr(c->buf + start, begin);
    from = from && from < m ? strchr(from, '\n') : NULL;
    from = from && from < m ? from + 1 : m;
    char *out = strndup(from, (size_t)(m - from));
    /* drop the rest of the marker line */
    char *nl = strchr(c->buf + c->consumed, '\n');
    if (nl)
        c->consumed = (size_t)(nl - c->buf) + 1;
    return out;
}
