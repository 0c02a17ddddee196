/*
 * domain_schema.c: the domain definition format, a compatible subset of
 * libvirt's <domain> XML, as schema tables (see schema.h): identity,
 * memory, CPUs and their tuning, NUMA, boot (<os>), features, clock,
 * lifecycle actions, power management and security labels. Devices are in
 * domain_devices.c; checks across elements in domain_validate.c; the
 * defaults step in domain_defaults.c.
 *
 * Tables are listed leaves first so that every row is defined before a
 * parent refers to it. Child order in a table is the order of formatting.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common_schema.h"
#include "domain_priv.h"
#include "error.h"

/* ------------------------------------------------------------- memory -- */
static const vk_xelem e_memory = { "memory", VK_XATTRS(VK_XA_UNIT, VK_XA("dumpCore", onoff)),
                                   NULL, &vk_xt_scaled };
static const vk_xelem e_current_memory = { "currentMemory", VK_XATTRS(VK_XA_UNIT), NULL,
                                           &vk_xt_scaled };
static const vk_xelem e_max_memory = { "maxMemory",
                                       VK_XATTRS(VK_XA_UNIT, VK_XA_REQ("slots", uint)), NULL,
                                       &vk_xt_scaled };

static const vk_xelem e_hp_page = {
    "page", VK_XATTRS(VK_XA_REQ("size", scaled), VK_XA_UNIT, VK_XA("nodeset", cpuset))
};
static const vk_xelem e_hugepages = { "hugepages", NULL, VK_XCHILDREN(VK_XC_ANY(e_hp_page)) };
static const vk_xelem e_nosharepages = { "nosharepages" };
static const vk_xelem e_locked = { "locked" };
static const vk_xelem e_mb_source = {
    "source", VK_XATTRS(VK_XA_ENUM_REQ("type", "file", "anonymous", "memfd"))
};
static const vk_xelem e_mb_access = {
    "access", VK_XATTRS(VK_XA_ENUM_REQ("mode", "shared", "private"))
};
static const vk_xelem e_mb_allocation = {
    "allocation", VK_XATTRS(VK_XA_ENUM("mode", "immediate", "ondemand"), VK_XA("threads", uint))
};
static const vk_xelem e_mb_discard = { "discard" };
static const vk_xelem e_memory_backing = {
    "memoryBacking", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_hugepages), VK_XC_OPT(e_nosharepages), VK_XC_OPT(e_locked),
                 VK_XC_OPT(e_mb_source), VK_XC_OPT(e_mb_access), VK_XC_OPT(e_mb_allocation),
                 VK_XC_OPT(e_mb_discard))
};

#define MEMTUNE(var, n)                                                                    \
    static const vk_xelem var = { n, VK_XATTRS(VK_XA_UNIT), NULL, &vk_xt_scaled }
MEMTUNE(e_mt_hard, "hard_limit");
MEMTUNE(e_mt_soft, "soft_limit");
MEMTUNE(e_mt_swap, "swap_hard_limit");
MEMTUNE(e_mt_min, "min_guarantee");
static const vk_xelem e_memtune = {
    "memtune", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_mt_hard), VK_XC_OPT(e_mt_soft), VK_XC_OPT(e_mt_swap),
                 VK_XC_OPT(e_mt_min))
};

static const vk_xelem e_blkio_weight = { "weight", NULL, NULL, &vk_xt_uint };
static const vk_xelem e_blkio_path = { "path", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_blkio_dev = {
    "device", NULL, VK_XCHILDREN(VK_XC_ONE(e_blkio_path), VK_XC_OPT(e_blkio_weight))
};
static int blkiotune_check(const vk_xnode *n)
{
    unsigned int w;
    for (size_t i = 0; i < n->nchildren; i++) {
        const vk_xnode *c = n->children[i];
        const vk_xnode *wn = vk_streq(c->name, "weight") ? c : vk_xnode_child(c, "weight");
        if (wn && (vk_parse_uint(wn->text, &w) < 0 || w < 100 || w > 1000)) {
            vk_xml_error(wn, "blkio weight %s is out of range (100-1000)", wn->text);
            return -1;
        }
    }
    return 0;
}
static const vk_xelem e_blkiotune = {
    "blkiotune", NULL, VK_XCHILDREN(VK_XC_OPT(e_blkio_weight), VK_XC_ANY(e_blkio_dev)), NULL,
    NULL, 0, blkiotune_check
};

/* --------------------------------------------------------------- cpus -- */
static const vk_xelem e_vcpu = {
    "vcpu",
    VK_XATTRS(VK_XA_ENUM("placement", "static", "auto"), VK_XA("cpuset", cpuset),
              VK_XA("current", uint)),
    NULL, &vk_xt_uint
};
static const vk_xelem e_iothreads = { "iothreads", NULL, NULL, &vk_xt_uint };

static const vk_xelem e_shares = { "shares", NULL, NULL, &vk_xt_ulong };
static const vk_xelem e_period = { "period", NULL, NULL, &vk_xt_ulong };
static const vk_xelem e_quota = { "quota", NULL, NULL, &vk_xt_long };
static const vk_xelem e_global_period = { "global_period", NULL, NULL, &vk_xt_ulong };
static const vk_xelem e_global_quota = { "global_quota", NULL, NULL, &vk_xt_long };
static const vk_xelem e_emulator_period = { "emulator_period", NULL, NULL, &vk_xt_ulong };
static const vk_xelem e_emulator_quota = { "emulator_quota", NULL, NULL, &vk_xt_long };
static const vk_xelem e_iothread_period = { "iothread_period", NULL, NULL, &vk_xt_ulong };
static const vk_xelem e_iothread_quota = { "iothread_quota", NULL, NULL, &vk_xt_long };
static const vk_xelem e_vcpupin = {
    "vcpupin", VK_XATTRS(VK_XA_REQ("vcpu", uint), VK_XA_REQ("cpuset", cpuset))
};
static const vk_xelem e_emulatorpin = { "emulatorpin", VK_XATTRS(VK_XA_REQ("cpuset", cpuset)) };
static const vk_xelem e_iothreadpin = {
    "iothreadpin", VK_XATTRS(VK_XA_REQ("iothread", uint), VK_XA_REQ("cpuset", cpuset))
};

/* CFS bandwidth limits as the kernel (and libvirt) accept them. */
static int cputune_check(const vk_xnode *n)
{
    for (size_t i = 0; i < n->nchildren; i++) {
        const vk_xnode *c = n->children[i];
        if (vk_str_has_suffix(c->name, "period")) {
            uint64_t p = 0;
            vk_parse_u64(c->text, 10, &p);
            if (p < 1000 || p > 1000000) {
                vk_xml_error(c, "%s %s is out of range (1000-1000000 microseconds)", c->name,
                             c->text);
                return -1;
            }
        } else if (vk_str_has_suffix(c->name, "quota")) {
            int64_t q = 0;
            vk_parse_i64(c->text, 10, &q);
            if (q != -1 && (q < 1000 || q > 17592186044415LL)) {
                vk_xml_error(c, "%s %s is out of range (-1 for unlimited, or "
                                "1000-17592186044415)", c->name, c->text);
                return -1;
            }
        } else if (vk_streq(c->name, "shares")) {
            uint64_t s = 0;
            vk_parse_u64(c->text, 10, &s);
            if (s < 2 || s > 262144) {
                vk_xml_error(c, "shares %s is out of range (2-262144)", c->text);
                return -1;
            }
        }
    }
    return 0;
}

static const vk_xelem e_cputune = {
    "cputune", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_shares), VK_XC_OPT(e_period), VK_XC_OPT(e_quota),
                 VK_XC_OPT(e_global_period), VK_XC_OPT(e_global_quota),
                 VK_XC_OPT(e_emulator_period), VK_XC_OPT(e_emulator_quota),
                 VK_XC_OPT(e_iothread_period), VK_XC_OPT(e_iothread_quota),
                 VK_XC_ANY(e_vcpupin), VK_XC_OPT(e_emulatorpin), VK_XC_ANY(e_iothreadpin)),
    NULL, NULL, 0, cputune_check
};

#define NUMA_MODES "strict", "preferred", "interleave", "restrictive"
static int numa_memory_check(const vk_xnode *n)
{
    bool autop = vk_streq(vk_xnode_attr(n, "placement"), "auto");
    if (autop && vk_xnode_attr(n, "nodeset")) {
        vk_xml_error(n, "nodeset cannot be given with placement='auto'");
        return -1;
    }
    if (!autop && !vk_xnode_attr(n, "nodeset") && vk_xnode_attr(n, "placement")) {
        vk_xml_error(n, "placement='static' needs a nodeset");
        return -1;
    }
    return 0;
}
static const vk_xelem e_numa_memory = {
    "memory", VK_XATTRS(VK_XA_ENUM("mode", NUMA_MODES), VK_XA("nodeset", cpuset),
                        VK_XA_ENUM("placement", "static", "auto")),
    NULL, NULL, NULL, 0, numa_memory_check
};
static const vk_xelem e_memnode = {
    "memnode", VK_XATTRS(VK_XA_REQ("cellid", uint), VK_XA_ENUM_REQ("mode", NUMA_MODES),
                         VK_XA_REQ("nodeset", cpuset))
};
static const vk_xelem e_numatune = {
    "numatune", NULL, VK_XCHILDREN(VK_XC_OPT(e_numa_memory), VK_XC_ANY(e_memnode))
};

static const vk_xelem e_partition = { "partition", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_resource = { "resource", NULL, VK_XCHILDREN(VK_XC_ONE(e_partition)) };

/* ---------------------------------------------------------------- cpu -- */
static const vk_xelem e_cpu_model = {
    "model", VK_XATTRS(VK_XA_ENUM("fallback", "allow", "forbid"), VK_XA("vendor_id", token)),
    NULL, &vk_xt_token, NULL, VK_XE_TEXT_OPTIONAL
};
static const vk_xelem e_cpu_vendor = { "vendor", NULL, NULL, &vk_xt_token };

static int topology_check(const vk_xnode *n)
{
    static const char *const fields[] = { "sockets", "dies", "cores", "threads" };
    for (size_t i = 0; i < VK_ARRAY_LEN(fields); i++) {
        const char *v = vk_xnode_attr(n, fields[i]);
        if (v && vk_streq(v, "0")) {
            vk_xml_error(n, "%s must be at least 1", fields[i]);
            return -1;
        }
    }
    return 0;
}
static const vk_xelem e_topology = {
    "topology", VK_XATTRS(VK_XA_REQ("sockets", uint), VK_XA("dies", uint),
                          VK_XA_REQ("cores", uint), VK_XA_REQ("threads", uint)),
    NULL, NULL, NULL, 0, topology_check
};
static const vk_xelem e_cpu_cache = {
    "cache", VK_XATTRS(VK_XA("level", uint),
                       VK_XA_ENUM_REQ("mode", "emulate", "passthrough", "disable"))
};
static const vk_xelem e_cpu_feature = {
    "feature", VK_XATTRS(VK_XA_ENUM_REQ("policy", "force", "require", "optional", "disable",
                                        "forbid"),
                         VK_XA_REQ("name", token))
};
static const vk_xelem e_sibling = { "sibling", VK_XATTRS(VK_XA_REQ("id", uint),
                                                         VK_XA_REQ("value", uint)) };
static const vk_xelem e_distances = { "distances", NULL, VK_XCHILDREN(VK_XC_MANY(e_sibling)) };
static const vk_xelem e_cell = {
    "cell", VK_XATTRS(VK_XA("id", uint), VK_XA("cpus", cpuset), VK_XA_REQ("memory", scaled),
                      VK_XA_UNIT, VK_XA_ENUM("memAccess", "shared", "private"),
                      VK_XA("discard", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_distances))
};
static const vk_xelem e_numa = { "numa", NULL, VK_XCHILDREN(VK_XC_MANY(e_cell)) };

static int cpu_check(const vk_xnode *n)
{
    const char *mode = vk_xnode_attr(n, "mode");
    bool custom = !mode || vk_streq(mode, "custom");
    const vk_xnode *model = vk_xnode_child(n, "model");
    if ((vk_streq(mode, "host-passthrough") || vk_streq(mode, "maximum")) && model) {
        vk_xml_error(n, "mode '%s' takes no <model>", mode);
        return -1;
    }
    if (vk_xnode_attr(n, "match") && !custom) {
        vk_xml_error(n, "match applies only to mode 'custom'");
        return -1;
    }
    if (vk_xnode_attr(n, "migratable") && !vk_streq(mode, "host-passthrough") &&
        !vk_streq(mode, "maximum")) {
        vk_xml_error(n, "migratable applies only to modes host-passthrough and maximum");
        return -1;
    }
    if (custom && model && !model->text) {
        vk_xml_error(model, "mode 'custom' needs a CPU model name");
        return -1;
    }
    if (custom && !model && (vk_xnode_count(n, "feature") || vk_xnode_child(n, "vendor"))) {
        vk_xml_error(n, "CPU features and vendor need a <model> in mode 'custom'");
        return -1;
    }
    const vk_xnode *dup = vk_schema_find_repeat(n, "feature", "name");
    if (dup) {
        vk_xml_error(dup, "CPU feature '%s' is listed twice", vk_xnode_attr(dup, "name"));
        return -1;
    }
    return 0;
}

static const vk_xelem e_cpu = {
    "cpu",
    VK_XATTRS(VK_XA_ENUM("mode", "custom", "host-model", "host-passthrough", "maximum"),
              VK_XA_ENUM("match", "minimum", "exact", "strict"),
              VK_XA_ENUM("check", "none", "partial", "full"), VK_XA("migratable", onoff)),
    VK_XCHILDREN(VK_XC_OPT(e_cpu_model), VK_XC_OPT(e_cpu_vendor), VK_XC_OPT(e_topology),
                 VK_XC_OPT(e_cpu_cache), VK_XC_ANY(e_cpu_feature), VK_XC_OPT(e_numa)),
    NULL, NULL, 0, cpu_check
};

/* ------------------------------------------------------------ sysinfo -- */
static const vk_xelem e_si_entry = { "entry", VK_XATTRS(VK_XA_REQ("name", token)), NULL,
                                     &vk_xt_string };
static const vk_xelem e_si_oem_entry = { "entry", NULL, NULL, &vk_xt_string };
static const vk_xelem e_si_bios = { "bios", NULL, VK_XCHILDREN(VK_XC_MANY(e_si_entry)) };
static const vk_xelem e_si_system = { "system", NULL, VK_XCHILDREN(VK_XC_MANY(e_si_entry)) };
static const vk_xelem e_si_board = { "baseBoard", NULL, VK_XCHILDREN(VK_XC_MANY(e_si_entry)) };
static const vk_xelem e_si_chassis = { "chassis", NULL, VK_XCHILDREN(VK_XC_MANY(e_si_entry)) };
static const vk_xelem e_si_oem = { "oemStrings", NULL,
                                   VK_XCHILDREN(VK_XC_MANY(e_si_oem_entry)) };
static const vk_xelem e_sysinfo = {
    "sysinfo", VK_XATTRS(VK_XA_ENUM_REQ("type", "smbios")),
    VK_XCHILDREN(VK_XC_OPT(e_si_bios), VK_XC_OPT(e_si_system), VK_XC_ANY(e_si_board),
                 VK_XC_OPT(e_si_chassis), VK_XC_OPT(e_si_oem))
};

/* ----------------------------------------------------------------- os -- */
static const vk_xelem e_os_type = {
    "type", VK_XATTRS(VK_XA("arch", token), VK_XA("machine", token)), NULL, &vk_xt_enum,
    VK_XVALUES("hvm", "xen", "linux", "xenpvh", "exe")
};
static const vk_xelem e_fw_feature = { "feature", VK_XATTRS(VK_XA_REQ("enabled", yesno),
                                                            VK_XA_REQ("name", token)) };
static const vk_xelem e_os_firmware = { "firmware", NULL,
                                        VK_XCHILDREN(VK_XC_MANY(e_fw_feature)) };
static const vk_xelem e_os_loader = {
    "loader",
    VK_XATTRS(VK_XA("readonly", yesno), VK_XA_ENUM("type", "rom", "pflash"),
              VK_XA("secure", yesno), VK_XA("stateless", yesno)),
    NULL, &vk_xt_abspath, NULL, VK_XE_TEXT_OPTIONAL
};
static const vk_xelem e_os_nvram = { "nvram", VK_XATTRS(VK_XA("template", abspath)), NULL,
                                     &vk_xt_abspath, NULL, VK_XE_TEXT_OPTIONAL };
static const vk_xelem e_os_kernel = { "kernel", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_initrd = { "initrd", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_cmdline = { "cmdline", NULL, NULL, &vk_xt_string };
static const vk_xelem e_os_dtb = { "dtb", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_init = { "init", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_initarg = { "initarg", NULL, NULL, &vk_xt_string };
static const vk_xelem e_os_initenv = { "initenv", VK_XATTRS(VK_XA_REQ("name", token)), NULL,
                                       &vk_xt_string };
static const vk_xelem e_os_initdir = { "initdir", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_os_inituser = { "inituser", NULL, NULL, &vk_xt_token };
static const vk_xelem e_os_initgroup = { "initgroup", NULL, NULL, &vk_xt_token };
static const vk_xelem e_os_boot = {
    "boot", VK_XATTRS(VK_XA_ENUM_REQ("dev", "hd", "cdrom", "network", "fd")), NULL, NULL
};
static int bootmenu_check(const vk_xnode *n)
{
    const char *t = vk_xnode_attr(n, "timeout");
    unsigned int v;
    if (t && (vk_parse_uint(t, &v) < 0 || v > 65535)) {
        vk_xml_error(n, "timeout %s is out of range (0-65535 milliseconds)", t);
        return -1;
    }
    return 0;
}
static const vk_xelem e_os_bootmenu = {
    "bootmenu", VK_XATTRS(VK_XA_REQ("enable", yesno), VK_XA("timeout", uint)), NULL, NULL, NULL,
    0, bootmenu_check
};
static const vk_xelem e_os_smbios = {
    "smbios", VK_XATTRS(VK_XA_ENUM_REQ("mode", "emulate", "host", "sysinfo"))
};
static const vk_xelem e_os_bios = {
    "bios", VK_XATTRS(VK_XA("useserial", yesno), VK_XA("rebootTimeout", int))
};

static int os_check(const vk_xnode *n)
{
    const char *type = vk_xnode_child_text(n, "type");
    bool exe = vk_streq(type, "exe");
    static const char *const boot_only[] = { "loader", "nvram", "kernel", "initrd", "cmdline",
                                             "dtb", "boot", "bootmenu", "smbios", "bios",
                                             NULL };
    static const char *const exe_only[] = { "init", "initarg", "initenv", "initdir",
                                            "inituser", "initgroup", NULL };
    for (size_t i = 0; i < n->nchildren; i++) {
        const char *cn = n->children[i]->name;
        if (exe && vk_strv_contains(boot_only, cn) && !vk_streq(cn, "cmdline")) {
            vk_xml_error(n->children[i], "<%s> does not apply to os type 'exe' (containers)",
                         cn);
            return -1;
        }
        if (!exe && vk_strv_contains(exe_only, cn)) {
            vk_xml_error(n->children[i], "<%s> applies only to os type 'exe' (containers)", cn);
            return -1;
        }
    }
    if (vk_xnode_child(n, "initrd") && !vk_xnode_child(n, "kernel")) {
        vk_xml_error(vk_xnode_child(n, "initrd"), "an initrd needs a <kernel>");
        return -1;
    }
    if (vk_xnode_child(n, "nvram") && !vk_xnode_child(n, "loader") &&
        !vk_streq(vk_xnode_attr(n, "firmware"), "efi")) {
        vk_xml_error(vk_xnode_child(n, "nvram"), "<nvram> needs a <loader> or firmware='efi'");
        return -1;
    }
    const vk_xnode *dup = vk_schema_find_repeat(n, "boot", "dev");
    if (dup) {
        vk_xml_error(dup, "boot device '%s' is listed twice", vk_xnode_attr(dup, "dev"));
        return -1;
    }
    return 0;
}

static const vk_xelem e_os = {
    "os", VK_XATTRS(VK_XA_ENUM("firmware", "bios", "efi")),
    VK_XCHILDREN(VK_XC_ONE(e_os_type), VK_XC_OPT(e_os_firmware), VK_XC_OPT(e_os_loader),
                 VK_XC_OPT(e_os_nvram), VK_XC_OPT(e_os_kernel), VK_XC_OPT(e_os_initrd),
                 VK_XC_OPT(e_os_cmdline), VK_XC_OPT(e_os_dtb), VK_XC_OPT(e_os_init),
                 VK_XC_ANY(e_os_initarg), VK_XC_ANY(e_os_initenv), VK_XC_OPT(e_os_initdir),
                 VK_XC_OPT(e_os_inituser), VK_XC_OPT(e_os_initgroup), { &e_os_boot, 0, 4 },
                 VK_XC_OPT(e_os_bootmenu), VK_XC_OPT(e_os_smbios), VK_XC_OPT(e_os_bios)),
    NULL, NULL, 0, os_check
};

/* Container user namespace maps. */
static const vk_xelem e_idmap_uid = {
    "uid", VK_XATTRS(VK_XA_REQ("start", uint), VK_XA_REQ("target", uint), VK_XA_REQ("count", uint))
};
static const vk_xelem e_idmap_gid = {
    "gid", VK_XATTRS(VK_XA_REQ("start", uint), VK_XA_REQ("target", uint), VK_XA_REQ("count", uint))
};
static const vk_xelem e_idmap = {
    "idmap", NULL, VK_XCHILDREN(VK_XC_MANY(e_idmap_uid), VK_XC_MANY(e_idmap_gid))
};

/* ----------------------------------------------------------- features -- */
#define STATE_ATTR VK_XA("state", onoff)
#define FEATURE(var, n) static const vk_xelem var = { n, VK_XATTRS(STATE_ATTR) }
static const vk_xelem e_feat_acpi = { "acpi" };
static const vk_xelem e_feat_apic = { "apic", VK_XATTRS(VK_XA("eoi", onoff)) };
static const vk_xelem e_feat_pae = { "pae" };
static const vk_xelem e_feat_privnet = { "privnet" };
FEATURE(e_feat_hap, "hap");
FEATURE(e_feat_pmu, "pmu");
FEATURE(e_feat_vmport, "vmport");
FEATURE(e_feat_pvspinlock, "pvspinlock");
FEATURE(e_feat_vmcoreinfo, "vmcoreinfo");
FEATURE(e_feat_htm, "htm");
static const vk_xelem e_feat_smm = { "smm", VK_XATTRS(STATE_ATTR) };
static const vk_xelem e_feat_gic = { "gic", VK_XATTRS(VK_XA_ENUM("version", "2", "3", "host")) };
static const vk_xelem e_feat_ioapic = { "ioapic", VK_XATTRS(VK_XA_ENUM("driver", "kvm",
                                                                      "qemu")) };

FEATURE(e_hv_relaxed, "relaxed");
FEATURE(e_hv_vapic, "vapic");
FEATURE(e_hv_vpindex, "vpindex");
FEATURE(e_hv_runtime, "runtime");
FEATURE(e_hv_synic, "synic");
FEATURE(e_hv_stimer, "stimer");
FEATURE(e_hv_reset, "reset");
FEATURE(e_hv_frequencies, "frequencies");
FEATURE(e_hv_reenlightenment, "reenlightenment");
FEATURE(e_hv_tlbflush, "tlbflush");
FEATURE(e_hv_ipi, "ipi");
FEATURE(e_hv_evmcs, "evmcs");
static int spinlocks_check(const vk_xnode *n)
{
    const char *r = vk_xnode_attr(n, "retries");
    unsigned int v;
    if (vk_streq(vk_xnode_attr(n, "state"), "on") &&
        (!r || vk_parse_uint(r, &v) < 0 || v < 4095)) {
        vk_xml_error(n, "spinlocks state='on' needs retries of at least 4095");
        return -1;
    }
    return 0;
}
static const vk_xelem e_hv_spinlocks = {
    "spinlocks", VK_XATTRS(STATE_ATTR, VK_XA("retries", uint)), NULL, NULL, NULL, 0,
    spinlocks_check
};
static int vendor_id_check(const vk_xnode *n)
{
    const char *v = vk_xnode_attr(n, "value");
    if (vk_streq(vk_xnode_attr(n, "state"), "on") && (!v || strlen(v) > 12)) {
        vk_xml_error(n, "vendor_id state='on' needs a value of 1 to 12 characters");
        return -1;
    }
    return 0;
}
static const vk_xelem e_hv_vendor_id = {
    "vendor_id", VK_XATTRS(STATE_ATTR, VK_XA("value", token)), NULL, NULL, NULL, 0,
    vendor_id_check
};
static const vk_xelem e_feat_hyperv = {
    "hyperv", VK_XATTRS(VK_XA_ENUM("mode", "custom", "passthrough")),
    VK_XCHILDREN(VK_XC_OPT(e_hv_relaxed), VK_XC_OPT(e_hv_vapic), VK_XC_OPT(e_hv_spinlocks),
                 VK_XC_OPT(e_hv_vpindex), VK_XC_OPT(e_hv_runtime), VK_XC_OPT(e_hv_synic),
                 VK_XC_OPT(e_hv_stimer), VK_XC_OPT(e_hv_reset), VK_XC_OPT(e_hv_vendor_id),
                 VK_XC_OPT(e_hv_frequencies), VK_XC_OPT(e_hv_reenlightenment),
                 VK_XC_OPT(e_hv_tlbflush), VK_XC_OPT(e_hv_ipi), VK_XC_OPT(e_hv_evmcs))
};
FEATURE(e_kvm_hidden, "hidden");
FEATURE(e_kvm_hint_dedicated, "hint-dedicated");
FEATURE(e_kvm_poll_control, "poll-control");
static const vk_xelem e_feat_kvm = {
    "kvm", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_kvm_hidden), VK_XC_OPT(e_kvm_hint_dedicated),
                 VK_XC_OPT(e_kvm_poll_control))
};
static const vk_xelem e_features = {
    "features", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_feat_acpi), VK_XC_OPT(e_feat_apic), VK_XC_OPT(e_feat_pae),
                 VK_XC_OPT(e_feat_hap), VK_XC_OPT(e_feat_privnet), VK_XC_OPT(e_feat_hyperv),
                 VK_XC_OPT(e_feat_kvm), VK_XC_OPT(e_feat_pvspinlock), VK_XC_OPT(e_feat_pmu),
                 VK_XC_OPT(e_feat_vmport), VK_XC_OPT(e_feat_gic), VK_XC_OPT(e_feat_smm),
                 VK_XC_OPT(e_feat_ioapic), VK_XC_OPT(e_feat_vmcoreinfo), VK_XC_OPT(e_feat_htm))
};

/* -------------------------------------------------------------- clock -- */
static int timer_check(const vk_xnode *n)
{
    const char *name = vk_xnode_attr(n, "name");
    bool tsc = vk_streq(name, "tsc");
    if ((vk_xnode_attr(n, "frequency") || vk_xnode_attr(n, "mode")) && !tsc) {
        vk_xml_error(n, "frequency and mode apply only to the tsc timer, not '%s'", name);
        return -1;
    }
    if (vk_xnode_attr(n, "track") && !vk_streq(name, "rtc")) {
        vk_xml_error(n, "track applies only to the rtc timer, not '%s'", name);
        return -1;
    }
    if (vk_xnode_attr(n, "tickpolicy") && (tsc || vk_streq(name, "kvmclock") ||
                                           vk_streq(name, "hypervclock"))) {
        vk_xml_error(n, "tickpolicy does not apply to the %s timer", name);
        return -1;
    }
    return 0;
}
static const vk_xelem e_timer = {
    "timer",
    VK_XATTRS(VK_XA_ENUM_REQ("name", "platform", "pit", "rtc", "hpet", "tsc", "kvmclock",
                             "hypervclock", "armvtimer"),
              VK_XA_ENUM("track", "boot", "guest", "wall", "realtime"),
              VK_XA_ENUM("tickpolicy", "delay", "catchup", "merge", "discard"),
              VK_XA("present", yesno), VK_XA("frequency", ulong),
              VK_XA_ENUM("mode", "auto", "native", "emulate", "paravirt", "smpsafe")),
    NULL, NULL, NULL, 0, timer_check
};
static int clock_check(const vk_xnode *n)
{
    const char *offset = vk_xnode_attr(n, "offset");
    if (vk_streq(offset, "timezone") != (vk_xnode_attr(n, "timezone") != NULL)) {
        vk_xml_error(n, "%s", vk_streq(offset, "timezone")
                                  ? "offset='timezone' needs a 'timezone' attribute"
                                  : "the 'timezone' attribute needs offset='timezone'");
        return -1;
    }
    bool variable = vk_streq(offset, "variable") || vk_streq(offset, "absolute");
    if (vk_xnode_attr(n, "adjustment") && !variable && !vk_streq(offset, "localtime") &&
        !vk_streq(offset, "utc")) {
        vk_xml_error(n, "adjustment does not apply to offset '%s'", offset ? offset : "utc");
        return -1;
    }
    if (vk_xnode_attr(n, "basis") && !vk_streq(offset, "variable")) {
        vk_xml_error(n, "basis applies only to offset='variable'");
        return -1;
    }
    const vk_xnode *dup = vk_schema_find_repeat(n, "timer", "name");
    if (dup) {
        vk_xml_error(dup, "timer '%s' is configured twice", vk_xnode_attr(dup, "name"));
        return -1;
    }
    return 0;
}
static const vk_xelem e_clock = {
    "clock",
    VK_XATTRS(VK_XA_ENUM("offset", "utc", "localtime", "timezone", "variable", "absolute"),
              VK_XA("timezone", token), VK_XA("adjustment", long),
              VK_XA_ENUM("basis", "utc", "localtime")),
    VK_XCHILDREN(VK_XC_ANY(e_timer)), NULL, NULL, 0, clock_check
};

/* ------------------------------------------------ lifecycle, pm, misc -- */
#define LIFECYCLE "destroy", "restart", "preserve", "rename-restart"
static const vk_xelem e_on_poweroff = { "on_poweroff", NULL, NULL, &vk_xt_enum,
                                        VK_XVALUES(LIFECYCLE) };
static const vk_xelem e_on_reboot = { "on_reboot", NULL, NULL, &vk_xt_enum,
                                      VK_XVALUES(LIFECYCLE) };
static const vk_xelem e_on_crash = { "on_crash", NULL, NULL, &vk_xt_enum,
                                     VK_XVALUES(LIFECYCLE, "coredump-destroy",
                                                "coredump-restart") };

static const vk_xelem e_pm_mem = { "suspend-to-mem", VK_XATTRS(VK_XA_REQ("enabled", yesno)) };
static const vk_xelem e_pm_disk = { "suspend-to-disk", VK_XATTRS(VK_XA_REQ("enabled", yesno)) };
static const vk_xelem e_pm = { "pm", NULL, VK_XCHILDREN(VK_XC_OPT(e_pm_mem),
                                                        VK_XC_OPT(e_pm_disk)) };

static const vk_xelem e_sl_label = { "label", NULL, NULL, &vk_xt_string };
static const vk_xelem e_sl_imagelabel = { "imagelabel", NULL, NULL, &vk_xt_string };
static const vk_xelem e_sl_baselabel = { "baselabel", NULL, NULL, &vk_xt_string };
static int seclabel_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    if (vk_streq(type, "static") && !vk_xnode_child(n, "label")) {
        vk_xml_error(n, "a static seclabel needs a <label>");
        return -1;
    }
    if (vk_streq(type, "none") && n->nchildren) {
        vk_xml_error(n, "seclabel type 'none' takes no labels");
        return -1;
    }
    return 0;
}
static const vk_xelem e_seclabel = {
    "seclabel", VK_XATTRS(VK_XA_ENUM("type", "dynamic", "static", "none"), VK_XA("model", token),
                          VK_XA("relabel", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_sl_label), VK_XC_OPT(e_sl_imagelabel), VK_XC_OPT(e_sl_baselabel)),
    NULL, NULL, 0, seclabel_check
};

/* ------------------------------------------------------------- domain -- */
static const vk_xelem e_domain = {
    "domain",
    /* Any identifier: each hypervisor plugin (in-tree or a vendor's)
     * accepts its own types and refuses the rest with a clear error. */
    VK_XATTRS(VK_XA_REQ("type", ident), VK_XA_RUNTIME("id", int)),
    VK_XCHILDREN(VK_XC_ONE(vk_xe_name), VK_XC_OPT(vk_xe_uuid), VK_XC_OPT(vk_xe_title),
                 VK_XC_OPT(vk_xe_description), VK_XC_OPT(vk_xe_metadata), VK_XC_OPT(e_max_memory),
                 VK_XC_ONE(e_memory), VK_XC_OPT(e_current_memory), VK_XC_OPT(e_blkiotune),
                 VK_XC_OPT(e_memtune), VK_XC_OPT(e_memory_backing), VK_XC_OPT(e_vcpu),
                 VK_XC_OPT(e_iothreads), VK_XC_OPT(e_cputune), VK_XC_OPT(e_numatune),
                 VK_XC_OPT(e_resource), VK_XC_OPT(e_sysinfo), VK_XC_OPT(e_os),
                 VK_XC_OPT(e_idmap), VK_XC_OPT(e_features), VK_XC_OPT(e_cpu),
                 VK_XC_OPT(e_clock), VK_XC_OPT(e_on_poweroff), VK_XC_OPT(e_on_reboot),
                 VK_XC_OPT(e_on_crash), VK_XC_OPT(e_pm), VK_XC_OPT(vk_domain_devices),
                 VK_XC_ANY(e_seclabel)),
    NULL, NULL, VK_XE_FOREIGN
};

const vk_xkind vk_domain_kind = {
    .kind = VKP_DEF_DOMAIN,
    .what = "domain",
    .root = &e_domain,
    .validate = vk_domain_validate,
    .defaults = vk_domain_defaults,
    .rng_file = "domain.rng",
};
