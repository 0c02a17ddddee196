/*
 * vkc.h: the base of plugins/common, a static helper library that in-tree
 * plugins link (not installed, not ABI). It offers what the core's own
 * util.h offers the core, since plugins never include framework/:
 * cleanup attributes, a string builder, string vectors and the host table
 * every helper reports errors and allocates through.
 *
 * A plugin calls vkc_init(host) once from its init; each plugin .so links
 * its own copy of this library, so the host pointer is per plugin.
 */
#ifndef VKC_H
#define VKC_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <virtkit-1/host.h>

extern const vkp_host *vkc_host;
/* The plugin name used in log lines ("qemu"). */
extern const char *vkc_plugin_name;

void vkc_init(const vkp_host *host, const char *plugin_name);

#define VKC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define VKC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Logging through the host, tagged with the plugin's name. */
#define VKC_DEBUG(...) vkc_host->log(VKP_LOG_DEBUG, vkc_plugin_name, __VA_ARGS__)
#define VKC_INFO(...) vkc_host->log(VKP_LOG_INFO, vkc_plugin_name, __VA_ARGS__)
#define VKC_WARN(...) vkc_host->log(VKP_LOG_WARN, vkc_plugin_name, __VA_ARGS__)

/* Errors through the host (subsystem HYPERVISOR). The message is also
 * kept per thread (vkc_last_error) so a worker thread's failure can be
 * handed to the thread that reports it. */
void vkc_error(int code, const char *fmt, ...) VKC_PRINTF(2, 3);
/* As vkc_error with VIRTKIT_ERR_SYSTEM, appending ": strerror(errnum)". */
void vkc_error_system(int errnum, const char *fmt, ...) VKC_PRINTF(2, 3);
/* The code of the last error set through vkc_error* on this thread (0 if
 * none) and its message copied to buf. */
int vkc_last_error(char *buf, size_t len);
/* Forget an error a helper set on a path we handle (the slot keeps only
 * failures the caller will report). */
void vkc_error_reset(void);

/* Allocation through the host: never NULL (the process aborts on OOM). */
static inline void *vkc_alloc(size_t n)
{
    return vkc_host->alloc(n);
}
static inline char *vkc_strdup(const char *s)
{
    return s ? vkc_host->strdup(s) : NULL;
}
char *vkc_strndup(const char *s, size_t n);
char *vkc_asprintf(const char *fmt, ...) VKC_PRINTF(1, 2);
char *vkc_vasprintf(const char *fmt, va_list ap) VKC_PRINTF(1, 0);
/* Grow *arr (of *cap elements of size) so that index `need` fits; new
 * elements are zeroed. */
void vkc_grow(void *arr, size_t *cap, size_t need, size_t size);
#define VKC_GROW(arr, cap, need) vkc_grow(&(arr), &(cap), (need), sizeof(*(arr)))

static inline bool vkc_streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}
static inline bool vkc_str_empty(const char *s)
{
    return !s || !*s;
}
bool vkc_str_has_prefix(const char *s, const char *prefix);
bool vkc_str_has_suffix(const char *s, const char *suffix);
/* Whole-string numbers; 0 or -1 (no error set). */
int vkc_parse_u64(const char *s, int base, uint64_t *out);
int vkc_parse_int(const char *s, int *out);

/* NULL-terminated string vectors. */
typedef struct vkc_strv {
    char **v;
    size_t n, cap;
} vkc_strv;
void vkc_strv_add(vkc_strv *sv, const char *s);
void vkc_strv_addf(vkc_strv *sv, const char *fmt, ...) VKC_PRINTF(2, 3);
void vkc_strv_add_pair(vkc_strv *sv, const char *opt, const char *val);
void vkc_strv_clear(vkc_strv *sv);
void vkc_strv_free(char **v);

/* Monotonic clock. */
struct timespec;
int64_t vkc_now_ms(void);
/* An absolute CLOCK_MONOTONIC time ms from now, for pthread_cond_timedwait
 * on condition variables made with vkc_cond_init. */
void vkc_deadline(struct timespec *ts, int ms);
/* A condition variable on CLOCK_MONOTONIC (immune to clock changes). */
void vkc_cond_init(pthread_cond_t *c);
int64_t vkc_now_ns(void);
void vkc_sleep_ms(int ms);

/* ------------------------------------------------------ string builder -- */
typedef struct vkc_buf {
    char *s;
    size_t len, cap;
} vkc_buf;
#define VKC_BUF_INIT { NULL, 0, 0 }
void vkc_buf_add(vkc_buf *b, const char *s);
void vkc_buf_addn(vkc_buf *b, const char *s, size_t n);
void vkc_buf_addc(vkc_buf *b, char c);
void vkc_buf_addf(vkc_buf *b, const char *fmt, ...) VKC_PRINTF(2, 3);
/* Append s escaped for XML text or a single-quoted attribute. */
void vkc_buf_add_xml(vkc_buf *b, const char *s);
/* Hand the string out (never NULL: "" when empty); b is reset. */
char *vkc_buf_steal(vkc_buf *b);
void vkc_buf_clear(vkc_buf *b);

/* ------------------------------------------------------------ cleanup -- */
static inline void vkc_buf_clearp(vkc_buf *b)
{
    vkc_buf_clear(b);
}
static inline void vkc_sv_clearp(vkc_strv *sv)
{
    vkc_strv_clear(sv);
}
/* VK_AUTOFREE, VK_AUTOCLOSE, VK_AUTOSTRV, VK_AUTOPTR, VK_STEAL: the same
 * header as the core's, so plugin code reads like core code. */
#include "vk_cleanup.h"
#define VKC_AUTOBUF __attribute__((cleanup(vkc_buf_clearp))) vkc_buf
#define VKC_AUTOSV __attribute__((cleanup(vkc_sv_clearp))) vkc_strv

#endif
