/*
 * hostinfo.h: the node's real resources, read from sysfs and /proc under
 * a root that tests point at recorded trees ($VIRTKIT_SYSFS_ROOT, default
 * "/": <root>/sys/..., <root>/proc/...). These back the public node API
 * (node.c) for plugins that run guests on this machine, and the plugins'
 * vkp_node_api. Every call reads a fresh snapshot; nothing is cached.
 */
#ifndef VK_HOSTINFO_H
#define VK_HOSTINFO_H

#include <virtkit/virtkit.h>

#include "util.h"

/* libvirt's virNodeInfo semantics: cpus online, nodes = cells with CPUs,
 * sockets per cell, cores per socket (all dies), threads per core, dies
 * per socket; nodes*sockets*cores*threads == cpus, and when the machine
 * does not fit that shape: 1 node, 1 socket, cpus cores, 1 thread. */
int vk_host_get_info(virtkit_node_info *info);
/* One byte per CPU up to the highest present (1 online, 0 not); returns
 * that count, *online the number online. */
int vk_host_get_cpu_map(unsigned char **cpumap, unsigned int *online);
/* Free bytes of cells start..start+max-1 (holes in the cell numbering
 * read 0); returns how many were filled. A start past the last cell is
 * an error naming the cells that exist. */
int vk_host_cells_free_memory(unsigned long long *free_bytes, int start_cell, int max_cells);
/* ns counters "kernel" (system+irq+softirq), "user" (user+nice), "idle",
 * "iowait" for one CPU or all (-1). */
int vk_host_cpu_stats(int cpu, virtkit_params **params);
/* KiB counters "total", "free" for a cell, plus "buffers", "cached" for
 * the node (-1; the kernel does not split those per cell). */
int vk_host_memory_stats(int cell, virtkit_params **params);
/* "node.<size_kib>.total" / ".free" and "<cell>.<size_kib>.total" / ".free"
 * for every huge page pool. */
int vk_host_hugepages(virtkit_params **params);
/* The <host> element of the capabilities document. Caller frees. */
char *vk_host_capabilities_xml(void);
/* The machine's architecture ("x86_64"): <root>/proc/sys/kernel/arch
 * under a test root, else uname. The string lives for the process. */
const char *vk_host_arch(void);
/* The host UUID: DMI product_uuid when it is a real one, else
 * /etc/machine-id. Fills buf (VK_UUID_STRLEN). */
int vk_host_uuid(char buf[37]);
/* Set the root for sysfs/proc lookups (NULL: $VIRTKIT_SYSFS_ROOT or "/"). */
void vk_host_set_root(const char *root);

#endif
