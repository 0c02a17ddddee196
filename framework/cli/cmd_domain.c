/*
 * cmd_domain.c: domain commands (list, define, start, dominfo, ...).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "util.h"

#define OPTS(...) ((const cli_opt[]){ __VA_ARGS__, { NULL, 0, NULL } })
#define ARGS(...) ((const cli_arg[]){ __VA_ARGS__, { NULL, false, NULL } })
#define DOMARG { "domain", true, "domain name, id or uuid" }
#define AFFECT_OPTS                                                                      \
    { "live", CLI_OPT_BOOL, "affect the running domain" },                               \
        { "config", CLI_OPT_BOOL, "affect the persistent definition" },                  \
    {                                                                                    \
        "current", CLI_OPT_BOOL, "affect the running domain if active, else the definition" \
    }

static unsigned int affect_flags(cli_ctx *c)
{
    unsigned int f = 0;
    if (cli_flag(c, "live"))
        f |= VIRTKIT_DOMAIN_AFFECT_LIVE;
    if (cli_flag(c, "config"))
        f |= VIRTKIT_DOMAIN_AFFECT_CONFIG;
    return f;
}

/* Run op on the domain named by argument 0 and print msg on success. */
static int simple(cli_ctx *c, int (*op)(virtkit_domain *, unsigned int), unsigned int flags,
                  const char *msg)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    int r = op(d, flags);
    if (r < 0)
        r = cli_fail(c, msg);
    else
        printf("Domain '%s' %s\n", virtkit_domain_get_name(d), msg);
    virtkit_domain_free(d);
    return r < 0 ? 1 : r;
}

static const char *state_label(int state)
{
    static const char *const labels[] = { "no state", "running", "blocked", "paused",
                                          "in shutdown", "shut off", "crashed", "pmsuspended" };
    return state >= 0 && (size_t)state < VK_ARRAY_LEN(labels) ? labels[state] : "unknown";
}

static int cmd_list(cli_ctx *c)
{
    unsigned int flags = VIRTKIT_LIST_DOMAINS_ACTIVE;
    if (cli_flag(c, "all"))
        flags = 0;
    if (cli_flag(c, "inactive"))
        flags = VIRTKIT_LIST_DOMAINS_INACTIVE;
    if (cli_flag(c, "persistent"))
        flags |= VIRTKIT_LIST_DOMAINS_PERSISTENT;
    if (cli_flag(c, "transient"))
        flags |= VIRTKIT_LIST_DOMAINS_TRANSIENT;
    if (cli_flag(c, "autostart"))
        flags |= VIRTKIT_LIST_DOMAINS_AUTOSTART;
    if (cli_flag(c, "managed-save"))
        flags |= VIRTKIT_LIST_DOMAINS_MANAGEDSAVE;
    virtkit_domain **doms = NULL;
    int n = virtkit_connect_list_all_domains(c->conn, &doms, flags);
    if (n < 0)
        return cli_fail(c, "list");
    bool names = cli_flag(c, "name"), uuids = cli_flag(c, "uuid");
    if ((names || uuids) && !c->json) {
        for (int i = 0; i < n; i++) {
            char u[VIRTKIT_UUID_STRING_BUFLEN];
            virtkit_domain_get_uuid_string(doms[i], u);
            printf("%s\n", names ? virtkit_domain_get_name(doms[i]) : u);
        }
    } else {
        static const char *const cols[] = { "Id", "Name", "State", NULL };
        out *o = out_begin_list(c->json, cols);
        for (int i = 0; i < n; i++) {
            int st = VIRTKIT_DOMAIN_NOSTATE;
            virtkit_domain_get_state(doms[i], &st, NULL, 0);
            int id = virtkit_domain_get_id(doms[i]);
            if (c->json)
                out_int(o, "id", id);
            else if (id >= 0)
                out_int(o, "id", id);
            else
                out_str(o, "id", "-");
            out_str(o, "name", virtkit_domain_get_name(doms[i]));
            out_str(o, "state", c->json ? virtkit_domain_state_name(st) : state_label(st));
            out_end_row(o);
        }
        out_end(o);
    }
    for (int i = 0; i < n; i++)
        virtkit_domain_free(doms[i]);
    free(doms);
    return 0;
}

static int cmd_define(cli_ctx *c)
{
    VK_AUTOFREE(char *) xml = cli_read_file(cli_arg_str(c, 0));
    if (!xml)
        return 1;
    virtkit_domain *d = virtkit_domain_define_xml(
        c->conn, xml, cli_flag(c, "validate") ? VIRTKIT_DOMAIN_DEFINE_VALIDATE : 0);
    if (!d)
        return cli_fail(c, "define");
    printf("Domain '%s' defined from %s\n", virtkit_domain_get_name(d), cli_arg_str(c, 0));
    virtkit_domain_free(d);
    return 0;
}

static int cmd_create(cli_ctx *c)
{
    VK_AUTOFREE(char *) xml = cli_read_file(cli_arg_str(c, 0));
    if (!xml)
        return 1;
    unsigned int flags = 0;
    if (cli_flag(c, "paused"))
        flags |= VIRTKIT_DOMAIN_START_PAUSED;
    if (cli_flag(c, "validate"))
        flags |= VIRTKIT_DOMAIN_START_VALIDATE;
    virtkit_domain *d = virtkit_domain_create_xml(c->conn, xml, flags);
    if (!d)
        return cli_fail(c, "create");
    printf("Domain '%s' created from %s\n", virtkit_domain_get_name(d), cli_arg_str(c, 0));
    virtkit_domain_free(d);
    return 0;
}

static int cmd_undefine(cli_ctx *c)
{
    unsigned int flags = cli_flag(c, "managed-save") ? VIRTKIT_DOMAIN_UNDEFINE_MANAGED_SAVE : 0;
    return simple(c, virtkit_domain_undefine, flags, "undefined");
}

static int cmd_start(cli_ctx *c)
{
    unsigned int flags = 0;
    if (cli_flag(c, "paused"))
        flags |= VIRTKIT_DOMAIN_START_PAUSED;
    if (cli_flag(c, "force-boot"))
        flags |= VIRTKIT_DOMAIN_START_FORCE_BOOT;
    return simple(c, virtkit_domain_create, flags, "started");
}

static int cmd_shutdown(cli_ctx *c)
{
    unsigned int flags = cli_flag(c, "wait") ? VIRTKIT_DOMAIN_SHUTDOWN_WAIT : 0;
    const char *mode = cli_opt_str(c, "mode");
    if (mode) {
        if (strcmp(mode, "acpi") == 0)
            flags |= VIRTKIT_DOMAIN_SHUTDOWN_ACPI;
        else if (strcmp(mode, "agent") == 0)
            flags |= VIRTKIT_DOMAIN_SHUTDOWN_AGENT;
        else if (strcmp(mode, "signal") == 0)
            flags |= VIRTKIT_DOMAIN_SHUTDOWN_SIGNAL;
        else
            return cli_error("shutdown: --mode must be acpi, agent or signal, not '%s'", mode);
    }
    return simple(c, virtkit_domain_shutdown, flags,
                  (flags & VIRTKIT_DOMAIN_SHUTDOWN_WAIT) ? "is shut off" : "is being shut down");
}

static int cmd_reboot(cli_ctx *c)
{
    return simple(c, virtkit_domain_reboot, 0, "is being rebooted");
}

static int cmd_reset(cli_ctx *c)
{
    return simple(c, virtkit_domain_reset, 0, "was reset");
}

static int cmd_destroy(cli_ctx *c)
{
    return simple(c, virtkit_domain_destroy,
                  cli_flag(c, "graceful") ? VIRTKIT_DOMAIN_DESTROY_GRACEFUL : 0, "destroyed");
}

static int cmd_suspend(cli_ctx *c)
{
    return simple(c, virtkit_domain_suspend, 0, "suspended");
}

static int cmd_resume(cli_ctx *c)
{
    return simple(c, virtkit_domain_resume, 0, "resumed");
}

static unsigned int save_flags(cli_ctx *c)
{
    unsigned int f = 0;
    if (cli_flag(c, "running"))
        f |= VIRTKIT_DOMAIN_SAVE_RUNNING;
    if (cli_flag(c, "paused"))
        f |= VIRTKIT_DOMAIN_SAVE_PAUSED;
    if (cli_flag(c, "bypass-cache"))
        f |= VIRTKIT_DOMAIN_SAVE_BYPASS_CACHE;
    return f;
}

static int cmd_save(cli_ctx *c)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    int r = virtkit_domain_save(d, cli_arg_str(c, 1), save_flags(c));
    if (r < 0)
        cli_fail(c, "save");
    else
        printf("Domain '%s' saved to %s\n", virtkit_domain_get_name(d), cli_arg_str(c, 1));
    virtkit_domain_free(d);
    return r < 0;
}

static int cmd_restore(cli_ctx *c)
{
    VK_AUTOFREE(char *) xml = NULL;
    if (cli_opt_str(c, "xml") && !(xml = cli_read_file(cli_opt_str(c, "xml"))))
        return 1;
    if (virtkit_domain_restore(c->conn, cli_arg_str(c, 0), xml, save_flags(c)) < 0)
        return cli_fail(c, "restore");
    printf("Domain restored from %s\n", cli_arg_str(c, 0));
    return 0;
}

static int cmd_save_image_dumpxml(cli_ctx *c)
{
    VK_AUTOFREE(char *) x = virtkit_domain_save_image_get_xml(c->conn, cli_arg_str(c, 0), 0);
    if (!x)
        return cli_fail(c, "save-image-dumpxml");
    fputs(x, stdout);
    return 0;
}

static int cmd_managedsave(cli_ctx *c)
{
    return simple(c, virtkit_domain_managed_save, save_flags(c), "state saved by virtkit");
}

static int cmd_managedsave_remove(cli_ctx *c)
{
    return simple(c, virtkit_domain_managed_save_remove, 0, "has no managed save image now");
}

static int cmd_dump(cli_ctx *c)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    unsigned int f = 0;
    if (cli_flag(c, "memory-only"))
        f |= VIRTKIT_DUMP_MEMORY_ONLY;
    if (cli_flag(c, "crash"))
        f |= VIRTKIT_DUMP_CRASH;
    if (cli_flag(c, "live"))
        f |= VIRTKIT_DUMP_LIVE;
    int r = virtkit_domain_core_dump(d, cli_arg_str(c, 1), f);
    if (r < 0)
        cli_fail(c, "dump");
    else
        printf("Domain '%s' dumped to %s\n", virtkit_domain_get_name(d), cli_arg_str(c, 1));
    virtkit_domain_free(d);
    return r < 0;
}

static int cmd_dominfo(cli_ctx *c)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    virtkit_domain_info info = VIRTKIT_DOMAIN_INFO_INIT;
    int persistent = virtkit_domain_is_persistent(d), autostart = 0, st = 0, reason = 0;
    int msave = virtkit_domain_has_managed_save(d, 0);
    if (virtkit_domain_get_info(d, &info) < 0 || persistent < 0 ||
        virtkit_domain_get_state(d, &st, &reason, 0) < 0) {
        virtkit_domain_free(d);
        return cli_fail(c, "dominfo");
    }
    virtkit_domain_get_autostart(d, &autostart);
    char uuid[VIRTKIT_UUID_STRING_BUFLEN];
    virtkit_domain_get_uuid_string(d, uuid);
    out *o = out_begin_kv(c->json);
    if (virtkit_domain_get_id(d) >= 0 || c->json)
        out_int(o, "Id", virtkit_domain_get_id(d));
    else
        out_str(o, "Id", "-");
    out_str(o, "Name", virtkit_domain_get_name(d));
    out_str(o, "UUID", uuid);
    out_str(o, "OS type", "hvm");
    out_str(o, "State", c->json ? virtkit_domain_state_name(st) : state_label(st));
    out_str(o, "Reason", virtkit_domain_reason_name(st, reason));
    out_uint(o, "CPUs", info.nr_vcpus);
    if (c->json) {
        out_uint(o, "CPU time ns", info.cpu_time_ns);
        out_uint(o, "Max memory KiB", info.max_mem_kib);
        out_uint(o, "Used memory KiB", info.memory_kib);
    } else {
        VK_AUTOFREE(char *) t = vk_asprintf("%.1fs", info.cpu_time_ns / 1e9);
        VK_AUTOFREE(char *) mx = vk_asprintf("%llu KiB", info.max_mem_kib);
        VK_AUTOFREE(char *) us = vk_asprintf("%llu KiB", info.memory_kib);
        out_str(o, "CPU time", t);
        out_str(o, "Max memory", mx);
        out_str(o, "Used memory", us);
    }
    out_bool(o, "Persistent", persistent);
    out_bool(o, "Autostart", autostart);
    out_bool(o, "Managed save", msave > 0);
    out_end(o);
    virtkit_domain_free(d);
    return 0;
}

static int cmd_domstate(cli_ctx *c)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    int st, reason;
    int r = virtkit_domain_get_state(d, &st, &reason, 0);
    if (r < 0) {
        virtkit_domain_free(d);
        return cli_fail(c, "domstate");
    }
    if (c->json) {
        out *o = out_begin_kv(true);
        out_str(o, "state", virtkit_domain_state_name(st));
        out_str(o, "reason", virtkit_domain_reason_name(st, reason));
        out_bool(o, "cached", r & VIRTKIT_DOMAIN_STATE_CACHED);
        out_end(o);
    } else if (cli_flag(c, "reason")) {
        printf("%s (%s)\n", state_label(st), virtkit_domain_reason_name(st, reason));
    } else {
        printf("%s\n", state_label(st));
    }
    virtkit_domain_free(d);
    return 0;
}

static int cmd_dumpxml(cli_ctx *c)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    unsigned int f = 0;
    if (cli_flag(c, "inactive"))
        f |= VIRTKIT_DOMAIN_XML_INACTIVE;
    if (cli_flag(c, "security-info"))
        f |= VIRTKIT_DOMAIN_XML_SECURE;
    if (cli_flag(c, "as-written"))
        f |= VIRTKIT_DOMAIN_XML_AS_WRITTEN;
    if (cli_flag(c, "migratable"))
        f |= VIRTKIT_DOMAIN_XML_MIGRATABLE;
    VK_AUTOFREE(char *) x = virtkit_domain_get_xml(d, f);
    virtkit_domain_free(d);
    if (!x)
        return cli_fail(c, "dumpxml");
    fputs(x, stdout);
    return 0;
}

static int cmd_autostart(cli_ctx *c)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    bool off = cli_flag(c, "disable");
    int r = virtkit_domain_set_autostart(d, !off);
    if (r < 0)
        cli_fail(c, "autostart");
    else
        printf("Domain '%s' %s\n", virtkit_domain_get_name(d),
               off ? "unmarked as autostarted" : "marked as autostarted");
    virtkit_domain_free(d);
    return r < 0;
}

static int cmd_setmem(cli_ctx *c)
{
    uint64_t kib;
    if (vk_parse_u64(cli_arg_str(c, 1), 10, &kib) < 0)
        return cli_error("setmem: '%s' is not a size in KiB", cli_arg_str(c, 1));
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    int r = virtkit_domain_set_memory(d, kib, affect_flags(c));
    if (r < 0)
        cli_fail(c, "setmem");
    virtkit_domain_free(d);
    return r < 0;
}

static int cmd_setvcpus(cli_ctx *c)
{
    unsigned int n;
    if (vk_parse_uint(cli_arg_str(c, 1), &n) < 0)
        return cli_error("setvcpus: '%s' is not a number", cli_arg_str(c, 1));
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    int r = virtkit_domain_set_vcpus(d, n, affect_flags(c));
    if (r < 0)
        cli_fail(c, "setvcpus");
    virtkit_domain_free(d);
    return r < 0;
}

/* vcpupin DOMAIN VCPU CPULIST, emulatorpin DOMAIN CPULIST */
static int pin_cmd(cli_ctx *c, bool emulator)
{
    unsigned int vcpu = 0;
    if (!emulator && vk_parse_uint(cli_arg_str(c, 1), &vcpu) < 0)
        return cli_error("vcpupin: '%s' is not a vcpu number", cli_arg_str(c, 1));
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    const char *set = cli_arg_str(c, emulator ? 1 : 2);
    int r = emulator ? virtkit_domain_pin_emulator(d, set, affect_flags(c))
                     : virtkit_domain_pin_vcpu(d, vcpu, set, affect_flags(c));
    if (r < 0)
        cli_fail(c, emulator ? "emulatorpin" : "vcpupin");
    virtkit_domain_free(d);
    return r < 0;
}

static int cmd_vcpupin(cli_ctx *c)
{
    return pin_cmd(c, false);
}

static int cmd_emulatorpin(cli_ctx *c)
{
    return pin_cmd(c, true);
}

static int device_cmd(cli_ctx *c, int (*op)(virtkit_domain *, const char *, unsigned int),
                      const char *done)
{
    VK_AUTOFREE(char *) xml = cli_read_file(cli_arg_str(c, 1));
    if (!xml)
        return 1;
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    int r = op(d, xml, affect_flags(c));
    if (r < 0)
        cli_fail(c, done);
    else
        printf("Device %s\n", done);
    virtkit_domain_free(d);
    return r < 0;
}

static int cmd_attach_device(cli_ctx *c)
{
    return device_cmd(c, virtkit_domain_attach_device, "attached");
}

static int cmd_detach_device(cli_ctx *c)
{
    return device_cmd(c, virtkit_domain_detach_device, "detached");
}

static int cmd_update_device(cli_ctx *c)
{
    return device_cmd(c, virtkit_domain_update_device, "updated");
}

/* Print one stats record: "Domain: 'x'" then "  key=value" lines, or a
 * JSON object per domain. */
static void print_stats_record(cli_ctx *c, virtkit_domain_stats *r, bool first)
{
    virtkit_params *p = r->params;
    if (c->json) {
        printf("%s{\"domain\": \"%s\"", first ? "[\n  " : ",\n  ", virtkit_domain_get_name(r->dom));
        for (size_t i = 0; i < virtkit_params_count(p); i++) {
            VK_AUTOFREE(char *) v = virtkit_params_value_string(p, i);
            int t = virtkit_params_type(p, i);
            if (t == VIRTKIT_PARAM_STRING)
                printf(", \"%s\": \"%s\"", virtkit_params_name(p, i), v);
            else if (t == VIRTKIT_PARAM_BOOLEAN)
                printf(", \"%s\": %s", virtkit_params_name(p, i),
                       strcmp(v, "yes") == 0 ? "true" : "false");
            else
                printf(", \"%s\": %s", virtkit_params_name(p, i), v);
        }
        printf("}");
        return;
    }
    printf("Domain: '%s'\n", virtkit_domain_get_name(r->dom));
    for (size_t i = 0; i < virtkit_params_count(p); i++) {
        VK_AUTOFREE(char *) v = virtkit_params_value_string(p, i);
        printf("  %s=%s\n", virtkit_params_name(p, i), v);
    }
    printf("\n");
}

static int cmd_domstats(cli_ctx *c)
{
    static const struct {
        const char *opt;
        unsigned int bit;
    } groups[] = {
        { "state", VIRTKIT_STATS_STATE },   { "cpu", VIRTKIT_STATS_CPU },
        { "balloon", VIRTKIT_STATS_BALLOON }, { "vcpu", VIRTKIT_STATS_VCPU },
        { "interface", VIRTKIT_STATS_INTERFACE }, { "block", VIRTKIT_STATS_BLOCK },
    };
    unsigned int stats = 0, flags = 0;
    for (size_t i = 0; i < VK_ARRAY_LEN(groups); i++)
        if (cli_flag(c, groups[i].opt))
            stats |= groups[i].bit;
    if (cli_flag(c, "active"))
        flags |= VIRTKIT_GET_STATS_ACTIVE;
    if (cli_flag(c, "inactive"))
        flags |= VIRTKIT_GET_STATS_INACTIVE;
    if (cli_flag(c, "nowait"))
        flags |= VIRTKIT_GET_STATS_NOWAIT;
    virtkit_domain_stats **recs = NULL;
    int n = virtkit_connect_get_all_domain_stats(c->conn, stats, &recs, flags);
    if (n < 0)
        return cli_fail(c, "domstats");
    const char *only = cli_arg_str(c, 0);
    bool first = true, found = !only;
    for (int i = 0; i < n; i++) {
        if (only && strcmp(virtkit_domain_get_name(recs[i]->dom), only) != 0)
            continue;
        found = true;
        print_stats_record(c, recs[i], first);
        first = false;
    }
    if (c->json)
        printf(first ? "[]\n" : "\n]\n");
    virtkit_domain_stats_free(recs);
    if (!found)
        return cli_error("domstats: no domain named '%s'", only);
    return 0;
}

static int cmd_migrate(cli_ctx *c)
{
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    virtkit_connect *dest = virtkit_connect_open(cli_arg_str(c, 1), 0);
    if (!dest) {
        virtkit_domain_free(d);
        return cli_fail(c, "connect to the destination");
    }
    virtkit_params *p = virtkit_params_new();
    if (cli_opt_str(c, "dname"))
        virtkit_params_add_string(p, "dname", cli_opt_str(c, "dname"));
    if (cli_opt_str(c, "migrate-uri"))
        virtkit_params_add_string(p, "uri", cli_opt_str(c, "migrate-uri"));
    unsigned int f = 0;
    if (cli_flag(c, "live"))
        f |= VIRTKIT_MIGRATE_LIVE;
    if (cli_flag(c, "persistent"))
        f |= VIRTKIT_MIGRATE_PERSIST_DEST;
    if (cli_flag(c, "undefine-source"))
        f |= VIRTKIT_MIGRATE_UNDEFINE_SOURCE;
    if (cli_flag(c, "suspend"))
        f |= VIRTKIT_MIGRATE_PAUSED;
    virtkit_domain *nd = virtkit_domain_migrate(d, dest, p, f);
    int r = nd ? 0 : cli_fail(c, "migrate");
    if (nd)
        printf("Domain '%s' migrated to %s\n", virtkit_domain_get_name(nd), cli_arg_str(c, 1));
    if (nd)
        virtkit_domain_free(nd);
    virtkit_params_free(p);
    virtkit_domain_free(d);
    virtkit_connect_close(dest);
    return r;
}

/* The commands (console lives in cmd_console.c). */
const cli_cmd cli_domain_commands[] = {
    { "list", cmd_list, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "all", CLI_OPT_BOOL, "active and inactive domains" },
           { "inactive", CLI_OPT_BOOL, "inactive domains only" },
           { "persistent", CLI_OPT_BOOL, "persistent domains only" },
           { "transient", CLI_OPT_BOOL, "transient domains only" },
           { "autostart", CLI_OPT_BOOL, "domains marked for autostart" },
           { "managed-save", CLI_OPT_BOOL, "domains with a managed save image" },
           { "name", CLI_OPT_BOOL, "print names only" },
           { "uuid", CLI_OPT_BOOL, "print uuids only" }),
      NULL, "list domains", "Domain" },
    { "define", cmd_define, CLI_NEEDS_CONN,
      OPTS({ "validate", CLI_OPT_BOOL, "check the XML against the schema first" }),
      ARGS({ "file", true, "domain XML file ('-' for stdin)" }),
      "define (but do not start) a domain from an XML file", "Domain" },
    { "undefine", cmd_undefine, CLI_NEEDS_CONN,
      OPTS({ "managed-save", CLI_OPT_BOOL, "also remove its managed save image" }), ARGS(DOMARG),
      "remove a domain's persistent definition", "Domain" },
    { "start", cmd_start, CLI_NEEDS_CONN,
      OPTS({ "paused", CLI_OPT_BOOL, "leave the domain paused" },
           { "force-boot", CLI_OPT_BOOL, "boot even if a managed save image exists" }),
      ARGS(DOMARG), "start a defined domain", "Domain" },
    { "create", cmd_create, CLI_NEEDS_CONN,
      OPTS({ "paused", CLI_OPT_BOOL, "leave the domain paused" },
           { "validate", CLI_OPT_BOOL, "check the XML against the schema first" }),
      ARGS({ "file", true, "domain XML file ('-' for stdin)" }),
      "create and start a transient domain from an XML file", "Domain" },
    { "shutdown", cmd_shutdown, CLI_NEEDS_CONN,
      OPTS({ "wait", CLI_OPT_BOOL, "wait until it is shut off (fails if the guest ignores it)" },
           { "mode", CLI_OPT_STRING, "acpi, agent or signal" }),
      ARGS(DOMARG), "ask the guest to shut down", "Domain" },
    { "reboot", cmd_reboot, CLI_NEEDS_CONN, NULL, ARGS(DOMARG), "ask the guest to reboot",
      "Domain" },
    { "reset", cmd_reset, CLI_NEEDS_CONN, NULL, ARGS(DOMARG), "reset the domain (hard)",
      "Domain" },
    { "destroy", cmd_destroy, CLI_NEEDS_CONN,
      OPTS({ "graceful", CLI_OPT_BOOL, "only SIGTERM, never SIGKILL" }), ARGS(DOMARG),
      "stop the domain at once", "Domain" },
    { "suspend", cmd_suspend, CLI_NEEDS_CONN, NULL, ARGS(DOMARG), "pause the domain",
      "Domain" },
    { "resume", cmd_resume, CLI_NEEDS_CONN, NULL, ARGS(DOMARG), "resume a paused domain",
      "Domain" },
    { "save", cmd_save, CLI_NEEDS_CONN,
      OPTS({ "running", CLI_OPT_BOOL, "restore it running" },
           { "paused", CLI_OPT_BOOL, "restore it paused" },
           { "bypass-cache", CLI_OPT_BOOL, "avoid the page cache" }),
      ARGS(DOMARG, { "file", true, "save image to write" }),
      "save the domain's state to a file and stop it", "Domain" },
    { "restore", cmd_restore, CLI_NEEDS_CONN,
      OPTS({ "running", CLI_OPT_BOOL, "restore it running" },
           { "paused", CLI_OPT_BOOL, "restore it paused" },
           { "xml", CLI_OPT_STRING, "replacement definition (same name and uuid)" },
           { "bypass-cache", CLI_OPT_BOOL, "avoid the page cache" }),
      ARGS({ "file", true, "save image" }), "restore a domain from a save image", "Domain" },
    { "save-image-dumpxml", cmd_save_image_dumpxml, CLI_NEEDS_CONN, NULL,
      ARGS({ "file", true, "save image" }), "print the definition stored in a save image",
      "Domain" },
    { "managedsave", cmd_managedsave, CLI_NEEDS_CONN,
      OPTS({ "running", CLI_OPT_BOOL, "start it running next time" },
           { "paused", CLI_OPT_BOOL, "start it paused next time" },
           { "bypass-cache", CLI_OPT_BOOL, "avoid the page cache" }),
      ARGS(DOMARG), "save the domain's state; the next start resumes from it", "Domain" },
    { "managedsave-remove", cmd_managedsave_remove, CLI_NEEDS_CONN, NULL, ARGS(DOMARG),
      "remove a domain's managed save image", "Domain" },
    { "dump", cmd_dump, CLI_NEEDS_CONN,
      OPTS({ "memory-only", CLI_OPT_BOOL, "ELF memory dump only" },
           { "crash", CLI_OPT_BOOL, "stop the domain afterwards" },
           { "live", CLI_OPT_BOOL, "do not pause while dumping" }),
      ARGS(DOMARG, { "file", true, "core file to write" }), "dump the guest's memory",
      "Domain" },
    { "dominfo", cmd_dominfo, CLI_NEEDS_CONN | CLI_DATA, NULL, ARGS(DOMARG),
      "show a domain's basic information", "Domain" },
    { "domstate", cmd_domstate, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "reason", CLI_OPT_BOOL, "also show why" }), ARGS(DOMARG), "show a domain's state",
      "Domain" },
    { "dumpxml", cmd_dumpxml, CLI_NEEDS_CONN,
      OPTS({ "inactive", CLI_OPT_BOOL, "the persistent definition, not the running one" },
           { "security-info", CLI_OPT_BOOL, "include secrets" },
           { "as-written", CLI_OPT_BOOL, "without the defaults filled in" },
           { "migratable", CLI_OPT_BOOL, "a definition suitable for migration" }),
      ARGS(DOMARG), "print a domain's definition", "Domain" },
    { "autostart", cmd_autostart, CLI_NEEDS_CONN,
      OPTS({ "disable", CLI_OPT_BOOL, "turn autostart off" }), ARGS(DOMARG),
      "start the domain when the host starts", "Domain" },
    { "setmem", cmd_setmem, CLI_NEEDS_CONN, OPTS(AFFECT_OPTS),
      ARGS(DOMARG, { "kib", true, "memory in KiB" }), "change a domain's current memory",
      "Domain" },
    { "setvcpus", cmd_setvcpus, CLI_NEEDS_CONN, OPTS(AFFECT_OPTS),
      ARGS(DOMARG, { "count", true, "number of vcpus" }), "change a domain's vcpu count",
      "Domain" },
    { "vcpupin", cmd_vcpupin, CLI_NEEDS_CONN, OPTS(AFFECT_OPTS),
      ARGS(DOMARG, { "vcpu", true, "vcpu number" },
           { "cpulist", true, "host CPUs, e.g. 0-3,^2" }),
      "pin a vcpu to host CPUs", "Domain" },
    { "emulatorpin", cmd_emulatorpin, CLI_NEEDS_CONN, OPTS(AFFECT_OPTS),
      ARGS(DOMARG, { "cpulist", true, "host CPUs, e.g. 0-3,^2" }),
      "pin the emulator's other threads to host CPUs", "Domain" },
    { "attach-device", cmd_attach_device, CLI_NEEDS_CONN, OPTS(AFFECT_OPTS),
      ARGS(DOMARG, { "file", true, "device XML" }), "attach a device (hotplug)", "Domain" },
    { "detach-device", cmd_detach_device, CLI_NEEDS_CONN, OPTS(AFFECT_OPTS),
      ARGS(DOMARG, { "file", true, "device XML" }), "detach a device (hot-unplug)", "Domain" },
    { "update-device", cmd_update_device, CLI_NEEDS_CONN, OPTS(AFFECT_OPTS),
      ARGS(DOMARG, { "file", true, "device XML" }), "change a device (e.g. cdrom media)",
      "Domain" },
    { "domstats", cmd_domstats, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "state", CLI_OPT_BOOL, "state group" }, { "cpu", CLI_OPT_BOOL, "cpu group" },
           { "balloon", CLI_OPT_BOOL, "balloon group" }, { "vcpu", CLI_OPT_BOOL, "vcpu group" },
           { "interface", CLI_OPT_BOOL, "network interfaces" },
           { "block", CLI_OPT_BOOL, "block devices" },
           { "active", CLI_OPT_BOOL, "active domains only" },
           { "inactive", CLI_OPT_BOOL, "inactive domains only" },
           { "nowait", CLI_OPT_BOOL, "skip what a busy domain cannot answer at once" }),
      ARGS({ "domain", false, "only this domain" }),
      "bulk statistics of all domains (or one)", "Domain" },
    { "console", cli_cmd_console, CLI_NEEDS_CONN,
      OPTS({ "devname", CLI_OPT_STRING, "console device alias (default: the first)" },
           { "timeout", CLI_OPT_INT, "leave after this many seconds" }),
      ARGS(DOMARG), "attach to a domain's serial console (Ctrl+] leaves)", "Domain" },
    { "migrate", cmd_migrate, CLI_NEEDS_CONN,
      OPTS({ "live", CLI_OPT_BOOL, "keep the guest running during migration" },
           { "persistent", CLI_OPT_BOOL, "define the domain on the destination" },
           { "undefine-source", CLI_OPT_BOOL, "undefine it on the source" },
           { "suspend", CLI_OPT_BOOL, "leave it paused on the destination" },
           { "dname", CLI_OPT_STRING, "name on the destination" },
           { "migrate-uri", CLI_OPT_STRING, "transport URI for the data (tcp:HOST:PORT)" }),
      ARGS(DOMARG, { "desturi", true, "destination connection URI" }),
      "move a running domain to another node", "Domain" },
    { NULL },
};
