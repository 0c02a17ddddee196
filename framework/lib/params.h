/*
 * params.h: internals of typed parameter lists (virtkit_params), shared by
 * the public API, the host table and the wire protocol encoder.
 */
#ifndef VK_PARAMS_H
#define VK_PARAMS_H

#include <virtkit/virtkit-common.h>

#include "util.h"

typedef struct vk_param {
    char *name;
    int type;  /* virtkit_param_type */
    union {
        int i;
        unsigned int ui;
        long long l;
        unsigned long long ul;
        double d;
        int b;
        char *s;
    } v;
} vk_param;

struct virtkit_params {
    vk_param *items;
    size_t n;
    size_t cap;
};

/* Deep copy (NULL in, NULL out). */
virtkit_params *vk_params_copy(const virtkit_params *p);
const vk_param *vk_params_find(const virtkit_params *p, const char *name);
/* Check that every parameter's name is in allowed[] with the listed type;
 * error names the offending parameter. allowed is NULL-name terminated. */
typedef struct vk_param_spec {
    const char *name;
    int type;
} vk_param_spec;
int vk_params_validate(const virtkit_params *p, const vk_param_spec *allowed);
VK_DEFINE_AUTOPTR(virtkit_params, virtkit_params_free)

#endif
