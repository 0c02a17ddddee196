/*
 * cmd_misc.c: version, uri, plugins, event and help.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "util.h"

#define OPTS(...) ((const cli_opt[]){ __VA_ARGS__, { NULL, 0, NULL } })
#define ARGS(...) ((const cli_arg[]){ __VA_ARGS__, { NULL, false, NULL } })

static char *version_string(unsigned long long v)
{
    return vk_asprintf("%llu.%llu.%llu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

static int cmd_version(cli_ctx *c)
{
    unsigned long long hv = 0;
    unsigned int amaj, amin;
    virtkit_plugin_abi(&amaj, &amin);
    if (virtkit_connect_get_version(c->conn, &hv) < 0)
        return cli_fail(c, "version");
    VK_AUTOFREE(char *) lib = version_string(virtkit_library_version());
    VK_AUTOFREE(char *) hvs = version_string(hv);
    VK_AUTOFREE(char *) abi = vk_asprintf("%u.%u", amaj, amin);
    out *o = out_begin_kv(c->json);
    out_str(o, "Compiled against library", PACKAGE_VERSION);
    out_str(o, "Using library", lib);
    out_str(o, "Plugin ABI", abi);
    out_str(o, "Driver", virtkit_connect_get_type(c->conn));
    out_str(o, "Running hypervisor", hvs);
    out_end(o);
    return 0;
}

static int cmd_uri(cli_ctx *c)
{
    VK_AUTOFREE(char *) u = virtkit_connect_get_uri(c->conn);
    if (!u)
        return cli_fail(c, "uri");
    printf("%s\n", u);
    return 0;
}

static int cmd_plugins(cli_ctx *c)
{
    virtkit_params **list = NULL;
    int n = virtkit_plugin_list(&list, 0);
    if (n < 0)
        return cli_fail(c, "plugins");
    if (cli_flag(c, "load")) {
        /* Try every plugin so the list shows which load and why others
         * are refused. */
        for (int i = 0; i < n; i++) {
            const char *name = NULL;
            virtkit_params_get_string(list[i], "name", &name);
            virtkit_plugin_load(name, 0);
        }
        virtkit_error_clear();
        virtkit_plugin_list_free(list, n);
        n = virtkit_plugin_list(&list, 0);
        if (n < 0)
            return cli_fail(c, "plugins");
    }
    static const char *const cols[] = { "Name", "Version", "ABI", "Kinds", "Schemes", "State",
                                        NULL };
    static const char *const keys[] = { "name", "version", "abi", "kinds", "schemes", "state" };
    out *o = out_begin_list(c->json, cols);
    for (int i = 0; i < n; i++) {
        for (size_t k = 0; k < VK_ARRAY_LEN(keys); k++) {
            const char *v = NULL;
            virtkit_params_get_string(list[i], keys[k], &v);
            out_str(o, keys[k], v && *v ? v : (c->json ? "" : "-"));
        }
        out_end_row(o);
    }
    out_end(o);
    virtkit_plugin_list_free(list, n);
    return 0;
}

/* -------------------------------------------------------------- events -- */

static volatile sig_atomic_t event_stop;
static int event_count;
static bool event_json;

static void on_signal(int sig)
{
    (void)sig;
    event_stop = 1;
}

static void print_event(const char *kind, const char *objkind, const char *name,
                        const char *what, const char *detail)
{
    if (event_json)
        printf("{\"event\": \"%s\", \"%s\": \"%s\", \"type\": \"%s\", \"detail\": \"%s\"}\n",
               kind, objkind, name, what, detail);
    else if (detail[0])
        printf("event '%s' for %s '%s': %s %s\n", kind, objkind, name, what, detail);
    else
        printf("event '%s' for %s '%s': %s\n", kind, objkind, name, what);
    fflush(stdout);
    event_count++;
}

static void ev_lifecycle(virtkit_connect *conn, virtkit_domain *dom, int event, int detail,
                         void *opaque)
{
    print_event("lifecycle", "domain", virtkit_domain_get_name(dom),
                virtkit_domain_event_name(event), virtkit_domain_event_detail_name(event, detail));
}

static void ev_reboot(virtkit_connect *conn, virtkit_domain *dom, void *opaque)
{
    print_event("reboot", "domain", virtkit_domain_get_name(dom), "rebooted", "");
}

static void ev_device_added(virtkit_connect *conn, virtkit_domain *dom, const char *alias,
                            void *opaque)
{
    print_event("device-added", "domain", virtkit_domain_get_name(dom), "added", alias);
}

static void ev_device_removed(virtkit_connect *conn, virtkit_domain *dom, const char *alias,
                              void *opaque)
{
    print_event("device-removed", "domain", virtkit_domain_get_name(dom), "removed", alias);
}

static void ev_io_error(virtkit_connect *conn, virtkit_domain *dom, const char *src,
                        const char *alias, int action, const char *reason, void *opaque)
{
    print_event("io-error", "domain", virtkit_domain_get_name(dom), alias ? alias : "",
                reason ? reason : "");
}

static const char *const net_events[] = { "defined", "undefined", "started", "stopped" };
static const char *const pool_events[] = { "defined", "undefined", "started", "stopped",
                                           "created", "deleted" };

static void ev_network(virtkit_connect *conn, virtkit_network *net, int event, int detail,
                       void *opaque)
{
    print_event("lifecycle", "network", virtkit_network_get_name(net),
                event >= 0 && event < 4 ? net_events[event] : "unknown", "");
}

static void ev_pool(virtkit_connect *conn, virtkit_pool *pool, int event, int detail,
                    void *opaque)
{
    print_event("lifecycle", "pool", virtkit_pool_get_name(pool),
                event >= 0 && event < 6 ? pool_events[event] : "unknown", "");
}

static void ev_tick(int timer, void *opaque)
{
}

static int cmd_event(cli_ctx *c)
{
    long long timeout = 0;
    if (cli_opt_int(c, "timeout", &timeout) < 0)
        return 2;
    event_json = c->json;
    virtkit_domain *dom = NULL;
    if (cli_opt_str(c, "domain") && !(dom = cli_domain(c, cli_opt_str(c, "domain"))))
        return 1;
    const char *which = cli_opt_str(c, "event");
    bool all = cli_flag(c, "all") || !which;
    static const struct {
        const char *name;
        int id;
        virtkit_event_generic_cb cb;
    } kinds[] = {
        { "lifecycle", VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE, VIRTKIT_EVENT_CALLBACK(ev_lifecycle) },
        { "reboot", VIRTKIT_DOMAIN_EVENT_ID_REBOOT, VIRTKIT_EVENT_CALLBACK(ev_reboot) },
        { "io-error", VIRTKIT_DOMAIN_EVENT_ID_IO_ERROR, VIRTKIT_EVENT_CALLBACK(ev_io_error) },
        { "device-added", VIRTKIT_DOMAIN_EVENT_ID_DEVICE_ADDED,
          VIRTKIT_EVENT_CALLBACK(ev_device_added) },
        { "device-removed", VIRTKIT_DOMAIN_EVENT_ID_DEVICE_REMOVED,
          VIRTKIT_EVENT_CALLBACK(ev_device_removed) },
    };
    if (!all) {
        size_t k = 0;
        while (k < VK_ARRAY_LEN(kinds) && strcmp(kinds[k].name, which) != 0)
            k++;
        if (k == VK_ARRAY_LEN(kinds) && strcmp(which, "network") != 0 &&
            strcmp(which, "pool") != 0)
            return cli_error("event: unknown event '%s' (lifecycle, reboot, io-error, "
                             "device-added, device-removed, network, pool)", which);
    }
    int ids[VK_ARRAY_LEN(kinds)], nid = 0, net_id = -1, pool_id = -1;
    int r = 0;
    for (size_t k = 0; k < VK_ARRAY_LEN(kinds); k++) {
        if (!all && strcmp(which, kinds[k].name) != 0)
            continue;
        int id = virtkit_connect_domain_event_register(c->conn, dom, kinds[k].id, kinds[k].cb,
                                                       NULL, NULL);
        if (id < 0) {
            r = cli_fail(c, "event");
            goto out;
        }
        ids[nid++] = id;
    }
    if (!dom && (all || strcmp(which, "network") == 0)) {
        net_id = virtkit_connect_network_event_register(c->conn, NULL, ev_network, NULL, NULL);
        virtkit_error_clear(); /* a driver without networks is fine */
    }
    if (!dom && (all || strcmp(which, "pool") == 0)) {
        pool_id = virtkit_connect_pool_event_register(c->conn, NULL, ev_pool, NULL, NULL);
        virtkit_error_clear();
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int timer = virtkit_event_add_timeout(200, ev_tick, NULL, NULL);
    int64_t start = vk_now_ms();
    bool loop = cli_flag(c, "loop");
    while (!event_stop && (loop || event_count == 0)) {
        if (virtkit_event_run_default_impl() < 0) {
            r = cli_fail(c, "event loop");
            break;
        }
        if (timeout > 0 && vk_now_ms() - start >= timeout * 1000)
            break;
    }
    virtkit_event_remove_timeout(timer);
    if (!c->json)
        printf("events received: %d\n", event_count);
out:
    for (int i = 0; i < nid; i++)
        virtkit_connect_domain_event_deregister(c->conn, ids[i]);
    if (net_id >= 0)
        virtkit_connect_network_event_deregister(c->conn, net_id);
    if (pool_id >= 0)
        virtkit_connect_pool_event_deregister(c->conn, pool_id);
    if (dom)
        virtkit_domain_free(dom);
    return r;
}

static int cmd_help(cli_ctx *c)
{
    const char *name = cli_arg_str(c, 0);
    if (!name) {
        cli_print_overview();
        return 0;
    }
    const cli_cmd *cmd = cli_find_command(name);
    if (!cmd)
        return cli_error("help: unknown command '%s'", name);
    cli_print_help(cmd);
    return 0;
}

const cli_cmd cli_misc_commands[] = {
    { "version", cmd_version, CLI_NEEDS_CONN | CLI_DATA, NULL, NULL,
      "versions of the library, plugin ABI and hypervisor", "General" },
    { "uri", cmd_uri, CLI_NEEDS_CONN, NULL, NULL, "the connection's canonical URI", "General" },
    { "plugins", cmd_plugins, CLI_DATA,
      OPTS({ "load", CLI_OPT_BOOL, "load every plugin to show which are refused and why" }),
      NULL, "list installed plugins with their ABI version, kinds and state", "General" },
    { "event", cmd_event, CLI_NEEDS_CONN | CLI_DATA,
      OPTS({ "domain", CLI_OPT_STRING, "only events of this domain" },
           { "event", CLI_OPT_STRING,
             "lifecycle, reboot, io-error, device-added, device-removed, network or pool" },
           { "all", CLI_OPT_BOOL, "every kind of event (the default)" },
           { "loop", CLI_OPT_BOOL, "keep printing events (until Ctrl+C or --timeout)" },
           { "timeout", CLI_OPT_INT, "stop after this many seconds" }),
      NULL, "print events as they happen", "General" },
    { "help", cmd_help, 0, NULL, ARGS({ "command", false, "the command to explain" }),
      "list commands, or explain one", "General" },
    { NULL },
};
