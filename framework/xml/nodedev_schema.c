/*
 * nodedev_schema.c: the node device and capabilities formats (libvirt's
 * layout: formatnode.html, formatcaps.html). virtkit writes these
 * documents (from sysfs and plugins) more than it reads them; the tables
 * drive the formatter (hostinfo and nodedev build their trees against
 * them, so nothing outside the tables can be emitted), reparsing, and the
 * RelaxNG files.
 *
 * A node device <capability> holds different children for each type.
 * The engine matches children by name only, so the row lists the union
 * of every type's children in one order that keeps each type's own
 * order (libvirt's); the per-type rules (which children, which are
 * required, their value types) are the cap_rules table, checked by the
 * row's hook.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>

#include "defs.h"
#include "error.h"

/* ---------------------------------------------------------- value types -- */

/* Link-layer addresses: ethernet's six bytes, but also the four of an
 * ipip tunnel or the twenty of InfiniBand. */
static int check_hwaddr(const char *v, const char *const *values, char **norm, char **why)
{
    size_t l = strlen(v);
    if (l < 2 || (l + 1) % 3 != 0 || l > 3 * 32 - 1) {
        *why = vk_strdup("expected a hardware address like 52:54:00:12:34:56");
        return -1;
    }
    char *n = vk_strdup(v);
    for (size_t i = 0; i < l; i++) {
        if (i % 3 == 2 ? v[i] != ':' : !isxdigit((unsigned char)v[i])) {
            free(n);
            *why = vk_strdup("expected a hardware address like 52:54:00:12:34:56");
            return -1;
        }
        n[i] = (char)tolower((unsigned char)v[i]);
    }
    *norm = n;
    return 0;
}

static const vk_xtype t_hwaddr = {
    "a hardware address", check_hwaddr,
    "<data type='string'><param name='pattern'>[a-fA-F0-9]{2}(:[a-fA-F0-9]{2})*</param></data>"
};

/* A PCI class code as libvirt writes it: 0x and six hex digits. */
static int check_pci_class(const char *v, const char *const *values, char **norm, char **why)
{
    bool ok = strlen(v) == 8 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    for (size_t i = 2; ok && i < 8; i++)
        ok = isxdigit((unsigned char)v[i]);
    if (!ok) {
        *why = vk_strdup("expected a PCI class like 0x020000");
        return -1;
    }
    return 0;
}

static const vk_xtype t_pci_class = {
    "a PCI class", check_pci_class,
    "<data type='string'><param name='pattern'>0x[0-9a-fA-F]{6}</param></data>"
};

/* PCIe link speeds in GT/s: "2.5", "8", "16". */
static int check_speed(const char *v, const char *const *values, char **norm, char **why)
{
    const char *p = v;
    while (isdigit((unsigned char)*p))
        p++;
    if (p != v && *p == '.' && isdigit((unsigned char)p[1]))
        for (p++; isdigit((unsigned char)*p);)
            p++;
    if (p == v || *p) {
        *why = vk_strdup("expected a link speed in GT/s like 2.5 or 8");
        return -1;
    }
    return 0;
}

static const vk_xtype t_speed = {
    "a link speed", check_speed,
    "<data type='string'><param name='pattern'>[0-9]+(\\.[0-9]+)?</param></data>"
};

/* Hex numbers kept exactly as written: libvirt's fixed widths (0x0000,
 * 0x1f, 0x8086) carry meaning for readers. */
static int check_hex_digits(const char *v, const char *const *values, char **norm, char **why)
{
    const char *p = (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? v + 2 : v;
    bool ok = *p && strlen(p) <= 16;
    for (; ok && *p; p++)
        ok = isxdigit((unsigned char)*p);
    if (!ok) {
        *why = vk_strdup("expected a hexadecimal number like 0x8086");
        return -1;
    }
    return 0;
}

static const vk_xtype t_hex = {
    "a hexadecimal number", check_hex_digits,
    "<data type='string'><param name='pattern'>(0x)?[0-9a-fA-F]{1,16}</param></data>"
};

/* Free text that may be absent (VK_XE_TEXT_OPTIONAL): an empty element
 * stays empty (<product id='0x1234'/>) instead of gaining an empty text
 * on reparse. */
static int check_any(const char *v, const char *const *values, char **norm, char **why)
{
    return 0;
}

static const vk_xtype t_opt_text = { "text", check_any, "<text/>" };

/* ================================================= node device format == */

static const vk_xelem e_name = { "name", NULL, NULL, &vk_xt_name };
static const vk_xelem e_path = { "path", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_devnode = {
    "devnode", VK_XATTRS(VK_XA_ENUM_REQ("type", "dev", "link")), NULL, &vk_xt_abspath
};
static const vk_xelem e_parent = { "parent", NULL, NULL, &vk_xt_name };
static const vk_xelem e_driver_name = { "name", NULL, NULL, &vk_xt_token };
static const vk_xelem e_driver = { "driver", NULL, VK_XCHILDREN(VK_XC_ONE(e_driver_name)) };

/* A PCI address as attributes (iommuGroup members, SR-IOV functions). */
#define HEX_REQ(n) { n, &t_hex, NULL, VK_XF_REQUIRED }
static const vk_xelem e_pci_address = {
    "address", VK_XATTRS(HEX_REQ("domain"), HEX_REQ("bus"), HEX_REQ("slot"), HEX_REQ("function"))
};

/* Leaves of the typed capability bodies. */
#define LEAF(var, name, type) static const vk_xelem var = { name, NULL, NULL, &vk_xt_##type }
LEAF(e_number, "number", ulong);
LEAF(e_class, "class", token); /* pci: 0x020000; usb interface: decimal */
LEAF(e_subclass, "subclass", ulong);
LEAF(e_protocol, "protocol", ulong);
LEAF(e_description, "description", string);
LEAF(e_block, "block", abspath);
LEAF(e_domain, "domain", ulong);
LEAF(e_host, "host", ulong);
LEAF(e_unique_id, "unique_id", uint);
LEAF(e_bus, "bus", token);       /* pci/usb/scsi: a number; storage: "usb", "ata" */
LEAF(e_target, "target", token); /* scsi: a number; scsi_target: "target0:0:0" */
LEAF(e_lun, "lun", ulong);
LEAF(e_type, "type", string);
LEAF(e_usb_device, "device", ulong);
LEAF(e_slot, "slot", ulong);
LEAF(e_function, "function", ulong);
LEAF(e_drive_type, "drive_type", token);
LEAF(e_model, "model", string);
LEAF(e_serial, "serial", string);
LEAF(e_interface, "interface", string);
LEAF(e_char, "char", abspath);
LEAF(e_size, "size", ulong);
LEAF(e_lbs, "logical_block_size", ulong);
LEAF(e_num_blocks, "num_blocks", ulong);
LEAF(e_media_size, "media_size", ulong);
LEAF(e_media_label, "media_label", string);
LEAF(e_wwnn, "wwnn", token);
LEAF(e_wwpn, "wwpn", token);
LEAF(e_fabric_wwn, "fabric_wwn", token);
LEAF(e_max_vports, "max_vports", uint);
LEAF(e_vports, "vports", uint);
LEAF(e_rport, "rport", token);
LEAF(e_hw_vendor, "vendor", string);
LEAF(e_hw_version, "version", string);
LEAF(e_hw_serial, "serial", string);
LEAF(e_hw_uuid, "uuid", uuid);
LEAF(e_release_date, "release_date", string);
#undef LEAF

static const vk_xelem e_product = {
    "product", VK_XATTRS({ "id", &t_hex, NULL, 0 }), NULL, &t_opt_text, NULL, VK_XE_TEXT_OPTIONAL
};
static const vk_xelem e_vendor = {
    "vendor", VK_XATTRS({ "id", &t_hex, NULL, 0 }), NULL, &t_opt_text, NULL, VK_XE_TEXT_OPTIONAL
};
static const vk_xelem e_hwaddr = { "address", NULL, NULL, &t_hwaddr };
static const vk_xelem e_net_link = {
    "link",
    VK_XATTRS(VK_XA_ENUM("state", "unknown", "notpresent", "down", "lowerlayerdown", "testing",
                         "dormant", "up"),
              VK_XA("speed", uint))
};
static const vk_xelem e_net_feature = { "feature", VK_XATTRS(VK_XA_REQ("name", token)) };
static const vk_xelem e_hardware = {
    "hardware", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_hw_vendor), VK_XC_OPT(e_hw_version), VK_XC_OPT(e_hw_serial),
                 VK_XC_ONE(e_hw_uuid))
};
static const vk_xelem e_firmware = {
    "firmware", NULL,
    VK_XCHILDREN(VK_XC_OPT(e_hw_vendor), VK_XC_OPT(e_hw_version), VK_XC_OPT(e_release_date))
};
static const vk_xelem e_media_available = {
    "media_available", NULL, NULL, &vk_xt_enum, VK_XVALUES("0", "1")
};
static const vk_xelem e_iommu_group = {
    "iommuGroup", VK_XATTRS(VK_XA_REQ("number", uint)),
    VK_XCHILDREN(VK_XC_MANY(e_pci_address))
};
static const vk_xelem e_numa = { "numa", VK_XATTRS(VK_XA("node", int)) };
static const vk_xelem e_pcie_link = {
    "link",
    VK_XATTRS(VK_XA_ENUM_REQ("validity", "cap", "sta"), VK_XA("port", uint),
              { "speed", &t_speed, NULL, 0 }, VK_XA_REQ("width", uint))
};
static const vk_xelem e_pcie = { "pci-express", NULL, VK_XCHILDREN(VK_XC_ANY(e_pcie_link)) };

/* ---- per-type rules, shared by both capability levels ---- */

enum { R_REQ = 1 << 0, R_ID = 1 << 1 /* needs the id attribute */ };

typedef struct {
    const char *child;
    const vk_xtype *type;   /* NULL: the row's own type is enough */
    unsigned int flags;
    unsigned int max;       /* 0: as the row allows */
} cap_child_rule;

typedef struct {
    const char *type;
    const cap_child_rule *children;
    const char *const *subcaps; /* sub-capability types allowed inside */
} cap_rule;

#define RULES(...) ((const cap_child_rule[]){ __VA_ARGS__, { NULL, NULL, 0, 0 } })
#define NONE ((const cap_child_rule[]){ { NULL, NULL, 0, 0 } })

static const cap_rule cap_rules[] = {
    /* libvirt requires hardware and firmware; a machine without DMI and
     * without a machine-id has neither */
    { "system", RULES({ "product", NULL, 0, 0 }, { "hardware", NULL, 0, 0 },
                      { "firmware", NULL, 0, 0 }), NULL },
    { "pci",
      RULES({ "class", &t_pci_class, 0, 0 }, { "domain", NULL, R_REQ, 0 },
            { "bus", &vk_xt_ulong, R_REQ, 0 }, { "slot", NULL, R_REQ, 0 },
            { "function", NULL, R_REQ, 0 }, { "product", NULL, R_REQ | R_ID, 0 },
            { "vendor", NULL, R_REQ | R_ID, 0 }, { "capability", NULL, 0, 0 },
            { "iommuGroup", NULL, 0, 0 }, { "numa", NULL, 0, 0 }, { "pci-express", NULL, 0, 0 }),
      VK_XVALUES("phys_function", "virt_functions", "pci-bridge", "cardbus-bridge") },
    { "usb_device",
      RULES({ "bus", &vk_xt_ulong, R_REQ, 0 }, { "device", NULL, R_REQ, 0 },
            { "product", NULL, R_REQ | R_ID, 0 }, { "vendor", NULL, R_REQ | R_ID, 0 }),
      NULL },
    { "usb",
      RULES({ "number", NULL, R_REQ, 0 }, { "class", &vk_xt_ulong, R_REQ, 0 },
            { "subclass", NULL, R_REQ, 0 }, { "protocol", NULL, R_REQ, 0 },
            { "description", NULL, 0, 0 }),
      NULL },
    { "net",
      RULES({ "interface", &vk_xt_token, R_REQ, 0 }, { "address", NULL, 0, 0 },
            { "link", NULL, 0, 0 }, { "feature", NULL, 0, 0 }, { "capability", NULL, 0, 1 }),
      VK_XVALUES("80203", "80211") },
    { "scsi_host",
      RULES({ "host", NULL, R_REQ, 0 }, { "unique_id", NULL, 0, 0 },
            { "capability", NULL, 0, 0 }),
      VK_XVALUES("fc_host", "vport_ops") },
    { "scsi_target", RULES({ "target", NULL, R_REQ, 0 }, { "capability", NULL, 0, 1 }),
      VK_XVALUES("fc_remote_port") },
    { "scsi",
      RULES({ "host", NULL, R_REQ, 0 }, { "bus", &vk_xt_ulong, R_REQ, 0 },
            { "target", &vk_xt_ulong, R_REQ, 0 }, { "lun", NULL, R_REQ, 0 },
            { "type", NULL, 0, 0 }),
      NULL },
    { "storage",
      RULES({ "block", NULL, R_REQ, 0 }, { "bus", NULL, 0, 0 }, { "drive_type", NULL, 0, 0 },
            { "model", NULL, 0, 0 }, { "vendor", NULL, 0, 0 }, { "serial", NULL, 0, 0 },
            { "capability", NULL, 0, 0 }, { "size", NULL, 0, 0 },
            { "logical_block_size", NULL, 0, 0 }, { "num_blocks", NULL, 0, 0 }),
      VK_XVALUES("removable", "hotpluggable") },
    { "scsi_generic", RULES({ "char", NULL, R_REQ, 0 }), NULL },
    { "drm", RULES({ "type", NULL, R_REQ, 0 }), NULL },
    /* sub-capabilities */
    { "phys_function", RULES({ "address", NULL, R_REQ, 1 }), NULL },
    { "virt_functions", RULES({ "address", NULL, 0, 0 }), NULL },
    { "pci-bridge", NONE, NULL },
    { "cardbus-bridge", NONE, NULL },
    { "80203", NONE, NULL },
    { "80211", NONE, NULL },
    { "removable",
      RULES({ "media_available", NULL, R_REQ, 0 }, { "media_size", NULL, R_REQ, 0 },
            { "media_label", NULL, 0, 0 }, { "logical_block_size", NULL, 0, 0 },
            { "num_blocks", NULL, 0, 0 }),
      NULL },
    { "hotpluggable", NONE, NULL },
    { "fc_host",
      RULES({ "wwnn", NULL, R_REQ, 0 }, { "wwpn", NULL, R_REQ, 0 },
            { "fabric_wwn", NULL, 0, 0 }),
      NULL },
    { "vport_ops", RULES({ "max_vports", NULL, R_REQ, 0 }, { "vports", NULL, R_REQ, 0 }), NULL },
    { "fc_remote_port", RULES({ "rport", NULL, R_REQ, 0 }, { "wwpn", NULL, R_REQ, 0 }), NULL },
};

static const cap_rule *find_rule(const char *type)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(cap_rules); i++)
        if (vk_streq(cap_rules[i].type, type))
            return &cap_rules[i];
    return NULL;
}

static int check_child(const char *type, const cap_child_rule *r,
                       const vk_xnode *child)
{
    if (r->type && child->text) {
        char *norm = NULL, *why = NULL;
        if (r->type->check(child->text, NULL, &norm, &why) < 0) {
            vk_xml_error(child, "value '%s' is not valid in a capability of type '%s': %s",
                         child->text, type, why);
            free(why);
            return -1;
        }
        free(norm);
    }
    if ((r->flags & R_ID) && !vk_xnode_attr(child, "id")) {
        vk_xml_error(child, "missing required attribute 'id' (capability type '%s')", type);
        return -1;
    }
    return 0;
}

/* Enforce cap_rules on one <capability> (either level). */
static int check_capability(const vk_xnode *n)
{
    const char *type = vk_xnode_attr(n, "type");
    const cap_rule *rule = find_rule(type);
    if (!rule) {
        vk_xml_error(n, "capability type '%s' is not supported", type);
        return -1;
    }
    for (size_t i = 0; i < n->nchildren; i++) {
        const vk_xnode *c = n->children[i];
        const cap_child_rule *r = rule->children;
        while (r->child && !vk_streq(r->child, c->name))
            r++;
        if (!r->child) {
            vk_xml_error(c, "element <%s> does not belong in a capability of type '%s'", c->name,
                         type);
            return -1;
        }
        if (check_child(type, r, c) < 0)
            return -1;
        /* sub-capabilities were checked on their own; here: may they
         * appear inside this type? (the hook runs before a node has a
         * parent, so the outer capability checks its inner ones) */
        const char *sub = vk_streq(c->name, "capability") ? vk_xnode_attr(c, "type") : NULL;
        if (sub && (!rule->subcaps || !vk_strv_contains(rule->subcaps, sub))) {
            vk_xml_error(c, "capability type '%s' cannot appear inside a '%s' capability", sub,
                         type);
            return -1;
        }
    }
    for (const cap_child_rule *r = rule->children; r->child; r++) {
        size_t cnt = vk_xnode_count(n, r->child);
        if ((r->flags & R_REQ) && cnt == 0) {
            vk_xml_error(n, "a capability of type '%s' needs <%s>", type, r->child);
            return -1;
        }
        if (r->max && cnt > r->max) {
            vk_xml_error(n, "a capability of type '%s' has %zu <%s> elements, at most %u "
                         "allowed", type, cnt, r->child, r->max);
            return -1;
        }
    }
    return 0;
}

#define SUBCAP_TYPES                                                                      \
    "phys_function", "virt_functions", "pci-bridge", "cardbus-bridge", "80203", "80211",  \
        "removable", "hotpluggable", "fc_host", "vport_ops", "fc_remote_port"

static const vk_xelem e_subcap = {
    "capability",
    VK_XATTRS(VK_XA_ENUM_REQ("type", SUBCAP_TYPES), VK_XA("maxCount", uint)),
    VK_XCHILDREN(VK_XC_ANY(e_pci_address), VK_XC_OPT(e_media_available), VK_XC_OPT(e_media_size),
                 VK_XC_OPT(e_media_label), VK_XC_OPT(e_lbs), VK_XC_OPT(e_num_blocks),
                 VK_XC_OPT(e_wwnn), VK_XC_OPT(e_wwpn), VK_XC_OPT(e_fabric_wwn),
                 VK_XC_OPT(e_max_vports), VK_XC_OPT(e_vports), VK_XC_OPT(e_rport)),
    NULL, NULL, 0, check_capability
};

static const vk_xelem e_capability = {
    "capability",
    VK_XATTRS(VK_XA_ENUM_REQ("type", "system", "pci", "usb_device", "usb", "net", "scsi_host",
                             "scsi_target", "scsi", "storage", "scsi_generic", "drm")),
    VK_XCHILDREN(VK_XC_OPT(e_number), VK_XC_OPT(e_class), VK_XC_OPT(e_subclass),
                 VK_XC_OPT(e_protocol), VK_XC_OPT(e_description), VK_XC_OPT(e_block),
                 VK_XC_OPT(e_domain), VK_XC_OPT(e_host), VK_XC_OPT(e_unique_id),
                 VK_XC_OPT(e_bus), VK_XC_OPT(e_target), VK_XC_OPT(e_lun), VK_XC_OPT(e_type),
                 VK_XC_OPT(e_usb_device), VK_XC_OPT(e_slot), VK_XC_OPT(e_function),
                 VK_XC_OPT(e_drive_type), VK_XC_OPT(e_model), VK_XC_OPT(e_product),
                 VK_XC_OPT(e_vendor), VK_XC_OPT(e_serial), VK_XC_OPT(e_interface),
                 VK_XC_OPT(e_hwaddr), VK_XC_OPT(e_net_link), VK_XC_ANY(e_net_feature),
                 VK_XC_OPT(e_hardware), VK_XC_OPT(e_firmware), VK_XC_OPT(e_char),
                 VK_XC_ANY(e_subcap), VK_XC_OPT(e_size), VK_XC_OPT(e_lbs),
                 VK_XC_OPT(e_num_blocks), VK_XC_OPT(e_iommu_group), VK_XC_OPT(e_numa),
                 VK_XC_OPT(e_pcie)),
    NULL, NULL, 0, check_capability
};

/* Each capability type at most once per device. */
static int validate_nodedev(const vk_xnode *root)
{
    for (size_t i = 0; i < root->nchildren; i++) {
        const vk_xnode *a = root->children[i];
        if (!vk_streq(a->name, "capability"))
            continue;
        for (size_t j = i + 1; j < root->nchildren; j++) {
            const vk_xnode *b = root->children[j];
            if (vk_streq(b->name, "capability") &&
                vk_streq(vk_xnode_attr(a, "type"), vk_xnode_attr(b, "type"))) {
                vk_xml_error(b, "node device '%s' has two capabilities of type '%s'",
                             vk_xnode_child_text(root, "name"), vk_xnode_attr(b, "type"));
                return -1;
            }
        }
    }
    return 0;
}

static const vk_xelem e_device = {
    "device", NULL,
    VK_XCHILDREN(VK_XC_ONE(e_name), VK_XC_OPT(e_path), VK_XC_ANY(e_devnode), VK_XC_OPT(e_parent),
                 VK_XC_OPT(e_driver), VK_XC_ANY(e_capability))
};

const vk_xkind vk_nodedev_kind = {
    .kind = VKP_DEF_NODEDEV,
    .what = "node device",
    .root = &e_device,
    .validate = validate_nodedev,
    .rng_file = "nodedev.rng",
};

/* ================================================ capabilities format == */

#define EMPTY(var, name) static const vk_xelem var = { name, NULL, NULL, NULL }
EMPTY(c_pae, "pae");
EMPTY(c_nonpae, "nonpae");
EMPTY(c_vmx, "vmx");
EMPTY(c_svm, "svm");
EMPTY(c_suspend_mem, "suspend_mem");
EMPTY(c_suspend_disk, "suspend_disk");
EMPTY(c_suspend_hybrid, "suspend_hybrid");
EMPTY(c_live, "live");
EMPTY(c_ia64_be, "ia64_be");
EMPTY(c_cpuselection, "cpuselection");
EMPTY(c_deviceboot, "deviceboot");
EMPTY(c_external_snapshot, "externalSnapshot");
#undef EMPTY

static const vk_xelem c_uuid = { "uuid", NULL, NULL, &vk_xt_uuid };
static const vk_xelem c_arch = { "arch", NULL, NULL, &vk_xt_token };
static const vk_xelem c_features = {
    "features", NULL,
    VK_XCHILDREN(VK_XC_OPT(c_pae), VK_XC_OPT(c_nonpae), VK_XC_OPT(c_vmx), VK_XC_OPT(c_svm))
};
static const vk_xelem c_model = { "model", NULL, NULL, &vk_xt_string };
static const vk_xelem c_vendor = { "vendor", NULL, NULL, &vk_xt_string };
static const vk_xelem c_microcode = { "microcode", VK_XATTRS(VK_XA_REQ("version", ulong)) };
static const vk_xelem c_signature = {
    "signature",
    VK_XATTRS(VK_XA_REQ("family", uint), VK_XA_REQ("model", uint), VK_XA_REQ("stepping", uint))
};
static const vk_xelem c_counter = {
    "counter",
    VK_XATTRS(VK_XA_REQ("name", token), VK_XA_REQ("frequency", ulong),
              { "scaling", &vk_xt_yesno, NULL, VK_XF_REQUIRED })
};
static const vk_xelem c_cpu_topology = {
    "topology",
    VK_XATTRS(VK_XA_REQ("sockets", uint), VK_XA("dies", uint), VK_XA("clusters", uint),
              VK_XA_REQ("cores", uint), VK_XA_REQ("threads", uint))
};
static const vk_xelem c_maxphysaddr = {
    "maxphysaddr", VK_XATTRS(VK_XA_ENUM_REQ("mode", "emulate", "passthrough"), VK_XA("bits", uint))
};
static const vk_xelem c_feature = { "feature", VK_XATTRS(VK_XA_REQ("name", token)) };
/* A page size the CPU supports (no count: the cells carry those). */
static const vk_xelem c_cpu_pages = { "pages", VK_XATTRS(VK_XA_UNIT, VK_XA_REQ("size", uint)) };
static const vk_xelem c_cpu = {
    "cpu", NULL,
    VK_XCHILDREN(VK_XC_ONE(c_arch), VK_XC_OPT(c_features), VK_XC_OPT(c_model),
                 VK_XC_OPT(c_vendor), VK_XC_OPT(c_microcode), VK_XC_OPT(c_signature),
                 VK_XC_OPT(c_counter), VK_XC_OPT(c_cpu_topology), VK_XC_OPT(c_maxphysaddr),
                 VK_XC_ANY(c_feature), VK_XC_ANY(c_cpu_pages))
};

static const vk_xelem c_power = {
    "power_management", NULL,
    VK_XCHILDREN(VK_XC_OPT(c_suspend_mem), VK_XC_OPT(c_suspend_disk),
                 VK_XC_OPT(c_suspend_hybrid))
};
static const vk_xelem c_iommu = { "iommu", VK_XATTRS({ "support", &vk_xt_yesno, NULL, 0 }) };
static const vk_xelem c_uri_transport = {
    "uri_transport", NULL, NULL, &vk_xt_token
};
static const vk_xelem c_uri_transports = {
    "uri_transports", NULL, VK_XCHILDREN(VK_XC_MANY(c_uri_transport))
};
static const vk_xelem c_migration = {
    "migration_features", NULL, VK_XCHILDREN(VK_XC_OPT(c_live), VK_XC_OPT(c_uri_transports))
};

/* The cells. */
static const vk_xelem c_memory = {
    "memory", VK_XATTRS(VK_XA_UNIT), NULL, &vk_xt_scaled
};
static const vk_xelem c_cell_pages = {
    "pages", VK_XATTRS(VK_XA_UNIT, VK_XA_REQ("size", uint)), NULL, &vk_xt_ulong
};
static const vk_xelem c_sibling = {
    "sibling", VK_XATTRS(VK_XA_REQ("id", uint), VK_XA_REQ("value", uint))
};
static const vk_xelem c_distances = { "distances", NULL, VK_XCHILDREN(VK_XC_MANY(c_sibling)) };
static const vk_xelem c_cell_cpu = {
    "cpu",
    VK_XATTRS(VK_XA_REQ("id", uint), VK_XA("socket_id", uint), VK_XA("die_id", uint),
              VK_XA("cluster_id", uint), VK_XA("core_id", uint), VK_XA("siblings", cpuset))
};
static const vk_xelem c_cell_cpus = {
    "cpus", VK_XATTRS(VK_XA_REQ("num", uint)), VK_XCHILDREN(VK_XC_ANY(c_cell_cpu))
};
static const vk_xelem c_cell = {
    "cell", VK_XATTRS(VK_XA_REQ("id", uint)),
    VK_XCHILDREN(VK_XC_OPT(c_memory), VK_XC_ANY(c_cell_pages), VK_XC_OPT(c_distances),
                 VK_XC_OPT(c_cell_cpus))
};
static const vk_xelem c_cells = {
    "cells", VK_XATTRS(VK_XA_REQ("num", uint)), VK_XCHILDREN(VK_XC_MANY(c_cell))
};
static const vk_xelem c_topology = { "topology", NULL, VK_XCHILDREN(VK_XC_ONE(c_cells)) };

/* CPU cache banks. */
static const vk_xelem c_bank = {
    "bank",
    VK_XATTRS(VK_XA_REQ("id", uint), VK_XA_REQ("level", uint),
              VK_XA_ENUM_REQ("type", "both", "code", "data"), VK_XA_REQ("size", uint),
              { "unit", &vk_xt_enum, VK_XVALUES("B", "KiB", "MiB", "GiB"), VK_XF_REQUIRED },
              VK_XA_REQ("cpus", cpuset))
};
static const vk_xelem c_cache = { "cache", NULL, VK_XCHILDREN(VK_XC_MANY(c_bank)) };

static const vk_xelem c_sec_model = { "model", NULL, NULL, &vk_xt_token };
static const vk_xelem c_sec_doi = { "doi", NULL, NULL, &vk_xt_token };
static const vk_xelem c_baselabel = {
    "baselabel", VK_XATTRS(VK_XA_REQ("type", token)), NULL, &vk_xt_string
};
static const vk_xelem c_secmodel = {
    "secmodel", NULL,
    VK_XCHILDREN(VK_XC_ONE(c_sec_model), VK_XC_ONE(c_sec_doi), VK_XC_ANY(c_baselabel))
};

static const vk_xelem c_host = {
    "host", NULL,
    VK_XCHILDREN(VK_XC_OPT(c_uuid), VK_XC_ONE(c_cpu), VK_XC_OPT(c_power), VK_XC_OPT(c_iommu),
                 VK_XC_OPT(c_migration), VK_XC_OPT(c_topology), VK_XC_OPT(c_cache),
                 VK_XC_ANY(c_secmodel))
};

/* <guest>: written by the hypervisor plugins. Extensions of ours (our
 * namespace) are accepted where a plugin may need them. */
static const vk_xelem c_os_type = {
    "os_type", NULL, NULL, &vk_xt_enum, VK_XVALUES("xen", "linux", "hvm", "exe", "uml")
};
static const vk_xelem c_wordsize = {
    "wordsize", NULL, NULL, &vk_xt_enum, VK_XVALUES("31", "32", "64")
};
static const vk_xelem c_emulator = { "emulator", NULL, NULL, &vk_xt_abspath };
static const vk_xelem c_loader = { "loader", NULL, NULL, &vk_xt_abspath };
static const vk_xelem c_machine = {
    "machine",
    VK_XATTRS(VK_XA("canonical", token), VK_XA("maxCpus", uint),
              { "deprecated", &vk_xt_yesno, NULL, 0 }),
    NULL, &vk_xt_token
};
static const vk_xelem c_guest_domain = {
    "domain", VK_XATTRS(VK_XA_REQ("type", token)),
    VK_XCHILDREN(VK_XC_OPT(c_emulator), VK_XC_ANY(c_machine)), NULL, NULL, VK_XE_FOREIGN
};
static const vk_xelem c_guest_arch = {
    "arch", VK_XATTRS(VK_XA_REQ("name", token)),
    VK_XCHILDREN(VK_XC_OPT(c_wordsize), VK_XC_OPT(c_emulator), VK_XC_OPT(c_loader),
                 VK_XC_ANY(c_machine), VK_XC_MANY(c_guest_domain)),
    NULL, NULL, VK_XE_FOREIGN
};
#define TOGGLE(var, name)                                                                 \
    static const vk_xelem var = {                                                         \
        name, VK_XATTRS({ "toggle", &vk_xt_yesno, NULL, 0 }, { "default", &vk_xt_onoff, NULL, 0 }) \
    }
TOGGLE(c_acpi, "acpi");
TOGGLE(c_apic, "apic");
TOGGLE(c_disksnapshot, "disksnapshot");
TOGGLE(c_hap, "hap");
#undef TOGGLE
static const vk_xelem c_guest_features = {
    "features", NULL,
    VK_XCHILDREN(VK_XC_OPT(c_pae), VK_XC_OPT(c_nonpae), VK_XC_OPT(c_ia64_be), VK_XC_OPT(c_acpi),
                 VK_XC_OPT(c_apic), VK_XC_OPT(c_cpuselection), VK_XC_OPT(c_deviceboot),
                 VK_XC_OPT(c_disksnapshot), VK_XC_OPT(c_hap), VK_XC_OPT(c_external_snapshot)),
    NULL, NULL, VK_XE_FOREIGN
};
static const vk_xelem c_guest = {
    "guest", NULL,
    VK_XCHILDREN(VK_XC_ONE(c_os_type), VK_XC_ONE(c_guest_arch), VK_XC_OPT(c_guest_features)),
    NULL, NULL, VK_XE_FOREIGN
};

static const vk_xelem c_caps = {
    "capabilities", NULL, VK_XCHILDREN(VK_XC_ONE(c_host), VK_XC_ANY(c_guest))
};

const vk_xkind vk_caps_kind = {
    .kind = VK_DEF_CAPS,
    .what = "capabilities",
    .root = &c_caps,
    .rng_file = "capability.rng",
};
