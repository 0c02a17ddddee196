/*
 * domain_defaults.c: the post-parse defaults step for domains, run after
 * the definition as written has been checked and kept (defs.c). It fills in
 * what libvirt fills in, so plugins read one complete model:
 *
 *   identity   uuid; currentMemory = memory; one vcpu; lifecycle actions;
 *              clock offset utc
 *   disks      type, device, target bus from the name (vd virtio, sd scsi,
 *              hd ide, fd fdc, xvd xen), drive addresses from the name
 *   chardevs   serial/console pairing and ports, virtio-serial ports
 *   devices    qemu/kvm only: default video, ps2 inputs, memballoon
 *   controllers  the ones devices imply (ide, sata, scsi, fdc,
 *              virtio-serial, ccid), usb and the PCI root for pc/q35
 *   addresses  qemu/kvm x86 only: PCI slots on bus 0 in a fixed order,
 *              skipping the chipset's slots and never moving one the user
 *              gave
 *   names      MAC addresses, device aliases (runtime: only in live XML)
 *
 * Everything here is idempotent: a second run finds nothing to add.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common_schema.h"
#include "domain_priv.h"
#include "error.h"
#include "uuid.h"

/* ------------------------------------------------------------ helpers -- */

static void set_default(vk_xnode *n, const char *attr, const char *value)
{
    if (!vk_xnode_attr(n, attr))
        vk_xnode_set_attr(n, attr, value);
}

/* A new child element `name` of parent, placed in schema order. */
static vk_xnode *add_child(vk_xnode *parent, const char *name)
{
    vk_xnode *c = vk_xnode_new(name, vk_schema_child(parent->schema, name));
    vk_schema_insert(parent, c);
    return c;
}

static vk_xnode *child_or_add(vk_xnode *parent, const char *name)
{
    vk_xnode *c = vk_xnode_child(parent, name);
    return c ? c : add_child(parent, name);
}

static void set_text_default(vk_xnode *parent, const char *name, const char *text)
{
    if (!vk_xnode_child(parent, name))
        vk_xnode_set_text(add_child(parent, name), text);
}

static bool is_qemu(const vk_xnode *d)
{
    const char *t = vk_xnode_attr(d, "type");
    return vk_streq(t, "qemu") || vk_streq(t, "kvm");
}

typedef struct defaults_ctx {
    vk_xnode *dom;
    vk_xnode *devs;
    const char *family; /* "pc", "q35" or NULL */
} defaults_ctx;

static size_t count_dev(const defaults_ctx *c, const char *name)
{
    return vk_xnode_count(c->devs, name);
}

static vk_xnode *dev_nth(const defaults_ctx *c, const char *name, size_t i)
{
    return vk_xnode_child_nth(c->devs, name, i);
}

static vk_xnode *find_controller(const defaults_ctx *c, const char *type, const char *index)
{
    for (size_t i = 0; i < count_dev(c, "controller"); i++) {
        vk_xnode *ct = dev_nth(c, "controller", i);
        if (vk_streq(vk_xnode_attr(ct, "type"), type) &&
            vk_streq(vk_xnode_attr(ct, "index"), index))
            return ct;
    }
    return NULL;
}

static vk_xnode *ensure_controller(defaults_ctx *c, const char *type, const char *index,
                                   const char *model)
{
    vk_xnode *ct = find_controller(c, type, index);
    if (ct)
        return ct;
    ct = add_child(c->devs, "controller");
    vk_xnode_set_attr(ct, "type", type);
    vk_xnode_set_attr(ct, "index", index);
    if (model)
        vk_xnode_set_attr(ct, "model", model);
    return ct;
}

static vk_xnode *add_address(vk_xnode *dev, const char *type)
{
    vk_xnode *a = add_child(dev, "address");
    vk_xnode_set_attr(a, "type", type);
    return a;
}

/* ----------------------------------------------------------- identity -- */

static void identity_defaults(defaults_ctx *c)
{
    vk_xnode *d = c->dom;
    vk_def_default_uuid(d);
    vk_xnode *mem = vk_xnode_child(d, "memory");
    vk_xnode_set_attr(mem, "unit", "KiB");
    if (!vk_xnode_child(d, "currentMemory")) {
        vk_xnode *cm = add_child(d, "currentMemory");
        vk_xnode_set_attr(cm, "unit", "KiB");
        vk_xnode_set_text(cm, mem->text);
    }
    set_text_default(d, "vcpu", "1");
    /* vcpus follow the NUMA placement when that is automatic */
    const vk_xnode *nm = vk_xnode_child(vk_xnode_child(d, "numatune"), "memory");
    bool auto_numa = vk_streq(vk_xnode_attr(nm, "placement"), "auto");
    set_default(vk_xnode_child(d, "vcpu"), "placement", auto_numa ? "auto" : "static");
    vk_xnode *os = vk_xnode_child(d, "os");
    const char *dtype = vk_xnode_attr(d, "type");
    bool lxc = vk_streq(dtype, "lxc");
    if (!os && (is_qemu(d) || lxc)) {
        os = add_child(d, "os");
        vk_xnode_set_text(add_child(os, "type"), lxc ? "exe" : "hvm");
    }
    /* libvirt starts /sbin/init in a container that names no init */
    if (lxc && !vk_xnode_child(os, "init"))
        vk_xnode_set_text(add_child(os, "init"), "/sbin/init");
    vk_xnode *ot = vk_xnode_child(os, "type");
    if (ot && is_qemu(d)) {
        set_default(ot, "arch", "x86_64");
        if (vk_streq(vk_xnode_attr(ot, "arch"), "x86_64") ||
            vk_streq(vk_xnode_attr(ot, "arch"), "i686"))
            set_default(ot, "machine", "pc");
    }
    if (!vk_xnode_child(d, "clock"))
        vk_xnode_set_attr(add_child(d, "clock"), "offset", "utc");
    set_default(vk_xnode_child(d, "clock"), "offset", "utc");
    set_text_default(d, "on_poweroff", "destroy");
    set_text_default(d, "on_reboot", "restart");
    set_text_default(d, "on_crash", "destroy");
}

/* -------------------------------------------------------------- disks -- */

/* Drive address of the idx-th disk on a bus, as libvirt derives it from
 * the target name: IDE has 2 buses of 2 units per controller, SATA 6
 * ports, SCSI `scsi_units` units (7 on parallel SCSI HBAs, whose unit 7 is
 * the HBA itself; 16384 on virtio-scsi), the floppy controller 2 units. */
static int drive_address(const char *bus, long idx, unsigned long scsi_units,
                         unsigned long out[4])
{
    memset(out, 0, 4 * sizeof(out[0]));
    if (vk_streq(bus, "ide")) {
        out[0] = (unsigned long)idx / 4;
        out[1] = (unsigned long)(idx % 4) / 2;
        out[3] = (unsigned long)idx % 2;
    } else if (vk_streq(bus, "sata")) {
        out[0] = (unsigned long)idx / 6;
        out[3] = (unsigned long)idx % 6;
    } else if (vk_streq(bus, "scsi")) {
        out[0] = (unsigned long)idx / scsi_units;
        out[3] = (unsigned long)idx % scsi_units;
    } else if (vk_streq(bus, "fdc")) {
        if (idx > 1)
            return -1;
        out[3] = (unsigned long)idx;
    } else {
        return 1; /* no drive address on this bus */
    }
    return 0;
}

/* Units per SCSI controller, from the model of the first one (libvirt's
 * "wide SCSI" addressing for virtio-scsi). */
static unsigned long scsi_units(const defaults_ctx *c)
{
    for (size_t i = 0; i < count_dev(c, "controller"); i++) {
        vk_xnode *ct = dev_nth(c, "controller", i);
        if (vk_streq(vk_xnode_attr(ct, "type"), "scsi"))
            return vk_str_has_prefix(vk_xnode_attr(ct, "model"), "virtio") ? 16384 : 7;
    }
    return 7;
}

static int disk_defaults(defaults_ctx *c)
{
    for (size_t i = 0; i < count_dev(c, "disk"); i++) {
        vk_xnode *disk = dev_nth(c, "disk", i);
        vk_xnode *t = vk_xnode_child(disk, "target");
        const char *dev = vk_xnode_attr(t, "dev");
        set_default(disk, "type", "file");
        set_default(disk, "device", "disk");
        const char *bus = vk_disk_bus_for_name(dev);
        if (bus)
            set_default(t, "bus", bus);
        bus = vk_xnode_attr(t, "bus");
        if (vk_streq(bus, "ide") && vk_streq(c->family, "q35")) {
            vk_xml_error(t, "disk '%s': q35 machines have no IDE bus; use bus='sata'", dev);
            return -1;
        }
        if (vk_xnode_child(disk, "address") || !bus)
            continue;
        unsigned long a[4];
        int r = drive_address(bus, vk_disk_name_index(dev, NULL), scsi_units(c), a);
        if (r < 0) {
            vk_xml_error(t, "floppy '%s': the floppy controller has only units 0 and 1 (fda, "
                            "fdb)", dev);
            return -1;
        }
        if (r > 0)
            continue;
        vk_xnode *ad = add_address(disk, "drive");
        static const char *const f[] = { "controller", "bus", "target", "unit" };
        for (size_t k = 0; k < 4; k++) {
            char buf[24];
            snprintf(buf, sizeof(buf), "%lu", a[k]);
            vk_xnode_set_attr(ad, f[k], buf);
        }
    }
    return 0;
}

/* ------------------------------------------------------------ chardev -- */

static const char *console_default_type(const defaults_ctx *c)
{
    const char *type = vk_xnode_attr(c->dom, "type");
    const char *os = vk_xnode_child_text(vk_xnode_child(c->dom, "os"), "type");
    if (vk_streq(type, "lxc") || vk_streq(os, "exe"))
        return "lxc";
    if (vk_streq(os, "xen") || vk_streq(os, "linux") || vk_streq(os, "xenpvh"))
        return "xen";
    return "serial";
}

/* Copy a character device's type and sources onto a new device `name`. */
static vk_xnode *chr_copy(defaults_ctx *c, const vk_xnode *from, const char *name)
{
    vk_xnode *n = add_child(c->devs, name);
    vk_xnode_set_attr(n, "type", vk_xnode_attr(from, "type"));
    for (size_t i = 0; i < from->nchildren; i++) {
        const vk_xnode *k = from->children[i];
        if (vk_streq(k->name, "source") || vk_streq(k->name, "protocol") ||
            vk_streq(k->name, "log")) {
            vk_xnode *cp = vk_xnode_copy(k);
            cp->schema = vk_schema_child(n->schema, k->name);
            vk_schema_insert(n, cp);
        }
    }
    return n;
}

/* The lowest unused target port among devices `name`. */
static unsigned int free_port(const defaults_ctx *c, const char *name)
{
    for (unsigned int p = 0;; p++) {
        bool used = false;
        for (size_t i = 0; i < count_dev(c, name) && !used; i++) {
            const char *v = vk_xnode_attr(vk_xnode_child(dev_nth(c, name, i), "target"), "port");
            unsigned int x;
            used = v && vk_parse_uint(v, &x) == 0 && x == p;
        }
        if (!used)
            return p;
    }
}

static void chardev_defaults(defaults_ctx *c)
{
    const char *ctype = console_default_type(c);
    bool hvm = vk_streq(ctype, "serial");
    /* libvirt's console compatibility: on hvm the first console is the
     * first serial port, so each of the pair implies the other. */
    vk_xnode *con0 = dev_nth(c, "console", 0);
    if (con0) {
        vk_xnode *t = child_or_add(con0, "target");
        set_default(t, "type", ctype);
        set_default(t, "port", "0");
        if (vk_streq(vk_xnode_attr(t, "type"), "serial") && !count_dev(c, "serial") && hvm) {
            vk_xnode *s = chr_copy(c, con0, "serial");
            vk_xnode_set_attr(add_child(s, "target"), "port", vk_xnode_attr(t, "port"));
        }
    } else if (count_dev(c, "serial") && hvm) {
        vk_xnode *s0 = dev_nth(c, "serial", 0);
        vk_xnode *con = chr_copy(c, s0, "console");
        vk_xnode *t = add_child(con, "target");
        vk_xnode_set_attr(t, "type", "serial");
        const char *port = vk_xnode_attr(vk_xnode_child(s0, "target"), "port");
        vk_xnode_set_attr(t, "port", port ? port : "0");
    }
    /* Further consoles are virtio (hvm) or the platform's own, numbered
     * by position. */
    for (size_t i = 0; i < count_dev(c, "console"); i++) {
        vk_xnode *t = child_or_add(dev_nth(c, "console", i), "target");
        set_default(t, "type", hvm ? "virtio" : ctype);
        if (!vk_xnode_attr(t, "port")) {
            char buf[24];
            snprintf(buf, sizeof(buf), "%zu", i);
            vk_xnode_set_attr(t, "port", buf);
        }
    }
    for (size_t i = 0; i < count_dev(c, "serial"); i++) {
        vk_xnode *s = dev_nth(c, "serial", i);
        vk_xnode *t = child_or_add(s, "target");
        if (!vk_xnode_attr(t, "port")) {
            char buf[24];
            snprintf(buf, sizeof(buf), "%u", free_port(c, "serial"));
            vk_xnode_set_attr(t, "port", buf);
        }
        if (is_qemu(c->dom) && c->family) {
            set_default(t, "type", "isa-serial");
            if (!vk_xnode_child(t, "model")) {
                const char *tt = vk_xnode_attr(t, "type");
                const char *model = vk_streq(tt, "usb-serial")   ? "usb-serial"
                                    : vk_streq(tt, "pci-serial") ? "pci-serial"
                                    : vk_streq(tt, "isa-debug")  ? "isa-debugcon"
                                                                 : "isa-serial";
                vk_xnode_set_attr(add_child(t, "model"), "name", model);
            }
        }
    }
    for (size_t i = 0; i < count_dev(c, "parallel"); i++) {
        vk_xnode *t = child_or_add(dev_nth(c, "parallel", i), "target");
        if (!vk_xnode_attr(t, "port")) {
            char buf[24];
            snprintf(buf, sizeof(buf), "%u", free_port(c, "parallel"));
            vk_xnode_set_attr(t, "port", buf);
        }
    }
}

/* Virtio channels sit on virtio-serial controller 0, bus 0, ports 1.. */
static void virtio_serial_defaults(defaults_ctx *c)
{
    bool need = false;
    for (size_t i = 0; i < count_dev(c, "console"); i++)
        need |= vk_streq(vk_xnode_attr(vk_xnode_child(dev_nth(c, "console", i), "target"),
                                       "type"),
                         "virtio");
    for (size_t i = 0; i < count_dev(c, "channel"); i++) {
        vk_xnode *ch = dev_nth(c, "channel", i);
        if (!vk_streq(vk_xnode_attr(vk_xnode_child(ch, "target"), "type"), "virtio"))
            continue;
        need = true;
        if (vk_xnode_child(ch, "address"))
            continue;
        /* lowest port not taken on controller 0 bus 0 */
        unsigned int port = 1;
        for (bool clash = true; clash; ) {
            clash = false;
            for (size_t j = 0; j < count_dev(c, "channel"); j++) {
                const vk_xnode *a = vk_xnode_child(dev_nth(c, "channel", j), "address");
                unsigned int p;
                if (vk_streq(vk_xnode_attr(a, "type"), "virtio-serial") &&
                    vk_streq(vk_xnode_attr(a, "controller"), "0") &&
                    vk_streq(vk_xnode_attr(a, "bus"), "0") &&
                    vk_parse_uint(vk_xnode_attr(a, "port"), &p) == 0 && p == port) {
                    clash = true;
                    port++;
                }
            }
        }
        vk_xnode *a = add_address(ch, "virtio-serial");
        char buf[24];
        snprintf(buf, sizeof(buf), "%u", port);
        vk_xnode_set_attr(a, "controller", "0");
        vk_xnode_set_attr(a, "bus", "0");
        vk_xnode_set_attr(a, "port", buf);
    }
    if (need)
        ensure_controller(c, "virtio-serial", "0", NULL);
}

/* ------------------------------------------------------ qemu devices -- */

static const struct {
    const char *model;
    const char *ram, *vram, *vgamem;
} video_sizes[] = {
    { "vga", NULL, "16384", NULL },    { "cirrus", NULL, "16384", NULL },
    { "vmvga", NULL, "16384", NULL },  { "bochs", NULL, "16384", NULL },
    { "qxl", "65536", "65536", "16384" },
};

static void qemu_device_defaults(defaults_ctx *c)
{
    bool graphics = count_dev(c, "graphics") > 0;
    if (graphics && !count_dev(c, "video")) {
        bool spice = false;
        for (size_t i = 0; i < count_dev(c, "graphics"); i++)
            spice |= vk_streq(vk_xnode_attr(dev_nth(c, "graphics", i), "type"), "spice");
        vk_xnode *v = add_child(c->devs, "video");
        vk_xnode_set_attr(add_child(v, "model"), "type", spice ? "qxl" : "vga");
    }
    bool have_primary = false;
    for (size_t i = 0; i < count_dev(c, "video"); i++)
        have_primary |= vk_streq(vk_xnode_attr(vk_xnode_child(dev_nth(c, "video", i), "model"),
                                               "primary"),
                                 "yes");
    for (size_t i = 0; i < count_dev(c, "video"); i++) {
        vk_xnode *m = child_or_add(dev_nth(c, "video", i), "model");
        set_default(m, "type", "vga");
        const char *type = vk_xnode_attr(m, "type");
        if (vk_streq(type, "none"))
            continue;
        for (size_t k = 0; k < VK_ARRAY_LEN(video_sizes); k++) {
            if (!vk_streq(video_sizes[k].model, type))
                continue;
            if (video_sizes[k].ram)
                set_default(m, "ram", video_sizes[k].ram);
            set_default(m, "vram", video_sizes[k].vram);
            if (video_sizes[k].vgamem)
                set_default(m, "vgamem", video_sizes[k].vgamem);
        }
        set_default(m, "heads", "1");
        if (i == 0 && !have_primary)
            vk_xnode_set_attr(m, "primary", "yes");
    }
    if (c->family) {
        for (size_t i = 0; i < count_dev(c, "input"); i++) {
            vk_xnode *in = dev_nth(c, "input", i);
            const char *t = vk_xnode_attr(in, "type");
            if (vk_streq(t, "tablet"))
                set_default(in, "bus", "usb");
            else if (vk_streq(t, "mouse") || vk_streq(t, "keyboard"))
                set_default(in, "bus", "ps2");
        }
        /* The i8042 controller is always there: its mouse and keyboard are
         * listed like libvirt does whenever there is a display. */
        static const char *const ps2[] = { "mouse", "keyboard" };
        for (size_t k = 0; graphics && k < VK_ARRAY_LEN(ps2); k++) {
            bool have = false;
            for (size_t i = 0; i < count_dev(c, "input"); i++) {
                vk_xnode *in = dev_nth(c, "input", i);
                have |= vk_streq(vk_xnode_attr(in, "type"), ps2[k]) &&
                        vk_streq(vk_xnode_attr(in, "bus"), "ps2");
            }
            if (!have) {
                vk_xnode *in = add_child(c->devs, "input");
                vk_xnode_set_attr(in, "type", ps2[k]);
                vk_xnode_set_attr(in, "bus", "ps2");
            }
        }
    }
    /* the random backend reads /dev/urandom unless told otherwise */
    for (size_t i = 0; i < count_dev(c, "rng"); i++) {
        vk_xnode *b = vk_xnode_child(dev_nth(c, "rng", i), "backend");
        if (vk_streq(vk_xnode_attr(b, "model"), "random") && !b->text)
            vk_xnode_set_text(b, "/dev/urandom");
    }
    if (!vk_xnode_child(c->devs, "memballoon"))
        vk_xnode_set_attr(add_child(c->devs, "memballoon"), "model", "virtio");
}

static void graphics_defaults(defaults_ctx *c)
{
    for (size_t i = 0; i < count_dev(c, "graphics"); i++) {
        vk_xnode *g = dev_nth(c, "graphics", i);
        const char *type = vk_xnode_attr(g, "type");
        if (!vk_streq(type, "vnc") && !vk_streq(type, "spice") && !vk_streq(type, "rdp"))
            continue;
        const char *port = vk_xnode_attr(g, "port");
        if (!vk_xnode_attr(g, "autoport")) {
            bool automatic = !port || vk_streq(port, "-1");
            vk_xnode_set_attr(g, "autoport", automatic ? "yes" : "no");
        }
        if (vk_streq(vk_xnode_attr(g, "autoport"), "yes"))
            set_default(g, "port", "-1");
        if (!vk_xnode_child(g, "listen")) {
            vk_xnode *l = add_child(g, "listen");
            vk_xnode_set_attr(l, "type", "address");
            if (vk_xnode_attr(g, "listen"))
                vk_xnode_set_attr(l, "address", vk_xnode_attr(g, "listen"));
        }
    }
}

/* -------------------------------------------------------- controllers -- */

static void controller_index_defaults(defaults_ctx *c)
{
    for (size_t i = 0; i < count_dev(c, "controller"); i++) {
        vk_xnode *ct = dev_nth(c, "controller", i);
        if (vk_xnode_attr(ct, "index"))
            continue;
        for (unsigned int idx = 0;; idx++) {
            char buf[24];
            snprintf(buf, sizeof(buf), "%u", idx);
            if (!find_controller(c, vk_xnode_attr(ct, "type"), buf)) {
                vk_xnode_set_attr(ct, "index", buf);
                break;
            }
        }
    }
}

static void implied_controllers(defaults_ctx *c)
{
    /* Controllers that drive addresses refer to. */
    for (size_t i = 0; i < count_dev(c, "disk"); i++) {
        vk_xnode *disk = dev_nth(c, "disk", i);
        const vk_xnode *a = vk_xnode_child(disk, "address");
        const char *bus = vk_xnode_attr(vk_xnode_child(disk, "target"), "bus");
        if (vk_streq(vk_xnode_attr(a, "type"), "drive"))
            ensure_controller(c, bus, vk_xnode_attr(a, "controller"), NULL);
    }
    if (count_dev(c, "smartcard"))
        ensure_controller(c, "ccid", "0", NULL);
    if (!c->family)
        return;
    bool q35 = vk_streq(c->family, "q35");
    if (q35)
        ensure_controller(c, "sata", "0", NULL);
    bool usb = false;
    for (size_t i = 0; i < count_dev(c, "controller"); i++)
        usb |= vk_streq(vk_xnode_attr(dev_nth(c, "controller", i), "type"), "usb");
    if (!usb)
        ensure_controller(c, "usb", "0", q35 ? "qemu-xhci" : "piix3-uhci");
    vk_xnode *root = ensure_controller(c, "pci", "0", NULL);
    set_default(root, "model", q35 ? "pcie-root" : "pci-root");
}

/* -------------------------------------------------------- PCI layout -- */

typedef struct pci_bus0 {
    bool used[32][8];  /* slot, function */
    unsigned int first, last;
} pci_bus0;

static bool pci_parse(const vk_xnode *a, uint64_t v[4])
{
    static const char *const f[] = { "domain", "bus", "slot", "function" };
    if (!vk_streq(vk_xnode_attr(a, "type"), "pci"))
        return false;
    for (size_t i = 0; i < 4; i++)
        if (vk_parse_u64(vk_xnode_attr(a, f[i]), 0, &v[i]) < 0)
            return false;
    return true;
}

#define pci_empty vk_address_pci_empty

static void pci_set(vk_xnode *dev, unsigned int slot, unsigned int fn)
{
    vk_xnode *a = vk_xnode_child(dev, "address");
    if (!a)
        a = add_address(dev, "pci");
    char s[8], f[8];
    snprintf(s, sizeof(s), "0x%02x", slot);
    snprintf(f, sizeof(f), "0x%x", fn);
    vk_xnode_set_attr(a, "domain", "0x0000");
    vk_xnode_set_attr(a, "bus", "0x00");
    vk_xnode_set_attr(a, "slot", s);
    vk_xnode_set_attr(a, "function", f);
}

static int pci_assign(pci_bus0 *b, vk_xnode *dev)
{
    for (unsigned int s = b->first; s <= b->last; s++) {
        bool free_slot = true;
        for (unsigned int f = 0; f < 8; f++)
            free_slot &= !b->used[s][f];
        if (free_slot) {
            b->used[s][0] = true;
            pci_set(dev, s, 0);
            return 0;
        }
    }
    vk_xml_error(dev, "no free PCI slot left on bus 0 for this device (slots %#x-%#x are all "
                      "in use)", b->first, b->last);
    return -1;
}

/* Whether a device without an address goes on the PCI bus, and its rank
 * in the assignment order (lower first); -1: not a PCI device. */
static int pci_rank(const defaults_ctx *c, const vk_xnode *dev)
{
    const char *k = dev->name;
    if (vk_streq(k, "controller")) {
        const char *t = vk_xnode_attr(dev, "type");
        const char *m = vk_xnode_attr(dev, "model");
        if (vk_streq(t, "pci"))
            return (vk_streq(m, "pci-root") || vk_streq(m, "pcie-root")) ? -1 : 1;
        if (vk_streq(t, "usb"))
            return vk_streq(m, "none") ? -1 : 1;
        if (vk_streq(t, "ide"))
            return vk_streq(c->family, "pc") ? 1 : -1;
        return (vk_streq(t, "scsi") || vk_streq(t, "virtio-serial") || vk_streq(t, "sata"))
                   ? 1
                   : -1;
    }
    if (vk_streq(k, "filesystem"))
        return 2;
    if (vk_streq(k, "interface"))
        return vk_streq(vk_xnode_attr(vk_xnode_child(dev, "model"), "type"), "usb-net") ? -1 : 3;
    if (vk_streq(k, "sound")) {
        const char *m = vk_xnode_attr(dev, "model");
        return (vk_streq(m, "pcspk") || vk_streq(m, "usb") || vk_streq(m, "sb16")) ? -1 : 4;
    }
    if (vk_streq(k, "hostdev"))
        return vk_streq(vk_xnode_attr(dev, "type"), "pci") ? 5 : -1;
    if (vk_streq(k, "disk"))
        return vk_streq(vk_xnode_attr(vk_xnode_child(dev, "target"), "bus"), "virtio") ? 6 : -1;
    if (vk_streq(k, "video")) {
        const char *m = vk_xnode_attr(vk_xnode_child(dev, "model"), "type");
        return (vk_streq(m, "none") || vk_streq(m, "ramfb")) ? -1 : 7;
    }
    if (vk_streq(k, "watchdog"))
        return vk_streq(vk_xnode_attr(dev, "model"), "i6300esb") ? 8 : -1;
    if (vk_streq(k, "memballoon"))
        return vk_str_has_prefix(vk_xnode_attr(dev, "model"), "virtio") ? 9 : -1;
    if (vk_streq(k, "rng"))
        return 10;
    if (vk_streq(k, "input"))
        return vk_streq(vk_xnode_attr(dev, "bus"), "virtio") ? 11 : -1;
    if (vk_streq(k, "vsock"))
        return 12;
    if (vk_streq(k, "serial"))
        return vk_streq(vk_xnode_attr(vk_xnode_child(dev, "target"), "type"), "pci-serial") ? 13
                                                                                             : -1;
    return -1;
}
#define PCI_RANKS 14

static int pci_defaults(defaults_ctx *c)
{
    pci_bus0 b = { .first = vk_streq(c->family, "q35") ? 2 : 3,
                   .last = vk_streq(c->family, "q35") ? 0x1e : 0x1f };
    b.used[0][0] = true;
    if (vk_streq(c->family, "pc")) {
        for (unsigned int f = 0; f < 4; f++)
            b.used[1][f] = true;
    } else {
        for (unsigned int f = 0; f < 8; f++)
            b.used[0x1f][f] = true;
    }
    /* Addresses the user (or a previous run) gave stay where they are. */
    for (size_t i = 0; i < c->devs->nchildren; i++) {
        uint64_t v[4];
        const vk_xnode *a = vk_xnode_child(c->devs->children[i], "address");
        if (c->devs->children[i]->schema && pci_parse(a, v) && !pci_empty(a) && v[1] == 0)
            b.used[v[2]][v[3]] = true;
    }
    /* The chipset's own functions and the primary video's fixed slot. */
    for (size_t i = 0; i < count_dev(c, "controller"); i++) {
        vk_xnode *ct = dev_nth(c, "controller", i);
        const char *t = vk_xnode_attr(ct, "type");
        const char *a = vk_xnode_attr(vk_xnode_child(ct, "address"), "type");
        if (a && !pci_empty(vk_xnode_child(ct, "address")))
            continue;
        bool idx0 = vk_streq(vk_xnode_attr(ct, "index"), "0");
        if (vk_streq(c->family, "pc") && idx0 && vk_streq(t, "ide"))
            pci_set(ct, 1, 1);
        else if (vk_streq(c->family, "pc") && idx0 && vk_streq(t, "usb") &&
                 vk_streq(vk_xnode_attr(ct, "model"), "piix3-uhci"))
            pci_set(ct, 1, 2);
        else if (vk_streq(c->family, "q35") && idx0 && vk_streq(t, "sata"))
            pci_set(ct, 0x1f, 2);
    }
    unsigned int vslot = vk_streq(c->family, "q35") ? 1 : 2;
    for (size_t i = 0; i < count_dev(c, "video"); i++) {
        vk_xnode *v = dev_nth(c, "video", i);
        vk_xnode *a = vk_xnode_child(v, "address");
        if (pci_rank(c, v) < 0 || (a && !pci_empty(a)))
            continue;
        if (vk_streq(vk_xnode_attr(vk_xnode_child(v, "model"), "primary"), "yes") &&
            !b.used[vslot][0]) {
            b.used[vslot][0] = true;
            pci_set(v, vslot, 0);
        }
        break;
    }
    size_t ndev = c->devs->nchildren;
    VK_AUTOFREE(int *) ranks = vk_alloc_n(ndev ? ndev : 1, sizeof(*ranks));
    for (size_t i = 0; i < ndev; i++) {
        vk_xnode *dev = c->devs->children[i];
        vk_xnode *a = vk_xnode_child(dev, "address");
        ranks[i] = (!dev->schema || (a && !pci_empty(a))) ? -1 : pci_rank(c, dev);
    }
    for (int rank = 0; rank < PCI_RANKS; rank++)
        for (size_t i = 0; i < ndev; i++)
            if (ranks[i] == rank && pci_assign(&b, c->devs->children[i]) < 0)
                return -1;
    return 0;
}

/* --------------------------------------------------------- MACs/names -- */

static int mac_defaults(defaults_ctx *c)
{
    const char *prefix = vk_streq(vk_xnode_attr(c->dom, "type"), "xen") ? "00:16:3e"
                                                                        : "52:54:00";
    for (size_t i = 0; i < count_dev(c, "interface"); i++) {
        vk_xnode *nic = dev_nth(c, "interface", i);
        if (vk_xnode_child(nic, "mac"))
            continue;
        char mac[18];
        for (bool clash = true; clash;) {
            unsigned char r[VK_UUID_LEN];
            vk_uuid_generate(r);
            snprintf(mac, sizeof(mac), "%s:%02x:%02x:%02x", prefix, r[0], r[1], r[2]);
            clash = false;
            for (size_t j = 0; j < count_dev(c, "interface"); j++)
                clash |= vk_streq(vk_xnode_attr(vk_xnode_child(dev_nth(c, "interface", j), "mac"),
                                                "address"),
                                  mac);
        }
        vk_xnode_set_attr(add_child(nic, "mac"), "address", mac);
    }
    return 0;
}

/* libvirt's alias scheme: disks by bus and address, controllers by type
 * and index, everything else <prefix><n> counted per kind. */
static char *disk_alias(const vk_xnode *disk)
{
    const vk_xnode *t = vk_xnode_child(disk, "target");
    const char *bus = vk_xnode_attr(t, "bus");
    const vk_xnode *a = vk_xnode_child(disk, "address");
    long idx = vk_disk_name_index(vk_xnode_attr(t, "dev"), NULL);
    if (vk_streq(vk_xnode_attr(a, "type"), "drive")) {
        const char *ctl = vk_xnode_attr(a, "controller"), *b = vk_xnode_attr(a, "bus");
        const char *tg = vk_xnode_attr(a, "target"), *u = vk_xnode_attr(a, "unit");
        if (vk_streq(bus, "scsi"))
            return vk_asprintf("scsi%s-%s-%s-%s", ctl, b, tg, u);
        if (vk_streq(bus, "ide") || vk_streq(bus, "sata") || vk_streq(bus, "fdc"))
            return vk_asprintf("%s%s-%s-%s", bus, ctl, b, u);
    }
    if (vk_streq(bus, "virtio"))
        return vk_asprintf("virtio-disk%ld", idx);
    if (vk_streq(bus, "usb"))
        return vk_asprintf("usb-disk%ld", idx);
    return vk_asprintf("%s-disk%ld", bus ? bus : "disk", idx);
}

static char *controller_alias(const defaults_ctx *c, const vk_xnode *ct)
{
    const char *t = vk_xnode_attr(ct, "type");
    const char *idx = vk_xnode_attr(ct, "index");
    const char *model = vk_xnode_attr(ct, "model");
    bool idx0 = vk_streq(idx, "0");
    if (vk_streq(t, "pci"))
        return vk_streq(model, "pcie-root") ? vk_strdup("pcie.0") : vk_asprintf("pci.%s", idx);
    if (idx0 && (vk_streq(t, "ide") || (vk_streq(t, "sata") && vk_streq(c->family, "q35"))))
        return vk_strdup("ide");
    if (idx0 && vk_streq(t, "usb"))
        return vk_strdup("usb");
    return vk_asprintf("%s%s", t, idx);
}

static const struct {
    const char *kind;
    const char *prefix;
} alias_prefixes[] = {
    { "filesystem", "fs" }, { "interface", "net" },  { "smartcard", "smartcard" },
    { "serial", "serial" }, { "parallel", "parallel" }, { "console", "console" },
    { "channel", "channel" }, { "input", "input" },  { "tpm", "tpm" },
    { "sound", "sound" },   { "video", "video" },    { "hostdev", "hostdev" },
    { "redirdev", "redir" }, { "hub", "hub" },       { "watchdog", "watchdog" },
    { "memballoon", "balloon" }, { "rng", "rng" },   { "panic", "panic" },
    { "vsock", "vsock" },
};

static bool alias_used(const defaults_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->devs->nchildren; i++)
        if (vk_streq(vk_xnode_attr(vk_xnode_child(c->devs->children[i], "alias"), "name"), name))
            return true;
    return false;
}

static void alias_defaults(defaults_ctx *c)
{
    size_t counters[VK_ARRAY_LEN(alias_prefixes)] = { 0 };
    for (size_t i = 0; i < c->devs->nchildren; i++) {
        vk_xnode *dev = c->devs->children[i];
        if (!dev->schema || !vk_schema_child(dev->schema, "alias"))
            continue;
        /* "no balloon" is not a device: nothing to name */
        if (vk_streq(dev->name, "memballoon") && vk_streq(vk_xnode_attr(dev, "model"), "none"))
            continue;
        size_t k = 0;
        while (k < VK_ARRAY_LEN(alias_prefixes) && !vk_streq(alias_prefixes[k].kind, dev->name))
            k++;
        if (vk_xnode_child(dev, "alias")) {
            if (k < VK_ARRAY_LEN(alias_prefixes))
                counters[k]++;
            continue;
        }
        VK_AUTOFREE(char *) name = NULL;
        if (vk_streq(dev->name, "disk"))
            name = disk_alias(dev);
        else if (vk_streq(dev->name, "controller"))
            name = controller_alias(c, dev);
        else if (k < VK_ARRAY_LEN(alias_prefixes)) {
            do {
                free(name);
                name = vk_asprintf("%s%zu", alias_prefixes[k].prefix, counters[k]++);
            } while (alias_used(c, name));
        }
        /* A clash with a name the user chose: number it apart. */
        for (unsigned int n = 1; name && alias_used(c, name); n++) {
            char *alt = vk_asprintf("%s-%u", name, n);
            if (!alias_used(c, alt)) {
                free(name);
                name = alt;
                break;
            }
            free(alt);
        }
        if (name)
            vk_xnode_set_attr(add_child(dev, "alias"), "name", name);
    }
}

/* ---------------------------------------------------------------- run -- */

int vk_domain_defaults(vk_xnode *d)
{
    defaults_ctx c = { .dom = d };
    identity_defaults(&c);
    c.family = vk_domain_machine_family(d); /* after arch/machine got their defaults */
    c.devs = vk_xnode_child(d, "devices");
    if (!c.devs && is_qemu(d))
        c.devs = add_child(d, "devices");
    if (!c.devs)
        return 0;
    if (disk_defaults(&c) < 0)
        return -1;
    chardev_defaults(&c);
    graphics_defaults(&c);
    if (is_qemu(d))
        qemu_device_defaults(&c);
    controller_index_defaults(&c);
    virtio_serial_defaults(&c);
    implied_controllers(&c);
    if (c.family && pci_defaults(&c) < 0)
        return -1;
    if (mac_defaults(&c) < 0)
        return -1;
    alias_defaults(&c);
    return 0;
}
