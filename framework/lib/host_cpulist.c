/*
 * host_cpulist.c: see host_cpulist.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_cpulist.h"
#include "host_sysfs.h"
#include "strbuf.h"

static size_t lower_bound(const vk_cpulist *l, unsigned int id)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool vk_cpulist_has(const vk_cpulist *l, unsigned int id)
{
    size_t i = lower_bound(l, id);
    return i < l->n && l->ids[i] == id;
}

void vk_cpulist_add(vk_cpulist *l, unsigned int id)
{
    size_t i = lower_bound(l, id);
    if (i < l->n && l->ids[i] == id)
        return;
    VK_GROW(l->ids, l->cap, l->n);
    memmove(l->ids + i + 1, l->ids + i, (l->n - i) * sizeof(*l->ids));
    l->ids[i] = id;
    l->n++;
}

static int parse_num(const char **p, unsigned int *out, char **why, const char *whole)
{
    if (!isdigit((unsigned char)**p)) {
        *why = vk_asprintf("'%s' is not a CPU list (expected a number at '%.10s')", whole, *p);
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(*p, &end, 10);
    if (errno || v >= VK_CPULIST_MAX) {
        *why = vk_asprintf("'%s' is not a CPU list (%.*s is out of range)", whole,
                           (int)(end - *p), *p);
        return -1;
    }
    *out = (unsigned int)v;
    *p = end;
    return 0;
}

int vk_cpulist_parse(const char *s, vk_cpulist *out, char **why)
{
    VK_AUTOFREE(char *) whole = vk_strndup(s, strcspn(s, "\n"));
    vk_cpulist l = { 0 };
    const char *p = whole;
    while (*p == ' ')
        p++;
    while (*p) {
        unsigned int a, b;
        if (parse_num(&p, &a, why, whole) < 0)
            goto fail;
        b = a;
        if (*p == '-') {
            p++;
            if (parse_num(&p, &b, why, whole) < 0)
                goto fail;
            if (b < a) {
                *why = vk_asprintf("'%s' is not a CPU list (range %u-%u runs backwards)", whole,
                                   a, b);
                goto fail;
            }
        }
        for (unsigned int i = a; i <= b; i++)
            vk_cpulist_add(&l, i);
        if (*p == ',') {
            p++;
            if (!*p) {
                *why = vk_asprintf("'%s' is not a CPU list (ends with ',')", whole);
                goto fail;
            }
        } else if (*p && *p != ' ') {
            *why = vk_asprintf("'%s' is not a CPU list (unexpected '%c')", whole, *p);
            goto fail;
        } else {
            while (*p == ' ')
                p++;
            if (*p) {
                *why = vk_asprintf("'%s' is not a CPU list (unexpected text after it)", whole);
                goto fail;
            }
        }
    }
    vk_cpulist_clear(out);
    *out = l;
    return 0;
fail:
    vk_cpulist_clear(&l);
    return -1;
}

int vk_cpulist_read(vk_cpulist *out, bool opt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) rel = vk_vasprintf(fmt, ap);
    va_end(ap);
    VK_AUTOFREE(char *) text = NULL;
    int r = opt ? vk_hostfs_read_opt(&text, "%s", rel) : (text = vk_hostfs_read("%s", rel)) ? 1 : -1;
    if (r <= 0) {
        vk_cpulist_clear(out);
        return r;
    }
    VK_AUTOFREE(char *) why = NULL;
    if (vk_cpulist_parse(text, out, &why) < 0) {
        vk_hostfs_parse_error(rel, "%s", why);
        return -1;
    }
    return 1;
}

char *vk_cpulist_format(const vk_cpulist *l)
{
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    vk_strbuf_add(&b, "");
    for (size_t i = 0; i < l->n;) {
        size_t j = i;
        while (j + 1 < l->n && l->ids[j + 1] == l->ids[j] + 1)
            j++;
        if (i)
            vk_strbuf_addc(&b, ',');
        if (j == i)
            vk_strbuf_addf(&b, "%u", l->ids[i]);
        else
            vk_strbuf_addf(&b, "%u-%u", l->ids[i], l->ids[j]);
        i = j + 1;
    }
    return vk_strbuf_steal(&b);
}

unsigned int vk_cpulist_max(const vk_cpulist *l)
{
    return l->n ? l->ids[l->n - 1] : 0;
}

void vk_cpulist_clear(vk_cpulist *l)
{
    free(l->ids);
    memset(l, 0, sizeof(*l));
}
