/*
 * hostinfo.c: see hostinfo.h. Node info, CPU map, per-cell free memory,
 * statistics and huge page pools, on top of the CPU (host_cpu.c) and
 * NUMA (host_numa.c) snapshots. The capabilities document is host_caps.c.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "error.h"
#include "host_cpu.h"
#include "host_numa.h"
#include "host_sysfs.h"
#include "hostinfo.h"
#include "params.h"
#include "uuid.h"

void vk_host_set_root(const char *root)
{
    vk_hostfs_set_root(root);
}

/* ------------------------------------------------------------ node info -- */

static int node_meminfo(const char *key, uint64_t *kib, bool required)
{
    VK_AUTOFREE(char *) text = vk_hostfs_read("/proc/meminfo");
    if (!text)
        return -1;
    VK_AUTOFREE(char *) why = NULL;
    int r = vk_meminfo_value(text, key, kib, &why);
    if (r < 0 || (r == 0 && required)) {
        vk_hostfs_parse_error("/proc/meminfo", "%s", r < 0 ? why : "no MemTotal line");
        return -1;
    }
    if (r == 0)
        *kib = 0;
    return 0;
}

int vk_host_get_info(virtkit_node_info *info)
{
    VK_AUTOPTR(vk_host_cpus) c = NULL;
    uint64_t mem;
    if (vk_host_cpus_load(&c) < 0 || node_meminfo("MemTotal", &mem, true) < 0)
        return -1;
    memset((char *)info + sizeof(info->version), 0, sizeof(*info) - sizeof(info->version));
    snprintf(info->model, sizeof(info->model), "%s", c->info.model);
    info->memory_kib = mem;
    info->cpus = (unsigned int)c->online.n;
    info->mhz = c->info.mhz;
    vk_host_cpus_shape(c, info);
    return 0;
}

/* --------------------------------------------------------------- CPU map -- */

int vk_host_get_cpu_map(unsigned char **cpumap, unsigned int *online)
{
    VK_AUTOCPULIST present = { 0 };
    VK_AUTOCPULIST on = { 0 };
    if (vk_cpulist_read(&present, false, "/sys/devices/system/cpu/present") < 0 ||
        vk_cpulist_read(&on, false, "/sys/devices/system/cpu/online") < 0)
        return -1;
    if (!present.n) {
        vk_hostfs_parse_error("/sys/devices/system/cpu/present", "no CPU is present");
        return -1;
    }
    unsigned int n = vk_cpulist_max(&present) + 1;
    unsigned char *map = vk_alloc(n);
    unsigned int cnt = 0;
    for (size_t i = 0; i < on.n; i++) {
        if (on.ids[i] < n && vk_cpulist_has(&present, on.ids[i])) {
            map[on.ids[i]] = 1;
            cnt++;
        }
    }
    if (cpumap)
        *cpumap = map;
    else
        free(map);
    if (online)
        *online = cnt;
    return (int)n;
}

/* ------------------------------------------------------------ free memory -- */

static char *cell_ids(const vk_host_numa *n)
{
    vk_cpulist l = { 0 };
    for (size_t i = 0; i < n->n; i++)
        vk_cpulist_add(&l, n->cells[i].id);
    char *s = vk_cpulist_format(&l);
    vk_cpulist_clear(&l);
    return s;
}

static void no_such_cell(const vk_host_numa *n, int cell)
{
    VK_AUTOFREE(char *) ids = cell_ids(n);
    vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_HOST,
                 "NUMA cell %d does not exist (the node has cell%s %s)", cell,
                 n->n > 1 ? "s" : "", ids);
}

static int load_all(vk_host_cpus **c, vk_host_numa **n)
{
    if (vk_host_cpus_load(c) < 0)
        return -1;
    return vk_host_numa_load(*c, n);
}

int vk_host_cells_free_memory(unsigned long long *free_bytes, int start_cell, int max_cells)
{
    VK_AUTOPTR(vk_host_cpus) c = NULL;
    VK_AUTOPTR(vk_host_numa) n = NULL;
    if (load_all(&c, &n) < 0)
        return -1;
    unsigned int last = n->cells[n->n - 1].id;
    if (start_cell < 0 || (unsigned int)start_cell > last) {
        no_such_cell(n, start_cell);
        return -1;
    }
    int filled = 0;
    for (unsigned int id = (unsigned int)start_cell; id <= last && filled < max_cells; id++) {
        const vk_host_cell *cell = vk_host_numa_cell(n, id);
        free_bytes[filled++] = cell ? cell->mem_free_kib * 1024ULL : 0;
    }
    return filled;
}

/* ------------------------------------------------------------- statistics -- */

int vk_host_cpu_stats(int cpu, virtkit_params **params)
{
    char key[32];
    if (cpu < 0) {
        snprintf(key, sizeof(key), "cpu");
    } else {
        VK_AUTOCPULIST present = { 0 };
        VK_AUTOCPULIST online = { 0 };
        if (vk_cpulist_read(&present, false, "/sys/devices/system/cpu/present") < 0 ||
            vk_cpulist_read(&online, false, "/sys/devices/system/cpu/online") < 0)
            return -1;
        if (!vk_cpulist_has(&present, (unsigned int)cpu)) {
            VK_AUTOFREE(char *) ids = vk_cpulist_format(&present);
            vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_HOST,
                         "CPU %d does not exist (present CPUs: %s)", cpu, ids);
            return -1;
        }
        if (!vk_cpulist_has(&online, (unsigned int)cpu)) {
            vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_HOST,
                         "CPU %d is offline: it has no time counters", cpu);
            return -1;
        }
        snprintf(key, sizeof(key), "cpu%d", cpu);
    }
    VK_AUTOFREE(char *) stat = vk_hostfs_read("/proc/stat");
    if (!stat)
        return -1;
    size_t kl = strlen(key);
    const char *line = stat;
    while (line && !(strncmp(line, key, kl) == 0 && line[kl] == ' ')) {
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    if (!line) {
        vk_hostfs_parse_error("/proc/stat", "no '%s' line", key);
        return -1;
    }
    /* user nice system idle iowait irq softirq (ticks of USER_HZ) */
    unsigned long long v[7] = { 0 };
    const char *p = line + kl;
    int got = 0;
    while (got < 7) {
        while (*p == ' ')
            p++;
        if (!isdigit((unsigned char)*p))
            break;
        char *end;
        v[got++] = strtoull(p, &end, 10);
        p = end;
    }
    if (got < 5 || (*p != ' ' && *p != '\n' && *p)) {
        vk_hostfs_parse_error("/proc/stat", "line '%.*s' does not hold time counters",
                              (int)strcspn(line, "\n"), line);
        return -1;
    }
    long hz = sysconf(_SC_CLK_TCK);
    unsigned long long ns = 1000000000ULL / (unsigned long long)(hz > 0 ? hz : 100);
    virtkit_params *out = virtkit_params_new();
    virtkit_params_add_ullong(out, "kernel", (v[2] + v[5] + v[6]) * ns);
    virtkit_params_add_ullong(out, "user", (v[0] + v[1]) * ns);
    virtkit_params_add_ullong(out, "idle", v[3] * ns);
    virtkit_params_add_ullong(out, "iowait", v[4] * ns);
    *params = out;
    return 0;
}

int vk_host_memory_stats(int cell, virtkit_params **params)
{
    if (cell < 0) {
        static const struct {
            const char *key, *param;
        } fields[] = {
            { "MemTotal", "total" }, { "MemFree", "free" },
            { "Buffers", "buffers" }, { "Cached", "cached" },
        };
        VK_AUTOFREE(char *) text = vk_hostfs_read("/proc/meminfo");
        if (!text)
            return -1;
        VK_AUTOPTR(virtkit_params) out = virtkit_params_new();
        for (size_t i = 0; i < VK_ARRAY_LEN(fields); i++) {
            uint64_t kib = 0;
            VK_AUTOFREE(char *) why = NULL;
            int r = vk_meminfo_value(text, fields[i].key, &kib, &why);
            if (r < 0 || (r == 0 && i < 2)) {
                vk_hostfs_parse_error("/proc/meminfo", "%s",
                                      r < 0 ? why : "no MemTotal/MemFree line");
                return -1;
            }
            virtkit_params_add_ullong(out, fields[i].param, kib);
        }
        *params = VK_STEAL(out);
        return 0;
    }
    VK_AUTOPTR(vk_host_cpus) c = NULL;
    VK_AUTOPTR(vk_host_numa) n = NULL;
    if (load_all(&c, &n) < 0)
        return -1;
    const vk_host_cell *cl = vk_host_numa_cell(n, (unsigned int)cell);
    if (!cl) {
        no_such_cell(n, cell);
        return -1;
    }
    if (!n->real) /* one cell: the whole node, with every counter */
        return vk_host_memory_stats(-1, params);
    virtkit_params *out = virtkit_params_new();
    virtkit_params_add_ullong(out, "total", cl->mem_total_kib);
    virtkit_params_add_ullong(out, "free", cl->mem_free_kib);
    *params = out;
    return 0;
}

static void add_pools(virtkit_params *p, const char *prefix, const vk_host_pages *pg, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[96];
        snprintf(name, sizeof(name), "%s.%u.total", prefix, pg[i].size_kib);
        virtkit_params_add_ullong(p, name, pg[i].total);
        snprintf(name, sizeof(name), "%s.%u.free", prefix, pg[i].size_kib);
        virtkit_params_add_ullong(p, name, pg[i].free);
    }
}

int vk_host_hugepages(virtkit_params **params)
{
    VK_AUTOPTR(vk_host_cpus) c = NULL;
    VK_AUTOPTR(vk_host_numa) n = NULL;
    if (load_all(&c, &n) < 0)
        return -1;
    virtkit_params *p = virtkit_params_new();
    add_pools(p, "node", n->huge, n->nhuge);
    for (size_t i = 0; n->real && i < n->n; i++) {
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "%u", n->cells[i].id);
        add_pools(p, prefix, n->cells[i].huge, n->cells[i].nhuge);
    }
    *params = p;
    return 0;
}

/* ------------------------------------------------------- arch and uuid -- */

/* Architecture names are interned: callers keep the pointer forever. */
static pthread_mutex_t arch_lock = PTHREAD_MUTEX_INITIALIZER;
static char **arch_names;
static size_t arch_n, arch_cap;

static const char *intern_arch(const char *name)
{
    pthread_mutex_lock(&arch_lock);
    const char *r = NULL;
    for (size_t i = 0; i < arch_n && !r; i++)
        if (vk_streq(arch_names[i], name))
            r = arch_names[i];
    if (!r) {
        VK_GROW(arch_names, arch_cap, arch_n);
        r = arch_names[arch_n++] = vk_strdup(name);
    }
    pthread_mutex_unlock(&arch_lock);
    return r;
}

const char *vk_host_arch(void)
{
    VK_AUTOFREE(char *) root = vk_hostfs_root();
    if (*root) {
        VK_AUTOFREE(char *) a = NULL;
        if (vk_hostfs_line_opt(&a, "/proc/sys/kernel/arch") > 0 && *a)
            return intern_arch(a);
        virtkit_error_clear();
    }
    struct utsname u;
    return intern_arch(uname(&u) == 0 ? u.machine : "unknown");
}

/* Firmware fills product_uuid with placeholders when it has no UUID. */
static bool uuid_is_placeholder(const unsigned char u[VK_UUID_LEN])
{
    static const unsigned char dummy[VK_UUID_LEN] = { 0x03, 0x00, 0x02, 0x00, 0x04, 0x00,
                                                      0x05, 0x00, 0x00, 0x06, 0x00, 0x07,
                                                      0x00, 0x08, 0x00, 0x09 };
    bool same = true;
    for (size_t i = 1; i < VK_UUID_LEN; i++)
        same = same && u[i] == u[0];
    return same || memcmp(u, dummy, VK_UUID_LEN) == 0;
}

int vk_host_uuid(char buf[37])
{
    const char *files[] = { "/sys/class/dmi/id/product_uuid", "/etc/machine-id" };
    for (size_t i = 0; i < VK_ARRAY_LEN(files); i++) {
        VK_AUTOFREE(char *) s = NULL;
        if (vk_hostfs_line_opt(&s, "%s", files[i]) < 0) {
            virtkit_error_clear(); /* product_uuid is root-only: try the next */
            continue;
        }
        unsigned char u[VK_UUID_LEN];
        if (s && vk_uuid_parse(s, u) == 0 && !uuid_is_placeholder(u)) {
            vk_uuid_format(u, buf);
            return 0;
        }
        virtkit_error_clear();
    }
    vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_HOST,
                 "the host has no UUID: neither /sys/class/dmi/id/product_uuid nor "
                 "/etc/machine-id holds one");
    return -1;
}
