/*
 * host_caps.c: the <host> element of the capabilities document
 * (libvirt's layout, formatcaps.html), built against the capabilities
 * tables so it always reparses. node.c wraps it in <capabilities> and
 * adds the hypervisor plugins' <guest> sections.
 *
 * Where virtkit differs from libvirt, on purpose:
 *   - <model> is the kernel's model name, not a libvirt CPU model, so
 *     <feature> lists every CPU flag rather than those beyond a model;
 *   - cell <pages> for the base size count the memory outside the huge
 *     page pools (libvirt counts MemTotal, which includes the pools);
 *   - <migration_features> belongs to the hypervisor, not the node, and is
 *     left to plugins; <secmodel> lists "none" and "dac", the models the
 *     core itself provides.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "defs.h"
#include "error.h"
#include "host_cpu.h"
#include "host_numa.h"
#include "host_sysfs.h"
#include "host_xml.h"
#include "hostinfo.h"

static void add_cpu(vk_hx *b, vk_xnode *host, const vk_host_cpus *c, const vk_host_numa *numa)
{
    const vk_host_cpuinfo *ci = &c->info;
    vk_xnode *cpu = vk_hx_add(b, host, "cpu");
    vk_hx_leaf(b, cpu, "arch", "%s", vk_host_arch());
    vk_hx_leaf(b, cpu, "model", "%s", ci->model);
    if (ci->vendor)
        vk_hx_leaf(b, cpu, "vendor", "%s", ci->vendor);
    if (ci->has_microcode)
        vk_hx_attr(b, vk_hx_add(b, cpu, "microcode"), "version", "%llu",
                   (unsigned long long)ci->microcode);
    if (ci->has_signature) {
        vk_xnode *s = vk_hx_add(b, cpu, "signature");
        vk_hx_attr(b, s, "family", "%u", ci->family);
        vk_hx_attr(b, s, "model", "%u", ci->model_num);
        vk_hx_attr(b, s, "stepping", "%u", ci->stepping);
    }
    if (ci->tsc_hz) {
        vk_xnode *t = vk_hx_add(b, cpu, "counter");
        vk_hx_attr(b, t, "name", "tsc");
        vk_hx_attr(b, t, "frequency", "%llu", (unsigned long long)ci->tsc_hz);
        vk_hx_attr(b, t, "scaling", "no");
    }
    /* Like libvirt: sockets per cell, and cores per die as in a domain's
     * <topology>, so sockets*dies*cores*threads*cells is the CPU count. */
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    info.cpus = (unsigned int)c->online.n;
    vk_host_cpus_shape(c, &info);
    vk_xnode *t = vk_hx_add(b, cpu, "topology");
    vk_hx_attr(b, t, "sockets", "%u", info.sockets);
    vk_hx_attr(b, t, "dies", "%u", info.dies);
    vk_hx_attr(b, t, "cores", "%u", info.dies ? info.cores / info.dies : info.cores);
    vk_hx_attr(b, t, "threads", "%u", info.threads);
    if (ci->phys_bits) {
        vk_xnode *m = vk_hx_add(b, cpu, "maxphysaddr");
        vk_hx_attr(b, m, "mode", "passthrough");
        vk_hx_attr(b, m, "bits", "%u", ci->phys_bits);
    }
    for (size_t i = 0; ci->flags[i]; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = vk_streq(ci->flags[i], ci->flags[j]);
        if (!dup)
            vk_hx_attr(b, vk_hx_add(b, cpu, "feature"), "name", "%s", ci->flags[i]);
    }
    vk_xnode *p = vk_hx_add(b, cpu, "pages");
    vk_hx_attr(b, p, "unit", "KiB");
    vk_hx_attr(b, p, "size", "%u", numa->page_kib);
    for (size_t i = 0; i < numa->nhuge; i++) {
        p = vk_hx_add(b, cpu, "pages");
        vk_hx_attr(b, p, "unit", "KiB");
        vk_hx_attr(b, p, "size", "%u", numa->huge[i].size_kib);
    }
}

/* /sys/power/state lists "freeze mem disk"; hybrid suspend needs the
 * "suspend" hibernation mode in /sys/power/disk. */
static int add_power(vk_hx *b, vk_xnode *host)
{
    VK_AUTOFREE(char *) state = NULL, *disk = NULL;
    if (vk_hostfs_read_opt(&state, "/sys/power/state") < 0 ||
        vk_hostfs_read_opt(&disk, "/sys/power/disk") < 0)
        return -1;
    VK_AUTOSTRV st = vk_strv_split(state ? state : "", " ");
    VK_AUTOSTRV dm = vk_strv_split(disk ? disk : "", " ");
    for (size_t i = 0; st[i]; i++)
        st[i][strcspn(st[i], "\n")] = 0;
    for (size_t i = 0; dm[i]; i++) {
        char *w = dm[i];
        w[strcspn(w, "\n")] = 0;
        if (*w == '[') { /* the active mode is bracketed */
            memmove(w, w + 1, strlen(w));
            w[strcspn(w, "]")] = 0;
        }
    }
    const char *const *s = (const char *const *)st;
    vk_xnode *pm = vk_hx_add(b, host, "power_management");
    if (vk_strv_contains(s, "mem"))
        vk_hx_add(b, pm, "suspend_mem");
    if (vk_strv_contains(s, "disk"))
        vk_hx_add(b, pm, "suspend_disk");
    if (vk_strv_contains(s, "mem") && vk_strv_contains(s, "disk") &&
        vk_strv_contains((const char *const *)dm, "suspend"))
        vk_hx_add(b, pm, "suspend_hybrid");
    return 0;
}

static void add_cells(vk_hx *b, vk_xnode *host, const vk_host_cpus *c, const vk_host_numa *numa)
{
    vk_xnode *cells = vk_hx_add(b, vk_hx_add(b, host, "topology"), "cells");
    vk_hx_attr(b, cells, "num", "%zu", numa->n);
    for (size_t i = 0; i < numa->n; i++) {
        const vk_host_cell *cl = &numa->cells[i];
        vk_xnode *cell = vk_hx_add(b, cells, "cell");
        vk_hx_attr(b, cell, "id", "%u", cl->id);
        vk_xnode *m = vk_hx_leaf(b, cell, "memory", "%llu",
                                 (unsigned long long)cl->mem_total_kib);
        vk_hx_attr(b, m, "unit", "KiB");
        vk_xnode *p = vk_hx_leaf(b, cell, "pages", "%llu",
                                 (unsigned long long)(vk_host_cell_normal_kib(cl) /
                                                      numa->page_kib));
        vk_hx_attr(b, p, "unit", "KiB");
        vk_hx_attr(b, p, "size", "%u", numa->page_kib);
        for (size_t k = 0; k < cl->nhuge; k++) {
            p = vk_hx_leaf(b, cell, "pages", "%llu", (unsigned long long)cl->huge[k].total);
            vk_hx_attr(b, p, "unit", "KiB");
            vk_hx_attr(b, p, "size", "%u", cl->huge[k].size_kib);
        }
        if (cl->ndist) {
            vk_xnode *d = vk_hx_add(b, cell, "distances");
            for (size_t k = 0; k < cl->ndist; k++) {
                vk_xnode *s = vk_hx_add(b, d, "sibling");
                vk_hx_attr(b, s, "id", "%u", cl->dist_ids[k]);
                vk_hx_attr(b, s, "value", "%u", cl->dist_values[k]);
            }
        }
        vk_xnode *cpus = vk_hx_add(b, cell, "cpus");
        vk_hx_attr(b, cpus, "num", "%zu", cl->cpus.n);
        for (size_t k = 0; k < cl->cpus.n; k++) {
            const vk_host_cpu *hc = vk_host_cpus_find(c, cl->cpus.ids[k]);
            vk_xnode *x = vk_hx_add(b, cpus, "cpu");
            vk_hx_attr(b, x, "id", "%u", cl->cpus.ids[k]);
            if (!hc || !hc->has_topology)
                continue; /* offline: the kernel no longer says where it sits */
            vk_hx_attr(b, x, "socket_id", "%u", hc->socket);
            vk_hx_attr(b, x, "die_id", "%u", hc->die);
            if (hc->cluster >= 0)
                vk_hx_attr(b, x, "cluster_id", "%d", hc->cluster);
            vk_hx_attr(b, x, "core_id", "%u", hc->core);
            vk_hx_attr(b, x, "siblings", "%s", hc->siblings);
        }
    }
}

/* ------------------------------------------------------------- caches -- */

typedef struct {
    unsigned int id, level, size_kib;
    const char *type;
    char *cpus;
} cache_bank;

static int bank_cmp(const void *a, const void *b)
{
    const cache_bank *x = a, *y = b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return strcmp(x->type, y->type);
}

static const struct {
    const char *sysfs;
    const char *xml;
} cache_types[] = { { "Unified", "both" }, { "Data", "data" }, { "Instruction", "code" } };

/* One cache index of one CPU; 0 when it is not reportable (no id, or a
 * level-1 cache: private to a core, of no use for placement). */
static int read_bank(unsigned int cpu, const char *index, cache_bank *out)
{
    const char *dir = "/sys/devices/system/cpu/cpu%u/cache/%s/%s";
    uint64_t level, id;
    VK_AUTOFREE(char *) type = NULL, *size = NULL, *cpus = NULL;
    int r;
    if ((r = vk_hostfs_u64_opt(&level, 10, dir, cpu, index, "level")) <= 0 || level < 2)
        return r < 0 ? -1 : 0;
    if ((r = vk_hostfs_u64_opt(&id, 10, dir, cpu, index, "id")) <= 0)
        return r;
    if (vk_hostfs_line_opt(&type, dir, cpu, index, "type") < 0 ||
        vk_hostfs_line_opt(&size, dir, cpu, index, "size") < 0 ||
        vk_hostfs_line_opt(&cpus, dir, cpu, index, "shared_cpu_list") < 0)
        return -1;
    out->type = NULL;
    for (size_t i = 0; type && i < VK_ARRAY_LEN(cache_types); i++)
        if (vk_streq(type, cache_types[i].sysfs))
            out->type = cache_types[i].xml;
    char *end = NULL;
    unsigned long long sz = size ? strtoull(size, &end, 10) : 0;
    unsigned long long mult = !end ? 0 : *end == 'K' ? 1 : *end == 'M' ? 1024 : *end == 'G' ? 1048576 : 0;
    if (!out->type || !mult || (end && end[1]) || !cpus || !*cpus || level > 255 ||
        id > UINT32_MAX || sz * mult > UINT32_MAX) {
        VK_AUTOFREE(char *) rel = vk_asprintf("/sys/devices/system/cpu/cpu%u/cache/%s", cpu,
                                              index);
        vk_hostfs_parse_error(rel, "cache type '%s', size '%s', cpus '%s' are not understood",
                              type ? type : "", size ? size : "", cpus ? cpus : "");
        return -1;
    }
    out->level = (unsigned int)level;
    out->id = (unsigned int)id;
    out->size_kib = (unsigned int)(sz * mult);
    out->cpus = VK_STEAL(cpus);
    return 1;
}

static int add_cache(vk_hx *b, vk_xnode *host, const vk_host_cpus *c)
{
    cache_bank *banks = NULL;
    size_t n = 0, cap = 0;
    int ret = -1;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->cpus[i].online)
            continue;
        VK_AUTOSTRV idx = vk_hostfs_list("index", "/sys/devices/system/cpu/cpu%u/cache",
                                         c->cpus[i].id);
        for (size_t k = 0; idx[k]; k++) {
            cache_bank bank = { 0 };
            int r = read_bank(c->cpus[i].id, idx[k], &bank);
            if (r < 0)
                goto out;
            if (r == 0)
                continue;
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = banks[j].level == bank.level && banks[j].id == bank.id &&
                      vk_streq(banks[j].type, bank.type);
            if (dup) {
                free(bank.cpus);
                continue;
            }
            VK_GROW(banks, cap, n);
            banks[n++] = bank;
        }
    }
    if (n) {
        qsort(banks, n, sizeof(*banks), bank_cmp);
        vk_xnode *cache = vk_hx_add(b, host, "cache");
        for (size_t i = 0; i < n; i++) {
            vk_xnode *x = vk_hx_add(b, cache, "bank");
            unsigned int size = banks[i].size_kib;
            const char *unit = "KiB";
            if (size % 1024 == 0) {
                size /= 1024;
                unit = "MiB";
            }
            vk_hx_attr(b, x, "id", "%u", banks[i].id);
            vk_hx_attr(b, x, "level", "%u", banks[i].level);
            vk_hx_attr(b, x, "type", "%s", banks[i].type);
            vk_hx_attr(b, x, "size", "%u", size);
            vk_hx_attr(b, x, "unit", "%s", unit);
            vk_hx_attr(b, x, "cpus", "%s", banks[i].cpus);
        }
    }
    ret = 0;
out:
    for (size_t i = 0; i < n; i++)
        free(banks[i].cpus);
    free(banks);
    return ret;
}

static int build_host(vk_hx *b, const vk_host_cpus *c, const vk_host_numa *numa)
{
    vk_xnode *host = b->root;
    char uuid[37];
    if (vk_host_uuid(uuid) == 0)
        vk_hx_leaf(b, host, "uuid", "%s", uuid);
    else
        virtkit_error_clear(); /* optional in the format */
    add_cpu(b, host, c, numa);
    if (add_power(b, host) < 0)
        return -1;
    VK_AUTOSTRV groups = vk_hostfs_list("", "/sys/kernel/iommu_groups");
    vk_hx_attr(b, vk_hx_add(b, host, "iommu"), "support", "%s", groups[0] ? "yes" : "no");
    add_cells(b, host, c, numa);
    if (add_cache(b, host, c) < 0)
        return -1;
    const char *models[] = { "none", "dac" };
    for (size_t i = 0; i < VK_ARRAY_LEN(models); i++) {
        vk_xnode *s = vk_hx_add(b, host, "secmodel");
        vk_hx_leaf(b, s, "model", "%s", models[i]);
        vk_hx_leaf(b, s, "doi", "0");
    }
    return 0;
}

char *vk_host_capabilities_xml(void)
{
    VK_AUTOPTR(vk_host_cpus) c = NULL;
    VK_AUTOPTR(vk_host_numa) numa = NULL;
    if (vk_host_cpus_load(&c) < 0 || vk_host_numa_load(c, &numa) < 0)
        return NULL;
    vk_hx b;
    vk_hx_init(&b, &vk_caps_kind, "host");
    if (build_host(&b, c, numa) < 0) {
        vk_hx_clear(&b);
        return NULL;
    }
    return vk_hx_finish(&b);
}
