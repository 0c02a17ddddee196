/*
 * objects.c: the handle types (domain, network, pool, volume, node device)
 * and the checks every public entry point starts with.
 */
#include "config.h"

#include <stdlib.h>

#include "core.h"
#include "uuid.h"

void vk_ref_clear(vkp_ref *ref)
{
    if (!ref)
        return;
    free(ref->name);
    ref->name = NULL;
}

void vk_volref_clear(vkp_volref *ref)
{
    if (!ref)
        return;
    free(ref->pool);
    free(ref->name);
    free(ref->key);
    memset(ref, 0, sizeof(*ref));
}

#define HANDLE_NEW(type, reftype)                                                       \
    type *h = vk_alloc(sizeof(*h));                                                     \
    h->refs = 1;                                                                        \
    h->conn = conn;                                                                     \
    vk_obj_ref(&conn->refs);                                                            \
    h->ref = *ref;                                                                      \
    memset(ref, 0, sizeof(reftype));                                                    \
    return h

virtkit_domain *vk_domain_new(virtkit_connect *conn, vkp_ref *ref)
{
    HANDLE_NEW(virtkit_domain, vkp_ref);
}

virtkit_network *vk_network_new(virtkit_connect *conn, vkp_ref *ref)
{
    HANDLE_NEW(virtkit_network, vkp_ref);
}

virtkit_pool *vk_pool_new(virtkit_connect *conn, vkp_ref *ref)
{
    HANDLE_NEW(virtkit_pool, vkp_ref);
}

virtkit_volume *vk_volume_new(virtkit_connect *conn, vkp_volref *ref)
{
    HANDLE_NEW(virtkit_volume, vkp_volref);
}

virtkit_nodedev *vk_nodedev_new(virtkit_connect *conn, char *name, char *parent)
{
    virtkit_nodedev *h = vk_alloc(sizeof(*h));
    h->refs = 1;
    h->conn = conn;
    vk_obj_ref(&conn->refs);
    h->name = name;
    h->parent = parent;
    return h;
}

static int cmp_ref_name(const void *a, const void *b)
{
    return strcmp(((const vkp_ref *)a)->name, ((const vkp_ref *)b)->name);
}

void **vk_refs_to_handles(virtkit_connect *conn, vkp_ref *refs, int n, bool want,
                          void *(*make)(virtkit_connect *, vkp_ref *))
{
    void **out = NULL;
    if (n > 1)
        qsort(refs, (size_t)n, sizeof(*refs), cmp_ref_name);
    if (want)
        out = vk_alloc_n((size_t)n + 1, sizeof(*out));
    for (int i = 0; i < n; i++) {
        if (want)
            out[i] = make(conn, &refs[i]);
        else
            vk_ref_clear(&refs[i]);
    }
    free(refs);
    return out;
}

void *vk_make_domain(virtkit_connect *c, vkp_ref *r)
{
    return vk_domain_new(c, r);
}

void *vk_make_network(virtkit_connect *c, vkp_ref *r)
{
    return vk_network_new(c, r);
}

void *vk_make_pool(virtkit_connect *c, vkp_ref *r)
{
    return vk_pool_new(c, r);
}

/* ref/free pairs: free drops one reference; the last one releases the
 * handle and its reference on the connection. */
#define HANDLE_REF_FREE(prefix, type, clear)                                            \
    VIRTKIT_API int prefix##_ref(type *h)                                               \
    {                                                                                   \
        if (!h) {                                                                       \
            vk_error_invalid_arg("%s: handle must not be NULL", __func__);              \
            return -1;                                                                  \
        }                                                                               \
        vk_obj_ref(&h->refs);                                                           \
        return 0;                                                                       \
    }                                                                                   \
    VIRTKIT_API int prefix##_free(type *h)                                              \
    {                                                                                   \
        if (!h) {                                                                       \
            vk_error_invalid_arg("%s: handle must not be NULL", __func__);              \
            return -1;                                                                  \
        }                                                                               \
        if (vk_obj_unref(&h->refs) > 0)                                                 \
            return 0;                                                                   \
        clear;                                                                          \
        vk_connect_unref(h->conn);                                                      \
        free(h);                                                                        \
        return 0;                                                                       \
    }

HANDLE_REF_FREE(virtkit_domain, virtkit_domain, vk_ref_clear(&h->ref))
HANDLE_REF_FREE(virtkit_network, virtkit_network, vk_ref_clear(&h->ref))
HANDLE_REF_FREE(virtkit_pool, virtkit_pool, vk_ref_clear(&h->ref))
HANDLE_REF_FREE(virtkit_volume, virtkit_volume, vk_volref_clear(&h->ref))
HANDLE_REF_FREE(virtkit_nodedev, virtkit_nodedev, (free(h->name), free(h->parent)))

VIRTKIT_API void virtkit_free(void *p)
{
    free(p);
}

/* ------------------------------------------------------ entry checks -- */

int vk_check_flags(const char *func, unsigned int flags, unsigned int known)
{
    if (flags & ~known) {
        vk_error_set(VIRTKIT_ERR_INVALID_FLAGS, VIRTKIT_SUB_CORE,
                     "%s: unsupported flags 0x%x", func, flags & ~known);
        return -1;
    }
    return 0;
}

int vk_check_conn(const char *func, virtkit_connect *conn)
{
    if (!conn) {
        vk_error_invalid_arg("%s: connection must not be NULL", func);
        return -1;
    }
    return 0;
}

int vk_check_writable(const char *func, virtkit_connect *conn)
{
    if (conn->readonly) {
        vk_error_set(VIRTKIT_ERR_OPERATION_DENIED, VIRTKIT_SUB_ACCESS,
                     "%s: the connection to %s is read-only", func, conn->uri_str);
        return -1;
    }
    return 0;
}

int vk_no_support(virtkit_connect *conn, const char *op)
{
    vk_error_set(VIRTKIT_ERR_NO_SUPPORT, VIRTKIT_SUB_HYPERVISOR,
                 "operation %s is not supported by the '%s' driver", op,
                 conn->type ? conn->type : "?");
    return -1;
}

void vk_ensure_error(virtkit_connect *conn, const char *op)
{
    if (!vk_error_code())
        vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_PLUGIN,
                     "the '%s' driver failed %s without saying why", conn->type, op);
}
