/*
 * host_numa.h: the node's NUMA cells (/sys/devices/system/node): their
 * CPUs, memory, distances and huge page pools, plus the node-wide pools
 * (/sys/kernel/mm/hugepages). A machine without the node directory is
 * one cell holding every CPU and all of /proc/meminfo.
 */
#ifndef VK_HOST_NUMA_H
#define VK_HOST_NUMA_H

#include "host_cpu.h"

typedef struct vk_host_pages {
    unsigned int size_kib;
    uint64_t total;               /* pages in the pool */
    uint64_t free;
} vk_host_pages;

typedef struct vk_host_cell {
    unsigned int id;
    vk_cpulist cpus;              /* present CPUs of the cell, online or not */
    uint64_t mem_total_kib;
    uint64_t mem_free_kib;
    vk_host_pages *huge;          /* ascending size */
    size_t nhuge;
    unsigned int *dist_ids;       /* distances to each cell (the kernel's order) */
    unsigned int *dist_values;
    size_t ndist;
} vk_host_cell;

typedef struct vk_host_numa {
    vk_host_cell *cells;          /* ascending id; ids may have holes */
    size_t n;
    bool real;                    /* false: synthesised single cell */
    vk_host_pages *huge;          /* node-wide pools, ascending size */
    size_t nhuge;
    unsigned int page_kib;        /* the base page size */
} vk_host_numa;

int vk_host_numa_load(const vk_host_cpus *cpus, vk_host_numa **out);
void vk_host_numa_free(vk_host_numa *n);
VK_DEFINE_AUTOPTR(vk_host_numa, vk_host_numa_free)
const vk_host_cell *vk_host_numa_cell(const vk_host_numa *n, unsigned int id);
/* Memory in normal (non-huge) pages of a cell, in KiB: the kernel counts
 * huge page pools inside MemTotal. */
uint64_t vk_host_cell_normal_kib(const vk_host_cell *c);

#endif
