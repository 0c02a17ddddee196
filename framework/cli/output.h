/*
 * output.h: printing records as a table (default) or JSON (--json).
 *
 *   out_begin_list(json, cols)  rows of named columns -> aligned table / JSON array
 *   out_begin_kv(json)          key/value pairs -> "Key:  value" lines / JSON object
 * then out_field_*() per value (one per column, in order, row by row, or
 * key then value), out_end_row() after each row, out_end() prints.
 */
#ifndef VK_CLI_OUTPUT_H
#define VK_CLI_OUTPUT_H

#include <stdbool.h>

typedef struct out out;

out *out_begin_list(bool json, const char *const *cols);
out *out_begin_kv(bool json);
void out_str(out *o, const char *key, const char *value);
void out_int(out *o, const char *key, long long value);
void out_uint(out *o, const char *key, unsigned long long value);
void out_double(out *o, const char *key, double value);
void out_bool(out *o, const char *key, bool value);
/* Finish the current row (lists). */
void out_end_row(out *o);
/* Print everything and free. */
void out_end(out *o);

#endif
