/*
 * domain_address.c: device <address> rules and disk target names. One
 * <address> row serves every address type (as in libvirt); this table says
 * which fields each type has, their ranges and the radix they are written
 * in, so "slot='3'" and "slot='0x03'" are the same value after parsing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "domain_priv.h"
#include "error.h"

typedef struct addr_field {
    const char *attr;
    const char *fmt;   /* how it is written; NULL: kept as parsed (enums, usb ports) */
    uint64_t max;
    bool fill;         /* absent means 0 and is written out */
} addr_field;

#define U32 0xffffffffULL
static const struct {
    const char *type;
    addr_field fields[6];
} addr_types[] = {
    { "pci", { { "domain", "0x%04llx", 0xffff, true }, { "bus", "0x%02llx", 0xff, true },
               { "slot", "0x%02llx", 0x1f, true }, { "function", "0x%llx", 7, true },
               { "multifunction", NULL, 0, false } } },
    { "drive", { { "controller", "%llu", U32, true }, { "bus", "%llu", U32, true },
                 { "target", "%llu", U32, true }, { "unit", "%llu", U32, true } } },
    { "virtio-serial", { { "controller", "%llu", U32, true }, { "bus", "%llu", U32, true },
                         { "port", "%llu", U32, false } } },
    { "usb", { { "bus", "%llu", U32, true }, { "port", NULL, 0, false } } },
    { "ccid", { { "controller", "%llu", U32, true }, { "slot", "%llu", U32, true } } },
    { "isa", { { "iobase", "0x%llx", 0xffff, false }, { "irq", "0x%llx", 0xff, false } } },
    { "spapr-vio", { { "reg", "0x%llx", U32, false } } },
    { "ccw", { { "cssid", "0x%llx", 0xfe, false }, { "ssid", "0x%llx", 3, false },
               { "devno", "0x%04llx", 0xffff, false } } },
    { "virtio-mmio", { { NULL } } },
    { "unassigned", { { NULL } } },
};

static const addr_field *addr_fields(const char *type)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(addr_types); i++)
        if (vk_streq(addr_types[i].type, type))
            return addr_types[i].fields;
    return NULL;
}

static const addr_field *addr_field_find(const addr_field *f, const char *attr)
{
    for (; f && f->attr; f++)
        if (vk_streq(f->attr, attr))
            return f;
    return NULL;
}

/* A USB port is a path of hub ports: "1", "1.2", up to four levels. */
static int usb_port_check(const vk_xnode *n, const char *port)
{
    VK_AUTOSTRV parts = vk_strv_split(port, ".");
    size_t np = vk_strv_len(parts);
    bool ok = np >= 1 && np <= 4;
    for (size_t i = 0; ok && i < np; i++) {
        unsigned int p;
        ok = vk_parse_uint(parts[i], &p) == 0 && p >= 1 && p <= 255;
    }
    if (!ok) {
        vk_xml_error(n, "usb port '%s' is not valid; expected hub ports 1-255 joined by '.', "
                        "at most 4 levels (e.g. 1.2)", port);
        return -1;
    }
    return 0;
}

int vk_address_normalise(vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const addr_field *fields = addr_fields(type);
    for (size_t i = 0; i < n->nattrs; i++) {
        const char *an = n->attrs[i].name;
        if (!vk_streq(an, "type") && !addr_field_find(fields, an)) {
            vk_xml_error(n, "attribute '%s' does not apply to address type '%s'", an, type);
            return -1;
        }
    }
    for (const addr_field *f = fields; f && f->attr; f++) {
        const char *v = vk_xnode_attr(n, f->attr);
        if (!f->fmt) {
            if (v && vk_streq(type, "usb") && usb_port_check(n, v) < 0)
                return -1;
            continue;
        }
        if (!v && !f->fill)
            continue;
        uint64_t x = 0;
        if (v && (vk_parse_u64(v, 0, &x) < 0 || x > f->max)) {
            vk_xml_error(n, "%s address %s %s is out of range (0-%#llx)", type, f->attr, v,
                         (unsigned long long)f->max);
            return -1;
        }
        char buf[32];
        snprintf(buf, sizeof(buf), f->fmt, (unsigned long long)x);
        vk_xnode_set_attr(n, f->attr, buf);
    }
    return 0;
}

int vk_address_check(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    if (vk_streq(type, "ccw")) {
        int given = !!vk_xnode_attr(n, "cssid") + !!vk_xnode_attr(n, "ssid") +
                    !!vk_xnode_attr(n, "devno");
        if (given != 0 && given != 3) {
            vk_xml_error(n, "a ccw address needs all of cssid, ssid and devno, or none");
            return -1;
        }
    }
    if (vk_streq(type, "pci") && vk_streq(vk_xnode_attr(n, "multifunction"), "on") &&
        !vk_streq(vk_xnode_attr(n, "function"), "0x0")) {
        vk_xml_error(n, "multifunction='on' belongs on function 0 of a slot");
        return -1;
    }
    return 0;
}

bool vk_address_pci_empty(const vk_xnode *a)
{
    static const char *const f[] = { "domain", "bus", "slot", "function" };
    if (!vk_streq(vk_xnode_attr(a, "type"), "pci"))
        return false;
    for (size_t i = 0; i < VK_ARRAY_LEN(f); i++) {
        uint64_t v;
        if (vk_parse_u64(vk_xnode_attr(a, f[i]), 0, &v) < 0 || v)
            return false;
    }
    return true;
}

char *vk_address_key(const vk_xnode *a, const char *bus_kind)
{
    if (vk_address_pci_empty(a))
        return NULL;
    const char *type = vk_xnode_attr(a, "type");
    uint64_t v[4] = { 0 };
    static const struct {
        const char *type;
        const char *f[4];
    } keys[] = {
        { "pci", { "domain", "bus", "slot", "function" } },
        { "drive", { "controller", "bus", "target", "unit" } },
        { "virtio-serial", { "controller", "bus", "port" } },
        { "ccid", { "controller", "slot" } },
        { "isa", { "iobase" } },
        { "ccw", { "cssid", "ssid", "devno" } },
        { "spapr-vio", { "reg" } },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(keys); i++) {
        if (!vk_streq(keys[i].type, type))
            continue;
        for (size_t f = 0; f < 4 && keys[i].f[f]; f++) {
            const char *s = vk_xnode_attr(a, keys[i].f[f]);
            if (!s)
                return NULL; /* not fully assigned: nothing to collide with yet */
            vk_parse_u64(s, 0, &v[f]);
        }
        if (vk_streq(type, "pci"))
            return vk_asprintf("pci %04llx:%02llx:%02llx.%llx", (unsigned long long)v[0],
                               (unsigned long long)v[1], (unsigned long long)v[2],
                               (unsigned long long)v[3]);
        if (vk_streq(type, "drive"))
            return vk_asprintf("drive %s controller %llu bus %llu target %llu unit %llu",
                               bus_kind ? bus_kind : "", (unsigned long long)v[0],
                               (unsigned long long)v[1], (unsigned long long)v[2],
                               (unsigned long long)v[3]);
        return vk_asprintf("%s %llx:%llx:%llx", type, (unsigned long long)v[0],
                           (unsigned long long)v[1], (unsigned long long)v[2]);
    }
    if (vk_streq(type, "usb") && vk_xnode_attr(a, "port"))
        return vk_asprintf("usb bus %s port %s", vk_xnode_attr(a, "bus"),
                           vk_xnode_attr(a, "port"));
    return NULL;
}

/* Target name prefixes, longest first so "xvda" is not read as "x"+... */
static const struct {
    const char *prefix;
    const char *bus;
} disk_prefixes[] = {
    { "xvd", "xen" }, { "vd", "virtio" }, { "sd", "scsi" }, { "hd", "ide" }, { "fd", "fdc" },
};

long vk_disk_name_index(const char *dev, size_t *prefix_len)
{
    if (!dev)
        return -1;
    for (size_t i = 0; i < VK_ARRAY_LEN(disk_prefixes); i++) {
        size_t pl = strlen(disk_prefixes[i].prefix);
        if (strncmp(dev, disk_prefixes[i].prefix, pl) != 0)
            continue;
        const char *p = dev + pl;
        if (!*p || strlen(p) > 4)
            return -1;
        long idx = 0;
        /* bijective base 26: a=0 .. z=25, aa=26 */
        for (size_t k = 0; p[k]; k++) {
            if (p[k] < 'a' || p[k] > 'z')
                return -1;
            idx = (idx + (k ? 1 : 0)) * 26 + (p[k] - 'a');
        }
        if (prefix_len)
            *prefix_len = pl;
        return idx;
    }
    return -1;
}

const char *vk_disk_bus_for_name(const char *dev)
{
    for (size_t i = 0; dev && i < VK_ARRAY_LEN(disk_prefixes); i++)
        if (vk_str_has_prefix(dev, disk_prefixes[i].prefix))
            return disk_prefixes[i].bus;
    return NULL;
}
