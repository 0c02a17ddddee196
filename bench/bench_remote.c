/*
 * bench_remote.c: placeholder until the remote workloads land; says so in the
 * output instead of printing made-up figures.
 */
#include "config.h"

#include "bench.h"

void bench_remote_run(const bench_opts *o)
{
    (void)o;
    bench_not_measured("remote_workloads", "not built yet in this tree");
}
