/*
 * util.h: memory, cleanup attributes and small string helpers used by
 * every layer. Allocation aborts on exhaustion (like GLib and libvirt since
 * 2019): out-of-memory is not bad input, and a half-handled OOM path loses
 * more than it saves. Destructors accept NULL.
 */
#ifndef VK_UTIL_H
#define VK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VK_UNUSED __attribute__((unused))
#define VK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define VK_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define VK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *vk_alloc(size_t n);                  /* zeroed */
void *vk_alloc_n(size_t count, size_t size);
void *vk_realloc(void *p, size_t n);
char *vk_strdup(const char *s);            /* NULL in, NULL out */
char *vk_strndup(const char *s, size_t n);
char *vk_asprintf(const char *fmt, ...) VK_PRINTF(1, 2);
char *vk_vasprintf(const char *fmt, va_list ap) VK_PRINTF(1, 0);
void *vk_memdup(const void *p, size_t n);

/* Grow *arr (of *cap elements of size) so that index `need` fits. */
void vk_grow(void *arr, size_t *cap, size_t need, size_t size);
#define VK_GROW(arr, cap, need) vk_grow(&(arr), &(cap), (need), sizeof(*(arr)))

static inline bool vk_streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}
static inline bool vk_str_empty(const char *s)
{
    return !s || !*s;
}
bool vk_str_has_prefix(const char *s, const char *prefix);
bool vk_str_has_suffix(const char *s, const char *suffix);
/* Parse a whole string as an unsigned / signed integer in base 10 (or 0x
 * hex with base 0). Returns 0 or -1 (no error set). */
int vk_parse_u64(const char *s, int base, uint64_t *out);
int vk_parse_i64(const char *s, int base, int64_t *out);
int vk_parse_uint(const char *s, unsigned int *out);
int vk_parse_int(const char *s, int *out);

/* NULL-terminated string vectors. */
char **vk_strv_split(const char *s, const char *sep);
size_t vk_strv_len(char *const *v);
void vk_strv_free(char **v);
bool vk_strv_contains(const char *const *v, const char *s);
char *vk_strv_join(char *const *v, const char *sep);

/* Monotonic clock. */
int64_t vk_now_ns(void);
int64_t vk_now_ms(void);

/* Scope-bound cleanup (VK_AUTOFREE, VK_AUTOCLOSE, VK_AUTOSTRV, VK_AUTOPTR,
 * VK_STEAL, VK_STEAL_FD): shared with the in-tree plugins. */
#include "vk_cleanup.h"

#endif
