/*
 * test_uri.c: connection URI parsing and formatting (uri.h), paths from
 * one root (paths.h) and the client configuration (conf.h).
 */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "error.h"
#include "fileutil.h"
#include "paths.h"
#include "testutil.h"
#include "uri.h"

static void test_uri_forms(void **state)
{
    VK_AUTOPTR(vk_uri) u = vk_uri_parse("qemu+ssh://root@host.example.com:2222/system?keyfile=/k&no_verify=1");
    assert_non_null(u);
    assert_string_equal(u->driver, "qemu");
    assert_string_equal(u->transport, "ssh");
    assert_string_equal(u->user, "root");
    assert_string_equal(u->host, "host.example.com");
    assert_int_equal(u->port, 2222);
    assert_string_equal(u->path, "/system");
    assert_string_equal(vk_uri_param_get(u, "keyfile"), "/k");
    assert_string_equal(vk_uri_param_get(u, "no_verify"), "1");
    assert_null(vk_uri_param_get(u, "missing"));
    assert_true(vk_uri_is_remote(u));

    VK_AUTOPTR(vk_uri) t = vk_uri_parse("test:///default");
    assert_non_null(t);
    assert_string_equal(t->driver, "test");
    assert_null(t->transport);
    assert_null(t->host);
    assert_string_equal(t->path, "/default");
    assert_false(vk_uri_is_remote(t));

    VK_AUTOPTR(vk_uri) v6 = vk_uri_parse("qemu+tls://[::1]:16514/system");
    assert_non_null(v6);
    assert_string_equal(v6->host, "::1");
    assert_int_equal(v6->port, 16514);
    VK_AUTOFREE(char *) f = vk_uri_format(v6);
    assert_string_equal(f, "qemu+tls://[::1]:16514/system");

    VK_AUTOPTR(vk_uri) e = vk_uri_parse("qemu:///embed?root=/tmp/a%20b");
    assert_string_equal(vk_uri_param_get(e, "root"), "/tmp/a b");
    VK_AUTOFREE(char *) ef = vk_uri_format(e);
    assert_string_equal(ef, "qemu:///embed?root=/tmp/a%20b");
}

static void test_uri_errors(void **state)
{
    assert_null(vk_uri_parse(""));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "empty");
    assert_null(vk_uri_parse("no-scheme"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "expected driver://");
    assert_null(vk_uri_parse("qemu://host:99999/system"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "port '99999'");
    assert_null(vk_uri_parse("qemu://host:x/system"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "port 'x'");
    assert_null(vk_uri_parse("q emu:///system"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "not allowed in the scheme");
    assert_null(vk_uri_parse("qemu+a+b:///x"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "driver+transport");
    assert_null(vk_uri_parse("qemu://[::1/system"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "unterminated");
    assert_null(vk_uri_parse("qemu://@host/system"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "empty user");
    assert_null(vk_uri_parse("qemu:///x?=v"));
    VKT_ERROR(VIRTKIT_ERR_INVALID_URI, "empty query parameter name");
}

static void test_paths_root(void **state)
{
    VK_AUTOPTR(vk_paths) p = vk_paths_new("/r");
    assert_string_equal(p->config, "/r/etc/virtkit");
    assert_string_equal(p->state, "/r/var/lib/virtkit");
    assert_string_equal(p->run, "/r/run/virtkit");
    assert_string_equal(p->log, "/r/var/log/virtkit");
    assert_string_equal(p->cache, "/r/var/cache/virtkit");
    VK_AUTOFREE(char *) s = vk_paths_daemon_socket(p, true);
    assert_string_equal(s, "/r/run/virtkit/virtkitd-sock-ro");
    setenv("VIRTKIT_ROOT", "/env-root", 1);
    VK_AUTOPTR(vk_paths) q = vk_paths_new(NULL);
    assert_string_equal(q->run, "/env-root/run/virtkit");
    unsetenv("VIRTKIT_ROOT");
}

static void test_client_conf(void **state)
{
    char *root = vkt_tmpdir();
    VK_AUTOFREE(char *) dir = vk_asprintf("%s/etc/virtkit", root);
    VK_AUTOFREE(char *) file = vk_asprintf("%s/virtkit.conf", dir);
    assert_int_equal(vk_mkdir_p(dir, 0755), 0);
    const char *conf = "uri_default = \"test:///default\";\n"
                       "uri_aliases = ( \"prod=qemu+tls://prod.example.com/system\" );\n";
    assert_int_equal(vk_file_write_atomic(file, conf, strlen(conf), 0644), 0);
    setenv("VIRTKIT_ROOT", root, 1);
    unsetenv("VIRTKIT_DEFAULT_URI");
    vk_conf_client_reset();
    assert_string_equal(vk_conf_client_default_uri(), "test:///default");
    VK_AUTOFREE(char *) al = vk_conf_client_alias("prod");
    assert_string_equal(al, "qemu+tls://prod.example.com/system");
    assert_null(vk_conf_client_alias("pro"));
    setenv("VIRTKIT_DEFAULT_URI", "test:///other.xml", 1);
    assert_string_equal(vk_conf_client_default_uri(), "test:///other.xml");
    unsetenv("VIRTKIT_DEFAULT_URI");

    /* A syntax error names the file and line. */
    const char *bad = "uri_default = \"x\"\nbroken\n";
    assert_int_equal(vk_file_write_atomic(file, bad, strlen(bad), 0644), 0);
    config_t cfg;
    assert_int_equal(vk_conf_load(file, &cfg), -1);
    vk_conf_free(&cfg);
    VKT_ERROR(VIRTKIT_ERR_CONF, "virtkit.conf:");
    unsetenv("VIRTKIT_ROOT");
    vk_conf_client_reset();
    vkt_tmpdir_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_forms),
        cmocka_unit_test(test_uri_errors),
        cmocka_unit_test(test_paths_root),
        cmocka_unit_test(test_client_conf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
