/*
 * virtkit-storage.h: storage pools and the volumes in them, served by
 * storage plugins (dir, fs, logical, ...).
 */
#ifndef VIRTKIT_STORAGE_H
#define VIRTKIT_STORAGE_H

#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    VIRTKIT_POOL_INACTIVE = 0,
    VIRTKIT_POOL_BUILDING = 1,
    VIRTKIT_POOL_RUNNING = 2,
    VIRTKIT_POOL_DEGRADED = 3,
    VIRTKIT_POOL_INACCESSIBLE = 4,
} virtkit_pool_state;

#define VIRTKIT_POOL_INFO_VERSION 1
typedef struct virtkit_pool_info {
    unsigned int version;
    int state;
    unsigned long long capacity;   /* bytes */
    unsigned long long allocation; /* bytes */
    unsigned long long available;  /* bytes */
} virtkit_pool_info;
#define VIRTKIT_POOL_INFO_INIT { VIRTKIT_POOL_INFO_VERSION }

typedef enum {
    VIRTKIT_VOLUME_FILE = 0,
    VIRTKIT_VOLUME_BLOCK = 1,
    VIRTKIT_VOLUME_DIR = 2,
    VIRTKIT_VOLUME_NETWORK = 3,
} virtkit_volume_type;

#define VIRTKIT_VOLUME_INFO_VERSION 1
typedef struct virtkit_volume_info {
    unsigned int version;
    int type;
    unsigned long long capacity;
    unsigned long long allocation;
} virtkit_volume_info;
#define VIRTKIT_VOLUME_INFO_INIT { VIRTKIT_VOLUME_INFO_VERSION }

typedef enum {
    VIRTKIT_LIST_POOLS_ACTIVE = 1 << 0,
    VIRTKIT_LIST_POOLS_INACTIVE = 1 << 1,
    VIRTKIT_LIST_POOLS_PERSISTENT = 1 << 2,
    VIRTKIT_LIST_POOLS_TRANSIENT = 1 << 3,
    VIRTKIT_LIST_POOLS_AUTOSTART = 1 << 4,
    VIRTKIT_LIST_POOLS_NO_AUTOSTART = 1 << 5,
} virtkit_list_pools_flags;

VIRTKIT_API int virtkit_connect_list_all_pools(virtkit_connect *conn, virtkit_pool ***pools,
                                              unsigned int flags);
VIRTKIT_API virtkit_pool *virtkit_pool_lookup_by_name(virtkit_connect *conn, const char *name);
VIRTKIT_API virtkit_pool *virtkit_pool_lookup_by_uuid_string(virtkit_connect *conn, const char *uuid);
VIRTKIT_API virtkit_pool *virtkit_pool_lookup_by_volume(virtkit_volume *vol);
VIRTKIT_API virtkit_pool *virtkit_pool_define_xml(virtkit_connect *conn, const char *xml,
                                                 unsigned int flags);
VIRTKIT_API virtkit_pool *virtkit_pool_create_xml(virtkit_connect *conn, const char *xml,
                                                 unsigned int flags);
VIRTKIT_API int virtkit_pool_build(virtkit_pool *pool, unsigned int flags);
VIRTKIT_API int virtkit_pool_undefine(virtkit_pool *pool);
VIRTKIT_API int virtkit_pool_create(virtkit_pool *pool, unsigned int flags);
VIRTKIT_API int virtkit_pool_destroy(virtkit_pool *pool);
VIRTKIT_API int virtkit_pool_delete(virtkit_pool *pool, unsigned int flags);
VIRTKIT_API int virtkit_pool_refresh(virtkit_pool *pool, unsigned int flags);
VIRTKIT_API int virtkit_pool_get_info(virtkit_pool *pool, virtkit_pool_info *info);
VIRTKIT_API char *virtkit_pool_get_xml(virtkit_pool *pool, unsigned int flags);
VIRTKIT_API const char *virtkit_pool_get_name(virtkit_pool *pool);
VIRTKIT_API int virtkit_pool_get_uuid_string(virtkit_pool *pool, char *buf);
VIRTKIT_API int virtkit_pool_is_active(virtkit_pool *pool);
VIRTKIT_API int virtkit_pool_is_persistent(virtkit_pool *pool);
VIRTKIT_API int virtkit_pool_get_autostart(virtkit_pool *pool, int *autostart);
VIRTKIT_API int virtkit_pool_set_autostart(virtkit_pool *pool, int autostart);
VIRTKIT_API int virtkit_pool_ref(virtkit_pool *pool);
VIRTKIT_API int virtkit_pool_free(virtkit_pool *pool);

VIRTKIT_API int virtkit_pool_list_all_volumes(virtkit_pool *pool, virtkit_volume ***vols,
                                             unsigned int flags);
VIRTKIT_API virtkit_volume *virtkit_volume_lookup_by_name(virtkit_pool *pool, const char *name);
VIRTKIT_API virtkit_volume *virtkit_volume_lookup_by_path(virtkit_connect *conn, const char *path);
VIRTKIT_API virtkit_volume *virtkit_volume_lookup_by_key(virtkit_connect *conn, const char *key);
VIRTKIT_API virtkit_volume *virtkit_volume_create_xml(virtkit_pool *pool, const char *xml,
                                                     unsigned int flags);
VIRTKIT_API virtkit_volume *virtkit_volume_create_xml_from(virtkit_pool *pool, const char *xml,
                                                          virtkit_volume *clone_of,
                                                          unsigned int flags);
VIRTKIT_API int virtkit_volume_delete(virtkit_volume *vol, unsigned int flags);
VIRTKIT_API int virtkit_volume_wipe(virtkit_volume *vol, unsigned int flags);
VIRTKIT_API int virtkit_volume_resize(virtkit_volume *vol, unsigned long long capacity,
                                      unsigned int flags);
VIRTKIT_API int virtkit_volume_get_info(virtkit_volume *vol, virtkit_volume_info *info);
VIRTKIT_API char *virtkit_volume_get_xml(virtkit_volume *vol, unsigned int flags);
VIRTKIT_API char *virtkit_volume_get_path(virtkit_volume *vol);
VIRTKIT_API const char *virtkit_volume_get_name(virtkit_volume *vol);
VIRTKIT_API const char *virtkit_volume_get_key(virtkit_volume *vol);
/* Transfers through a stream (works locally and remotely). */
VIRTKIT_API int virtkit_volume_upload(virtkit_volume *vol, virtkit_stream *st,
                                      unsigned long long offset, unsigned long long length,
                                      unsigned int flags);
VIRTKIT_API int virtkit_volume_download(virtkit_volume *vol, virtkit_stream *st,
                                        unsigned long long offset, unsigned long long length,
                                        unsigned int flags);
VIRTKIT_API int virtkit_volume_ref(virtkit_volume *vol);
VIRTKIT_API int virtkit_volume_free(virtkit_volume *vol);

#ifdef __cplusplus
}
#endif
#endif
