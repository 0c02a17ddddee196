/*
 * bench.h: shared pieces of virtkit-bench, the program that measures the
 * workloads of the libvirt reference benchmark
 * (../shared/bench/libvirt-baseline/README.md) under the same names and
 * prints "NAME VALUE UNIT" lines ("#" lines are notes, "NAME not_measured:
 * why" when a figure cannot be taken).
 *
 * Each group of workloads lives in its own file: bench_local.c (in-process
 * test driver), bench_remote.c (through virtkitd), bench_qemu.c (real qemu).
 */
#ifndef VK_BENCH_H
#define VK_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_LOOP_SECONDS 2.0

typedef struct bench_opts {
    const char *workdir;   /* scratch directory (roots, sockets) */
    const char *qemu;      /* qemu-system-x86_64 */
    int qemu_iters;        /* start/destroy iterations (plus one warm-up) */
    bool skip_qemu;
    bool skip_remote;
    const char *only;      /* run only workloads whose name starts with this */
} bench_opts;

int64_t bench_now_ns(void);
double bench_median(double *v, int n);   /* sorts v */
void bench_emit(const char *name, double value, const char *unit, int prec);
void bench_not_measured(const char *name, const char *why);
bool bench_wanted(const bench_opts *o, const char *name);
long bench_rss_kb(long pid);
/* The small persistent test domain of the reference (1 disk, 1 nic). */
void bench_test_dom_xml(char *buf, unsigned long len, int idx);
/* Define and undefine the test domain in a loop for `seconds`: ops/s (the
 * count goes to a "# what: N ops" note). */
struct virtkit_connect;
double bench_define_undefine_rate(struct virtkit_connect *conn, double seconds, const char *what);
/* Print the library's last error and exit(1). */
void bench_die(const char *what) __attribute__((noreturn));

void bench_local_run(const bench_opts *o);
void bench_remote_run(const bench_opts *o);
void bench_qemu_run(const bench_opts *o);

#endif
