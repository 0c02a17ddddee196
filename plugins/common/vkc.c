/*
 * vkc.c: see vkc.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "vkc.h"

const vkp_host *vkc_host;
const char *vkc_plugin_name = "plugin";

void vkc_init(const vkp_host *host, const char *plugin_name)
{
    vkc_host = host;
    vkc_plugin_name = plugin_name;
}

static __thread int last_code;
static __thread char last_msg[1024];

static void set_error(int code, const char *msg)
{
    last_code = code;
    snprintf(last_msg, sizeof(last_msg), "%s", msg);
    vkc_host->error(code, VIRTKIT_SUB_HYPERVISOR, "%s", msg);
}

void vkc_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = vkc_vasprintf(fmt, ap);
    va_end(ap);
    set_error(code, m);
    free(m);
}

void vkc_error_system(int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = vkc_vasprintf(fmt, ap);
    va_end(ap);
    char buf[256];
    const char *es = strerror_r(errnum, buf, sizeof(buf));
    char *full = vkc_asprintf("%s: %s", m, es);
    set_error(VIRTKIT_ERR_SYSTEM, full);
    free(full);
    free(m);
}

int vkc_last_error(char *buf, size_t len)
{
    if (buf && len)
        snprintf(buf, len, "%s", last_code ? last_msg : "");
    return last_code;
}

void vkc_error_reset(void)
{
    /* Code 0 is "no error": the slot reads as clear afterwards. */
    last_code = 0;
    if (vkc_host->error_code())
        vkc_host->error(0, 0, "%s", "");
}

char *vkc_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t l = strnlen(s, n);
    char *r = vkc_alloc(l + 1);
    memcpy(r, s, l);
    return r;
}

char *vkc_vasprintf(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        n = 0;
    char *r = vkc_alloc((size_t)n + 1);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    return r;
}

char *vkc_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = vkc_vasprintf(fmt, ap);
    va_end(ap);
    return r;
}

void vkc_grow(void *arr, size_t *cap, size_t need, size_t size)
{
    void **a = arr;
    if (need < *cap)
        return;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap <= need)
        ncap *= 2;
    *a = vkc_host->realloc(*a, ncap * size);
    memset((char *)*a + *cap * size, 0, (ncap - *cap) * size);
    *cap = ncap;
}

bool vkc_str_has_prefix(const char *s, const char *prefix)
{
    return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool vkc_str_has_suffix(const char *s, const char *suffix)
{
    if (!s || !suffix)
        return false;
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int vkc_parse_u64(const char *s, int base, uint64_t *out)
{
    if (vkc_str_empty(s) || *s == '-' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int vkc_parse_int(const char *s, int *out)
{
    if (vkc_str_empty(s))
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < -2147483647L - 1 || v > 2147483647L)
        return -1;
    *out = (int)v;
    return 0;
}

/* ------------------------------------------------------- string vectors -- */

void vkc_strv_add(vkc_strv *sv, const char *s)
{
    VKC_GROW(sv->v, sv->cap, sv->n + 1);
    sv->v[sv->n++] = vkc_strdup(s);
    sv->v[sv->n] = NULL;
}

void vkc_strv_addf(vkc_strv *sv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vkc_vasprintf(fmt, ap);
    va_end(ap);
    VKC_GROW(sv->v, sv->cap, sv->n + 1);
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL;
}

void vkc_strv_add_pair(vkc_strv *sv, const char *opt, const char *val)
{
    vkc_strv_add(sv, opt);
    vkc_strv_add(sv, val);
}

void vkc_strv_clear(vkc_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    memset(sv, 0, sizeof(*sv));
}

void vkc_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* ---------------------------------------------------------------- time -- */

int64_t vkc_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t vkc_now_ms(void)
{
    return vkc_now_ns() / 1000000;
}

void vkc_deadline(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

void vkc_cond_init(pthread_cond_t *c)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

void vkc_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------- buffers -- */

void vkc_buf_addn(vkc_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        b->s = vkc_host->realloc(b->s, ncap);
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void vkc_buf_add(vkc_buf *b, const char *s)
{
    if (s)
        vkc_buf_addn(b, s, strlen(s));
}

void vkc_buf_addc(vkc_buf *b, char c)
{
    vkc_buf_addn(b, &c, 1);
}

void vkc_buf_addf(vkc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) s = vkc_vasprintf(fmt, ap);
    va_end(ap);
    vkc_buf_add(b, s);
}

void vkc_buf_add_xml(vkc_buf *b, const char *s)
{
    static const struct {
        char c;
        const char *rep;
    } esc[] = { { '<', "&lt;" }, { '>', "&gt;" }, { '&', "&amp;" }, { '\'', "&apos;" },
                { '"', "&quot;" } };
    for (; s && *s; s++) {
        const char *rep = NULL;
        for (size_t i = 0; i < VKC_ARRAY_LEN(esc) && !rep; i++)
            if (*s == esc[i].c)
                rep = esc[i].rep;
        if (rep)
            vkc_buf_add(b, rep);
        else
            vkc_buf_addc(b, *s);
    }
}

char *vkc_buf_steal(vkc_buf *b)
{
    char *s = b->s ? b->s : vkc_strdup("");
    memset(b, 0, sizeof(*b));
    return s;
}

void vkc_buf_clear(vkc_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}
