/*
 * cmd_object.c: virtual networks (net-*), storage pools (pool-*) and
 * volumes (vol-*).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "util.h"

#define OPTS(...) ((const cli_opt[]){ __VA_ARGS__, { NULL, 0, NULL } })
#define ARGS(...) ((const cli_arg[]){ __VA_ARGS__, { NULL, false, NULL } })
#define NETARG { "network", true, "network name or uuid" }
#define POOLARG { "pool", true, "storage pool name or uuid" }
#define VOLARG { "volume", true, "volume name (with --pool), key or path" }

/* ------------------------------------------------------------ networks -- */

static virtkit_network *get_net(cli_ctx *c, const char *arg)
{
    virtkit_network *n = virtkit_network_lookup_by_name(c->conn, arg);
    if (!n && strlen(arg) >= 32)
        n = virtkit_network_lookup_by_uuid_string(c->conn, arg);
    if (!n)
        cli_fail(c, "network lookup");
    return n;
}

static int cmd_net_list(cli_ctx *c)
{
    unsigned int flags = cli_flag(c, "all") ? 0 : VIRTKIT_LIST_NETWORKS_ACTIVE;
    if (cli_flag(c, "inactive"))
        flags = VIRTKIT_LIST_NETWORKS_INACTIVE;
    virtkit_network **nets = NULL;
    int n = virtkit_connect_list_all_networks(c->conn, &nets, flags);
    if (n < 0)
        return cli_fail(c, "net-list");
    static const char *const cols[] = { "Name", "State", "Autostart", "Persistent", NULL };
    out *o = out_begin_list(c->json, cols);
    for (int i = 0; i < n; i++) {
        int as = 0;
        virtkit_network_get_autostart(nets[i], &as);
        out_str(o, "name", virtkit_network_get_name(nets[i]));
        out_str(o, "state", virtkit_network_is_active(nets[i]) == 1 ? "active" : "inactive");
        out_bool(o, "autostart", as);
        out_bool(o, "persistent", virtkit_network_is_persistent(nets[i]) == 1);
        out_end_row(o);
        virtkit_network_free(nets[i]);
    }
    out_end(o);
    free(nets);
    return 0;
}

static int net_from_file(cli_ctx *c, bool create)
{
    VK_AUTOFREE(char *) xml = cli_read_file(cli_arg_str(c, 0));
    if (!xml)
        return 1;
    virtkit_network *n = create ? virtkit_network_create_xml(c->conn, xml, 0)
                                : virtkit_network_define_xml(c->conn, xml, 0);
    if (!n)
        return cli_fail(c, create ? "net-create" : "net-define");
    printf("Network '%s' %s from %s\n", virtkit_network_get_name(n),
           create ? "created" : "defined", cli_arg_str(c, 0));
    virtkit_network_free(n);
    return 0;
}

static int cmd_net_define(cli_ctx *c)
{
    return net_from_file(c, false);
}

static int cmd_net_create(cli_ctx *c)
{
    return net_from_file(c, true);
}

static int net_simple(cli_ctx *c, int (*op)(virtkit_network *, unsigned int), const char *done)
{
    virtkit_network *n = get_net(c, cli_arg_str(c, 0));
    if (!n)
        return 1;
    int r = op(n, 0);
    if (r < 0)
        cli_fail(c, done);
    else
        printf("Network '%s' %s\n", virtkit_network_get_name(n), done);
    virtkit_network_free(n);
    return r < 0;
}

static int cmd_net_start(cli_ctx *c)
{
    return net_simple(c, virtkit_network_create, "started");
}

static int cmd_net_destroy(cli_ctx *c)
{
    return net_simple(c, virtkit_network_destroy, "destroyed");
}

static int cmd_net_undefine(cli_ctx *c)
{
    return net_simple(c, virtkit_network_undefine, "undefined");
}

static int cmd_net_dumpxml(cli_ctx *c)
{
    virtkit_network *n = get_net(c, cli_arg_str(c, 0));
    if (!n)
        return 1;
    VK_AUTOFREE(char *) x =
        virtkit_network_get_xml(n, cli_flag(c, "inactive") ? VIRTKIT_DOMAIN_XML_INACTIVE : 0);
    virtkit_network_free(n);
    if (!x)
        return cli_fail(c, "net-dumpxml");
    fputs(x, stdout);
    return 0;
}

static int cmd_net_info(cli_ctx *c)
{
    virtkit_network *n = get_net(c, cli_arg_str(c, 0));
    if (!n)
        return 1;
    char uuid[VIRTKIT_UUID_STRING_BUFLEN];
    int as = 0;
    virtkit_network_get_uuid_string(n, uuid);
    virtkit_network_get_autostart(n, &as);
    VK_AUTOFREE(char *) br = virtkit_network_get_bridge_name(n);
    out *o = out_begin_kv(c->json);
    out_str(o, "Name", virtkit_network_get_name(n));
    out_str(o, "UUID", uuid);
    out_bool(o, "Active", virtkit_network_is_active(n) == 1);
    out_bool(o, "Persistent", virtkit_network_is_persistent(n) == 1);
    out_bool(o, "Autostart", as);
    out_str(o, "Bridge", br ? br : "");
    out_end(o);
    virtkit_error_clear();
    virtkit_network_free(n);
    return 0;
}

static int cmd_net_autostart(cli_ctx *c)
{
    virtkit_network *n = get_net(c, cli_arg_str(c, 0));
    if (!n)
        return 1;
    int r = virtkit_network_set_autostart(n, !cli_flag(c, "disable"));
    if (r < 0)
        cli_fail(c, "net-autostart");
    virtkit_network_free(n);
    return r < 0;
}

static int cmd_net_dhcp_leases(cli_ctx *c)
{
    virtkit_network *n = get_net(c, cli_arg_str(c, 0));
    if (!n)
        return 1;
    virtkit_params **leases = NULL;
    int cnt = virtkit_network_get_dhcp_leases(n, &leases, 0);
    virtkit_network_free(n);
    if (cnt < 0)
        return cli_fail(c, "net-dhcp-leases");
    static const char *const cols[] = { "MAC address", "IP address", "Hostname", NULL };
    out *o = out_begin_list(c->json, cols);
    for (int i = 0; i < cnt; i++) {
        const char *mac = "", *ip = "", *host = "";
        unsigned int prefix = 0;
        virtkit_params_get_string(leases[i], "mac", &mac);
        virtkit_params_get_string(leases[i], "ipaddr", &ip);
        virtkit_params_get_string(leases[i], "hostname", &host);
        virtkit_params_get_uint(leases[i], "prefix", &prefix);
        VK_AUTOFREE(char *) addr = vk_asprintf("%s/%u", ip, prefix);
        out_str(o, "mac", mac);
        out_str(o, "ip", addr);
        out_str(o, "hostname", host);
        out_end_row(o);
    }
    out_end(o);
    virtkit_params_array_free(leases, cnt);
    return 0;
}

/* --------------------------------------------------------------- pools -- */

static virtkit_pool *get_pool(cli_ctx *c, const char *arg)
{
    virtkit_pool *p = virtkit_pool_lookup_by_name(c->conn, arg);
    if (!p && strlen(arg) >= 32)
        p = virtkit_pool_lookup_by_uuid_string(c->conn, arg);
    if (!p)
        cli_fail(c, "pool lookup");
    return p;
}

static char *human_bytes(unsigned long long b)
{
    static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)b;
    size_t i = 0;
    while (v >= 1024 && i + 1 < VK_ARRAY_LEN(u)) {
        v /= 1024;
        i++;
    }
    return vk_asprintf(i ? "%.2f %s" : "%.0f %s", v, u[i]);
}

static void out_bytes(cli_ctx *c, out *o, const char *key, unsigned long long b)
{
    if (c->json) {
        out_uint(o, key, b);
    } else {
        VK_AUTOFREE(char *) h = human_bytes(b);
        out_str(o, key, h);
    }
}

static int cmd_pool_list(cli_ctx *c)
{
    unsigned int flags = cli_flag(c, "all") ? 0 : VIRTKIT_LIST_POOLS_ACTIVE;
    if (cli_flag(c, "inactive"))
        flags = VIRTKIT_LIST_POOLS_INACTIVE;
    virtkit_pool **pools = NULL;
    int n = virtkit_connect_list_all_pools(c->conn, &pools, flags);
    if (n < 0)
        return cli_fail(c, "pool-list");
    static const char *const cols[] = { "Name", "State", "Autostart", "Capacity", "Available",
                                        NULL };
    out *o = out_begin_list(c->json, cols);
    for (int i = 0; i < n; i++) {
        int as = 0;
        virtkit_pool_info info = VIRTKIT_POOL_INFO_INIT;
        virtkit_pool_get_autostart(pools[i], &as);
        virtkit_pool_get_info(pools[i], &info);
        out_str(o, "name", virtkit_pool_get_name(pools[i]));
        out_str(o, "state", info.state == VIRTKIT_POOL_RUNNING ? "active" : "inactive");
        out_bool(o, "autostart", as);
        out_bytes(c, o, "capacity", info.capacity);
        out_bytes(c, o, "available", info.available);
        out_end_row(o);
        virtkit_pool_free(pools[i]);
    }
    out_end(o);
    free(pools);
    return 0;
}

static int pool_from_file(cli_ctx *c, bool create)
{
    VK_AUTOFREE(char *) xml = cli_read_file(cli_arg_str(c, 0));
    if (!xml)
        return 1;
    virtkit_pool *p = create ? virtkit_pool_create_xml(c->conn, xml, 0)
                             : virtkit_pool_define_xml(c->conn, xml, 0);
    if (!p)
        return cli_fail(c, create ? "pool-create" : "pool-define");
    printf("Pool '%s' %s from %s\n", virtkit_pool_get_name(p), create ? "created" : "defined",
           cli_arg_str(c, 0));
    virtkit_pool_free(p);
    return 0;
}

static int cmd_pool_define(cli_ctx *c)
{
    return pool_from_file(c, false);
}

static int cmd_pool_create(cli_ctx *c)
{
    return pool_from_file(c, true);
}

static int pool_flags_op(cli_ctx *c, int (*op)(virtkit_pool *, unsigned int), const char *done)
{
    virtkit_pool *p = get_pool(c, cli_arg_str(c, 0));
    if (!p)
        return 1;
    int r = op(p, 0);
    if (r < 0)
        cli_fail(c, done);
    else
        printf("Pool '%s' %s\n", virtkit_pool_get_name(p), done);
    virtkit_pool_free(p);
    return r < 0;
}

static int pool_plain_op(cli_ctx *c, int (*op)(virtkit_pool *), const char *done)
{
    virtkit_pool *p = get_pool(c, cli_arg_str(c, 0));
    if (!p)
        return 1;
    int r = op(p);
    if (r < 0)
        cli_fail(c, done);
    else
        printf("Pool '%s' %s\n", virtkit_pool_get_name(p), done);
    virtkit_pool_free(p);
    return r < 0;
}

static int cmd_pool_start(cli_ctx *c)
{
    return pool_flags_op(c, virtkit_pool_create, "started");
}

static int cmd_pool_build(cli_ctx *c)
{
    return pool_flags_op(c, virtkit_pool_build, "built");
}

static int cmd_pool_delete(cli_ctx *c)
{
    return pool_flags_op(c, virtkit_pool_delete, "deleted");
}

static int cmd_pool_refresh(cli_ctx *c)
{
    return pool_flags_op(c, virtkit_pool_refresh, "refreshed");
}

static int cmd_pool_destroy(cli_ctx *c)
{
    return pool_plain_op(c, virtkit_pool_destroy, "destroyed");
}

static int cmd_pool_undefine(cli_ctx *c)
{
    return pool_plain_op(c, virtkit_pool_undefine, "undefined");
}

static int cmd_pool_dumpxml(cli_ctx *c)
{
    virtkit_pool *p = get_pool(c, cli_arg_str(c, 0));
    if (!p)
        return 1;
    VK_AUTOFREE(char *) x = virtkit_pool_get_xml(p, 0);
    virtkit_pool_free(p);
    if (!x)
        return cli_fail(c, "pool-dumpxml");
    fputs(x, stdout);
    return 0;
}

static int cmd_pool_info(cli_ctx *c)
{
    virtkit_pool *p = get_pool(c, cli_arg_str(c, 0));
    if (!p)
        return 1;
    virtkit_pool_info info = VIRTKIT_POOL_INFO_INIT;
    int as = 0;
    if (virtkit_pool_get_info(p, &info) < 0) {
        virtkit_pool_free(p);
        return cli_fail(c, "pool-info");
    }
    virtkit_pool_get_autostart(p, &as);
    char uuid[VIRTKIT_UUID_STRING_BUFLEN];
    virtkit_pool_get_uuid_string(p, uuid);
    out *o = out_begin_kv(c->json);
    out_str(o, "Name", virtkit_pool_get_name(p));
    out_str(o, "UUID", uuid);
    out_str(o, "State", info.state == VIRTKIT_POOL_RUNNING ? "running" : "inactive");
    out_bool(o, "Persistent", virtkit_pool_is_persistent(p) == 1);
    out_bool(o, "Autostart", as);
    out_bytes(c, o, "Capacity", info.capacity);
    out_bytes(c, o, "Allocation", info.allocation);
    out_bytes(c, o, "Available", info.available);
    out_end(o);
    virtkit_pool_free(p);
    return 0;
}

static int cmd_pool_autostart(cli_ctx *c)
{
    virtkit_pool *p = get_pool(c, cli_arg_str(c, 0));
    if (!p)
        return 1;
    int r = virtkit_pool_set_autostart(p, !cli_flag(c, "disable"));
    if (r < 0)
        cli_fail(c, "pool-autostart");
    virtkit_pool_free(p);
    return r < 0;
}

/* ------------------------------------------------------------- volumes -- */

static virtkit_volume *get_vol(cli_ctx *c, const char *arg)
{
    const char *pool = cli_opt_str(c, "pool");
    virtkit_volume *v = NULL;
    if (pool) {
        virtkit_pool *p = get_pool(c, pool);
        if (!p)
            return NULL;
        v = virtkit_volume_lookup_by_name(p, arg);
        virtkit_pool_free(p);
    } else {
        v = virtkit_volume_lookup_by_key(c->conn, arg);
        if (!v)
            v = virtkit_volume_lookup_by_path(c->conn, arg);
    }
    if (!v)
        cli_fail(c, "volume lookup");
    return v;
}

static int cmd_vol_list(cli_ctx *c)
{
    virtkit_pool *p = get_pool(c, cli_arg_str(c, 0));
    if (!p)
        return 1;
    virtkit_volume **vols = NULL;
    int n = virtkit_pool_list_all_volumes(p, &vols, 0);
    virtkit_pool_free(p);
    if (n < 0)
        return cli_fail(c, "vol-list");
    static const char *const cols[] = { "Name", "Path", "Capacity", NULL };
    out *o = out_begin_list(c->json, cols);
    for (int i = 0; i < n; i++) {
        VK_AUTOFREE(char *) path = virtkit_volume_get_path(vols[i]);
        virtkit_volume_info info = VIRTKIT_VOLUME_INFO_INIT;
        virtkit_volume_get_info(vols[i], &info);
        out_str(o, "name", virtkit_volume_get_name(vols[i]));
        out_str(o, "path", path ? path : "");
        out_bytes(c, o, "capacity", info.capacity);
        out_end_row(o);
        virtkit_volume_free(vols[i]);
    }
    out_end(o);
    free(vols);
    return 0;
}

static int cmd_vol_create(cli_ctx *c)
{
    VK_AUTOFREE(char *) xml = cli_read_file(cli_arg_str(c, 1));
    if (!xml)
        return 1;
    virtkit_pool *p = get_pool(c, cli_arg_str(c, 0));
    if (!p)
        return 1;
    virtkit_volume *from = NULL;
    if (cli_opt_str(c, "clone-of") && !(from = get_vol(c, cli_opt_str(c, "clone-of")))) {
        virtkit_pool_free(p);
        return 1;
    }
    virtkit_volume *v = virtkit_volume_create_xml_from(p, xml, from, 0);
    virtkit_pool_free(p);
    if (from)
        virtkit_volume_free(from);
    if (!v)
        return cli_fail(c, "vol-create");
    printf("Volume '%s' created\n", virtkit_volume_get_name(v));
    virtkit_volume_free(v);
    return 0;
}

static int cmd_vol_delete(cli_ctx *c)
{
    virtkit_volume *v = get_vol(c, cli_arg_str(c, 0));
    if (!v)
        return 1;
    int r = virtkit_volume_delete(v, 0);
    if (r < 0)
        cli_fail(c, "vol-delete");
    else
        printf("Volume '%s' deleted\n", virtkit_volume_get_name(v));
    virtkit_volume_free(v);
    return r < 0;
}

static int cmd_vol_wipe(cli_ctx *c)
{
    virtkit_volume *v = get_vol(c, cli_arg_str(c, 0));
    if (!v)
        return 1;
    int r = virtkit_volume_wipe(v, 0);
    if (r < 0)
        cli_fail(c, "vol-wipe");
    virtkit_volume_free(v);
    return r < 0;
}

static int cmd_vol_resize(cli_ctx *c)
{
    uint64_t bytes;
    if (vk_parse_u64(cli_arg_str(c, 1), 10, &bytes) < 0)
        return cli_error("vol-resize: '%s' is not a size in bytes", cli_arg_str(c, 1));
    virtkit_volume *v = get_vol(c, cli_arg_str(c, 0));
    if (!v)
        return 1;
    int r = virtkit_volume_resize(v, bytes, 0);
    if (r < 0)
        cli_fail(c, "vol-resize");
    virtkit_volume_free(v);
    return r < 0;
}

static int cmd_vol_dumpxml(cli_ctx *c)
{
    virtkit_volume *v = get_vol(c, cli_arg_str(c, 0));
    if (!v)
        return 1;
    VK_AUTOFREE(char *) x = virtkit_volume_get_xml(v, 0);
    virtkit_volume_free(v);
    if (!x)
        return cli_fail(c, "vol-dumpxml");
    fputs(x, stdout);
    return 0;
}

static int cmd_vol_info(cli_ctx *c)
{
    virtkit_volume *v = get_vol(c, cli_arg_str(c, 0));
    if (!v)
        return 1;
    virtkit_volume_info info = VIRTKIT_VOLUME_INFO_INIT;
    if (virtkit_volume_get_info(v, &info) < 0) {
        virtkit_volume_free(v);
        return cli_fail(c, "vol-info");
    }
    static const char *const types[] = { "file", "block", "dir", "network" };
    out *o = out_begin_kv(c->json);
    out_str(o, "Name", virtkit_volume_get_name(v));
    out_str(o, "Type", info.type >= 0 && info.type < 4 ? types[info.type] : "unknown");
    out_bytes(c, o, "Capacity", info.capacity);
    out_bytes(c, o, "Allocation", info.allocation);
    out_end(o);
    virtkit_volume_free(v);
    return 0;
}

static int cmd_vol_path(cli_ctx *c)
{
    virtkit_volume *v = get_vol(c, cli_arg_str(c, 0));
    if (!v)
        return 1;
    VK_AUTOFREE(char *) p = virtkit_volume_get_path(v);
    virtkit_volume_free(v);
    if (!p)
        return cli_fail(c, "vol-path");
    printf("%s\n", p);
    return 0;
}

static int transfer(cli_ctx *c, bool upload)
{
    long long offset = 0, length = 0;
    if (cli_opt_int(c, "offset", &offset) < 0 || cli_opt_int(c, "length", &length) < 0)
        return 2;
    if (offset < 0 || length < 0)
        return cli_error("--offset and --length must not be negative");
    const char *file = cli_arg_str(c, 1);
    VK_AUTOCLOSE fd = upload ? open(file, O_RDONLY | O_CLOEXEC)
                             : open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return cli_error("cannot open '%s': %s", file, strerror(errno));
    virtkit_volume *v = get_vol(c, cli_arg_str(c, 0));
    if (!v)
        return 1;
    virtkit_stream *st = virtkit_stream_new(c->conn, 0);
    int r = upload ? virtkit_volume_upload(v, st, (unsigned long long)offset,
                                           (unsigned long long)length, 0)
                   : virtkit_volume_download(v, st, (unsigned long long)offset,
                                             (unsigned long long)length, 0);
    virtkit_volume_free(v);
    if (r < 0)
        goto fail;
    char buf[65536];
    for (;;) {
        ssize_t n;
        if (upload) {
            n = read(fd, buf, sizeof(buf));
            if (n < 0) {
                cli_error("cannot read '%s': %s", file, strerror(errno));
                virtkit_stream_abort(st);
                virtkit_stream_free(st);
                return 1;
            }
            if (n == 0)
                break;
            for (ssize_t done = 0; done < n;) {
                int w = virtkit_stream_send(st, buf + done, (size_t)(n - done));
                if (w < 0)
                    goto fail;
                done += w;
            }
        } else {
            int got = virtkit_stream_recv(st, buf, sizeof(buf));
            if (got < 0)
                goto fail;
            if (got == 0)
                break;
            if (write(fd, buf, (size_t)got) != got) {
                cli_error("cannot write '%s': %s", file, strerror(errno));
                virtkit_stream_abort(st);
                virtkit_stream_free(st);
                return 1;
            }
        }
    }
    if (virtkit_stream_finish(st) < 0)
        goto fail;
    virtkit_stream_free(st);
    return 0;
fail:
    cli_fail(c, upload ? "vol-upload" : "vol-download");
    virtkit_stream_abort(st);
    virtkit_stream_free(st);
    return 1;
}

static int cmd_vol_upload(cli_ctx *c)
{
    return transfer(c, true);
}

static int cmd_vol_download(cli_ctx *c)
{
    return transfer(c, false);
}

#define POOLOPT { "pool", CLI_OPT_STRING, "the pool holding the volume (by name)" }
#define XFER_OPTS                                                                         \
    POOLOPT, { "offset", CLI_OPT_INT, "start at this byte" },                            \
    {                                                                                    \
        "length", CLI_OPT_INT, "at most this many bytes"                                 \
    }

const cli_cmd cli_object_commands[] = {
    { "net-list", cmd_net_list, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "all", CLI_OPT_BOOL, "active and inactive networks" },
           { "inactive", CLI_OPT_BOOL, "inactive networks only" }),
      NULL, "list virtual networks", "Network" },
    { "net-define", cmd_net_define, CLI_NEEDS_CONN, NULL, ARGS({ "file", true, "network XML" }),
      "define a network from an XML file", "Network" },
    { "net-create", cmd_net_create, CLI_NEEDS_CONN, NULL, ARGS({ "file", true, "network XML" }),
      "create and start a transient network", "Network" },
    { "net-start", cmd_net_start, CLI_NEEDS_CONN, NULL, ARGS(NETARG), "start a network",
      "Network" },
    { "net-destroy", cmd_net_destroy, CLI_NEEDS_CONN, NULL, ARGS(NETARG), "stop a network",
      "Network" },
    { "net-undefine", cmd_net_undefine, CLI_NEEDS_CONN, NULL, ARGS(NETARG),
      "remove a network's definition", "Network" },
    { "net-dumpxml", cmd_net_dumpxml, CLI_NEEDS_CONN,
      OPTS({ "inactive", CLI_OPT_BOOL, "the persistent definition" }), ARGS(NETARG),
      "print a network's definition", "Network" },
    { "net-info", cmd_net_info, CLI_NEEDS_CONN | CLI_DATA, NULL, ARGS(NETARG),
      "show a network's basic information", "Network" },
    { "net-autostart", cmd_net_autostart, CLI_NEEDS_CONN,
      OPTS({ "disable", CLI_OPT_BOOL, "turn autostart off" }), ARGS(NETARG),
      "start the network when the host starts", "Network" },
    { "net-dhcp-leases", cmd_net_dhcp_leases, CLI_NEEDS_CONN | CLI_DATA, NULL, ARGS(NETARG),
      "list a network's DHCP leases", "Network" },
    { "pool-list", cmd_pool_list, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "all", CLI_OPT_BOOL, "active and inactive pools" },
           { "inactive", CLI_OPT_BOOL, "inactive pools only" }),
      NULL, "list storage pools", "Storage" },
    { "pool-define", cmd_pool_define, CLI_NEEDS_CONN, NULL, ARGS({ "file", true, "pool XML" }),
      "define a pool from an XML file", "Storage" },
    { "pool-create", cmd_pool_create, CLI_NEEDS_CONN, NULL, ARGS({ "file", true, "pool XML" }),
      "create and start a transient pool", "Storage" },
    { "pool-build", cmd_pool_build, CLI_NEEDS_CONN, NULL, ARGS(POOLARG),
      "build a pool's underlying storage", "Storage" },
    { "pool-start", cmd_pool_start, CLI_NEEDS_CONN, NULL, ARGS(POOLARG), "start a pool",
      "Storage" },
    { "pool-destroy", cmd_pool_destroy, CLI_NEEDS_CONN, NULL, ARGS(POOLARG), "stop a pool",
      "Storage" },
    { "pool-delete", cmd_pool_delete, CLI_NEEDS_CONN, NULL, ARGS(POOLARG),
      "delete a pool's underlying storage", "Storage" },
    { "pool-refresh", cmd_pool_refresh, CLI_NEEDS_CONN, NULL, ARGS(POOLARG),
      "rescan a pool's volumes", "Storage" },
    { "pool-undefine", cmd_pool_undefine, CLI_NEEDS_CONN, NULL, ARGS(POOLARG),
      "remove a pool's definition", "Storage" },
    { "pool-dumpxml", cmd_pool_dumpxml, CLI_NEEDS_CONN, NULL, ARGS(POOLARG),
      "print a pool's definition", "Storage" },
    { "pool-info", cmd_pool_info, CLI_NEEDS_CONN | CLI_DATA, NULL, ARGS(POOLARG),
      "show a pool's capacity and state", "Storage" },
    { "pool-autostart", cmd_pool_autostart, CLI_NEEDS_CONN,
      OPTS({ "disable", CLI_OPT_BOOL, "turn autostart off" }), ARGS(POOLARG),
      "start the pool when the host starts", "Storage" },
    { "vol-list", cmd_vol_list, CLI_NEEDS_CONN | CLI_DATA, NULL, ARGS(POOLARG),
      "list a pool's volumes", "Storage" },
    { "vol-create", cmd_vol_create, CLI_NEEDS_CONN,
      OPTS({ "clone-of", CLI_OPT_STRING, "copy the contents of this volume (key or path)" }),
      ARGS(POOLARG, { "file", true, "volume XML" }), "create a volume", "Storage" },
    { "vol-delete", cmd_vol_delete, CLI_NEEDS_CONN, OPTS(POOLOPT), ARGS(VOLARG),
      "delete a volume", "Storage" },
    { "vol-wipe", cmd_vol_wipe, CLI_NEEDS_CONN, OPTS(POOLOPT), ARGS(VOLARG),
      "overwrite a volume's data with zeros", "Storage" },
    { "vol-resize", cmd_vol_resize, CLI_NEEDS_CONN, OPTS(POOLOPT),
      ARGS(VOLARG, { "bytes", true, "new capacity" }), "grow a volume", "Storage" },
    { "vol-dumpxml", cmd_vol_dumpxml, CLI_NEEDS_CONN, OPTS(POOLOPT), ARGS(VOLARG),
      "print a volume's definition", "Storage" },
    { "vol-info", cmd_vol_info, CLI_NEEDS_CONN | CLI_DATA, OPTS(POOLOPT), ARGS(VOLARG),
      "show a volume's capacity and allocation", "Storage" },
    { "vol-path", cmd_vol_path, CLI_NEEDS_CONN, OPTS(POOLOPT), ARGS(VOLARG),
      "print a volume's path", "Storage" },
    { "vol-upload", cmd_vol_upload, CLI_NEEDS_CONN, OPTS(XFER_OPTS),
      ARGS(VOLARG, { "file", true, "local file to send" }),
      "copy a local file into a volume (works remotely)", "Storage" },
    { "vol-download", cmd_vol_download, CLI_NEEDS_CONN, OPTS(XFER_OPTS),
      ARGS(VOLARG, { "file", true, "local file to write" }),
      "copy a volume into a local file (works remotely)", "Storage" },
    { NULL },
};
