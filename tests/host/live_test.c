/*
 * live_test.c: the running machine, cross-checked with tools that read it
 * their own way: lscpu (online CPUs, model, sockets, cores per socket,
 * threads per core, NUMA cells) and /proc/meminfo read here directly
 * (MemTotal exact, MemFree within a tolerance since it moves). Every
 * node device found must format and reparse. Skips (exit 77) when lscpu
 * is not installed.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>

#include "defs.h"
#include "hosttest.h"
#include "nodedev.h"
#include "strbuf.h"

static char *lscpu_out;

/* "Key:   value" of lscpu's plain output; NULL when absent. */
static char *lscpu_field(const char *key)
{
    size_t kl = strlen(key);
    for (const char *l = lscpu_out; l && *l;) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            const char *v = l + kl + 1;
            while (*v == ' ')
                v++;
            return vk_strndup(v, strcspn(v, "\n"));
        }
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    return NULL;
}

static unsigned int lscpu_uint(const char *key)
{
    VK_AUTOFREE(char *) v = lscpu_field(key);
    unsigned int n = 0;
    if (!v || vk_parse_uint(v, &n) < 0)
        fail_msg("lscpu has no numeric '%s' (got '%s')", key, v ? v : "(none)");
    return n;
}

static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        vk_strbuf_addn(&b, buf, n);
    if (pclose(p) != 0)
        return NULL;
    return vk_strbuf_steal(&b);
}

/* MemTotal/MemFree straight from the file, independent of our parser. */
static unsigned long long proc_meminfo(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    assert_non_null(f);
    char line[256];
    unsigned long long v = 0;
    size_t kl = strlen(key);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':')
            v = strtoull(line + kl + 1, NULL, 10);
    fclose(f);
    assert_true(v > 0);
    return v;
}

static void test_cpus(void **state)
{
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    VK_AUTOFREE(char *) online = lscpu_field("On-line CPU(s) list");
    assert_non_null(online);
    /* count the list lscpu gives ("0-3,6") */
    unsigned int count = 0;
    for (const char *p = online; *p;) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (*end == '-')
            b = strtoul(end + 1, &end, 10);
        count += (unsigned int)(b - a + 1);
        p = *end == ',' ? end + 1 : end;
    }
    print_message("virtkit: %u CPUs, %u cells x %u sockets x %u cores x %u threads, '%s'\n",
                  info.cpus, info.nodes, info.sockets, info.cores, info.threads, info.model);
    assert_int_equal(info.cpus, count);
    /* both read /proc/cpuinfo's model name on x86; elsewhere lscpu decodes
     * implementer/part codes we do not */
    VK_AUTOFREE(char *) model = lscpu_field("Model name");
    if (model && (vk_str_has_prefix(vk_host_arch(), "x86") || vk_streq(vk_host_arch(), "i686")))
        assert_string_equal(info.model, model);
    VK_AUTOFREE(char *) numa = lscpu_field("NUMA node(s)");
    unsigned int cells = numa ? lscpu_uint("NUMA node(s)") : 1;
    bool flat = info.nodes == 1 && info.sockets == 1 && info.threads == 1 &&
                info.cores == info.cpus;
    unsigned int sockets = lscpu_uint("Socket(s)"), cores = lscpu_uint("Core(s) per socket"),
                 threads = lscpu_uint("Thread(s) per core");
    if (!flat || sockets * cores * threads == count) {
        /* libvirt's convention: sockets per cell (comparable when cells
         * and sockets coincide, or there is one cell) */
        if (cells <= 1 || cells == sockets)
            assert_int_equal(info.sockets * info.nodes, sockets);
        assert_int_equal(info.cores, cores);
        assert_int_equal(info.threads, threads);
    }
    unsigned char *map = NULL;
    unsigned int on = 0;
    VKT_OK(vk_host_get_cpu_map(&map, &on));
    assert_int_equal(on, count);
    free(map);

    VK_AUTOFREE(char *) caps = VKT_NONNULL(vk_host_capabilities_xml());
    VK_AUTOFREE(char *) doc = vk_asprintf("<capabilities>\n%s</capabilities>\n", caps);
    VK_AUTOPTR(vk_xnode) d = VKT_NONNULL(vk_def_parse(VK_DEF_CAPS, doc, 0));
    assert_int_equal(vk_def_count(d, "host/topology/cells/cell"), cells);
}

static void test_memory(void **state)
{
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    VKT_OK(vk_host_get_info(&info));
    assert_int_equal(info.memory_kib, proc_meminfo("MemTotal"));
    virtkit_params *p = NULL;
    VKT_OK(vk_host_memory_stats(-1, &p));
    unsigned long long total = 0, fr = 0;
    assert_int_equal(virtkit_params_get_ullong(p, "total", &total), 1);
    assert_int_equal(virtkit_params_get_ullong(p, "free", &fr), 1);
    virtkit_params_free(p);
    unsigned long long now = proc_meminfo("MemFree");
    unsigned long long diff = fr > now ? fr - now : now - fr;
    print_message("MemFree: virtkit %llu KiB, /proc/meminfo %llu KiB\n", fr, now);
    assert_int_equal(total, proc_meminfo("MemTotal"));
    assert_true(diff <= 65536 || diff * 20 <= now); /* 64 MiB or 5% */

    /* each cell against its own meminfo read here (the cells need not add
     * up to /proc/meminfo: some hypervisors hot-add memory the per-cell
     * counters never see) */
    unsigned long long cells[64];
    int n = vk_host_cells_free_memory(cells, 0, 64);
    VKT_OK(n);
    unsigned long long sum = 0;
    for (int i = 0; i < n; i++) {
        VK_AUTOFREE(char *) path = vk_asprintf("/sys/devices/system/node/node%d/meminfo", i);
        FILE *f = fopen(path, "r");
        if (!f) {
            assert_int_equal(n, 1); /* no NUMA directory: one cell, the whole node */
            sum += cells[i] / 1024;
            continue;
        }
        char line[256];
        unsigned long long cell_free = 0;
        while (fgets(line, sizeof(line), f))
            if (sscanf(line, "Node %*d MemFree: %llu kB", &cell_free) == 1)
                break;
        fclose(f);
        unsigned long long got = cells[i] / 1024;
        diff = got > cell_free ? got - cell_free : cell_free - got;
        print_message("cell %d free: virtkit %llu KiB, meminfo %llu KiB\n", i, got, cell_free);
        assert_true(diff <= 65536 || diff * 20 <= cell_free);
        sum += got;
    }
    if (sum + 65536 < now)
        print_message("note: the cells hold %llu KiB free, the node %llu KiB: the kernel does "
                      "not count all memory per cell here\n", sum, now);
}

static void test_cpu_counters(void **state)
{
    unsigned long long a = 0, b = 0;
    for (int round = 0; round < 2; round++) {
        virtkit_params *p = NULL;
        VKT_OK(vk_host_cpu_stats(-1, &p));
        unsigned long long idle = 0, user = 0;
        assert_int_equal(virtkit_params_get_ullong(p, "idle", &idle), 1);
        assert_int_equal(virtkit_params_get_ullong(p, "user", &user), 1);
        *(round ? &b : &a) = idle + user;
        virtkit_params_free(p);
        usleep(50000);
    }
    assert_true(b >= a);
    assert_true(a > 0);
}

static void test_nodedevs(void **state)
{
    char **names = NULL, **parents = NULL;
    int n = vk_nodedev_list(&names, &parents, 0);
    VKT_OK(n);
    assert_string_equal(names[0], "computer");
    for (int i = 0; i < n; i++) {
        VK_AUTOFREE(char *) xml = vk_nodedev_xml(names[i]);
        if (!xml) {
            /* a device may vanish between the list and this lookup */
            VKT_ERROR(VIRTKIT_ERR_NO_NODEDEV, names[i]);
            continue;
        }
        VK_AUTOPTR(vk_xnode) d = VKT_NONNULL(vk_def_parse(VKP_DEF_NODEDEV, xml, 0));
    }
    /* every interface of this namespace is a net device */
    DIR *dir = opendir("/sys/class/net");
    assert_non_null(dir);
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.' || vk_streq(e->d_name, "bonding_masters"))
            continue;
        VK_AUTOFREE(char *) prefix = vk_asprintf("net_%s_", e->d_name);
        for (char *p = prefix; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
                *p = '_';
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = vk_str_has_prefix(names[i], prefix);
        if (!found)
            fail_msg("interface %s has no node device", e->d_name);
    }
    closedir(dir);
    for (int i = 0; i < n; i++) {
        free(names[i]);
        free(parents[i]);
    }
    free(names);
    free(parents);
}

int main(int argc, char **argv)
{
    lscpu_out = run("LC_ALL=C lscpu 2>/dev/null");
    if (!lscpu_out) {
        fprintf(stderr, "SKIP: lscpu (util-linux) is not installed; nothing to compare with\n");
        return 77;
    }
    vk_host_set_root(NULL);
    unsetenv("VIRTKIT_SYSFS_ROOT");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpus),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_cpu_counters),
        cmocka_unit_test(test_nodedevs),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    free(lscpu_out);
    return r;
}
