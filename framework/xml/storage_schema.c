/*
 * storage_schema.c: storage pool and volume formats (libvirt's <pool> and
 * <volume> subset). A pool's type decides what its <source> must name
 * (a directory, a device, a host and export, a volume group...): that is
 * one table, pool_rules, used by the checks and the defaults alike.
 */
#include "config.h"

#include <stdlib.h>

#include "common_schema.h"

/* ---------------------------------------------------- shared elements -- */
#define BYTES_ELEM(var, n)                                                               \
    static const vk_xelem var = { n, VK_XATTRS(VK_XA_UNIT), NULL, &vk_xt_scaled, NULL,   \
                                  VK_XE_SCALED_BYTES }
BYTES_ELEM(e_capacity, "capacity");
BYTES_ELEM(e_allocation, "allocation");
BYTES_ELEM(e_available, "available");
BYTES_ELEM(e_physical, "physical");

static const vk_xelem e_key = { "key", NULL, NULL, &vk_xt_string };
static const vk_xelem e_path = { "path", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_perm_mode = { "mode", NULL, NULL, &vk_xt_octal };
static const vk_xelem e_perm_owner = { "owner", NULL, NULL, &vk_xt_int };
static const vk_xelem e_perm_group = { "group", NULL, NULL, &vk_xt_int };
static const vk_xelem e_perm_label = { "label", NULL, NULL, &vk_xt_string };
static int permissions_check(const vk_xnode *n)
{
    static const char *const ids[] = { "owner", "group" };
    for (size_t i = 0; i < VK_ARRAY_LEN(ids); i++) {
        const vk_xnode *c = vk_xnode_child(n, ids[i]);
        int v;
        if (c && (vk_parse_int(c->text, &v) < 0 || v < -1)) {
            vk_xml_error(c, "%s %s is not valid (-1 for unchanged, or a numeric id)", ids[i],
                         c->text);
            return -1;
        }
    }
    return 0;
}
static const vk_xelem e_permissions = {
    "permissions", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_perm_mode), VK_XC_OPT(e_perm_owner), VK_XC_OPT(e_perm_group),
                 VK_XC_OPT(e_perm_label)),
    NULL, NULL, 0, permissions_check
};

/* --------------------------------------------------------------- pool -- */
static const vk_xelem e_src_host = { "host", VK_XATTRS(VK_XA_REQ("name", token),
                                                       VK_XA("port", port)) };
static const vk_xelem e_src_device = { "device", VK_XATTRS(VK_XA_REQ("path", string),
                                                           VK_XA("part_separator", yesno)) };
static const vk_xelem e_src_dir = { "dir", VK_XATTRS(VK_XA_REQ("path", abspath)) };
static const vk_xelem e_src_name = { "name", NULL, NULL, &vk_xt_token };
static const vk_xelem e_src_format = { "format", VK_XATTRS(VK_XA_REQ("type", token)) };
static const vk_xelem e_secret = { "secret", VK_XATTRS(VK_XA("usage", string),
                                                       VK_XA("uuid", uuid)) };
static int auth_check(const vk_xnode *n)
{
    const vk_xnode *s = vk_xnode_child(n, "secret");
    if (!vk_xnode_attr(s, "usage") == !vk_xnode_attr(s, "uuid")) {
        vk_xml_error(s, "a secret is named by 'usage' or by 'uuid' (exactly one)");
        return -1;
    }
    return 0;
}
static const vk_xelem e_auth = {
    "auth", VK_XATTRS(VK_XA_ENUM_REQ("type", "chap", "ceph"), VK_XA_REQ("username", string)),
    VK_XCHILDREN(VK_XC_ONE(e_secret)), NULL, NULL, 0, auth_check
};
static const vk_xelem e_src_vendor = { "vendor", VK_XATTRS(VK_XA_REQ("name", string)) };
static const vk_xelem e_src_product = { "product", VK_XATTRS(VK_XA_REQ("name", string)) };
static const vk_xelem e_iqn = { "iqn", VK_XATTRS(VK_XA_REQ("name", token)) };
static const vk_xelem e_initiator = { "initiator", NULL, VK_XCHILDREN(VK_XC_ONE(e_iqn)) };
static const vk_xelem e_pool_source = {
    "source", NULL,
    VK_XCHILDREN(VK_XC_ANY(e_src_host), VK_XC_ANY(e_src_device), VK_XC_OPT(e_src_dir),
                 VK_XC_OPT(e_src_name), VK_XC_OPT(e_src_format), VK_XC_OPT(e_auth),
                 VK_XC_OPT(e_src_vendor), VK_XC_OPT(e_src_product), VK_XC_OPT(e_initiator))
};
static const vk_xelem e_pool_target = {
    "target", NULL, VK_XCHILDREN(VK_XC_OPT(e_path), VK_XC_OPT(e_permissions))
};
static const vk_xelem e_pool = {
    "pool", VK_XATTRS(VK_XA_ENUM_REQ("type", "dir", "fs", "netfs", "logical", "disk", "iscsi",
                                     "mpath", "rbd", "zfs")),
    VK_XCHILDREN(VK_XC_ONE(vk_xe_name), VK_XC_OPT(vk_xe_uuid), VK_XC_OPT(e_capacity),
                 VK_XC_OPT(e_allocation), VK_XC_OPT(e_available), VK_XC_OPT(e_pool_source),
                 VK_XC_OPT(e_pool_target))
};

/* Per pool type: what <source> needs (and may hold), the source formats,
 * and the target path when the user gives none (NULL: required; "" when
 * the pool has no target; "/dev/@" is /dev/<source name>). */
static const struct {
    const char *type;
    const char *const *needs;    /* source children that must be present */
    const char *const *allowed;  /* source children that may be present */
    const char *const *formats;  /* NULL: <format> not allowed */
    const char *target;
} pool_rules[] = {
    { "dir", NULL, NULL, NULL, NULL },
    { "fs", VK_XVALUES("device"), VK_XVALUES("device", "format"),
      VK_XVALUES("auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat",
                 "hfs+", "xfs", "ocfs2", "vmfs"),
      NULL },
    { "netfs", VK_XVALUES("host", "dir"), VK_XVALUES("host", "dir", "format"),
      VK_XVALUES("auto", "nfs", "glusterfs", "cifs"), NULL },
    { "logical", NULL, VK_XVALUES("name", "device", "format"), VK_XVALUES("auto", "lvm2"),
      "/dev/@" },
    { "disk", VK_XVALUES("device"), VK_XVALUES("device", "format"),
      VK_XVALUES("unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2"), "/dev" },
    { "iscsi", VK_XVALUES("host", "device"),
      VK_XVALUES("host", "device", "auth", "initiator", "vendor", "product"), NULL,
      "/dev/disk/by-path" },
    { "mpath", NULL, NULL, NULL, "/dev/mapper" },
    { "rbd", VK_XVALUES("host", "name"), VK_XVALUES("host", "name", "auth"), NULL, "" },
    { "zfs", VK_XVALUES("name"), VK_XVALUES("name", "device"), NULL, "" },
};

static size_t pool_rule(const vk_xnode *n)
{
    size_t i = 0;
    while (i < VK_ARRAY_LEN(pool_rules) && !vk_streq(pool_rules[i].type, vk_xnode_attr(n, "type")))
        i++;
    return i;
}

static int pool_validate(const vk_xnode *n)
{
    size_t r = pool_rule(n);
    const char *type = vk_xnode_attr(n, "type");
    const vk_xnode *src = vk_xnode_child(n, "source");
    const vk_xnode *tgt = vk_xnode_child(n, "target");
    for (const char *const *need = pool_rules[r].needs; need && *need; need++) {
        if (!vk_xnode_child(src, *need)) {
            vk_xml_error(src ? src : n, "a pool of type '%s' needs <source><%s .../></source>",
                         type, *need);
            return -1;
        }
    }
    for (size_t i = 0; src && i < src->nchildren; i++) {
        const char *cn = src->children[i]->name;
        if (!pool_rules[r].allowed || !vk_strv_contains(pool_rules[r].allowed, cn)) {
            vk_xml_error(src->children[i], "<%s> does not apply to a pool of type '%s'", cn,
                         type);
            return -1;
        }
    }
    if (vk_streq(type, "logical") && !vk_xnode_child(src, "name") &&
        !vk_xnode_child(src, "device")) {
        vk_xml_error(src ? src : n, "a logical pool needs a volume group <name> or a <device>");
        return -1;
    }
    const vk_xnode *fmt = vk_xnode_child(src, "format");
    if (fmt && !vk_strv_contains(pool_rules[r].formats, vk_xnode_attr(fmt, "type"))) {
        VK_AUTOFREE(char *) list = vk_strv_join((char **)pool_rules[r].formats, ", ");
        vk_xml_error(fmt, "format '%s' is not valid for a %s pool; expected one of: %s",
                     vk_xnode_attr(fmt, "type"), type, list);
        return -1;
    }
    bool no_target = vk_streq(pool_rules[r].target, "");
    if (!pool_rules[r].target && !vk_xnode_child(tgt, "path")) {
        vk_xml_error(tgt ? tgt : n, "a pool of type '%s' needs <target><path>", type);
        return -1;
    }
    if (no_target && tgt) {
        vk_xml_error(tgt, "a pool of type '%s' has no <target>", type);
        return -1;
    }
    if (vk_streq(type, "netfs") || vk_streq(type, "iscsi")) {
        if (vk_xnode_count(src, "host") != 1) {
            vk_xml_error(src, "a %s pool takes exactly one <host>", type);
            return -1;
        }
    }
    if (vk_streq(type, "fs") && vk_xnode_count(src, "device") != 1) {
        vk_xml_error(src, "an fs pool takes exactly one <device>");
        return -1;
    }
    for (size_t i = 0; i < vk_xnode_count(src, "device"); i++) {
        const vk_xnode *d = vk_xnode_child_nth(src, "device", i);
        const char *p = vk_xnode_attr(d, "path");
        if (!vk_streq(type, "iscsi") && p[0] != '/') {
            vk_xml_error(d, "device path '%s' is not an absolute path", p);
            return -1;
        }
    }
    return 0;
}

static int pool_defaults(vk_xnode *n)
{
    vk_def_default_uuid(n);
    size_t r = pool_rule(n);
    if (r == VK_ARRAY_LEN(pool_rules))
        return 0;
    vk_xnode *src = vk_xnode_child(n, "source");
    const char *const *formats = pool_rules[r].formats;
    if (formats && !vk_xnode_child(src, "format")) {
        if (!src) {
            src = vk_xnode_new("source", &e_pool_source);
            vk_schema_insert(n, src);
        }
        vk_xnode *f = vk_xnode_new("format", &e_src_format);
        /* logical pools default to lvm2 (what they are), others to the
         * first entry (auto / unknown) */
        vk_xnode_set_attr(f, "type", vk_streq(pool_rules[r].type, "logical") ? "lvm2"
                                                                             : formats[0]);
        vk_schema_insert(src, f);
    }
    const char *dflt = pool_rules[r].target;
    vk_xnode *tgt = vk_xnode_child(n, "target");
    if (dflt && *dflt && !vk_xnode_child(tgt, "path")) {
        VK_AUTOFREE(char *) path = NULL;
        if (vk_streq(dflt, "/dev/@")) {
            const char *vg = vk_xnode_child_text(src, "name");
            if (!vg)
                return 0; /* a new VG on <device>: the backend names it */
            path = vk_asprintf("/dev/%s", vg);
        } else {
            path = vk_strdup(dflt);
        }
        if (!tgt) {
            tgt = vk_xnode_new("target", &e_pool_target);
            vk_schema_insert(n, tgt);
        }
        vk_xnode *p = vk_xnode_new("path", &e_path);
        vk_xnode_set_text(p, path);
        vk_schema_insert(tgt, p);
    }
    return 0;
}

const vk_xkind vk_pool_kind = {
    .kind = VKP_DEF_POOL,
    .what = "pool",
    .root = &e_pool,
    .validate = pool_validate,
    .defaults = pool_defaults,
    .rng_file = "storagepool.rng",
};

/* ------------------------------------------------------------- volume -- */
#define VOL_FORMATS                                                                        \
    "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop", "cow", \
        "qcow", "qcow2", "qed", "vmdk", "luks", "vhdx", "none", "linux", "fat16", "fat32",   \
        "linux-swap", "linux-lvm", "linux-raid", "extended", "lvm2"
static const vk_xelem e_vol_format = { "format", VK_XATTRS(VK_XA_ENUM_REQ("type", VOL_FORMATS)) };
static const vk_xelem e_compat = { "compat", NULL, NULL, &vk_xt_enum, VK_XVALUES("0.10", "1.1") };
static const vk_xelem e_nocow = { "nocow" };
static const vk_xelem e_lazy = { "lazy_refcounts" };
static const vk_xelem e_features = { "features", NULL, VK_XCHILDREN(VK_XC_OPT(e_lazy)) };
#define TIMESTAMP(var, n)                                                                  \
    static const vk_xelem var = { n, NULL, NULL, &vk_xt_token, NULL, VK_XE_RUNTIME }
TIMESTAMP(e_ts_atime, "atime");
TIMESTAMP(e_ts_mtime, "mtime");
TIMESTAMP(e_ts_ctime, "ctime");
TIMESTAMP(e_ts_btime, "btime");
static const vk_xelem e_timestamps = {
    "timestamps", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_ts_atime), VK_XC_OPT(e_ts_mtime), VK_XC_OPT(e_ts_ctime),
                 VK_XC_OPT(e_ts_btime)),
    NULL, NULL, VK_XE_RUNTIME
};
static int vol_target_check(const vk_xnode *n)
{
    const char *fmt = vk_xnode_attr(vk_xnode_child(n, "format"), "type");
    if ((vk_xnode_child(n, "compat") || vk_xnode_child(n, "features")) &&
        !vk_streq(fmt, "qcow2")) {
        vk_xml_error(n, "<compat> and <features> apply only to qcow2 volumes");
        return -1;
    }
    return 0;
}
static const vk_xelem e_vol_target = {
    "target", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_path), VK_XC_OPT(e_vol_format), VK_XC_OPT(e_permissions),
                 VK_XC_OPT(e_timestamps), VK_XC_OPT(e_compat), VK_XC_OPT(e_nocow),
                 VK_XC_OPT(e_features)),
    NULL, NULL, 0, vol_target_check
};
static const vk_xelem e_backing = {
    "backingStore", NULL,
    VK_XCHILDREN(VK_XC_ONE(e_path), VK_XC_OPT(e_vol_format), VK_XC_OPT(e_permissions))
};
static const vk_xelem e_volume = {
    "volume", VK_XATTRS(VK_XA_ENUM("type", "file", "block", "dir", "network", "netdir",
                                   "ploop")),
    VK_XCHILDREN(VK_XC_ONE(vk_xe_name), VK_XC_OPT(e_key), VK_XC_OPT(e_capacity),
                 VK_XC_OPT(e_allocation), VK_XC_OPT(e_physical), VK_XC_OPT(e_vol_target),
                 VK_XC_OPT(e_backing))
};

static int volume_validate(const vk_xnode *n)
{
    if (!vk_xnode_child(n, "capacity") && !vk_xnode_child(n, "backingStore")) {
        vk_xml_error(n, "volume needs a <capacity> (or a <backingStore> to take it from)");
        return -1;
    }
    const char *name = vk_xnode_child_text(n, "name");
    if (name && (vk_streq(name, ".") || vk_streq(name, ".."))) {
        vk_xml_error(vk_xnode_child(n, "name"), "'%s' is not a usable volume name", name);
        return -1;
    }
    return 0;
}

const vk_xkind vk_volume_kind = {
    .kind = VKP_DEF_VOLUME,
    .what = "volume",
    .root = &e_volume,
    .validate = volume_validate,
    .rng_file = "storagevol.rng",
};
