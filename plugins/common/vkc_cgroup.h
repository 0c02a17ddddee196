/*
 * vkc_cgroup.h: one cgroup per guest process, on the cgroup v2 unified
 * hierarchy or on the v1 controller mounts (hybrid hosts), directly on
 * cgroupfs.
 *
 * A group is created as <hierarchy>/virtkit/<name> in every usable
 * hierarchy (v2: the unified mount with cpu, memory and pids enabled when
 * the parent allows; v1: the cpu, cpuacct, memory, pids and blkio mounts).
 * The spawning code writes the child into each cgroup.procs (see
 * vkc_spawn.cgroup_procs). Where no hierarchy is writable (containers,
 * read-only /sys) creation reports it and callers run without one.
 */
#ifndef VKC_CGROUP_H
#define VKC_CGROUP_H

#include <sys/types.h>

#include "vkc.h"

typedef struct vkc_cgroup vkc_cgroup;

/* Create (or adopt, when it exists) the group `name` (a file name:
 * "qemu-1a2b3c4d-web1"). NULL with an error when no hierarchy works. */
vkc_cgroup *vkc_cgroup_create(const char *name);
/* Find an existing group again (reconnect); NULL without error if gone. */
vkc_cgroup *vkc_cgroup_open(const char *name);
/* The cgroup.procs files to join, NULL-terminated, owned by cg. */
char *const *vkc_cgroup_procs_files(const vkc_cgroup *cg);
/* Move a running process (all its threads) into the group. */
int vkc_cgroup_attach(vkc_cgroup *cg, pid_t pid);
/* The group's directories, one per hierarchy, joined with ':' for status
 * files and logs; owned by cg. */
const char *vkc_cgroup_describe(const vkc_cgroup *cg);
/* Write a knob that v2 and v1 name differently (either name may be NULL
 * where that version has none) in every directory of the group offering
 * it. -1 with an error naming the knob when none offers it or a write
 * fails. */
int vkc_cgroup_set_knob(vkc_cgroup *cg, const char *v2_name, const char *v2_val,
                        const char *v1_name, const char *v1_val);
/* Remove the group's directories (they must hold no process any more;
 * retried briefly since the kernel empties them asynchronously). */
int vkc_cgroup_remove(vkc_cgroup *cg);
void vkc_cgroup_free(vkc_cgroup *cg);

/* The root under which groups are created, for tests; NULL: /sys/fs/cgroup. */
void vkc_cgroup_set_base(const char *base);

#endif
