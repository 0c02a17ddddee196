/*
 * vk_cpuset.h: libvirt's CPU list syntax, "0-3,^2,8". Tree-internal: the
 * core checks it (XML attributes, API arguments) and in-tree plugins turn
 * it into the masks they apply, with the same rules and messages.
 */
#ifndef VK_CPUSET_H
#define VK_CPUSET_H

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The highest CPU accepted, libvirt's VIR_DOMAIN_CPUMASK_LEN - 1. */
#define VK_CPUSET_MAX 16383

/* Parse s into bits[0..nbits) (bits may be NULL to check only; CPUs at
 * or above nbits are accepted but not stored). *highest (may be NULL)
 * gets the highest CPU the list names. 0, or -1 with a sentence in err. */
static inline int vk_cpuset_scan(const char *s, uint8_t *bits, size_t nbits,
                                 unsigned long *highest, char *err, size_t errlen)
{
    static const char syntax[] = "expected a CPU list like 0-3,^2,8";
    const char *p = s;
    unsigned long top = 0;
    bool any = false;
    if (bits)
        memset(bits, 0, (nbits + 7) / 8);
    if (!*p)
        goto bad_syntax;
    while (*p) {
        while (*p == ' ')
            p++;
        bool neg = *p == '^';
        if (neg)
            p++;
        if (!isdigit((unsigned char)*p))
            goto bad_syntax;
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        p = end;
        if (*p == '-') {
            p++;
            if (neg || !isdigit((unsigned char)*p))
                goto bad_syntax;
            b = strtoul(p, &end, 10);
            if (b < a) {
                snprintf(err, errlen, "range %lu-%lu runs backwards", a, b);
                return -1;
            }
            p = end;
        }
        if (b > VK_CPUSET_MAX) {
            snprintf(err, errlen, "CPU %lu is out of range (0-%d)", b, VK_CPUSET_MAX);
            return -1;
        }
        if (b > top)
            top = b;
        for (unsigned long i = a; bits && i <= b && i < nbits; i++) {
            if (neg)
                bits[i / 8] &= (uint8_t)~(1u << (i % 8));
            else
                bits[i / 8] |= (uint8_t)(1u << (i % 8));
        }
        any |= !neg;
        while (*p == ' ')
            p++;
        if (*p == ',') {
            p++;
            if (!*p)
                goto bad_syntax;
        } else if (*p) {
            goto bad_syntax;
        }
    }
    bool set = !bits;
    for (size_t i = 0; bits && i < (nbits + 7) / 8; i++)
        set |= bits[i] != 0;
    if (!any || !set) {
        snprintf(err, errlen, "selects no CPU");
        return -1;
    }
    if (highest)
        *highest = top;
    return 0;
bad_syntax:
    snprintf(err, errlen, "%s", syntax);
    return -1;
}

#endif
