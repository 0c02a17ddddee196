/*
 * strbuf.h: a growable string. Used to build XML, command lines and
 * messages. Always NUL-terminated; never fails (allocation aborts).
 */
#ifndef VK_STRBUF_H
#define VK_STRBUF_H

#include "util.h"

typedef struct vk_strbuf {
    char *s;
    size_t len;
    size_t cap;
    int indent;   /* spaces added by vk_strbuf_indent_* helpers */
} vk_strbuf;

#define VK_STRBUF_INIT { NULL, 0, 0, 0 }

void vk_strbuf_add(vk_strbuf *b, const char *s);
void vk_strbuf_addn(vk_strbuf *b, const char *s, size_t n);
void vk_strbuf_addc(vk_strbuf *b, char c);
void vk_strbuf_addf(vk_strbuf *b, const char *fmt, ...) VK_PRINTF(2, 3);
void vk_strbuf_vaddf(vk_strbuf *b, const char *fmt, va_list ap) VK_PRINTF(2, 0);
/* Append s escaped for XML attribute values and text (&<>"'). */
void vk_strbuf_add_xml_escaped(vk_strbuf *b, const char *s);
/* Append s escaped for a JSON string (without quotes). */
void vk_strbuf_add_json_escaped(vk_strbuf *b, const char *s);
/* Append b->indent spaces. */
void vk_strbuf_add_indent(vk_strbuf *b);
void vk_strbuf_truncate(vk_strbuf *b, size_t len);
/* The content (never NULL while the buffer lives). */
const char *vk_strbuf_str(vk_strbuf *b);
/* Hand the string to the caller; the buffer becomes empty. */
char *vk_strbuf_steal(vk_strbuf *b);
void vk_strbuf_clear(vk_strbuf *b);

static inline void vk_strbuf_clearp(vk_strbuf *b)
{
    vk_strbuf_clear(b);
}
#define VK_AUTOSTRBUF __attribute__((cleanup(vk_strbuf_clearp))) vk_strbuf

#endif
