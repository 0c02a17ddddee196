/*
 * domain_validate.c: the domain kind's semantic checks, the rules that
 * look across elements: memory sizes against each other, vcpu counts
 * against pinning, topology and NUMA cells, the OS type against the domain
 * type, and among devices everything that must be unique (targets, MACs,
 * aliases, boot orders, addresses). Each error names the element, its line
 * and the value (vk_xml_error adds "domain 'NAME' XML line N").
 *
 * The same checks run again after the defaults step, so an address or
 * controller it adds never clashes with one the user wrote.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "domain_priv.h"
#include "error.h"

const char *vk_domain_machine_family(const vk_xnode *dom)
{
    const char *type = vk_xnode_attr(dom, "type");
    if (!vk_streq(type, "qemu") && !vk_streq(type, "kvm"))
        return NULL;
    const vk_xnode *ot = vk_xnode_child(vk_xnode_child(dom, "os"), "type");
    const char *arch = vk_xnode_attr(ot, "arch");
    if (arch && !vk_streq(arch, "x86_64") && !vk_streq(arch, "i686"))
        return NULL;
    const char *m = vk_xnode_attr(ot, "machine");
    if (!m || vk_streq(m, "pc") || vk_str_has_prefix(m, "pc-i440fx") ||
        (vk_str_has_prefix(m, "pc-") && !vk_str_has_prefix(m, "pc-q35")))
        return "pc";
    if (vk_streq(m, "q35") || vk_str_has_prefix(m, "pc-q35"))
        return "q35";
    return NULL;
}

/* "disk 'vda' (line 12)": how messages name a device. */
static char *dev_desc(const vk_xnode *dev)
{
    const char *id = NULL;
    VK_AUTOFREE(char *) line = dev->line ? vk_asprintf(" (line %d)", dev->line) : vk_strdup("");
    if (vk_streq(dev->name, "disk"))
        id = vk_xnode_attr(vk_xnode_child(dev, "target"), "dev");
    else if (vk_streq(dev->name, "interface"))
        id = vk_xnode_attr(vk_xnode_child(dev, "mac"), "address");
    else if (vk_streq(dev->name, "controller"))
        return vk_asprintf("%s controller%s%s%s", vk_xnode_attr(dev, "type"),
                           vk_xnode_attr(dev, "index") ? " " : "",
                           vk_xnode_attr(dev, "index") ? vk_xnode_attr(dev, "index") : "", line);
    return id ? vk_asprintf("%s '%s'%s", dev->name, id, line)
              : vk_asprintf("<%s>%s", dev->name, line);
}

/* ---------------------------------------------------- uniqueness sets -- */

typedef struct ukey {
    char *key;
    const vk_xnode *node;   /* NULL for a built-in device */
    const char *builtin;    /* what occupies the key then */
} ukey;

typedef struct ukeys {
    ukey *v;
    size_t n, cap;
} ukeys;

static void ukeys_free(ukeys *u)
{
    for (size_t i = 0; i < u->n; i++)
        free(u->v[i].key);
    free(u->v);
}
#define VK_AUTOUKEYS __attribute__((cleanup(ukeys_free))) ukeys

/* Adds key (owned) for node; returns the earlier entry with the same key,
 * or NULL. Sets are small (devices of one domain): a scan is enough. */
static const ukey *ukeys_add(ukeys *u, char *key, const vk_xnode *node, const char *builtin)
{
    if (!key)
        return NULL;
    for (size_t i = 0; i < u->n; i++) {
        if (vk_streq(u->v[i].key, key)) {
            free(key);
            return &u->v[i];
        }
    }
    VK_GROW(u->v, u->cap, u->n);
    u->v[u->n++] = (ukey){ key, node, builtin };
    return NULL;
}

/* "<what> <key> is used by two devices: A and B", reported at `at` (the
 * element of the second device that carries the value). */
static int dup_error(const vk_xnode *at, const vk_xnode *dev, const ukey *first,
                     const char *what)
{
    VK_AUTOFREE(char *) a = first->node ? dev_desc(first->node) : vk_strdup(first->builtin);
    VK_AUTOFREE(char *) b = dev_desc(dev);
    vk_xml_error(at, "%s %s is used by two devices: %s and %s", what, first->key, a, b);
    return -1;
}

/* ------------------------------------------------------------- memory -- */

#define MIN_MEMORY_KIB 1024ULL
#define MAX_VCPUS 4096u

static uint64_t node_u64(const vk_xnode *n)
{
    uint64_t v = 0;
    if (n && n->text)
        vk_parse_u64(n->text, 10, &v);
    return v;
}

static int validate_memory(const vk_xnode *d)
{
    const vk_xnode *m = vk_xnode_child(d, "memory");
    uint64_t mem = node_u64(m);
    if (mem < MIN_MEMORY_KIB) {
        vk_xml_error(m, "memory %llu KiB is below the minimum of %llu KiB",
                     (unsigned long long)mem, MIN_MEMORY_KIB);
        return -1;
    }
    const vk_xnode *c = vk_xnode_child(d, "currentMemory");
    if (c && node_u64(c) > mem) {
        vk_xml_error(c, "currentMemory %llu KiB exceeds memory %llu KiB",
                     (unsigned long long)node_u64(c), (unsigned long long)mem);
        return -1;
    }
    if (c && node_u64(c) == 0) {
        vk_xml_error(c, "currentMemory must not be 0");
        return -1;
    }
    const vk_xnode *mx = vk_xnode_child(d, "maxMemory");
    if (mx && node_u64(mx) < mem) {
        vk_xml_error(mx, "maxMemory %llu KiB is below memory %llu KiB",
                     (unsigned long long)node_u64(mx), (unsigned long long)mem);
        return -1;
    }
    const vk_xnode *mb = vk_xnode_child(d, "memoryBacking");
    const vk_xnode *hp = vk_xnode_child(mb, "hugepages");
    for (size_t i = 0; i < vk_xnode_count(hp, "page"); i++) {
        const vk_xnode *p = vk_xnode_child_nth(hp, "page", i);
        uint64_t size = 0;
        vk_parse_u64(vk_xnode_attr(p, "size"), 10, &size);
        if (size == 0 || (size & (size - 1))) {
            vk_xml_error(p, "hugepage size %llu KiB is not a power of two",
                         (unsigned long long)size);
            return -1;
        }
    }
    return 0;
}

/* --------------------------------------------------------------- cpus -- */

static unsigned int domain_vcpus(const vk_xnode *d)
{
    unsigned int n = 1;
    const vk_xnode *v = vk_xnode_child(d, "vcpu");
    if (v && v->text)
        vk_parse_uint(v->text, &n);
    return n;
}

/* The CPUs a cpuset attribute selects, as a bitmap of `nbits`. */
static int cpuset_bits(const vk_xnode *n, const char *attr, uint8_t *bits, size_t nbits)
{
    char *why = NULL;
    if (vk_cpuset_parse(vk_xnode_attr(n, attr), bits, nbits, &why) < 0) {
        vk_xml_error(n, "%s '%s' is not valid: %s", attr, vk_xnode_attr(n, attr), why);
        free(why);
        return -1;
    }
    return 0;
}

static long highest_bit(const uint8_t *bits, size_t nbits)
{
    for (size_t i = nbits; i-- > 0;)
        if (bits[i / 8] & (1u << (i % 8)))
            return (long)i;
    return -1;
}

#define CPUBITS 16384

static int validate_vcpus(const vk_xnode *d)
{
    const vk_xnode *v = vk_xnode_child(d, "vcpu");
    unsigned int n = domain_vcpus(d);
    if (v && (n == 0 || n > MAX_VCPUS)) {
        vk_xml_error(v, "vcpu count %u is out of range (1-%u)", n, MAX_VCPUS);
        return -1;
    }
    const char *cs = vk_xnode_attr(v, "current");
    unsigned int cur;
    if (cs && vk_parse_uint(cs, &cur) == 0 && (cur == 0 || cur > n)) {
        vk_xml_error(v, "current vcpus %u must be between 1 and %u", cur, n);
        return -1;
    }
    if (vk_streq(vk_xnode_attr(v, "placement"), "auto") && vk_xnode_attr(v, "cpuset")) {
        vk_xml_error(v, "cpuset cannot be given with placement='auto'");
        return -1;
    }

    const vk_xnode *ct = vk_xnode_child(d, "cputune");
    VK_AUTOUKEYS pins = { 0 };
    for (size_t i = 0; i < vk_xnode_count(ct, "vcpupin"); i++) {
        const vk_xnode *p = vk_xnode_child_nth(ct, "vcpupin", i);
        const char *vc = vk_xnode_attr(p, "vcpu");
        unsigned int idx = 0;
        vk_parse_uint(vc, &idx);
        if (idx >= n) {
            vk_xml_error(p, "vcpupin vcpu %u does not exist (the domain has %u vcpus)", idx, n);
            return -1;
        }
        if (ukeys_add(&pins, vk_strdup(vc), p, NULL)) {
            vk_xml_error(p, "vcpu %u is pinned twice", idx);
            return -1;
        }
    }
    unsigned int iothreads = 0;
    const vk_xnode *it = vk_xnode_child(d, "iothreads");
    if (it)
        vk_parse_uint(it->text, &iothreads);
    for (size_t i = 0; i < vk_xnode_count(ct, "iothreadpin"); i++) {
        const vk_xnode *p = vk_xnode_child_nth(ct, "iothreadpin", i);
        unsigned int idx = 0;
        vk_parse_uint(vk_xnode_attr(p, "iothread"), &idx);
        if (idx == 0 || idx > iothreads) {
            vk_xml_error(p, "iothreadpin iothread %u does not exist (iothreads are numbered "
                            "1 to %u)", idx, iothreads);
            return -1;
        }
    }

    const vk_xnode *cpu = vk_xnode_child(d, "cpu");
    const vk_xnode *topo = vk_xnode_child(cpu, "topology");
    if (topo && v) {
        static const char *const f[] = { "sockets", "dies", "cores", "threads" };
        uint64_t prod = 1;
        for (size_t i = 0; i < VK_ARRAY_LEN(f); i++) {
            unsigned int x = 1;
            if (vk_xnode_attr(topo, f[i]))
                vk_parse_uint(vk_xnode_attr(topo, f[i]), &x);
            prod *= x;
        }
        if (prod != n) {
            vk_xml_error(topo, "the topology gives %llu CPUs but the domain has %u vcpus",
                         (unsigned long long)prod, n);
            return -1;
        }
    }
    return 0;
}

static int validate_numa(const vk_xnode *d)
{
    const vk_xnode *numa = vk_xnode_child(vk_xnode_child(d, "cpu"), "numa");
    size_t ncells = vk_xnode_count(numa, "cell");
    unsigned int vcpus = domain_vcpus(d);
    VK_AUTOFREE(uint8_t *) used = vk_alloc(CPUBITS / 8);
    VK_AUTOFREE(uint8_t *) bits = vk_alloc(CPUBITS / 8);
    uint64_t total = 0;
    for (size_t i = 0; i < ncells; i++) {
        const vk_xnode *c = vk_xnode_child_nth(numa, "cell", i);
        const char *id = vk_xnode_attr(c, "id");
        unsigned int idv = (unsigned int)i;
        if (id)
            vk_parse_uint(id, &idv);
        if (idv != i) {
            vk_xml_error(c, "NUMA cell id %u is out of order; cells are numbered 0 to %zu in "
                            "order", idv, ncells - 1);
            return -1;
        }
        if (vk_xnode_attr(c, "cpus")) {
            if (cpuset_bits(c, "cpus", bits, CPUBITS) < 0)
                return -1;
            long hi = highest_bit(bits, CPUBITS);
            if (hi >= (long)vcpus) {
                vk_xml_error(c, "NUMA cell %u has CPU %ld but the domain has %u vcpus", idv, hi,
                             vcpus);
                return -1;
            }
            for (size_t b = 0; b < CPUBITS / 8; b++) {
                if (used[b] & bits[b]) {
                    vk_xml_error(c, "NUMA cell %u shares CPUs with an earlier cell", idv);
                    return -1;
                }
                used[b] |= bits[b];
            }
        }
        uint64_t mem = 0;
        vk_parse_u64(vk_xnode_attr(c, "memory"), 10, &mem);
        if (mem == 0) {
            vk_xml_error(c, "NUMA cell %u has no memory", idv);
            return -1;
        }
        total += mem;
        const vk_xnode *dist = vk_xnode_child(c, "distances");
        for (size_t s = 0; s < vk_xnode_count(dist, "sibling"); s++) {
            const vk_xnode *sib = vk_xnode_child_nth(dist, "sibling", s);
            unsigned int sid = 0, val = 0;
            vk_parse_uint(vk_xnode_attr(sib, "id"), &sid);
            vk_parse_uint(vk_xnode_attr(sib, "value"), &val);
            if (sid >= ncells || val < 10 || val > 255 || (sid == idv) != (val == 10)) {
                vk_xml_error(sib, "distance %u to cell %u is not valid (cells 0-%zu; 10 to "
                                  "itself, 11-255 to others)", val, sid, ncells - 1);
                return -1;
            }
        }
    }
    const vk_xnode *m = vk_xnode_child(d, "memory");
    if (ncells && total != node_u64(m)) {
        vk_xml_error(m, "memory %llu KiB differs from the %llu KiB of the NUMA cells",
                     (unsigned long long)node_u64(m), (unsigned long long)total);
        return -1;
    }
    const vk_xnode *nt = vk_xnode_child(d, "numatune");
    VK_AUTOUKEYS cells = { 0 };
    for (size_t i = 0; i < vk_xnode_count(nt, "memnode"); i++) {
        const vk_xnode *mn = vk_xnode_child_nth(nt, "memnode", i);
        unsigned int cid = 0;
        vk_parse_uint(vk_xnode_attr(mn, "cellid"), &cid);
        if (cid >= ncells) {
            vk_xml_error(mn, "memnode cellid %u does not exist (the domain has %zu NUMA cells)",
                         cid, ncells);
            return -1;
        }
        if (ukeys_add(&cells, vk_strdup(vk_xnode_attr(mn, "cellid")), mn, NULL)) {
            vk_xml_error(mn, "memnode cellid %u is tuned twice", cid);
            return -1;
        }
    }
    return 0;
}

/* ----------------------------------------------------------------- os -- */

/* The OS types each domain type runs; a missing <os> is filled in by the
 * defaults step where the choice is unambiguous (hvm for qemu/kvm, exe
 * for lxc), so only xen insists. */
static const struct {
    const char *domain_type;
    const char *const *os_types;
    bool needs_os;
} os_rules[] = {
    { "qemu", VK_XVALUES("hvm"), false },
    { "kvm", VK_XVALUES("hvm"), false },
    { "xen", VK_XVALUES("xen", "linux", "hvm", "xenpvh"), true },
    { "lxc", VK_XVALUES("exe"), false },
    { "test", VK_XVALUES("hvm", "xen", "linux", "xenpvh", "exe"), false },
};

static int validate_os(const vk_xnode *d)
{
    const char *type = vk_xnode_attr(d, "type");
    const vk_xnode *os = vk_xnode_child(d, "os");
    const vk_xnode *ot = vk_xnode_child(os, "type");
    for (size_t i = 0; i < VK_ARRAY_LEN(os_rules); i++) {
        if (!vk_streq(os_rules[i].domain_type, type))
            continue;
        if (!os && os_rules[i].needs_os) {
            vk_xml_error(d, "a domain of type '%s' needs <os><type>: xen (paravirtual), hvm "
                            "or xenpvh", type);
            return -1;
        }
        if (ot && !vk_strv_contains(os_rules[i].os_types, ot->text)) {
            VK_AUTOFREE(char *) list = vk_strv_join((char **)os_rules[i].os_types, ", ");
            vk_xml_error(ot, "os type '%s' does not apply to a domain of type '%s' (expected %s)",
                         ot->text, type, list);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ devices -- */

/* The bus a disk is on: its target's bus, or the one its name implies. */
static const char *disk_bus(const vk_xnode *disk)
{
    const vk_xnode *t = vk_xnode_child(disk, "target");
    const char *bus = vk_xnode_attr(t, "bus");
    return bus ? bus : vk_disk_bus_for_name(vk_xnode_attr(t, "dev"));
}

/* Address types each disk bus accepts. */
static const struct {
    const char *bus;
    const char *const *types;
} disk_addr_rules[] = {
    { "ide", VK_XVALUES("drive") },  { "sata", VK_XVALUES("drive") },
    { "scsi", VK_XVALUES("drive") }, { "fdc", VK_XVALUES("drive") },
    { "usb", VK_XVALUES("usb") },    { "virtio", VK_XVALUES("pci", "ccw", "virtio-mmio") },
    { "xen", VK_XVALUES("unassigned") }, { "sd", VK_XVALUES("unassigned") },
};

static int check_disk_address(const vk_xnode *disk)
{
    const vk_xnode *a = vk_xnode_child(disk, "address");
    const char *bus = disk_bus(disk);
    if (!a || !bus)
        return 0;
    const char *at = vk_xnode_attr(a, "type");
    for (size_t i = 0; i < VK_ARRAY_LEN(disk_addr_rules); i++) {
        if (vk_streq(disk_addr_rules[i].bus, bus) &&
            !vk_strv_contains(disk_addr_rules[i].types, at)) {
            vk_xml_error(a, "a disk on the %s bus cannot have a '%s' address", bus, at);
            return -1;
        }
    }
    return 0;
}

/* Slots the chipset itself occupies, per machine family. */
static const struct {
    const char *family;
    const char *key;
    const char *what;
} builtin_pci[] = {
    { "pc", "pci 0000:00:00.0", "the i440FX host bridge" },
    { "pc", "pci 0000:00:01.0", "the PIIX3 ISA bridge" },
    { "pc", "pci 0000:00:01.3", "the PIIX4 power management device" },
    { "q35", "pci 0000:00:00.0", "the Q35 host bridge" },
    { "q35", "pci 0000:00:1f.0", "the ICH9 LPC bridge" },
    { "q35", "pci 0000:00:1f.3", "the ICH9 SMBus controller" },
};

static int check_pci_bus(const vk_xnode *d, const vk_xnode *a)
{
    uint64_t bus = 0;
    if (!vk_streq(vk_xnode_attr(a, "type"), "pci") ||
        vk_parse_u64(vk_xnode_attr(a, "bus"), 0, &bus) < 0 || bus == 0)
        return 0;
    const vk_xnode *devs = vk_xnode_child(d, "devices");
    for (size_t i = 0; i < vk_xnode_count(devs, "controller"); i++) {
        const vk_xnode *c = vk_xnode_child_nth(devs, "controller", i);
        uint64_t idx;
        if (vk_streq(vk_xnode_attr(c, "type"), "pci") &&
            vk_parse_u64(vk_xnode_attr(c, "index"), 10, &idx) == 0 && idx == bus)
            return 0;
    }
    vk_xml_error(a, "PCI bus %#llx does not exist: no <controller type='pci' index='%llu'>",
                 (unsigned long long)bus, (unsigned long long)bus);
    return -1;
}

static int check_addresses(const vk_xnode *d)
{
    const vk_xnode *devs = vk_xnode_child(d, "devices");
    const char *family = vk_domain_machine_family(d);
    VK_AUTOUKEYS addrs = { 0 };
    for (size_t i = 0; family && i < VK_ARRAY_LEN(builtin_pci); i++)
        if (vk_streq(builtin_pci[i].family, family))
            ukeys_add(&addrs, vk_strdup(builtin_pci[i].key), NULL, builtin_pci[i].what);
    for (size_t i = 0; devs && i < devs->nchildren; i++) {
        const vk_xnode *dev = devs->children[i];
        const vk_xnode *a = vk_xnode_child(dev, "address");
        if (!a || !dev->schema)
            continue;
        if (vk_streq(dev->name, "disk") && check_disk_address(dev) < 0)
            return -1;
        if (family && check_pci_bus(d, a) < 0)
            return -1;
        const char *bus_kind = vk_streq(dev->name, "disk") ? disk_bus(dev) : NULL;
        const ukey *first = ukeys_add(&addrs, vk_address_key(a, bus_kind), dev, NULL);
        if (first)
            return dup_error(a, dev, first, "address");
    }
    return 0;
}

/* One pass over devices for every "must be unique" rule. */
static int check_unique(const vk_xnode *d)
{
    const vk_xnode *devs = vk_xnode_child(d, "devices");
    VK_AUTOUKEYS targets = { 0 };
    VK_AUTOUKEYS macs = { 0 };
    VK_AUTOUKEYS aliases = { 0 };
    VK_AUTOUKEYS boots = { 0 };
    VK_AUTOUKEYS ctrls = { 0 };
    VK_AUTOUKEYS serials = { 0 };
    VK_AUTOUKEYS consoles = { 0 };
    VK_AUTOUKEYS channels = { 0 };
    VK_AUTOUKEYS graphics = { 0 };
    VK_AUTOUKEYS hostdevs = { 0 };
    VK_AUTOUKEYS fstargets = { 0 };
    const ukey *first;
    bool os_boot = vk_xnode_child(vk_xnode_child(d, "os"), "boot") != NULL;
    size_t primaries = 0, videos = 0, video_none = 0;

    for (size_t i = 0; devs && i < devs->nchildren; i++) {
        const vk_xnode *dev = devs->children[i];
        const char *kind = dev->name;
        if (!dev->schema)
            continue;
        const vk_xnode *alias = vk_xnode_child(dev, "alias");
        if (alias && (first = ukeys_add(&aliases, vk_strdup(vk_xnode_attr(alias, "name")), dev,
                                        NULL)))
            return dup_error(alias, dev, first, "alias");
        const vk_xnode *boot = vk_xnode_child(dev, "boot");
        if (boot && os_boot) {
            vk_xml_error(boot, "per-device boot order cannot be combined with <os><boot>");
            return -1;
        }
        if (boot && vk_streq(vk_xnode_attr(boot, "order"), "0")) {
            vk_xml_error(boot, "boot order must be at least 1");
            return -1;
        }
        if (boot && (first = ukeys_add(&boots, vk_strdup(vk_xnode_attr(boot, "order")), dev,
                                       NULL)))
            return dup_error(boot, dev, first, "boot order");

        const vk_xnode *tgt = vk_xnode_child(dev, "target");
        if (vk_streq(kind, "disk")) {
            if ((first = ukeys_add(&targets, vk_strdup(vk_xnode_attr(tgt, "dev")), dev, NULL))) {
                vk_xml_error(tgt, "target dev '%s' is used by two disks (lines %d and %d)",
                             first->key, first->node->line, dev->line);
                return -1;
            }
        } else if (vk_streq(kind, "interface")) {
            const vk_xnode *mac = vk_xnode_child(dev, "mac");
            if (mac && (first = ukeys_add(&macs, vk_strdup(vk_xnode_attr(mac, "address")), dev,
                                          NULL))) {
                vk_xml_error(mac, "MAC address %s is used by two interfaces (lines %d and %d)",
                             first->key, first->node->line, dev->line);
                return -1;
            }
        } else if (vk_streq(kind, "controller")) {
            const char *idx = vk_xnode_attr(dev, "index");
            if (idx && (first = ukeys_add(&ctrls, vk_asprintf("%s %s", vk_xnode_attr(dev, "type"),
                                                              idx),
                                          dev, NULL))) {
                vk_xml_error(dev, "there are two %s controllers with index %s",
                             vk_xnode_attr(dev, "type"), idx);
                return -1;
            }
        } else if (vk_streq(kind, "serial")) {
            const char *port = vk_xnode_attr(tgt, "port");
            if (port && ukeys_add(&serials, vk_strdup(port), dev, NULL)) {
                vk_xml_error(tgt, "serial port %s is used twice", port);
                return -1;
            }
        } else if (vk_streq(kind, "console")) {
            const char *tt = vk_xnode_attr(tgt, "type");
            const char *port = vk_xnode_attr(tgt, "port");
            if ((!tt || vk_streq(tt, "serial")) && (first = ukeys_add(&consoles,
                                                                      vk_strdup(port ? port : "0"),
                                                                      dev, NULL))) {
                vk_xml_error(dev, "two consoles on serial port %s (lines %d and %d)", first->key,
                             first->node->line, dev->line);
                return -1;
            }
        } else if (vk_streq(kind, "channel")) {
            const char *tt = vk_xnode_attr(tgt, "type");
            char *key = vk_streq(tt, "guestfwd")
                            ? vk_asprintf("guestfwd %s:%s", vk_xnode_attr(tgt, "address"),
                                          vk_xnode_attr(tgt, "port"))
                            : vk_xnode_attr(tgt, "name")
                                  ? vk_asprintf("%s %s", tt, vk_xnode_attr(tgt, "name"))
                                  : NULL;
            if ((first = ukeys_add(&channels, key, dev, NULL))) {
                vk_xml_error(tgt, "two channels have the same target (%s)", first->key);
                return -1;
            }
        } else if (vk_streq(kind, "graphics")) {
            if ((first = ukeys_add(&graphics, vk_strdup(vk_xnode_attr(dev, "type")), dev,
                                   NULL))) {
                vk_xml_error(dev, "only one %s graphics device is allowed", first->key);
                return -1;
            }
        } else if (vk_streq(kind, "video")) {
            const vk_xnode *m = vk_xnode_child(dev, "model");
            videos++;
            primaries += vk_streq(vk_xnode_attr(m, "primary"), "yes");
            video_none += vk_streq(vk_xnode_attr(m, "type"), "none");
        } else if (vk_streq(kind, "hostdev")) {
            const vk_xnode *src = vk_xnode_child(dev, "source");
            const vk_xnode *a = vk_xnode_child(src, "address");
            char *key = a ? vk_asprintf("%s %s:%s:%s:%s:%s", vk_xnode_attr(dev, "type"),
                                        vk_xnode_attr(a, "domain"), vk_xnode_attr(a, "bus"),
                                        vk_xnode_attr(a, "slot"), vk_xnode_attr(a, "function"),
                                        vk_xnode_attr(a, "device"))
                          : vk_asprintf("usb %s:%s",
                                        vk_xnode_attr(vk_xnode_child(src, "vendor"), "id"),
                                        vk_xnode_attr(vk_xnode_child(src, "product"), "id"));
            if ((first = ukeys_add(&hostdevs, key, dev, NULL))) {
                vk_xml_error(dev, "the same host device is assigned twice (lines %d and %d)",
                             first->node->line, dev->line);
                return -1;
            }
        } else if (vk_streq(kind, "filesystem")) {
            if ((first = ukeys_add(&fstargets, vk_strdup(vk_xnode_attr(tgt, "dir")), dev,
                                   NULL))) {
                vk_xml_error(tgt, "filesystem target '%s' is used twice", first->key);
                return -1;
            }
        }
    }
    if (primaries > 1) {
        vk_xml_error(devs, "only one video device can be primary, not %zu", primaries);
        return -1;
    }
    if (video_none && videos > 1) {
        vk_xml_error(devs, "video model 'none' cannot be combined with other video devices");
        return -1;
    }
    return 0;
}

int vk_domain_validate_devices(const vk_xnode *d)
{
    if (check_unique(d) < 0 || check_addresses(d) < 0)
        return -1;
    return 0;
}

int vk_domain_validate(const vk_xnode *d)
{
    if (validate_memory(d) < 0 || validate_vcpus(d) < 0 || validate_numa(d) < 0 ||
        validate_os(d) < 0)
        return -1;
    return vk_domain_validate_devices(d);
}
