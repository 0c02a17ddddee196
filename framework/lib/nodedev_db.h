/*
 * nodedev_db.h: one scan of the node's devices, shared by the scanners
 * (nodedev_pci.c, nodedev_usb.c, nodedev_net.c, nodedev_storage.c) and
 * the API (nodedev.c). A scanner adds each device with its sysfs
 * directory and fills its <capability>; the database then links every
 * device to the nearest scanned ancestor directory (else "computer").
 */
#ifndef VK_NODEDEV_DB_H
#define VK_NODEDEV_DB_H

#include <virtkit/virtkit.h>

#include "host_xml.h"
#include "util.h"

typedef struct vk_ndev {
    char *name;
    char *parent;          /* NULL for "computer" */
    char *syspath;         /* "/sys/devices/...", NULL for "computer" */
    unsigned int caps;     /* VIRTKIT_LIST_NODEDEV_CAP_* */
    vk_hx xml;             /* the <device> being built */
} vk_ndev;

typedef struct vk_ndev_db {
    vk_ndev *devs;
    size_t n, cap;
} vk_ndev_db;

/* Scan everything; 0 or -1 (error set). */
int vk_ndev_scan(vk_ndev_db *db);
void vk_ndev_db_clear(vk_ndev_db *db);
const vk_ndev *vk_ndev_find(const vk_ndev_db *db, const char *name);

/* For scanners: add a device named from fmt with every character that is
 * not a letter or digit replaced by '_' (libvirt's rule). *cap receives
 * its <capability type=cap_type>. The pointer is valid until the next
 * add. */
vk_ndev *vk_ndev_add(vk_ndev_db *db, const char *syspath, unsigned int cap_flag,
                     const char *cap_type, vk_xnode **cap, const char *fmt, ...)
    VK_PRINTF(6, 7);
/* <driver><name> from the directory's driver link, when bound. */
void vk_ndev_add_driver(vk_ndev *d, const char *syspath);
/* <devnode type='dev'>path</devnode>. */
void vk_ndev_add_devnode(vk_ndev *d, const char *path);

/* A sysfs attribute of the device: trimmed first line, NULL when absent
 * (opt) — errors other than absence fail the scan. */
int vk_ndev_attr(char **out, const char *syspath, const char *attr);
/* A hex attribute ("0x8086" or "8086"); 0 absent, 1 read, -1 garbage. */
int vk_ndev_hex_attr(unsigned int *out, const char *syspath, const char *attr);

/* The scanners. */
int vk_ndev_scan_pci(vk_ndev_db *db);
int vk_ndev_scan_usb(vk_ndev_db *db);
int vk_ndev_scan_net(vk_ndev_db *db);
int vk_ndev_scan_scsi(vk_ndev_db *db);
int vk_ndev_scan_block(vk_ndev_db *db);

/* Names from the pci.ids / usb.ids databases when installed (cached
 * while the file does not change). Caller frees; NULL when unknown. */
typedef enum { VK_IDS_PCI, VK_IDS_USB } vk_ids_kind;
char *vk_ids_vendor(vk_ids_kind kind, unsigned int vendor);
char *vk_ids_product(vk_ids_kind kind, unsigned int vendor, unsigned int product);

#endif
