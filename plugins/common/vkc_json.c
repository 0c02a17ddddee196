/*
 * vkc_json.c: see vkc_json.h.
 */
#include "config.h"

#include <stdlib.h>

#include "vkc_json.h"

json_object *vkc_json_parse(const char *text, size_t len, const char *what)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o || err != json_tokener_success) {
        vkc_error(VIRTKIT_ERR_OPERATION_FAILED, "%s is not valid JSON: %s", what,
                  err != json_tokener_success ? json_tokener_error_desc(err) : "empty");
        if (o)
            json_object_put(o);
        return NULL;
    }
    for (; used < len; used++) {
        if (text[used] != ' ' && text[used] != '\n' && text[used] != '\r' &&
            text[used] != '\t' && text[used] != 0) {
            json_object_put(o);
            vkc_error(VIRTKIT_ERR_OPERATION_FAILED, "%s has trailing data after the JSON value",
                      what);
            return NULL;
        }
    }
    return o;
}

json_object *vkc_json_get(json_object *o, const char *path)
{
    if (!o || !path)
        return NULL;
    char part[128];
    const char *p = path;
    while (o && *p) {
        size_t l = strcspn(p, ".");
        if (l >= sizeof(part))
            return NULL;
        memcpy(part, p, l);
        part[l] = 0;
        p += l + (p[l] == '.');
        if (json_object_is_type(o, json_type_array)) {
            uint64_t idx;
            if (vkc_parse_u64(part, 10, &idx) < 0 || idx >= json_object_array_length(o))
                return NULL;
            o = json_object_array_get_idx(o, (size_t)idx);
        } else if (json_object_is_type(o, json_type_object)) {
            json_object *next = NULL;
            if (!json_object_object_get_ex(o, part, &next))
                return NULL;
            o = next;
        } else {
            return NULL;
        }
    }
    return o;
}

const char *vkc_json_str(json_object *o, const char *path)
{
    json_object *v = vkc_json_get(o, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int vkc_json_i64(json_object *o, const char *path, int64_t *out)
{
    json_object *v = vkc_json_get(o, path);
    if (!v)
        return 0;
    if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
        *out = json_object_get_int64(v);
        return 1;
    }
    if (json_object_is_type(v, json_type_string)) {
        uint64_t u;
        if (vkc_parse_u64(json_object_get_string(v), 10, &u) == 0) {
            *out = (int64_t)u;
            return 1;
        }
    }
    return 0;
}

int vkc_json_bool(json_object *o, const char *path, int dflt)
{
    json_object *v = vkc_json_get(o, path);
    if (!v || !json_object_is_type(v, json_type_boolean))
        return dflt;
    return json_object_get_boolean(v) ? 1 : 0;
}

json_object *vkc_json_obj(const char *key, ...)
{
    json_object *o = json_object_new_object();
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        json_object *v = va_arg(ap, json_object *);
        if (v)
            json_object_object_add(o, k, v);
    }
    va_end(ap);
    return o;
}

char *vkc_json_text(json_object *o)
{
    return vkc_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
}
