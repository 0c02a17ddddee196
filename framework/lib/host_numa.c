/*
 * host_numa.c: see host_numa.h.
 *
 * The kernel lists a cell's online CPUs in nodeN/cpulist; offline CPUs
 * keep their cpuN/nodeM link, so both are merged to give the cell every
 * CPU it owns. nodeN/distance lists one value per online cell, in the
 * order of node/online.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_numa.h"
#include "host_sysfs.h"

#define NODE_DIR "/sys/devices/system/node"

static int pages_cmp(const void *a, const void *b)
{
    const vk_host_pages *x = a, *y = b;
    return x->size_kib < y->size_kib ? -1 : x->size_kib > y->size_kib;
}

/* Huge page pools under dir (".../hugepages"): hugepages-<size>kB/. */
static int load_pools(const char *dir, vk_host_pages **out, size_t *n)
{
    VK_AUTOSTRV pools = vk_hostfs_list("hugepages-", "%s", dir);
    size_t cnt = vk_strv_len(pools);
    vk_host_pages *p = vk_alloc_n(cnt ? cnt : 1, sizeof(*p));
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++) {
        unsigned int size;
        char tail[8];
        if (sscanf(pools[i], "hugepages-%u%7s", &size, tail) != 2 || !vk_streq(tail, "kB") ||
            size == 0) {
            VK_AUTOFREE(char *) rel = vk_asprintf("%s/%s", dir, pools[i]);
            vk_hostfs_parse_error(rel, "not a huge page pool name (expected hugepages-<N>kB)");
            free(p);
            return -1;
        }
        p[k].size_kib = size;
        if (vk_hostfs_u64(&p[k].total, 10, "%s/%s/nr_hugepages", dir, pools[i]) < 0 ||
            vk_hostfs_u64(&p[k].free, 10, "%s/%s/free_hugepages", dir, pools[i]) < 0) {
            free(p);
            return -1;
        }
        if (p[k].free > p[k].total) {
            VK_AUTOFREE(char *) rel = vk_asprintf("%s/%s/free_hugepages", dir, pools[i]);
            vk_hostfs_parse_error(rel, "%llu free pages exceed the pool of %llu",
                                  (unsigned long long)p[k].free,
                                  (unsigned long long)p[k].total);
            free(p);
            return -1;
        }
        k++;
    }
    qsort(p, k, sizeof(*p), pages_cmp);
    *out = p;
    *n = k;
    return 0;
}

static int load_meminfo(const char *rel, uint64_t *total, uint64_t *free_kib)
{
    VK_AUTOFREE(char *) text = vk_hostfs_read("%s", rel);
    if (!text)
        return -1;
    const char *keys[] = { "MemTotal", "MemFree" };
    uint64_t *vals[] = { total, free_kib };
    for (size_t i = 0; i < 2; i++) {
        VK_AUTOFREE(char *) why = NULL;
        int r = vk_meminfo_value(text, keys[i], vals[i], &why);
        if (r <= 0) {
            vk_hostfs_parse_error(rel, "%s", r < 0 ? why : "no MemTotal/MemFree line");
            return -1;
        }
    }
    return 0;
}

static int load_distances(vk_host_cell *cell, const vk_cpulist *online)
{
    VK_AUTOFREE(char *) rel = vk_asprintf(NODE_DIR "/node%u/distance", cell->id);
    VK_AUTOFREE(char *) text = NULL;
    int r = vk_hostfs_read_opt(&text, "%s", rel);
    if (r <= 0)
        return r;
    cell->dist_ids = vk_alloc_n(online->n ? online->n : 1, sizeof(unsigned int));
    cell->dist_values = vk_alloc_n(online->n ? online->n : 1, sizeof(unsigned int));
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v > 255 || (*end && *end != ' ' && *end != '\n')) {
            vk_hostfs_parse_error(rel, "'%.*s' is not a distance", (int)strcspn(p, " \n"), p);
            return -1;
        }
        if (cell->ndist >= online->n) {
            vk_hostfs_parse_error(rel, "more distances than the %zu online cells", online->n);
            return -1;
        }
        cell->dist_ids[cell->ndist] = online->ids[cell->ndist];
        cell->dist_values[cell->ndist++] = (unsigned int)v;
        p = end;
    }
    if (cell->ndist != online->n) {
        vk_hostfs_parse_error(rel, "%zu distances for %zu online cells", cell->ndist, online->n);
        return -1;
    }
    return 0;
}

static int load_cell(vk_host_cell *cell, const vk_host_cpus *cpus, const vk_cpulist *online)
{
    if (vk_cpulist_read(&cell->cpus, true, NODE_DIR "/node%u/cpulist", cell->id) < 0)
        return -1;
    for (size_t i = 0; i < cpus->n; i++)
        if (cpus->cpus[i].node == (int)cell->id)
            vk_cpulist_add(&cell->cpus, cpus->cpus[i].id);
    VK_AUTOFREE(char *) mi = vk_asprintf(NODE_DIR "/node%u/meminfo", cell->id);
    VK_AUTOFREE(char *) hp = vk_asprintf(NODE_DIR "/node%u/hugepages", cell->id);
    if (load_meminfo(mi, &cell->mem_total_kib, &cell->mem_free_kib) < 0 ||
        load_pools(hp, &cell->huge, &cell->nhuge) < 0 || load_distances(cell, online) < 0)
        return -1;
    return 0;
}

int vk_host_numa_load(const vk_host_cpus *cpus, vk_host_numa **out)
{
    VK_AUTOPTR(vk_host_numa) n = vk_alloc(sizeof(*n));
    long ps = sysconf(_SC_PAGESIZE);
    n->page_kib = ps >= 1024 ? (unsigned int)(ps / 1024) : 4;
    if (load_pools("/sys/kernel/mm/hugepages", &n->huge, &n->nhuge) < 0)
        return -1;

    VK_AUTOCPULIST online = { 0 };
    if (vk_hostfs_exists(NODE_DIR)) {
        int r = vk_cpulist_read(&online, true, NODE_DIR "/online");
        if (r < 0)
            return -1;
        if (r == 0) {
            /* older kernels: the cells are the nodeN directories */
            VK_AUTOSTRV dirs = vk_hostfs_list("node", NODE_DIR);
            for (size_t i = 0; dirs[i]; i++) {
                unsigned int id;
                if (vk_parse_uint(dirs[i] + 4, &id) == 0 && id < VK_CPULIST_MAX)
                    vk_cpulist_add(&online, id);
            }
        }
    }
    if (online.n) {
        n->real = true;
        n->cells = vk_alloc_n(online.n, sizeof(*n->cells));
        for (size_t i = 0; i < online.n; i++) {
            vk_host_cell *c = &n->cells[n->n++];
            c->id = online.ids[i];
            if (load_cell(c, cpus, &online) < 0)
                return -1;
        }
    } else {
        n->cells = vk_alloc(sizeof(*n->cells));
        vk_host_cell *c = &n->cells[n->n++];
        for (size_t i = 0; i < cpus->n; i++)
            vk_cpulist_add(&c->cpus, cpus->cpus[i].id);
        if (load_meminfo("/proc/meminfo", &c->mem_total_kib, &c->mem_free_kib) < 0)
            return -1;
        c->huge = vk_memdup(n->huge, (n->nhuge ? n->nhuge : 1) * sizeof(*n->huge));
        c->nhuge = n->nhuge;
    }
    *out = VK_STEAL(n);
    return 0;
}

const vk_host_cell *vk_host_numa_cell(const vk_host_numa *n, unsigned int id)
{
    for (size_t i = 0; i < n->n; i++)
        if (n->cells[i].id == id)
            return &n->cells[i];
    return NULL;
}

uint64_t vk_host_cell_normal_kib(const vk_host_cell *c)
{
    uint64_t huge = 0;
    for (size_t i = 0; i < c->nhuge; i++)
        huge += c->huge[i].total * c->huge[i].size_kib;
    return huge < c->mem_total_kib ? c->mem_total_kib - huge : 0;
}

void vk_host_numa_free(vk_host_numa *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        vk_cpulist_clear(&n->cells[i].cpus);
        free(n->cells[i].huge);
        free(n->cells[i].dist_ids);
        free(n->cells[i].dist_values);
    }
    free(n->cells);
    free(n->huge);
    free(n);
}
