/*
 * bench_local.c: the in-process workloads: local_noop_calls_per_s and
 * define_undefine_per_s on test:///default, as in the reference.
 */
#include "config.h"

#include <stdio.h>
#include <virtkit/virtkit.h>

#include "bench.h"

static double noop_rate(virtkit_connect *conn, double seconds)
{
    long calls = 0;
    int64_t t0 = bench_now_ns(), deadline = t0 + (int64_t)(seconds * 1e9), t;
    do {
        for (int i = 0; i < 16; i++)
            if (virtkit_connect_num_of_domains(conn) < 0)
                bench_die("virtkit_connect_num_of_domains");
        calls += 16;
        t = bench_now_ns();
    } while (t < deadline);
    printf("# local noop: %ld calls\n", calls);
    return (double)calls / ((double)(t - t0) / 1e9);
}

void bench_local_run(const bench_opts *o)
{
    virtkit_connect *conn = virtkit_connect_open("test:///default", 0);
    if (!conn)
        bench_die("open test:///default");
    if (bench_wanted(o, "local_noop_calls_per_s"))
        bench_emit("local_noop_calls_per_s", noop_rate(conn, BENCH_LOOP_SECONDS), "calls/s", 0);
    if (bench_wanted(o, "define_undefine_per_s"))
        bench_emit("define_undefine_per_s",
                   bench_define_undefine_rate(conn, BENCH_LOOP_SECONDS, "define+undefine"),
                   "ops/s", 0);
    virtkit_connect_close(conn);
}
