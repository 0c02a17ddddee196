/*
 * vkc_json.h: small conveniences over json-c for plugins that speak JSON
 * (QMP, status files, capability caches): dotted-path getters that say
 * "absent" without an error, and an object builder from key/value pairs.
 */
#ifndef VKC_JSON_H
#define VKC_JSON_H

#include <json-c/json.h>

#include "vkc.h"

/* Parse a complete JSON text; NULL with an error naming `what` on failure. */
json_object *vkc_json_parse(const char *text, size_t len, const char *what);
/* The value at a dotted path ("return.status"), NULL when absent. Array
 * elements are reached with a number component ("return.0.name"). */
json_object *vkc_json_get(json_object *o, const char *path);
/* Typed getters: NULL / 0 when absent or of another type. */
const char *vkc_json_str(json_object *o, const char *path);
/* 1 found (number or numeric string), 0 absent. */
int vkc_json_i64(json_object *o, const char *path, int64_t *out);
int vkc_json_bool(json_object *o, const char *path, int dflt);

/* {"k1": v1, "k2": v2, ...}: pairs of (const char *key, json_object *value)
 * ending with a NULL key. A NULL value leaves its key out (optional
 * arguments). Takes ownership of the values. */
json_object *vkc_json_obj(const char *key, ...);
/* Shorthands for values. */
#define VKC_JS(s) json_object_new_string(s)
#define VKC_JI(i) json_object_new_int64((int64_t)(i))
#define VKC_JB(b) json_object_new_boolean((b) ? 1 : 0)

/* Compact text of o (host-allocated copy). */
char *vkc_json_text(json_object *o);

static inline void vkc_json_putp(json_object **o)
{
    if (*o)
        json_object_put(*o);
}
#define VKC_AUTOJSON __attribute__((cleanup(vkc_json_putp))) json_object *

#endif
