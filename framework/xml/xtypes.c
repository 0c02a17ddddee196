/*
 * xtypes.c: value types for schema tables (see schema.h). Each check
 * returns 0, optionally with a normalised copy, or -1 with a reason that
 * completes "value 'X' is not valid: <why>".
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "schema.h"
#include "uuid.h"

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
        if (isspace((unsigned char)*p))
            return why_set(why, "must not contain whitespace");
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

static int check_ulong(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t x;
    if (vk_parse_u64(v, 10, &x) < 0)
        return why_set(why, "expected an unsigned integer");
    return 0;
}

static int check_uint(const char *v, const char *const *values, char **norm, char **why)
{
    unsigned int x;
    if (vk_parse_uint(v, &x) < 0)
        return why_set(why, "expected an unsigned integer below 2^32");
    return 0;
}

static int check_int(const char *v, const char *const *values, char **norm, char **why)
{
    int x;
    if (vk_parse_int(v, &x) < 0)
        return why_set(why, "expected a 32-bit integer");
    return 0;
}

static int check_double(const char *v, const char *const *values, char **norm, char **why)
{
    char *end;
    if (!*v)
        return why_set(why, "expected a number");
    strtod(v, &end);
    if (*end)
        return why_set(why, "expected a number");
    return 0;
}

static int check_hex(const char *v, const char *const *values, char **norm, char **why)
{
    uint64_t x;
    const char *p = (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? v + 2 : v;
    if (!*p || vk_parse_u64(p, 16, &x) < 0)
        return why_set(why, "expected a hexadecimal number");
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
    return 0;
}

static int check_cpuset(const char *v, const char *const *values, char **norm, char **why)
{
    const char *p = v;
    if (!*p)
        return why_set(why, "expected a CPU list like 0-3,^2,8");
    while (*p) {
        if (*p == '^')
            p++;
        if (!isdigit((unsigned char)*p))
            return why_set(why, "expected a CPU list like 0-3,^2,8");
        char *end;
        unsigned long a = strtoul(p, &end, 10);
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                return why_set(why, "expected a CPU list like 0-3,^2,8");
            unsigned long b = strtoul(p, &end, 10);
            if (b < a)
                return why_set(why, "range %lu-%lu runs backwards", a, b);
            p = end;
        }
        if (a > 65535)
            return why_set(why, "CPU %lu is out of range", a);
        if (*p == ',')
            p++;
        else if (*p)
            return why_set(why, "expected a CPU list like 0-3,^2,8");
    }
    return 0;
}

static int check_ipaddr(const char *v, const char *const *values, char **norm, char **why)
{
    unsigned char buf[16];
    if (inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1)
        return 0;
    return why_set(why, "expected an IPv4 or IPv6 address");
}

const vk_xtype vk_xt_string = { "text", check_string, "<text/>" };
const vk_xtype vk_xt_token = { "a token", check_token, "<data type='token'/>" };
const vk_xtype vk_xt_name = { "a name", check_name,
                              "<data type='string'><param name='pattern'>[^/]+</param></data>" };
const vk_xtype vk_xt_uint = { "an unsigned integer", check_uint, "<data type='unsignedInt'/>" };
const vk_xtype vk_xt_ulong = { "an unsigned integer", check_ulong, "<data type='unsignedLong'/>" };
const vk_xtype vk_xt_int = { "an integer", check_int, "<data type='int'/>" };
const vk_xtype vk_xt_double = { "a number", check_double, "<data type='double'/>" };
const vk_xtype vk_xt_hex = {
    "a hexadecimal number", check_hex,
    "<data type='string'><param name='pattern'>(0x)?[0-9a-fA-F]+</param></data>"
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
    "<data type='string'><param name='pattern'>(\\^?[0-9]+(-[0-9]+)?)(,\\^?[0-9]+(-[0-9]+)?)*"
    "</param></data>"
};
const vk_xtype vk_xt_ipaddr = { "an IP address", check_ipaddr, "<data type='token'/>" };
const vk_xtype vk_xt_scaled = { "a scaled integer", check_ulong, "<data type='unsignedLong'/>" };

static const struct {
    const char *unit;
    uint64_t bytes;
} units[] = {
    { "b", 1ULL },           { "bytes", 1ULL },
    { "KB", 1000ULL },       { "k", 1024ULL },      { "KiB", 1024ULL },
    { "MB", 1000000ULL },    { "M", 1ULL << 20 },   { "MiB", 1ULL << 20 },
    { "GB", 1000000000ULL }, { "G", 1ULL << 30 },   { "GiB", 1ULL << 30 },
    { "TB", 1000000000000ULL }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
    { "PB", 1000000000000000ULL }, { "P", 1ULL << 50 }, { "PiB", 1ULL << 50 },
    { "EB", 1000000000000000000ULL }, { "E", 1ULL << 60 }, { "EiB", 1ULL << 60 },
};

int vk_scale_value(const char *value, const char *unit, bool to_bytes, uint64_t *out,
                   char **why)
{
    uint64_t v, mult = 0;
    if (vk_parse_u64(value, 10, &v) < 0)
        return why_set(why, "'%s' is not an unsigned integer", value);
    if (!unit)
        unit = to_bytes ? "bytes" : "KiB";
    for (size_t i = 0; i < VK_ARRAY_LEN(units); i++)
        if (vk_streq(units[i].unit, unit))
            mult = units[i].bytes;
    if (!mult)
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
