/*
 * virtkit_bench.c: virtkit-bench, the workloads of the libvirt reference
 * benchmark measured on virtkit under the same names (see bench.h).
 *
 *   virtkit-bench [-w WORKDIR] [-q QEMU] [-n ITERS] [-Q] [-R] [-o PREFIX]
 *     -w  scratch directory (default: a fresh one under /tmp)
 *     -q  qemu binary (default /usr/bin/qemu-system-x86_64)
 *     -n  qemu start/destroy iterations (default 10, plus one warm-up)
 *     -Q  skip the qemu workloads     -R  skip the daemon workloads
 *     -o  only workloads whose name starts with PREFIX
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <virtkit/virtkit.h>

#include "bench.h"

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    if (n <= 0)
        return -1;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void bench_emit(const char *name, double value, const char *unit, int prec)
{
    printf("%s %.*f %s\n", name, prec, value, unit);
    fflush(stdout);
}

void bench_not_measured(const char *name, const char *why)
{
    printf("%s not_measured: %s\n", name, why);
    fflush(stdout);
}

/* NAME is a figure ("getxml_per_s") or a group of them ("getxml"): wanted
 * when one is a prefix of the other, so -o picks figures and groups alike. */
bool bench_wanted(const bench_opts *o, const char *name)
{
    if (!o->only)
        return true;
    size_t a = strlen(name), b = strlen(o->only);
    return strncmp(name, o->only, a < b ? a : b) == 0;
}

long bench_rss_kb(long pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

void bench_die(const char *what)
{
    const virtkit_error *e = virtkit_error_last();
    fprintf(stderr, "FATAL: %s: %s\n", what, e ? e->message : "(no error set)");
    exit(1);
}

/* The same small persistent domain as the reference: 128 MiB, 1 vcpu,
 * one disk, one interface. */
double bench_define_undefine_rate(virtkit_connect *conn, double seconds, const char *what)
{
    char xml[2048];
    bench_test_dom_xml(xml, sizeof(xml), 9999);
    long ops = 0;
    int64_t t0 = bench_now_ns(), deadline = t0 + (int64_t)(seconds * 1e9), t;
    do {
        virtkit_domain *d = virtkit_domain_define_xml(conn, xml, 0);
        if (!d)
            bench_die("virtkit_domain_define_xml");
        if (virtkit_domain_undefine(d, 0) < 0)
            bench_die("virtkit_domain_undefine");
        virtkit_domain_free(d);
        ops++;
        t = bench_now_ns();
    } while (t < deadline);
    printf("# %s: %ld ops\n", what, ops);
    return (double)ops / ((double)(t - t0) / 1e9);
}

void bench_test_dom_xml(char *buf, unsigned long len, int idx)
{
    snprintf(buf, len,
             "<domain type='test'>\n"
             "  <name>bench-%04d</name>\n"
             "  <uuid>6b1c3f5e-7a2d-4c89-9e10-%012x</uuid>\n"
             "  <memory unit='MiB'>128</memory>\n"
             "  <vcpu>1</vcpu>\n"
             "  <os><type arch='x86_64'>hvm</type></os>\n"
             "  <devices>\n"
             "    <disk type='file' device='disk'>\n"
             "      <driver name='qemu' type='qcow2'/>\n"
             "      <source file='/var/lib/libvirt/images/bench-%04d.qcow2'/>\n"
             "      <target dev='vda' bus='virtio'/>\n"
             "    </disk>\n"
             "    <interface type='network'>\n"
             "      <mac address='52:54:00:%02x:%02x:%02x'/>\n"
             "      <source network='default'/>\n"
             "      <model type='virtio'/>\n"
             "    </interface>\n"
             "  </devices>\n"
             "</domain>\n",
             idx, (unsigned)idx, idx, (idx >> 16) & 0xff, (idx >> 8) & 0xff, idx & 0xff);
}

int main(int argc, char **argv)
{
    bench_opts o = { .qemu = "/usr/bin/qemu-system-x86_64", .qemu_iters = 10 };
    int c;
    while ((c = getopt(argc, argv, "w:q:n:QRo:")) != -1) {
        switch (c) {
        case 'w': o.workdir = optarg; break;
        case 'q': o.qemu = optarg; break;
        case 'n': o.qemu_iters = atoi(optarg); break;
        case 'Q': o.skip_qemu = true; break;
        case 'R': o.skip_remote = true; break;
        case 'o': o.only = optarg; break;
        default:
            fprintf(stderr, "usage: %s [-w WORKDIR] [-q QEMU] [-n ITERS] [-Q] [-R] [-o PREFIX]\n",
                    argv[0]);
            return 2;
        }
    }
    char tmpl[] = "/tmp/virtkit-bench-XXXXXX";
    if (!o.workdir) {
        if (!mkdtemp(tmpl)) {
            perror("mkdtemp");
            return 1;
        }
        o.workdir = tmpl;
    } else if (mkdir(o.workdir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create the work directory %s: %s\n", o.workdir,
                strerror(errno));
        return 1;
    }
    printf("# virtkit %s bench, workdir %s, %ld CPUs\n", PACKAGE_VERSION, o.workdir,
           sysconf(_SC_NPROCESSORS_ONLN));
    if (virtkit_event_register_default_impl() < 0)
        bench_die("event loop");
    bench_local_run(&o);
    if (o.skip_remote)
        printf("# daemon workloads skipped (-R)\n");
    else
        bench_remote_run(&o);
    if (o.skip_qemu)
        printf("# qemu workloads skipped (-Q)\n");
    else
        bench_qemu_run(&o);
    return 0;
}
