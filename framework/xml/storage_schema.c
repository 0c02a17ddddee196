/*
 * storage_schema.c: storage pool and volume formats (libvirt's <pool> and
 * <volume> subset).
 */
#include "config.h"

#include "defs.h"
#include "uuid.h"

static const vk_xelem e_name = { "name", NULL, NULL, &vk_xt_name };
static const vk_xelem e_uuid = { "uuid", NULL, NULL, &vk_xt_uuid };
static const vk_xelem e_key = { "key", NULL, NULL, &vk_xt_string };
static const vk_xelem e_capacity = { "capacity", VK_XATTRS(VK_XA_UNIT), NULL, &vk_xt_scaled,
                                     NULL, VK_XE_SCALED_BYTES };
static const vk_xelem e_allocation = { "allocation", VK_XATTRS(VK_XA_UNIT), NULL, &vk_xt_scaled,
                                       NULL, VK_XE_SCALED_BYTES };
static const vk_xelem e_available = { "available", VK_XATTRS(VK_XA_UNIT), NULL, &vk_xt_scaled,
                                      NULL, VK_XE_SCALED_BYTES };
static const vk_xelem e_path = { "path", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_format = { "format", VK_XATTRS(VK_XA_REQ("type", token)) };
static const vk_xelem e_perm_mode = { "mode", NULL, NULL, &vk_xt_token };
static const vk_xelem e_perm_owner = { "owner", NULL, NULL, &vk_xt_int };
static const vk_xelem e_perm_group = { "group", NULL, NULL, &vk_xt_int };
static const vk_xelem e_perm_label = { "label", NULL, NULL, &vk_xt_string };
static const vk_xelem e_permissions = {
    "permissions", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_perm_mode), VK_XC_OPT(e_perm_owner), VK_XC_OPT(e_perm_group),
                 VK_XC_OPT(e_perm_label))
};

/* pool */
static const vk_xelem e_src_device = { "device", VK_XATTRS(VK_XA_REQ("path", abspath)) };
static const vk_xelem e_src_dir = { "dir", VK_XATTRS(VK_XA_REQ("path", abspath)) };
static const vk_xelem e_src_host = { "host", VK_XATTRS(VK_XA_REQ("name", token),
                                                       VK_XA("port", uint)) };
static const vk_xelem e_src_name = { "name", NULL, NULL, &vk_xt_token };
static const vk_xelem e_src_format = { "format", VK_XATTRS(VK_XA_REQ("type", token)) };
static const vk_xelem e_pool_source = {
    "source", NULL,
    VK_XCHILDREN(VK_XC_ANY(e_src_host), VK_XC_ANY(e_src_device), VK_XC_OPT(e_src_dir),
                 VK_XC_OPT(e_src_name), VK_XC_OPT(e_src_format))
};
static const vk_xelem e_pool_target = {
    "target", NULL, VK_XCHILDREN(VK_XC_OPT(e_path), VK_XC_OPT(e_permissions))
};
static const vk_xelem e_pool = {
    "pool", VK_XATTRS(VK_XA_ENUM_REQ("type", "dir", "fs", "netfs", "logical", "disk", "iscsi",
                                     "scsi", "mpath", "rbd", "zfs")),
    VK_XCHILDREN(VK_XC_ONE(e_name), VK_XC_OPT(e_uuid), VK_XC_OPT(e_capacity),
                 VK_XC_OPT(e_allocation), VK_XC_OPT(e_available), VK_XC_OPT(e_pool_source),
                 VK_XC_OPT(e_pool_target))
};

/* volume */
static const vk_xelem e_vol_target = {
    "target", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_path), VK_XC_OPT(e_format), VK_XC_OPT(e_permissions))
};
static const vk_xelem e_backing = {
    "backingStore", NULL,
    VK_XCHILDREN(VK_XC_ONE(e_path), VK_XC_OPT(e_format), VK_XC_OPT(e_permissions))
};
static const vk_xelem e_volume = {
    "volume", VK_XATTRS(VK_XA_ENUM("type", "file", "block", "dir", "network")),
    VK_XCHILDREN(VK_XC_ONE(e_name), VK_XC_OPT(e_key), VK_XC_OPT(e_capacity),
                 VK_XC_OPT(e_allocation), VK_XC_OPT(e_vol_target), VK_XC_OPT(e_backing))
};

static int pool_defaults(vk_xnode *n)
{
    if (!vk_xnode_child(n, "uuid")) {
        unsigned char u[VK_UUID_LEN];
        char buf[VK_UUID_STRLEN];
        vk_uuid_generate(u);
        vk_uuid_format(u, buf);
        return vk_def_set(n, "uuid", buf);
    }
    return 0;
}

const vk_xkind vk_pool_kind = {
    .kind = VKP_DEF_POOL,
    .what = "pool",
    .root = &e_pool,
    .defaults = pool_defaults,
    .rng_file = "storagepool.rng",
};

const vk_xkind vk_volume_kind = {
    .kind = VKP_DEF_VOLUME,
    .what = "volume",
    .root = &e_volume,
    .rng_file = "storagevol.rng",
};
