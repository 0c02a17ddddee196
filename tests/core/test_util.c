/*
 * test_util.c: util.h, strbuf.h, uuid.h, params (typed parameter lists).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "error.h"
#include "params.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"
#include "uuid.h"

static void test_parse_numbers(void **state)
{
    uint64_t u;
    int64_t i;
    unsigned int ui;
    assert_int_equal(vk_parse_u64("18446744073709551615", 10, &u), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(vk_parse_u64("18446744073709551616", 10, &u), -1);
    assert_int_equal(vk_parse_u64("-1", 10, &u), -1);
    assert_int_equal(vk_parse_u64("12abc", 10, &u), -1);
    assert_int_equal(vk_parse_u64("", 10, &u), -1);
    assert_int_equal(vk_parse_u64(" 1", 10, &u), -1);
    assert_int_equal(vk_parse_u64("0x10", 0, &u), 0);
    assert_true(u == 16);
    assert_int_equal(vk_parse_i64("-42", 10, &i), 0);
    assert_true(i == -42);
    assert_int_equal(vk_parse_uint("4294967296", &ui), -1);
    assert_int_equal(vk_parse_uint("4294967295", &ui), 0);
}

static void test_strv(void **state)
{
    VK_AUTOSTRV v = vk_strv_split("a,b,,c", ",");
    assert_int_equal(vk_strv_len(v), 4);
    assert_string_equal(v[2], "");
    VK_AUTOFREE(char *) j = vk_strv_join(v, "+");
    assert_string_equal(j, "a+b++c");
    assert_true(vk_strv_contains((const char *const *)v, "c"));
    assert_false(vk_strv_contains((const char *const *)v, "d"));
    VK_AUTOSTRV e = vk_strv_split("", ",");
    assert_int_equal(vk_strv_len(e), 0);
}

static void test_strbuf(void **state)
{
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    assert_string_equal(vk_strbuf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        vk_strbuf_addf(&b, "%d,", i);
    assert_int_equal(strlen(vk_strbuf_str(&b)), b.len);
    vk_strbuf_truncate(&b, 0);
    vk_strbuf_add_xml_escaped(&b, "<a href=\"x\">&'</a>");
    assert_string_equal(vk_strbuf_str(&b), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    vk_strbuf_truncate(&b, 0);
    vk_strbuf_add_json_escaped(&b, "q\"\\\n\x01");
    assert_string_equal(vk_strbuf_str(&b), "q\\\"\\\\\\n\\u0001");
    char *s = vk_strbuf_steal(&b);
    assert_string_equal(s, "q\\\"\\\\\\n\\u0001");
    free(s);
    assert_int_equal(b.len, 0);
}

static void test_uuid(void **state)
{
    unsigned char a[16], b[16];
    char s[VK_UUID_STRLEN];
    vk_uuid_generate(a);
    vk_uuid_format(a, s);
    assert_int_equal(strlen(s), 36);
    assert_int_equal(s[14], '4'); /* version 4 */
    assert_int_equal(vk_uuid_parse(s, b), 0);
    assert_memory_equal(a, b, 16);
    assert_int_equal(vk_uuid_parse("6695EB01F6A4830479AA97F2502E193F", b), 0);
    vk_uuid_format(b, s);
    assert_string_equal(s, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_int_equal(vk_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193", b), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "is not a valid UUID");
    assert_int_equal(vk_uuid_parse("zz95eb01-f6a4-8304-79aa-97f2502e193f", b), -1);
    assert_int_equal(vk_uuid_parse(NULL, b), -1);
    memset(b, 0, 16);
    assert_true(vk_uuid_is_null(b));
}

static void test_params(void **state)
{
    VK_AUTOPTR(virtkit_params) p = virtkit_params_new();
    VKT_OK(virtkit_params_add_int(p, "i", -5));
    VKT_OK(virtkit_params_add_ullong(p, "u", 1ULL << 40));
    VKT_OK(virtkit_params_add_string(p, "s", "text"));
    VKT_OK(virtkit_params_add_bool(p, "b", 7));
    VKT_OK(virtkit_params_add_double(p, "d", 2.5));
    assert_int_equal(virtkit_params_count(p), 5);
    int i;
    unsigned long long u;
    const char *s;
    assert_int_equal(virtkit_params_get_int(p, "i", &i), 1);
    assert_int_equal(i, -5);
    assert_int_equal(virtkit_params_get_ullong(p, "u", &u), 1);
    assert_true(u == 1ULL << 40);
    assert_int_equal(virtkit_params_get_string(p, "s", &s), 1);
    assert_string_equal(s, "text");
    assert_int_equal(virtkit_params_get_int(p, "missing", &i), 0);
    assert_int_equal(virtkit_params_get_int(p, "s", &i), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "has type string, not int");
    /* Replacing keeps one entry and changes the type. */
    VKT_OK(virtkit_params_add_string(p, "i", "now a string"));
    assert_int_equal(virtkit_params_count(p), 5);
    assert_int_equal(virtkit_params_type(p, 0), VIRTKIT_PARAM_STRING);
    char *v = virtkit_params_value_string(p, 3);
    assert_string_equal(v, "yes");
    free(v);
    assert_int_equal(virtkit_params_add_string(p, "x", NULL), -1);
    assert_int_equal(virtkit_params_add_int(p, "", 1), -1);
    assert_null(virtkit_params_value_string(p, 99));
    VK_AUTOPTR(virtkit_params) c = vk_params_copy(p);
    assert_int_equal(virtkit_params_count(c), 5);
    static const vk_param_spec spec[] = { { "i", VIRTKIT_PARAM_STRING }, { NULL, 0 } };
    assert_int_equal(vk_params_validate(c, spec), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "unknown parameter 'u'");
}

static void test_errors(void **state)
{
    virtkit_error_clear();
    assert_null(virtkit_error_last());
    vk_error_set(VIRTKIT_ERR_NO_DOMAIN, VIRTKIT_SUB_HYPERVISOR, "no domain '%s'", "x");
    const virtkit_error *e = virtkit_error_last();
    assert_non_null(e);
    assert_int_equal(e->code, VIRTKIT_ERR_NO_DOMAIN);
    assert_string_equal(e->message, "no domain 'x'");
    vk_error_prefix("ctx: ");
    assert_string_equal(virtkit_error_last()->message, "ctx: no domain 'x'");
    vk_saved_error *sv = vk_error_save();
    vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_CORE, "other");
    vk_error_restore(sv);
    assert_string_equal(virtkit_error_last()->message, "ctx: no domain 'x'");
    vk_error_system(2, VIRTKIT_SUB_CORE, "open '%s'", "/nope");
    assert_int_equal(virtkit_error_last()->code, VIRTKIT_ERR_SYSTEM);
    assert_string_equal(virtkit_error_last()->message, "open '/nope': No such file or directory");
    assert_string_equal(virtkit_error_code_name(VIRTKIT_ERR_NO_DOMAIN), "no-domain");
    assert_string_equal(virtkit_error_code_name(9999), "unknown");
    assert_string_equal(virtkit_error_subsystem_name(VIRTKIT_SUB_RPC), "rpc");
    /* Every code up to the last has a name. */
    for (int c = 0; c <= VIRTKIT_ERR_NO_DEVICE; c++)
        assert_string_not_equal(virtkit_error_code_name(c), "unknown");
}

static void *thread_error(void *arg)
{
    /* Another thread has its own slot: empty at first. */
    *(int *)arg = virtkit_error_last() == NULL;
    vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_CORE, "thread");
    return NULL;
}

static void test_error_thread_local(void **state)
{
    vk_error_set(VIRTKIT_ERR_NO_POOL, VIRTKIT_SUB_STORAGE, "main");
    int empty = 0;
    pthread_t t;
    pthread_create(&t, NULL, thread_error, &empty);
    pthread_join(t, NULL);
    assert_true(empty);
    assert_string_equal(virtkit_error_last()->message, "main");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_numbers), cmocka_unit_test(test_strv),
        cmocka_unit_test(test_strbuf),        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_params),        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_thread_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
