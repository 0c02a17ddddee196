/*
 * domain_devices.c: the <devices> part of the domain format (libvirt's
 * names and values) as schema tables, with each element's own consistency
 * checks next to its row: what a <disk type='file'> may carry in <source>,
 * which models a controller type has, and so on. Checks that look across
 * devices (duplicates, address collisions) are in domain_validate.c.
 *
 * Rows are listed leaves first; the order of children in a row is the
 * order of formatting, which follows libvirt's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common_schema.h"
#include "domain_priv.h"
#include "error.h"

/* ------------------------------------------------------- shared rows -- */

/* Aliases name devices in the running hypervisor; virtkit assigns them
 * (domain_defaults.c), so they are live state, left out of inactive XML. */
static const vk_xelem e_alias = { "alias", VK_XATTRS(VK_XA_REQ("name", token)), NULL, NULL,
                                  NULL, VK_XE_RUNTIME };

const vk_xelem vk_domain_address = {
    "address",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "pci", "drive", "usb", "virtio-serial", "isa", "ccid",
                             "virtio-mmio", "spapr-vio", "ccw", "unassigned"),
              VK_XA("controller", number), VK_XA("domain", number), VK_XA("bus", number),
              VK_XA("slot", number), VK_XA("function", number),
              VK_XA_ENUM("multifunction", "on", "off"), VK_XA("target", number),
              VK_XA("unit", number),
              VK_XA("port", token), VK_XA("iobase", hex), VK_XA("irq", hex), VK_XA("reg", hex),
              VK_XA("cssid", hex), VK_XA("ssid", hex), VK_XA("devno", hex)),
    NULL, NULL, NULL, 0, vk_address_check, vk_address_normalise
};
#define e_address vk_domain_address

static const vk_xelem e_boot_order = {
    "boot", VK_XATTRS(VK_XA_REQ("order", uint), VK_XA("loadparm", token))
};
static const vk_xelem e_rom = {
    "rom", VK_XATTRS(VK_XA_ENUM("bar", "on", "off"), VK_XA("file", abspath),
                     VK_XA("enabled", yesno))
};
static const vk_xelem e_readonly = { "readonly" };
static const vk_xelem e_shareable = { "shareable" };
static const vk_xelem e_transient = { "transient" };

/* -------------------------------------------------------------- disk -- */

#define DISK_FORMATS                                                                     \
    "raw", "qcow2", "qcow", "cow", "qed", "vmdk", "vpc", "vdi", "vhdx", "bochs", "cloop", \
        "dmg", "iso", "fat", "vhd", "ploop", "luks", "dir", "aio"

static const vk_xelem e_disk_driver = {
    "driver",
    VK_XATTRS(VK_XA("name", token), VK_XA_ENUM("type", DISK_FORMATS),
              VK_XA_ENUM("cache", "default", "none", "writethrough", "writeback", "directsync",
                         "unsafe"),
              VK_XA_ENUM("io", "threads", "native", "io_uring"),
              VK_XA_ENUM("discard", "unmap", "ignore"),
              VK_XA_ENUM("error_policy", "stop", "report", "ignore", "enospace"),
              VK_XA_ENUM("rerror_policy", "stop", "report", "ignore"),
              VK_XA("ioeventfd", onoff), VK_XA("event_idx", onoff), VK_XA("copy_on_read", onoff),
              VK_XA_ENUM("detect_zeroes", "off", "on", "unmap"), VK_XA("queues", uint),
              VK_XA("iothread", uint))
};
static const vk_xelem e_host = {
    "host", VK_XATTRS(VK_XA("name", token), VK_XA("port", port),
                      VK_XA_ENUM("transport", "tcp", "unix", "rdma"), VK_XA("socket", abspath))
};
static const vk_xelem e_secret = {
    "secret", VK_XATTRS(VK_XA_ENUM_REQ("type", "ceph", "iscsi", "passphrase", "volume"),
                        VK_XA("usage", string), VK_XA("uuid", uuid))
};
static const vk_xelem e_auth = {
    "auth", VK_XATTRS(VK_XA_REQ("username", string)), VK_XCHILDREN(VK_XC_ONE(e_secret))
};

#define NET_PROTOCOLS                                                                    \
    "nbd", "iscsi", "rbd", "sheepdog", "gluster", "http", "https", "ftp", "ftps", "tftp", \
        "ssh", "vxhs", "nfs"

/* Which <source> attributes each disk type takes (and needs). */
static const struct {
    const char *type;
    const char *const *allowed;
    const char *required; /* NULL: the source may be empty (a cdrom tray) */
} disk_sources[] = {
    { "file", VK_XVALUES("file", "startupPolicy"), NULL },
    { "block", VK_XVALUES("dev", "startupPolicy"), NULL },
    { "dir", VK_XVALUES("dir", "startupPolicy"), "dir" },
    { "network", VK_XVALUES("protocol", "name", "tls", "query"), "protocol" },
    { "volume", VK_XVALUES("pool", "volume", "mode", "startupPolicy"), "pool" },
};

static const vk_xelem e_disk_source = {
    "source",
    VK_XATTRS(VK_XA("file", abspath), VK_XA("dev", abspath), VK_XA("dir", abspath),
              VK_XA_ENUM("protocol", NET_PROTOCOLS), VK_XA("name", string), VK_XA("tls", yesno),
              VK_XA("query", string), VK_XA("pool", name), VK_XA("volume", string),
              VK_XA_ENUM("mode", "host", "direct"),
              VK_XA_ENUM("startupPolicy", "mandatory", "requisite", "optional")),
    VK_XCHILDREN(VK_XC_ANY(e_host), VK_XC_OPT(e_auth))
};

/* Check a <source> against its disk type; `what` is "disk" or
 * "backingStore" for the message. */
static int disk_source_check(const vk_xnode *src, const char *type, const char *what)
{
    if (!type)
        type = "file";
    for (size_t i = 0; i < VK_ARRAY_LEN(disk_sources); i++) {
        if (!vk_streq(disk_sources[i].type, type))
            continue;
        for (size_t a = 0; a < src->nattrs; a++) {
            if (!vk_strv_contains(disk_sources[i].allowed, src->attrs[a].name)) {
                vk_xml_error(src, "attribute '%s' does not apply to a %s of type '%s'",
                             src->attrs[a].name, what, type);
                return -1;
            }
        }
        const char *req = disk_sources[i].required;
        if (req && !vk_xnode_attr(src, req)) {
            vk_xml_error(src, "a %s of type '%s' needs the source attribute '%s'", what, type,
                         req);
            return -1;
        }
        if (vk_streq(type, "volume") && !vk_xnode_attr(src, "volume")) {
            vk_xml_error(src, "a %s of type 'volume' needs the source attribute 'volume'", what);
            return -1;
        }
        break;
    }
    size_t nhosts = vk_xnode_count(src, "host");
    if (nhosts && !vk_streq(type, "network")) {
        vk_xml_error(src, "<host> applies only to network disks");
        return -1;
    }
    if (vk_streq(type, "network")) {
        const char *proto = vk_xnode_attr(src, "protocol");
        bool unnamed = vk_streq(proto, "nbd");
        if (!unnamed && !vk_xnode_attr(src, "name")) {
            vk_xml_error(src, "a %s source with protocol '%s' needs a 'name'", what, proto);
            return -1;
        }
        if (!vk_streq(proto, "rbd") && !vk_streq(proto, "gluster") && nhosts > 1) {
            vk_xml_error(src, "protocol '%s' takes one <host>, not %zu", proto, nhosts);
            return -1;
        }
        if (nhosts == 0 && !vk_streq(proto, "rbd")) {
            vk_xml_error(src, "protocol '%s' needs a <host>", proto);
            return -1;
        }
        for (size_t i = 0; i < nhosts; i++) {
            const vk_xnode *h = vk_xnode_child_nth(src, "host", i);
            bool unix_sock = vk_streq(vk_xnode_attr(h, "transport"), "unix");
            if (unix_sock ? !vk_xnode_attr(h, "socket") : !vk_xnode_attr(h, "name")) {
                vk_xml_error(h, "a host with transport '%s' needs the attribute '%s'",
                             unix_sock ? "unix" : "tcp", unix_sock ? "socket" : "name");
                return -1;
            }
            if (unix_sock && (vk_xnode_attr(h, "name") || vk_xnode_attr(h, "port"))) {
                vk_xml_error(h, "a host with transport 'unix' takes no name or port");
                return -1;
            }
        }
    }
    return 0;
}

static const vk_xelem e_format = { "format", VK_XATTRS(VK_XA_ENUM_REQ("type", DISK_FORMATS)) };
static int backing_check(const vk_xnode *n);
/* A chain of backing images; empty (<backingStore/>) ends the chain. */
static const vk_xelem e_backing_store = {
    "backingStore",
    VK_XATTRS(VK_XA_ENUM("type", "file", "block", "network"), VK_XA("index", uint)),
    VK_XCHILDREN(VK_XC_OPT(e_format), VK_XC_OPT(e_disk_source), VK_XC_OPT(e_backing_store)),
    NULL, NULL, 0, backing_check
};

static int backing_check(const vk_xnode *n)
{
    const vk_xnode *src = vk_xnode_child(n, "source");
    if (!vk_xnode_attr(n, "type") && n->nchildren) {
        vk_xml_error(n, "a backingStore with content needs a 'type'");
        return -1;
    }
    if (vk_xnode_attr(n, "type") && !src) {
        vk_xml_error(n, "a backingStore of type '%s' needs a <source>", vk_xnode_attr(n, "type"));
        return -1;
    }
    return src ? disk_source_check(src, vk_xnode_attr(n, "type"), "backingStore") : 0;
}

static const vk_xelem e_disk_target = {
    "target",
    VK_XATTRS(VK_XA_REQ("dev", token),
              VK_XA_ENUM("bus", "ide", "scsi", "virtio", "xen", "usb", "sata", "sd", "fdc"),
              VK_XA_ENUM("tray", "open", "closed"), VK_XA("removable", onoff),
              VK_XA("rotation_rate", uint))
};

#define IOTUNE(n) static const vk_xelem e_iot_##n = { #n, NULL, NULL, &vk_xt_ulong }
IOTUNE(total_bytes_sec);
IOTUNE(read_bytes_sec);
IOTUNE(write_bytes_sec);
IOTUNE(total_iops_sec);
IOTUNE(read_iops_sec);
IOTUNE(write_iops_sec);
IOTUNE(total_bytes_sec_max);
IOTUNE(read_bytes_sec_max);
IOTUNE(write_bytes_sec_max);
IOTUNE(total_iops_sec_max);
IOTUNE(read_iops_sec_max);
IOTUNE(write_iops_sec_max);
IOTUNE(size_iops_sec);
static const vk_xelem e_iot_group_name = { "group_name", NULL, NULL, &vk_xt_token };

static int iotune_check(const vk_xnode *n)
{
    /* A total limit and its read/write split cannot both be set. */
    static const char *const groups[][3] = {
        { "total_bytes_sec", "read_bytes_sec", "write_bytes_sec" },
        { "total_iops_sec", "read_iops_sec", "write_iops_sec" },
        { "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max" },
        { "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(groups); i++) {
        if (vk_xnode_child(n, groups[i][0]) &&
            (vk_xnode_child(n, groups[i][1]) || vk_xnode_child(n, groups[i][2]))) {
            vk_xml_error(n, "%s cannot be set together with %s or %s", groups[i][0],
                         groups[i][1], groups[i][2]);
            return -1;
        }
    }
    return 0;
}

static const vk_xelem e_iotune = {
    "iotune", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_iot_total_bytes_sec), VK_XC_OPT(e_iot_read_bytes_sec),
                 VK_XC_OPT(e_iot_write_bytes_sec), VK_XC_OPT(e_iot_total_iops_sec),
                 VK_XC_OPT(e_iot_read_iops_sec), VK_XC_OPT(e_iot_write_iops_sec),
                 VK_XC_OPT(e_iot_total_bytes_sec_max), VK_XC_OPT(e_iot_read_bytes_sec_max),
                 VK_XC_OPT(e_iot_write_bytes_sec_max), VK_XC_OPT(e_iot_total_iops_sec_max),
                 VK_XC_OPT(e_iot_read_iops_sec_max), VK_XC_OPT(e_iot_write_iops_sec_max),
                 VK_XC_OPT(e_iot_size_iops_sec), VK_XC_OPT(e_iot_group_name)),
    NULL, NULL, 0, iotune_check
};

static int disk_serial_check(const vk_xnode *n)
{
    /* libvirt's rule: what QEMU passes through to the guest unescaped. */
    for (const char *p = n->text; p && *p; p++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+- ", *p)) {
            vk_xml_error(n, "serial '%s' may contain only letters, digits, space and _.+-",
                         n->text);
            return -1;
        }
    }
    if (!n->text || !*n->text) {
        vk_xml_error(n, "serial must not be empty");
        return -1;
    }
    return 0;
}

static int max_len_check(const vk_xnode *n, size_t max)
{
    if (!n->text || !*n->text || strlen(n->text) > max) {
        vk_xml_error(n, "'%s' must have 1 to %zu characters", n->text ? n->text : "", max);
        return -1;
    }
    return 0;
}
static int vendor_check(const vk_xnode *n)
{
    return max_len_check(n, 8);
}
static int product_check(const vk_xnode *n)
{
    return max_len_check(n, 16);
}

static const vk_xelem e_disk_serial = { "serial", NULL, NULL, &vk_xt_string, NULL, 0,
                                        disk_serial_check };
static const vk_xelem e_wwn = { "wwn", NULL, NULL, &vk_xt_wwn };
static const vk_xelem e_disk_vendor = { "vendor", NULL, NULL, &vk_xt_string, NULL, 0,
                                        vendor_check };
static const vk_xelem e_disk_product = { "product", NULL, NULL, &vk_xt_string, NULL, 0,
                                         product_check };
static const vk_xelem e_blockio = {
    "blockio", VK_XATTRS(VK_XA("logical_block_size", uint), VK_XA("physical_block_size", uint))
};

static int disk_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const char *device = vk_xnode_attr(n, "device");
    const vk_xnode *src = vk_xnode_child(n, "source");
    const vk_xnode *tgt = vk_xnode_child(n, "target");
    const char *bus = vk_xnode_attr(tgt, "bus");
    const char *dev = vk_xnode_attr(tgt, "dev");
    bool removable = vk_streq(device, "cdrom") || vk_streq(device, "floppy");

    if (src && disk_source_check(src, type, "disk") < 0)
        return -1;
    if (!removable && !vk_streq(type, "network") && !vk_streq(type, "volume") &&
        (!src || !(vk_xnode_attr(src, "file") || vk_xnode_attr(src, "dev") ||
                   vk_xnode_attr(src, "dir")))) {
        vk_xml_error(n, "disk '%s' has no source; only cdrom and floppy drives may be empty",
                     dev);
        return -1;
    }
    if ((vk_streq(type, "network") || vk_streq(type, "volume")) && !src) {
        vk_xml_error(n, "disk '%s' of type '%s' needs a <source>", dev, type);
        return -1;
    }
    if (vk_disk_name_index(dev, NULL) < 0) {
        vk_xml_error(tgt, "disk target '%s' is not a disk name like vda, sdb or hdc", dev);
        return -1;
    }
    if (!bus)
        bus = vk_disk_bus_for_name(dev);
    if (vk_streq(device, "floppy") && bus && !vk_streq(bus, "fdc")) {
        vk_xml_error(tgt, "floppy '%s' must be on the fdc bus, not '%s'", dev, bus);
        return -1;
    }
    if (!vk_streq(device, "floppy") && vk_streq(bus, "fdc")) {
        vk_xml_error(tgt, "only floppy drives go on the fdc bus ('%s' is a %s)", dev,
                     device ? device : "disk");
        return -1;
    }
    if (vk_streq(device, "cdrom") && vk_streq(bus, "virtio")) {
        vk_xml_error(tgt, "cdrom '%s' cannot be on the virtio bus (no removable media)", dev);
        return -1;
    }
    if (vk_xnode_attr(tgt, "tray") && !removable) {
        vk_xml_error(tgt, "tray applies only to cdrom and floppy drives");
        return -1;
    }
    if (vk_streq(device, "lun") && !vk_streq(bus, "scsi") && !vk_streq(bus, "virtio")) {
        vk_xml_error(tgt, "lun '%s' must be on the scsi or virtio bus", dev);
        return -1;
    }
    if (vk_xnode_attr(n, "model") && !vk_streq(bus, "virtio")) {
        vk_xml_error(n, "model '%s' applies only to virtio disks", vk_xnode_attr(n, "model"));
        return -1;
    }
    if (vk_xnode_child(n, "transient") && vk_xnode_child(n, "readonly")) {
        vk_xml_error(n, "disk '%s' cannot be both transient and readonly", dev);
        return -1;
    }
    return 0;
}

static const vk_xelem e_disk = {
    "disk",
    VK_XATTRS(VK_XA_ENUM("type", "file", "block", "dir", "network", "volume"),
              VK_XA_ENUM("device", "disk", "cdrom", "floppy", "lun"),
              VK_XA_ENUM("model", "virtio", "virtio-transitional", "virtio-non-transitional"),
              VK_XA("rawio", yesno), VK_XA_ENUM("sgio", "filtered", "unfiltered"),
              VK_XA_ENUM("snapshot", "no", "internal", "external", "manual")),
    VK_XCHILDREN(VK_XC_OPT(e_disk_driver), VK_XC_OPT(e_disk_source), VK_XC_OPT(e_backing_store),
                 VK_XC_ONE(e_disk_target), VK_XC_OPT(e_blockio), VK_XC_OPT(e_iotune),
                 VK_XC_OPT(e_readonly), VK_XC_OPT(e_shareable), VK_XC_OPT(e_transient),
                 VK_XC_OPT(e_disk_serial), VK_XC_OPT(e_wwn), VK_XC_OPT(e_disk_vendor),
                 VK_XC_OPT(e_disk_product), VK_XC_OPT(e_boot_order), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address)),
    NULL, NULL, 0, disk_check
};

/* -------------------------------------------------------- controller -- */

static const struct {
    const char *type;
    const char *const *models;
} controller_models[] = {
    { "ide", VK_XVALUES("piix3", "piix4", "ich6") },
    { "fdc", NULL },
    { "sata", NULL },
    { "ccid", NULL },
    { "xenbus", NULL },
    { "isa", NULL },
    { "scsi", VK_XVALUES("auto", "buslogic", "lsilogic", "lsisas1068", "vmpvscsi", "ibmvscsi",
                         "virtio-scsi", "lsisas1078", "virtio-transitional",
                         "virtio-non-transitional", "ncr53c90", "am53c974", "dc390") },
    { "usb", VK_XVALUES("piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1",
                        "ich9-uhci2", "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "nec-xhci",
                        "qusb1", "qusb2", "qemu-xhci", "none") },
    { "virtio-serial", VK_XVALUES("virtio", "virtio-transitional", "virtio-non-transitional") },
    { "pci", VK_XVALUES("pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge",
                        "pcie-root-port", "pcie-switch-upstream-port",
                        "pcie-switch-downstream-port", "pci-expander-bus", "pcie-expander-bus",
                        "pcie-to-pci-bridge") },
};

static const vk_xelem e_ctrl_model = {
    "model", VK_XATTRS(VK_XA_ENUM_REQ("name", "pci-bridge", "i82801b11-bridge", "ioh3420",
                                      "pcie-root-port", "x3130-upstream", "xio3130-downstream",
                                      "pxb", "pxb-pcie", "pcie-pci-bridge"))
};
static const vk_xelem e_ctrl_target = {
    "target", VK_XATTRS(VK_XA("chassisNr", uint), VK_XA("chassis", uint), VK_XA("port", hex),
                        VK_XA("busNr", uint), VK_XA("index", uint), VK_XA("hotplug", onoff))
};
static const vk_xelem e_ctrl_driver = {
    "driver", VK_XATTRS(VK_XA("queues", uint), VK_XA("cmd_per_lun", uint),
                        VK_XA("max_sectors", uint), VK_XA("ioeventfd", onoff),
                        VK_XA("iothread", uint))
};
static const vk_xelem e_ctrl_master = { "master", VK_XATTRS(VK_XA_REQ("startport", uint)) };

static int controller_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const char *model = vk_xnode_attr(n, "model");
    for (size_t i = 0; i < VK_ARRAY_LEN(controller_models); i++) {
        if (!vk_streq(controller_models[i].type, type))
            continue;
        const char *const *models = controller_models[i].models;
        if (model && !(models && vk_strv_contains(models, model))) {
            VK_AUTOFREE(char *) list = models ? vk_strv_join((char **)models, ", ") : NULL;
            vk_xml_error(n, "model '%s' is not a %s controller model%s%s", model, type,
                         list ? "; expected one of: " : " (this type has none)",
                         list ? list : "");
            return -1;
        }
    }
    if (vk_xnode_attr(n, "ports") && !vk_streq(type, "virtio-serial") &&
        !vk_streq(type, "usb")) {
        vk_xml_error(n, "ports applies only to virtio-serial and usb controllers");
        return -1;
    }
    if (vk_xnode_attr(n, "vectors") && !vk_streq(type, "virtio-serial")) {
        vk_xml_error(n, "vectors applies only to virtio-serial controllers");
        return -1;
    }
    if (vk_xnode_child(n, "master") && !vk_streq(type, "usb")) {
        vk_xml_error(n, "<master> applies only to usb companion controllers");
        return -1;
    }
    if ((vk_xnode_child(n, "model") || vk_xnode_child(n, "target")) && !vk_streq(type, "pci")) {
        vk_xml_error(n, "<model> and <target> apply only to pci controllers");
        return -1;
    }
    bool root = vk_streq(model, "pci-root") || vk_streq(model, "pcie-root");
    const char *idx = vk_xnode_attr(n, "index");
    if (root && idx && !vk_streq(idx, "0")) {
        vk_xml_error(n, "the %s controller must have index 0, not %s", model, idx);
        return -1;
    }
    if (root && vk_xnode_child(n, "address")) {
        vk_xml_error(n, "the %s controller has no address", model);
        return -1;
    }
    return 0;
}

static const vk_xelem e_controller = {
    "controller",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "ide", "fdc", "scsi", "sata", "usb", "ccid",
                             "virtio-serial", "pci", "xenbus", "isa"),
              VK_XA("index", uint), VK_XA("model", token), VK_XA("ports", uint),
              VK_XA("vectors", uint)),
    VK_XCHILDREN(VK_XC_OPT(e_ctrl_model), VK_XC_OPT(e_ctrl_target), VK_XC_OPT(e_ctrl_driver),
                 VK_XC_OPT(e_ctrl_master), VK_XC_OPT(e_alias), VK_XC_OPT(e_address)),
    NULL, NULL, 0, controller_check
};

/* -------------------------------------------------------- filesystem -- */

static const vk_xelem e_fs_driver = {
    "driver",
    VK_XATTRS(VK_XA_ENUM("type", "path", "handle", "loop", "nbd", "ploop", "virtiofs"),
              VK_XA_ENUM("format", "raw", "qcow2", "ploop", "vmdk"),
              VK_XA_ENUM("wrpolicy", "immediate"), VK_XA("queue", uint))
};
static const vk_xelem e_fs_source = {
    "source",
    VK_XATTRS(VK_XA("dir", abspath), VK_XA("file", abspath), VK_XA("dev", abspath),
              VK_XA("name", token), VK_XA("usage", scaled), VK_XA("units", unit),
              VK_XA("socket", abspath),
              VK_XA("pool", name), VK_XA("volume", string))
};
static const vk_xelem e_fs_target = { "target", VK_XATTRS(VK_XA_REQ("dir", token)) };
static const vk_xelem e_fs_hard = { "space_hard_limit", VK_XATTRS(VK_XA_UNIT), NULL,
                                    &vk_xt_scaled, NULL, VK_XE_SCALED_BYTES };
static const vk_xelem e_fs_soft = { "space_soft_limit", VK_XATTRS(VK_XA_UNIT), NULL,
                                    &vk_xt_scaled, NULL, VK_XE_SCALED_BYTES };

/* Which <source> attribute each filesystem type needs. */
static const struct {
    const char *type;
    const char *attr;
} fs_sources[] = {
    { "mount", "dir" }, { "bind", "dir" },  { "block", "dev" },   { "file", "file" },
    { "template", "name" }, { "ram", "usage" }, { "volume", "volume" },
};

static int filesystem_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const vk_xnode *src = vk_xnode_child(n, "source");
    const char *tdir = vk_xnode_attr(vk_xnode_child(n, "target"), "dir");
    if (!type)
        type = "mount";
    for (size_t i = 0; i < VK_ARRAY_LEN(fs_sources); i++) {
        if (!vk_streq(fs_sources[i].type, type))
            continue;
        bool virtiofs_sock = vk_streq(type, "mount") && vk_xnode_attr(src, "socket");
        if (!virtiofs_sock && !vk_xnode_attr(src, fs_sources[i].attr)) {
            vk_xml_error(n, "filesystem '%s' of type '%s' needs <source %s='...'>", tdir, type,
                         fs_sources[i].attr);
            return -1;
        }
        for (size_t a = 0; src && a < src->nattrs; a++) {
            const char *an = src->attrs[a].name;
            bool ok = vk_streq(an, fs_sources[i].attr) || vk_streq(an, "units") ||
                      (vk_streq(type, "volume") && vk_streq(an, "pool")) ||
                      (vk_streq(type, "mount") && vk_streq(an, "socket"));
            if (!ok) {
                vk_xml_error(src, "attribute '%s' does not apply to a filesystem of type '%s'",
                             an, type);
                return -1;
            }
        }
    }
    return 0;
}

static const vk_xelem e_filesystem = {
    "filesystem",
    VK_XATTRS(VK_XA_ENUM("type", "mount", "block", "file", "template", "ram", "bind", "volume"),
              VK_XA_ENUM("accessmode", "passthrough", "mapped", "squash"),
              VK_XA("fmode", octal), VK_XA("dmode", octal)),
    VK_XCHILDREN(VK_XC_OPT(e_fs_driver), VK_XC_ONE(e_fs_source), VK_XC_ONE(e_fs_target),
                 VK_XC_OPT(e_readonly), VK_XC_OPT(e_fs_hard), VK_XC_OPT(e_fs_soft),
                 VK_XC_OPT(e_alias), VK_XC_OPT(e_address)),
    NULL, NULL, 0, filesystem_check
};

/* --------------------------------------------------------- interface -- */

static const vk_xelem e_if_mac = { "mac", VK_XATTRS(VK_XA_REQ("address", mac)) };
static const vk_xelem e_if_source = {
    "source", VK_XATTRS(VK_XA("network", name), VK_XA("portgroup", token), VK_XA("bridge", token),
                        VK_XA("dev", token),
                        VK_XA_ENUM("mode", "vepa", "bridge", "private", "passthrough"))
};
static const vk_xelem e_if_ip = {
    "ip", VK_XATTRS(VK_XA_REQ("address", ipaddr), VK_XA("prefix", uint),
                    VK_XA_ENUM("family", "ipv4", "ipv6"), VK_XA("peer", ipaddr))
};
static const vk_xelem e_if_script = { "script", VK_XATTRS(VK_XA_REQ("path", abspath)) };
static const vk_xelem e_if_target = { "target", VK_XATTRS(VK_XA_REQ("dev", token),
                                                          VK_XA("managed", yesno)) };
static const vk_xelem e_if_model = { "model", VK_XATTRS(VK_XA_REQ("type", token)) };
static const vk_xelem e_if_driver = {
    "driver", VK_XATTRS(VK_XA_ENUM("name", "qemu", "vhost"),
                        VK_XA_ENUM("txmode", "iothread", "timer"), VK_XA("ioeventfd", onoff),
                        VK_XA("event_idx", onoff), VK_XA("queues", uint),
                        VK_XA("rx_queue_size", uint), VK_XA("tx_queue_size", uint))
};
static const vk_xelem e_link = { "link", VK_XATTRS(VK_XA_ENUM_REQ("state", "up", "down")) };
static const vk_xelem e_mtu = { "mtu", VK_XATTRS(VK_XA_REQ("size", uint)) };

/* Which <source> attributes each interface type takes; the first listed
 * is required. */
static const struct {
    const char *type;
    const char *const *allowed;
} if_sources[] = {
    { "network", VK_XVALUES("network", "portgroup") },
    { "bridge", VK_XVALUES("bridge") },
    { "direct", VK_XVALUES("dev", "mode") },
    { "user", NULL },
    { "ethernet", NULL },
};

static int interface_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const vk_xnode *src = vk_xnode_child(n, "source");
    for (size_t i = 0; i < VK_ARRAY_LEN(if_sources); i++) {
        if (!vk_streq(if_sources[i].type, type))
            continue;
        const char *const *allowed = if_sources[i].allowed;
        if (allowed && !vk_xnode_attr(src, allowed[0])) {
            vk_xml_error(n, "an interface of type '%s' needs <source %s='...'>", type,
                         allowed[0]);
            return -1;
        }
        for (size_t a = 0; src && a < src->nattrs; a++) {
            if (!allowed || !vk_strv_contains(allowed, src->attrs[a].name)) {
                vk_xml_error(src, "attribute '%s' does not apply to an interface of type '%s'",
                             src->attrs[a].name, type);
                return -1;
            }
        }
    }
    const vk_xnode *mtu = vk_xnode_child(n, "mtu");
    unsigned int size = 0;
    if (mtu && (vk_parse_uint(vk_xnode_attr(mtu, "size"), &size) < 0 || size < 68 ||
                size > 65535)) {
        vk_xml_error(mtu, "MTU %s is out of range (68-65535)", vk_xnode_attr(mtu, "size"));
        return -1;
    }
    if (vk_xnode_count(n, "ip") && !vk_streq(type, "user") && !vk_streq(type, "ethernet") &&
        !vk_streq(type, "bridge") && !vk_streq(type, "network")) {
        vk_xml_error(n, "<ip> does not apply to an interface of type '%s'", type);
        return -1;
    }
    if (vk_xnode_child(n, "virtualport") && !vk_streq(type, "bridge") &&
        !vk_streq(type, "network") && !vk_streq(type, "direct")) {
        vk_xml_error(n, "<virtualport> does not apply to an interface of type '%s'", type);
        return -1;
    }
    return 0;
}

static const vk_xelem e_interface = {
    "interface",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "network", "bridge", "user", "direct", "ethernet"),
              VK_XA("trustGuestRxFilters", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_if_mac), VK_XC_OPT(e_if_source), VK_XC_OPT(vk_xe_virtualport),
                 VK_XC_ANY(e_if_ip), VK_XC_OPT(e_if_script), VK_XC_OPT(e_if_target),
                 VK_XC_OPT(e_if_model), VK_XC_OPT(e_if_driver), VK_XC_OPT(e_link),
                 VK_XC_OPT(e_mtu), VK_XC_OPT(vk_xe_bandwidth), VK_XC_OPT(vk_xe_vlan),
                 VK_XC_OPT(e_boot_order), VK_XC_OPT(e_rom), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address)),
    NULL, NULL, 0, interface_check
};

/* ------------------------------------------------- character devices -- */

#define CHR_TYPES                                                                        \
    "pty", "file", "unix", "null", "stdio", "tcp", "udp", "dev", "pipe", "vc", "spicevmc", \
        "spiceport"

static const vk_xelem e_chr_source = {
    "source", VK_XATTRS(VK_XA("path", abspath), VK_XA_ENUM("mode", "bind", "connect"),
                        VK_XA("append", onoff), VK_XA("host", token), VK_XA("service", port),
                        VK_XA("tls", yesno), VK_XA("channel", token))
};
static const vk_xelem e_chr_protocol = {
    "protocol", VK_XATTRS(VK_XA_ENUM_REQ("type", "raw", "telnet", "telnets", "tls"))
};
static const vk_xelem e_chr_log = { "log", VK_XATTRS(VK_XA_REQ("file", abspath),
                                                     VK_XA("append", onoff)) };
static const vk_xelem e_serial_model = {
    "model", VK_XATTRS(VK_XA_ENUM_REQ("name", "isa-serial", "usb-serial", "pci-serial",
                                      "spapr-vty", "pl011", "sclpconsole", "sclplmconsole",
                                      "16550a", "isa-debugcon"))
};
static const vk_xelem e_serial_target = {
    "target", VK_XATTRS(VK_XA_ENUM("type", "isa-serial", "usb-serial", "pci-serial",
                                   "spapr-vio-serial", "system-serial", "sclp-serial",
                                   "isa-debug"),
                        VK_XA("port", uint)),
    VK_XCHILDREN(VK_XC_OPT(e_serial_model))
};
static const vk_xelem e_console_target = {
    "target", VK_XATTRS(VK_XA_ENUM("type", "serial", "virtio", "xen", "lxc", "openvz", "sclp",
                                   "sclplm"),
                        VK_XA("port", uint))
};
static const vk_xelem e_channel_target = {
    "target", VK_XATTRS(VK_XA_ENUM_REQ("type", "virtio", "guestfwd", "xen"), VK_XA("name", token),
                        VK_XA("address", ipaddr), VK_XA("port", port),
                        VK_XA_ENUM_RUNTIME("state", "connected", "disconnected"))
};
static const vk_xelem e_parallel_target = { "target", VK_XATTRS(VK_XA("port", uint)) };

/* What each character device type needs in <source>: a path, a
 * host/service pair, or nothing. */
static const struct {
    const char *type;
    const char *const *allowed;
    const char *const *required;
} chr_sources[] = {
    { "pty", VK_XVALUES("path"), NULL },
    { "file", VK_XVALUES("path", "append"), VK_XVALUES("path") },
    { "unix", VK_XVALUES("path", "mode"), NULL }, /* see chr_source_check */
    { "dev", VK_XVALUES("path"), VK_XVALUES("path") },
    { "pipe", VK_XVALUES("path"), VK_XVALUES("path") },
    { "tcp", VK_XVALUES("mode", "host", "service", "tls"), VK_XVALUES("service") },
    { "udp", VK_XVALUES("mode", "host", "service"), VK_XVALUES("service") },
    { "spiceport", VK_XVALUES("channel"), VK_XVALUES("channel") },
    { "null", NULL, NULL },
    { "stdio", NULL, NULL },
    { "vc", NULL, NULL },
    { "spicevmc", NULL, NULL },
};

static int chr_source_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    size_t nsrc = vk_xnode_count(n, "source");
    if (nsrc > (vk_streq(type, "udp") ? 2u : 1u)) {
        vk_xml_error(n, "a character device of type '%s' takes at most %s <source>", type,
                     vk_streq(type, "udp") ? "two (bind and connect)" : "one");
        return -1;
    }
    for (size_t i = 0; i < VK_ARRAY_LEN(chr_sources); i++) {
        if (!vk_streq(chr_sources[i].type, type))
            continue;
        for (const char *const *r = chr_sources[i].required; r && *r; r++) {
            bool found = false;
            for (size_t s = 0; s < nsrc; s++)
                found |= vk_xnode_attr(vk_xnode_child_nth(n, "source", s), *r) != NULL;
            if (!found) {
                vk_xml_error(n, "a character device of type '%s' needs <source %s='...'>", type,
                             *r);
                return -1;
            }
        }
        for (size_t s = 0; s < nsrc; s++) {
            const vk_xnode *src = vk_xnode_child_nth(n, "source", s);
            for (size_t a = 0; a < src->nattrs; a++) {
                if (!chr_sources[i].allowed ||
                    !vk_strv_contains(chr_sources[i].allowed, src->attrs[a].name)) {
                    vk_xml_error(src, "attribute '%s' does not apply to a character device of "
                                 "type '%s'", src->attrs[a].name, type);
                    return -1;
                }
            }
        }
    }
    /* A unix channel without a path gets one from the hypervisor plugin
     * (libvirt's per-domain channel directory); other devices need one. */
    if (vk_streq(type, "unix") && !vk_streq(n->name, "channel") &&
        !vk_xnode_attr(vk_xnode_child(n, "source"), "path")) {
        vk_xml_error(n, "a character device of type 'unix' needs <source path='...'>");
        return -1;
    }
    if (vk_xnode_child(n, "protocol") && !vk_streq(type, "tcp")) {
        vk_xml_error(n, "<protocol> applies only to tcp character devices");
        return -1;
    }
    return 0;
}

#define CHR_ATTRS VK_XA_ENUM_REQ("type", CHR_TYPES), VK_XA_RUNTIME("tty", abspath)
#define CHR_SOURCE { &e_chr_source, 0, 2 }, VK_XC_OPT(e_chr_protocol), VK_XC_OPT(e_chr_log)

static const vk_xelem e_serial = {
    "serial", VK_XATTRS(CHR_ATTRS),
    VK_XCHILDREN(CHR_SOURCE, VK_XC_OPT(e_serial_target), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address)),
    NULL, NULL, 0, chr_source_check
};
static const vk_xelem e_parallel = {
    "parallel", VK_XATTRS(CHR_ATTRS),
    VK_XCHILDREN(CHR_SOURCE, VK_XC_OPT(e_parallel_target), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address)),
    NULL, NULL, 0, chr_source_check
};
static const vk_xelem e_console = {
    "console", VK_XATTRS(CHR_ATTRS),
    VK_XCHILDREN(CHR_SOURCE, VK_XC_OPT(e_console_target), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address)),
    NULL, NULL, 0, chr_source_check
};

static int channel_check(const vk_xnode *n)
{
    if (chr_source_check(n) < 0)
        return -1;
    const vk_xnode *t = vk_xnode_child(n, "target");
    const char *tt = vk_xnode_attr(t, "type");
    if (vk_streq(tt, "guestfwd") && (!vk_xnode_attr(t, "address") || !vk_xnode_attr(t, "port"))) {
        vk_xml_error(t, "a guestfwd channel needs a target address and port");
        return -1;
    }
    if (!vk_streq(tt, "guestfwd") && (vk_xnode_attr(t, "address") || vk_xnode_attr(t, "port"))) {
        vk_xml_error(t, "address and port apply only to guestfwd channels");
        return -1;
    }
    if (vk_streq(tt, "guestfwd") && vk_xnode_attr(t, "name")) {
        vk_xml_error(t, "a guestfwd channel has no name");
        return -1;
    }
    return 0;
}

static const vk_xelem e_channel = {
    "channel", VK_XATTRS(CHR_ATTRS),
    VK_XCHILDREN(CHR_SOURCE, VK_XC_ONE(e_channel_target), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address)),
    NULL, NULL, 0, channel_check
};

static const vk_xelem e_cert = { "certificate", NULL, NULL, &vk_xt_token };
static const vk_xelem e_database = { "database", NULL, NULL, &vk_xt_abspath };

static int smartcard_check(const vk_xnode *n)
{
    const char *mode = vk_xnode_attr(n, "mode");
    size_t ncert = vk_xnode_count(n, "certificate");
    bool certs = vk_streq(mode, "host-certificates");
    bool pass = vk_streq(mode, "passthrough");
    if (certs != (ncert == 3)) {
        vk_xml_error(n, "%s", certs ? "mode 'host-certificates' needs exactly three "
                                      "<certificate> elements"
                                    : "<certificate> applies only to mode 'host-certificates'");
        return -1;
    }
    if (vk_xnode_child(n, "database") && !certs) {
        vk_xml_error(n, "<database> applies only to mode 'host-certificates'");
        return -1;
    }
    if (pass != (vk_xnode_attr(n, "type") != NULL)) {
        vk_xml_error(n, "%s", pass ? "mode 'passthrough' needs a character device 'type'"
                                   : "'type' applies only to mode 'passthrough'");
        return -1;
    }
    return pass ? chr_source_check(n) : 0;
}

static const vk_xelem e_smartcard = {
    "smartcard",
    VK_XATTRS(VK_XA_ENUM_REQ("mode", "host", "host-certificates", "passthrough"),
              VK_XA_ENUM("type", CHR_TYPES)),
    VK_XCHILDREN({ &e_cert, 0, 3 }, VK_XC_OPT(e_database), CHR_SOURCE, VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address)),
    NULL, NULL, 0, smartcard_check
};

/* ---------------------------------------------------------- graphics -- */

static const vk_xelem e_listen = {
    "listen", VK_XATTRS(VK_XA_ENUM_REQ("type", "address", "network", "socket", "none"),
                        VK_XA("address", ipaddr), VK_XA("network", name),
                        VK_XA("socket", abspath), VK_XA("autoport", yesno))
};

/* The attributes each listen type takes. */
static const struct {
    const char *type;
    const char *const *allowed;
} listen_rules[] = {
    { "address", VK_XVALUES("type", "address") },
    { "network", VK_XVALUES("type", "network", "address") },
    { "socket", VK_XVALUES("type", "socket", "autoport") },
    { "none", VK_XVALUES("type") },
};

static int listen_check(const vk_xnode *l)
{
    const char *type = vk_xnode_attr(l, "type");
    for (size_t i = 0; i < VK_ARRAY_LEN(listen_rules); i++) {
        if (!vk_streq(listen_rules[i].type, type))
            continue;
        for (size_t a = 0; a < l->nattrs; a++) {
            if (!vk_strv_contains(listen_rules[i].allowed, l->attrs[a].name)) {
                vk_xml_error(l, "attribute '%s' does not apply to a listen of type '%s'",
                             l->attrs[a].name, type);
                return -1;
            }
        }
    }
    if (vk_streq(type, "network") && !vk_xnode_attr(l, "network")) {
        vk_xml_error(l, "a listen of type 'network' needs a 'network'");
        return -1;
    }
    return 0;
}

static const vk_xelem e_gfx_channel = {
    "channel", VK_XATTRS(VK_XA_ENUM_REQ("name", "main", "display", "inputs", "cursor",
                                        "playback", "record", "smartcard", "usbredir"),
                         VK_XA_ENUM_REQ("mode", "any", "secure", "insecure"))
};
static const vk_xelem e_gfx_image = {
    "image", VK_XATTRS(VK_XA_ENUM_REQ("compression", "auto_glz", "auto_lz", "quic", "glz", "lz",
                                      "off"))
};
static const vk_xelem e_gfx_jpeg = {
    "jpeg", VK_XATTRS(VK_XA_ENUM_REQ("compression", "auto", "never", "always"))
};
static const vk_xelem e_gfx_zlib = {
    "zlib", VK_XATTRS(VK_XA_ENUM_REQ("compression", "auto", "never", "always"))
};
static const vk_xelem e_gfx_playback = { "playback", VK_XATTRS(VK_XA_ENUM_REQ("compression",
                                                                             "on", "off")) };
static const vk_xelem e_gfx_streaming = {
    "streaming", VK_XATTRS(VK_XA_ENUM_REQ("mode", "filter", "all", "off"))
};
static const vk_xelem e_gfx_clipboard = { "clipboard", VK_XATTRS(VK_XA_REQ("copypaste", yesno)) };
static const vk_xelem e_gfx_mouse = { "mouse", VK_XATTRS(VK_XA_ENUM_REQ("mode", "server",
                                                                       "client")) };
static const vk_xelem e_gfx_filetransfer = { "filetransfer",
                                             VK_XATTRS(VK_XA_REQ("enable", yesno)) };
static const vk_xelem e_gfx_gl = { "gl", VK_XATTRS(VK_XA_REQ("enable", yesno),
                                                   VK_XA("rendernode", abspath)) };

static int graphics_port_check(const vk_xnode *n, const char *attr)
{
    const char *v = vk_xnode_attr(n, attr);
    int port;
    if (v && (vk_parse_int(v, &port) < 0 || port < -1 || port > 65535)) {
        vk_xml_error(n, "%s %s is out of range (-1 for automatic, or 0-65535)", attr, v);
        return -1;
    }
    return 0;
}

/* Which graphics types each attribute applies to. */
static const struct {
    const char *attr;
    const char *const *types;
} graphics_attr_types[] = {
    { "port", VK_XVALUES("vnc", "spice", "rdp") },
    { "autoport", VK_XVALUES("vnc", "spice", "rdp") },
    { "listen", VK_XVALUES("vnc", "spice", "rdp") },
    { "passwd", VK_XVALUES("vnc", "spice") },
    { "keymap", VK_XVALUES("vnc", "spice") },
    { "websocket", VK_XVALUES("vnc") },
    { "sharePolicy", VK_XVALUES("vnc") },
    { "tlsPort", VK_XVALUES("spice") },
    { "defaultMode", VK_XVALUES("spice") },
    { "connected", VK_XVALUES("vnc", "spice") },
    { "display", VK_XVALUES("sdl") },
    { "xauth", VK_XVALUES("sdl") },
    { "fullscreen", VK_XVALUES("sdl") },
};

static int graphics_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    bool remote = vk_streq(type, "vnc") || vk_streq(type, "spice") || vk_streq(type, "rdp");
    if (graphics_port_check(n, "port") < 0 || graphics_port_check(n, "tlsPort") < 0 ||
        graphics_port_check(n, "websocket") < 0)
        return -1;
    for (size_t i = 0; i < VK_ARRAY_LEN(graphics_attr_types); i++) {
        if (vk_xnode_attr(n, graphics_attr_types[i].attr) && !vk_strv_contains(graphics_attr_types[i].types, type)) {
            vk_xml_error(n, "attribute '%s' does not apply to %s graphics", graphics_attr_types[i].attr, type);
            return -1;
        }
    }
    static const char *const spice_only[] = { "channel", "image", "jpeg", "zlib", "playback",
                                              "streaming", "clipboard", "mouse",
                                              "filetransfer", NULL };
    for (size_t i = 0; i < n->nchildren; i++) {
        const char *cn = n->children[i]->name;
        if (vk_strv_contains(spice_only, cn) && !vk_streq(type, "spice")) {
            vk_xml_error(n->children[i], "<%s> applies only to spice graphics", cn);
            return -1;
        }
        if (vk_streq(cn, "listen") && !remote) {
            vk_xml_error(n->children[i], "<listen> does not apply to %s graphics", type);
            return -1;
        }
        if (vk_streq(cn, "listen") && listen_check(n->children[i]) < 0)
            return -1;
    }
    /* The listen attribute is shorthand for the first <listen>: both must
     * say the same, as in libvirt. */
    const char *la = vk_xnode_attr(n, "listen");
    const vk_xnode *l0 = vk_xnode_child(n, "listen");
    if (la && l0 && !vk_streq(la, vk_xnode_attr(l0, "address"))) {
        vk_xml_error(n, "listen='%s' does not match the first <listen> address '%s'", la,
                     vk_xnode_attr(l0, "address") ? vk_xnode_attr(l0, "address") : "");
        return -1;
    }
    const char *keymap = vk_xnode_attr(n, "keymap");
    if (keymap && strlen(keymap) > 32) {
        vk_xml_error(n, "keymap '%s' is too long", keymap);
        return -1;
    }
    return 0;
}

static const vk_xelem e_graphics = {
    "graphics",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "vnc", "spice", "sdl", "rdp", "egl-headless"),
              VK_XA("port", int), VK_XA("autoport", yesno), VK_XA("tlsPort", int),
              VK_XA("websocket", int), VK_XA("listen", ipaddr), VK_XA_SECRET("passwd", string),
              VK_XA("passwdValidTo", token),
              VK_XA_ENUM("connected", "keep", "disconnect", "fail"), VK_XA("keymap", token),
              VK_XA_ENUM("sharePolicy", "allow-exclusive", "force-shared", "ignore"),
              VK_XA_ENUM("defaultMode", "any", "secure", "insecure"), VK_XA("display", token),
              VK_XA("xauth", abspath), VK_XA("fullscreen", yesno)),
    VK_XCHILDREN(VK_XC_ANY(e_listen), VK_XC_ANY(e_gfx_channel), VK_XC_OPT(e_gfx_image),
                 VK_XC_OPT(e_gfx_jpeg), VK_XC_OPT(e_gfx_zlib), VK_XC_OPT(e_gfx_playback),
                 VK_XC_OPT(e_gfx_streaming), VK_XC_OPT(e_gfx_clipboard), VK_XC_OPT(e_gfx_mouse),
                 VK_XC_OPT(e_gfx_filetransfer), VK_XC_OPT(e_gfx_gl)),
    NULL, NULL, 0, graphics_check
};

/* -------------------------------------------------------------- misc -- */

static const vk_xelem e_video_accel = {
    "acceleration", VK_XATTRS(VK_XA("accel3d", yesno), VK_XA("accel2d", yesno))
};

static int video_model_check(const vk_xnode *n)
{
    const char *heads = vk_xnode_attr(n, "heads");
    unsigned int h = 1;
    if (heads && (vk_parse_uint(heads, &h) < 0 || h < 1 || h > 16)) {
        vk_xml_error(n, "heads %s is out of range (1-16)", heads);
        return -1;
    }
    const char *type = vk_xnode_attr(n, "type");
    if ((vk_xnode_attr(n, "ram") || vk_xnode_attr(n, "vgamem") || vk_xnode_attr(n, "vram64")) &&
        !vk_streq(type, "qxl")) {
        vk_xml_error(n, "ram, vram64 and vgamem apply only to qxl video");
        return -1;
    }
    if (vk_streq(type, "none") && n->nattrs > 1) {
        vk_xml_error(n, "video model 'none' takes no other attributes");
        return -1;
    }
    return 0;
}

static const vk_xelem e_video_model = {
    "model",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "virtio",
                             "gop", "bochs", "ramfb", "none"),
              VK_XA("ram", uint), VK_XA("vram", uint), VK_XA("vram64", uint),
              VK_XA("vgamem", uint), VK_XA("heads", uint), VK_XA("primary", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_video_accel)), NULL, NULL, 0, video_model_check
};
static const vk_xelem e_video = {
    "video", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_video_model), VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_input_source = {
    "source", VK_XATTRS(VK_XA("evdev", abspath), VK_XA("dev", abspath),
                        VK_XA_ENUM("grab", "all"), VK_XA("repeat", onoff),
                        VK_XA_ENUM("grabToggle", "ctrl-ctrl", "alt-alt", "shift-shift",
                                   "meta-meta", "scrolllock", "ctrl-scrolllock"))
};

static int input_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const char *bus = vk_xnode_attr(n, "bus");
    const vk_xnode *src = vk_xnode_child(n, "source");
    if (vk_streq(type, "tablet") && vk_streq(bus, "ps2")) {
        vk_xml_error(n, "a tablet cannot be on the ps2 bus");
        return -1;
    }
    if (vk_streq(type, "passthrough") &&
        (!vk_xnode_attr(src, "evdev") || (bus && !vk_streq(bus, "virtio")))) {
        vk_xml_error(n, "a passthrough input needs bus 'virtio' and <source evdev='...'>");
        return -1;
    }
    if (vk_streq(type, "evdev") && !vk_xnode_attr(src, "dev")) {
        vk_xml_error(n, "an evdev input needs <source dev='...'>");
        return -1;
    }
    if (src && !vk_streq(type, "passthrough") && !vk_streq(type, "evdev")) {
        vk_xml_error(src, "<source> applies only to passthrough and evdev inputs");
        return -1;
    }
    return 0;
}

static const vk_xelem e_input = {
    "input",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "mouse", "keyboard", "tablet", "passthrough", "evdev"),
              VK_XA_ENUM("bus", "ps2", "usb", "xen", "virtio")),
    VK_XCHILDREN(VK_XC_OPT(e_input_source), VK_XC_OPT(e_alias), VK_XC_OPT(e_address)),
    NULL, NULL, 0, input_check
};

static const vk_xelem e_sound_codec = {
    "codec", VK_XATTRS(VK_XA_ENUM_REQ("type", "duplex", "micro", "output"))
};
static const vk_xelem e_sound_audio = { "audio", VK_XATTRS(VK_XA_REQ("id", uint)) };
static const vk_xelem e_sound = {
    "sound", VK_XATTRS(VK_XA_ENUM_REQ("model", "sb16", "es1370", "pcspk", "ac97", "ich6",
                                      "ich7", "ich9", "usb", "ics2002")),
    VK_XCHILDREN(VK_XC_ANY(e_sound_codec), VK_XC_OPT(e_sound_audio), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address))
};
static const vk_xelem e_audio = {
    "audio", VK_XATTRS(VK_XA_REQ("id", uint),
                       VK_XA_ENUM_REQ("type", "none", "alsa", "coreaudio", "jack", "oss",
                                      "pulseaudio", "sdl", "spice", "file", "dbus",
                                      "pipewire"),
                       VK_XA("path", abspath))
};

static const vk_xelem e_hd_vendor = { "vendor", VK_XATTRS(VK_XA_REQ("id", hex16)) };
static const vk_xelem e_hd_product = { "product", VK_XATTRS(VK_XA_REQ("id", hex16)) };
static const vk_xelem e_hd_address = {
    "address", VK_XATTRS(VK_XA("domain", number), VK_XA("bus", number), VK_XA("slot", number),
                         VK_XA("function", number), VK_XA("device", number))
};
static const vk_xelem e_hd_source = {
    "source", VK_XATTRS(VK_XA_ENUM("startupPolicy", "mandatory", "requisite", "optional")),
    VK_XCHILDREN(VK_XC_OPT(e_hd_vendor), VK_XC_OPT(e_hd_product), VK_XC_OPT(e_hd_address))
};
static const vk_xelem e_hd_driver = { "driver", VK_XATTRS(VK_XA_ENUM("name", "kvm", "vfio",
                                                                    "xen")) };

/* A host device's source address in canonical form: PCI fields in hex like
 * a guest PCI address, USB bus/device in decimal. */
static int hostdev_normalise(vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    vk_xnode *src = vk_xnode_child(n, "source");
    vk_xnode *a = vk_xnode_child(src, "address");
    if (!a)
        return 0;
    static const struct {
        const char *type, *attr, *fmt;
        uint64_t max;
    } fields[] = {
        { "pci", "domain", "0x%04llx", 0xffff }, { "pci", "bus", "0x%02llx", 0xff },
        { "pci", "slot", "0x%02llx", 0x1f },     { "pci", "function", "0x%llx", 7 },
        { "usb", "bus", "%llu", 0xffff },        { "usb", "device", "%llu", 0xffff },
    };
    for (size_t i = 0; i < a->nattrs; i++) {
        bool known = false;
        for (size_t f = 0; f < VK_ARRAY_LEN(fields); f++)
            known |= vk_streq(fields[f].type, type) && vk_streq(fields[f].attr, a->attrs[i].name);
        if (!known) {
            vk_xml_error(a, "attribute '%s' does not apply to a %s host device address",
                         a->attrs[i].name, type);
            return -1;
        }
    }
    for (size_t f = 0; f < VK_ARRAY_LEN(fields); f++) {
        if (!vk_streq(fields[f].type, type))
            continue;
        const char *v = vk_xnode_attr(a, fields[f].attr);
        uint64_t x = 0;
        if (!v && !vk_streq(fields[f].attr, "domain")) {
            vk_xml_error(a, "a %s host device address needs '%s'", type, fields[f].attr);
            return -1;
        }
        if (v && (vk_parse_u64(v, 0, &x) < 0 || x > fields[f].max)) {
            vk_xml_error(a, "%s %s is out of range (0-%llu)", fields[f].attr, v,
                         (unsigned long long)fields[f].max);
            return -1;
        }
        char buf[32];
        snprintf(buf, sizeof(buf), fields[f].fmt, (unsigned long long)x);
        vk_xnode_set_attr(a, fields[f].attr, buf);
    }
    return 0;
}

static int hostdev_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const vk_xnode *src = vk_xnode_child(n, "source");
    bool vendor = vk_xnode_child(src, "vendor") != NULL;
    bool product = vk_xnode_child(src, "product") != NULL;
    bool addr = vk_xnode_child(src, "address") != NULL;
    if (vk_streq(type, "pci")) {
        if (!addr || vendor || product) {
            vk_xml_error(n, "a pci host device is selected by <source><address domain bus "
                            "slot function/></source> only");
            return -1;
        }
    } else if (vk_streq(type, "usb")) {
        if (vendor != product) {
            vk_xml_error(n, "a usb host device needs both <vendor> and <product>, or neither");
            return -1;
        }
        if (!vendor && !addr) {
            vk_xml_error(n, "a usb host device needs <vendor>/<product> or an <address>");
            return -1;
        }
    }
    const vk_xnode *drv = vk_xnode_child(n, "driver");
    if (drv && !vk_streq(type, "pci")) {
        vk_xml_error(drv, "<driver> applies only to pci host devices");
        return -1;
    }
    if (vk_xnode_child(n, "rom") && !vk_streq(type, "pci")) {
        vk_xml_error(n, "<rom> applies only to pci host devices");
        return -1;
    }
    return 0;
}

static const vk_xelem e_hostdev = {
    "hostdev",
    VK_XATTRS(VK_XA_ENUM_REQ("mode", "subsystem"), VK_XA_ENUM_REQ("type", "pci", "usb"),
              VK_XA("managed", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_hd_driver), VK_XC_ONE(e_hd_source), VK_XC_OPT(e_boot_order),
                 VK_XC_OPT(e_rom), VK_XC_OPT(e_readonly), VK_XC_OPT(e_shareable),
                 VK_XC_OPT(e_alias), VK_XC_OPT(e_address)),
    NULL, NULL, 0, hostdev_check, hostdev_normalise
};

static int redirdev_check(const vk_xnode *n)
{
    return chr_source_check(n);
}

static const vk_xelem e_redirdev = {
    "redirdev", VK_XATTRS(VK_XA_ENUM_REQ("bus", "usb"), VK_XA_ENUM_REQ("type", "spicevmc", "tcp")),
    VK_XCHILDREN(CHR_SOURCE, VK_XC_OPT(e_boot_order), VK_XC_OPT(e_alias), VK_XC_OPT(e_address)),
    NULL, NULL, 0, redirdev_check
};
static const vk_xelem e_hub = {
    "hub", VK_XATTRS(VK_XA_ENUM_REQ("type", "usb")),
    VK_XCHILDREN(VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_watchdog = {
    "watchdog",
    VK_XATTRS(VK_XA_ENUM_REQ("model", "i6300esb", "ib700", "diag288", "itco"),
              VK_XA_ENUM("action", "reset", "shutdown", "poweroff", "pause", "none", "dump",
                         "inject-nmi")),
    VK_XCHILDREN(VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_balloon_stats = { "stats", VK_XATTRS(VK_XA_REQ("period", uint)) };
static int memballoon_check(const vk_xnode *n)
{
    if (vk_streq(vk_xnode_attr(n, "model"), "none") && n->nchildren) {
        vk_xml_error(n, "a memballoon of model 'none' takes no children");
        return -1;
    }
    return 0;
}
static const vk_xelem e_memballoon = {
    "memballoon",
    VK_XATTRS(VK_XA_ENUM_REQ("model", "virtio", "virtio-transitional", "virtio-non-transitional",
                             "xen", "none"),
              VK_XA("autodeflate", onoff), VK_XA("freePageReporting", onoff)),
    VK_XCHILDREN(VK_XC_OPT(e_balloon_stats), VK_XC_OPT(e_alias), VK_XC_OPT(e_address)),
    NULL, NULL, 0, memballoon_check
};

static int rng_backend_check(const vk_xnode *n)
{
    const char *model = vk_xnode_attr(n, "model");
    if (vk_streq(model, "builtin") && n->text) {
        vk_xml_error(n, "the builtin backend takes no device path");
        return -1;
    }
    return 0;
}
static const vk_xelem e_rng_rate = { "rate", VK_XATTRS(VK_XA_REQ("bytes", uint),
                                                       VK_XA("period", uint)) };
static const vk_xelem e_rng_backend = {
    "backend", VK_XATTRS(VK_XA_ENUM_REQ("model", "random", "builtin")), NULL, &vk_xt_abspath,
    NULL, VK_XE_TEXT_OPTIONAL, rng_backend_check
};
static const vk_xelem e_rng = {
    "rng", VK_XATTRS(VK_XA_ENUM_REQ("model", "virtio", "virtio-transitional",
                                    "virtio-non-transitional")),
    VK_XCHILDREN(VK_XC_OPT(e_rng_rate), VK_XC_ONE(e_rng_backend), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address))
};

static const vk_xelem e_tpm_device = { "device", VK_XATTRS(VK_XA_REQ("path", abspath)) };
static int tpm_backend_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    bool pass = vk_streq(type, "passthrough");
    if (pass && !vk_xnode_child(n, "device")) {
        vk_xml_error(n, "a passthrough TPM backend needs <device path='...'>");
        return -1;
    }
    if (!pass && vk_xnode_child(n, "device")) {
        vk_xml_error(n, "<device> applies only to passthrough TPM backends");
        return -1;
    }
    if ((vk_xnode_attr(n, "version") || vk_xnode_attr(n, "persistent_state")) &&
        !vk_streq(type, "emulator")) {
        vk_xml_error(n, "version and persistent_state apply only to emulator TPM backends");
        return -1;
    }
    return 0;
}
static const vk_xelem e_tpm_backend = {
    "backend", VK_XATTRS(VK_XA_ENUM_REQ("type", "passthrough", "emulator"),
                         VK_XA_ENUM("version", "1.2", "2.0"), VK_XA("persistent_state", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_tpm_device)), NULL, NULL, 0, tpm_backend_check
};
static const vk_xelem e_tpm = {
    "tpm", VK_XATTRS(VK_XA_ENUM("model", "tpm-tis", "tpm-crb", "tpm-spapr", "spapr-tpm-proxy")),
    VK_XCHILDREN(VK_XC_ONE(e_tpm_backend), VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_panic = {
    "panic", VK_XATTRS(VK_XA_ENUM("model", "isa", "pseries", "hyperv", "s390", "pvpanic")),
    VK_XCHILDREN(VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_vsock_cid = { "cid", VK_XATTRS(VK_XA("auto", yesno),
                                                       VK_XA("address", uint)) };
static const vk_xelem e_vsock = {
    "vsock", VK_XATTRS(VK_XA_ENUM("model", "virtio", "virtio-transitional",
                                  "virtio-non-transitional")),
    VK_XCHILDREN(VK_XC_OPT(e_vsock_cid), VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_emulator = { "emulator", NULL, NULL, &vk_xt_abspath };

/* libvirt's order of device kinds in <devices>. */
const vk_xelem vk_domain_devices = {
    "devices", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_emulator), VK_XC_ANY(e_disk), VK_XC_ANY(e_controller),
                 VK_XC_ANY(e_filesystem), VK_XC_ANY(e_interface), VK_XC_ANY(e_smartcard),
                 VK_XC_ANY(e_serial), VK_XC_ANY(e_parallel), VK_XC_ANY(e_console),
                 VK_XC_ANY(e_channel), VK_XC_ANY(e_input), VK_XC_OPT(e_tpm),
                 VK_XC_ANY(e_graphics), VK_XC_ANY(e_sound), VK_XC_ANY(e_audio),
                 VK_XC_ANY(e_video), VK_XC_ANY(e_hostdev), VK_XC_ANY(e_redirdev),
                 VK_XC_ANY(e_hub), VK_XC_OPT(e_watchdog), VK_XC_OPT(e_memballoon),
                 VK_XC_ANY(e_rng), VK_XC_ANY(e_panic), VK_XC_OPT(e_vsock))
};

const vk_xelem *vk_domain_devices_schema(void)
{
    return &vk_domain_devices;
}
