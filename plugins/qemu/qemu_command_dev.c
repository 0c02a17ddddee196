/*
 * qemu_command_dev.c: one handler per <devices> element (the table at the
 * end), each turning its element into -device / -blockdev / -netdev /
 * -chardev arguments, or failing with an error that names the element.
 *
 * Device ids (aliases) are derived from the element's kind and index
 * ("virtio-disk0", "net1", "serial0") so they are stable across restarts,
 * shown in the live definition, and found again by hotplug.
 */
#include "config.h"

#include <stdio.h>

#include "qemu_command.h"

/* Look up `key` in a {key, value} table of strings; NULL when absent. */
typedef struct {
    const char *key;
    const char *value;
} qb_map;

static const char *map_get(const qb_map *m, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (vkc_streq(m[i].key, key))
            return m[i].value;
    return NULL;
}
#define MAP_GET(m, key) map_get((m), VKC_ARRAY_LEN(m), (key))

static void jset(json_object *o, const char *k, json_object *v)
{
    json_object_object_add(o, k, v);
}

/* The device's alias from the definition (the defaults name every device,
 * as libvirt does), else `fallback`. */
static void node_alias(const vkp_def *n, const char *fallback, char *buf, size_t len)
{
    const char *a = qemu_def_str(n, "alias/@name");
    snprintf(buf, len, "%s", a ? a : fallback);
}

/* ---------------------------------------------------------------- disks -- */

int qemu_disk_target_index(const char *dev)
{
    /* vda, sdb, hdc, xvdd, sdaa ...: a prefix, then letters in base 26 */
    static const char *const prefixes[] = { "xvd", "vd", "sd", "hd", "fd", "ub" };
    const char *p = NULL;
    for (size_t i = 0; i < VKC_ARRAY_LEN(prefixes) && !p; i++)
        if (vkc_str_has_prefix(dev, prefixes[i]))
            p = dev + strlen(prefixes[i]);
    if (!p || !*p)
        return -1;
    int idx = 0;
    for (; *p; p++) {
        if (*p < 'a' || *p > 'z' || idx > 100000)
            return -1;
        idx = idx * 26 + (*p - 'a' + 1);
    }
    return idx - 1;
}

static const char *disk_bus(const vkp_def *disk)
{
    const char *bus = qemu_def_str(disk, "target/@bus");
    if (bus)
        return bus;
    /* libvirt's default from the target name */
    const char *dev = qemu_def_str(disk, "target/@dev");
    if (vkc_str_has_prefix(dev, "vd"))
        return "virtio";
    if (vkc_str_has_prefix(dev, "hd"))
        return "ide";
    if (vkc_str_has_prefix(dev, "sd"))
        return "scsi";
    return "virtio";
}

/* Drive address of a disk on a bus with units: controller, bus, target,
 * unit (from <address type='drive'>, else from the target name the way
 * libvirt numbers them). */
typedef struct {
    unsigned ctrl, bus, target, unit;
} drive_addr;

static int disk_unit(qbuild *b, const vkp_def *disk, drive_addr *da)
{
    uint64_t v[4] = { 0, 0, 0, 0 };
    static const char *const f[] = { "address/@controller", "address/@bus", "address/@target",
                                     "address/@unit" };
    const char *at = qemu_def_str(disk, "address/@type");
    if (vkc_streq(at, "drive")) {
        for (size_t i = 0; i < 4; i++)
            if (qemu_def_u64(disk, f[i], &v[i]) < 0)
                return -1;
    } else if (at) {
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "address type '%s' is not supported on this disk bus", at);
    } else {
        int idx = qemu_disk_target_index(qemu_def_str(disk, "target/@dev"));
        if (idx < 0)
            return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "target dev '%s' is not a disk name like sda or hdb",
                           qemu_def_str(disk, "target/@dev"));
        const char *bus = qemu_def_str(disk, "target/@bus");
        if (vkc_streq(bus, "ide")) {
            v[0] = (uint64_t)idx / 4;
            v[1] = (uint64_t)(idx % 4) / 2;
            v[3] = (uint64_t)idx % 2;
        } else if (vkc_streq(bus, "sata")) {
            v[0] = (uint64_t)idx / 6;
            v[3] = (uint64_t)idx % 6;
        } else {
            v[3] = (uint64_t)idx;
        }
    }
    if (v[0] > 31 || v[1] > 7 || v[2] > 255 || v[3] > 16383)
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "drive address controller %llu bus %llu target %llu unit %llu is out of "
                       "range", (unsigned long long)v[0], (unsigned long long)v[1],
                       (unsigned long long)v[2], (unsigned long long)v[3]);
    da->ctrl = (unsigned)v[0];
    da->bus = (unsigned)v[1];
    da->target = (unsigned)v[2];
    da->unit = (unsigned)v[3];
    return 0;
}

static int scan_disk(qbuild *b, const vkp_def *disk)
{
    const char *bus = disk_bus(disk);
    drive_addr da;
    if (vkc_streq(bus, "scsi")) {
        if (disk_unit(b, disk, &da) < 0)
            return -1;
        b->scsi_needed |= 1u << da.ctrl;
    } else if (vkc_streq(bus, "sata") && b->pc) {
        b->need_ahci = true;
    } else if (vkc_streq(bus, "usb")) {
        b->need_usb = true;
    }
    return 0;
}

/* The blockdev cache settings and the device write-cache for a mode. */
static int disk_cache(qbuild *b, const vkp_def *disk, json_object **cache, const char **wc)
{
    static const struct {
        const char *mode;
        bool direct, no_flush, wc_on;
    } modes[] = {
        { "writeback", false, false, true }, { "none", true, false, true },
        { "writethrough", false, false, false }, { "directsync", true, false, false },
        { "unsafe", false, true, true },
    };
    const char *mode = qemu_def_str(disk, "driver/@cache");
    *cache = NULL;
    *wc = NULL;
    if (!mode || vkc_streq(mode, "default"))
        return 0;
    for (size_t i = 0; i < VKC_ARRAY_LEN(modes); i++) {
        if (!vkc_streq(mode, modes[i].mode))
            continue;
        *cache = vkc_json_obj("direct", VKC_JB(modes[i].direct), "no-flush",
                              VKC_JB(modes[i].no_flush), NULL);
        *wc = modes[i].wc_on ? "on" : "off";
        return 0;
    }
    return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED, "cache mode '%s' is not supported",
                   mode);
}

/* Is SCSI controller `index` a virtio-scsi one (declared, or implicit)? */
static bool scsi_model_is_virtio(qbuild *b, unsigned index)
{
    size_t n = qemu_def_count(b->dom, "devices/controller");
    for (size_t i = 0; i < n; i++) {
        const vkp_def *c = qemu_def_child(b->dom, "devices/controller", i);
        uint64_t idx = 0;
        qemu_def_u64(c, "@index", &idx);
        if (vkc_streq(qemu_def_str(c, "@type"), "scsi") && idx == index) {
            const char *m = qemu_def_str(c, "@model");
            return !m || vkc_str_has_prefix(m, "virtio");
        }
    }
    return true;
}

int qemu_disk_blockdevs(qbuild *b, const vkp_def *disk, size_t idx, const char *bus_override,
                        json_object **file_node, json_object **fmt_node, json_object **device,
                        char **alias_out)
{
    *file_node = *fmt_node = *device = NULL;
    *alias_out = NULL;
    const char *type = qemu_def_str(disk, "@type");
    const char *devtype = qemu_def_str(disk, "@device");
    if (!devtype)
        devtype = "disk";
    const char *bus = disk_bus(disk);
    const char *target = qemu_def_str(disk, "target/@dev");
    bool cdrom = vkc_streq(devtype, "cdrom");
    if (!vkc_streq(devtype, "disk") && !cdrom)
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "disk device '%s' (target %s) is not supported (disk, cdrom)", devtype,
                       target);
    const char *src = NULL;
    const char *drv_file = NULL;
    if (vkc_streq(type, "file")) {
        src = qemu_def_str(disk, "source/@file");
        drv_file = "file";
    } else if (vkc_streq(type, "block")) {
        src = qemu_def_str(disk, "source/@dev");
        drv_file = "host_device";
        if (cdrom)
            drv_file = "host_cdrom";
    } else {
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "disk type '%s' (target %s) is not supported by the qemu plugin "
                       "(file, block)", type, target);
    }
    if (!src && !cdrom)
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "disk %s has no source (only a cdrom may be empty)", target);
    const char *dname = qemu_def_str(disk, "driver/@name");
    if (dname && !vkc_streq(dname, "qemu"))
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "driver name '%s' is not 'qemu'", dname);
    const char *fmt = qemu_def_str(disk, "driver/@type");
    if (!fmt)
        fmt = "raw";
    bool ro = cdrom || qemu_def_has(disk, "readonly");
    const char *io = qemu_def_str(disk, "driver/@io");
    const char *discard = qemu_def_str(disk, "driver/@discard");
    json_object *cache = NULL;
    const char *wc = NULL;
    if (disk_cache(b, disk, &cache, &wc) < 0)
        return -1;
    if (vkc_streq(io, "native") && !(cache && vkc_json_bool(cache, "direct", 0))) {
        if (cache)
            json_object_put(cache);
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "io='native' needs cache='none' or 'directsync' (disk %s)", target);
    }

    /* The device on its bus. */
    const char *qdev = NULL;
    char busname[48] = "";
    char alias[48], fallback[48];
    drive_addr da = { 0 };
    bool has_unit = false;
    if (vkc_streq(bus, "virtio")) {
        if (cdrom) {
            if (cache)
                json_object_put(cache);
            return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "a cdrom cannot be on bus 'virtio' (target %s); use sata or scsi",
                           target);
        }
        qdev = "virtio-blk-pci";
    } else if (vkc_streq(bus, "sata")) {
        if (disk_unit(b, disk, &da) < 0)
            goto fail;
        if (da.unit > 5 || da.bus || da.target)
            goto unit_range;
        qdev = cdrom ? "ide-cd" : "ide-hd";
        if (b->q35 && da.ctrl == 0)
            snprintf(busname, sizeof(busname), "ide.%u", da.unit);
        else
            snprintf(busname, sizeof(busname), "sata%u.%u", da.ctrl, da.unit);
        has_unit = true;
    } else if (vkc_streq(bus, "ide")) {
        if (b->q35) {
            if (cache)
                json_object_put(cache);
            return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "machine %s has no IDE controller (disk %s); use bus='sata'",
                           b->machine, target);
        }
        if (disk_unit(b, disk, &da) < 0)
            goto fail;
        if (da.ctrl != 0 || da.bus > 1 || da.unit > 1 || da.target)
            goto unit_range;
        qdev = cdrom ? "ide-cd" : "ide-hd";
        snprintf(busname, sizeof(busname), "ide.%u", da.bus);
        has_unit = true;
    } else if (vkc_streq(bus, "scsi")) {
        if (disk_unit(b, disk, &da) < 0)
            goto fail;
        qdev = cdrom ? "scsi-cd" : "scsi-hd";
        snprintf(busname, sizeof(busname), "scsi%u.0", da.ctrl);
        has_unit = true;
    } else if (vkc_streq(bus, "usb")) {
        if (cdrom) {
            if (cache)
                json_object_put(cache);
            return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "a cdrom cannot be on bus 'usb' (target %s)", target);
        }
        qdev = "usb-storage";
    } else {
        if (cache)
            json_object_put(cache);
        return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "disk bus '%s' (target %s) is not supported by the qemu plugin", bus,
                       target);
    }
    if (qb_need_device(b, disk, qdev, "this disk") < 0)
        goto fail;
    snprintf(fallback, sizeof(fallback), "%s-disk%zu", bus, idx);
    node_alias(disk, fallback, alias, sizeof(alias));

    json_object *dev = vkc_json_obj("driver", VKC_JS(qdev), NULL);
    if (bus_override)
        jset(dev, "bus", VKC_JS(bus_override));
    else if (busname[0])
        jset(dev, "bus", VKC_JS(busname));
    if (has_unit && vkc_streq(bus, "ide"))
        jset(dev, "unit", VKC_JI(da.unit));
    if (has_unit && vkc_streq(bus, "scsi")) {
        /* virtio-scsi addresses target and lun; other HBAs one id */
        bool virtio = scsi_model_is_virtio(b, da.ctrl);
        jset(dev, "channel", VKC_JI(virtio ? da.bus : 0));
        jset(dev, "scsi-id", VKC_JI(virtio ? da.target : da.unit));
        jset(dev, "lun", VKC_JI(virtio ? da.unit : 0));
    }
    if (src) {
        char node[64];
        snprintf(node, sizeof(node), "vk-%s-fmt", alias);
        jset(dev, "drive", VKC_JS(node));
    }
    jset(dev, "id", VKC_JS(alias));
    if (!bus_override && !has_unit && qb_pci_address(b, disk, dev) < 0) {
        json_object_put(dev);
        goto fail;
    }
    if (qb_boot_index(b, disk, dev) < 0) {
        json_object_put(dev);
        goto fail;
    }
    if (wc && !cdrom)
        jset(dev, "write-cache", VKC_JS(wc));
    const char *serial = qemu_def_str(disk, "serial");
    if (serial)
        jset(dev, "serial", VKC_JS(serial));
    if (qemu_def_has(disk, "shareable"))
        jset(dev, "share-rw", VKC_JB(1));

    if (src) {
        static const char *const formats[] = { "raw", "qcow2", "vmdk", "vdi" };
        bool known = false;
        for (size_t i = 0; i < VKC_ARRAY_LEN(formats); i++)
            known = known || vkc_streq(fmt, formats[i]);
        if (!known) {
            json_object_put(dev);
            if (cache)
                json_object_put(cache);
            return qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "disk format '%s' is not supported", fmt);
        }
        char fnode[64], pnode[64];
        snprintf(fnode, sizeof(fnode), "vk-%s-file", alias);
        snprintf(pnode, sizeof(pnode), "vk-%s-fmt", alias);
        json_object *f = vkc_json_obj("driver", VKC_JS(drv_file), "filename", VKC_JS(src),
                                      "node-name", VKC_JS(fnode), NULL);
        if (io)
            jset(f, "aio", VKC_JS(io));
        if (discard)
            jset(f, "discard", VKC_JS(discard));
        if (cache)
            jset(f, "cache", json_object_get(cache));
        jset(f, "read-only", VKC_JB(ro));
        json_object *p = vkc_json_obj("node-name", VKC_JS(pnode), "driver", VKC_JS(fmt), "file",
                                      VKC_JS(fnode), NULL);
        if (discard)
            jset(p, "discard", VKC_JS(discard));
        if (cache)
            jset(p, "cache", json_object_get(cache));
        jset(p, "read-only", VKC_JB(ro));
        *file_node = f;
        *fmt_node = p;
    }
    if (cache)
        json_object_put(cache);
    *device = dev;
    *alias_out = vkc_strdup(alias);
    return 0;

unit_range:
    qb_fail(b, disk, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
            "disk %s: controller %u bus %u unit %u does not exist on bus '%s'", target, da.ctrl,
            da.bus, da.unit, bus);
fail:
    if (cache)
        json_object_put(cache);
    return -1;
}

static int build_disk(qbuild *b, const vkp_def *disk, size_t idx)
{
    json_object *f, *p, *dev;
    VK_AUTOFREE(char *) alias = NULL;
    if (qemu_disk_blockdevs(b, disk, idx, NULL, &f, &p, &dev, &alias) < 0)
        return -1;
    if (f) {
        qb_json(b, "-blockdev", f);
        qb_json(b, "-blockdev", p);
    }
    qb_json(b, "-device", dev);
    qb_alias(b, "disk", idx, alias);
    return 0;
}

/* ----------------------------------------------------------- interfaces -- */

static const qb_map nic_models[] = {
    { "virtio", "virtio-net-pci" }, { "e1000", "e1000" }, { "e1000e", "e1000e" },
    { "rtl8139", "rtl8139" }, { "ne2k_pci", "ne2k_pci" }, { "pcnet", "pcnet" },
    { "vmxnet3", "vmxnet3" },
};

int qemu_iface_parts(qbuild *b, const vkp_def *iface, size_t idx, const char *bus_override,
                     json_object **netdev_out, json_object **device_out, char **alias_out)
{
    *netdev_out = *device_out = NULL;
    *alias_out = NULL;
    const char *type = qemu_def_str(iface, "@type");
    char netid[56], alias[48], fallback[32];
    snprintf(fallback, sizeof(fallback), "net%zu", idx);
    node_alias(iface, fallback, alias, sizeof(alias));
    snprintf(netid, sizeof(netid), "host%s", alias);
    json_object *nd = NULL;
    if (vkc_streq(type, "user")) {
        nd = vkc_json_obj("type", VKC_JS("user"), "id", VKC_JS(netid), NULL);
    } else if (vkc_streq(type, "bridge") || vkc_streq(type, "ethernet")) {
        if (vkc_streq(type, "bridge") && !qemu_def_str(iface, "source/@bridge"))
            return qb_fail(b, iface, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "interface type 'bridge' needs <source bridge='...'/>");
        int fd = idx < b->ctx->nnets ? b->ctx->nets[idx].tap_fd : -1;
        if (fd < 0)
            return qb_fail(b, iface, VIRTKIT_ERR_INTERNAL, "no tap device was prepared for %s",
                           alias);
        char fds[16];
        snprintf(fds, sizeof(fds), "%d", fd);
        nd = vkc_json_obj("type", VKC_JS("tap"), "id", VKC_JS(netid), "fd", VKC_JS(fds), NULL);
    } else if (vkc_streq(type, "network")) {
        return qb_fail(b, iface, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "interface type 'network' (network '%s') needs the managed network "
                       "plugins, which the qemu plugin cannot use yet; use type 'bridge' with "
                       "the network's bridge or type 'user'",
                       qemu_def_str(iface, "source/@network"));
    } else {
        return qb_fail(b, iface, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "interface type '%s' is not supported by the qemu plugin (user, bridge, "
                       "ethernet)", type);
    }
    const char *model = qemu_def_str(iface, "model/@type");
    const char *qdev = MAP_GET(nic_models, model ? model : "virtio");
    if (!qdev) {
        json_object_put(nd);
        return qb_fail(b, iface, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "NIC model '%s' is not supported", model);
    }
    if (qb_need_device(b, iface, qdev, "this interface") < 0) {
        json_object_put(nd);
        return -1;
    }
    json_object *dev = vkc_json_obj("driver", VKC_JS(qdev), "netdev", VKC_JS(netid), "id",
                                    VKC_JS(alias), NULL);
    const char *mac = qemu_def_str(iface, "mac/@address");
    if (mac)
        jset(dev, "mac", VKC_JS(mac));
    if (bus_override)
        jset(dev, "bus", VKC_JS(bus_override));
    else if (qb_pci_address(b, iface, dev) < 0)
        goto fail;
    if (qb_boot_index(b, iface, dev) < 0)
        goto fail;
    *netdev_out = nd;
    *device_out = dev;
    *alias_out = vkc_strdup(alias);
    return 0;
fail:
    json_object_put(nd);
    json_object_put(dev);
    return -1;
}

/* -netdev wants key=value: "tap,id=hostnet0,fd=23". */
static char *netdev_kv(json_object *nd)
{
    vkc_buf b = VKC_BUF_INIT;
    vkc_buf_add(&b, vkc_json_str(nd, "type"));
    json_object_object_foreach(nd, k, v)
    {
        if (vkc_streq(k, "type"))
            continue;
        VK_AUTOFREE(char *) val = qb_kv(json_object_is_type(v, json_type_boolean)
                                            ? (json_object_get_boolean(v) ? "on" : "off")
                                            : json_object_get_string(v));
        vkc_buf_addf(&b, ",%s=%s", k, val);
    }
    return vkc_buf_steal(&b);
}

static int build_interface(qbuild *b, const vkp_def *iface, size_t idx)
{
    json_object *nd, *dev;
    VK_AUTOFREE(char *) alias = NULL;
    if (qemu_iface_parts(b, iface, idx, NULL, &nd, &dev, &alias) < 0)
        return -1;
    VK_AUTOFREE(char *) kv = netdev_kv(nd);
    json_object_put(nd);
    qb_arg(b, "-netdev", kv);
    qb_json(b, "-device", dev);
    qb_alias(b, "interface", idx, alias);
    return 0;
}

/* ------------------------------------------------------ character devs -- */

/* -chardev for a serial/console/channel node, with id `id`. */
static int chardev(qbuild *b, const vkp_def *node, const char *id)
{
    const char *type = qemu_def_str(node, "@type");
    const char *path = qemu_def_str(node, "source/@path");
    VK_AUTOFREE(char *) p = qb_kv(path);
    if (vkc_streq(type, "pty")) {
        qb_argf(b, "-chardev", "pty,id=%s", id);
        vkc_strv_add(&b->out->pty_chardevs, id);
    } else if (vkc_streq(type, "null")) {
        qb_argf(b, "-chardev", "null,id=%s", id);
    } else if (vkc_streq(type, "file")) {
        if (!path)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "type 'file' needs <source path='...'/>");
        bool append = vkc_streq(qemu_def_str(node, "source/@append"), "on");
        qb_argf(b, "-chardev", "file,id=%s,path=%s%s", id, p, append ? ",append=on" : "");
    } else if (vkc_streq(type, "unix")) {
        if (!path)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "type 'unix' needs <source path='...'/>");
        const char *mode = qemu_def_str(node, "source/@mode");
        if (!mode || vkc_streq(mode, "bind"))
            qb_argf(b, "-chardev", "socket,id=%s,path=%s,server=on,wait=off", id, p);
        else
            qb_argf(b, "-chardev", "socket,id=%s,path=%s,server=off", id, p);
    } else if (vkc_streq(type, "tcp")) {
        const char *host = qemu_def_str(node, "source/@host");
        const char *service = qemu_def_str(node, "source/@service");
        const char *mode = qemu_def_str(node, "source/@mode");
        const char *proto = qemu_def_str(node, "protocol/@type");
        if (!host || !service)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "type 'tcp' needs <source host='...' service='...'/>");
        if (proto && !vkc_streq(proto, "raw") && !vkc_streq(proto, "telnet"))
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "tcp protocol '%s' is not supported (raw, telnet)", proto);
        VK_AUTOFREE(char *) h = qb_kv(host);
        bool server = !mode || vkc_streq(mode, "bind");
        qb_argf(b, "-chardev", "socket,id=%s,host=%s,port=%s%s%s", id, h, service,
                server ? ",server=on,wait=off" : ",server=off",
                vkc_streq(proto, "telnet") ? ",telnet=on" : "");
    } else {
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "character device type '%s' is not supported by the qemu plugin (pty, "
                       "file, unix, tcp, null)", type);
    }
    return 0;
}

/* Target type (or its <model name>) -> qemu device. */
static const qb_map serial_models[] = {
    { "isa-serial", "isa-serial" }, { "pci-serial", "pci-serial" },
    { "usb-serial", "usb-serial" }, { "isa-debug", "isa-debugcon" },
    { "isa-debugcon", "isa-debugcon" },
};

static int scan_serial(qbuild *b, const vkp_def *node)
{
    b->total_serials++;
    if (vkc_streq(qemu_def_str(node, "target/@type"), "usb-serial"))
        b->need_usb = true;
    return 0;
}

/* A serial port: as <serial>, or as the first <console> when there is no
 * <serial> (libvirt makes that console serial0). */
static int serial_device(qbuild *b, const vkp_def *node, size_t idx, const char *el)
{
    char id[48], chr[56], fallback[32];
    snprintf(fallback, sizeof(fallback), "serial%zu", idx);
    node_alias(node, fallback, id, sizeof(id));
    if (vkc_streq(el, "console"))
        snprintf(id, sizeof(id), "%s", fallback);
    snprintf(chr, sizeof(chr), "char%s", id);
    const char *ttype = qemu_def_str(node, "target/model/@name");
    if (!ttype)
        ttype = qemu_def_str(node, "target/@type");
    if (vkc_streq(el, "console") && vkc_streq(ttype, "serial"))
        ttype = NULL;
    const char *qdev = MAP_GET(serial_models, ttype ? ttype : "isa-serial");
    if (!qdev)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "serial target type '%s' is not supported", ttype);
    if (qb_need_device(b, node, qdev, "this serial port") < 0 || chardev(b, node, chr) < 0)
        return -1;
    json_object *dev = vkc_json_obj("driver", VKC_JS(qdev), "chardev", VKC_JS(chr), "id",
                                    VKC_JS(id), NULL);
    if (vkc_streq(qdev, "isa-debugcon")) {
        /* the classic debug port */
        jset(dev, "iobase", VKC_JI(0x402));
    } else if (vkc_streq(qdev, "isa-serial")) {
        uint64_t port = idx;
        if (qemu_def_u64(node, "target/@port", &port) < 0) {
            json_object_put(dev);
            return -1;
        }
        if (port > 3) {
            json_object_put(dev);
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "ISA serial port %llu does not exist (0-3)",
                           (unsigned long long)port);
        }
        jset(dev, "index", VKC_JI(port));
    } else if (vkc_streq(qdev, "usb-serial")) {
        jset(dev, "bus", VKC_JS("usb.0"));
    } else if (qb_pci_address(b, node, dev) < 0) {
        json_object_put(dev);
        return -1;
    }
    qb_json(b, "-device", dev);
    qb_alias(b, el, vkc_streq(el, "console") ? 0 : idx, id);
    return 0;
}

static int build_serial(qbuild *b, const vkp_def *node, size_t idx)
{
    return serial_device(b, node, idx, "serial");
}

static int scan_console(qbuild *b, const vkp_def *node)
{
    if (vkc_streq(qemu_def_str(node, "target/@type"), "virtio"))
        b->need_virtio_serial = true;
    return 0;
}

static int build_console(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *ttype = qemu_def_str(node, "target/@type");
    if (vkc_streq(ttype, "virtio")) {
        char id[48], chr[56], fallback[32];
        snprintf(fallback, sizeof(fallback), "console%zu", idx);
        node_alias(node, fallback, id, sizeof(id));
        snprintf(chr, sizeof(chr), "char%s", id);
        if (chardev(b, node, chr) < 0)
            return -1;
        json_object *dev = vkc_json_obj("driver", VKC_JS("virtconsole"), "chardev",
                                        VKC_JS(chr), "id", VKC_JS(id), NULL);
        uint64_t port = 0;
        if (qemu_def_u64(node, "target/@port", &port) > 0)
            jset(dev, "nr", VKC_JI(port));
        qb_json(b, "-device", dev);
        qb_alias(b, "console", idx, id);
        return 0;
    }
    if (ttype && !vkc_streq(ttype, "serial"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "console target type '%s' is not supported (serial, virtio)", ttype);
    if (idx > 0)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "only the first console can be a serial console; use target "
                       "type='virtio' for more");
    if (b->total_serials > 0)
        return 0; /* the same port as serial0 (libvirt's convention) */
    return serial_device(b, node, 0, "console");
}

static int build_channel(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *ttype = qemu_def_str(node, "target/@type");
    const char *tname = qemu_def_str(node, "target/@name");
    if (!vkc_streq(ttype, "virtio"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "channel target type '%s' is not supported (virtio)",
                       ttype ? ttype : "");
    char id[48], chr[56], fallback[32], bus[48];
    snprintf(fallback, sizeof(fallback), "channel%zu", idx);
    node_alias(node, fallback, id, sizeof(id));
    snprintf(chr, sizeof(chr), "char%s", id);
    uint64_t ctrl = 0, sbus = 0, port = 0;
    const char *at = qemu_def_str(node, "address/@type");
    if (at && !vkc_streq(at, "virtio-serial"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "address type '%s' is not supported for a channel", at);
    if (qemu_def_u64(node, "address/@controller", &ctrl) < 0 ||
        qemu_def_u64(node, "address/@bus", &sbus) < 0 ||
        qemu_def_u64(node, "address/@port", &port) < 0)
        return -1;
    snprintf(bus, sizeof(bus), "virtio-serial%llu.%llu", (unsigned long long)ctrl,
             (unsigned long long)sbus);
    if (chardev(b, node, chr) < 0)
        return -1;
    json_object *dev = vkc_json_obj("driver", VKC_JS("virtserialport"), "bus", VKC_JS(bus),
                                    NULL);
    if (port)
        jset(dev, "nr", VKC_JI(port));
    jset(dev, "chardev", VKC_JS(chr));
    jset(dev, "id", VKC_JS(id));
    if (tname)
        jset(dev, "name", VKC_JS(tname));
    qb_json(b, "-device", dev);
    qb_alias(b, "channel", idx, id);
    return 0;
}

static int scan_channel(qbuild *b, const vkp_def *node)
{
    (void)node;
    b->need_virtio_serial = true;
    return 0;
}

/* --------------------------------------------------------------- inputs -- */

static const struct {
    const char *type, *bus, *qdev; /* qdev NULL: built into the machine */
} input_models[] = {
    { "mouse", "ps2", NULL },           { "keyboard", "ps2", NULL },
    { "tablet", "usb", "usb-tablet" },  { "mouse", "usb", "usb-mouse" },
    { "keyboard", "usb", "usb-kbd" },   { "tablet", "virtio", "virtio-tablet-pci" },
    { "mouse", "virtio", "virtio-mouse-pci" }, { "keyboard", "virtio", "virtio-keyboard-pci" },
};

static const char *input_bus(const vkp_def *node)
{
    const char *bus = qemu_def_str(node, "@bus");
    if (bus)
        return bus;
    return vkc_streq(qemu_def_str(node, "@type"), "tablet") ? "usb" : "ps2";
}

static int scan_input(qbuild *b, const vkp_def *node)
{
    if (vkc_streq(input_bus(node), "usb"))
        b->need_usb = true;
    return 0;
}

static int build_input(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *type = qemu_def_str(node, "@type");
    const char *bus = input_bus(node);
    for (size_t i = 0; i < VKC_ARRAY_LEN(input_models); i++) {
        if (!vkc_streq(input_models[i].type, type) || !vkc_streq(input_models[i].bus, bus))
            continue;
        if (!input_models[i].qdev) {
            if (!b->q35 && !b->pc)
                break;
            return 0;
        }
        char id[48], fallback[32];
        snprintf(fallback, sizeof(fallback), "input%zu", idx);
        node_alias(node, fallback, id, sizeof(id));
        if (qb_need_device(b, node, input_models[i].qdev, "this input device") < 0)
            return -1;
        json_object *dev = vkc_json_obj("driver", VKC_JS(input_models[i].qdev), "id",
                                        VKC_JS(id), NULL);
        if (vkc_streq(bus, "usb"))
            jset(dev, "bus", VKC_JS("usb.0"));
        else if (qb_pci_address(b, node, dev) < 0) {
            json_object_put(dev);
            return -1;
        }
        qb_json(b, "-device", dev);
        qb_alias(b, "input", idx, id);
        return 0;
    }
    return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                   "input type '%s' on bus '%s' is not supported", type, bus);
}

/* ------------------------------------------------------------- graphics -- */

static int build_graphics(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *type = qemu_def_str(node, "@type");
    if (!vkc_streq(type, "vnc"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "graphics type '%s' is not supported by the qemu plugin (vnc)", type);
    if (idx > 0)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "only one VNC display per domain is supported");
    const vkp_def *listen = qemu_def_child(node, "listen", 0);
    const char *ltype = qemu_def_str(listen, "@type");
    vkc_buf v = VKC_BUF_INIT;
    if (vkc_streq(ltype, "none")) {
        vkc_buf_add(&v, "none");
    } else if (vkc_streq(ltype, "socket")) {
        const char *sock = qemu_def_str(listen, "@socket");
        if (!sock)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "listen type 'socket' needs a socket path");
        VK_AUTOFREE(char *) s = qb_kv(sock);
        vkc_buf_addf(&v, "unix:%s", s);
    } else if (vkc_streq(ltype, "network")) {
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "listen type 'network' is not supported; give an address");
    } else {
        const char *addr = qemu_def_str(listen, "@address");
        if (!addr)
            addr = qemu_def_str(node, "@listen");
        if (!addr)
            addr = b->ctx->conf->vnc_listen;
        int64_t port = -1;
        const char *ps = qemu_def_str(node, "@port");
        int pi;
        if (ps && vkc_parse_int(ps, &pi) == 0)
            port = pi;
        bool autoport = port < 0 || vkc_streq(qemu_def_str(node, "@autoport"), "yes");
        if (!autoport && (port < 5900 || port > 65535))
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "VNC port %lld is outside 5900-65535", (long long)port);
        bool v6 = strchr(addr, ':') != NULL;
        vkc_buf_addf(&v, v6 ? "[%s]:%lld" : "%s:%lld", addr, autoport ? 0 : (long long)port - 5900);
        if (autoport)
            vkc_buf_add(&v, ",to=99");
    }
    if (qemu_def_str(node, "@passwd"))
        vkc_buf_add(&v, ",password=on");
    VK_AUTOFREE(char *) s = vkc_buf_steal(&v);
    qb_arg(b, "-vnc", s);
    b->out->has_vnc = true;
    return 0;
}

/* ---------------------------------------------------------------- video -- */

/* Video models: the qemu device as primary and as secondary display, and
 * which sizes (KiB in the definition) it takes: vram/vgamem in MiB
 * (vgamem_mb), qxl's ram/vram/vgamem, virtio's heads. The defaults give
 * every model libvirt's sizes; a size the device cannot take is refused
 * unless it is that default. */
typedef enum { VSZ_NONE, VSZ_VGAMEM_MB, VSZ_QXL, VSZ_BOCHS } video_sizes;

static const struct {
    const char *model, *primary, *secondary;
    video_sizes sizes;
    bool heads;
} video_models[] = {
    { "vga", "VGA", NULL, VSZ_VGAMEM_MB, false },
    { "cirrus", "cirrus-vga", NULL, VSZ_NONE, false },
    { "vmvga", "vmware-svga", NULL, VSZ_VGAMEM_MB, false },
    { "virtio", "virtio-vga", "virtio-gpu-pci", VSZ_NONE, true },
    { "qxl", "qxl-vga", "qxl", VSZ_QXL, true },
    { "bochs", "bochs-display", "bochs-display", VSZ_BOCHS, false },
    { "ramfb", "ramfb", NULL, VSZ_NONE, false },
};

static bool pow2_mib(uint64_t kib)
{
    uint64_t mb = kib / 1024;
    return kib % 1024 == 0 && mb && !(mb & (mb - 1));
}

static int video_sizes_apply(qbuild *b, const vkp_def *node, video_sizes kind, json_object *dev)
{
    uint64_t ram = 0, vram = 0, vgamem = 0;
    if (qemu_def_u64(node, "model/@ram", &ram) < 0 || qemu_def_u64(node, "model/@vram", &vram) < 0 ||
        qemu_def_u64(node, "model/@vgamem", &vgamem) < 0)
        return -1;
    switch (kind) {
    case VSZ_QXL:
        if ((ram && !pow2_mib(ram)) || (vram && !pow2_mib(vram)) || (vgamem && !pow2_mib(vgamem)))
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "qxl ram, vram and vgamem must be powers of two MiB");
        if (ram)
            jset(dev, "ram_size", VKC_JI(ram * 1024));
        if (vram)
            jset(dev, "vram_size", VKC_JI(vram * 1024));
        if (vgamem)
            jset(dev, "vgamem_mb", VKC_JI(vgamem / 1024));
        return 0;
    case VSZ_VGAMEM_MB:
    case VSZ_BOCHS:
        if (ram || vgamem)
            break;
        if (vram && (!pow2_mib(vram) || vram > 256 * 1024))
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "vram %llu KiB must be a power of two MiB up to 256 MiB",
                           (unsigned long long)vram);
        if (vram)
            jset(dev, kind == VSZ_BOCHS ? "vgamem" : "vgamem_mb",
                 VKC_JI(kind == VSZ_BOCHS ? vram * 1024 : vram / 1024));
        return 0;
    case VSZ_NONE:
        /* libvirt's default 16 MiB vram means "whatever qemu has" here */
        if (ram || vgamem || (vram && vram != 16384))
            break;
        return 0;
    }
    return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                   "video model '%s' cannot take these memory sizes",
                   qemu_def_str(node, "model/@type"));
}

static int build_video(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *model = qemu_def_str(node, "model/@type");
    if (!model)
        model = "vga";
    if (vkc_streq(model, "none"))
        return 0;
    for (size_t i = 0; i < VKC_ARRAY_LEN(video_models); i++) {
        if (!vkc_streq(video_models[i].model, model))
            continue;
        bool primary = idx == 0 || vkc_streq(qemu_def_str(node, "model/@primary"), "yes");
        const char *qdev = primary ? video_models[i].primary : video_models[i].secondary;
        if (!qdev)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "video model '%s' can only be the primary display", model);
        if (qb_need_device(b, node, qdev, "this video device") < 0)
            return -1;
        char id[48], fallback[32];
        snprintf(fallback, sizeof(fallback), "video%zu", idx);
        node_alias(node, fallback, id, sizeof(id));
        json_object *dev = vkc_json_obj("driver", VKC_JS(qdev), "id", VKC_JS(id), NULL);
        uint64_t heads = 1;
        if (video_sizes_apply(b, node, video_models[i].sizes, dev) < 0 ||
            qemu_def_u64(node, "model/@heads", &heads) < 0) {
            json_object_put(dev);
            return -1;
        }
        if (heads > 1 && !video_models[i].heads) {
            json_object_put(dev);
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "video model '%s' has one head, not %llu", model,
                           (unsigned long long)heads);
        }
        if (heads > 1)
            jset(dev, "max_outputs", VKC_JI(heads));
        if (!vkc_streq(qdev, "ramfb") && qb_pci_address(b, node, dev) < 0) {
            json_object_put(dev);
            return -1;
        }
        qb_json(b, "-device", dev);
        qb_alias(b, "video", idx, id);
        return 0;
    }
    return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                   "video model '%s' is not supported by the qemu plugin", model);
}

/* ------------------------------------------------------- balloon / rng -- */

static int scan_balloon(qbuild *b, const vkp_def *node)
{
    (void)node;
    b->balloon_seen = true;
    return 0;
}

static int build_balloon(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *model = qemu_def_str(node, "@model");
    if (vkc_streq(model, "none"))
        return 0;
    if (!vkc_streq(model, "virtio"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "memballoon model '%s' is not supported (virtio, none)", model);
    if (qb_need_device(b, node, "virtio-balloon-pci", "the memory balloon") < 0)
        return -1;
    char id[48];
    node_alias(node, "balloon0", id, sizeof(id));
    json_object *dev = vkc_json_obj("driver", VKC_JS("virtio-balloon-pci"), "id", VKC_JS(id),
                                    NULL);
    if (qb_pci_address(b, node, dev) < 0) {
        json_object_put(dev);
        return -1;
    }
    qb_json(b, "-device", dev);
    qb_alias(b, "memballoon", idx, id);
    b->out->has_balloon = true;
    return 0;
}

static int build_rng(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *bmodel = qemu_def_str(node, "backend/@model");
    const char *path = qemu_def_str(node, "backend");
    char obj[56], id[48], fallback[32];
    snprintf(fallback, sizeof(fallback), "rng%zu", idx);
    node_alias(node, fallback, id, sizeof(id));
    snprintf(obj, sizeof(obj), "obj%s", id);
    if (vkc_streq(bmodel, "random")) {
        qb_json(b, "-object", vkc_json_obj("qom-type", VKC_JS("rng-random"), "id", VKC_JS(obj),
                                           "filename", VKC_JS(path ? path : "/dev/urandom"),
                                           NULL));
    } else if (vkc_streq(bmodel, "builtin")) {
        qb_json(b, "-object", vkc_json_obj("qom-type", VKC_JS("rng-builtin"), "id", VKC_JS(obj),
                                           NULL));
    } else {
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "rng backend '%s' is not supported (random, builtin)", bmodel);
    }
    if (qb_need_device(b, node, "virtio-rng-pci", "the random number generator") < 0)
        return -1;
    json_object *dev = vkc_json_obj("driver", VKC_JS("virtio-rng-pci"), "rng", VKC_JS(obj), "id",
                                    VKC_JS(id), NULL);
    if (qb_pci_address(b, node, dev) < 0) {
        json_object_put(dev);
        return -1;
    }
    qb_json(b, "-device", dev);
    qb_alias(b, "rng", idx, id);
    return 0;
}

/* ------------------------------------------------- watchdog / panic -- */

static const qb_map watchdog_actions[] = {
    { "reset", "reset" }, { "shutdown", "shutdown" }, { "poweroff", "poweroff" },
    { "pause", "pause" }, { "none", "none" },         { "inject-nmi", "inject-nmi" },
};

static int build_watchdog(qbuild *b, const vkp_def *node, size_t idx)
{
    if (idx > 0)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED, "only one watchdog is supported");
    const char *model = qemu_def_str(node, "@model");
    const char *action = qemu_def_str(node, "@action");
    const char *qact = MAP_GET(watchdog_actions, action ? action : "reset");
    if (!qact)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "watchdog action '%s' is not supported", action);
    if (vkc_streq(model, "i6300esb") || vkc_streq(model, "ib700")) {
        if (qb_need_device(b, node, model, "this watchdog") < 0)
            return -1;
        char id[48];
        node_alias(node, "watchdog0", id, sizeof(id));
        json_object *dev = vkc_json_obj("driver", VKC_JS(model), "id", VKC_JS(id), NULL);
        if (vkc_streq(model, "i6300esb") && qb_pci_address(b, node, dev) < 0) {
            json_object_put(dev);
            return -1;
        }
        qb_json(b, "-device", dev);
        qb_alias(b, "watchdog", idx, id);
    } else if (vkc_streq(model, "itco")) {
        if (!b->q35)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "watchdog model 'itco' exists only on q35 machines");
        qb_arg(b, "-global", "ICH9-LPC.noreboot=off");
    } else {
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "watchdog model '%s' is not supported (i6300esb, ib700, itco)", model);
    }
    qb_argf(b, "-action", "watchdog=%s", qact);
    return 0;
}

static int build_panic(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *model = qemu_def_str(node, "@model");
    const char *qdev = !model || vkc_streq(model, "isa") || vkc_streq(model, "pvpanic")
                           ? "pvpanic"
                           : NULL;
    if (!qdev)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "panic model '%s' is not supported on x86 (isa)", model);
    if (qb_need_device(b, node, qdev, "the panic device") < 0)
        return -1;
    char id[48], fallback[32];
    snprintf(fallback, sizeof(fallback), "panic%zu", idx);
    node_alias(node, fallback, id, sizeof(id));
    qb_json(b, "-device", vkc_json_obj("driver", VKC_JS(qdev), "id", VKC_JS(id), NULL));
    qb_alias(b, "panic", idx, id);
    return 0;
}

/* ------------------------------------------------------------- hostdevs -- */

static int scan_hostdev(qbuild *b, const vkp_def *node)
{
    if (vkc_streq(qemu_def_str(node, "@type"), "usb"))
        b->need_usb = true;
    return 0;
}

static int build_hostdev(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *mode = qemu_def_str(node, "@mode");
    const char *type = qemu_def_str(node, "@type");
    char id[48], fallback[32];
    snprintf(fallback, sizeof(fallback), "hostdev%zu", idx);
    node_alias(node, fallback, id, sizeof(id));
    if (mode && !vkc_streq(mode, "subsystem"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "hostdev mode '%s' is not supported (subsystem)", mode);
    json_object *dev = NULL;
    if (vkc_streq(type, "pci")) {
        uint64_t d = 0, bus = 0, slot = 0, fn = 0;
        if (qemu_def_u64(node, "source/address/@domain", &d) < 0 ||
            qemu_def_u64(node, "source/address/@bus", &bus) < 0 ||
            qemu_def_u64(node, "source/address/@slot", &slot) < 0 ||
            qemu_def_u64(node, "source/address/@function", &fn) < 0)
            return -1;
        if (!qemu_def_has(node, "source/address"))
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "PCI hostdev needs <source><address .../></source>");
        if (qb_need_device(b, node, "vfio-pci", "PCI passthrough") < 0)
            return -1;
        char host[32];
        snprintf(host, sizeof(host), "%04llx:%02llx:%02llx.%llx", (unsigned long long)d,
                 (unsigned long long)bus, (unsigned long long)slot, (unsigned long long)fn);
        dev = vkc_json_obj("driver", VKC_JS("vfio-pci"), "host", VKC_JS(host), "id", VKC_JS(id),
                           NULL);
        if (qb_pci_address(b, node, dev) < 0)
            goto fail;
    } else if (vkc_streq(type, "usb")) {
        if (qb_need_device(b, node, "usb-host", "USB passthrough") < 0)
            return -1;
        dev = vkc_json_obj("driver", VKC_JS("usb-host"), NULL);
        uint64_t vendor = 0, product = 0, bus = 0, device = 0;
        int hv = qemu_def_u64(node, "source/vendor/@id", &vendor);
        int hp = qemu_def_u64(node, "source/product/@id", &product);
        int hb = qemu_def_u64(node, "source/address/@bus", &bus);
        int hd = qemu_def_u64(node, "source/address/@device", &device);
        if (hv < 0 || hp < 0 || hb < 0 || hd < 0)
            goto fail;
        if (hv > 0 && hp > 0) {
            jset(dev, "vendorid", VKC_JI(vendor));
            jset(dev, "productid", VKC_JI(product));
        } else if (hb > 0 && hd > 0) {
            jset(dev, "hostbus", VKC_JI(bus));
            jset(dev, "hostaddr", VKC_JI(device));
        } else {
            qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                    "USB hostdev needs <vendor>/<product> ids or a bus/device address");
            goto fail;
        }
        jset(dev, "id", VKC_JS(id));
        jset(dev, "bus", VKC_JS("usb.0"));
    } else {
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "hostdev type '%s' is not supported (pci, usb)", type ? type : "");
    }
    if (qb_boot_index(b, node, dev) < 0)
        goto fail;
    qb_json(b, "-device", dev);
    qb_alias(b, "hostdev", idx, id);
    return 0;
fail:
    json_object_put(dev);
    return -1;
}

/* ---------------------------------------------------------- controllers -- */

static const qb_map usb_models[] = {
    { "piix3-uhci", "piix3-usb-uhci" }, { "piix4-uhci", "piix4-usb-uhci" },
    { "ich9-ehci1", "ich9-usb-ehci1" }, { "qemu-xhci", "qemu-xhci" },
    { "nec-xhci", "nec-usb-xhci" },
};
static const qb_map scsi_models[] = {
    { "virtio-scsi", "virtio-scsi-pci" }, { "lsilogic", "lsi53c895a" },
    { "lsisas1068", "mptsas1068" },       { "megasas", "megasas" },
};

static int scan_controller(qbuild *b, const vkp_def *node)
{
    const char *type = qemu_def_str(node, "@type");
    uint64_t index = 0;
    if (qemu_def_u64(node, "@index", &index) < 0)
        return -1;
    if (vkc_streq(type, "usb")) {
        b->usb_declared = true;
        b->usb_none = vkc_streq(qemu_def_str(node, "@model"), "none");
    } else if (vkc_streq(type, "scsi") && index < 32) {
        b->scsi_declared |= 1u << index;
    } else if (vkc_streq(type, "sata")) {
        b->ahci_declared = true;
    } else if (vkc_streq(type, "virtio-serial")) {
        b->virtio_serial_declared = true;
    }
    return 0;
}

static int controller_device(qbuild *b, const vkp_def *node, const char *qdev, const char *id,
                             json_object *extra)
{
    if (qb_need_device(b, node, qdev, "this controller") < 0) {
        if (extra)
            json_object_put(extra);
        return -1;
    }
    json_object *dev = vkc_json_obj("driver", VKC_JS(qdev), "id", VKC_JS(id), NULL);
    if (extra) {
        json_object_object_foreach(extra, k, v)
        {
            jset(dev, k, json_object_get(v));
        }
        json_object_put(extra);
    }
    if (node && qb_pci_address(b, node, dev) < 0) {
        json_object_put(dev);
        return -1;
    }
    qb_json(b, "-device", dev);
    return 0;
}

static int build_controller(qbuild *b, const vkp_def *node, size_t idx)
{
    const char *type = qemu_def_str(node, "@type");
    const char *model = qemu_def_str(node, "@model");
    uint64_t index = 0;
    if (qemu_def_u64(node, "@index", &index) < 0)
        return -1;
    char id[32];
    (void)idx;
    if (vkc_streq(type, "usb")) {
        if (vkc_streq(model, "none"))
            return 0;
        const char *qdev = model ? MAP_GET(usb_models, model)
                                 : (b->q35 ? "qemu-xhci" : "piix3-usb-uhci");
        if (!qdev)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "USB controller model '%s' is not supported", model);
        snprintf(id, sizeof(id), index ? "usb%llu" : "usb", (unsigned long long)index);
        return controller_device(b, node, qdev, id, NULL);
    }
    if (vkc_streq(type, "scsi")) {
        const char *qdev = MAP_GET(scsi_models, model ? model : "virtio-scsi");
        if (!qdev)
            return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "SCSI controller model '%s' is not supported", model);
        snprintf(id, sizeof(id), "scsi%llu", (unsigned long long)index);
        return controller_device(b, node, qdev, id, NULL);
    }
    if (vkc_streq(type, "sata")) {
        if (b->q35 && index == 0)
            return 0; /* built into q35 */
        snprintf(id, sizeof(id), "sata%llu", (unsigned long long)index);
        return controller_device(b, node, "ich9-ahci", id, NULL);
    }
    if (vkc_streq(type, "ide")) {
        if (b->pc && index == 0)
            return 0; /* built into i440fx */
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "machine %s has no IDE controller %llu", b->machine,
                       (unsigned long long)index);
    }
    if (vkc_streq(type, "virtio-serial")) {
        snprintf(id, sizeof(id), "virtio-serial%llu", (unsigned long long)index);
        return controller_device(b, node, "virtio-serial-pci", id, NULL);
    }
    if (vkc_streq(type, "pci")) {
        if (vkc_streq(model, "pci-root") || vkc_streq(model, "pcie-root")) {
            bool want_pcie = vkc_streq(model, "pcie-root");
            if (index != 0 || want_pcie != b->q35)
                return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                               "PCI controller '%s' index %llu does not match machine %s", model,
                               (unsigned long long)index, b->machine);
            return 0;
        }
        snprintf(id, sizeof(id), "pci.%llu", (unsigned long long)index);
        if (vkc_streq(model, "pcie-root-port")) {
            if (!b->q35)
                return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                               "pcie-root-port needs a q35 machine");
            return controller_device(b, node, "pcie-root-port", id,
                                     vkc_json_obj("port", VKC_JI(0x10 + index), "chassis",
                                                  VKC_JI(index), NULL));
        }
        if (vkc_streq(model, "pci-bridge"))
            return controller_device(b, node, "pci-bridge", id,
                                     vkc_json_obj("chassis_nr", VKC_JI(index), NULL));
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "PCI controller model '%s' is not supported (pci-root, pcie-root, "
                       "pcie-root-port, pci-bridge)", model ? model : "");
    }
    if (vkc_streq(type, "fdc"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "floppy drives (controller type 'fdc') are not supported by the qemu "
                       "plugin");
    return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                   "controller type '%s' is not supported by the qemu plugin", type);
}

int qb_implicit_controllers(qbuild *b)
{
    if (b->need_usb && b->usb_none)
        return qb_fail(b, NULL, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "a device needs a USB bus but the USB controller has model='none'");
    if (b->need_usb && !b->usb_declared &&
        controller_device(b, NULL, b->q35 ? "qemu-xhci" : "piix3-usb-uhci", "usb", NULL) < 0)
        return -1;
    for (unsigned i = 0; i < 32; i++) {
        if (!(b->scsi_needed & (1u << i)) || (b->scsi_declared & (1u << i)))
            continue;
        char id[32];
        snprintf(id, sizeof(id), "scsi%u", i);
        if (controller_device(b, NULL, "virtio-scsi-pci", id, NULL) < 0)
            return -1;
    }
    if (b->need_ahci && !b->ahci_declared &&
        controller_device(b, NULL, "ich9-ahci", "sata0", NULL) < 0)
        return -1;
    if (b->need_virtio_serial && !b->virtio_serial_declared &&
        controller_device(b, NULL, "virtio-serial-pci", "virtio-serial0", NULL) < 0)
        return -1;
    return 0;
}

int qb_implicit_devices(qbuild *b)
{
    /* libvirt's default: a virtio balloon unless <memballoon model='none'> */
    if (!b->balloon_seen && qemu_caps_has_device(b->ctx->caps, "virtio-balloon-pci")) {
        qb_json(b, "-device", vkc_json_obj("driver", VKC_JS("virtio-balloon-pci"), "id",
                                           VKC_JS("balloon0"), NULL));
        qb_alias(b, "memballoon", 0, "balloon0");
        b->out->has_balloon = true;
    }
    /* q35's root bus takes no hotplug: spare root ports for attach. */
    if (b->q35 && b->ctx->conf->hotplug_ports > 0 &&
        qemu_caps_has_device(b->ctx->caps, "pcie-root-port")) {
        for (int i = 0; i < b->ctx->conf->hotplug_ports; i++) {
            char id[32];
            snprintf(id, sizeof(id), "vk-hotplug%d", i);
            qb_json(b, "-device", vkc_json_obj("driver", VKC_JS("pcie-root-port"), "id",
                                               VKC_JS(id), "bus", VKC_JS("pcie.0"), "port",
                                               VKC_JI(0x20 + i), "chassis", VKC_JI(100 + i),
                                               NULL));
        }
        b->out->hotplug_ports = b->ctx->conf->hotplug_ports;
    }
    return 0;
}

/* --------------------------------------------------------------- table -- */

/* Every element <devices> may hold; one absent here is refused by name.
 * <emulator> is read when the binary is chosen. */
const qb_device_kind qb_device_kinds[] = {
    { "emulator", 0, NULL, NULL },
    { "controller", 1, scan_controller, build_controller },
    { "disk", 2, scan_disk, build_disk },
    { "interface", 2, NULL, build_interface },
    { "serial", 2, scan_serial, build_serial },
    { "console", 2, scan_console, build_console },
    { "channel", 2, scan_channel, build_channel },
    { "input", 2, scan_input, build_input },
    { "graphics", 2, NULL, build_graphics },
    { "video", 2, NULL, build_video },
    { "memballoon", 2, scan_balloon, build_balloon },
    { "rng", 2, NULL, build_rng },
    { "watchdog", 2, NULL, build_watchdog },
    { "panic", 2, NULL, build_panic },
    { "hostdev", 2, scan_hostdev, build_hostdev },
};
const size_t qb_n_device_kinds = VKC_ARRAY_LEN(qb_device_kinds);
