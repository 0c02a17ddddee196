/*
 * bench_qemu.c: placeholder until the qemu workloads land; says so in the
 * output instead of printing made-up figures.
 */
#include "config.h"

#include "bench.h"

void bench_qemu_run(const bench_opts *o)
{
    (void)o;
    bench_not_measured("qemu_workloads", "not built yet in this tree");
}
