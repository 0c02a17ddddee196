/*
 * host_cpulist.h: the kernel's CPU and node lists ("0-3,8,10-11"), as
 * sorted sets of numbers: parse (with the reason when the text is bad),
 * test, add and format back in the kernel's compact form.
 */
#ifndef VK_HOST_CPULIST_H
#define VK_HOST_CPULIST_H

#include "util.h"

/* Refuse lists naming numbers past this (garbage like "0-4000000000"
 * must not allocate gigabytes); the kernel's own limit is 8192 CPUs. */
#define VK_CPULIST_MAX 65536u

typedef struct vk_cpulist {
    unsigned int *ids; /* ascending, no duplicates */
    size_t n;
    size_t cap;
} vk_cpulist;

/* Parse s (a trailing newline and an empty list are fine). 0, or -1 with
 * *why set (caller frees). */
int vk_cpulist_parse(const char *s, vk_cpulist *out, char **why);
/* Parse a sysfs list file; absent gives 0 with an empty list when opt,
 * else an error naming the file; 1 when read. */
int vk_cpulist_read(vk_cpulist *out, bool opt, const char *fmt, ...) VK_PRINTF(3, 4);
bool vk_cpulist_has(const vk_cpulist *l, unsigned int id);
void vk_cpulist_add(vk_cpulist *l, unsigned int id);
/* "0-3,8"; "" for an empty list. Caller frees. */
char *vk_cpulist_format(const vk_cpulist *l);
unsigned int vk_cpulist_max(const vk_cpulist *l); /* 0 when empty */
void vk_cpulist_clear(vk_cpulist *l);

static inline void vk_cpulist_clearp(vk_cpulist *l)
{
    vk_cpulist_clear(l);
}
#define VK_AUTOCPULIST __attribute__((cleanup(vk_cpulist_clearp))) vk_cpulist

#endif
