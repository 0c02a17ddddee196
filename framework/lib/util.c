/*
 * util.c: see util.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

static void vk_oom(size_t n)
{
    fprintf(stderr, "virtkit: out of memory allocating %zu bytes\n", n);
    abort();
}

void *vk_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        vk_oom(n);
    return p;
}

void *vk_alloc_n(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        vk_oom(SIZE_MAX);
    return vk_alloc(count * size);
}

void *vk_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        vk_oom(n);
    return q;
}

char *vk_strdup(const char *s)
{
    if (!s)
        return NULL;
    char *r = strdup(s);
    if (!r)
        vk_oom(strlen(s));
    return r;
}

char *vk_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *r = strndup(s, n);
    if (!r)
        vk_oom(n);
    return r;
}

void *vk_memdup(const void *p, size_t n)
{
    void *r = vk_alloc(n);
    if (n)
        memcpy(r, p, n);
    return r;
}

char *vk_vasprintf(const char *fmt, va_list ap)
{
    char *r = NULL;
    if (vasprintf(&r, fmt, ap) < 0)
        vk_oom(strlen(fmt));
    return r;
}

char *vk_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = vk_vasprintf(fmt, ap);
    va_end(ap);
    return r;
}

void vk_grow(void *arr, size_t *cap, size_t need, size_t size)
{
    void **a = (void **)arr;
    if (need < *cap)
        return;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap <= need)
        ncap *= 2;
    if (ncap > SIZE_MAX / size)
        vk_oom(SIZE_MAX);
    *a = vk_realloc(*a, ncap * size);
    memset((char *)*a + *cap * size, 0, (ncap - *cap) * size);
    *cap = ncap;
}

bool vk_str_has_prefix(const char *s, const char *prefix)
{
    return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool vk_str_has_suffix(const char *s, const char *suffix)
{
    if (!s || !suffix)
        return false;
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

int vk_parse_u64(const char *s, int base, uint64_t *out)
{
    if (vk_str_empty(s) || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int vk_parse_i64(const char *s, int base, int64_t *out)
{
    if (vk_str_empty(s) || *s == ' ' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, base);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int vk_parse_uint(const char *s, unsigned int *out)
{
    uint64_t v;
    if (vk_parse_u64(s, 10, &v) < 0 || v > UINT32_MAX)
        return -1;
    *out = (unsigned int)v;
    return 0;
}

int vk_parse_int(const char *s, int *out)
{
    int64_t v;
    if (vk_parse_i64(s, 10, &v) < 0 || v > INT32_MAX || v < INT32_MIN)
        return -1;
    *out = (int)v;
    return 0;
}

char **vk_strv_split(const char *s, const char *sep)
{
    size_t n = 0, cap = 0;
    char **v = NULL;
    const char *p = s;
    size_t lsep = strlen(sep);
    VK_GROW(v, cap, 0);
    if (s && *s) {
        for (;;) {
            const char *q = lsep ? strstr(p, sep) : NULL;
            VK_GROW(v, cap, n + 1);
            if (!q) {
                v[n++] = vk_strdup(p);
                break;
            }
            v[n++] = vk_strndup(p, (size_t)(q - p));
            p = q + lsep;
        }
    }
    v[n] = NULL;
    return v;
}

size_t vk_strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

void vk_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

bool vk_strv_contains(const char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (vk_streq(v[i], s))
            return true;
    return false;
}

char *vk_strv_join(char *const *v, const char *sep)
{
    size_t len = 1, lsep = strlen(sep);
    for (size_t i = 0; v && v[i]; i++)
        len += strlen(v[i]) + lsep;
    char *r = vk_alloc(len), *p = r;
    for (size_t i = 0; v && v[i]; i++) {
        if (i) {
            memcpy(p, sep, lsep);
            p += lsep;
        }
        size_t l = strlen(v[i]);
        memcpy(p, v[i], l);
        p += l;
    }
    *p = 0;
    return r;
}

int64_t vk_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t vk_now_ms(void)
{
    return vk_now_ns() / 1000000;
}
