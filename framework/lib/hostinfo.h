/*
 * hostinfo.h: the node's real resources, read from sysfs and /proc under
 * a root that tests point at recorded trees ($VIRTKIT_SYSFS_ROOT, default
 * "/": <root>/sys/..., <root>/proc/...).
 */
#ifndef VK_HOSTINFO_H
#define VK_HOSTINFO_H

#include <virtkit/virtkit.h>

#include "util.h"

int vk_host_get_info(virtkit_node_info *info);
int vk_host_get_cpu_map(unsigned char **cpumap, unsigned int *online);
int vk_host_cells_free_memory(unsigned long long *free_bytes, int start_cell, int max_cells);
int vk_host_cpu_stats(int cpu, virtkit_params **params);
int vk_host_memory_stats(int cell, virtkit_params **params);
int vk_host_hugepages(virtkit_params **params);
/* The <host> element of the capabilities document. Caller frees. */
char *vk_host_capabilities_xml(void);
const char *vk_host_arch(void);
/* Set the root for sysfs/proc lookups (NULL: $VIRTKIT_SYSFS_ROOT or "/"). */
void vk_host_set_root(const char *root);

#endif
