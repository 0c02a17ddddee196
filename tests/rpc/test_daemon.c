/*
 * test_daemon.c: virtkitd's behaviour over time: access rules and their
 * reload on SIGHUP, a restart under a connected client (close callback,
 * clear error, reconnect), events with sequence numbers and resuming them
 * (within a run, across a restart, and "missed" when the backlog is too
 * short), the priority lane and keepalive while every worker is stuck,
 * streams (console, volume upload and download) through the daemon, and
 * the daemon's own command line (config errors, pid file, --daemon).
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "fileutil.h"
#include "rpctest.h"

static volatile int loop_stop;

static void *loop_thread(void *arg)
{
    while (!loop_stop)
        virtkit_event_run_default_impl();
    return NULL;
}

/* ------------------------------------------------------------ access -- */

static void test_access_rules_and_reload(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    VK_AUTOFREE(char *) rules = vk_asprintf("%s/access.conf", d->root);
    const char *ro_rules = "uid:0 domain:read network:read\n";
    assert_int_equal(vk_file_write_atomic(rules, ro_rules, strlen(ro_rules), 0600), 0);
    VK_AUTOFREE(char *) conf = vk_asprintf("access_file = \"%s\";\n", rules);
    vkt_daemon_set_conf(d, conf);
    vkt_daemon_signal(d, SIGHUP);
    assert_true(vkt_daemon_log_has(d, "configuration reloaded", 5000));

    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_domain *dom = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    char *x = VKT_NONNULL(virtkit_domain_get_xml(dom, 0));
    free(x);
    assert_int_equal(virtkit_domain_destroy(dom, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "may not stop domain 'test' (procedure domain_destroy)");
    assert_null(virtkit_domain_get_xml(dom, VIRTKIT_DOMAIN_XML_SECURE));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "read_secure");
    char *caps = VKT_NONNULL(virtkit_connect_get_capabilities(c)); /* connect:read */
    free(caps);
    assert_int_equal(virtkit_connect_list_all_pools(c, NULL, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "may not read pool objects");
    assert_true(vkt_daemon_log_has(d, "denied: client", 2000));
    assert_true(vkt_daemon_log_has(d, "procedure domain_destroy: stop on domain 'test'", 2000));

    /* A rules file with an error is refused; the running rules stay. */
    const char *broken = "uid:0 domain:flyaway\n";
    assert_int_equal(vk_file_write_atomic(rules, broken, strlen(broken), 0600), 0);
    vkt_daemon_signal(d, SIGHUP);
    assert_true(vkt_daemon_log_has(d, "unknown operation 'flyaway'", 5000));
    assert_true(vkt_daemon_log_has(d, "reload refused", 5000));
    assert_int_equal(virtkit_domain_destroy(dom, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "may not stop");

    /* New rules apply to the next call of an existing connection. */
    const char *all = "uid:0 * all\n";
    assert_int_equal(vk_file_write_atomic(rules, all, strlen(all), 0600), 0);
    vkt_daemon_signal(d, SIGHUP);
    int64_t t0 = vk_now_ms();
    int r;
    while ((r = virtkit_domain_destroy(dom, 0)) < 0 && vk_now_ms() - t0 < 5000)
        usleep(50000);
    VKT_OK(r);

    /* A configuration with an unknown setting is refused, named, and the
     * daemon keeps running with what it had. */
    vkt_daemon_set_conf(d, "limits = { max_clients = 10; wokers = 3; };\n");
    vkt_daemon_signal(d, SIGHUP);
    assert_true(vkt_daemon_log_has(d, "setting 'limits.wokers' is not a virtkitd setting", 5000));
    assert_int_equal(virtkit_connect_num_of_domains(c), 0);

    /* Nobody matching any rule: refused at open. */
    const char *other = "uid:4242 * all\n";
    assert_int_equal(vk_file_write_atomic(rules, other, strlen(other), 0600), 0);
    vkt_daemon_set_conf(d, conf);
    vkt_daemon_signal(d, SIGHUP);
    t0 = vk_now_ms();
    virtkit_connect *c2;
    while ((c2 = virtkit_connect_open(d->uri, 0)) && vk_now_ms() - t0 < 5000) {
        virtkit_connect_close(c2);
        usleep(50000);
    }
    assert_null(c2);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "may not open the connection");
    virtkit_domain_free(dom);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

/* ----------------------------------------------------------- restart -- */

static int close_reason = -1;
static pthread_mutex_t close_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_close(virtkit_connect *c, int reason, void *opaque)
{
    pthread_mutex_lock(&close_lock);
    close_reason = reason;
    pthread_mutex_unlock(&close_lock);
}

static int wait_close(int timeout_ms)
{
    int64_t t0 = vk_now_ms();
    for (;;) {
        pthread_mutex_lock(&close_lock);
        int r = close_reason;
        pthread_mutex_unlock(&close_lock);
        if (r >= 0 || vk_now_ms() - t0 > timeout_ms)
            return r;
        usleep(10000);
    }
}

static void test_restart_and_reconnect(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    VKT_OK(virtkit_connect_register_close_callback(c, on_close, NULL, NULL));
    close_reason = -1;
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    vkt_daemon_signal(d, SIGTERM);
    assert_int_equal(vkt_daemon_wait(d, 10000), 0);
    /* the pid file and sockets are gone with a clean stop */
    VK_AUTOFREE(char *) pid = vk_asprintf("%s/run/virtkit/virtkitd.pid", d->root);
    assert_false(vk_file_exists(pid));
    assert_false(vk_file_exists(d->rw));
    /* the event loop noticed and told us */
    assert_int_equal(wait_close(5000), VIRTKIT_CLOSE_EOF);
    assert_int_equal(virtkit_connect_is_alive(c), 0);
    assert_int_equal(virtkit_connect_num_of_domains(c), -1);
    VKT_ERROR(VIRTKIT_ERR_CONNECTION_CLOSED, "connection to virtkitd closed");
    /* while it is down: a clear refusal */
    assert_null(virtkit_connect_open(d->uri, 0));
    VKT_ERROR(VIRTKIT_ERR_NO_CONNECT, "is the daemon running?");
    vkt_daemon_restart(d);
    virtkit_connect *c2 = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    assert_int_equal(virtkit_connect_num_of_domains(c2), 1);
    virtkit_connect_close(c2);
    virtkit_connect_close(c);

    /* A daemon killed outright: the same for the client. */
    c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    vkt_daemon_signal(d, SIGKILL);
    vkt_daemon_wait(d, 5000);
    assert_int_equal(virtkit_connect_num_of_domains(c), -1);
    VKT_ERROR(VIRTKIT_ERR_CONNECTION_CLOSED, "closed");
    virtkit_connect_close(c);
    /* its stale socket and pid file do not stop the next one */
    vkt_daemon_restart(d);
    c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

/* ------------------------------------------------------------ events -- */

typedef struct ev_log {
    pthread_mutex_t lock;
    int n;
    int events[64];
    unsigned long long seqs[64];
} ev_log;

static void on_lifecycle(virtkit_connect *c, virtkit_domain *d, int event, int detail,
                         void *opaque)
{
    ev_log *l = opaque;
    unsigned long long seq = 0;
    virtkit_connect_last_event_seq(c, &seq);
    pthread_mutex_lock(&l->lock);
    if (l->n < 64) {
        l->events[l->n] = event;
        l->seqs[l->n++] = seq;
    }
    pthread_mutex_unlock(&l->lock);
}

static int wait_n(ev_log *l, int n)
{
    int64_t t0 = vk_now_ms();
    for (;;) {
        pthread_mutex_lock(&l->lock);
        int k = l->n;
        pthread_mutex_unlock(&l->lock);
        if (k >= n || vk_now_ms() - t0 > 5000)
            return k;
        usleep(5000);
    }
}

static virtkit_connect *subscribed(const char *uri, ev_log *l, int *id)
{
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri, 0));
    *id = virtkit_connect_domain_event_register(c, NULL, VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE,
                                                VIRTKIT_EVENT_CALLBACK(on_lifecycle), l, NULL);
    assert_true(*id >= 0);
    return c;
}

static void suspend_resume(virtkit_connect *c)
{
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    VKT_OK(virtkit_domain_suspend(d, 0));
    VKT_OK(virtkit_domain_resume(d, 0));
    virtkit_domain_free(d);
}

static void test_events_and_resume(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    ev_log a = { .lock = PTHREAD_MUTEX_INITIALIZER };
    int ida;
    virtkit_connect *ca = subscribed(d->uri, &a, &ida);
    suspend_resume(ca);
    assert_int_equal(wait_n(&a, 2), 2);
    assert_int_equal(a.events[0], VIRTKIT_EVENT_SUSPENDED);
    assert_int_equal(a.events[1], VIRTKIT_EVENT_RESUMED);
    assert_true(a.seqs[1] > a.seqs[0] && a.seqs[0] > 0);
    unsigned long long seen = 0;
    VKT_OK(virtkit_connect_last_event_seq(ca, &seen));
    assert_int_equal(seen, a.seqs[1]);
    virtkit_connect_close(ca);

    /* While A is away, B's events happen. */
    ev_log b = { .lock = PTHREAD_MUTEX_INITIALIZER };
    int idb;
    virtkit_connect *cb = subscribed(d->uri, &b, &idb);
    suspend_resume(cb);
    suspend_resume(cb);
    assert_int_equal(wait_n(&b, 4), 4);
    virtkit_connect_close(cb);

    /* A comes back where it left off and gets exactly what it missed. */
    VK_AUTOFREE(char *) ruri = vk_asprintf("%s&resume_events=%llu", d->uri, seen);
    ev_log a2 = { .lock = PTHREAD_MUTEX_INITIALIZER };
    int ida2;
    ca = subscribed(ruri, &a2, &ida2);
    assert_int_equal(wait_n(&a2, 4), 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(a2.seqs[i], b.seqs[i]);
        assert_int_equal(a2.events[i], b.events[i]);
    }
    /* then live ones */
    suspend_resume(ca);
    assert_int_equal(wait_n(&a2, 6), 6);
    assert_true(a2.seqs[5] > b.seqs[3]);
    VKT_OK(virtkit_connect_last_event_seq(ca, &seen));
    virtkit_connect_close(ca);

    /* Across a restart: the backlog is kept. */
    vkt_daemon_signal(d, SIGTERM);
    assert_int_equal(vkt_daemon_wait(d, 10000), 0);
    vkt_daemon_restart(d);
    ev_log a3 = { .lock = PTHREAD_MUTEX_INITIALIZER };
    VK_AUTOFREE(char *) ruri2 = vk_asprintf("%s&resume_events=%llu", d->uri, b.seqs[1]);
    int ida3;
    ca = subscribed(ruri2, &a3, &ida3);
    assert_true(wait_n(&a3, 4) >= 4); /* B's last two, A's two */
    assert_int_equal(a3.seqs[0], b.seqs[2]);
    virtkit_connect_close(ca);

    /* A resume point from the future (a daemon that lost its history). */
    VK_AUTOFREE(char *) future = vk_asprintf("%s&resume_events=%llu", d->uri, seen + 1000);
    assert_null(virtkit_connect_open(future, 0));
    VKT_ERROR(VIRTKIT_ERR_EVENTS_MISSED, "lost its event history");
    VK_AUTOFREE(char *) bad = vk_asprintf("%s&resume_events=soon", d->uri);
    assert_null(virtkit_connect_open(bad, 0));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "resume_events 'soon'");
    vkt_daemon_free(d);

    /* A short backlog: old resume points are told they missed events. */
    d = vkt_daemon_start("events = { backlog = 2; };\n", NULL);
    ev_log c = { .lock = PTHREAD_MUTEX_INITIALIZER };
    int idc;
    virtkit_connect *cc = subscribed(d->uri, &c, &idc);
    suspend_resume(cc);
    suspend_resume(cc);
    suspend_resume(cc);
    assert_int_equal(wait_n(&c, 6), 6);
    virtkit_connect_close(cc);
    VK_AUTOFREE(char *) old = vk_asprintf("%s&resume_events=%llu", d->uri, c.seqs[0]);
    assert_null(virtkit_connect_open(old, 0));
    VKT_ERROR(VIRTKIT_ERR_EVENTS_MISSED, "no longer kept (the daemon keeps the last 2)");
    VK_AUTOFREE(char *) recent = vk_asprintf("%s&resume_events=%llu", d->uri, c.seqs[4]);
    cc = VKT_NONNULL(virtkit_connect_open(recent, 0));
    virtkit_connect_close(cc);
    vkt_daemon_free(d);
}

/* --------------------------------------------- priority and keepalive -- */

typedef struct slow_arg {
    const char *uri;
    int rc;
    int64_t ms;
    bool keepalive;
} slow_arg;

static void *slow_call(void *opaque)
{
    slow_arg *a = opaque;
    virtkit_connect *c = virtkit_connect_open(a->uri, 0);
    if (!c) {
        a->rc = -2;
        return NULL;
    }
    if (a->keepalive)
        virtkit_connect_set_keepalive(c, 1, 1);
    virtkit_domain *d = virtkit_domain_lookup_by_name(c, "test");
    int64_t t0 = vk_now_ms();
    char *x = d ? virtkit_domain_get_xml(d, 0) : NULL;
    a->ms = vk_now_ms() - t0;
    a->rc = x ? 0 : -1;
    if (!x)
        print_message("slow call failed: %s\n", virtkit_error_last()->message);
    free(x);
    if (d)
        virtkit_domain_free(d);
    virtkit_connect_close(c);
    return NULL;
}

static void test_priority_lane_and_keepalive(void **state)
{
    /* Two workers, one priority worker; get_xml takes 3 s (test hook);
     * the daemon pings after 1 s of silence and gives up after 1 miss. */
    vkt_daemon *d = vkt_daemon_start("limits = { workers = 2; priority_workers = 1; };\n"
                                     "keepalive = { interval = 1; count = 1; };\n"
                                     "testing = { delay_procedure = \"domain_get_xml\";"
                                     " delay_ms = 3000; };\n",
                                     NULL);
    slow_arg a1 = { .uri = d->uri, .keepalive = true }, a2 = { .uri = d->uri };
    pthread_t t1, t2;
    pthread_create(&t1, NULL, slow_call, &a1);
    pthread_create(&t2, NULL, slow_call, &a2);
    usleep(500000); /* both workers are now stuck */
    int64_t t0 = vk_now_ms();
    /* a new client can open, look up and destroy on the priority lane */
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    virtkit_domain *dom = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    int st = 0;
    VKT_OK(virtkit_domain_get_state(dom, &st, NULL, 0));
    VKT_OK(virtkit_domain_destroy(dom, 0));
    int64_t prio_ms = vk_now_ms() - t0;
    /* a normal call waits for a worker */
    t0 = vk_now_ms();
    assert_int_equal(virtkit_connect_num_of_defined_domains(c), 1);
    int64_t normal_ms = vk_now_ms() - t0;
    print_message("# while the workers were stuck: open+lookup+state+destroy %lld ms, a normal "
                  "call waited %lld ms\n", (long long)prio_ms, (long long)normal_ms);
    assert_true(prio_ms < 1500);
    assert_true(normal_ms > 1000);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    /* the slow callers were not dropped: keepalive is answered outside
     * the request slots (a1 also pinged the daemon itself) */
    assert_int_equal(a1.rc, 0);
    assert_int_equal(a2.rc, 0);
    assert_true(a1.ms >= 2500);
    virtkit_domain_free(dom);
    virtkit_connect_close(c);

    /* A raw client that never answers pings is dropped. */
    int fd = vkt_raw_connect(d->rw);
    VkOpenArgs oa = VK_OPEN_ARGS__INIT;
    oa.uri = (char *)"test:///default";
    oa.has_keepalive = 1;
    oa.keepalive = 1;
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_connect_open, 1, VK_RPC_OK, &oa.base);
    assert_int_equal(vkt_raw_reply(fd, 1, NULL, NULL), VK_RPC_OK);
    vk_rpc_header h;
    uint8_t *body = NULL;
    assert_int_equal(vkt_raw_recv(fd, &h, &body, 3000), 1);
    free(body);
    assert_int_equal(h.type, VK_RPC_KEEPALIVE);
    assert_int_equal(h.proc, VK_RPC_PING);
    assert_true(vkt_raw_closed(fd, 5000));
    close(fd);
    assert_true(vkt_daemon_log_has(d, "no keepalive answer", 2000));

    /* One that never pings is never pinged, and stays however idle. */
    fd = vkt_raw_connect(d->rw);
    assert_int_equal(vkt_raw_open(fd, "test:///default"), VK_RPC_OK);
    assert_int_equal(vkt_raw_recv(fd, &h, &body, 3000), -1); /* nothing for 3 s */
    VkEmpty e = VK_EMPTY__INIT;
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_domain_num_active, 2, VK_RPC_OK, &e.base);
    assert_int_equal(vkt_raw_reply(fd, 2, NULL, NULL), VK_RPC_OK);
    close(fd);
    vkt_daemon_free(d);
}

/* The client side gives up on a daemon that stops answering. */
static void test_client_keepalive_timeout(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    VKT_OK(virtkit_connect_register_close_callback(c, on_close, NULL, NULL));
    close_reason = -1;
    VKT_OK(virtkit_connect_set_keepalive(c, 1, 2));
    vkt_daemon_signal(d, SIGSTOP);
    int r = wait_close(8000);
    vkt_daemon_signal(d, SIGCONT);
    assert_int_equal(r, VIRTKIT_CLOSE_KEEPALIVE);
    assert_int_equal(virtkit_connect_num_of_domains(c), -1);
    VKT_ERROR(VIRTKIT_ERR_CONNECTION_CLOSED, "no keepalive answer");
    assert_int_equal(virtkit_connect_set_keepalive(c, 0, 0), -1);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

/* ----------------------------------------------------------- streams -- */

static void test_console_stream(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    virtkit_domain *dom = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    virtkit_stream *st = VKT_NONNULL(virtkit_stream_new(c, 0));
    VKT_OK(virtkit_domain_open_console(dom, NULL, st, 0));
    char buf[256] = { 0 };
    size_t got = 0;
    while (!strstr(buf, "\r\n") && got < sizeof(buf) - 1) {
        int n = virtkit_stream_recv(st, buf + got, sizeof(buf) - 1 - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_non_null(strstr(buf, "test console of domain 'test'"));
    assert_int_equal(virtkit_stream_send(st, "hello\n", 6), 6);
    memset(buf, 0, sizeof(buf));
    got = 0;
    while (!strstr(buf, "hello") && got < sizeof(buf) - 1) {
        int n = virtkit_stream_recv(st, buf + got, sizeof(buf) - 1 - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    VKT_OK(virtkit_stream_abort(st));
    virtkit_stream_free(st);
    /* a console that does not exist */
    st = VKT_NONNULL(virtkit_stream_new(c, 0));
    assert_int_equal(virtkit_domain_open_console(dom, "serial7", st, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_DEVICE, "serial7");
    virtkit_stream_free(st);
    virtkit_domain_free(dom);
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

typedef struct console_log {
    pthread_mutex_t lock;
    char buf[1024];
    size_t n;
    int calls;
} console_log;

static void on_console(virtkit_stream *st, int events, void *opaque)
{
    console_log *l = opaque;
    pthread_mutex_lock(&l->lock);
    l->calls++;
    for (;;) {
        int r = virtkit_stream_recv(st, l->buf + l->n, sizeof(l->buf) - 1 - l->n);
        if (r <= 0)
            break;
        l->n += (size_t)r;
    }
    l->buf[l->n] = 0;
    pthread_mutex_unlock(&l->lock);
}

static bool console_has(console_log *l, const char *needle)
{
    int64_t t0 = vk_now_ms();
    for (;;) {
        pthread_mutex_lock(&l->lock);
        bool has = strstr(l->buf, needle) != NULL;
        pthread_mutex_unlock(&l->lock);
        if (has || vk_now_ms() - t0 > 5000)
            return has;
        usleep(5000);
    }
}

/* A non-blocking stream driven by callbacks from the event loop. */
static void test_console_callbacks(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    virtkit_domain *dom = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    virtkit_stream *st = VKT_NONNULL(virtkit_stream_new(c, VIRTKIT_STREAM_NONBLOCK));
    VKT_OK(virtkit_domain_open_console(dom, "console0", st, 0));
    static console_log l = { .lock = PTHREAD_MUTEX_INITIALIZER };
    /* nothing there yet or the banner: never blocks */
    VKT_OK(virtkit_stream_add_callback(st, VIRTKIT_EVENT_HANDLE_READABLE, on_console, &l, NULL));
    assert_true(console_has(&l, "test console of domain 'test'"));
    assert_int_equal(virtkit_stream_send(st, "echo-me\n", 8), 8);
    assert_true(console_has(&l, "echo-me"));
    VKT_OK(virtkit_stream_remove_callback(st));
    char b[16];
    assert_int_equal(virtkit_stream_recv(st, b, sizeof(b)), -2);
    VKT_OK(virtkit_stream_abort(st));
    virtkit_stream_free(st);
    virtkit_domain_free(dom);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

static void test_volume_transfer(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    virtkit_pool *p = VKT_NONNULL(virtkit_pool_lookup_by_name(c, "default-pool"));
    virtkit_volume *v = VKT_NONNULL(virtkit_volume_create_xml(
        p, "<volume><name>xfer.img</name><capacity unit='MiB'>4</capacity></volume>", 0));
    size_t n = 3 * 1024 * 1024 + 77;
    char *data = vk_alloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 7 + i / 4096);
    virtkit_stream *st = VKT_NONNULL(virtkit_stream_new(c, 0));
    VKT_OK(virtkit_volume_upload(v, st, 0, n, 0));
    size_t off = 0;
    while (off < n) {
        size_t k = n - off < 100000 ? n - off : 100000;
        int w = virtkit_stream_send(st, data + off, k);
        assert_int_equal(w, (int)k);
        off += k;
    }
    VKT_OK(virtkit_stream_finish(st));
    virtkit_stream_free(st);

    st = VKT_NONNULL(virtkit_stream_new(c, 0));
    VKT_OK(virtkit_volume_download(v, st, 0, n, 0));
    char *back = vk_alloc(n + 1);
    size_t got = 0;
    for (;;) {
        int r = virtkit_stream_recv(st, back + got, n + 1 - got);
        assert_true(r >= 0);
        if (r == 0)
            break;
        got += (size_t)r;
    }
    VKT_OK(virtkit_stream_finish(st));
    virtkit_stream_free(st);
    assert_int_equal(got, n);
    assert_memory_equal(back, data, n);
    free(back);
    free(data);
    VKT_OK(virtkit_volume_delete(v, 0));
    virtkit_volume_free(v);
    virtkit_pool_free(p);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

/* ---------------------------------------------------------- migration -- */

/* The core drives the five phases across two remote connections, each a
 * call to the daemon. */
static void test_migration_between_remote_connections(void **state)
{
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    virtkit_connect *src = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    virtkit_connect *dst = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    virtkit_domain *old = VKT_NONNULL(virtkit_domain_lookup_by_name(dst, "test"));
    VKT_OK(virtkit_domain_destroy(old, 0));
    VKT_OK(virtkit_domain_undefine(old, 0));
    virtkit_domain_free(old);
    virtkit_domain *dom = VKT_NONNULL(virtkit_domain_lookup_by_name(src, "test"));
    virtkit_params *p = virtkit_params_new();
    virtkit_params_add_ullong(p, "bandwidth", 100);
    virtkit_domain *moved = VKT_NONNULL(
        virtkit_domain_migrate(dom, dst, p, VIRTKIT_MIGRATE_LIVE | VIRTKIT_MIGRATE_PERSIST_DEST));
    int st = 0, reason = 0;
    VKT_OK(virtkit_domain_get_state(moved, &st, &reason, 0));
    assert_int_equal(st, VIRTKIT_DOMAIN_RUNNING);
    assert_int_equal(reason, VIRTKIT_RUNNING_MIGRATED);
    VKT_OK(virtkit_domain_get_state(dom, &st, &reason, 0));
    assert_int_equal(st, VIRTKIT_DOMAIN_SHUTOFF);
    assert_int_equal(reason, VIRTKIT_SHUTOFF_MIGRATED);
    /* a failed phase is reported and leaves the source running */
    virtkit_domain_free(moved);
    VKT_OK(virtkit_domain_create(dom, 0));
    assert_null(virtkit_domain_migrate(dom, dst, NULL, 0));
    assert_int_not_equal(virtkit_error_last()->code, VIRTKIT_ERR_OK);
    VKT_OK(virtkit_domain_get_state(dom, &st, NULL, 0));
    assert_int_equal(st, VIRTKIT_DOMAIN_RUNNING);
    virtkit_params_free(p);
    virtkit_domain_free(dom);
    virtkit_connect_close(src);
    virtkit_connect_close(dst);
    vkt_daemon_free(d);
}

/* ------------------------------------------------------ command line -- */

static int run_daemon(const char *root, const char *const *args, char **out)
{
    VK_AUTOFREE(char *) bin = vk_asprintf("%s/framework/daemon/virtkitd",
                                          getenv("VIRTKIT_TEST_BUILDDIR"));
    VK_AUTOFREE(char *) log = vk_asprintf("%s/cmd.out", root);
    const char *argv[16];
    size_t n = 0;
    argv[n++] = bin;
    argv[n++] = "--root";
    argv[n++] = root;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    *out = vkt_read_file(log);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_daemon_command_line(void **state)
{
    char *root = vkt_tmpdir();
    VK_AUTOFREE(char *) conf = vk_asprintf("%s/bad.conf", root);
    const char *bad = "unix = {\n  rw_mode = \"0700\";\n  ro_mode = 777;\n};\n";
    assert_int_equal(vk_file_write_atomic(conf, bad, strlen(bad), 0600), 0);
    char *out = NULL;
    const char *a1[] = { "--config", conf, NULL };
    assert_int_equal(run_daemon(root, a1, &out), 1);
    if (!strstr(out, "bad.conf:3: setting 'unix.ro_mode' must be an octal mode string"))
        fail_msg("unexpected output: %s", out);
    free(out);
    const char *a2[] = { "--config", "/nonexistent.conf", NULL };
    assert_int_equal(run_daemon(root, a2, &out), 1);
    assert_non_null(strstr(out, "'/nonexistent.conf' does not exist"));
    free(out);
    const char *a3[] = { "--bogus", NULL };
    assert_int_equal(run_daemon(root, a3, &out), 2);
    free(out);
    /* TLS without its files: the start fails naming the missing file */
    const char *a4[] = { "--listen", NULL };
    assert_int_equal(run_daemon(root, a4, &out), 1);
    assert_non_null(strstr(out, "cannot read the CA certificate"));
    free(out);

    /* --daemon: the parent returns once the daemon is ready */
    VK_AUTOFREE(char *) pidfile = vk_asprintf("%s/d.pid", root);
    const char *a5[] = { "--daemon", "--pidfile", pidfile, NULL };
    assert_int_equal(run_daemon(root, a5, &out), 0);
    free(out);
    VK_AUTOFREE(char *) pidtext = VKT_NONNULL(vkt_read_file(pidfile));
    int pid = atoi(pidtext);
    assert_true(pid > 1 && kill(pid, 0) == 0);
    VK_AUTOFREE(char *) uri = vk_asprintf("test+unix:///default?socket=%s/run/virtkit/virtkitd-sock",
                                          root);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri, 0));
    virtkit_connect_close(c);
    /* a second daemon on the same root is refused by the pid file lock */
    assert_int_equal(run_daemon(root, a5, &out), 1);
    VK_AUTOFREE(char *) want = vk_asprintf("another virtkitd (pid %d) holds the pid file", pid);
    if (!strstr(out, want))
        fail_msg("unexpected output: %s", out);
    free(out);
    /* and one with another pid file, by the socket still being served */
    VK_AUTOFREE(char *) pid2 = vk_asprintf("%s/d2.pid", root);
    const char *a6[] = { "--pidfile", pid2, NULL };
    assert_int_equal(run_daemon(root, a6, &out), 1);
    assert_non_null(strstr(out, "another virtkitd is serving"));
    free(out);
    kill(pid, SIGTERM);
    for (int i = 0; i < 200 && kill(pid, 0) == 0; i++)
        usleep(20000);
    assert_int_equal(kill(pid, 0), -1);
    assert_false(vk_file_exists(pidfile));
    /* it logged to the log directory, being detached */
    VK_AUTOFREE(char *) logf = vk_asprintf("%s/var/log/virtkit/virtkitd.log", root);
    VK_AUTOFREE(char *) log = VKT_NONNULL(vkt_read_file(logf));
    assert_non_null(strstr(log, "ready"));
    assert_non_null(strstr(log, "stopped"));
    vkt_tmpdir_cleanup(root);
}

int main(void)
{
    virtkit_event_register_default_impl();
    pthread_t loop;
    pthread_create(&loop, NULL, loop_thread, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access_rules_and_reload),
        cmocka_unit_test(test_restart_and_reconnect),
        cmocka_unit_test(test_events_and_resume),
        cmocka_unit_test(test_priority_lane_and_keepalive),
        cmocka_unit_test(test_client_keepalive_timeout),
        cmocka_unit_test(test_console_stream),
        cmocka_unit_test(test_console_callbacks),
        cmocka_unit_test(test_volume_transfer),
        cmocka_unit_test(test_migration_between_remote_connections),
        cmocka_unit_test(test_daemon_command_line),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    loop_stop = 1;
    return r;
}
