/*
 * virtkit-1/storage.h: the operations a storage plugin provides: pools of
 * a type it names, and the volumes in them. Same rules as hypervisor.h.
 * A plugin that is also a hypervisor plugin (test) serves pools on its own
 * connections and receives its own vkp_conn.
 */
#ifndef VIRTKIT1_STORAGE_H
#define VIRTKIT1_STORAGE_H

#include <virtkit-1/host.h>
#include <virtkit/virtkit-storage.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vkp_conn vkp_conn;

/* A volume is named by its pool and its own name; key and path also
 * identify it node-wide. */
typedef struct vkp_volref {
    char *pool;
    char *name;
    char *key;
} vkp_volref;

struct vkp_storage_ops {
    uint32_t struct_size;
    /* Pool types served ("dir", "fs"), NULL-terminated. */
    const char *const *pool_types;
    /* For a storage-only plugin: open/close like a hypervisor's. */
    int (*open)(vkp_ctx *ctx, unsigned int flags, vkp_conn **conn);
    void (*close)(vkp_conn *conn);

    int (*list_all_pools)(vkp_conn *conn, vkp_ref **refs, unsigned int flags);
    int (*lookup_pool)(vkp_conn *conn, const char *name, const unsigned char *uuid,
                       vkp_ref *out);
    int (*pool_define)(vkp_conn *conn, const char *xml, unsigned int flags, vkp_ref *out);
    int (*pool_create_xml)(vkp_conn *conn, const char *xml, unsigned int flags, vkp_ref *out);
    int (*pool_undefine)(vkp_conn *conn, const vkp_ref *pool);
    int (*pool_build)(vkp_conn *conn, const vkp_ref *pool, unsigned int flags);
    int (*pool_create)(vkp_conn *conn, const vkp_ref *pool, unsigned int flags);
    int (*pool_destroy)(vkp_conn *conn, const vkp_ref *pool);
    int (*pool_delete)(vkp_conn *conn, const vkp_ref *pool, unsigned int flags);
    int (*pool_refresh)(vkp_conn *conn, const vkp_ref *pool, unsigned int flags);
    int (*pool_get_info)(vkp_conn *conn, const vkp_ref *pool, virtkit_pool_info *info);
    char *(*pool_get_xml)(vkp_conn *conn, const vkp_ref *pool, unsigned int flags);
    int (*pool_is_active)(vkp_conn *conn, const vkp_ref *pool);
    int (*pool_is_persistent)(vkp_conn *conn, const vkp_ref *pool);
    int (*pool_get_autostart)(vkp_conn *conn, const vkp_ref *pool, int *autostart);
    int (*pool_set_autostart)(vkp_conn *conn, const vkp_ref *pool, int autostart);

    int (*list_all_volumes)(vkp_conn *conn, const vkp_ref *pool, vkp_volref **vols,
                            unsigned int flags);
    int (*lookup_volume)(vkp_conn *conn, const char *pool, const char *name, const char *key,
                         const char *path, vkp_volref *out);
    int (*volume_create_xml)(vkp_conn *conn, const vkp_ref *pool, const char *xml,
                             const vkp_volref *clone_of, unsigned int flags, vkp_volref *out);
    int (*volume_delete)(vkp_conn *conn, const vkp_volref *vol, unsigned int flags);
    int (*volume_wipe)(vkp_conn *conn, const vkp_volref *vol, unsigned int flags);
    int (*volume_resize)(vkp_conn *conn, const vkp_volref *vol, unsigned long long capacity,
                         unsigned int flags);
    int (*volume_get_info)(vkp_conn *conn, const vkp_volref *vol, virtkit_volume_info *info);
    char *(*volume_get_xml)(vkp_conn *conn, const vkp_volref *vol, unsigned int flags);
    char *(*volume_get_path)(vkp_conn *conn, const vkp_volref *vol);
    /* Transfers: an fd positioned at offset that the core reads (download)
     * or writes (upload) up to length bytes (0: to the end). */
    int (*volume_open_fd)(vkp_conn *conn, const vkp_volref *vol, int for_write,
                          unsigned long long offset, unsigned long long length,
                          unsigned int flags, int *fd);
};

#ifdef __cplusplus
}
#endif
#endif
