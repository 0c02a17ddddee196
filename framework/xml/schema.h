/*
 * schema.h: definitions as tables. Each XML element we accept is a
 * vk_xelem row listing its attributes (with value types), its child
 * elements (with counts) and its text. One engine (schema.c) drives
 * parsing with precise errors, canonical formatting, path access for
 * plugins and the RelaxNG export from these tables, so the accepted
 * subset, the formatter and the schema cannot drift apart.
 */
#ifndef VK_SCHEMA_H
#define VK_SCHEMA_H

#include "xtree.h"

/* A value type: checks and normalises one attribute value or text. */
typedef struct vk_xtype {
    const char *name;     /* for messages: "an unsigned integer" */
    /* 0 ok (optionally *norm = normalised copy), -1 with *why set. */
    int (*check)(const char *value, const char *const *values, char **norm, char **why);
    /* RelaxNG pattern for the value ("<data type='unsignedLong'/>"); NULL:
     * derived from the enum values, or <text/>. */
    const char *rng;
} vk_xtype;

extern const vk_xtype vk_xt_string;    /* anything, may be empty */
extern const vk_xtype vk_xt_token;     /* non-empty, no whitespace */
extern const vk_xtype vk_xt_ident;     /* lower-case identifier: kvm, my-hv */
extern const vk_xtype vk_xt_name;      /* object names: non-empty, no '/', no control chars */
extern const vk_xtype vk_xt_uint;      /* 0..2^32-1 */
extern const vk_xtype vk_xt_ulong;     /* 0..2^64-1 */
extern const vk_xtype vk_xt_int;       /* signed 32-bit */
extern const vk_xtype vk_xt_hex;       /* 0x-prefixed or bare hex, normalised to 0x%llx */
extern const vk_xtype vk_xt_enum;      /* one of the attribute's values[] */
extern const vk_xtype vk_xt_yesno;     /* yes/no */
extern const vk_xtype vk_xt_onoff;     /* on/off */
extern const vk_xtype vk_xt_uuid;      /* normalised to lower-case 8-4-4-4-12 */
extern const vk_xtype vk_xt_mac;       /* normalised to lower-case aa:bb:cc:dd:ee:ff */
extern const vk_xtype vk_xt_abspath;   /* an absolute path */
extern const vk_xtype vk_xt_cpuset;    /* "0-3,^2,8" */
extern const vk_xtype vk_xt_ipaddr;    /* IPv4 or IPv6 address */
extern const vk_xtype vk_xt_scaled;    /* integer scaled by the element's unit attribute */
extern const vk_xtype vk_xt_double;
extern const vk_xtype vk_xt_long;      /* signed 64-bit */
extern const vk_xtype vk_xt_port;      /* 0..65535 */
extern const vk_xtype vk_xt_hex16;     /* 16-bit id, normalised to 0x%04x */
extern const vk_xtype vk_xt_number;    /* decimal or 0x-hex (device address fields) */
extern const vk_xtype vk_xt_octal;     /* permission mode, normalised to %04o */
extern const vk_xtype vk_xt_wwn;       /* 16 hex digits */
extern const vk_xtype vk_xt_unit;      /* a size unit (libvirt's rules) */

typedef enum {
    VK_XF_REQUIRED = 1 << 0,  /* attribute must be present */
    VK_XF_RUNTIME = 1 << 1,   /* live state only: left out of inactive XML */
    VK_XF_SECRET = 1 << 2,    /* a password: left out unless VKP_DEF_FORMAT_SECURE */
} vk_xattr_flags;

typedef struct vk_xattr {
    const char *name;
    const vk_xtype *type;
    const char *const *values;   /* enum values, NULL-terminated */
    unsigned int flags;
} vk_xattr;

typedef struct vk_xchild {
    const vk_xelem *elem;
    unsigned int min;
    unsigned int max;            /* 0: unbounded */
} vk_xchild;

typedef enum {
    VK_XE_VERBATIM = 1 << 0,     /* keep the whole subtree as written (metadata) */
    VK_XE_FOREIGN = 1 << 1,      /* accept our extension namespaces' children verbatim */
    VK_XE_RUNTIME = 1 << 2,      /* live state only: left out of inactive XML */
    VK_XE_SCALED_BYTES = 1 << 3, /* scaled text is normalised to bytes, not KiB */
    VK_XE_TEXT_OPTIONAL = 1 << 4,/* the text may be left out (<model fallback='allow'/>) */
} vk_xelem_flags;

struct vk_xelem {
    const char *name;
    const vk_xattr *attrs;       /* terminated by a NULL name; may be NULL */
    const vk_xchild *children;   /* terminated by a NULL elem; may be NULL */
    const vk_xtype *text;        /* NULL: no text allowed */
    const char *const *text_values;
    unsigned int flags;
    /* Extra checks after the structure is known good; 0 or -1 (error set). */
    int (*check)(const vk_xnode *n);
    /* Rewrites values into canonical form (e.g. PCI address fields in hex)
     * before check runs; 0 or -1 (error set). */
    int (*normalise)(vk_xnode *n);
};

/* Helpers to write tables tersely. */
#define VK_XVALUES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define VK_XATTRS(...) ((const vk_xattr[]){ __VA_ARGS__, { NULL, NULL, NULL, 0 } })
#define VK_XCHILDREN(...) ((const vk_xchild[]){ __VA_ARGS__, { NULL, 0, 0 } })
#define VK_XA(n, t) { n, &vk_xt_##t, NULL, 0 }
#define VK_XA_REQ(n, t) { n, &vk_xt_##t, NULL, VK_XF_REQUIRED }
#define VK_XA_ENUM(n, ...) { n, &vk_xt_enum, VK_XVALUES(__VA_ARGS__), 0 }
#define VK_XA_ENUM_REQ(n, ...) { n, &vk_xt_enum, VK_XVALUES(__VA_ARGS__), VK_XF_REQUIRED }
#define VK_XA_RUNTIME(n, t) { n, &vk_xt_##t, NULL, VK_XF_RUNTIME }
#define VK_XA_SECRET(n, t) { n, &vk_xt_##t, NULL, VK_XF_SECRET }
#define VK_XA_ENUM_RUNTIME(n, ...) { n, &vk_xt_enum, VK_XVALUES(__VA_ARGS__), VK_XF_RUNTIME }
#define VK_XC_OPT(e) { &(e), 0, 1 }
#define VK_XC_ONE(e) { &(e), 1, 1 }
#define VK_XC_ANY(e) { &(e), 0, 0 }
#define VK_XC_MANY(e) { &(e), 1, 0 }
/* The unit attribute of scaled elements and its accepted units. */
/* The unit attribute of scaled elements (b, KiB, M, GB...: libvirt's rules).
 * Scaled values (text or attributes of type vk_xt_scaled) are stored in KiB
 * (bytes with VK_XE_SCALED_BYTES) and the unit is rewritten to match. */
#define VK_XA_UNIT VK_XA("unit", unit)

/* One kind of definition: its root element and hooks. */
typedef struct vk_xkind {
    int kind;                    /* vkp_def_kind */
    const char *what;            /* "domain" (for messages) */
    const vk_xelem *root;
    /* Semantic validation of the whole tree (duplicate targets...). */
    int (*validate)(const vk_xnode *root);
    /* Post-parse defaults (uuid, mac, aliases, addresses). */
    int (*defaults)(vk_xnode *root);
    const char *rng_file;        /* "domain.rng" */
} vk_xkind;

/* The registry of kinds; defined in defs.c. */
const vk_xkind *vk_xkind_get(int kind);

/* The extension namespaces whose elements plugins receive untouched. */
#define VK_XML_NS_PREFIX "https://virtkit.dev/schemas/"

/* Parse xml against k's root (or, for root == NULL, any element listed in
 * `alternatives`). flags: vkp_def_parse_flags. Errors name the line. */
vk_xnode *vk_schema_parse(const vk_xkind *k, const char *xml, unsigned int flags);
/* Parse one element as a child of `parent_schema` (hotplug devices). */
vk_xnode *vk_schema_parse_child(const vk_xelem *parent_schema, const char *what,
                                const char *xml, unsigned int flags);
/* Canonical XML: two-space indent, attributes and children in table order.
 * flags: vkp_def_format_flags. */
char *vk_schema_format(const vk_xnode *n, unsigned int flags);
/* The schema row of child element `name` under `e`, or NULL. */
const vk_xelem *vk_schema_child(const vk_xelem *e, const char *name);
const vk_xattr *vk_schema_attr(const vk_xelem *e, const char *name);
/* Check a value against an attribute spec / element text spec; returns the
 * normalised value (caller frees) or NULL with an XML error set. */
char *vk_schema_check_attr(const vk_xnode *n, const vk_xattr *a, const char *value);
char *vk_schema_check_text(const vk_xnode *n, const char *value);
/* Write the RelaxNG grammar for k. */
char *vk_schema_rng(const vk_xkind *k);
/* Check xml against a RelaxNG file; 0 or -1 with the first violation. */
int vk_schema_validate_rng(const char *rng_path, const char *xml);
/* Where the installed (or $VIRTKIT_SCHEMA_DIR) .rng files are. */
const char *vk_schema_dir(void);

/* Set an XML error "<what> XML line N: <element>: message". */
void vk_xml_error(const vk_xnode *n, const char *fmt, ...) VK_PRINTF(2, 3);

/* Parse a CPU list ("0-3,^2,8") into a bitmap of nbits (bits may be NULL
 * to only check it); 0, or -1 with *why (caller frees). */
int vk_cpuset_parse(const char *v, uint8_t *bits, size_t nbits, char **why);

/* The first child `child` of n whose attribute `attr` repeats the value of
 * an earlier one, or NULL: for "listed twice" checks. */
const vk_xnode *vk_schema_find_repeat(const vk_xnode *n, const char *child, const char *attr);

/* Insert child under parent at its place in schema order (children of one
 * row keep their relative order; foreign elements go last). */
void vk_schema_insert(vk_xnode *parent, vk_xnode *child);

/* Scale "value unit" to KiB (or bytes); -1 with *why on overflow/unit. */
int vk_scale_value(const char *value, const char *unit, bool to_bytes, uint64_t *out,
                   char **why);

#endif
