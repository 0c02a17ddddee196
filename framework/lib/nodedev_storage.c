/*
 * nodedev_storage.c: SCSI hosts, targets and devices (/sys/bus/scsi/
 * devices: "host0", "target0:0:0", "0:0:0:0") and block devices
 * (/sys/block: whole disks only, partitions are not node devices).
 *
 * A block device is a "storage" node device under whatever carries it:
 * a SCSI device (sda, sr0), a PCI function (nvme0n1 through its
 * controller, vda through virtio), or "computer" for virtual ones (loop,
 * dm). Unused virtual devices (an unbound loop, an empty zram) have size
 * 0 and are left out; an empty removable drive is kept, with its media
 * marked unavailable.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_sysfs.h"
#include "nodedev_db.h"

/* SCSI peripheral device types (SPC), as libvirt names them. */
static const char *const scsi_types[] = {
    [0x00] = "disk",   [0x01] = "tape",    [0x02] = "printer",   [0x03] = "processor",
    [0x04] = "worm",   [0x05] = "cdrom",   [0x06] = "scanner",   [0x07] = "mod",
    [0x08] = "changer", [0x09] = "comm",   [0x0c] = "raid",      [0x0d] = "enclosure",
    [0x0e] = "rbc",
};

static int scan_host(vk_ndev_db *db, const char *entry, const char *sys)
{
    unsigned int host;
    if (vk_parse_uint(entry + 4, &host) < 0)
        return 0; /* not "hostN": nothing we know */
    uint64_t uid = 0;
    int r = vk_hostfs_u64_opt(&uid, 10, "%s/scsi_host/%s/unique_id", sys, entry);
    if (r < 0)
        return -1;
    vk_xnode *cap;
    vk_ndev *d = vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_SCSI_HOST, "scsi_host", &cap,
                             "scsi_%s", entry);
    vk_hx_leaf(&d->xml, cap, "host", "%u", host);
    if (r > 0 && uid <= UINT32_MAX)
        vk_hx_leaf(&d->xml, cap, "unique_id", "%llu", (unsigned long long)uid);
    return 0;
}

static int scan_target(vk_ndev_db *db, const char *entry, const char *sys)
{
    vk_xnode *cap;
    vk_ndev *d = vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_SCSI_TARGET, "scsi_target", &cap,
                             "scsi_%s", entry);
    vk_hx_leaf(&d->xml, cap, "target", "%s", entry);
    return 0;
}

static int scan_lun(vk_ndev_db *db, const char *entry, const char *sys)
{
    unsigned int h, b, t;
    unsigned long long l;
    char tail;
    if (sscanf(entry, "%u:%u:%u:%llu%c", &h, &b, &t, &l, &tail) != 4)
        return 0; /* not a SCSI device address */
    uint64_t type = 0;
    int r = vk_hostfs_u64_opt(&type, 10, "%s/type", sys);
    if (r < 0)
        return -1;
    vk_xnode *cap;
    vk_ndev *d = vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_SCSI, "scsi", &cap, "scsi_%s",
                             entry);
    vk_ndev_add_driver(d, sys);
    vk_hx_leaf(&d->xml, cap, "host", "%u", h);
    vk_hx_leaf(&d->xml, cap, "bus", "%u", b);
    vk_hx_leaf(&d->xml, cap, "target", "%u", t);
    vk_hx_leaf(&d->xml, cap, "lun", "%llu", l);
    if (r > 0 && type < VK_ARRAY_LEN(scsi_types) && scsi_types[type])
        vk_hx_leaf(&d->xml, cap, "type", "%s", scsi_types[type]);
    return 0;
}

int vk_ndev_scan_scsi(vk_ndev_db *db)
{
    VK_AUTOSTRV entries = vk_hostfs_list("", "/sys/bus/scsi/devices");
    for (size_t i = 0; entries[i]; i++) {
        VK_AUTOFREE(char *) sys = vk_hostfs_resolve("/sys/bus/scsi/devices/%s", entries[i]);
        if (!sys)
            continue;
        int r = vk_str_has_prefix(entries[i], "host")     ? scan_host(db, entries[i], sys)
                : vk_str_has_prefix(entries[i], "target") ? scan_target(db, entries[i], sys)
                                                          : scan_lun(db, entries[i], sys);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- block -- */

/* The bus a disk hangs off, as udev's ID_BUS: what the user plugged in
 * (USB, ATA, NVMe, MMC) wins over the SCSI layer those may use inside;
 * a SCSI host over the virtio transport under it (virtio-scsi). */
static const char *block_bus(const char *sys)
{
    static const struct {
        const char *needle, *bus;
    } buses[] = {
        { "/usb", "usb" },         { "/ata", "ata" },   { "/nvme/", "nvme" },
        { "/mmc_host/", "mmc" },   { "/host", "scsi" }, { "/virtio", "virtio" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(buses); i++)
        if (strstr(sys, buses[i].needle))
            return buses[i].bus;
    return NULL;
}

/* A SCSI string attribute, trimmed of its space padding. */
static int scsi_string(char **out, const char *sys, const char *attr)
{
    if (vk_ndev_attr(out, sys, attr) < 0)
        return -1;
    if (*out && !**out)
        *out = (free(*out), NULL);
    return 0;
}

static const char *drive_type(const char *name, const char *sys)
{
    uint64_t type;
    if (vk_hostfs_u64_opt(&type, 10, "%s/device/type", sys) > 0 && type == 5)
        return "cdrom";
    virtkit_error_clear();
    if (vk_str_has_prefix(name, "fd"))
        return "floppy";
    if (vk_str_has_prefix(name, "mmcblk"))
        return "sd";
    return "disk";
}

static int scan_disk(vk_ndev_db *db, const char *name)
{
    VK_AUTOFREE(char *) sys = vk_hostfs_resolve("/sys/block/%s", name);
    if (!sys)
        return 0;
    uint64_t sectors = 0, removable = 0, lbs = 512;
    if (vk_hostfs_u64(&sectors, 10, "%s/size", sys) < 0 ||
        vk_hostfs_u64_opt(&removable, 10, "%s/removable", sys) < 0 ||
        vk_hostfs_u64_opt(&lbs, 10, "%s/queue/logical_block_size", sys) < 0)
        return -1;
    if (sectors == 0 && !removable)
        return 0;
    if (lbs == 0)
        lbs = 512;
    VK_AUTOFREE(char *) serial = NULL, *model = NULL, *vendor = NULL;
    if (scsi_string(&serial, sys, "serial") < 0 ||
        (!serial && scsi_string(&serial, sys, "device/serial") < 0) ||
        scsi_string(&model, sys, "device/model") < 0 ||
        scsi_string(&vendor, sys, "device/vendor") < 0)
        return -1;
    vk_xnode *cap;
    vk_ndev *d = serial ? vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_STORAGE, "storage", &cap,
                                      "block_%s_%s", name, serial)
                        : vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_STORAGE, "storage", &cap,
                                      "block_%s", name);
    VK_AUTOFREE(char *) dev = vk_asprintf("/dev/%s", name);
    vk_ndev_add_devnode(d, dev);
    vk_hx_leaf(&d->xml, cap, "block", "%s", dev);
    const char *bus = block_bus(sys);
    if (bus)
        vk_hx_leaf(&d->xml, cap, "bus", "%s", bus);
    vk_hx_leaf(&d->xml, cap, "drive_type", "%s", drive_type(name, sys));
    if (model)
        vk_hx_leaf(&d->xml, cap, "model", "%s", model);
    if (vendor)
        vk_hx_leaf(&d->xml, cap, "vendor", "%s", vendor);
    if (serial)
        vk_hx_leaf(&d->xml, cap, "serial", "%s", serial);
    /* sysfs counts 512-byte sectors whatever the logical block size */
    unsigned long long bytes = (unsigned long long)sectors * 512;
    vk_xnode *sizes = cap;
    if (removable) {
        sizes = vk_hx_add(&d->xml, cap, "capability");
        vk_hx_attr(&d->xml, sizes, "type", "removable");
        vk_hx_leaf(&d->xml, sizes, "media_available", "%d", sectors > 0);
        vk_hx_leaf(&d->xml, sizes, "media_size", "%llu", bytes);
        if (!sectors)
            return 0;
    } else {
        vk_hx_leaf(&d->xml, cap, "size", "%llu", bytes);
    }
    vk_hx_leaf(&d->xml, sizes, "logical_block_size", "%llu", (unsigned long long)lbs);
    vk_hx_leaf(&d->xml, sizes, "num_blocks", "%llu", bytes / lbs);
    return 0;
}

int vk_ndev_scan_block(vk_ndev_db *db)
{
    VK_AUTOSTRV disks = vk_hostfs_list("", "/sys/block");
    for (size_t i = 0; disks[i]; i++)
        if (scan_disk(db, disks[i]) < 0)
            return -1;
    return 0;
}
