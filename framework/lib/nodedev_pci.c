/*
 * nodedev_pci.c: PCI devices from /sys/bus/pci/devices: class, ids and
 * names, driver, IOMMU group, NUMA node, PCIe link, bridges and SR-IOV.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_sysfs.h"
#include "nodedev_db.h"

typedef struct {
    unsigned int domain, bus, slot, function;
} pci_addr;

static bool parse_bdf(const char *s, pci_addr *a)
{
    char tail;
    return s && sscanf(s, "%x:%x:%x.%x%c", &a->domain, &a->bus, &a->slot, &a->function,
                       &tail) == 4 &&
           a->bus < 256 && a->slot < 32 && a->function < 8;
}

static void add_address(vk_hx *b, vk_xnode *parent, const pci_addr *a)
{
    vk_xnode *x = vk_hx_add(b, parent, "address");
    vk_hx_attr(b, x, "domain", "0x%04x", a->domain);
    vk_hx_attr(b, x, "bus", "0x%02x", a->bus);
    vk_hx_attr(b, x, "slot", "0x%02x", a->slot);
    vk_hx_attr(b, x, "function", "0x%x", a->function);
}

/* <product id=...>name</product> or <vendor ...>: the name from pci.ids
 * when known, else an empty element with just the id. */
static void add_id(vk_hx *b, vk_xnode *cap, const char *elem, unsigned int id, char *name)
{
    vk_xnode *x = vk_hx_add(b, cap, elem);
    vk_hx_attr(b, x, "id", "0x%04x", id);
    if (name)
        vk_hx_text(b, x, "%s", name);
    free(name);
}

static int add_iommu_group(vk_ndev *d, vk_xnode *cap, const char *sys)
{
    VK_AUTOFREE(char *) grp = vk_hostfs_link_name("%s/iommu_group", sys);
    unsigned int g;
    if (!grp)
        return 0;
    if (vk_parse_uint(grp, &g) < 0) {
        VK_AUTOFREE(char *) rel = vk_asprintf("%s/iommu_group", sys);
        vk_hostfs_parse_error(rel, "group '%s' is not a number", grp);
        return -1;
    }
    vk_xnode *x = vk_hx_add(&d->xml, cap, "iommuGroup");
    vk_hx_attr(&d->xml, x, "number", "%u", g);
    VK_AUTOSTRV members = vk_hostfs_list("", "/sys/kernel/iommu_groups/%u/devices", g);
    for (size_t i = 0; members[i]; i++) {
        pci_addr a;
        if (parse_bdf(members[i], &a))
            add_address(&d->xml, x, &a);
    }
    if (!members[0]) { /* group directory missing: the device is its only member */
        pci_addr a;
        const char *base = strrchr(sys, '/');
        if (base && parse_bdf(base + 1, &a))
            add_address(&d->xml, x, &a);
    }
    return 0;
}

/* "8.0 GT/s PCIe" -> "8", "2.5 GT/s" -> "2.5"; NULL for "Unknown". */
static char *link_speed(const char *s)
{
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || end == s || v <= 0)
        return NULL;
    return vk_asprintf("%g", v);
}

static int add_pcie(vk_ndev *d, vk_xnode *cap, const char *sys)
{
    static const struct {
        const char *validity, *speed, *width;
    } links[] = {
        { "cap", "max_link_speed", "max_link_width" },
        { "sta", "current_link_speed", "current_link_width" },
    };
    vk_xnode *pcie = NULL;
    for (size_t i = 0; i < VK_ARRAY_LEN(links); i++) {
        VK_AUTOFREE(char *) speed_raw = NULL;
        uint64_t width;
        int r;
        if (vk_ndev_attr(&speed_raw, sys, links[i].speed) < 0 ||
            (r = vk_hostfs_u64_opt(&width, 10, "%s/%s", sys, links[i].width)) < 0)
            return -1;
        VK_AUTOFREE(char *) speed = link_speed(speed_raw);
        if (r == 0 || width == 0 || width > UINT32_MAX)
            continue; /* not PCIe, or link down */
        if (!pcie)
            pcie = vk_hx_add(&d->xml, cap, "pci-express");
        vk_xnode *l = vk_hx_add(&d->xml, pcie, "link");
        vk_hx_attr(&d->xml, l, "validity", "%s", links[i].validity);
        if (speed)
            vk_hx_attr(&d->xml, l, "speed", "%s", speed);
        vk_hx_attr(&d->xml, l, "width", "%llu", (unsigned long long)width);
    }
    return 0;
}

/* Bridges and SR-IOV, as sub-capabilities. */
static int add_subcaps(vk_ndev *d, vk_xnode *cap, const char *sys, unsigned int cls)
{
    VK_AUTOFREE(char *) pf = vk_hostfs_resolve("%s/physfn", sys);
    if (pf) {
        pci_addr a;
        if (parse_bdf(strrchr(pf, '/') + 1, &a)) {
            vk_xnode *s = vk_hx_add(&d->xml, cap, "capability");
            vk_hx_attr(&d->xml, s, "type", "phys_function");
            add_address(&d->xml, s, &a);
        }
    }
    uint64_t total = 0;
    int r = vk_hostfs_u64_opt(&total, 10, "%s/sriov_totalvfs", sys);
    if (r < 0)
        return -1;
    if (r > 0 && total > 0 && total <= UINT32_MAX) {
        vk_xnode *s = vk_hx_add(&d->xml, cap, "capability");
        vk_hx_attr(&d->xml, s, "type", "virt_functions");
        vk_hx_attr(&d->xml, s, "maxCount", "%llu", (unsigned long long)total);
        VK_AUTOSTRV vfs = vk_hostfs_list("virtfn", "%s", sys);
        for (size_t i = 0; vfs[i]; i++) {
            VK_AUTOFREE(char *) vf = vk_hostfs_resolve("%s/%s", sys, vfs[i]);
            pci_addr a;
            if (vf && parse_bdf(strrchr(vf, '/') + 1, &a))
                add_address(&d->xml, s, &a);
        }
    }
    const char *bridge = (cls >> 8) == 0x0604 ? "pci-bridge"
                         : (cls >> 8) == 0x0607 ? "cardbus-bridge"
                                                : NULL;
    if (bridge)
        vk_hx_attr(&d->xml, vk_hx_add(&d->xml, cap, "capability"), "type", "%s", bridge);
    return 0;
}

static int scan_one(vk_ndev_db *db, const char *entry)
{
    pci_addr a;
    if (!parse_bdf(entry, &a)) {
        VK_AUTOFREE(char *) rel = vk_asprintf("/sys/bus/pci/devices/%s", entry);
        vk_hostfs_parse_error(rel, "'%s' is not a PCI address", entry);
        return -1;
    }
    VK_AUTOFREE(char *) sys = vk_hostfs_resolve("/sys/bus/pci/devices/%s", entry);
    if (!sys)
        return 0; /* removed while we looked */
    unsigned int cls = 0, vendor = 0, device = 0;
    int rc, rv, rd;
    if ((rc = vk_ndev_hex_attr(&cls, sys, "class")) < 0 ||
        (rv = vk_ndev_hex_attr(&vendor, sys, "vendor")) < 0 ||
        (rd = vk_ndev_hex_attr(&device, sys, "device")) < 0)
        return -1;
    if (!rv || !rd) {
        VK_AUTOFREE(char *) path = vk_hostfs_path(sys);
        vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_NODEDEV,
                     "PCI device %s: %s has no vendor/device id files", entry, path);
        return -1;
    }
    vk_xnode *cap;
    vk_ndev *d = vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_PCI_DEV, "pci", &cap,
                             "pci_%04x_%02x_%02x_%x", a.domain, a.bus, a.slot, a.function);
    vk_ndev_add_driver(d, sys);
    if (rc)
        vk_hx_leaf(&d->xml, cap, "class", "0x%06x", cls);
    vk_hx_leaf(&d->xml, cap, "domain", "%u", a.domain);
    vk_hx_leaf(&d->xml, cap, "bus", "%u", a.bus);
    vk_hx_leaf(&d->xml, cap, "slot", "%u", a.slot);
    vk_hx_leaf(&d->xml, cap, "function", "%u", a.function);
    add_id(&d->xml, cap, "product", device, vk_ids_product(VK_IDS_PCI, vendor, device));
    add_id(&d->xml, cap, "vendor", vendor, vk_ids_vendor(VK_IDS_PCI, vendor));
    if (add_subcaps(d, cap, sys, cls) < 0 || add_iommu_group(d, cap, sys) < 0)
        return -1;
    int64_t node;
    int r = vk_hostfs_i64_opt(&node, 10, "%s/numa_node", sys);
    if (r < 0)
        return -1;
    if (r > 0 && node >= 0 && node <= INT32_MAX) /* -1: no affinity */
        vk_hx_attr(&d->xml, vk_hx_add(&d->xml, cap, "numa"), "node", "%lld", (long long)node);
    return add_pcie(d, cap, sys);
}

int vk_ndev_scan_pci(vk_ndev_db *db)
{
    VK_AUTOSTRV entries = vk_hostfs_list("", "/sys/bus/pci/devices");
    for (size_t i = 0; entries[i]; i++)
        if (scan_one(db, entries[i]) < 0)
            return -1;
    return 0;
}
