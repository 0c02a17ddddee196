/*
 * bench_qemu.c: the real-qemu workloads of the reference benchmark
 * (../shared/bench/libvirt-baseline/README.md, group g):
 *
 *   qemu_start_ms      create the reference's transient domain (q35,
 *                      64 MiB, 1 vcpu, no disk, serial null, no USB, no
 *                      balloon) through qemu:///embed until it is running
 *   qemu_destroy_ms    destroy it until its process is gone (reaped)
 *   bare_qemu_start_ms the same qemu started by hand until QMP says
 *                      "running", and bare_qemu_kill_ms: SIGTERM until
 *                      reaped, measured as the reference measures them
 *
 * Medians of o->qemu_iters runs after one warm-up. type='kvm' when
 * /dev/kvm opens, as the reference does (the guest never runs code here,
 * so a KVM that cannot boot ordinary guests still measures the same
 * path), else 'qemu'.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <virtkit/virtkit.h>

#include "bench.h"

#define TIMEOUT_NS 30000000000LL

static bool kvm_opens(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static void dom_xml(char *buf, size_t len, const char *name, const char *type, const char *qemu)
{
    snprintf(buf, len,
             "<domain type='%s'>\n"
             "  <name>%s</name>\n"
             "  <memory unit='MiB'>64</memory>\n"
             "  <vcpu>1</vcpu>\n"
             "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
             "  <features><acpi/></features>\n"
             "  <devices>\n"
             "    <emulator>%s</emulator>\n"
             "    <controller type='usb' model='none'/>\n"
             "    <serial type='null'/>\n"
             "    <memballoon model='none'/>\n"
             "  </devices>\n"
             "</domain>\n",
             type, name, qemu);
}

static void print_samples(const char *name, const double *v, int n)
{
    printf("# %s samples:", name);
    for (int i = 0; i < n; i++)
        printf(" %.1f", v[i]);
    printf("\n");
}

/* ----------------------------------------------------- through virtkit -- */

static int virtkit_runs(const bench_opts *o, const char *type, double *start, double *destroy)
{
    char root[4096], uri[4200];
    snprintf(root, sizeof(root), "%s/qemu-root", o->workdir);
    mkdir(root, 0755);
    chmod(root, 0755);
    snprintf(uri, sizeof(uri), "qemu:///embed?root=%s", root);
    /* type='kvm' runs on KVM even where KVM cannot boot guests (the
     * plugin's default there is TCG): the reference measures -accel kvm. */
    char conf[4300];
    snprintf(conf, sizeof(conf), "%s/etc", root);
    mkdir(conf, 0755);
    snprintf(conf, sizeof(conf), "%s/etc/virtkit", root);
    mkdir(conf, 0755);
    snprintf(conf, sizeof(conf), "%s/etc/virtkit/qemu.conf", root);
    FILE *cf = fopen(conf, "we");
    if (cf) {
        fputs("unusable_kvm = \"kvm\";\n", cf);
        fclose(cf);
    }
    virtkit_connect *c = virtkit_connect_open(uri, 0);
    if (!c) {
        const virtkit_error *e = virtkit_error_last();
        char why[8400];
        snprintf(why, sizeof(why), "cannot open %s: %.4000s", uri, e ? e->message : "?");
        bench_not_measured("qemu_start_ms", why);
        bench_not_measured("qemu_destroy_ms", why);
        return -1;
    }
    int ok = 0;
    for (int i = -1; i < o->qemu_iters; i++) {
        char name[64], xml[2048];
        snprintf(name, sizeof(name), "bench-%s-%d", type, i < 0 ? 99 : i);
        dom_xml(xml, sizeof(xml), name, type, o->qemu);
        int64_t t0 = bench_now_ns();
        virtkit_domain *d = virtkit_domain_create_xml(c, xml, 0);
        if (!d) {
            const virtkit_error *e = virtkit_error_last();
            fprintf(stderr, "create_xml failed: %s\n", e ? e->message : "?");
            break;
        }
        int st = 0;
        while (virtkit_domain_get_state(d, &st, NULL, 0) >= 0 && st != VIRTKIT_DOMAIN_RUNNING &&
               bench_now_ns() - t0 < TIMEOUT_NS)
            ;
        int64_t t1 = bench_now_ns();
        if (virtkit_domain_destroy(d, 0) < 0) {
            const virtkit_error *e = virtkit_error_last();
            fprintf(stderr, "destroy failed: %s\n", e ? e->message : "?");
        }
        int64_t t2 = bench_now_ns();
        virtkit_domain_free(d);
        if (st != VIRTKIT_DOMAIN_RUNNING) {
            fprintf(stderr, "domain %s never reached running\n", name);
            continue;
        }
        if (i < 0) {
            printf("# virtkit qemu warm-up: start %.1f ms, destroy %.1f ms (not counted)\n",
                   (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            continue;
        }
        start[ok] = (t1 - t0) / 1e6;
        destroy[ok] = (t2 - t1) / 1e6;
        ok++;
    }
    virtkit_connect_close(c);
    return ok;
}

/* ------------------------------------------------------------ by hand -- */

typedef struct {
    char buf[65536];
    size_t len;
} linebuf;

/* One line from fd within the deadline; -1 on EOF, error or timeout. */
static int read_line(int fd, linebuf *lb, char *out, size_t outlen, int64_t deadline)
{
    for (;;) {
        char *nl = memchr(lb->buf, '\n', lb->len);
        if (nl) {
            size_t l = (size_t)(nl - lb->buf);
            size_t c = l < outlen - 1 ? l : outlen - 1;
            memcpy(out, lb->buf, c);
            out[c] = 0;
            memmove(lb->buf, nl + 1, lb->len - l - 1);
            lb->len -= l + 1;
            return 0;
        }
        int left = (int)((deadline - bench_now_ns()) / 1000000);
        if (left <= 0)
            return -1;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, left) <= 0)
            return -1;
        ssize_t n = read(fd, lb->buf + lb->len, sizeof(lb->buf) - lb->len - 1);
        if (n <= 0)
            return -1;
        lb->len += (size_t)n;
    }
}

/* Send cmd and read lines until its reply (events are skipped). */
static int qmp(int fd, linebuf *lb, const char *cmd, char *reply, size_t len, int64_t deadline)
{
    if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
        return -1;
    for (;;) {
        if (read_line(fd, lb, reply, len, deadline) < 0)
            return -1;
        if (strstr(reply, "\"return\"") || strstr(reply, "\"error\""))
            return 0;
    }
}

/* The reference's bare run: its argv (libvirt's, minus -S and the secret
 * object, monitor on -qmp), fork -> query-status says running, then
 * SIGTERM -> reaped. Returns the start latency in ms, -1 on failure. */
static double bare_once(const bench_opts *o, int iter, bool kvm, double *kill_ms)
{
    char sock[4096], logp[4096], name[64], qmparg[4200];
    snprintf(sock, sizeof(sock), "%s/bare-qmp.sock", o->workdir);
    snprintf(logp, sizeof(logp), "%s/bare-qemu.log", o->workdir);
    snprintf(name, sizeof(name), "guest=bare-%d,debug-threads=on", iter);
    snprintf(qmparg, sizeof(qmparg), "unix:%s,server=on,wait=off", sock);
    unlink(sock);
    char *argv[] = {
        (char *)o->qemu, "-name", name,
        "-machine", "pc-q35-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram",
        "-accel", kvm ? "kvm" : "tcg", "-cpu", "qemu64", "-m", "64",
        "-object", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"pc.ram\",\"size\":67108864}",
        "-overcommit", "mem-lock=off", "-smp", "1,sockets=1,cores=1,threads=1",
        "-display", "none", "-no-user-config", "-nodefaults", "-qmp", qmparg,
        "-rtc", "base=utc", "-no-shutdown", "-boot", "strict=on",
        "-chardev", "null,id=charserial0",
        "-device", "{\"driver\":\"isa-serial\",\"chardev\":\"charserial0\",\"id\":\"serial0\","
                   "\"index\":0}",
        "-audiodev", "{\"id\":\"audio1\",\"driver\":\"none\"}",
        "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
        "-msg", "timestamp=on", NULL
    };
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(sock) >= sizeof(sa.sun_path))
        return -1;
    memcpy(sa.sun_path, sock, strlen(sock) + 1);
    int64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        int log = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (nul >= 0)
            dup2(nul, 0);
        if (log >= 0) {
            dup2(log, 1);
            dup2(log, 2);
        }
        execv(o->qemu, argv);
        _exit(127);
    }
    int fd = -1;
    while (bench_now_ns() - t0 < TIMEOUT_NS / 3) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            break;
        close(fd);
        fd = -1;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        struct timespec ts = { 0, 200000 };
        nanosleep(&ts, NULL);
    }
    double ret = -1;
    linebuf *lb = calloc(1, sizeof(*lb));
    char line[65536];
    int64_t deadline = t0 + TIMEOUT_NS / 3;
    if (fd >= 0 && read_line(fd, lb, line, sizeof(line), deadline) == 0 &&
        qmp(fd, lb, "{\"execute\":\"qmp_capabilities\"}\n", line, sizeof(line), deadline) == 0) {
        for (;;) {
            if (qmp(fd, lb, "{\"execute\":\"query-status\"}\n", line, sizeof(line), deadline) < 0)
                break;
            if (strstr(line, "\"status\": \"running\"") || strstr(line, "\"status\":\"running\"")) {
                ret = (bench_now_ns() - t0) / 1e6;
                break;
            }
        }
    }
    free(lb);
    int64_t k0 = bench_now_ns();
    kill(pid, SIGTERM);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    *kill_ms = (bench_now_ns() - k0) / 1e6;
    if (fd >= 0)
        close(fd);
    unlink(sock);
    return ret;
}

/* ----------------------------------------------------------------- run -- */

void bench_qemu_run(const bench_opts *o)
{
    if (access(o->qemu, X_OK) != 0) {
        char why[4200];
        snprintf(why, sizeof(why), "%s is not installed", o->qemu);
        bench_not_measured("qemu_start_ms", why);
        bench_not_measured("qemu_destroy_ms", why);
        bench_not_measured("bare_qemu_start_ms", why);
        return;
    }
    bool kvm = kvm_opens();
    const char *type = kvm ? "kvm" : "qemu";
    printf("# qemu domains use type='%s' (%s)\n", type,
           kvm ? "/dev/kvm opens, as in the reference" : "no /dev/kvm: TCG");
    int n = o->qemu_iters > 0 ? o->qemu_iters : 1;
    double *vs = calloc((size_t)n, sizeof(double)), *vd = calloc((size_t)n, sizeof(double));
    double *bs = calloc((size_t)n, sizeof(double)), *bk = calloc((size_t)n, sizeof(double));
    double start = -1, destroy = -1, bstart = -1, bkill = -1;
    if (bench_wanted(o, "qemu_start_ms") || bench_wanted(o, "qemu_destroy_ms")) {
        int ok = virtkit_runs(o, type, vs, vd);
        if (ok > 0) {
            print_samples("qemu_start_ms", vs, ok);
            print_samples("qemu_destroy_ms", vd, ok);
            start = bench_median(vs, ok);
            destroy = bench_median(vd, ok);
            bench_emit("qemu_start_ms", start, "ms", 1);
            bench_emit("qemu_destroy_ms", destroy, "ms", 1);
        } else if (ok == 0) {
            bench_not_measured("qemu_start_ms", "no domain started (see stderr)");
            bench_not_measured("qemu_destroy_ms", "no domain started");
        }
    }
    if (bench_wanted(o, "bare_qemu")) {
        int ok = 0;
        for (int i = -1; i < n; i++) {
            double k = -1;
            double s = bare_once(o, i, kvm, &k);
            if (s < 0) {
                fprintf(stderr, "bare qemu iteration %d failed\n", i);
                continue;
            }
            if (i < 0) {
                printf("# bare qemu warm-up: start %.1f ms, kill %.1f ms (not counted)\n", s, k);
                continue;
            }
            bs[ok] = s;
            bk[ok] = k;
            ok++;
        }
        if (ok > 0) {
            print_samples("bare_qemu_start_ms", bs, ok);
            bstart = bench_median(bs, ok);
            bkill = bench_median(bk, ok);
            bench_emit("bare_qemu_start_ms", bstart, "ms", 1);
            bench_emit("bare_qemu_kill_ms", bkill, "ms(SIGTERM->reaped)", 1);
        } else {
            bench_not_measured("bare_qemu_start_ms", "qemu launch/QMP failed (see stderr)");
        }
    }
    if (start >= 0 && bstart >= 0)
        printf("# virtkit overhead over bare qemu: start %+.1f ms, destroy %+.1f ms "
               "(target: under 30 ms each)\n", start - bstart, destroy - bkill);
    free(vs);
    free(vd);
    free(bs);
    free(bk);
}
