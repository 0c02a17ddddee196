/*
 * host_cpu.h: the node's CPUs: which are present, possible and online,
 * where each sits (cell, socket, die, cluster, core, thread siblings;
 * /sys/devices/system/cpu/cpuN/topology) and what they are (model,
 * vendor, microcode, signature, flags, frequency; /proc/cpuinfo and
 * cpufreq). One snapshot per call; the caller frees it.
 */
#ifndef VK_HOST_CPU_H
#define VK_HOST_CPU_H

#include <virtkit/virtkit.h>

#include "host_cpulist.h"
#include "util.h"

typedef struct vk_host_cpu {
    unsigned int id;
    bool online;
    bool has_topology;        /* false for offline CPUs (the kernel drops it) */
    unsigned int socket;      /* physical_package_id (-1 reported as 0) */
    unsigned int die;         /* die_id, 0 where the kernel has none */
    int cluster;              /* cluster_id, -1 when absent or meaningless */
    unsigned int core;        /* core_id */
    char *siblings;           /* thread_siblings_list, canonical form */
    int node;                 /* NUMA cell, -1 when unknown */
} vk_host_cpu;

typedef struct vk_host_cpuinfo {
    char *model;              /* "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz"; never NULL */
    char *vendor;             /* "Intel", "AMD", ...; NULL when unknown */
    bool has_microcode;
    uint64_t microcode;
    bool has_signature;
    unsigned int family, model_num, stepping;
    unsigned int phys_bits;   /* 0 when unknown */
    char **flags;             /* never NULL */
    unsigned int mhz;         /* nominal frequency, 0 when unknown */
    uint64_t tsc_hz;          /* invariant TSC frequency, 0 when unknown */
} vk_host_cpuinfo;

typedef struct vk_host_cpus {
    vk_host_cpu *cpus;        /* every present CPU, ascending id */
    size_t n;
    vk_cpulist present, online, possible;
    vk_host_cpuinfo info;
} vk_host_cpus;

int vk_host_cpus_load(vk_host_cpus **out);
void vk_host_cpus_free(vk_host_cpus *c);
VK_DEFINE_AUTOPTR(vk_host_cpus, vk_host_cpus_free)
/* The shape of the online CPUs in virtkit_node_info terms (nodes,
 * sockets, dies, cores, threads; info->cpus must be set): see
 * vk_host_get_info in hostinfo.h for the rules. */
void vk_host_cpus_shape(const vk_host_cpus *c, virtkit_node_info *info);
/* The CPU with this id, NULL when not present. */
const vk_host_cpu *vk_host_cpus_find(const vk_host_cpus *c, unsigned int id);

#endif
