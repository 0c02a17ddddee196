/*
 * cmd_node.c: node commands: nodeinfo, nodecpumap, nodecpustats,
 * nodememstats, freecell, capabilities, nodedev-list, nodedev-dumpxml.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "strbuf.h"
#include "util.h"
#include "vk_nodedev_caps.h"

#define OPTS(...) ((const cli_opt[]){ __VA_ARGS__, { NULL, 0, NULL } })
#define ARGS(...) ((const cli_arg[]){ __VA_ARGS__, { NULL, false, NULL } })

static int cmd_nodeinfo(cli_ctx *c)
{
    virtkit_node_info ni = VIRTKIT_NODE_INFO_INIT;
    if (virtkit_node_get_info(c->conn, &ni) < 0)
        return cli_fail(c, "nodeinfo");
    out *o = out_begin_kv(c->json);
    out_str(o, "CPU model", ni.model);
    out_uint(o, "CPUs", ni.cpus);
    if (c->json)
        out_uint(o, "CPU frequency MHz", ni.mhz);
    else {
        VK_AUTOFREE(char *) f = vk_asprintf("%u MHz", ni.mhz);
        out_str(o, "CPU frequency", f);
    }
    out_uint(o, "CPU sockets", ni.sockets);
    out_uint(o, "Dies per socket", ni.dies);
    out_uint(o, "Cores per socket", ni.cores);
    out_uint(o, "Threads per core", ni.threads);
    out_uint(o, "NUMA cells", ni.nodes);
    if (c->json)
        out_uint(o, "Memory size KiB", ni.memory_kib);
    else {
        VK_AUTOFREE(char *) m = vk_asprintf("%llu KiB", ni.memory_kib);
        out_str(o, "Memory size", m);
    }
    out_end(o);
    return 0;
}

static int cmd_nodecpumap(cli_ctx *c)
{
    unsigned char *map = NULL;
    unsigned int online = 0;
    int n = virtkit_node_get_cpu_map(c->conn, &map, &online, 0);
    if (n < 0)
        return cli_fail(c, "nodecpumap");
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    for (int i = 0; i < n; i++)
        vk_strbuf_addc(&b, map[i] ? 'y' : '-');
    out *o = out_begin_kv(c->json);
    out_uint(o, "CPUs present", (unsigned int)n);
    out_uint(o, "CPUs online", online);
    out_str(o, "CPU map", vk_strbuf_str(&b));
    out_end(o);
    virtkit_free(map);
    return 0;
}

static int print_params(cli_ctx *c, virtkit_params *p, const char *unit)
{
    out *o = out_begin_kv(c->json);
    for (size_t i = 0; i < virtkit_params_count(p); i++) {
        VK_AUTOFREE(char *) v = virtkit_params_value_string(p, i);
        if (c->json) {
            unsigned long long x = strtoull(v, NULL, 10);
            out_uint(o, virtkit_params_name(p, i), x);
        } else {
            VK_AUTOFREE(char *) vu = vk_asprintf("%s %s", v, unit);
            out_str(o, virtkit_params_name(p, i), vu);
        }
    }
    out_end(o);
    return 0;
}

static int cmd_nodecpustats(cli_ctx *c)
{
    long long cpu = VIRTKIT_NODE_CPU_STATS_ALL_CPUS;
    if (cli_opt_int(c, "cpu", &cpu) < 0)
        return 2;
    virtkit_params *p = NULL;
    if (!cli_flag(c, "percent")) {
        if (virtkit_node_get_cpu_stats(c->conn, (int)cpu, &p, 0) < 0)
            return cli_fail(c, "nodecpustats");
        print_params(c, p, "ns");
        virtkit_params_free(p);
        return 0;
    }
    /* --percent: two samples one second apart. */
    virtkit_params *q = NULL;
    if (virtkit_node_get_cpu_stats(c->conn, (int)cpu, &p, 0) < 0)
        return cli_fail(c, "nodecpustats");
    sleep(1);
    if (virtkit_node_get_cpu_stats(c->conn, (int)cpu, &q, 0) < 0) {
        virtkit_params_free(p);
        return cli_fail(c, "nodecpustats");
    }
    static const char *const keys[] = { "user", "kernel", "idle", "iowait" };
    unsigned long long d[4], total = 0;
    for (int i = 0; i < 4; i++) {
        unsigned long long a = 0, b = 0;
        virtkit_params_get_ullong(p, keys[i], &a);
        virtkit_params_get_ullong(q, keys[i], &b);
        d[i] = b > a ? b - a : 0;
        total += d[i];
    }
    out *o = out_begin_kv(c->json);
    for (int i = 0; i < 4; i++)
        out_double(o, keys[i], total ? 100.0 * (double)d[i] / (double)total : 0.0);
    out_double(o, "usage", total ? 100.0 * (double)(d[0] + d[1]) / (double)total : 0.0);
    out_end(o);
    virtkit_params_free(p);
    virtkit_params_free(q);
    return 0;
}

static int cmd_nodememstats(cli_ctx *c)
{
    long long cell = VIRTKIT_NODE_MEMORY_STATS_ALL_CELLS;
    if (cli_opt_int(c, "cell", &cell) < 0)
        return 2;
    virtkit_params *p = NULL;
    if (virtkit_node_get_memory_stats(c->conn, (int)cell, &p, 0) < 0)
        return cli_fail(c, "nodememstats");
    print_params(c, p, "KiB");
    virtkit_params_free(p);
    return 0;
}

static int cmd_freecell(cli_ctx *c)
{
    long long cell = -1;
    if (cli_opt_int(c, "cellno", &cell) < 0)
        return 2;
    bool all = cli_flag(c, "all");
    if (!all && cell < 0) {
        unsigned long long f = virtkit_node_get_free_memory(c->conn);
        if (virtkit_error_last())
            return cli_fail(c, "freecell");
        out *o = out_begin_kv(c->json);
        if (c->json)
            out_uint(o, "free KiB", f / 1024);
        else {
            VK_AUTOFREE(char *) s = vk_asprintf("%llu KiB", f / 1024);
            out_str(o, "Total", s);
        }
        out_end(o);
        return 0;
    }
    virtkit_node_info ni = VIRTKIT_NODE_INFO_INIT;
    if (virtkit_node_get_info(c->conn, &ni) < 0)
        return cli_fail(c, "freecell");
    int start = cell >= 0 ? (int)cell : 0, max = cell >= 0 ? 1 : (int)ni.nodes;
    unsigned long long *mem = vk_alloc_n((size_t)max, sizeof(*mem));
    int n = virtkit_node_get_cells_free_memory(c->conn, mem, start, max);
    if (n < 0) {
        free(mem);
        return cli_fail(c, "freecell");
    }
    static const char *const cols[] = { "Cell", "Free", NULL };
    out *o = out_begin_list(c->json, cols);
    unsigned long long total = 0;
    for (int i = 0; i < n; i++) {
        total += mem[i];
        out_int(o, "cell", start + i);
        if (c->json)
            out_uint(o, "free_kib", mem[i] / 1024);
        else {
            VK_AUTOFREE(char *) s = vk_asprintf("%llu KiB", mem[i] / 1024);
            out_str(o, "free", s);
        }
        out_end_row(o);
    }
    if (all && !c->json) {
        out_str(o, "cell", "Total");
        VK_AUTOFREE(char *) s = vk_asprintf("%llu KiB", total / 1024);
        out_str(o, "free", s);
        out_end_row(o);
    }
    out_end(o);
    free(mem);
    return 0;
}

static int cmd_capabilities(cli_ctx *c)
{
    VK_AUTOFREE(char *) x = virtkit_connect_get_capabilities(c->conn);
    if (!x)
        return cli_fail(c, "capabilities");
    fputs(x, stdout);
    return 0;
}

static void print_tree(virtkit_nodedev **devs, int n, const char *parent, const char *prefix)
{
    int last = -1;
    for (int i = 0; i < n; i++) {
        const char *p = virtkit_nodedev_get_parent(devs[i]);
        if (p && parent && strcmp(p, parent) == 0)
            last = i;
    }
    for (int i = 0; i <= last; i++) {
        const char *p = virtkit_nodedev_get_parent(devs[i]);
        if (!p || strcmp(p, parent) != 0)
            continue;
        printf("%s%s %s\n", prefix, i == last ? "`-" : "+-", virtkit_nodedev_get_name(devs[i]));
        VK_AUTOFREE(char *) sub = vk_asprintf("%s%s", prefix, i == last ? "  " : "| ");
        print_tree(devs, n, virtkit_nodedev_get_name(devs[i]), sub);
    }
}

static int cmd_nodedev_list(cli_ctx *c)
{
    unsigned int flags = 0;
    const char *caps = cli_opt_str(c, "cap");
    if (caps) {
        VK_AUTOSTRV v = vk_strv_split(caps, ",");
        for (size_t i = 0; v[i]; i++) {
            unsigned int f = vk_nodedev_cap_flag(v[i]);
            if (!f)
                return cli_error("nodedev-list: unknown capability '%s' (known: system, pci, "
                                 "usb_device, usb, net, scsi_host, scsi_target, scsi, storage)",
                                 v[i]);
            flags |= f;
        }
    }
    virtkit_nodedev **devs = NULL;
    int n = virtkit_connect_list_all_nodedevs(c->conn, &devs, flags);
    if (n < 0)
        return cli_fail(c, "nodedev-list");
    if (cli_flag(c, "tree") && !c->json) {
        for (int i = 0; i < n; i++) {
            if (virtkit_nodedev_get_parent(devs[i]))
                continue;
            printf("%s\n", virtkit_nodedev_get_name(devs[i]));
            print_tree(devs, n, virtkit_nodedev_get_name(devs[i]), "  ");
        }
    } else if (c->json) {
        static const char *const cols[] = { "Name", "Parent", NULL };
        out *o = out_begin_list(true, cols);
        for (int i = 0; i < n; i++) {
            out_str(o, "name", virtkit_nodedev_get_name(devs[i]));
            const char *p = virtkit_nodedev_get_parent(devs[i]);
            out_str(o, "parent", p ? p : "");
            out_end_row(o);
        }
        out_end(o);
    } else {
        for (int i = 0; i < n; i++)
            printf("%s\n", virtkit_nodedev_get_name(devs[i]));
    }
    for (int i = 0; i < n; i++)
        virtkit_nodedev_free(devs[i]);
    free(devs);
    return 0;
}

static int cmd_nodedev_dumpxml(cli_ctx *c)
{
    virtkit_nodedev *d = virtkit_nodedev_lookup_by_name(c->conn, cli_arg_str(c, 0));
    if (!d)
        return cli_fail(c, "nodedev-dumpxml");
    VK_AUTOFREE(char *) x = virtkit_nodedev_get_xml(d, 0);
    virtkit_nodedev_free(d);
    if (!x)
        return cli_fail(c, "nodedev-dumpxml");
    fputs(x, stdout);
    return 0;
}

static int cmd_hostname(cli_ctx *c)
{
    VK_AUTOFREE(char *) h = virtkit_connect_get_hostname(c->conn);
    if (!h)
        return cli_fail(c, "hostname");
    printf("%s\n", h);
    return 0;
}

const cli_cmd cli_node_commands[] = {
    { "nodeinfo", cmd_nodeinfo, CLI_NEEDS_CONN | CLI_DATA, NULL, NULL,
      "the node's CPUs, topology and memory", "Node" },
    { "nodecpumap", cmd_nodecpumap, CLI_NEEDS_CONN | CLI_DATA, NULL, NULL,
      "which CPUs are present and online", "Node" },
    { "nodecpustats", cmd_nodecpustats, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "cpu", CLI_OPT_INT, "one CPU instead of all" },
           { "percent", CLI_OPT_BOOL, "usage over one second, in percent" }),
      NULL, "CPU time counters of the node or one CPU", "Node" },
    { "nodememstats", cmd_nodememstats, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "cell", CLI_OPT_INT, "one NUMA cell instead of the node" }), NULL,
      "memory counters of the node or one NUMA cell", "Node" },
    { "freecell", cmd_freecell, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "all", CLI_OPT_BOOL, "every NUMA cell and the total" },
           { "cellno", CLI_OPT_INT, "one NUMA cell" }),
      NULL, "free memory of the node or its NUMA cells", "Node" },
    { "capabilities", cmd_capabilities, CLI_NEEDS_CONN, NULL, NULL,
      "the capabilities document (host and guests)", "Node" },
    { "hostname", cmd_hostname, CLI_NEEDS_CONN, NULL, NULL, "the node's host name", "Node" },
    { "nodedev-list", cmd_nodedev_list, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "tree", CLI_OPT_BOOL, "show the parent-child tree" },
           { "cap", CLI_OPT_STRING, "only devices with these capabilities (comma separated)" }),
      NULL, "list the node's devices", "Node" },
    { "nodedev-dumpxml", cmd_nodedev_dumpxml, CLI_NEEDS_CONN, NULL,
      ARGS({ "device", true, "node device name" }), "print a node device's XML", "Node" },
    { NULL },
};
