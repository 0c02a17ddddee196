/*
 * bench_remote.c: the reference benchmark's daemon workloads, measured
 * through virtkitd over its UNIX socket with the test plugin behind it,
 * under the same names and with the same loops as libvirt_bench.c.
 *
 * It starts its own virtkitd on a private root under the work dir (the
 * binary from $VIRTKIT_BENCH_DAEMON, else the build tree next to this
 * program) and stops it at the end.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <virtkit/virtkit.h>

#include "bench.h"

#define N_CLIENTS 4
#define N_LIST_DOMAINS 1000
#define N_LIST_CALLS 20
#define N_EVENT_ROUNDS 200

static char uri[PATH_MAX + 64];

/* ------------------------------------------------------------ daemon -- */

static char *daemon_path(void)
{
    const char *env = getenv("VIRTKIT_BENCH_DAEMON");
    if (env && *env)
        return strdup(env);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return NULL;
    self[n] = 0;
    /* build/bench/virtkit-bench (or bench/.libs/...) -> build/framework/daemon/virtkitd */
    char *dir = dirname(self);
    char path[PATH_MAX + 64];
    for (int up = 0; up < 3; up++) {
        snprintf(path, sizeof(path), "%s/framework/daemon/virtkitd", dir);
        if (access(path, X_OK) == 0)
            return strdup(path);
        dir = dirname(dir);
    }
    return NULL;
}

static pid_t start_daemon(const char *bin, const char *root, const char *sock)
{
    char conf[PATH_MAX + 32];
    snprintf(conf, sizeof(conf), "%s/virtkitd.conf", root);
    FILE *f = fopen(conf, "we");
    if (!f)
        return -1;
    fprintf(f, "log = { level = \"warn\"; };\n");
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        execl(bin, bin, "--root", root, "--config", conf, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    for (int i = 0; i < 500; i++) {
        struct stat st;
        if (stat(sock, &st) == 0) {
            virtkit_connect *c = virtkit_connect_open(uri, 0);
            if (c) {
                virtkit_connect_close(c);
                return pid;
            }
        }
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void stop_daemon(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* ------------------------------------------------------------- loops -- */

static double noop_rate(virtkit_connect *conn, double seconds, long *calls_out)
{
    long calls = 0;
    int64_t t0 = bench_now_ns(), deadline = t0 + (int64_t)(seconds * 1e9), t;
    do {
        for (int i = 0; i < 16; i++)
            if (virtkit_connect_num_of_domains(conn) < 0)
                bench_die("num_of_domains");
        calls += 16;
        t = bench_now_ns();
    } while (t < deadline);
    if (calls_out)
        *calls_out = calls;
    return calls / ((t - t0) / 1e9);
}

typedef struct client_arg {
    pthread_barrier_t *barrier;
    long calls;
    int64_t t_end;
    int failed;
} client_arg;

static int64_t mt_deadline;

static void *client_thread(void *opaque)
{
    client_arg *a = opaque;
    virtkit_connect *c = virtkit_connect_open(uri, 0);
    if (!c)
        a->failed = 1;
    pthread_barrier_wait(a->barrier);
    pthread_barrier_wait(a->barrier);
    long calls = 0;
    if (c) {
        int64_t t;
        do {
            for (int i = 0; i < 16; i++) {
                if (virtkit_connect_num_of_domains(c) < 0) {
                    a->failed = 1;
                    goto out;
                }
            }
            calls += 16;
            t = bench_now_ns();
        } while (t < mt_deadline);
    }
out:
    a->t_end = bench_now_ns();
    a->calls = calls;
    if (c)
        virtkit_connect_close(c);
    return NULL;
}

static double noop_rate_multi(int n, double seconds)
{
    pthread_t th[N_CLIENTS];
    client_arg args[N_CLIENTS];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        args[i] = (client_arg){ .barrier = &barrier };
        pthread_create(&th[i], NULL, client_thread, &args[i]);
    }
    pthread_barrier_wait(&barrier);
    int64_t t0 = bench_now_ns();
    mt_deadline = t0 + (int64_t)(seconds * 1e9);
    pthread_barrier_wait(&barrier);
    long total = 0;
    int64_t t_end = t0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        total += args[i].calls;
        if (args[i].t_end > t_end)
            t_end = args[i].t_end;
        failed |= args[i].failed;
    }
    pthread_barrier_destroy(&barrier);
    if (failed)
        return -1;
    printf("# %d clients: %ld calls total\n", n, total);
    return total / ((t_end - t0) / 1e9);
}

/* ------------------------------------------------------------ events -- */

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static long ev_count;
static int64_t ev_last_ns;
static int ev_last_type;
static volatile int ev_loop_stop;

static void lifecycle_cb(virtkit_connect *c, virtkit_domain *d, int event, int detail, void *o)
{
    int64_t t = bench_now_ns();
    pthread_mutex_lock(&ev_lock);
    ev_last_ns = t;
    ev_last_type = event;
    ev_count++;
    pthread_cond_broadcast(&ev_cond);
    pthread_mutex_unlock(&ev_lock);
}

static void *event_loop_thread(void *opaque)
{
    while (!ev_loop_stop)
        if (virtkit_event_run_default_impl() < 0)
            break;
    return NULL;
}

static void wake_cb(int timer, void *opaque)
{
    virtkit_event_remove_timeout(timer);
}

static int wait_event(long prev, int64_t *t_cb, int *type)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    int rc = 0;
    pthread_mutex_lock(&ev_lock);
    while (ev_count <= prev && rc == 0)
        rc = pthread_cond_timedwait(&ev_cond, &ev_lock, &dl);
    if (ev_count > prev) {
        *t_cb = ev_last_ns;
        *type = ev_last_type;
        rc = 0;
    } else {
        rc = -1;
    }
    pthread_mutex_unlock(&ev_lock);
    return rc;
}

static double pct(double *v, int n, double p)
{
    return n > 0 ? v[(int)(p / 100.0 * (n - 1) + 0.5)] : -1;
}

static void run_events(const bench_opts *o)
{
    pthread_t th;
    pthread_create(&th, NULL, event_loop_thread, NULL);
    virtkit_connect *c = virtkit_connect_open(uri, 0);
    if (!c)
        bench_die("open (events)");
    long n;
    if (bench_wanted(o, "remote_noop_calls_per_s_evloop"))
        bench_emit("remote_noop_calls_per_s_evloop", noop_rate(c, BENCH_LOOP_SECONDS, &n),
                   "calls/s", 0);
    if (bench_wanted(o, "event_latency")) {
        int id = virtkit_connect_domain_event_register(
            c, NULL, VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE, VIRTKIT_EVENT_CALLBACK(lifecycle_cb),
            NULL, NULL);
        if (id < 0)
            bench_die("event register");
        virtkit_domain *d = virtkit_domain_lookup_by_name(c, "test");
        if (!d)
            bench_die("lookup test");
        static double from_call[2 * N_EVENT_ROUNDS], from_ret[2 * N_EVENT_ROUNDS];
        int ns = 0, lost = 0, early = 0;
        for (int i = 0; i < 2 * N_EVENT_ROUNDS; i++) {
            bool suspend = (i % 2) == 0;
            pthread_mutex_lock(&ev_lock);
            long prev = ev_count;
            pthread_mutex_unlock(&ev_lock);
            int64_t t0 = bench_now_ns();
            int rc = suspend ? virtkit_domain_suspend(d, 0) : virtkit_domain_resume(d, 0);
            int64_t t1 = bench_now_ns();
            if (rc < 0)
                bench_die(suspend ? "suspend" : "resume");
            int64_t tcb;
            int type;
            if (wait_event(prev, &tcb, &type) < 0) {
                lost++;
                continue;
            }
            from_call[ns] = (tcb - t0) / 1e3;
            from_ret[ns] = (tcb - t1) / 1e3;
            if (tcb < t1)
                early++;
            ns++;
        }
        printf("# events: %d samples, %d lost, %d delivered before the call returned\n", ns, lost,
               early);
        if (ns > 0) {
            double a = bench_median(from_call, ns);
            printf("# event latency from before call (us): p10 %.1f p50 %.1f p90 %.1f max %.1f\n",
                   pct(from_call, ns, 10), pct(from_call, ns, 50), pct(from_call, ns, 90),
                   from_call[ns - 1]);
            double b = bench_median(from_ret, ns);
            bench_emit("event_latency_us", a, "us(from_before_call)", 1);
            bench_emit("event_latency_after_return_us", b,
                       "us(from_call_return;negative=before_return)", 1);
        } else {
            bench_not_measured("event_latency_us", "no events received");
        }
        virtkit_domain_free(d);
        virtkit_connect_domain_event_deregister(c, id);
    }
    virtkit_connect_close(c);
    ev_loop_stop = 1;
    virtkit_event_add_timeout(0, wake_cb, NULL, NULL);
    pthread_join(th, NULL);
}

/* ----------------------------------------------------------- the run -- */

static void run_domains(const bench_opts *o, virtkit_connect *rc, pid_t dpid)
{
    char xml[2048];
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < N_LIST_DOMAINS; i++) {
        bench_test_dom_xml(xml, sizeof(xml), i);
        virtkit_domain *d = virtkit_domain_define_xml(rc, xml, 0);
        if (!d)
            bench_die("define (1000)");
        virtkit_domain_free(d);
    }
    bench_emit("remote_define_1000_ms", (bench_now_ns() - t0) / 1e6, "ms", 1);

    double v[N_LIST_CALLS];
    int got = -1;
    for (int i = 0; i < N_LIST_CALLS; i++) {
        virtkit_domain **doms = NULL;
        int64_t t1 = bench_now_ns();
        got = virtkit_connect_list_all_domains(rc, &doms, 0);
        v[i] = (bench_now_ns() - t1) / 1e6;
        if (got < 0)
            bench_die("list_all_domains");
        for (int j = 0; j < got; j++)
            virtkit_domain_free(doms[j]);
        free(doms);
    }
    printf("# list_all returned %d domains (1000 defined + 'test')\n", got);
    bench_emit("list_all_1000_ms", bench_median(v, N_LIST_CALLS), "ms", 3);

    virtkit_domain *d = virtkit_domain_lookup_by_name(rc, "bench-0000");
    if (!d)
        bench_die("lookup bench-0000");
    long calls = 0;
    size_t xmllen = 0;
    int64_t t2 = bench_now_ns(), deadline = t2 + (int64_t)(BENCH_LOOP_SECONDS * 1e9), t;
    do {
        char *s = virtkit_domain_get_xml(d, 0);
        if (!s)
            bench_die("get_xml");
        xmllen = strlen(s);
        free(s);
        calls++;
        t = bench_now_ns();
    } while (t < deadline);
    virtkit_domain_free(d);
    printf("# get_xml: %ld calls, %zu bytes of XML each\n", calls, xmllen);
    bench_emit("getxml_per_s", calls / ((t - t2) / 1e9), "calls/s", 0);

    long rss = bench_rss_kb(dpid);
    if (rss < 0)
        bench_not_measured("daemon_rss_kb_1000_domains", "cannot read /proc/PID/status");
    else
        bench_emit("daemon_rss_kb_1000_domains", rss, "kB", 0);

    t0 = bench_now_ns();
    for (int i = 0; i < N_LIST_DOMAINS; i++) {
        char nm[32];
        snprintf(nm, sizeof(nm), "bench-%04d", i);
        virtkit_domain *x = virtkit_domain_lookup_by_name(rc, nm);
        if (!x || virtkit_domain_undefine(x, 0) < 0)
            bench_die("undefine (1000)");
        virtkit_domain_free(x);
    }
    bench_emit("remote_lookup_undefine_1000_ms", (bench_now_ns() - t0) / 1e6, "ms", 1);
}

void bench_remote_run(const bench_opts *o)
{
    static const char *const figures[] = {
        "daemon_rss_kb_idle",  "daemon_rss_kb_1000_domains", "remote_noop_calls_per_s",
        "remote_define",       "remote_open_close_ms",       "remote_lookup_undefine_1000_ms",
        "list_all_1000_ms",    "getxml_per_s",               "event_latency",
    };
    bool any = false;
    for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
        any = any || bench_wanted(o, figures[i]);
    if (!any)
        return; /* no daemon for local figures only */
    char *bin = daemon_path();
    if (!bin) {
        bench_not_measured("remote_workloads",
                           "virtkitd not found (set VIRTKIT_BENCH_DAEMON to the binary)");
        return;
    }
    char root[PATH_MAX], sock[PATH_MAX + 32];
    snprintf(root, sizeof(root), "%s/remote-root", o->workdir);
    mkdir(root, 0700);
    snprintf(sock, sizeof(sock), "%s/run/virtkit/virtkitd-sock", root);
    snprintf(uri, sizeof(uri), "test+unix:///default?socket=%s", sock);
    pid_t dpid = start_daemon(bin, root, sock);
    if (dpid < 0) {
        bench_not_measured("remote_workloads", "virtkitd did not start");
        free(bin);
        return;
    }
    printf("# virtkitd %s (pid %d), URI %s\n", bin, (int)dpid, uri);
    free(bin);

    long rss = bench_rss_kb(dpid);
    if (bench_wanted(o, "daemon_rss_kb_idle"))
        bench_emit("daemon_rss_kb_idle", rss, "kB", 0);

    virtkit_connect *rc = virtkit_connect_open(uri, 0);
    if (!rc)
        bench_die("open remote");
    long n;
    if (bench_wanted(o, "remote_noop_calls_per_s")) {
        double r = noop_rate(rc, BENCH_LOOP_SECONDS, &n);
        printf("# remote noop: %ld calls\n", n);
        bench_emit("remote_noop_calls_per_s", r, "calls/s", 0);
    }
    if (bench_wanted(o, "remote_noop_calls_per_s_4clients")) {
        double r = noop_rate_multi(N_CLIENTS, BENCH_LOOP_SECONDS);
        if (r < 0)
            bench_not_measured("remote_noop_calls_per_s_4clients", "a client thread failed");
        else
            bench_emit("remote_noop_calls_per_s_4clients", r, "calls/s", 0);
    }
    if (bench_wanted(o, "remote_define_undefine_per_s")) {
        double r = bench_define_undefine_rate(rc, BENCH_LOOP_SECONDS, "remote define+undefine");
        bench_emit("remote_define_undefine_per_s", r, "ops/s", 0);
    }
    if (bench_wanted(o, "remote_open_close_ms")) {
        double v[50];
        for (int i = 0; i < 50; i++) {
            int64_t t0 = bench_now_ns();
            virtkit_connect *x = virtkit_connect_open(uri, 0);
            if (!x)
                bench_die("open (open/close loop)");
            virtkit_connect_close(x);
            v[i] = (bench_now_ns() - t0) / 1e6;
        }
        bench_emit("remote_open_close_ms", bench_median(v, 50), "ms", 3);
    }
    if (bench_wanted(o, "remote_define_1000") || bench_wanted(o, "list_all") ||
        bench_wanted(o, "getxml") || bench_wanted(o, "daemon_rss_kb_1000") ||
        bench_wanted(o, "remote_lookup_undefine"))
        run_domains(o, rc, dpid);
    if (bench_wanted(o, "remote_noop_calls_per_s_evloop") || bench_wanted(o, "event_latency"))
        run_events(o);
    virtkit_connect_close(rc);
    stop_daemon(dpid);
}
