/*
 * strbuf.c: see strbuf.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"

static void strbuf_reserve(vk_strbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < b->len + extra + 1)
        ncap *= 2;
    b->s = vk_realloc(b->s, ncap);
    b->cap = ncap;
}

void vk_strbuf_addn(vk_strbuf *b, const char *s, size_t n)
{
    strbuf_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void vk_strbuf_add(vk_strbuf *b, const char *s)
{
    if (s)
        vk_strbuf_addn(b, s, strlen(s));
}

void vk_strbuf_addc(vk_strbuf *b, char c)
{
    vk_strbuf_addn(b, &c, 1);
}

void vk_strbuf_vaddf(vk_strbuf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(tmp)) {
        vk_strbuf_addn(b, tmp, (size_t)n);
        return;
    }
    strbuf_reserve(b, (size_t)n);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void vk_strbuf_addf(vk_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vk_strbuf_vaddf(b, fmt, ap);
    va_end(ap);
}

void vk_strbuf_add_xml_escaped(vk_strbuf *b, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        switch (*p) {
        case '&': vk_strbuf_add(b, "&amp;"); break;
        case '<': vk_strbuf_add(b, "&lt;"); break;
        case '>': vk_strbuf_add(b, "&gt;"); break;
        case '"': vk_strbuf_add(b, "&quot;"); break;
        case '\'': vk_strbuf_add(b, "&apos;"); break;
        default: vk_strbuf_addc(b, *p);
        }
    }
}

void vk_strbuf_add_json_escaped(vk_strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p == '"' || *p == '\\') {
            vk_strbuf_addc(b, '\\');
            vk_strbuf_addc(b, (char)*p);
        } else if (*p == '\n') {
            vk_strbuf_add(b, "\\n");
        } else if (*p == '\t') {
            vk_strbuf_add(b, "\\t");
        } else if (*p == '\r') {
            vk_strbuf_add(b, "\\r");
        } else if (*p < 0x20) {
            vk_strbuf_addf(b, "\\u%04x", *p);
        } else {
            vk_strbuf_addc(b, (char)*p);
        }
    }
}

void vk_strbuf_add_indent(vk_strbuf *b)
{
    for (int i = 0; i < b->indent; i++)
        vk_strbuf_addc(b, ' ');
}

void vk_strbuf_truncate(vk_strbuf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->s[len] = 0;
    }
}

const char *vk_strbuf_str(vk_strbuf *b)
{
    return b->s ? b->s : "";
}

char *vk_strbuf_steal(vk_strbuf *b)
{
    char *r = b->s ? b->s : vk_strdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return r;
}

void vk_strbuf_clear(vk_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}
