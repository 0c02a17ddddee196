/*
 * storage.c: the public storage pool and volume API; dispatch to the
 * storage driver of the connection.
 */
#include "config.h"

#include <stdlib.h>

#include "core.h"
#include "uuid.h"

VIRTKIT_API int virtkit_connect_list_all_pools(virtkit_connect *conn, virtkit_pool ***pools,
                                              unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, 0x3fu, -1);
    int (*f)(vkp_conn *, vkp_ref **, unsigned int) = VK_STOR(conn, list_all_pools, -1);
    vkp_ref *refs = NULL;
    int n = f(conn->stor_conn, &refs, flags);
    if (n < 0) {
        vk_ensure_error(conn, "list_all_pools");
        return -1;
    }
    void **h = vk_refs_to_handles(conn, refs, n, pools != NULL, vk_make_pool);
    if (pools)
        *pools = (virtkit_pool **)h;
    return n;
}

static virtkit_pool *wrap_pool(virtkit_connect *conn, int rc, vkp_ref *r, const char *op)
{
    if (rc < 0) {
        vk_ref_clear(r);
        vk_ensure_error(conn, op);
        return NULL;
    }
    return vk_pool_new(conn, r);
}

VIRTKIT_API virtkit_pool *virtkit_pool_lookup_by_name(virtkit_connect *conn, const char *name)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (vk_str_empty(name)) {
        vk_error_invalid_arg("%s: name must not be empty", __func__);
        return NULL;
    }
    int (*f)(vkp_conn *, const char *, const unsigned char *, vkp_ref *) =
        VK_STOR(conn, lookup_pool, NULL);
    vkp_ref r = { 0 };
    return wrap_pool(conn, f(conn->stor_conn, name, NULL, &r), &r, "lookup_pool");
}

VIRTKIT_API virtkit_pool *virtkit_pool_lookup_by_uuid_string(virtkit_connect *conn,
                                                            const char *uuid)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    unsigned char u[VK_UUID_LEN];
    if (vk_uuid_parse(uuid, u) < 0)
        return NULL;
    int (*f)(vkp_conn *, const char *, const unsigned char *, vkp_ref *) =
        VK_STOR(conn, lookup_pool, NULL);
    vkp_ref r = { 0 };
    return wrap_pool(conn, f(conn->stor_conn, NULL, u, &r), &r, "lookup_pool");
}

VIRTKIT_API virtkit_pool *virtkit_pool_lookup_by_volume(virtkit_volume *vol)
{
    VK_ENTRY_OBJ(vol, 0, 0, NULL);
    return virtkit_pool_lookup_by_name(vol->conn, vol->ref.pool);
}

#define POOL_FROM_XML(fn, op)                                                            \
    VIRTKIT_API virtkit_pool *fn(virtkit_connect *conn, const char *xml, unsigned int flags) \
    {                                                                                    \
        VK_ENTRY_CONN_RW(conn, flags, VIRTKIT_DOMAIN_DEFINE_VALIDATE, NULL);             \
        if (!xml) {                                                                      \
            vk_error_invalid_arg("%s: xml must not be NULL", __func__);                  \
            return NULL;                                                                 \
        }                                                                                \
        int (*f)(vkp_conn *, const char *, unsigned int, vkp_ref *) = VK_STOR(conn, op, NULL); \
        vkp_ref r = { 0 };                                                               \
        return wrap_pool(conn, f(conn->stor_conn, xml, flags, &r), &r, #op);             \
    }
POOL_FROM_XML(virtkit_pool_define_xml, pool_define)
POOL_FROM_XML(virtkit_pool_create_xml, pool_create_xml)

#define POOL_FLAGS_OP(fn, op)                                                            \
    VIRTKIT_API int fn(virtkit_pool *pool, unsigned int flags)                           \
    {                                                                                    \
        VK_ENTRY_OBJ_RW(pool, flags, 0xffu, -1);                                         \
        int (*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_STOR(pool->conn, op, -1); \
        if (f(pool->conn->stor_conn, &pool->ref, flags) < 0) {                           \
            vk_ensure_error(pool->conn, #op);                                            \
            return -1;                                                                   \
        }                                                                                \
        return 0;                                                                        \
    }
POOL_FLAGS_OP(virtkit_pool_build, pool_build)
POOL_FLAGS_OP(virtkit_pool_create, pool_create)
POOL_FLAGS_OP(virtkit_pool_delete, pool_delete)
POOL_FLAGS_OP(virtkit_pool_refresh, pool_refresh)

#define POOL_NOFLAGS_OP(fn, op)                                                          \
    VIRTKIT_API int fn(virtkit_pool *pool)                                               \
    {                                                                                    \
        VK_ENTRY_OBJ_RW(pool, 0, 0, -1);                                                 \
        int (*f)(vkp_conn *, const vkp_ref *) = VK_STOR(pool->conn, op, -1);             \
        if (f(pool->conn->stor_conn, &pool->ref) < 0) {                                  \
            vk_ensure_error(pool->conn, #op);                                            \
            return -1;                                                                   \
        }                                                                                \
        return 0;                                                                        \
    }
POOL_NOFLAGS_OP(virtkit_pool_undefine, pool_undefine)
POOL_NOFLAGS_OP(virtkit_pool_destroy, pool_destroy)

VIRTKIT_API int virtkit_pool_get_info(virtkit_pool *pool, virtkit_pool_info *info)
{
    VK_ENTRY_OBJ(pool, 0, 0, -1);
    if (!info || info->version != VIRTKIT_POOL_INFO_VERSION) {
        vk_error_invalid_arg("%s: info must be initialised with VIRTKIT_POOL_INFO_INIT",
                             __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, virtkit_pool_info *) =
        VK_STOR(pool->conn, pool_get_info, -1);
    if (f(pool->conn->stor_conn, &pool->ref, info) < 0) {
        vk_ensure_error(pool->conn, "pool_get_info");
        return -1;
    }
    info->version = VIRTKIT_POOL_INFO_VERSION;
    return 0;
}

VIRTKIT_API char *virtkit_pool_get_xml(virtkit_pool *pool, unsigned int flags)
{
    VK_ENTRY_OBJ(pool, flags, VIRTKIT_DOMAIN_XML_INACTIVE | VIRTKIT_DOMAIN_XML_AS_WRITTEN, NULL);
    char *(*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_STOR(pool->conn, pool_get_xml, NULL);
    char *x = f(pool->conn->stor_conn, &pool->ref, flags);
    if (!x)
        vk_ensure_error(pool->conn, "pool_get_xml");
    return x;
}

VIRTKIT_API const char *virtkit_pool_get_name(virtkit_pool *pool)
{
    VK_ENTRY_OBJ(pool, 0, 0, NULL);
    return pool->ref.name;
}

VIRTKIT_API int virtkit_pool_get_uuid_string(virtkit_pool *pool, char *buf)
{
    VK_ENTRY_OBJ(pool, 0, 0, -1);
    if (!buf) {
        vk_error_invalid_arg("%s: buf must not be NULL", __func__);
        return -1;
    }
    vk_uuid_format(pool->ref.uuid, buf);
    return 0;
}

#define POOL_QUERY(fn, op)                                                               \
    VIRTKIT_API int fn(virtkit_pool *pool)                                               \
    {                                                                                    \
        VK_ENTRY_OBJ(pool, 0, 0, -1);                                                    \
        int (*f)(vkp_conn *, const vkp_ref *) = VK_STOR(pool->conn, op, -1);             \
        int r = f(pool->conn->stor_conn, &pool->ref);                                    \
        if (r < 0)                                                                       \
            vk_ensure_error(pool->conn, #op);                                            \
        return r;                                                                        \
    }
POOL_QUERY(virtkit_pool_is_active, pool_is_active)
POOL_QUERY(virtkit_pool_is_persistent, pool_is_persistent)

VIRTKIT_API int virtkit_pool_get_autostart(virtkit_pool *pool, int *autostart)
{
    VK_ENTRY_OBJ(pool, 0, 0, -1);
    if (!autostart) {
        vk_error_invalid_arg("%s: autostart must not be NULL", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, int *) = VK_STOR(pool->conn, pool_get_autostart, -1);
    if (f(pool->conn->stor_conn, &pool->ref, autostart) < 0) {
        vk_ensure_error(pool->conn, "pool_get_autostart");
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_pool_set_autostart(virtkit_pool *pool, int autostart)
{
    VK_ENTRY_OBJ_RW(pool, 0, 0, -1);
    int (*f)(vkp_conn *, const vkp_ref *, int) = VK_STOR(pool->conn, pool_set_autostart, -1);
    if (f(pool->conn->stor_conn, &pool->ref, autostart ? 1 : 0) < 0) {
        vk_ensure_error(pool->conn, "pool_set_autostart");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- volumes -- */

static int cmp_vol_name(const void *a, const void *b)
{
    return strcmp(((const vkp_volref *)a)->name, ((const vkp_volref *)b)->name);
}

static virtkit_volume *wrap_vol(virtkit_connect *conn, int rc, vkp_volref *r, const char *op)
{
    if (rc < 0) {
        vk_volref_clear(r);
        vk_ensure_error(conn, op);
        return NULL;
    }
    return vk_volume_new(conn, r);
}

VIRTKIT_API int virtkit_pool_list_all_volumes(virtkit_pool *pool, virtkit_volume ***vols,
                                             unsigned int flags)
{
    VK_ENTRY_OBJ(pool, flags, 0, -1);
    int (*f)(vkp_conn *, const vkp_ref *, vkp_volref **, unsigned int) =
        VK_STOR(pool->conn, list_all_volumes, -1);
    vkp_volref *refs = NULL;
    int n = f(pool->conn->stor_conn, &pool->ref, &refs, flags);
    if (n < 0) {
        vk_ensure_error(pool->conn, "list_all_volumes");
        return -1;
    }
    if (n > 1)
        qsort(refs, (size_t)n, sizeof(*refs), cmp_vol_name);
    if (vols)
        *vols = vk_alloc_n((size_t)n + 1, sizeof(**vols));
    for (int i = 0; i < n; i++) {
        if (vols)
            (*vols)[i] = vk_volume_new(pool->conn, &refs[i]);
        else
            vk_volref_clear(&refs[i]);
    }
    free(refs);
    return n;
}

static virtkit_volume *lookup_vol(virtkit_connect *conn, const char *pool, const char *name,
                                  const char *key, const char *path)
{
    int (*f)(vkp_conn *, const char *, const char *, const char *, const char *, vkp_volref *) =
        VK_STOR(conn, lookup_volume, NULL);
    vkp_volref r = { 0 };
    return wrap_vol(conn, f(conn->stor_conn, pool, name, key, path, &r), &r, "lookup_volume");
}

VIRTKIT_API virtkit_volume *virtkit_volume_lookup_by_name(virtkit_pool *pool, const char *name)
{
    VK_ENTRY_OBJ(pool, 0, 0, NULL);
    if (vk_str_empty(name)) {
        vk_error_invalid_arg("%s: name must not be empty", __func__);
        return NULL;
    }
    return lookup_vol(pool->conn, pool->ref.name, name, NULL, NULL);
}

VIRTKIT_API virtkit_volume *virtkit_volume_lookup_by_path(virtkit_connect *conn, const char *path)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (vk_str_empty(path)) {
        vk_error_invalid_arg("%s: path must not be empty", __func__);
        return NULL;
    }
    return lookup_vol(conn, NULL, NULL, NULL, path);
}

VIRTKIT_API virtkit_volume *virtkit_volume_lookup_by_key(virtkit_connect *conn, const char *key)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (vk_str_empty(key)) {
        vk_error_invalid_arg("%s: key must not be empty", __func__);
        return NULL;
    }
    return lookup_vol(conn, NULL, NULL, key, NULL);
}

VIRTKIT_API virtkit_volume *virtkit_volume_create_xml_from(virtkit_pool *pool, const char *xml,
                                                          virtkit_volume *clone_of,
                                                          unsigned int flags)
{
    VK_ENTRY_OBJ_RW(pool, flags, 0x3u, NULL);
    if (!xml) {
        vk_error_invalid_arg("%s: xml must not be NULL", __func__);
        return NULL;
    }
    int (*f)(vkp_conn *, const vkp_ref *, const char *, const vkp_volref *, unsigned int,
             vkp_volref *) = VK_STOR(pool->conn, volume_create_xml, NULL);
    vkp_volref r = { 0 };
    return wrap_vol(pool->conn,
                    f(pool->conn->stor_conn, &pool->ref, xml, clone_of ? &clone_of->ref : NULL,
                      flags, &r),
                    &r, "volume_create_xml");
}

VIRTKIT_API virtkit_volume *virtkit_volume_create_xml(virtkit_pool *pool, const char *xml,
                                                     unsigned int flags)
{
    return virtkit_volume_create_xml_from(pool, xml, NULL, flags);
}

#define VOL_FLAGS_OP(fn, op)                                                             \
    VIRTKIT_API int fn(virtkit_volume *vol, unsigned int flags)                          \
    {                                                                                    \
        VK_ENTRY_OBJ_RW(vol, flags, 0xffu, -1);                                          \
        int (*f)(vkp_conn *, const vkp_volref *, unsigned int) = VK_STOR(vol->conn, op, -1); \
        if (f(vol->conn->stor_conn, &vol->ref, flags) < 0) {                             \
            vk_ensure_error(vol->conn, #op);                                             \
            return -1;                                                                   \
        }                                                                                \
        return 0;                                                                        \
    }
VOL_FLAGS_OP(virtkit_volume_delete, volume_delete)
VOL_FLAGS_OP(virtkit_volume_wipe, volume_wipe)

VIRTKIT_API int virtkit_volume_resize(virtkit_volume *vol, unsigned long long capacity,
                                      unsigned int flags)
{
    VK_ENTRY_OBJ_RW(vol, flags, 0xffu, -1);
    int (*f)(vkp_conn *, const vkp_volref *, unsigned long long, unsigned int) =
        VK_STOR(vol->conn, volume_resize, -1);
    if (f(vol->conn->stor_conn, &vol->ref, capacity, flags) < 0) {
        vk_ensure_error(vol->conn, "volume_resize");
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_volume_get_info(virtkit_volume *vol, virtkit_volume_info *info)
{
    VK_ENTRY_OBJ(vol, 0, 0, -1);
    if (!info || info->version != VIRTKIT_VOLUME_INFO_VERSION) {
        vk_error_invalid_arg("%s: info must be initialised with VIRTKIT_VOLUME_INFO_INIT",
                             __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_volref *, virtkit_volume_info *) =
        VK_STOR(vol->conn, volume_get_info, -1);
    if (f(vol->conn->stor_conn, &vol->ref, info) < 0) {
        vk_ensure_error(vol->conn, "volume_get_info");
        return -1;
    }
    info->version = VIRTKIT_VOLUME_INFO_VERSION;
    return 0;
}

VIRTKIT_API char *virtkit_volume_get_xml(virtkit_volume *vol, unsigned int flags)
{
    VK_ENTRY_OBJ(vol, flags, 0, NULL);
    char *(*f)(vkp_conn *, const vkp_volref *, unsigned int) =
        VK_STOR(vol->conn, volume_get_xml, NULL);
    char *x = f(vol->conn->stor_conn, &vol->ref, flags);
    if (!x)
        vk_ensure_error(vol->conn, "volume_get_xml");
    return x;
}

VIRTKIT_API char *virtkit_volume_get_path(virtkit_volume *vol)
{
    VK_ENTRY_OBJ(vol, 0, 0, NULL);
    char *(*f)(vkp_conn *, const vkp_volref *) = VK_STOR(vol->conn, volume_get_path, NULL);
    char *x = f(vol->conn->stor_conn, &vol->ref);
    if (!x)
        vk_ensure_error(vol->conn, "volume_get_path");
    return x;
}

VIRTKIT_API const char *virtkit_volume_get_name(virtkit_volume *vol)
{
    VK_ENTRY_OBJ(vol, 0, 0, NULL);
    return vol->ref.name;
}

VIRTKIT_API const char *virtkit_volume_get_key(virtkit_volume *vol)
{
    VK_ENTRY_OBJ(vol, 0, 0, NULL);
    return vol->ref.key;
}
