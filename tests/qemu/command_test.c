/*
 * command_test.c: golden tests of the qemu command-line builder.
 *
 * Every tests/qemu/data/argv/NAME.xml is parsed as a domain and turned
 * into argv against the capabilities of Debian's qemu 7.2
 * (tests/qemu/data/caps-x86_64.json, captured from a real probe), with
 * fixed stand-ins for the host resources (monitor fd 3, tap fds 30+i,
 * clock 2023-11-14T22:13:20Z). The result is compared with NAME.args: the
 * command line one option per line, or "error: CODE: message" for a
 * definition qemu cannot run. Regenerate with
 *   make check TESTS=tests/qemu/command_test VIRTKIT_REGENERATE=1
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu.h"
#include "testutil.h"

extern const vkp_host vk_host_table;

static qemu_caps *caps;
static qemu_conf conf;

static char *read_src(const char *rel)
{
    char *path = vkt_srcpath(rel);
    char *text = vkt_read_file(path);
    if (!text)
        print_error("cannot read %s\n", path);
    free(path);
    return text;
}

static int setup(void **state)
{
    (void)state;
    vkc_init(&vk_host_table, "qemu");
    char *text = read_src("qemu/data/caps-x86_64.json");
    if (!text)
        return -1;
    json_object *o = vkc_json_parse(text, strlen(text), "caps-x86_64.json");
    free(text);
    caps = o ? qemu_caps_from_json(o, "caps-x86_64.json") : NULL;
    if (o)
        json_object_put(o);
    memset(&conf, 0, sizeof(conf));
    conf.sandbox = true;
    conf.hotplug_ports = 2;
    conf.vnc_listen = strdup("127.0.0.1");
    return caps ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    qemu_caps_free(caps);
    free(conf.vnc_listen);
    return 0;
}

/* NAME.xml -> the text its golden file holds. */
static char *build_case(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "qemu/data/argv/%s.xml", name);
    char *xml = read_src(rel);
    if (!xml)
        return NULL;
    vkp_def *def = NULL;
    char *out = NULL;
    virtkit_error_clear();
    if (vk_host_table.def->parse(VKP_DEF_DOMAIN, xml, 0, &def) == 0) {
        size_t nnets = qemu_def_count(def, "devices/interface");
        qemu_net_res nets[16];
        for (size_t i = 0; i < 16; i++)
            nets[i] = (qemu_net_res){ .tap_fd = 30 + (int)i };
        const char *type = vk_host_table.def->get(def, "@type");
        qemu_cmd_ctx cc = { .caps = caps, .conf = &conf, .use_kvm = vkc_streq(type, "kvm"),
                            .monitor_fd = 3, .now = 1700000000LL, .nets = nets,
                            .nnets = nnets < 16 ? nnets : 16 };
        const char *incoming = strstr(name, "incoming") ? "defer" : NULL;
        cc.incoming = incoming;
        qemu_cmd cmd;
        if (qemu_command_build(def, &cc, &cmd) == 0) {
            out = qemu_cmd_format(&cmd);
            qemu_cmd_clear(&cmd);
        }
        vk_host_table.def->free(def);
    }
    if (!out) {
        const virtkit_error *e = virtkit_error_last();
        if (asprintf(&out, "error: %s: %s\n", e ? virtkit_error_code_name(e->code) : "none",
                     e ? e->message : "(no error set)") < 0)
            out = NULL;
    }
    free(xml);
    return out;
}

static void test_case(void **state)
{
    const char *name = *state;
    char *actual = build_case(name);
    assert_non_null(actual);
    char rel[512];
    snprintf(rel, sizeof(rel), "qemu/data/argv/%s.args", name);
    vkt_golden(rel, actual);
    free(actual);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    char *dir = vkt_srcpath("qemu/data/argv");
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".xml") == 0) {
            names = realloc(names, (n + 1) * sizeof(*names));
            names[n++] = strndup(e->d_name, l - 4);
        }
    }
    closedir(d);
    free(dir);
    qsort(names, n, sizeof(*names), cmp_str);
    struct CMUnitTest *tests = calloc(n + 1, sizeof(*tests));
    for (size_t i = 0; i < n; i++) {
        tests[i].name = names[i];
        tests[i].test_func = test_case;
        tests[i].initial_state = names[i];
    }
    int r = _cmocka_run_group_tests("qemu_command", tests, n, setup, teardown);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    return r;
}
