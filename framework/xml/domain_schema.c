/*
 * domain_schema.c: the domain definition format, a compatible subset of
 * libvirt's <domain> XML, as schema tables (see schema.h), plus its
 * semantic checks and post-parse defaults.
 *
 * Tables are listed leaves first so that every row is defined before a
 * parent refers to it. Child order in a table is the order of formatting.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "defs.h"
#include "error.h"
#include "uuid.h"

/* ------------------------------------------------------------ general -- */
static const vk_xelem e_name = { "name", NULL, NULL, &vk_xt_name };
static const vk_xelem e_uuid = { "uuid", NULL, NULL, &vk_xt_uuid };
static const vk_xelem e_title = { "title", NULL, NULL, &vk_xt_string };
static const vk_xelem e_description = { "description", NULL, NULL, &vk_xt_string };
static const vk_xelem e_metadata = { "metadata", NULL, NULL, NULL, NULL, VK_XE_VERBATIM };

static const vk_xelem e_memory = { "memory", VK_XATTRS(VK_XA_UNIT, VK_XA("dumpCore", onoff)),
                                   NULL, &vk_xt_scaled };
static const vk_xelem e_current_memory = { "currentMemory", VK_XATTRS(VK_XA_UNIT), NULL,
                                           &vk_xt_scaled };
static const vk_xelem e_max_memory = { "maxMemory", VK_XATTRS(VK_XA_UNIT, VK_XA("slots", uint)),
                                       NULL, &vk_xt_scaled };
static const vk_xelem e_vcpu = {
    "vcpu",
    VK_XATTRS(VK_XA_ENUM("placement", "static", "auto"), VK_XA("cpuset", cpuset),
              VK_XA("current", uint)),
    NULL, &vk_xt_uint
};

/* ----------------------------------------------------------------- os -- */
static const vk_xelem e_os_type = {
    "type", VK_XATTRS(VK_XA("arch", token), VK_XA("machine", token)), NULL, &vk_xt_enum,
    VK_XVALUES("hvm", "xen", "linux", "xenpvh", "exe")
};
static const vk_xelem e_os_boot = {
    "boot", VK_XATTRS(VK_XA_ENUM_REQ("dev", "hd", "cdrom", "network", "fd")), NULL, NULL
};
static const vk_xelem e_os_kernel = { "kernel", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_initrd = { "initrd", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_cmdline = { "cmdline", NULL, NULL, &vk_xt_string };
static const vk_xelem e_os_loader = {
    "loader",
    VK_XATTRS(VK_XA("readonly", yesno), VK_XA_ENUM("type", "rom", "pflash"),
              VK_XA("secure", yesno)),
    NULL, &vk_xt_abspath
};
static const vk_xelem e_os_nvram = { "nvram", VK_XATTRS(VK_XA("template", abspath)), NULL,
                                     &vk_xt_abspath };
static const vk_xelem e_os_init = { "init", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_initarg = { "initarg", NULL, NULL, &vk_xt_string };
static const vk_xelem e_os_bootmenu = {
    "bootmenu", VK_XATTRS(VK_XA_REQ("enable", yesno), VK_XA("timeout", uint)), NULL, NULL
};
static const vk_xelem e_os = {
    "os", VK_XATTRS(VK_XA_ENUM("firmware", "bios", "efi")),
    VK_XCHILDREN(VK_XC_ONE(e_os_type), VK_XC_OPT(e_os_loader), VK_XC_OPT(e_os_nvram),
                 VK_XC_OPT(e_os_kernel), VK_XC_OPT(e_os_initrd), VK_XC_OPT(e_os_cmdline),
                 VK_XC_OPT(e_os_init), VK_XC_ANY(e_os_initarg), VK_XC_ANY(e_os_boot),
                 VK_XC_OPT(e_os_bootmenu)),
    NULL
};

/* ----------------------------------------------------------- features -- */
static const vk_xelem e_feat_acpi = { "acpi" };
static const vk_xelem e_feat_apic = { "apic" };
static const vk_xelem e_feat_pae = { "pae" };
static const vk_xelem e_feat_hap = { "hap", VK_XATTRS(VK_XA_ENUM("state", "on", "off")) };
static const vk_xelem e_features = {
    "features", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_feat_acpi), VK_XC_OPT(e_feat_apic), VK_XC_OPT(e_feat_pae),
                 VK_XC_OPT(e_feat_hap))
};

static const vk_xelem e_clock = {
    "clock", VK_XATTRS(VK_XA_ENUM("offset", "utc", "localtime", "timezone", "variable"),
                       VK_XA("timezone", token), VK_XA("adjustment", int))
};

static const char *const lifecycle_actions[] = { "destroy", "restart", "preserve",
                                                 "rename-restart", "coredump-destroy",
                                                 "coredump-restart", NULL };
static const vk_xelem e_on_poweroff = { "on_poweroff", NULL, NULL, &vk_xt_enum,
                                        lifecycle_actions };
static const vk_xelem e_on_reboot = { "on_reboot", NULL, NULL, &vk_xt_enum, lifecycle_actions };
static const vk_xelem e_on_crash = { "on_crash", NULL, NULL, &vk_xt_enum, lifecycle_actions };

/* ------------------------------------------------------------ devices -- */
static const vk_xelem e_emulator = { "emulator", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_alias = { "alias", VK_XATTRS(VK_XA_REQ("name", token)), NULL, NULL,
                                  NULL, VK_XE_RUNTIME };
static const vk_xelem e_address = {
    "address",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "pci", "drive", "usb", "virtio-serial", "isa", "ccid",
                             "virtio-mmio"),
              VK_XA("domain", hex), VK_XA("bus", hex), VK_XA("slot", hex),
              VK_XA("function", hex), VK_XA_ENUM("multifunction", "on", "off"),
              VK_XA("controller", uint), VK_XA("target", uint), VK_XA("unit", uint),
              VK_XA("port", token), VK_XA("iobase", hex), VK_XA("irq", hex))
};
static const vk_xelem e_boot_order = { "boot", VK_XATTRS(VK_XA_REQ("order", uint)) };

static const vk_xelem e_disk_driver = {
    "driver",
    VK_XATTRS(VK_XA("name", token), VK_XA_ENUM("type", "raw", "qcow2", "vmdk", "vdi"),
              VK_XA_ENUM("cache", "default", "none", "writethrough", "writeback",
                         "directsync", "unsafe"),
              VK_XA_ENUM("io", "threads", "native", "io_uring"),
              VK_XA_ENUM("discard", "unmap", "ignore"))
};
static const vk_xelem e_disk_source = {
    "source", VK_XATTRS(VK_XA("file", abspath), VK_XA("dev", abspath), VK_XA("dir", abspath),
                        VK_XA("protocol", token), VK_XA("name", string))
};
static const vk_xelem e_disk_target = {
    "target", VK_XATTRS(VK_XA_REQ("dev", token),
                        VK_XA_ENUM("bus", "virtio", "sata", "ide", "scsi", "usb", "fdc", "xen"))
};
static const vk_xelem e_readonly = { "readonly" };
static const vk_xelem e_shareable = { "shareable" };
static const vk_xelem e_serial_str = { "serial", NULL, NULL, &vk_xt_token };
static const vk_xelem e_disk = {
    "disk",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "file", "block", "dir", "network", "volume"),
              VK_XA_ENUM("device", "disk", "cdrom", "floppy", "lun")),
    VK_XCHILDREN(VK_XC_OPT(e_disk_driver), VK_XC_OPT(e_disk_source), VK_XC_ONE(e_disk_target),
                 VK_XC_OPT(e_boot_order), VK_XC_OPT(e_readonly), VK_XC_OPT(e_shareable),
                 VK_XC_OPT(e_serial_str), VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_controller = {
    "controller",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "pci", "usb", "ide", "sata", "scsi", "virtio-serial",
                             "fdc", "ccid"),
              VK_XA("index", uint), VK_XA("model", token), VK_XA("ports", uint)),
    VK_XCHILDREN(VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_if_mac = { "mac", VK_XATTRS(VK_XA_REQ("address", mac)) };
static const vk_xelem e_if_source = {
    "source", VK_XATTRS(VK_XA("network", name), VK_XA("bridge", token), VK_XA("dev", token),
                        VK_XA_ENUM("mode", "vepa", "bridge", "private", "passthrough"))
};
static const vk_xelem e_if_target = { "target", VK_XATTRS(VK_XA("dev", token)) };
static const vk_xelem e_if_model = { "model", VK_XATTRS(VK_XA_REQ("type", token)) };
static const vk_xelem e_interface = {
    "interface",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "network", "bridge", "user", "direct", "ethernet")),
    VK_XCHILDREN(VK_XC_OPT(e_if_mac), VK_XC_OPT(e_if_source), VK_XC_OPT(e_if_target),
                 VK_XC_OPT(e_if_model), VK_XC_OPT(e_boot_order), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address))
};

static const vk_xelem e_chr_source = {
    "source", VK_XATTRS(VK_XA("path", abspath), VK_XA_ENUM("mode", "bind", "connect"),
                        VK_XA_ENUM("append", "on", "off"))
};
static const vk_xelem e_chr_target = {
    "target", VK_XATTRS(VK_XA("type", token), VK_XA("port", uint), VK_XA("name", token))
};
#define CHR_TYPES "pty", "file", "unix", "null", "stdio", "tcp"
static const vk_xelem e_serial = {
    "serial", VK_XATTRS(VK_XA_ENUM_REQ("type", CHR_TYPES)),
    VK_XCHILDREN(VK_XC_OPT(e_chr_source), VK_XC_OPT(e_chr_target), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address))
};
static const vk_xelem e_console = {
    "console", VK_XATTRS(VK_XA_ENUM_REQ("type", CHR_TYPES), VK_XA_RUNTIME("tty", abspath)),
    VK_XCHILDREN(VK_XC_OPT(e_chr_source), VK_XC_OPT(e_chr_target), VK_XC_OPT(e_alias))
};
static const vk_xelem e_channel = {
    "channel", VK_XATTRS(VK_XA_ENUM_REQ("type", CHR_TYPES)),
    VK_XCHILDREN(VK_XC_OPT(e_chr_source), VK_XC_ONE(e_chr_target), VK_XC_OPT(e_alias),
                 VK_XC_OPT(e_address))
};

static const vk_xelem e_listen = {
    "listen", VK_XATTRS(VK_XA_ENUM_REQ("type", "address", "network", "socket", "none"),
                        VK_XA("address", ipaddr), VK_XA("socket", abspath))
};
static const vk_xelem e_graphics = {
    "graphics",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "vnc", "spice"), VK_XA("port", int),
              VK_XA("autoport", yesno), VK_XA("listen", ipaddr), VK_XA("passwd", string)),
    VK_XCHILDREN(VK_XC_ANY(e_listen))
};
static const vk_xelem e_video_model = {
    "model", VK_XATTRS(VK_XA_ENUM_REQ("type", "vga", "cirrus", "virtio", "qxl", "bochs",
                                      "ramfb", "none"),
                       VK_XA("vram", uint), VK_XA("heads", uint), VK_XA("primary", yesno))
};
static const vk_xelem e_video = {
    "video", NULL, VK_XCHILDREN(VK_XC_OPT(e_video_model), VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};
static const vk_xelem e_input = {
    "input", VK_XATTRS(VK_XA_ENUM_REQ("type", "mouse", "keyboard", "tablet"),
                       VK_XA_ENUM("bus", "ps2", "usb", "virtio", "xen")),
    VK_XCHILDREN(VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};
static const vk_xelem e_memballoon = {
    "memballoon", VK_XATTRS(VK_XA_ENUM_REQ("model", "virtio", "xen", "none")),
    VK_XCHILDREN(VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};
static const vk_xelem e_rng_backend = {
    "backend", VK_XATTRS(VK_XA_ENUM_REQ("model", "random", "builtin")), NULL, &vk_xt_abspath
};
static const vk_xelem e_rng = {
    "rng", VK_XATTRS(VK_XA_ENUM_REQ("model", "virtio")),
    VK_XCHILDREN(VK_XC_ONE(e_rng_backend), VK_XC_OPT(e_alias), VK_XC_OPT(e_address))
};

static const vk_xelem e_devices = {
    "devices", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_emulator), VK_XC_ANY(e_disk), VK_XC_ANY(e_controller),
                 VK_XC_ANY(e_interface), VK_XC_ANY(e_serial), VK_XC_ANY(e_console),
                 VK_XC_ANY(e_channel), VK_XC_ANY(e_input), VK_XC_ANY(e_graphics),
                 VK_XC_ANY(e_video), VK_XC_OPT(e_memballoon), VK_XC_ANY(e_rng))
};

/* ------------------------------------------------------------- domain -- */
static const vk_xelem e_domain = {
    "domain",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "test", "qemu", "kvm", "xen", "lxc"),
              VK_XA_RUNTIME("id", int)),
    VK_XCHILDREN(VK_XC_ONE(e_name), VK_XC_OPT(e_uuid), VK_XC_OPT(e_title),
                 VK_XC_OPT(e_description), VK_XC_OPT(e_metadata), VK_XC_OPT(e_max_memory),
                 VK_XC_ONE(e_memory), VK_XC_OPT(e_current_memory), VK_XC_OPT(e_vcpu),
                 VK_XC_OPT(e_os), VK_XC_OPT(e_features), VK_XC_OPT(e_clock),
                 VK_XC_OPT(e_on_poweroff), VK_XC_OPT(e_on_reboot), VK_XC_OPT(e_on_crash),
                 VK_XC_OPT(e_devices)),
    NULL, NULL, VK_XE_FOREIGN
};

const vk_xelem *vk_domain_devices_schema(void)
{
    return &e_devices;
}

/* ---------------------------------------------------- semantic checks -- */

#define MIN_MEMORY_KIB 1024ULL

static int domain_validate(const vk_xnode *d)
{
    const char *name = vk_xnode_child_text(d, "name");
    uint64_t mem = 0, cur = 0;
    vk_xnode *m = vk_xnode_child(d, "memory");
    if (vk_parse_u64(m->text, 10, &mem) < 0 || mem < MIN_MEMORY_KIB) {
        vk_xml_error(m, "domain '%s': memory %s KiB is below the minimum of %llu KiB", name,
                     m->text ? m->text : "0", MIN_MEMORY_KIB);
        return -1;
    }
    vk_xnode *c = vk_xnode_child(d, "currentMemory");
    if (c && vk_parse_u64(c->text, 10, &cur) == 0 && cur > mem) {
        vk_xml_error(c, "domain '%s': currentMemory %llu KiB exceeds memory %llu KiB", name,
                     (unsigned long long)cur, (unsigned long long)mem);
        return -1;
    }
    vk_xnode *v = vk_xnode_child(d, "vcpu");
    if (v) {
        unsigned int n = 0, curv = 0;
        if (v->text && vk_parse_uint(v->text, &n) == 0 && n == 0) {
            vk_xml_error(v, "domain '%s': a domain needs at least 1 vcpu", name);
            return -1;
        }
        const char *cs = vk_xnode_attr(v, "current");
        if (cs && vk_parse_uint(cs, &curv) == 0 && (curv == 0 || curv > n)) {
            vk_xml_error(v, "domain '%s': current vcpus %u must be between 1 and %u", name, curv,
                         n);
            return -1;
        }
    }
    /* Disk targets are unique. */
    vk_xnode *devs = vk_xnode_child(d, "devices");
    size_t ndisks = vk_xnode_count(devs, "disk");
    for (size_t i = 0; i < ndisks; i++) {
        vk_xnode *a = vk_xnode_child(vk_xnode_child_nth(devs, "disk", i), "target");
        for (size_t j = i + 1; j < ndisks; j++) {
            vk_xnode *b = vk_xnode_child(vk_xnode_child_nth(devs, "disk", j), "target");
            if (vk_streq(vk_xnode_attr(a, "dev"), vk_xnode_attr(b, "dev"))) {
                vk_xml_error(b, "domain '%s': target dev '%s' is used by two disks", name,
                             vk_xnode_attr(a, "dev"));
                return -1;
            }
        }
    }
    return 0;
}

/* ----------------------------------------------------------- defaults -- */

static int domain_defaults(vk_xnode *d)
{
    if (!vk_xnode_child(d, "uuid")) {
        unsigned char u[VK_UUID_LEN];
        char buf[VK_UUID_STRLEN];
        vk_uuid_generate(u);
        vk_uuid_format(u, buf);
        if (vk_def_set(d, "uuid", buf) < 0)
            return -1;
    }
    if (!vk_xnode_child(d, "currentMemory"))
        if (vk_def_set(d, "currentMemory", vk_xnode_child_text(d, "memory")) < 0 ||
            vk_def_set(d, "currentMemory/@unit", "KiB") < 0)
            return -1;
    if (!vk_xnode_child(d, "vcpu") && vk_def_set(d, "vcpu", "1") < 0)
        return -1;
    vk_xnode *devs = vk_xnode_child(d, "devices");
    for (size_t i = 0; devs && i < devs->nchildren; i++) {
        vk_xnode *dev = devs->children[i];
        if (!vk_streq(dev->name, "interface") || vk_xnode_child(dev, "mac"))
            continue;
        unsigned char r[VK_UUID_LEN];
        vk_uuid_generate(r);
        char mac[18];
        snprintf(mac, sizeof(mac), "52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
        if (vk_def_set(dev, "mac/@address", mac) < 0)
            return -1;
    }
    return 0;
}

const vk_xkind vk_domain_kind = {
    .kind = VKP_DEF_DOMAIN,
    .what = "domain",
    .root = &e_domain,
    .validate = domain_validate,
    .defaults = domain_defaults,
    .rng_file = "domain.rng",
};
