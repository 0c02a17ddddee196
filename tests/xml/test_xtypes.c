/*
 * test_xtypes.c: every value type of the schema tables (xtypes.c) accepts,
 * rejects and normalises what its contract says, units scale like
 * libvirt's (and overflow is caught), CPU lists parse into bitmaps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "schema.h"
#include "testutil.h"

typedef struct {
    const vk_xtype *type;
    const char *in;
    const char *out;      /* normalised value; NULL: rejected */
    const char *why;      /* for rejections: a fragment of the reason */
} tcase;

static const char *const colours[] = { "red", "green", NULL };

#define OK(t, in, out) { &vk_xt_##t, in, out, NULL }
#define BAD(t, in, why) { &vk_xt_##t, in, NULL, why }

static const tcase cases[] = {
    OK(string, "", ""), OK(string, " any text ", " any text "),
    OK(token, "virtio", "virtio"), BAD(token, "", "empty"), BAD(token, "a b", "whitespace"),
    BAD(token, "a\tb", "whitespace"),
    OK(name, "web 1", "web 1"), BAD(name, "", "empty"), BAD(name, "a/b", "'/'"),
    BAD(name, "a\x01", "control"),
    OK(uint, "0", "0"), OK(uint, "007", "7"), OK(uint, "4294967295", "4294967295"),
    BAD(uint, "4294967296", "2^32"), BAD(uint, "-1", "unsigned"), BAD(uint, "1.5", "unsigned"),
    BAD(uint, "", "unsigned"), BAD(uint, " 1", "unsigned"), BAD(uint, "0x10", "unsigned"),
    OK(ulong, "18446744073709551615", "18446744073709551615"),
    BAD(ulong, "18446744073709551616", "unsigned"), BAD(ulong, "+5", "unsigned"),
    OK(port, "65535", "65535"), OK(port, "0", "0"), BAD(port, "65536", "0 to 65535"),
    OK(int, "-2147483648", "-2147483648"), OK(int, "-01", "-1"), BAD(int, "2147483648", "32-bit"),
    OK(long, "-9223372036854775808", "-9223372036854775808"), BAD(long, "x", "64-bit"),
    OK(double, "1.5", "1.5"), OK(double, "-2e3", "-2e3"), BAD(double, "1.5x", "number"),
    BAD(double, " 1", "number"),
    OK(hex, "0x1F", "0x1f"), OK(hex, "ff", "0xff"), OK(hex, "0X00a", "0xa"),
    BAD(hex, "0x", "hexadecimal"), BAD(hex, "0xg", "hexadecimal"), BAD(hex, "-1", "hexadecimal"),
    OK(hex16, "46d", "0x046d"), OK(hex16, "0xC52B", "0xc52b"), BAD(hex16, "0x10000", "16-bit"),
    OK(number, "12", "12"), OK(number, "0x1f", "0x1f"), BAD(number, "0x", "number"),
    BAD(number, "1a", "number"),
    { &vk_xt_enum, "red", "red", NULL }, { &vk_xt_enum, "blue", NULL, "red, green" },
    OK(yesno, "yes", "yes"), OK(yesno, "no", "no"), BAD(yesno, "on", "yes, no"),
    BAD(yesno, "Yes", "yes, no"),
    OK(onoff, "off", "off"), BAD(onoff, "true", "on, off"),
    OK(uuid, "4DEA22B3-1D52-D8F3-2516-782E98AB3FA0", "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"),
    OK(uuid, "4dea22b31d52d8f32516782e98ab3fa0", "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"),
    BAD(uuid, "4dea22b3-1d52-d8f3-2516", "UUID"), BAD(uuid, "zzzzzzzz-1d52-d8f3-2516-782e98ab3fa0", "UUID"),
    OK(mac, "52:54:00:AB:cd:EF", "52:54:00:ab:cd:ef"), BAD(mac, "52:54:00:ab:cd", "MAC"),
    BAD(mac, "52-54-00-ab-cd-ef", "MAC"), BAD(mac, "01:00:5e:00:00:01", "multicast"),
    BAD(mac, "52:54:00:ab:cd:efx", "MAC"), BAD(mac, "52:54:00:ab:c :ef", "MAC"),
    OK(abspath, "/var/lib/x", "/var/lib/x"), BAD(abspath, "var/lib", "absolute"),
    BAD(abspath, "/a\nb", "control"),
    OK(cpuset, "0-3,^2,8", "0-3,^2,8"), OK(cpuset, "5", "5"), BAD(cpuset, "", "CPU list"),
    BAD(cpuset, "3-1", "backwards"), BAD(cpuset, "0,", "CPU list"), BAD(cpuset, "a", "CPU list"),
    BAD(cpuset, "^2", "no CPU"), BAD(cpuset, "0-1,^0-1", "CPU list"), BAD(cpuset, "1,^1", "no CPU"),
    BAD(cpuset, "16384", "out of range"), OK(cpuset, "16383", "16383"),
    OK(ipaddr, "192.168.122.1", "192.168.122.1"), OK(ipaddr, "2001:DB8:0:0::1", "2001:db8::1"),
    OK(ipaddr, "::", "::"), BAD(ipaddr, "192.168.1", "IPv4 or IPv6"),
    BAD(ipaddr, "300.1.1.1", "IPv4 or IPv6"), BAD(ipaddr, "fe80::1%eth0", "IPv4 or IPv6"),
    OK(octal, "755", "0755"), OK(octal, "0600", "0600"), OK(octal, "07777", "7777"),
    BAD(octal, "0800", "octal"), BAD(octal, "17777", "octal"), BAD(octal, "", "octal"),
    OK(wwn, "5000C50015EA71AD", "5000c50015ea71ad"), BAD(wwn, "5000C50015EA71A", "16 hex"),
    BAD(wwn, "5000C50015EA71AZ", "16 hex"),
    OK(unit, "KiB", "KiB"), OK(unit, "k", "k"), OK(unit, "gb", "gb"), OK(unit, "bytes", "bytes"),
    OK(unit, "EiB", "EiB"), BAD(unit, "KIBB", "unknown unit"), BAD(unit, "x", "unknown unit"),
    BAD(unit, "", "unknown unit"), BAD(unit, "Kb2", "unknown unit"),
};

static void test_types(void **state)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(cases); i++) {
        const tcase *c = &cases[i];
        char *norm = NULL, *why = NULL;
        int r = c->type->check(c->in, c->type == &vk_xt_enum ? colours : NULL, &norm, &why);
        const char *got = norm ? norm : c->in;
        bool ok = c->out ? (r == 0 && vk_streq(got, c->out))
                         : (r < 0 && why && strstr(why, c->why));
        if (!ok)
            print_error("type '%s' value '%s': expected %s '%s', got %s '%s'\n", c->type->name,
                        c->in, c->out ? "accepted as" : "rejected with", c->out ? c->out : c->why,
                        r == 0 ? "accepted as" : "rejected with", r == 0 ? got : why);
        free(norm);
        free(why);
        assert_true(ok);
        /* every type names its RelaxNG pattern, except enums (derived) */
        assert_true(c->type == &vk_xt_enum || c->type->rng != NULL);
    }
}

typedef struct {
    const char *value, *unit;
    bool bytes;
    uint64_t expect;
    const char *why; /* non-NULL: must fail */
} scase;

static const scase scale_cases[] = {
    { "1", NULL, false, 1, NULL },                 /* no unit: KiB */
    { "1", NULL, true, 1, NULL },                  /* no unit for byte values: bytes */
    { "1", "b", false, 1, NULL },                  /* 1 byte rounds up to 1 KiB */
    { "1024", "bytes", false, 1, NULL },
    { "1025", "bytes", false, 2, NULL },
    { "0", "GiB", false, 0, NULL },
    { "1", "KB", false, 1, NULL },                 /* 1000 bytes: 1 KiB rounded up */
    { "1", "KB", true, 1000, NULL },
    { "1", "kB", true, 1000, NULL },
    { "1", "K", true, 1024, NULL },
    { "1", "kib", true, 1024, NULL },
    { "3", "M", false, 3072, NULL },
    { "1", "MB", true, 1000000, NULL },
    { "2", "G", false, 2097152, NULL },
    { "1", "GB", true, 1000000000, NULL },
    { "1", "T", true, 1ULL << 40, NULL },
    { "1", "PB", true, 1000000000000000ULL, NULL },
    { "15", "EiB", true, 15ULL << 60, NULL },
    { "16", "EiB", true, 0, "overflows" },
    { "18446744073709551615", "b", true, UINT64_MAX, NULL },
    { "18446744073709551615", "b", false, 18014398509481984ULL, NULL },
    { "18446744073709551615", "KiB", false, 0, "overflows" },
    { "18014398509481984", "KiB", false, 0, "overflows" },
    { "18014398509481983", "KiB", false, 18014398509481983ULL, NULL },
    { "-1", "KiB", false, 0, "not an unsigned integer" },
    { "1.5", "GiB", false, 0, "not an unsigned integer" },
    { "1", "furlongs", false, 0, "unknown unit 'furlongs'" },
    { "1", "ZiB", false, 0, "unknown unit" },
};

static void test_scaling(void **state)
{
    for (size_t i = 0; i < VK_ARRAY_LEN(scale_cases); i++) {
        const scase *c = &scale_cases[i];
        uint64_t v = 0;
        char *why = NULL;
        int r = vk_scale_value(c->value, c->unit, c->bytes, &v, &why);
        bool ok = c->why ? (r < 0 && strstr(why, c->why)) : (r == 0 && v == c->expect);
        if (!ok)
            print_error("%s %s (%s): expected %llu/%s, got r=%d v=%llu why=%s\n", c->value,
                        c->unit ? c->unit : "-", c->bytes ? "bytes" : "KiB",
                        (unsigned long long)c->expect, c->why ? c->why : "-", r,
                        (unsigned long long)v, why ? why : "-");
        free(why);
        assert_true(ok);
    }
}

static void test_cpuset_bits(void **state)
{
    uint8_t bits[4];
    char *why = NULL;
    assert_int_equal(vk_cpuset_parse("0-3,^2,8,20-21", bits, 32, &why), 0);
    assert_int_equal(bits[0], 0x0b); /* 0,1,3 */
    assert_int_equal(bits[1], 0x01); /* 8 */
    assert_int_equal(bits[2], 0x30); /* 20,21 */
    assert_int_equal(bits[3], 0x00);
    /* a set whose CPUs are all beyond the bitmap selects nothing in it */
    assert_int_equal(vk_cpuset_parse("40", bits, 32, &why), -1);
    assert_non_null(strstr(why, "no CPU"));
    free(why);
    why = NULL;
    /* spaces around commas are tolerated, like libvirt */
    assert_int_equal(vk_cpuset_parse("1 , 2", NULL, 0, &why), 0);
}

/* Values checked through a schema row carry the element and the line. */
static void test_check_attr_message(void **state)
{
    vk_xnode *n = vk_xnode_new("vcpu", NULL);
    n->line = 7;
    static const vk_xattr a = { "current", &vk_xt_uint, NULL, 0 };
    assert_null(vk_schema_check_attr(n, &a, "x"));
    VKT_ERROR(VIRTKIT_ERR_XML, "line 7: <vcpu>: attribute current='x' is not valid: expected an "
                               "unsigned integer");
    char *v = VKT_NONNULL(vk_schema_check_attr(n, &a, "08"));
    assert_string_equal(v, "8");
    free(v);
    vk_xnode_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_scaling),
        cmocka_unit_test(test_cpuset_bits),
        cmocka_unit_test(test_check_attr_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
