/*
 * qemu_command.h: the builder state shared by qemu_command.c (sections of
 * the command line) and qemu_command_dev.c (one handler per device
 * element). Internal to the command-line builder.
 */
#ifndef QEMU_COMMAND_H
#define QEMU_COMMAND_H

#include "qemu.h"

typedef struct qbuild {
    const vkp_def *dom;
    const qemu_cmd_ctx *ctx;
    qemu_cmd *out;
    const char *name;
    const char *machine;        /* canonical machine type */
    bool q35;
    bool pc;                    /* i440fx */
    bool usb_declared;          /* a <controller type='usb'> exists */
    bool usb_none;              /* ... with model='none' */
    bool need_usb;              /* a device needs a USB bus */
    bool need_virtio_serial;
    bool virtio_serial_declared;
    bool need_ahci;             /* sata disks on i440fx */
    bool ahci_declared;
    unsigned int scsi_needed;   /* bit i: scsi controller i is used */
    unsigned int scsi_declared;
    bool balloon_seen;
    size_t total_serials;       /* <serial> elements in the definition */
    bool os_boot;               /* <os><boot dev=...> present */
    bool dev_boot;              /* some device has <boot order=...> */
} qbuild;

/* Add "-opt value". */
void qb_arg(qbuild *b, const char *opt, const char *value);
void qb_argf(qbuild *b, const char *opt, const char *fmt, ...) VKC_PRINTF(3, 4);
/* Add "-device <json>" / "-blockdev <json>" / "-object <json>" (consumed). */
void qb_json(qbuild *b, const char *opt, json_object *o);
/* Escape a value for qemu's key=value option syntax (commas doubled). */
char *qb_kv(const char *s);
/* Record the alias given to the idx-th element `el`. */
void qb_alias(qbuild *b, const char *el, size_t idx, const char *alias);
/* An error about node: "domain 'web': <disk> (line 9): ..." */
int qb_fail(qbuild *b, const vkp_def *node, int code, const char *fmt, ...) VKC_PRINTF(4, 5);
/* Check that qemu has a device type, else fail naming node. */
int qb_need_device(qbuild *b, const vkp_def *node, const char *type, const char *what);
/* Apply <address type='pci'> and <boot order> of node to a -device. */
int qb_pci_address(qbuild *b, const vkp_def *node, json_object *dev);
int qb_boot_index(qbuild *b, const vkp_def *node, json_object *dev);

/* Device handlers (qemu_command_dev.c). Each reads one element and adds
 * its arguments; pass 1 runs controllers, pass 2 everything else. */
typedef struct qb_device_kind {
    const char *element;
    int pass;
    int (*scan)(qbuild *b, const vkp_def *node);     /* needs, before pass 1 */
    int (*build)(qbuild *b, const vkp_def *node, size_t idx);
} qb_device_kind;
extern const qb_device_kind qb_device_kinds[];
extern const size_t qb_n_device_kinds;
/* A disk's block nodes and device, and an interface's netdev and device
 * (also used by hotplug). bus_override names the bus to plug into. */
int qemu_disk_blockdevs(qbuild *b, const vkp_def *disk, size_t idx, const char *bus_override,
                        json_object **file_node, json_object **fmt_node, json_object **device,
                        char **alias);
int qemu_iface_parts(qbuild *b, const vkp_def *iface, size_t idx, const char *bus_override,
                     json_object **netdev, json_object **device, char **alias);
/* Controllers implied by devices but not declared (after pass 1). */
int qb_implicit_controllers(qbuild *b);
/* Devices libvirt adds by default (balloon) and our hotplug ports. */
int qb_implicit_devices(qbuild *b);

#endif
