/*
 * test_wire.c: virtkitd against what arrives on its sockets: the public
 * API through the daemon, the read-only socket (every state-changing
 * procedure of the table refused), hostile frames (truncated, oversized,
 * unknown procedures, garbage bodies, wrong program or type, calls before
 * open), 1000 idle connections, a client that stops reading, and the
 * limits on clients, calls in flight and message size. After each abuse
 * the daemon must still serve a well-behaved client.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "fileutil.h"
#include "rpctest.h"

static vkt_daemon *D;

/* A well-behaved client still gets answers. */
static void still_serving(const char *uri)
{
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri, 0));
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_connect_close(c);
}

static int setup(void **state)
{
    D = vkt_daemon_start("limits = { max_clients = 2000; };\n", NULL);
    return 0;
}

static int teardown(void **state)
{
    vkt_daemon_free(D);
    D = NULL;
    return 0;
}

/* ---------------------------------------------------------------- API -- */

static void test_api_basics(void **state)
{
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(D->uri, 0));
    assert_string_equal(virtkit_connect_get_type(c), "test");
    assert_int_equal(virtkit_connect_is_remote(c), 1);
    assert_int_equal(virtkit_connect_is_alive(c), 1);
    char *caps = VKT_NONNULL(virtkit_connect_get_capabilities(c));
    assert_non_null(strstr(caps, "<capabilities>"));
    assert_non_null(strstr(caps, "<guest>"));
    free(caps);
    virtkit_node_info ni = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(virtkit_node_get_info(c, &ni));
    assert_int_equal(ni.cpus, 8); /* the test plugin's fake node, not this host */
    unsigned char *map = NULL;
    unsigned int online = 0;
    assert_int_equal(virtkit_node_get_cpu_map(c, &map, &online, 0), 8);
    assert_int_equal(online, 8);
    free(map);
    /* errors travel with their code, subsystem and words */
    assert_null(virtkit_domain_lookup_by_name(c, "no-such-domain"));
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "no-such-domain");
    assert_null(virtkit_domain_define_xml(c, "<domain type='test'><name>x</name>", 0));
    VKT_ERROR(VIRTKIT_ERR_XML, NULL);
    /* each client connection has its own test node */
    virtkit_connect *c2 = VKT_NONNULL(virtkit_connect_open(D->uri, 0));
    virtkit_domain *t = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    VKT_OK(virtkit_domain_destroy(t, 0));
    assert_int_equal(virtkit_connect_num_of_domains(c), 0);
    assert_int_equal(virtkit_connect_num_of_domains(c2), 1);
    virtkit_domain_free(t);
    virtkit_connect_close(c2);
    virtkit_connect_close(c);
}

/* Many threads share one connection: replies find their callers. */
typedef struct {
    virtkit_connect *c;
    int failures;
} mt_arg;

static void *mt_thread(void *opaque)
{
    mt_arg *a = opaque;
    for (int i = 0; i < 300; i++) {
        virtkit_domain *d = virtkit_domain_lookup_by_name(a->c, "test");
        char *x = d ? virtkit_domain_get_xml(d, 0) : NULL;
        if (!x || !strstr(x, "<name>test</name>") || virtkit_connect_num_of_domains(a->c) != 1)
            a->failures++;
        free(x);
        if (d)
            virtkit_domain_free(d);
    }
    return NULL;
}

/* Six threads calling on one new connection to `uri`; none may fail. */
static void run_threads_on_one_connection(const char *uri)
{
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(uri, 0));
    pthread_t th[6];
    mt_arg args[6];
    for (int i = 0; i < 6; i++) {
        args[i] = (mt_arg){ c, 0 };
        pthread_create(&th[i], NULL, mt_thread, &args[i]);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    virtkit_connect_close(c);
}

static void test_threads_share_connection(void **state)
{
    run_threads_on_one_connection(D->uri);
}

/* ------------------------------------------------------- read-only -- */

static void test_readonly_socket_refuses_changes(void **state)
{
    int fd = vkt_raw_connect(D->ro);
    assert_true(fd >= 0);
    assert_int_equal(vkt_raw_open(fd, "test:///default"), VK_RPC_OK);
    int refused = 0;
    uint32_t serial = 10;
    for (size_t i = 1; i < vk_rpc_nprocs; i++) {
        const vk_rpc_proc *p = vk_rpc_proc_get((uint32_t)i);
        if (!p || (p->flags & (VK_PROC_RO | VK_PROC_EVENT)))
            continue;
        vkt_raw_send(fd, VK_RPC_CALL, p->number, ++serial, VK_RPC_OK, NULL);
        int code = 0;
        VK_AUTOFREE(char *) msg = NULL;
        uint32_t st = vkt_raw_reply(fd, serial, &code, &msg);
        if (st != VK_RPC_ERROR || code != VIRTKIT_ERR_OPERATION_DENIED ||
            !strstr(msg, p->name) || !strstr(msg, "read-only socket"))
            fail_msg("%s on the read-only socket: status %u code %d '%s'", p->name, st, code,
                     msg ? msg : "");
        refused++;
    }
    assert_true(refused > 40);
    /* queries still work there */
    VkEmpty e = VK_EMPTY__INIT;
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_domain_num_active, ++serial, VK_RPC_OK, &e.base);
    assert_int_equal(vkt_raw_reply(fd, serial, NULL, NULL), VK_RPC_OK);
    close(fd);
    assert_true(vkt_daemon_log_has(D, "on the read-only socket", 2000));

    /* through the API: a client on the read-only socket reads only */
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(D->uri_ro, 0));
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_domain *d = VKT_NONNULL(virtkit_domain_lookup_by_name(c, "test"));
    assert_int_equal(virtkit_domain_destroy(d, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "read-only socket");
    /* and the daemon opened its connection read-only too */
    assert_null(virtkit_domain_get_xml(d, VIRTKIT_DOMAIN_XML_SECURE));
    VKT_ERROR(VIRTKIT_ERR_OPERATION_DENIED, "read-only");
    virtkit_domain_free(d);
    virtkit_connect_close(c);
    /* VIRTKIT_CONNECT_RO picks the read-only socket by itself */
    VK_AUTOFREE(char *) ro = vk_asprintf("test:///default?root=%s&socket=%s", D->root, D->ro);
    c = VKT_NONNULL(virtkit_connect_open(D->uri_ro, VIRTKIT_CONNECT_RO));
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_connect_close(c);
}

/* ----------------------------------------------------------- hostile -- */

static void test_unknown_and_garbage_keep_connection(void **state)
{
    int fd = vkt_raw_connect(D->rw);
    int code;
    VK_AUTOFREE(char *) msg = NULL;
    /* a call before connect_open */
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_domain_num_active, 5, VK_RPC_OK, NULL);
    assert_int_equal(vkt_raw_reply(fd, 5, &code, &msg), VK_RPC_ERROR);
    assert_int_equal(code, VIRTKIT_ERR_RPC);
    assert_non_null(strstr(msg, "before connect_open"));
    free(msg);
    assert_int_equal(vkt_raw_open(fd, "test:///default"), VK_RPC_OK);
    /* an unknown procedure */
    vkt_raw_send(fd, VK_RPC_CALL, 9999, 6, VK_RPC_OK, NULL);
    assert_int_equal(vkt_raw_reply(fd, 6, &code, &msg), VK_RPC_ERROR);
    assert_non_null(strstr(msg, "unknown procedure number 9999"));
    free(msg);
    /* a body that is not the procedure's message */
    static const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02 };
    vk_rpc_header h = { .type = VK_RPC_CALL, .proc = VK_PROC_domain_lookup, .serial = 7 };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new_raw(&h, junk, sizeof(junk), &len);
    vkt_raw_write(fd, buf, len);
    free(buf);
    assert_int_equal(vkt_raw_reply(fd, 7, &code, &msg), VK_RPC_ERROR);
    assert_int_equal(code, VIRTKIT_ERR_RPC);
    assert_non_null(strstr(msg, "malformed body"));
    free(msg);
    /* an event name used as a call */
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_event, 8, VK_RPC_OK, NULL);
    assert_int_equal(vkt_raw_reply(fd, 8, &code, &msg), VK_RPC_ERROR);
    free(msg);
    msg = NULL;
    /* a second open */
    VkOpenArgs oa = VK_OPEN_ARGS__INIT;
    oa.uri = (char *)"test:///default";
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_connect_open, 9, VK_RPC_OK, &oa.base);
    assert_int_equal(vkt_raw_reply(fd, 9, &code, &msg), VK_RPC_ERROR);
    assert_non_null(strstr(msg, "already open"));
    /* the connection is still good */
    VkEmpty e = VK_EMPTY__INIT;
    vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_domain_num_active, 10, VK_RPC_OK, &e.base);
    assert_int_equal(vkt_raw_reply(fd, 10, NULL, NULL), VK_RPC_OK);
    /* a keepalive ping is answered */
    vkt_raw_send(fd, VK_RPC_KEEPALIVE, VK_RPC_PING, 0, VK_RPC_OK, NULL);
    uint8_t *body = NULL;
    assert_int_equal(vkt_raw_recv(fd, &h, &body, 5000), 1);
    assert_int_equal(h.type, VK_RPC_KEEPALIVE);
    assert_int_equal(h.proc, VK_RPC_PONG);
    free(body);
    close(fd);
}

/* Frames that end the connection: the daemon says why (NOTICE), hangs up,
 * and keeps serving everyone else. */
static void expect_notice_and_close(int fd, const char *needle)
{
    vk_rpc_header h;
    uint8_t *body = NULL;
    int r = vkt_raw_recv(fd, &h, &body, 5000);
    assert_int_equal(r, 1);
    assert_int_equal(h.type, VK_RPC_NOTICE);
    VK_ARENA_STACK(a, 1024);
    VkError *e = (VkError *)vk_rpc_unpack(&vk_error__descriptor, body,
                                          h.len - VK_RPC_HEADER_SIZE, &a, "notice");
    assert_non_null(e);
    if (!strstr(e->message, needle))
        fail_msg("notice '%s' lacks '%s'", e->message, needle);
    free(body);
    assert_true(vkt_raw_closed(fd, 5000));
    close(fd);
}

static void test_fatal_frames(void **state)
{
    uint8_t hb[VK_RPC_HEADER_SIZE];
    /* a length far beyond the limit: refused before any allocation */
    int fd = vkt_raw_connect(D->rw);
    vk_rpc_header h = { .len = 0x7fffffff, .type = VK_RPC_CALL, .proc = 1, .serial = 1 };
    vk_rpc_header_encode(&h, hb);
    vkt_raw_write(fd, hb, sizeof(hb));
    expect_notice_and_close(fd, "exceeds the message size limit");
    /* a length shorter than the header */
    fd = vkt_raw_connect(D->rw);
    h.len = 3;
    vk_rpc_header_encode(&h, hb);
    vkt_raw_write(fd, hb, sizeof(hb));
    expect_notice_and_close(fd, "shorter than the 24-byte header");
    /* not our protocol at all */
    fd = vkt_raw_connect(D->rw);
    vkt_raw_write(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
    expect_notice_and_close(fd, "not virtkit's");
    /* a frame type only the daemon sends */
    fd = vkt_raw_connect(D->rw);
    vkt_raw_send(fd, VK_RPC_REPLY, 1, 1, VK_RPC_OK, NULL);
    expect_notice_and_close(fd, "only the daemon may send");
    /* truncated: a header promising 1000 bytes, 30 sent, then gone */
    fd = vkt_raw_connect(D->rw);
    h.len = 1000;
    vk_rpc_header_encode(&h, hb);
    vkt_raw_write(fd, hb, sizeof(hb));
    vkt_raw_write(fd, "0123456789012345678901234567890", 30);
    close(fd);
    /* random bytes */
    fd = vkt_raw_connect(D->rw);
    uint8_t rnd[4096];
    int u = open("/dev/urandom", O_RDONLY);
    assert_int_equal(read(u, rnd, sizeof(rnd)), (ssize_t)sizeof(rnd));
    close(u);
    vkt_raw_write(fd, rnd, sizeof(rnd));
    assert_true(vkt_raw_closed(fd, 5000));
    close(fd);
    still_serving(D->uri);
    assert_true(vkt_daemon_log_has(D, "protocol error", 2000));
}

static void test_thousand_idle_connections(void **state)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 1200) {
        rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < 1100)
        skip(); /* cannot hold 1000 sockets in this process */
    long rss0 = vkt_daemon_rss_kb(D);
    int fds[1000];
    for (int i = 0; i < 1000; i++) {
        fds[i] = vkt_raw_connect(D->rw);
        assert_true(fds[i] >= 0);
    }
    /* half of them open a connection and then idle too */
    for (int i = 0; i < 1000; i += 2)
        assert_int_equal(vkt_raw_open(fds[i], "test:///default"), VK_RPC_OK);
    int64_t t0 = vk_now_ms();
    still_serving(D->uri);
    assert_true(vk_now_ms() - t0 < 2000);
    long rss1 = vkt_daemon_rss_kb(D);
    print_message("# daemon RSS with 1000 idle connections (500 open): %ld kB (was %ld)\n", rss1,
                  rss0);
    for (int i = 0; i < 1000; i++)
        close(fds[i]);
    still_serving(D->uri);
}

/* A client that writes calls and never reads: the daemon stops reading it
 * once its replies pile up, without growing, and serves the others. */
static void test_client_that_stops_reading(void **state)
{
    int fd = vkt_raw_connect(D->rw);
    assert_int_equal(vkt_raw_open(fd, "test:///default"), VK_RPC_OK);
    int sz = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    vk_set_nonblock(fd, true);
    VkEmpty e = VK_EMPTY__INIT;
    vk_rpc_header h = { .type = VK_RPC_CALL, .proc = VK_PROC_connect_get_capabilities };
    size_t len;
    uint8_t *frame = vk_rpc_frame_new(&h, &e.base, &len);
    long rss0 = vkt_daemon_rss_kb(D);
    size_t sent = 0;
    int64_t t0 = vk_now_ms();
    /* Write until the daemon stops taking more (bounded by time). */
    while (vk_now_ms() - t0 < 4000) {
        ssize_t r = send(fd, frame, len, MSG_NOSIGNAL);
        if (r < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            if (poll(&p, 1, 500) == 0)
                break;
            continue;
        }
        assert_true(r == (ssize_t)len);
        sent++;
    }
    free(frame);
    long rss1 = vkt_daemon_rss_kb(D);
    print_message("# stuck client: %zu calls written before the daemon stopped reading; "
                  "daemon RSS %ld -> %ld kB\n", sent, rss0, rss1);
    int64_t t1 = vk_now_ms();
    still_serving(D->uri);
    assert_true(vk_now_ms() - t1 < 2000);
    assert_true(rss1 - rss0 < 64 * 1024);
    close(fd);
    still_serving(D->uri);
}

/* Out of file descriptors: the daemon neither spins nor stops serving; it
 * accepts again once clients leave. */
static void test_out_of_descriptors(void **state)
{
    setenv("VKT_DAEMON_NOFILE", "48", 1);
    vkt_daemon *d = vkt_daemon_start(NULL, NULL);
    unsetenv("VKT_DAEMON_NOFILE");
    int fds[80];
    for (int i = 0; i < 80; i++)
        fds[i] = vkt_raw_connect(d->rw); /* the backlog takes them all */
    usleep(300000);
    /* a spinning I/O thread would use about a second of CPU per second */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)d->pid);
    VK_AUTOFREE(char *) st0 = vkt_read_file(path);
    unsigned long u0 = 0, s0 = 0, u1 = 0, s1 = 0;
    sscanf(strrchr(st0, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &u0, &s0);
    usleep(1000000);
    VK_AUTOFREE(char *) st1 = vkt_read_file(path);
    sscanf(strrchr(st1, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &u1, &s1);
    long ticks = (long)((u1 + s1) - (u0 + s0));
    print_message("# daemon CPU while out of descriptors: %ld ticks in 1 s\n", ticks);
    assert_true(ticks < sysconf(_SC_CLK_TCK) / 4);
    assert_true(vkt_daemon_log_has(d, "retrying in a second", 2000));
    for (int i = 0; i < 80; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    int64_t t0 = vk_now_ms();
    virtkit_connect *c = NULL;
    while (!c && vk_now_ms() - t0 < 5000) {
        c = virtkit_connect_open(d->uri, 0);
        if (!c)
            usleep(50000);
    }
    assert_non_null(c);
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

/* ------------------------------------------------------------ limits -- */

static void test_max_clients(void **state)
{
    vkt_daemon *d = vkt_daemon_start("limits = { max_clients = 3; };\n", NULL);
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = vkt_raw_connect(d->rw);
        assert_int_equal(vkt_raw_open(fds[i], "test:///default"), VK_RPC_OK);
    }
    assert_null(virtkit_connect_open(d->uri, 0));
    VKT_ERROR(VIRTKIT_ERR_AGAIN, "limit of 3 clients");
    close(fds[0]);
    /* a slot frees when a client leaves */
    int64_t t0 = vk_now_ms();
    virtkit_connect *c = NULL;
    while (!c && vk_now_ms() - t0 < 3000) {
        c = virtkit_connect_open(d->uri, 0);
        if (!c)
            usleep(20000);
    }
    assert_non_null(c);
    virtkit_connect_close(c);
    close(fds[1]);
    close(fds[2]);
    assert_true(vkt_daemon_log_has(d, "limit of 3 clients", 2000));
    vkt_daemon_free(d);
}

static void test_max_requests(void **state)
{
    vkt_daemon *d = vkt_daemon_start("limits = { max_requests = 4; workers = 2; };\n"
                                     "testing = { delay_procedure = \"domain_num_defined\";"
                                     " delay_ms = 300; };\n",
                                     NULL);
    int fd = vkt_raw_connect(d->rw);
    assert_int_equal(vkt_raw_open(fd, "test:///default"), VK_RPC_OK);
    VkEmpty e = VK_EMPTY__INIT;
    for (uint32_t s = 100; s < 110; s++)
        vkt_raw_send(fd, VK_RPC_CALL, VK_PROC_domain_num_defined, s, VK_RPC_OK, &e.base);
    int ok = 0, again = 0;
    /* Refusals come back at once, the others after the delay: tally by
     * status in whatever order they arrive. */
    for (int k = 0; k < 10; k++) {
        vk_rpc_header h;
        uint8_t *body = NULL;
        assert_int_equal(vkt_raw_recv(fd, &h, &body, 10000), 1);
        assert_int_equal(h.type, VK_RPC_REPLY);
        assert_true(h.serial >= 100 && h.serial < 110);
        if (h.status == VK_RPC_OK) {
            ok++;
        } else {
            VK_ARENA_STACK(a, 1024);
            VkError *err = (VkError *)vk_rpc_unpack(&vk_error__descriptor, body,
                                                    h.len - VK_RPC_HEADER_SIZE, &a, "error");
            assert_non_null(err);
            if (err->code != VIRTKIT_ERR_AGAIN || !strstr(err->message, "limit is 4"))
                fail_msg("unexpected refusal %d: %s", err->code, err->message);
            again++;
        }
        free(body);
    }
    assert_int_equal(ok, 4);
    assert_int_equal(again, 6);
    close(fd);
    /* The library queues calls beyond the daemon's limit instead: */
    run_threads_on_one_connection(d->uri);
    vkt_daemon_free(d);
}

static void test_message_limit(void **state)
{
    vkt_daemon *d = vkt_daemon_start("limits = { max_message_size = 65536; };\n", NULL);
    virtkit_connect *c = VKT_NONNULL(virtkit_connect_open(d->uri, 0));
    size_t n = 70000;
    char *xml = vk_alloc(n + 200);
    strcpy(xml, "<domain type='test'><name>big</name><description>");
    memset(xml + strlen(xml), 'x', n);
    strcat(xml, "</description></domain>");
    assert_null(virtkit_domain_define_xml(c, xml, 0));
    VKT_ERROR(VIRTKIT_ERR_RPC, "more than the daemon's message limit of 65536");
    free(xml);
    /* the connection is fine afterwards */
    assert_int_equal(virtkit_connect_num_of_domains(c), 1);
    virtkit_connect_close(c);
    vkt_daemon_free(d);
}

int main(void)
{
    virtkit_event_register_default_impl();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_basics),
        cmocka_unit_test(test_threads_share_connection),
        cmocka_unit_test(test_readonly_socket_refuses_changes),
        cmocka_unit_test(test_unknown_and_garbage_keep_connection),
        cmocka_unit_test(test_fatal_frames),
        cmocka_unit_test(test_thousand_idle_connections),
        cmocka_unit_test(test_client_that_stops_reading),
        cmocka_unit_test(test_out_of_descriptors),
        cmocka_unit_test(test_max_clients),
        cmocka_unit_test(test_max_requests),
        cmocka_unit_test(test_message_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
