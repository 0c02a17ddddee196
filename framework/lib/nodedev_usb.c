/*
 * nodedev_usb.c: USB devices and their interfaces from
 * /sys/bus/usb/devices ("usb1" root hubs and "1-1.2" devices; "1-1:1.0"
 * interfaces). Names come from usb.ids, else from the strings the device
 * itself reports.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_sysfs.h"
#include "nodedev_db.h"

static int read_dec(const char *sys, const char *attr, const char *entry, unsigned int *out)
{
    uint64_t v = 0;
    int r = vk_hostfs_u64_opt(&v, 10, "%s/%s", sys, attr);
    if (r < 0)
        return -1;
    if (r == 0 || v > UINT32_MAX) {
        VK_AUTOFREE(char *) path = vk_hostfs_path(sys);
        vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_NODEDEV,
                     "USB device %s: %s/%s is %s", entry, path, attr,
                     r == 0 ? "missing" : "out of range");
        return -1;
    }
    *out = (unsigned int)v;
    return 0;
}

static int read_hex(const char *sys, const char *attr, const char *entry, unsigned int *out)
{
    int r = vk_ndev_hex_attr(out, sys, attr);
    if (r == 0) {
        VK_AUTOFREE(char *) path = vk_hostfs_path(sys);
        vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_NODEDEV,
                     "USB device %s: %s/%s is missing", entry, path, attr);
    }
    return r > 0 ? 0 : -1;
}

/* <product>/<vendor> with the usb.ids name, else the device's string. */
static int add_named(vk_ndev *d, vk_xnode *cap, const char *elem, unsigned int id, char *dbname,
                     const char *sys, const char *attr)
{
    VK_AUTOFREE(char *) name = dbname;
    if (!name && vk_ndev_attr(&name, sys, attr) < 0)
        return -1;
    vk_xnode *x = vk_hx_add(&d->xml, cap, elem);
    vk_hx_attr(&d->xml, x, "id", "0x%04x", id);
    if (!vk_str_empty(name))
        vk_hx_text(&d->xml, x, "%s", name);
    return 0;
}

static int scan_device(vk_ndev_db *db, const char *entry, const char *sys)
{
    unsigned int bus, devnum, vendor, product;
    if (read_dec(sys, "busnum", entry, &bus) < 0 || read_dec(sys, "devnum", entry, &devnum) < 0 ||
        read_hex(sys, "idVendor", entry, &vendor) < 0 ||
        read_hex(sys, "idProduct", entry, &product) < 0)
        return -1;
    vk_xnode *cap;
    vk_ndev *d = vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_USB_DEV, "usb_device", &cap,
                             "usb_%s", entry);
    VK_AUTOFREE(char *) node = vk_asprintf("/dev/bus/usb/%03u/%03u", bus, devnum);
    vk_ndev_add_devnode(d, node);
    vk_ndev_add_driver(d, sys);
    vk_hx_leaf(&d->xml, cap, "bus", "%u", bus);
    vk_hx_leaf(&d->xml, cap, "device", "%u", devnum);
    if (add_named(d, cap, "product", product, vk_ids_product(VK_IDS_USB, vendor, product), sys,
                  "product") < 0 ||
        add_named(d, cap, "vendor", vendor, vk_ids_vendor(VK_IDS_USB, vendor), sys,
                  "manufacturer") < 0)
        return -1;
    return 0;
}

static int scan_interface(vk_ndev_db *db, const char *entry, const char *sys)
{
    static const char *const fields[][2] = {
        { "bInterfaceNumber", "number" },     { "bInterfaceClass", "class" },
        { "bInterfaceSubClass", "subclass" }, { "bInterfaceProtocol", "protocol" },
    };
    unsigned int v[4];
    for (size_t i = 0; i < 4; i++)
        if (read_hex(sys, fields[i][0], entry, &v[i]) < 0)
            return -1;
    VK_AUTOFREE(char *) desc = NULL;
    if (vk_ndev_attr(&desc, sys, "interface") < 0)
        return -1;
    vk_xnode *cap;
    vk_ndev *d = vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_USB_INTERFACE, "usb", &cap,
                             "usb_%s", entry);
    vk_ndev_add_driver(d, sys);
    for (size_t i = 0; i < 4; i++)
        vk_hx_leaf(&d->xml, cap, fields[i][1], "%u", v[i]);
    if (!vk_str_empty(desc))
        vk_hx_leaf(&d->xml, cap, "description", "%s", desc);
    return 0;
}

int vk_ndev_scan_usb(vk_ndev_db *db)
{
    VK_AUTOSTRV entries = vk_hostfs_list("", "/sys/bus/usb/devices");
    for (size_t i = 0; entries[i]; i++) {
        VK_AUTOFREE(char *) sys = vk_hostfs_resolve("/sys/bus/usb/devices/%s", entries[i]);
        if (!sys)
            continue; /* unplugged while we looked */
        int r = strchr(entries[i], ':') ? scan_interface(db, entries[i], sys)
                                        : scan_device(db, entries[i], sys);
        if (r < 0)
            return -1;
    }
    return 0;
}
