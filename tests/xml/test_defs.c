/*
 * test_defs.c: the contract of defs.h, the functions behind the plugins'
 * vkp_def_api: parse flags, formatting flags (inactive, as written,
 * secure), path access (get/count/child/set/append/remove) with "unknown
 * path" kept apart from "absent", the defaults step on its own, hotplug
 * device fragments and our extension namespace.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "defs.h"
#include "error.h"
#include "testutil.h"

static const char dom_xml[] =
    "<domain type='kvm' xmlns:qemu='https://virtkit.dev/schemas/domain/qemu/1'>\n"
    "  <name>web1</name>\n"
    "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "  <memory unit='GiB'>2</memory>\n"
    "  <vcpu current='1'>2</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='q35'>hvm</type>\n"
    "    <boot dev='hd'/>\n"
    "  </os>\n"
    "  <devices>\n"
    "    <interface type='network'>\n"
    "      <source network='default'/>\n"
    "    </interface>\n"
    "    <disk type='file' device='disk'>\n"
    "      <source file='/images/web1.qcow2'/>\n"
    "      <target dev='vda'/>\n"
    "    </disk>\n"
    "    <graphics type='vnc' passwd='hunter2'/>\n"
    "  </devices>\n"
    "  <qemu:commandline>\n"
    "    <qemu:arg value='-trace'/>\n"
    "    <qemu:arg value='events=/tmp/ev'/>\n"
    "  </qemu:commandline>\n"
    "</domain>\n";

static vk_xnode *parse_dom(unsigned int flags)
{
    return VKT_NONNULL(vk_def_parse(VKP_DEF_DOMAIN, dom_xml, flags));
}

static void test_get(void **state)
{
    VK_AUTOPTR(vk_xnode) d = parse_dom(0);
    assert_string_equal(vk_def_get(d, "name"), "web1");
    assert_string_equal(vk_def_get(d, "@type"), "kvm");
    assert_string_equal(vk_def_get(d, "os/type"), "hvm");
    assert_string_equal(vk_def_get(d, "os/type/@arch"), "x86_64");
    /* values come normalised: memory in KiB */
    assert_string_equal(vk_def_get(d, "memory"), "2097152");
    assert_string_equal(vk_def_get(d, "memory/@unit"), "KiB");
    uint64_t kib = 0;
    assert_int_equal(vk_def_get_u64(d, "memory", &kib), 1);
    assert_int_equal(kib, 2097152);
    int64_t v = 0;
    assert_int_equal(vk_def_get_i64(d, "vcpu/@current", &v), 1);
    assert_int_equal(v, 1);
    /* absent: NULL / 0, no error */
    virtkit_error_clear();
    assert_null(vk_def_get(d, "title"));
    assert_null(vk_def_get(d, "os/kernel"));
    assert_null(vk_def_get(d, "cpu/model"));
    assert_int_equal(vk_def_get_u64(d, "maxMemory", &kib), 0);
    assert_int_equal(vk_error_code(), 0);
    /* unknown: NULL / -1 with an error naming the path */
    assert_null(vk_def_get(d, "os/bogus"));
    VKT_ERROR(VIRTKIT_ERR_INTERNAL, "'bogus' is not part of the format");
    assert_null(vk_def_get(d, "cpu/bogus/@x"));
    VKT_ERROR(VIRTKIT_ERR_INTERNAL, "path 'cpu/bogus/@x'");
    assert_null(vk_def_get(d, "os/type/@bogus"));
    VKT_ERROR(VIRTKIT_ERR_INTERNAL, "'@bogus'");
    assert_int_equal(vk_def_get_u64(d, "nosuch", &kib), -1);
    assert_int_equal(vk_def_get_u64(d, "name", &kib), -1);
    VKT_ERROR(VIRTKIT_ERR_XML, "'web1' is not a number");
    /* booleans */
    vk_xnode *disk = VKT_NONNULL(vk_def_child(d, "devices/disk", 0));
    assert_int_equal(vk_def_get_bool(disk, "readonly", 0), 0);
    assert_int_equal(vk_def_get_bool(d, "devices/graphics/@autoport", 0), 1);
}

static void test_count_child(void **state)
{
    VK_AUTOPTR(vk_xnode) d = parse_dom(VKP_DEF_PARSE_NO_DEFAULTS);
    assert_int_equal(vk_def_count(d, "devices/disk"), 1);
    assert_int_equal(vk_def_count(d, "devices/interface"), 1);
    assert_int_equal(vk_def_count(d, "devices/controller"), 0);
    assert_int_equal(vk_def_count(d, "os/boot"), 1);
    vk_xnode *disk = VKT_NONNULL(vk_def_child(d, "devices/disk", 0));
    assert_string_equal(vk_def_get(disk, "source/@file"), "/images/web1.qcow2");
    assert_null(vk_def_child(d, "devices/disk", 1));
    /* children come in schema order, whatever order they were written in */
    const vk_xnode *devs = VKT_NONNULL(vk_def_child(d, "devices", 0));
    assert_string_equal(vk_def_api.child_name((const vkp_def *)devs, 0), "disk");
    assert_string_equal(vk_def_api.child_name((const vkp_def *)devs, 1), "interface");
    assert_null(vk_def_api.child_name((const vkp_def *)devs, 3));
    assert_int_equal(vk_def_api.line((const vkp_def *)disk), 14);
    assert_ptr_equal(vk_def_api.parent((const vkp_def *)disk), devs);
}

static void test_set(void **state)
{
    VK_AUTOPTR(vk_xnode) d = parse_dom(VKP_DEF_PARSE_NO_DEFAULTS);
    VKT_OK(vk_def_set(d, "title", "Front end"));
    assert_string_equal(vk_def_get(d, "title"), "Front end");
    /* missing elements are created on the way, in schema order */
    VKT_OK(vk_def_set(d, "cpu/topology/@sockets", "1"));
    VKT_OK(vk_def_set(d, "cpu/topology/@cores", "2"));
    VKT_OK(vk_def_set(d, "cpu/topology/@threads", "1"));
    VK_AUTOFREE(char *) x = VKT_NONNULL(vk_def_format(d, 0));
    assert_non_null(strstr(x, "  <title>Front end</title>\n"));
    assert_true(strstr(x, "<cpu>") > strstr(x, "</os>"));
    assert_non_null(strstr(x, "<topology sockets='1' cores='2' threads='1'/>"));
    /* values are checked and normalised against the schema */
    assert_int_equal(vk_def_set(d, "vcpu", "many"), -1);
    VKT_ERROR(VIRTKIT_ERR_XML, "value 'many' is not valid");
    assert_int_equal(vk_def_set(d, "os/type/@arch", "x 86"), -1);
    VKT_ERROR(VIRTKIT_ERR_XML, "must not contain whitespace");
    VKT_OK(vk_def_set(d, "vcpu", "04"));
    assert_string_equal(vk_def_get(d, "vcpu"), "4");
    /* a failed set creates nothing */
    assert_int_equal(vk_def_set(d, "currentMemory", "lots"), -1);
    assert_null(vk_def_get(d, "currentMemory"));
    /* scaled values set through a path are KiB, and say so */
    VKT_OK(vk_def_set(d, "currentMemory", "1048576"));
    assert_string_equal(vk_def_get(d, "currentMemory/@unit"), "KiB");
    /* removing */
    VKT_OK(vk_def_set(d, "title", NULL));
    assert_null(vk_def_get(d, "title"));
    VKT_OK(vk_def_set(d, "description", NULL)); /* absent already: fine */
    VKT_OK(vk_def_set(d, "vcpu/@current", NULL));
    assert_null(vk_def_get(d, "vcpu/@current"));
    /* unknown paths and text on empty elements are errors */
    assert_int_equal(vk_def_set(d, "bogus", "1"), -1);
    VKT_ERROR(VIRTKIT_ERR_INTERNAL, "'bogus' is not part of the format");
    assert_int_equal(vk_def_set(d, "features/acpi", "yes"), -1);
    VKT_ERROR(VIRTKIT_ERR_INTERNAL, "<acpi> takes no text");
}

static void test_append_remove(void **state)
{
    VK_AUTOPTR(vk_xnode) d = parse_dom(VKP_DEF_PARSE_NO_DEFAULTS);
    vk_xnode *nic = VKT_NONNULL(vk_def_parse(VKP_DEF_DEVICE,
                                             "<interface type='bridge'>"
                                             "<mac address='52:54:00:00:00:aa'/>"
                                             "<source bridge='br0'/></interface>",
                                             0));
    VKT_OK(vk_def_append(d, "devices", nic));
    assert_int_equal(vk_def_count(d, "devices/interface"), 2);
    /* appended after the other interface, before graphics (schema order) */
    const vk_xnode *devs = vk_def_child(d, "devices", 0);
    assert_string_equal(vk_def_api.child_name((const vkp_def *)devs, 2), "interface");
    assert_string_equal(vk_def_api.child_name((const vkp_def *)devs, 3), "graphics");
    assert_string_equal(vk_def_get(vk_def_child(d, "devices/interface", 1), "source/@bridge"),
                        "br0");
    /* appending where it does not belong */
    vk_xnode *disk = VKT_NONNULL(vk_def_parse(VKP_DEF_DEVICE,
                                              "<disk type='file'><source file='/x'/>"
                                              "<target dev='vdz'/></disk>",
                                              0));
    assert_int_equal(vk_def_append(d, "os", disk), -1);
    VKT_ERROR(VIRTKIT_ERR_XML, "<os> cannot hold <disk>");
    vk_xnode_free(disk);
    VKT_OK(vk_def_remove(d, "devices/interface", 0));
    assert_int_equal(vk_def_count(d, "devices/interface"), 1);
    assert_string_equal(vk_def_get(vk_def_child(d, "devices/interface", 0), "source/@bridge"),
                        "br0");
    assert_int_equal(vk_def_remove(d, "devices/interface", 5), -1);
    VKT_ERROR(VIRTKIT_ERR_NO_DEVICE, "no element devices/interface[5]");
    assert_int_equal(vk_def_remove(d, "devices/bogus", 0), -1);
    VKT_ERROR(VIRTKIT_ERR_INTERNAL, "'bogus' is not part of the format");
}

static void test_device_fragments(void **state)
{
    vk_xnode *n = VKT_NONNULL(vk_def_parse(VKP_DEF_DEVICE,
                                           "<disk type='file' device='cdrom'><target dev='sdc' "
                                           "bus='sata'/><readonly/></disk>",
                                           0));
    assert_string_equal(vk_def_api.element((const vkp_def *)n), "disk");
    vk_xnode_free(n);
    /* the element's own checks apply to fragments */
    assert_null(vk_def_parse(VKP_DEF_DEVICE, "<disk type='file'><target dev='vda'/></disk>", 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "disk 'vda' has no source");
    assert_null(vk_def_parse(VKP_DEF_DEVICE, "<os/>", 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "root element is <os>, expected a device element");
}

static void test_format_flags(void **state)
{
    VK_AUTOPTR(vk_xnode) d = parse_dom(0);
    VK_AUTOFREE(char *) live = VKT_NONNULL(vk_def_format(d, 0));
    VK_AUTOFREE(char *) inactive = VKT_NONNULL(vk_def_format(d, VKP_DEF_FORMAT_INACTIVE));
    VK_AUTOFREE(char *) written = VKT_NONNULL(vk_def_format(d, VKP_DEF_FORMAT_AS_WRITTEN));
    VK_AUTOFREE(char *) secure = VKT_NONNULL(vk_def_format(d, VKP_DEF_FORMAT_SECURE));
    /* aliases are live state */
    assert_non_null(strstr(live, "<alias name='virtio-disk0'/>"));
    assert_null(strstr(inactive, "<alias"));
    /* the definition as written has none of the defaults */
    assert_null(strstr(written, "<controller"));
    assert_null(strstr(written, "<mac"));
    assert_non_null(strstr(live, "<controller type='pci' index='0' model='pcie-root'>"));
    /* passwords only with SECURE */
    assert_null(strstr(live, "hunter2"));
    assert_non_null(strstr(secure, "passwd='hunter2'"));
    /* the extension is kept verbatim, after the schema's children */
    assert_non_null(strstr(live, "  <qemu:commandline xmlns:qemu='https://virtkit.dev/schemas/"
                                 "domain/qemu/1'>\n    <qemu:arg value='-trace'/>\n"));
    assert_true(strstr(live, "<qemu:commandline") > strstr(live, "</devices>"));
    assert_null(vk_def_format(NULL, 0));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "no definition");
}

static void test_foreign_namespace_access(void **state)
{
    VK_AUTOPTR(vk_xnode) d = parse_dom(0);
    /* plugins walk their namespace with child_name/nth_child */
    size_t i = 0;
    const char *name;
    const vkp_def *cl = NULL;
    while ((name = vk_def_api.child_name((const vkp_def *)d, i))) {
        if (vk_streq(name, "qemu:commandline"))
            cl = vk_def_api.nth_child((const vkp_def *)d, i);
        i++;
    }
    assert_non_null(cl);
    const vkp_def *arg = vk_def_api.nth_child(cl, 1);
    assert_string_equal(vk_def_api.get(arg, "@value"), "events=/tmp/ev");
}

static void test_defaults_step(void **state)
{
    VK_AUTOPTR(vk_xnode) n = parse_dom(VKP_DEF_PARSE_NO_DEFAULTS);
    VK_AUTOFREE(char *) before = VKT_NONNULL(vk_def_format(n, 0));
    assert_null(vk_def_get(n, "devices/controller/@type"));
    VKT_OK(vk_def_apply_defaults(n));
    /* what the step adds */
    assert_string_equal(vk_def_get(n, "currentMemory"), "2097152");
    assert_string_equal(vk_def_get(n, "clock/@offset"), "utc");
    assert_string_equal(vk_def_get(n, "on_crash"), "destroy");
    vk_xnode *disk = vk_def_child(n, "devices/disk", 0);
    assert_string_equal(vk_def_get(disk, "target/@bus"), "virtio");
    assert_string_equal(vk_def_get(disk, "address/@type"), "pci");
    const char *mac = VKT_NONNULL(vk_def_get(vk_def_child(n, "devices/interface", 0),
                                             "mac/@address"));
    assert_true(vk_str_has_prefix(mac, "52:54:00:"));
    /* q35: the built-in SATA controller sits at 00:1f.2 */
    bool sata = false;
    for (size_t i = 0; i < vk_def_count(n, "devices/controller"); i++) {
        vk_xnode *c = vk_def_child(n, "devices/controller", i);
        if (vk_streq(vk_def_get(c, "@type"), "sata")) {
            sata = true;
            assert_string_equal(vk_def_get(c, "address/@slot"), "0x1f");
            assert_string_equal(vk_def_get(c, "address/@function"), "0x2");
        }
    }
    assert_true(sata);
    /* the definition as written is kept, and the step is idempotent */
    VK_AUTOFREE(char *) written = VKT_NONNULL(vk_def_format(n, VKP_DEF_FORMAT_AS_WRITTEN));
    assert_string_equal(written, before);
    VK_AUTOFREE(char *) once = VKT_NONNULL(vk_def_format(n, 0));
    VKT_OK(vk_def_apply_defaults(n));
    VK_AUTOFREE(char *) twice = VKT_NONNULL(vk_def_format(n, 0));
    assert_string_equal(once, twice);
    assert_int_equal(vk_def_apply_defaults(NULL), -1);
}

static void test_generated_values(void **state)
{
    /* uuids and MACs differ between definitions and never collide inside one */
    const char *xml = "<domain type='kvm'><name>m</name><memory>1048576</memory><devices>"
                      "<interface type='user'/><interface type='user'/><interface type='user'/>"
                      "</devices></domain>";
    VK_AUTOPTR(vk_xnode) a = VKT_NONNULL(vk_def_parse(VKP_DEF_DOMAIN, xml, 0));
    VK_AUTOPTR(vk_xnode) b = VKT_NONNULL(vk_def_parse(VKP_DEF_DOMAIN, xml, 0));
    assert_string_not_equal(vk_def_get(a, "uuid"), vk_def_get(b, "uuid"));
    for (size_t i = 0; i < 3; i++)
        for (size_t j = i + 1; j < 3; j++)
            assert_string_not_equal(vk_def_get(vk_def_child(a, "devices/interface", i),
                                               "mac/@address"),
                                    vk_def_get(vk_def_child(a, "devices/interface", j),
                                               "mac/@address"));
}

/* A clash that only appears once defaults are in place is reported, not
 * stored: hda's drive address follows from its name, and the user already
 * gave that address to hdb. */
static void test_defaults_clash(void **state)
{
    const char *xml = "<domain type='kvm'><name>c</name><memory>1048576</memory><devices>"
                      "<disk type='file'><source file='/a'/><target dev='hda'/></disk>"
                      "<disk type='file'><source file='/b'/><target dev='hdb'/>"
                      "<address type='drive' controller='0' bus='0' target='0' unit='0'/>"
                      "</disk></devices></domain>";
    VK_AUTOPTR(vk_xnode) n = VKT_NONNULL(vk_def_parse(VKP_DEF_DOMAIN, xml,
                                                       VKP_DEF_PARSE_NO_DEFAULTS));
    assert_int_equal(vk_def_apply_defaults(n), -1);
    VKT_ERROR(VIRTKIT_ERR_XML, "address drive ide controller 0 bus 0 target 0 unit 0 is used by "
                               "two devices");
    assert_null(vk_def_parse(VKP_DEF_DOMAIN, xml, 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "domain 'c'");
}

static void test_parse_errors(void **state)
{
    assert_null(vk_def_parse(VKP_DEF_DOMAIN, NULL, 0));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "must not be NULL");
    assert_null(vk_def_parse(42, "<domain/>", 0));
    VKT_ERROR(VIRTKIT_ERR_INVALID_ARG, "unknown definition kind 42");
    assert_null(vk_def_parse(VKP_DEF_DOMAIN, "<domain type='test'><name>x", 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "domain XML is malformed: line 1");
    assert_null(vk_def_parse(VKP_DEF_NETWORK, "<domain type='test'/>", 0));
    VKT_ERROR(VIRTKIT_ERR_XML, "root element is <domain>, expected <network>");
    assert_null(vk_def_parse(VKP_DEF_DOMAIN, "<domain/>", 1u << 20));
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, "parse flags 0x100000");
    VK_AUTOPTR(vk_xnode) d = parse_dom(0);
    assert_null(vk_def_format(d, 1u << 9));
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, "format flags 0x200");
}

static void test_copy_equal(void **state)
{
    VK_AUTOPTR(vk_xnode) a = parse_dom(0);
    VK_AUTOPTR(vk_xnode) b = VKT_NONNULL(vk_xnode_copy(a));
    assert_true(vk_xnode_equal(a, b));
    VKT_OK(vk_def_set(b, "devices/disk/source/@file", "/images/other.qcow2"));
    assert_false(vk_xnode_equal(a, b));
    /* the copy keeps the definition as written */
    VK_AUTOFREE(char *) wa = vk_def_format(a, VKP_DEF_FORMAT_AS_WRITTEN);
    VK_AUTOFREE(char *) wb = vk_def_format(b, VKP_DEF_FORMAT_AS_WRITTEN);
    assert_string_equal(wa, wb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_count_child),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_append_remove),
        cmocka_unit_test(test_device_fragments),
        cmocka_unit_test(test_format_flags),
        cmocka_unit_test(test_foreign_namespace_access),
        cmocka_unit_test(test_defaults_step),
        cmocka_unit_test(test_generated_values),
        cmocka_unit_test(test_defaults_clash),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_copy_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
