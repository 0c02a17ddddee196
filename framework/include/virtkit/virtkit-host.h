/*
 * virtkit-host.h: the node's own resources: CPUs, memory, NUMA cells,
 * statistics and the capabilities document.
 */
#ifndef VIRTKIT_HOST_H
#define VIRTKIT_HOST_H

#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTKIT_NODE_INFO_VERSION 1
typedef struct virtkit_node_info {
    unsigned int version;
    char model[64];               /* CPU model name or architecture */
    unsigned long long memory_kib;/* total memory */
    unsigned int cpus;            /* online CPUs */
    unsigned int mhz;             /* nominal (or current) frequency */
    unsigned int nodes;           /* NUMA cells */
    unsigned int sockets;         /* per cell */
    unsigned int cores;           /* per socket */
    unsigned int threads;         /* per core */
    unsigned int dies;            /* per socket */
} virtkit_node_info;
#define VIRTKIT_NODE_INFO_INIT { VIRTKIT_NODE_INFO_VERSION }

VIRTKIT_API int virtkit_node_get_info(virtkit_connect *conn, virtkit_node_info *info);

/* The capabilities document (libvirt layout: <host> and one <guest> per
 * hypervisor and architecture); caller frees. */
VIRTKIT_API char *virtkit_connect_get_capabilities(virtkit_connect *conn);

/* Online map: one byte per CPU (1 online, 0 offline) in *cpumap (caller
 * frees with virtkit_free), *online set to the number online. Returns the
 * number of CPUs present. */
VIRTKIT_API int virtkit_node_get_cpu_map(virtkit_connect *conn, unsigned char **cpumap,
                                         unsigned int *online, unsigned int flags);

/* Free memory of cells [start, start+max) in bytes; returns how many. */
VIRTKIT_API int virtkit_node_get_cells_free_memory(virtkit_connect *conn,
                                                   unsigned long long *free_bytes,
                                                   int start_cell, int max_cells);
VIRTKIT_API unsigned long long virtkit_node_get_free_memory(virtkit_connect *conn);

#define VIRTKIT_NODE_CPU_STATS_ALL_CPUS (-1)
#define VIRTKIT_NODE_MEMORY_STATS_ALL_CELLS (-1)
/* CPU time counters in ns: "kernel", "user", "idle", "iowait" (and
 * "utilization" when asked for a percentage) for one CPU or all. */
VIRTKIT_API int virtkit_node_get_cpu_stats(virtkit_connect *conn, int cpu,
                                           virtkit_params **params, unsigned int flags);
/* Memory counters in KiB: "total", "free", "buffers", "cached" for the
 * node; "total" and "free" for one cell (the kernel keeps the others for
 * the whole node only). */
VIRTKIT_API int virtkit_node_get_memory_stats(virtkit_connect *conn, int cell,
                                              virtkit_params **params, unsigned int flags);
/* Hugepage pools: for each size "<cell>.<size_kib>.total" and ".free"
 * ("node" for the whole host). */
VIRTKIT_API int virtkit_node_get_hugepages(virtkit_connect *conn, virtkit_params **params,
                                           unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif
