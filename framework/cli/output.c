/*
 * output.c: see output.h. Cells are kept as text plus a "raw" mark for
 * numbers and booleans, which JSON prints unquoted.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "strbuf.h"

typedef struct {
    char *label;   /* as given, for tables */
    char *key;     /* JSON key: lower case, '_' for spaces */
    char *text;
    bool raw;
} cell;

struct out {
    bool json;
    bool list;
    const char *const *cols;
    size_t ncols;
    cell *cells;
    size_t ncells, cap;
    size_t row_start;
    size_t nrows;
};

static out *out_new(bool json, bool list, const char *const *cols)
{
    out *o = vk_alloc(sizeof(*o));
    o->json = json;
    o->list = list;
    o->cols = cols;
    while (cols && cols[o->ncols])
        o->ncols++;
    return o;
}

out *out_begin_list(bool json, const char *const *cols)
{
    return out_new(json, true, cols);
}

out *out_begin_kv(bool json)
{
    return out_new(json, false, NULL);
}

/* "Used memory" -> "used_memory" for JSON keys. */
static char *json_key(const char *k)
{
    char *r = vk_strdup(k);
    for (char *p = r; *p; p++)
        *p = (*p == ' ' || *p == '-') ? '_' : (char)tolower((unsigned char)*p);
    return r;
}

static void add(out *o, const char *key, char *text, bool raw)
{
    VK_GROW(o->cells, o->cap, o->ncells);
    o->cells[o->ncells].label = vk_strdup(key);
    o->cells[o->ncells].key = json_key(key);
    o->cells[o->ncells].text = text;
    o->cells[o->ncells].raw = raw;
    o->ncells++;
}

void out_str(out *o, const char *key, const char *value)
{
    add(o, key, vk_strdup(value ? value : ""), false);
}

void out_int(out *o, const char *key, long long v)
{
    add(o, key, vk_asprintf("%lld", v), true);
}

void out_uint(out *o, const char *key, unsigned long long v)
{
    add(o, key, vk_asprintf("%llu", v), true);
}

void out_double(out *o, const char *key, double v)
{
    add(o, key, vk_asprintf("%.2f", v), true);
}

void out_bool(out *o, const char *key, bool v)
{
    add(o, key, vk_strdup(v ? (o->json ? "true" : "yes") : (o->json ? "false" : "no")), true);
}

void out_end_row(out *o)
{
    o->nrows++;
    o->row_start = o->ncells;
}

static void json_cell(vk_strbuf *b, const cell *c)
{
    vk_strbuf_addc(b, '"');
    vk_strbuf_add_json_escaped(b, c->key);
    vk_strbuf_add(b, "\": ");
    if (c->raw) {
        vk_strbuf_add(b, c->text);
    } else {
        vk_strbuf_addc(b, '"');
        vk_strbuf_add_json_escaped(b, c->text);
        vk_strbuf_addc(b, '"');
    }
}

static void print_json(out *o)
{
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    if (o->list) {
        size_t per = o->ncols ? o->ncols : 1;
        vk_strbuf_add(&b, "[");
        for (size_t i = 0; i < o->ncells; i++) {
            if (i % per == 0)
                vk_strbuf_add(&b, i ? "},\n  {" : "\n  {");
            else
                vk_strbuf_add(&b, ", ");
            json_cell(&b, &o->cells[i]);
        }
        vk_strbuf_add(&b, o->ncells ? "}\n]\n" : "]\n");
    } else {
        vk_strbuf_add(&b, "{");
        for (size_t i = 0; i < o->ncells; i++) {
            vk_strbuf_add(&b, i ? ",\n  " : "\n  ");
            json_cell(&b, &o->cells[i]);
        }
        vk_strbuf_add(&b, o->ncells ? "\n}\n" : "}\n");
    }
    fputs(vk_strbuf_str(&b), stdout);
}

static size_t text_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            w++;
    return w;
}

static void print_table(out *o)
{
    if (o->list) {
        size_t n = o->ncols;
        size_t *w = vk_alloc_n(n ? n : 1, sizeof(size_t));
        for (size_t j = 0; j < n; j++)
            w[j] = text_width(o->cols[j]);
        for (size_t i = 0; i < o->ncells; i++)
            if (text_width(o->cells[i].text) > w[i % n])
                w[i % n] = text_width(o->cells[i].text);
        size_t total = 0;
        for (size_t j = 0; j < n; j++) {
            if (j + 1 < n)
                printf(" %-*s  ", (int)w[j], o->cols[j]);
            else
                printf(" %s\n", o->cols[j]);
            total += w[j] + 3;
        }
        for (size_t j = 0; j < total; j++)
            putchar('-');
        putchar('\n');
        for (size_t i = 0; i < o->ncells; i++) {
            size_t j = i % n;
            const char *t = o->cells[i].text;
            if (j + 1 < n)
                printf(" %s%*s  ", t, (int)(w[j] - text_width(t)), "");
            else
                printf(" %s\n", t);
        }
        free(w);
    } else {
        size_t w = 0;
        for (size_t i = 0; i < o->ncells; i++)
            if (text_width(o->cells[i].label) > w)
                w = text_width(o->cells[i].label);
        for (size_t i = 0; i < o->ncells; i++) {
            VK_AUTOFREE(char *) label = vk_asprintf("%s:", o->cells[i].label);
            printf("%-*s %s\n", (int)w + 1, label, o->cells[i].text);
        }
    }
}

void out_end(out *o)
{
    if (o->json)
        print_json(o);
    else
        print_table(o);
    fflush(stdout);
    for (size_t i = 0; i < o->ncells; i++) {
        free(o->cells[i].label);
        free(o->cells[i].key);
        free(o->cells[i].text);
    }
    free(o->cells);
    free(o);
}
