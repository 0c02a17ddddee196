/*
 * hostinfo.c: see hostinfo.h. A first version that reads the basic
 * facts; NUMA details, hugepages and node devices live in the node
 * resources work (issue 6).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "error.h"
#include "fileutil.h"
#include "hostinfo.h"
#include "strbuf.h"

static char *host_root;
static pthread_mutex_t root_lock = PTHREAD_MUTEX_INITIALIZER;

void vk_host_set_root(const char *root)
{
    pthread_mutex_lock(&root_lock);
    free(host_root);
    host_root = vk_strdup(root);
    pthread_mutex_unlock(&root_lock);
}

static char *host_path(const char *rel)
{
    pthread_mutex_lock(&root_lock);
    const char *r = host_root ? host_root : getenv("VIRTKIT_SYSFS_ROOT");
    char *p = vk_str_empty(r) ? vk_strdup(rel) : vk_path_join(r, rel);
    pthread_mutex_unlock(&root_lock);
    return p;
}

static char *read_host_file(const char *rel)
{
    VK_AUTOFREE(char *) p = host_path(rel);
    return vk_file_read(p, 1 << 22, NULL);
}

/* Count CPUs in a list like "0-3,8". */
static unsigned int cpulist_count(const char *s)
{
    unsigned int n = 0;
    while (s && *s && *s != '\n') {
        char *end;
        unsigned long a = strtoul(s, &end, 10), b = a;
        if (end == s)
            break;
        if (*end == '-')
            b = strtoul(end + 1, &end, 10);
        n += (unsigned int)(b - a + 1);
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

static unsigned long long meminfo_kib(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    if (!p)
        return 0;
    p += strlen(key);
    while (*p == ':' || *p == ' ')
        p++;
    return strtoull(p, NULL, 10);
}

int vk_host_get_info(virtkit_node_info *info)
{
    VK_AUTOFREE(char *) mem = read_host_file("/proc/meminfo");
    if (!mem)
        return -1;
    VK_AUTOFREE(char *) online = read_host_file("/sys/devices/system/cpu/online");
    if (!online)
        return -1;
    VK_AUTOFREE(char *) cpuinfo = read_host_file("/proc/cpuinfo");
    memset((char *)info + sizeof(info->version), 0, sizeof(*info) - sizeof(info->version));
    info->memory_kib = meminfo_kib(mem, "MemTotal");
    info->cpus = cpulist_count(online);
    const char *m = cpuinfo ? strstr(cpuinfo, "model name") : NULL;
    if (m && (m = strchr(m, ':'))) {
        m++;
        while (*m == ' ')
            m++;
        size_t l = strcspn(m, "\n");
        snprintf(info->model, sizeof(info->model), "%.*s", (int)l, m);
    } else {
        size_t al = strlen(vk_host_arch());
        memcpy(info->model, vk_host_arch(), al < sizeof(info->model) ? al + 1 : sizeof(info->model));
        info->model[sizeof(info->model) - 1] = 0;
    }
    const char *mhz = cpuinfo ? strstr(cpuinfo, "cpu MHz") : NULL;
    if (mhz && (mhz = strchr(mhz, ':')))
        info->mhz = (unsigned int)strtod(mhz + 1, NULL);
    info->nodes = 1;
    info->sockets = 1;
    info->dies = 1;
    info->threads = 1;
    info->cores = info->cpus;
    return 0;
}

int vk_host_get_cpu_map(unsigned char **cpumap, unsigned int *online)
{
    VK_AUTOFREE(char *) present = read_host_file("/sys/devices/system/cpu/present");
    VK_AUTOFREE(char *) on = read_host_file("/sys/devices/system/cpu/online");
    if (!present || !on)
        return -1;
    unsigned int n = cpulist_count(present);
    unsigned char *map = vk_alloc(n ? n : 1);
    unsigned int cnt = 0;
    const char *s = on;
    while (*s && *s != '\n') {
        char *end;
        unsigned long a = strtoul(s, &end, 10), b = a;
        if (end == s)
            break;
        if (*end == '-')
            b = strtoul(end + 1, &end, 10);
        for (unsigned long i = a; i <= b && i < n; i++, cnt++)
            map[i] = 1;
        s = *end == ',' ? end + 1 : end;
    }
    if (cpumap)
        *cpumap = map;
    else
        free(map);
    if (online)
        *online = cnt;
    return (int)n;
}

int vk_host_cells_free_memory(unsigned long long *free_bytes, int start_cell, int max_cells)
{
    VK_AUTOFREE(char *) mem = read_host_file("/proc/meminfo");
    if (!mem)
        return -1;
    if (start_cell != 0 || max_cells < 1) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_HOST, "cell %d does not exist",
                     start_cell);
        return -1;
    }
    free_bytes[0] = meminfo_kib(mem, "MemFree") * 1024ULL;
    return 1;
}

int vk_host_cpu_stats(int cpu, virtkit_params **params)
{
    VK_AUTOFREE(char *) stat = read_host_file("/proc/stat");
    if (!stat)
        return -1;
    char key[32];
    if (cpu < 0)
        snprintf(key, sizeof(key), "cpu ");
    else
        snprintf(key, sizeof(key), "cpu%d ", cpu);
    const char *l = strstr(stat, key);
    if (!l) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_HOST, "CPU %d does not exist", cpu);
        return -1;
    }
    unsigned long long u, n, s, idle, io;
    if (sscanf(l + strlen(key), "%llu %llu %llu %llu %llu", &u, &n, &s, &idle, &io) != 5) {
        vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_HOST, "cannot parse /proc/stat");
        return -1;
    }
    long hz = sysconf(_SC_CLK_TCK);
    unsigned long long mult = 1000000000ULL / (unsigned long long)(hz > 0 ? hz : 100);
    virtkit_params *p = virtkit_params_new();
    virtkit_params_add_ullong(p, "kernel", s * mult);
    virtkit_params_add_ullong(p, "user", (u + n) * mult);
    virtkit_params_add_ullong(p, "idle", idle * mult);
    virtkit_params_add_ullong(p, "iowait", io * mult);
    *params = p;
    return 0;
}

int vk_host_memory_stats(int cell, virtkit_params **params)
{
    VK_AUTOFREE(char *) mem = read_host_file("/proc/meminfo");
    if (!mem)
        return -1;
    virtkit_params *p = virtkit_params_new();
    virtkit_params_add_ullong(p, "total", meminfo_kib(mem, "MemTotal"));
    virtkit_params_add_ullong(p, "free", meminfo_kib(mem, "MemFree"));
    virtkit_params_add_ullong(p, "buffers", meminfo_kib(mem, "Buffers"));
    virtkit_params_add_ullong(p, "cached", meminfo_kib(mem, "\nCached"));
    *params = p;
    return 0;
}

int vk_host_hugepages(virtkit_params **params)
{
    *params = virtkit_params_new();
    return 0;
}

static char host_arch_name[65];

static void host_arch_init(void)
{
    struct utsname u;
    const char *m = uname(&u) == 0 ? u.machine : "unknown";
    size_t l = strlen(m);
    if (l >= sizeof(host_arch_name))
        l = sizeof(host_arch_name) - 1;
    memcpy(host_arch_name, m, l);
    host_arch_name[l] = 0;
}

const char *vk_host_arch(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, host_arch_init);
    return host_arch_name;
}

char *vk_host_capabilities_xml(void)
{
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    if (vk_host_get_info(&info) < 0)
        return NULL;
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    vk_strbuf_add(&b, "<host>\n  <cpu>\n    <arch>");
    vk_strbuf_add_xml_escaped(&b, vk_host_arch());
    vk_strbuf_addf(&b, "</arch>\n    <topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n"
                       "  </cpu>\n</host>\n",
                   info.sockets, info.dies, info.cores, info.threads);
    return vk_strbuf_steal(&b);
}
