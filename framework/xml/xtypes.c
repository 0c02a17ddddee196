/*
 * xtypes.c: value types for schema tables (see schema.h). Each check
 * returns 0, optionally with a normalised copy, or -1 with a reason that
 * completes "value 'X' is not valid: <why>". Normalising here (numbers
 * without leading zeros, lower-case UUIDs and MACs, canonical IPv6) is what
 * makes format(parse(x)) a fixed point.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "error.h"
#include "schema.h"
#include "uuid.h"
#include "vk_cpuset.h"

static int why_set(char **why, const char *fmt, ...) VK_PRINTF(2, 3);
static int why_set(char **why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *why = vk_vasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

static int check_string(const char *v, const char *const *values, char **norm, char **why)
{
    return 0;
}

static int check_token(const char *v, const char *const *values, char **norm, char **why)
{
    if (!*v)
        return why_set(why, "must not be empty");
    for (const char *p = v; *p; p++)
        if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20)
            return why_set(why, "must not contain whitespace");
    return 0;
}

/* Identifiers chosen by plugins (domain types): lower-case letter, then
 * lower-case letters, digits, '-' or '_', at most 32 characters. */
static int check_ident(const char *v, const char *const *values, char **norm, char **why)
{
    size_t n = strlen(v);
    if (n == 0 || n > 32 || !islower((unsigned char)v[0]))
        return why_set(why, "expected a lower-case identifier like 'kvm' (1-32 characters)");
    for (const char *p = v; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' && *p != '_')
            return why_set(why, "expected a lower-case identifier like 'kvm' (1-32 characters)");
    return 0;
}

static int check_name(const char *v, const char *const *values, char **norm, char **why)
{
    if (!*v)
        return why_set(why, "must not be empty");
    if (strlen(v) > 255)
        return why_set(why, "is longer than 255 characters");
    if (strchr(v, '/'))
        return why_set(why, "must not contain '/'");
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20)
            return why_set(why, "must not contain control characters");
    return 0;
}

/* Numbers are stored without leading zeros or a '+', so equal values
 * compare equal as strings. */
static int check_ulong(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t x;
    if (vk_parse_u64(v, 10, &x) < 0)
        return why_set(why, "expected an unsigned integer");
    *norm = vk_asprintf("%llu", (unsigned long long)x);
    return 0;
}

static int check_uint(const char *v, const char *const *values, char **norm, char **why)
{
    unsigned int x;
    if (vk_parse_uint(v, &x) < 0)
        return why_set(why, "expected an unsigned integer below 2^32");
    *norm = vk_asprintf("%u", x);
    return 0;
}

static int check_port(const char *v, const char *const *values, char **norm, char **why)
{
    unsigned int x;
    if (vk_parse_uint(v, &x) < 0 || x > 65535)
        return why_set(why, "expected a port number from 0 to 65535");
    *norm = vk_asprintf("%u", x);
    return 0;
}

static int check_int(const char *v, const char *const *values, char **norm, char **why)
{
    int x;
    if (vk_parse_int(v, &x) < 0)
        return why_set(why, "expected a 32-bit integer");
    *norm = vk_asprintf("%d", x);
    return 0;
}

static int check_long(const char *v, const char *const *values, char **norm, char **why)
{
    int64_t x;
    if (vk_parse_i64(v, 10, &x) < 0)
        return why_set(why, "expected a 64-bit integer");
    *norm = vk_asprintf("%lld", (long long)x);
    return 0;
}

static int check_double(const char *v, const char *const *values, char **norm, char **why)
{
    char *end;
    if (!*v || isspace((unsigned char)*v))
        return why_set(why, "expected a number");
    strtod(v, &end);
    if (*end)
        return why_set(why, "expected a number");
    return 0;
}

static int parse_hex(const char *v, uint64_t *x)
{
    const char *p = (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? v + 2 : v;
    if (!*p)
        return -1;
    for (const char *q = p; *q; q++)
        if (!isxdigit((unsigned char)*q))
            return -1;
    return vk_parse_u64(p, 16, x);
}

static int check_hex(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t x;
    if (parse_hex(v, &x) < 0)
        return why_set(why, "expected a hexadecimal number");
    *norm = vk_asprintf("0x%llx", (unsigned long long)x);
    return 0;
}

/* USB/PCI vendor and product ids: 16 bits, written 0x%04x like libvirt. */
static int check_hex16(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t x;
    if (parse_hex(v, &x) < 0 || x > 0xffff)
        return why_set(why, "expected a 16-bit hexadecimal id like 0x1af4");
    *norm = vk_asprintf("0x%04llx", (unsigned long long)x);
    return 0;
}

/* Decimal or 0x-hex: device address fields, which the address check then
 * rewrites in the radix its address type uses. */
static int check_number(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t x;
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        if (parse_hex(v, &x) < 0)
            return why_set(why, "expected a number");
        return 0;
    }
    if (vk_parse_u64(v, 10, &x) < 0)
        return why_set(why, "expected a number");
    return 0;
}

static int check_enum(const char *v, const char *const *values, char **norm, char **why)
{
    for (size_t i = 0; values && values[i]; i++)
        if (vk_streq(values[i], v))
            return 0;
    char **list = (char **)values;
    VK_AUTOFREE(char *) joined = vk_strv_join(list, ", ");
    return why_set(why, "expected one of: %s", joined);
}

static const char *const yesno_values[] = { "yes", "no", NULL };
static const char *const onoff_values[] = { "on", "off", NULL };

static int check_yesno(const char *v, const char *const *values, char **norm, char **why)
{
    return check_enum(v, yesno_values, norm, why);
}

static int check_onoff(const char *v, const char *const *values, char **norm, char **why)
{
    return check_enum(v, onoff_values, norm, why);
}

static int check_uuid(const char *v, const char *const *values, char **norm, char **why)
{
    unsigned char u[VK_UUID_LEN];
    char buf[VK_UUID_STRLEN];
    if (vk_uuid_parse(v, u) < 0) {
        virtkit_error_clear();
        return why_set(why, "expected a UUID like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
    }
    vk_uuid_format(u, buf);
    *norm = vk_strdup(buf);
    return 0;
}

static int check_mac(const char *v, const char *const *values, char **norm, char **why)
{
    unsigned int b[6];
    char tail;
    if (strlen(v) != 17 ||
        sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &tail) != 6)
        return why_set(why, "expected a MAC address like 52:54:00:12:34:56");
    for (int i = 0; i < 17; i++)
        if ((i % 3 == 2) ? v[i] != ':' : !isxdigit((unsigned char)v[i]))
            return why_set(why, "expected a MAC address like 52:54:00:12:34:56");
    if (b[0] & 1)
        return why_set(why, "is a multicast address");
    *norm = vk_asprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return 0;
}

static int check_abspath(const char *v, const char *const *values, char **norm, char **why)
{
    if (v[0] != '/')
        return why_set(why, "expected an absolute path");
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20)
            return why_set(why, "must not contain control characters");
    return 0;
}

int vk_cpuset_parse(const char *v, uint8_t *bits, size_t nbits, char **why)
{
    char err[96];
    return vk_cpuset_scan(v, bits, nbits, NULL, err, sizeof(err)) < 0 ? why_set(why, "%s", err)
                                                                       : 0;
}

static int check_cpuset(const char *v, const char *const *values, char **norm, char **why)
{
    uint8_t bits[(VK_CPUSET_MAX + 8) / 8];
    return vk_cpuset_parse(v, bits, VK_CPUSET_MAX + 1, why);
}

static int check_ipaddr(const char *v, const char *const *values, char **norm, char **why)
{
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    int af = strchr(v, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(af, v, buf) != 1 || !inet_ntop(af, buf, out, sizeof(out)))
        return why_set(why, "expected an IPv4 or IPv6 address");
    *norm = vk_strdup(out);
    return 0;
}

/* Permissions: an octal mode up to 07777, written with 4 digits. */
static int check_octal(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t x;
    for (const char *p = v; *p; p++)
        if (*p < '0' || *p > '7')
            return why_set(why, "expected an octal mode like 0755");
    if (vk_parse_u64(v, 8, &x) < 0 || x > 07777)
        return why_set(why, "expected an octal mode like 0755");
    *norm = vk_asprintf("%04llo", (unsigned long long)x);
    return 0;
}

/* A World Wide Name: 16 hex digits, kept lower-case. */
static int check_wwn(const char *v, const char *const *values, char **norm, char **why)
{
    if (strlen(v) != 16)
        return why_set(why, "expected 16 hexadecimal digits");
    for (const char *p = v; *p; p++)
        if (!isxdigit((unsigned char)*p))
            return why_set(why, "expected 16 hexadecimal digits");
    char *n = vk_strdup(v);
    for (char *p = n; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    *norm = n;
    return 0;
}

static int unit_multiplier(const char *unit, uint64_t *mult);

static int check_unit(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t m;
    if (unit_multiplier(v, &m) < 0)
        return why_set(why, "unknown unit; expected b, bytes, KB, K, KiB, MB, M, MiB, GB, G, "
                            "GiB, TB, T, TiB, PB, P, PiB, EB, E or EiB");
    return 0;
}

const vk_xtype vk_xt_string = { "text", check_string, "<text/>" };
const vk_xtype vk_xt_token = { "a token", check_token,
                               "<data type='string'><param name='pattern'>[^\\s]+</param>"
                               "</data>" };
const vk_xtype vk_xt_ident = {
    "an identifier", check_ident,
    "<data type='string'><param name='pattern'>[a-z][a-z0-9_\\-]{0,31}</param></data>"
};
const vk_xtype vk_xt_name = { "a name", check_name,
                              "<data type='string'><param name='pattern'>[^/]+</param></data>" };
const vk_xtype vk_xt_uint = { "an unsigned integer", check_uint, "<data type='unsignedInt'/>" };
const vk_xtype vk_xt_ulong = { "an unsigned integer", check_ulong, "<data type='unsignedLong'/>" };
const vk_xtype vk_xt_port = {
    "a port number", check_port,
    "<data type='unsignedInt'><param name='maxInclusive'>65535</param></data>"
};
const vk_xtype vk_xt_int = { "an integer", check_int, "<data type='int'/>" };
const vk_xtype vk_xt_long = { "an integer", check_long, "<data type='long'/>" };
const vk_xtype vk_xt_double = { "a number", check_double, "<data type='double'/>" };
const vk_xtype vk_xt_hex = {
    "a hexadecimal number", check_hex,
    "<data type='string'><param name='pattern'>(0[xX])?[0-9a-fA-F]+</param></data>"
};
const vk_xtype vk_xt_hex16 = {
    "a 16-bit hexadecimal id", check_hex16,
    "<data type='string'><param name='pattern'>(0[xX])?[0-9a-fA-F]{1,4}</param></data>"
};
const vk_xtype vk_xt_number = {
    "a number", check_number,
    "<data type='string'><param name='pattern'>(0[xX][0-9a-fA-F]+)|([0-9]+)</param></data>"
};
const vk_xtype vk_xt_enum = { "one of a list", check_enum, NULL };
const vk_xtype vk_xt_yesno = { "yes or no", check_yesno,
                               "<choice><value>yes</value><value>no</value></choice>" };
const vk_xtype vk_xt_onoff = { "on or off", check_onoff,
                               "<choice><value>on</value><value>off</value></choice>" };
const vk_xtype vk_xt_uuid = {
    "a UUID", check_uuid,
    "<data type='string'><param name='pattern'>[a-fA-F0-9]{8}-?[a-fA-F0-9]{4}-?[a-fA-F0-9]{4}-?"
    "[a-fA-F0-9]{4}-?[a-fA-F0-9]{12}</param></data>"
};
const vk_xtype vk_xt_mac = {
    "a MAC address", check_mac,
    "<data type='string'><param name='pattern'>([a-fA-F0-9]{2}:){5}[a-fA-F0-9]{2}</param></data>"
};
const vk_xtype vk_xt_abspath = { "an absolute path", check_abspath,
                                 "<data type='string'><param name='pattern'>/.*</param></data>" };
const vk_xtype vk_xt_cpuset = {
    "a CPU list", check_cpuset,
    "<data type='string'><param name='pattern'>(\\^?[0-9]+(-[0-9]+)?)( *, *\\^?[0-9]+(-[0-9]+)?)*"
    "</param></data>"
};
const vk_xtype vk_xt_ipaddr = {
    "an IP address", check_ipaddr,
    "<data type='string'><param name='pattern'>[0-9a-fA-F:.]+</param></data>"
};
const vk_xtype vk_xt_octal = {
    "an octal mode", check_octal,
    "<data type='string'><param name='pattern'>[0-7]{1,4}</param></data>"
};
const vk_xtype vk_xt_wwn = {
    "a WWN", check_wwn,
    "<data type='string'><param name='pattern'>[0-9a-fA-F]{16}</param></data>"
};
const vk_xtype vk_xt_unit = {
    "a unit", check_unit,
    "<data type='string'><param name='pattern'>([bB]([yY][tT][eE][sS]?)?)|"
    "([kKmMgGtTpPeE]([iI]?[bB])?)</param></data>"
};
const vk_xtype vk_xt_scaled = { "a scaled integer", check_ulong, "<data type='unsignedLong'/>" };

/* libvirt's unit rules: "b"/"byte"/"bytes"; a single letter or letter+"iB"
 * is a power of 1024, letter+"B" a power of 1000; letters case-insensitive. */
static int unit_multiplier(const char *unit, uint64_t *mult)
{
    static const char powers[] = "kmgtpe";
    if (!strcasecmp(unit, "b") || !strcasecmp(unit, "byte") || !strcasecmp(unit, "bytes")) {
        *mult = 1;
        return 0;
    }
    const char *pos = unit[0] ? strchr(powers, tolower((unsigned char)unit[0])) : NULL;
    if (!pos)
        return -1;
    uint64_t base;
    if (!unit[1] || !strcasecmp(unit + 1, "iB"))
        base = 1024;
    else if (!strcasecmp(unit + 1, "B"))
        base = 1000;
    else
        return -1;
    uint64_t m = 1;
    for (int i = 0; i <= pos - powers; i++)
        m *= base;
    *mult = m;
    return 0;
}

int vk_scale_value(const char *value, const char *unit, bool to_bytes, uint64_t *out,
                   char **why)
{
    uint64_t v, mult;
    if (vk_parse_u64(value, 10, &v) < 0)
        return why_set(why, "'%s' is not an unsigned integer", value);
    if (!unit)
        unit = to_bytes ? "bytes" : "KiB";
    if (unit_multiplier(unit, &mult) < 0)
        return why_set(why, "unknown unit '%s'", unit);
    if (v && mult > UINT64_MAX / v)
        return why_set(why, "%s %s overflows 64 bits", value, unit);
    uint64_t bytes = v * mult;
    if (to_bytes) {
        *out = bytes;
    } else {
        /* Round up to whole KiB, as libvirt does. */
        *out = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    }
    return 0;
}
