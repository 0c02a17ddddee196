/*
 * test_protocol.c: the wire protocol's building blocks without a daemon:
 * the procedure table (its own contract), frame headers, arenas, body
 * decoding of hostile bytes, access rules and the event backlog.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "access.h"
#include "daemon_conf.h"
#include "evlog.h"
#include "fileutil.h"
#include "protocol.h"
#include "server_priv.h"
#include "testutil.h"

/* ---------------------------------------------------- the proc table -- */

static void test_table_numbers(void **state)
{
    size_t n = 0;
    for (size_t i = 0; i < vk_rpc_nprocs; i++) {
        const vk_rpc_proc *p = &vk_rpc_procs[i];
        if (!p->number)
            continue;
        n++;
        /* Indexed by number: a row's number is its slot. */
        assert_int_equal(p->number, i);
        assert_ptr_equal(vk_rpc_proc_get((uint32_t)i), p);
        assert_non_null(p->name);
        assert_non_null(p->args);
        assert_non_null(p->ret);
        /* names are unique and found by name */
        assert_ptr_equal(vk_rpc_proc_by_name(p->name), p);
    }
    assert_true(n > 80);
    assert_null(vk_rpc_proc_get(0));
    assert_null(vk_rpc_proc_get((uint32_t)vk_rpc_nprocs));
    assert_null(vk_rpc_proc_get(0xffffffffu));
    assert_null(vk_rpc_proc_by_name("no_such_procedure"));
}

/* Every procedure has a server handler and a sound access check. */
static void test_table_handlers_and_acl(void **state)
{
    assert_true(vk_srv_nhandlers >= vk_rpc_nprocs);
    for (size_t i = 1; i < vk_rpc_nprocs; i++) {
        const vk_rpc_proc *p = &vk_rpc_procs[i];
        if (!p->number)
            continue;
        if (!vk_srv_handlers[i])
            fail_msg("procedure %s has no handler", p->name);
        if (p->object >= VK_ACL_NOBJECTS || p->op >= VK_ACL_NOPS)
            fail_msg("procedure %s has no valid access check", p->name);
        /* open is for connect_open only */
        if ((p->op == VK_ACL_OPEN) != (p->number == VK_PROC_connect_open))
            fail_msg("procedure %s: the 'open' check belongs to connect_open alone", p->name);
        /* The read-only socket only takes calls that read: a procedure
         * flagged read-only-safe must check a read operation. */
        if ((p->flags & VK_PROC_RO) && p->op != VK_ACL_READ && p->op != VK_ACL_OPEN)
            fail_msg("procedure %s is read-only-safe but checks '%s'", p->name,
                     vk_acl_op_names[p->op]);
        /* and anything that changes state is refused there */
        if (!(p->flags & VK_PROC_RO) && p->op == VK_ACL_READ && p->object != VK_ACL_CONNECT)
            fail_msg("procedure %s reads but is refused on the read-only socket", p->name);
        if ((p->flags & VK_PROC_STREAM) && p->ret != &vk_empty__descriptor)
            fail_msg("stream procedure %s must reply with VkEmpty", p->name);
        if ((p->flags & VK_PROC_EVENT) && (p->flags & (VK_PROC_PRIO | VK_PROC_STREAM)))
            fail_msg("event %s cannot be a call", p->name);
    }
    assert_true(vk_rpc_proc_get(VK_PROC_domain_destroy)->flags & VK_PROC_PRIO);
    assert_true(vk_rpc_proc_get(VK_PROC_connect_open)->flags & VK_PROC_RO);
    assert_false(vk_rpc_proc_get(VK_PROC_domain_suspend)->flags & VK_PROC_RO);
    for (int i = 0; i < VK_ACL_NOBJECTS; i++)
        assert_non_null(vk_acl_object_names[i]);
    for (int i = 0; i < VK_ACL_NOPS; i++)
        assert_non_null(vk_acl_op_names[i]);
}

/* Numbers are append-only: these must never change (the wire promise). */
static void test_table_frozen(void **state)
{
    static const struct {
        uint32_t num;
        const char *name;
    } frozen[] = {
        { 1, "connect_open" },       { 7, "event" },           { 20, "domain_num_active" },
        { 22, "domain_list_all" },   { 23, "domain_lookup" },  { 31, "domain_destroy" },
        { 43, "domain_get_xml" },    { 53, "domain_open_console" },
        { 70, "network_list_all" },  { 90, "pool_list_all" },  { 116, "volume_download" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(frozen); i++) {
        const vk_rpc_proc *p = vk_rpc_proc_get(frozen[i].num);
        assert_non_null(p);
        assert_string_equal(p->name, frozen[i].name);
    }
}

/* ---------------------------------------------------------- headers -- */

static void test_header_roundtrip(void **state)
{
    vk_rpc_header h = { .len = 100, .type = VK_RPC_REPLY, .proc = 43, .serial = 0xdeadbeef,
                        .status = VK_RPC_ERROR };
    uint8_t b[VK_RPC_HEADER_SIZE];
    vk_rpc_header_encode(&h, b);
    vk_rpc_header g;
    VKT_OK(vk_rpc_header_decode(b, 1000, &g));
    assert_int_equal(g.len, 100);
    assert_int_equal(g.type, VK_RPC_REPLY);
    assert_int_equal(g.proc, 43);
    assert_int_equal(g.serial, 0xdeadbeef);
    assert_int_equal(g.status, VK_RPC_ERROR);
    assert_int_equal(g.version, VK_RPC_VERSION);
    assert_int_equal(g.program, VK_RPC_PROGRAM);
    /* big-endian on the wire */
    assert_int_equal(b[3], 100);
    assert_int_equal(b[4], 'V');
}

static void test_header_rejects(void **state)
{
    vk_rpc_header h = { .len = 100, .type = VK_RPC_CALL, .proc = 1 };
    uint8_t b[VK_RPC_HEADER_SIZE];

    vk_rpc_header_encode(&h, b);
    assert_int_equal(vk_rpc_header_decode(b, 99, &h), -1);
    VKT_ERROR(VIRTKIT_ERR_RPC, "exceeds the message size limit of 99");

    h.len = 10;
    vk_rpc_header_encode(&h, b);
    assert_int_equal(vk_rpc_header_decode(b, 1000, &h), -1);
    VKT_ERROR(VIRTKIT_ERR_RPC, "shorter than the 24-byte header");

    h.len = 24;
    vk_rpc_header_encode(&h, b);
    b[4] = 'X';
    assert_int_equal(vk_rpc_header_decode(b, 1000, &h), -1);
    VKT_ERROR(VIRTKIT_ERR_RPC, "not virtkit's");

    vk_rpc_header_encode(&h, b);
    b[9] = 7; /* version */
    assert_int_equal(vk_rpc_header_decode(b, 1000, &h), -1);
    VKT_ERROR(VIRTKIT_ERR_RPC, "protocol version");

    vk_rpc_header_encode(&h, b);
    b[11] = 99; /* type */
    assert_int_equal(vk_rpc_header_decode(b, 1000, &h), -1);
    VKT_ERROR(VIRTKIT_ERR_RPC, "unknown type 99");

    h = (vk_rpc_header){ .len = 24, .type = VK_RPC_CALL, .proc = 1, .status = 7 };
    vk_rpc_header_encode(&h, b);
    assert_int_equal(vk_rpc_header_decode(b, 1000, &h), -1);
    VKT_ERROR(VIRTKIT_ERR_RPC, "unknown status 7");
}

/* ----------------------------------------------------- bodies, arena -- */

static void test_unpack_garbage(void **state)
{
    VK_ARENA_STACK(a, 256);
    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x12 };
    assert_null(vk_rpc_unpack(&vk_ref_flags__descriptor, junk, sizeof(junk), &a, "test"));
    VKT_ERROR(VIRTKIT_ERR_RPC, "VkRefFlags");
    /* A required field missing is malformed too. */
    assert_null(vk_rpc_unpack(&vk_ref_flags__descriptor, (const uint8_t *)"", 0, &a, "test"));
    VKT_ERROR(VIRTKIT_ERR_RPC, "malformed body");
    /* An empty body is a valid VkEmpty. */
    assert_non_null(vk_rpc_unpack(&vk_empty__descriptor, (const uint8_t *)"", 0, &a, "test"));
}

static void test_arena_and_pack(void **state)
{
    /* A big message overflows the stack buffer into malloc'd blocks. */
    VK_ARENA_STACK(a, 64);
    virtkit_params *p = virtkit_params_new();
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        virtkit_params_add_ullong(p, name, (unsigned long long)i * 1000);
    }
    virtkit_params_add_string(p, "s", "text");
    virtkit_params_add_double(p, "d", 2.5);
    virtkit_params_add_bool(p, "b", 1);
    virtkit_params_add_int(p, "i", -7);
    VkParams w = VK_PARAMS__INIT;
    vk_rpc_params_to_wire(p, &w, &a);
    vk_rpc_header h = { .type = VK_RPC_REPLY, .proc = 13 };
    size_t len;
    uint8_t *buf = vk_rpc_frame_new(&h, &w.base, &len);
    vk_rpc_header g;
    VKT_OK(vk_rpc_header_decode(buf, (uint32_t)len, &g));
    assert_int_equal(g.len, len);
    VkParams *back = (VkParams *)vk_rpc_unpack(&vk_params__descriptor, buf + VK_RPC_HEADER_SIZE,
                                               len - VK_RPC_HEADER_SIZE, &a, "params");
    assert_non_null(back);
    virtkit_params *q = vk_rpc_params_from_wire(back);
    assert_int_equal(virtkit_params_count(q), 204);
    unsigned long long v = 0;
    assert_int_equal(virtkit_params_get_ullong(q, "p199", &v), 1);
    assert_true(v == 199000);
    const char *s = NULL;
    assert_int_equal(virtkit_params_get_string(q, "s", &s), 1);
    assert_string_equal(s, "text");
    int b = 0, iv = 0;
    assert_int_equal(virtkit_params_get_bool(q, "b", &b), 1);
    assert_int_equal(b, 1);
    assert_int_equal(virtkit_params_get_int(q, "i", &iv), 1);
    assert_int_equal(iv, -7);
    virtkit_params_free(q);
    virtkit_params_free(p);
    free(buf);
}

static void test_error_frame(void **state)
{
    vk_error_set(VIRTKIT_ERR_NO_DOMAIN, VIRTKIT_SUB_HYPERVISOR, "no domain named 'x'");
    vk_rpc_header h = { .type = VK_RPC_REPLY, .proc = 23, .serial = 5 };
    size_t len;
    uint8_t *buf = vk_rpc_frame_error(&h, &len);
    assert_int_equal(h.status, VK_RPC_ERROR);
    VK_ARENA_STACK(a, 512);
    VkError *e = (VkError *)vk_rpc_unpack(&vk_error__descriptor, buf + VK_RPC_HEADER_SIZE,
                                          len - VK_RPC_HEADER_SIZE, &a, "error");
    assert_non_null(e);
    virtkit_error_clear();
    vk_rpc_error_raise(e);
    VKT_ERROR(VIRTKIT_ERR_NO_DOMAIN, "no domain named 'x'");
    assert_int_equal(virtkit_error_last()->subsystem, VIRTKIT_SUB_HYPERVISOR);
    free(buf);
}

/* ------------------------------------------------------------ access -- */

static void test_access_rules(void **state)
{
    vk_access *a = VKT_NONNULL(vk_access_parse(
        "# comment line\n"
        "uid:0 * all\n"
        "user:nobody domain:read,start,stop  network:read\n"
        "gid:4242 pool all\n"
        "dn:CN=ops,O=Example  * all\n"
        "dn:CN=monitor*  *:read   # trailing comment\n"
        "\n",
        "rules"));
    assert_int_equal(vk_access_count(a), 5);
    vk_identity root = { .unix_peer = true, .uid = 0, .gid = 0 };
    vk_identity nobody = { .unix_peer = true, .uid = 65534, .gid = 65534, .user = "nobody" };
    vk_identity g = { .unix_peer = true, .uid = 1234, .gid = 4242 };
    vk_identity ops = { .dn = "CN=ops,O=Example" };
    vk_identity mon = { .dn = "CN=monitor-3,O=Example" };
    vk_identity stranger = { .unix_peer = true, .uid = 999, .gid = 999 };
    assert_true(vk_access_allowed(a, &root, VK_ACL_DOMAIN, VK_ACL_MIGRATE));
    assert_true(vk_access_allowed(a, &nobody, VK_ACL_DOMAIN, VK_ACL_STOP));
    assert_false(vk_access_allowed(a, &nobody, VK_ACL_DOMAIN, VK_ACL_WRITE));
    assert_true(vk_access_allowed(a, &nobody, VK_ACL_NETWORK, VK_ACL_READ));
    assert_false(vk_access_allowed(a, &nobody, VK_ACL_NETWORK, VK_ACL_START));
    /* any matching line grants opening and connection-level reads */
    assert_true(vk_access_allowed(a, &nobody, VK_ACL_CONNECT, VK_ACL_OPEN));
    assert_true(vk_access_allowed(a, &g, VK_ACL_POOL, VK_ACL_STOP));
    assert_false(vk_access_allowed(a, &g, VK_ACL_DOMAIN, VK_ACL_READ));
    assert_true(vk_access_allowed(a, &ops, VK_ACL_VOLUME, VK_ACL_UPLOAD));
    assert_true(vk_access_allowed(a, &mon, VK_ACL_DOMAIN, VK_ACL_READ));
    assert_false(vk_access_allowed(a, &mon, VK_ACL_DOMAIN, VK_ACL_READ_SECURE));
    assert_false(vk_access_allowed(a, &mon, VK_ACL_DOMAIN, VK_ACL_STOP));
    assert_false(vk_access_allowed(a, &stranger, VK_ACL_CONNECT, VK_ACL_OPEN));
    assert_false(vk_access_allowed(a, &stranger, VK_ACL_DOMAIN, VK_ACL_READ));
    /* a TLS identity never matches uid rules and the reverse */
    vk_identity tls0 = { .dn = "CN=x" };
    assert_false(vk_access_allowed(a, &tls0, VK_ACL_DOMAIN, VK_ACL_READ));
    /* no rules: everything allowed */
    assert_true(vk_access_allowed(NULL, &stranger, VK_ACL_DOMAIN, VK_ACL_STOP));
    vk_access_free(a);
}

static void test_access_errors(void **state)
{
    static const struct {
        const char *text;
        const char *needle;
    } bad[] = {
        { "uid:0\n", "rules:1: identity 'uid:0' grants nothing" },
        { "\n\nuid:abc * all\n", "rules:3: 'abc' is not a number" },
        { "host:foo * all\n", "unknown identity kind 'host'" },
        { "uid:0 domian:read\n", "unknown object kind 'domian'" },
        { "uid:0 domain:reed\n", "unknown operation 'reed'" },
        { "user: * all\n", "identity 'user:' must be" },
        { "uid:0 domain\n", "'domain' must be object:operations" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(bad); i++) {
        virtkit_error_clear();
        assert_null(vk_access_parse(bad[i].text, "rules"));
        VKT_ERROR(VIRTKIT_ERR_CONF, bad[i].needle);
    }
    assert_null(vk_access_load("/nonexistent/access.conf"));
    VKT_ERROR(VIRTKIT_ERR_SYSTEM, "/nonexistent/access.conf");
}

/* ------------------------------------------------------------ evlog -- */

static vk_event mk(vk_event_kind kind, const char *name, int event)
{
    vk_event e = { .kind = kind, .event = event, .obj = { .name = (char *)name, .id = 1 } };
    e.obj.uuid[0] = (unsigned char)name[0];
    return e;
}

typedef struct {
    uint64_t seqs[16];
    int events[16];
    int n;
} replay_log;

static void collect(void *opaque, uint64_t seq, const vk_event *ev)
{
    replay_log *l = opaque;
    l->seqs[l->n] = seq;
    l->events[l->n++] = ev->event;
}

static void test_evlog(void **state)
{
    char *dir = vkt_tmpdir();
    VK_AUTOFREE(char *) path = vk_asprintf("%s/events.pb", dir);
    vk_evlog *l = vk_evlog_new(4, path);
    assert_int_equal(vk_evlog_last(l), 0);
    VKT_OK(vk_evlog_check_resume(l, 0));
    vk_event a = mk(VK_EV_DOMAIN_LIFECYCLE, "a", 3);
    /* a client's copy, then the hub's (origin 0) and a second client's
     * copy of the same event of a shared driver: one number */
    assert_int_equal(vk_evlog_record(l, "qemu:///system", 1, 0, &a), 1);
    assert_int_equal(vk_evlog_record(l, "qemu:///system", 0, 0, &a), 1);
    assert_int_equal(vk_evlog_record(l, "qemu:///system", 2, 0, &a), 1);
    /* ... but the same client saying it again is a new event */
    assert_int_equal(vk_evlog_record(l, "qemu:///system", 2, 1, &a), 2);
    /* and two clients without a hub copy are two events (private state) */
    vk_event b = mk(VK_EV_DOMAIN_LIFECYCLE, "b", 4);
    assert_int_equal(vk_evlog_record(l, "test:///default", 1, 1, &b), 3);
    assert_int_equal(vk_evlog_record(l, "test:///default", 2, 2, &b), 4);
    vk_event n = mk(VK_EV_NETWORK_LIFECYCLE, "n", 2);
    assert_int_equal(vk_evlog_record(l, "qemu:///system", 1, 1, &n), 5);

    /* the ring keeps 4: the fifth evicted event 1 */
    replay_log r = { 0 };
    assert_int_equal(vk_evlog_replay(l, "qemu:///system", VK_EV_DOMAIN_LIFECYCLE, 0, collect, &r),
                     1);
    assert_int_equal(r.seqs[0], 2);
    memset(&r, 0, sizeof(r));
    assert_int_equal(vk_evlog_replay(l, "test:///default", VK_EV_DOMAIN_LIFECYCLE, 0, collect, &r),
                     2);
    assert_int_equal(r.seqs[0], 3);
    assert_int_equal(r.seqs[1], 4);

    /* resume points ahead of the daemon are refused */
    assert_int_equal(vk_evlog_check_resume(l, 99), -1);
    VKT_ERROR(VIRTKIT_ERR_EVENTS_MISSED, "last event is 5");
    VKT_OK(vk_evlog_check_resume(l, 1));
    assert_int_equal(vk_evlog_check_resume(l, 0), -1);
    VKT_ERROR(VIRTKIT_ERR_EVENTS_MISSED, "events up to 1 are no longer kept");

    /* a clean shutdown keeps everything for the next daemon */
    vk_evlog_add_key(l, "qemu:///system");
    vk_evlog_add_key(l, "qemu:///system");
    VKT_OK(vk_evlog_save(l, true));
    vk_evlog_free(l);
    l = vk_evlog_new(4, path);
    assert_int_equal(vk_evlog_last(l), 5);
    char **keys = vk_evlog_keys(l);
    assert_int_equal(vk_strv_len(keys), 1);
    assert_string_equal(keys[0], "qemu:///system");
    vk_strv_free(keys);
    VKT_OK(vk_evlog_check_resume(l, 2));
    memset(&r, 0, sizeof(r));
    assert_int_equal(vk_evlog_replay(l, "test:///default", VK_EV_DOMAIN_LIFECYCLE, 3, collect, &r),
                     1);
    assert_int_equal(r.seqs[0], 4);
    assert_int_equal(r.events[0], 4);
    assert_int_equal(vk_evlog_record(l, "qemu:///system", 7, 0, &a), 6);

    /* a crash (no clean save): numbers jump and old resume points miss */
    VKT_OK(vk_evlog_save(l, false));
    vk_evlog_free(l);
    l = vk_evlog_new(4, path);
    assert_true(vk_evlog_last(l) > 1000000);
    assert_int_equal(vk_evlog_check_resume(l, 6), -1);
    VKT_ERROR(VIRTKIT_ERR_EVENTS_MISSED, "no longer kept");
    vk_evlog_free(l);

    /* an unreadable file is a crash too, not a failure to start */
    VKT_OK(vk_file_write_atomic(path, "garbage!", 8, 0600));
    l = vk_evlog_new(4, path);
    assert_true(vk_evlog_last(l) > 1000000);
    vk_evlog_free(l);
    vkt_tmpdir_cleanup(dir);
}

/* ------------------------------------------------- shipped config files -- */

static void test_shipped_access_rules(void **state)
{
    VK_AUTOFREE(char *) path = vkt_srcpath("../conf/access.conf");
    vk_access *a = VKT_NONNULL(vk_access_load(path));
    assert_true(vk_access_count(a) >= 4);
    vk_identity root = { .unix_peer = true, .uid = 0 };
    assert_true(vk_access_allowed(a, &root, VK_ACL_DOMAIN, VK_ACL_MIGRATE));
    vk_identity backup = { .dn = "CN=backup-3,O=Example" };
    assert_true(vk_access_allowed(a, &backup, VK_ACL_VOLUME, VK_ACL_DOWNLOAD));
    assert_false(vk_access_allowed(a, &backup, VK_ACL_DOMAIN, VK_ACL_STOP));
    vk_access_free(a);
}

static void test_daemon_config(void **state)
{
    char *dir = vkt_tmpdir();
    vk_paths *paths = vk_paths_new(dir);
    vkd_config cfg;
    /* the shipped file (everything commented out) gives the defaults */
    VK_AUTOFREE(char *) shipped = vkt_srcpath("../conf/virtkitd.conf");
    VKT_OK(vkd_config_load(&cfg, shipped, true, paths));
    assert_int_equal(cfg.rw_mode, 0700);
    assert_int_equal(cfg.ro_mode, 0777);
    assert_int_equal(cfg.tls_port, 16514);
    assert_int_equal(cfg.workers, 8);
    assert_int_equal(cfg.max_message_size, 16u << 20);
    VK_AUTOFREE(char *) sock = vk_asprintf("%s/run/virtkit/virtkitd-sock", dir);
    assert_string_equal(cfg.rw_socket, sock);
    vkd_config_clear(&cfg);

    VK_AUTOFREE(char *) f = vk_asprintf("%s/v.conf", dir);
    static const char good[] =
        "unix = { rw_mode = \"0770\"; group = \"kvm\"; };\n"
        "tls = { listen = true; port = 1234; allowed_dn = ( \"CN=a*\", \"CN=b\" ); };\n"
        "limits = { workers = 3; max_message_size = 65536; };\n"
        "keepalive = { interval = -1; };\n"
        "log = { level = \"debug\"; };\n";
    VKT_OK(vk_file_write_atomic(f, good, strlen(good), 0600));
    VKT_OK(vkd_config_load(&cfg, f, true, paths));
    assert_int_equal(cfg.rw_mode, 0770);
    assert_string_equal(cfg.group, "kvm");
    assert_true(cfg.tls_listen);
    assert_int_equal(cfg.tls_port, 1234);
    assert_int_equal(vk_strv_len(cfg.tls_allowed_dn), 2);
    assert_int_equal(cfg.workers, 3);
    assert_int_equal(cfg.keepalive_interval, -1);
    vkd_config_clear(&cfg);

    static const struct {
        const char *text;
        const char *needle;
    } bad[] = {
        { "limits = { wokers = 3; };\n", "v.conf:1: setting 'limits.wokers' is not a virtkitd" },
        { "\nlimits = { workers = \"3\"; };\n", "v.conf:2: setting 'limits.workers' must be an integer" },
        { "limits = { workers = 0; };\n", "is 0, outside 1..1024" },
        { "limits = { max_message_size = 100; };\n", "is 100, outside 65536.." },
        { "unix = { ro_mode = \"0999\"; };\n", "must be an octal mode string" },
        { "tls = { listen = 1; };\n", "must be true or false" },
        { "tls = { allowed_dn = ( 1, 2 ); };\n", "element 1 is not a string" },
        { "tls = { listen = true; cert = \"\"; };\n", "tls.listen needs tls.cert" },
        { "limits = { workers = 3;\n\n", "v.conf:3: syntax error" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(bad); i++) {
        VKT_OK(vk_file_write_atomic(f, bad[i].text, strlen(bad[i].text), 0600));
        virtkit_error_clear();
        assert_int_equal(vkd_config_load(&cfg, f, true, paths), -1);
        VKT_ERROR(VIRTKIT_ERR_CONF, bad[i].needle);
        vkd_config_clear(&cfg);
    }
    VK_AUTOFREE(char *) missing = vk_asprintf("%s/none.conf", dir);
    VKT_OK(vkd_config_load(&cfg, missing, false, paths));
    vkd_config_clear(&cfg);
    assert_int_equal(vkd_config_load(&cfg, missing, true, paths), -1);
    VKT_ERROR(VIRTKIT_ERR_CONF, "does not exist");
    vkd_config_clear(&cfg);
    vk_paths_free(paths);
    vkt_tmpdir_cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_numbers),
        cmocka_unit_test(test_table_handlers_and_acl),
        cmocka_unit_test(test_table_frozen),
        cmocka_unit_test(test_header_roundtrip),
        cmocka_unit_test(test_header_rejects),
        cmocka_unit_test(test_unpack_garbage),
        cmocka_unit_test(test_arena_and_pack),
        cmocka_unit_test(test_error_frame),
        cmocka_unit_test(test_access_rules),
        cmocka_unit_test(test_access_errors),
        cmocka_unit_test(test_evlog),
        cmocka_unit_test(test_shipped_access_rules),
        cmocka_unit_test(test_daemon_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
