/*
 * nodedev_test.c: node devices of the recorded trees (list, parents, XML
 * of every device against golden files in tests/host/golden/<tree>/),
 * capability filters, the format's per-type rules, broken sysfs, and the
 * public API over test:///default (whose plugin leaves node devices to
 * the core).
 */
#include "config.h"

#include "defs.h"
#include "hosttest.h"
#include "nodedev.h"
#include "strbuf.h"

static void free_list(char **names, char **parents, int n)
{
    for (int i = 0; i < n; i++) {
        free(names[i]);
        free(parents[i]);
    }
    free(names);
    free(parents);
}

static char *write_rng(const char *dir)
{
    VK_AUTOFREE(char *) rng = vk_schema_rng(&vk_nodedev_kind);
    char *path = vk_asprintf("%s/nodedev.rng", dir);
    VKT_OK(vk_file_write_atomic(path, rng, strlen(rng), 0644));
    return path;
}

static void test_tree(void **state)
{
    const char *tree = *state;
    ht_use_tree(tree);
    char **names = NULL, **parents = NULL;
    int n = vk_nodedev_list(&names, &parents, 0);
    VKT_OK(n);
    assert_true(n > 1);
    assert_string_equal(names[0], "computer");
    assert_null(parents[0]);
    char *dir = vkt_tmpdir();
    VK_AUTOFREE(char *) rng = write_rng(dir);
    VK_AUTOSTRBUF list = VK_STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        vk_strbuf_addf(&list, "%s <- %s\n", names[i], parents[i] ? parents[i] : "-");
        VK_AUTOFREE(char *) xml = vk_nodedev_xml(names[i]);
        VKT_NONNULL(xml);
        VK_AUTOFREE(char *) golden = vk_asprintf("host/golden/%s/nodedev/%s.xml", tree,
                                                 names[i]);
        vkt_golden(golden, xml);
        /* what we emit reparses to the same document and validates */
        VK_AUTOPTR(vk_xnode) d = VKT_NONNULL(vk_def_parse(VKP_DEF_NODEDEV, xml, 0));
        VK_AUTOFREE(char *) again = VKT_NONNULL(vk_def_format(d, 0));
        assert_string_equal(again, xml);
        VKT_OK(vk_schema_validate_rng(rng, xml));
        /* a parent is always listed before it is needed by a tree view */
        bool parent_known = !parents[i];
        for (int k = 0; k < n && !parent_known; k++)
            parent_known = vk_streq(names[k], parents[i]);
        assert_true(parent_known);
    }
    VK_AUTOFREE(char *) g = vk_asprintf("host/golden/%s/nodedevs.txt", tree);
    vkt_golden(g, vk_strbuf_str(&list));
    vkt_tmpdir_cleanup(dir);
    free_list(names, parents, n);
    vk_host_set_root(NULL);
}

static const char *parent_of(char **names, char **parents, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (vk_streq(names[i], name))
            return parents[i] ? parents[i] : "-";
    fail_msg("no device %s", name);
    return NULL;
}

static void test_server_tree_shape(void **state)
{
    ht_use_tree("server");
    char **names = NULL, **parents = NULL;
    int n = vk_nodedev_list(&names, &parents, 0);
    VKT_OK(n);
    /* the storage chain: disk, SCSI device, target, host, HBA, root port */
    const char *chain[] = { "block_sda", "scsi_0_0_0_0", "scsi_target0_0_0", "scsi_host0",
                            "pci_0000_03_00_0", "pci_0000_00_01_0", "computer" };
    for (size_t i = 0; i + 1 < VK_ARRAY_LEN(chain); i++)
        assert_string_equal(parent_of(names, parents, n, chain[i]), chain[i + 1]);
    assert_string_equal(parent_of(names, parents, n, "net_ens1f0_a0_36_9f_8e_12_30"),
                        "pci_0000_81_00_0");
    assert_string_equal(parent_of(names, parents, n, "pci_0000_81_10_2"), "pci_0000_80_02_0");
    assert_string_equal(parent_of(names, parents, n, "net_lo_00_00_00_00_00_00"), "computer");
    free_list(names, parents, n);
    vk_host_set_root(NULL);
}

static int count_with(unsigned int flags)
{
    char **names = NULL, **parents = NULL;
    int n = vk_nodedev_list(&names, &parents, flags);
    VKT_OK(n);
    free_list(names, parents, n);
    return n;
}

static void test_filters(void **state)
{
    ht_use_tree("laptop");
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_SYSTEM), 1);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_PCI_DEV), 7);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_USB_DEV), 3);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_USB_INTERFACE), 4);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_NET), 3);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_STORAGE), 1);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_SCSI_HOST), 0);
    /* several flags: the union */
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_NET | VIRTKIT_LIST_NODEDEV_CAP_STORAGE),
                     4);
    ht_use_tree("server");
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_SCSI_HOST), 1);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_SCSI_TARGET), 1);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_SCSI), 1);
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_USB_DEV), 0); /* no USB bus */
    ht_use_tree("offline");
    /* an empty cdrom is listed, an unbound loop device is not */
    assert_int_equal(count_with(VIRTKIT_LIST_NODEDEV_CAP_STORAGE), 2);
    vk_host_set_root(NULL);
}

static void test_lookup_errors(void **state)
{
    ht_use_tree("laptop");
    assert_null(vk_nodedev_xml("pci_0000_00_1f_7"));
    VKT_ERROR(VIRTKIT_ERR_NO_NODEDEV, "no node device named 'pci_0000_00_1f_7'");
    vk_host_set_root(NULL);
}

/* Garbage in sysfs fails the scan with the file and what is wrong. */
static void test_broken_sysfs(void **state)
{
    static const struct {
        const char *tree, *file, *content, *needle;
    } cases[] = {
        { "laptop", "/sys/devices/pci0000:00/0000:00:02.0/vendor", "zz\n",
          "scanning PCI devices: cannot parse " },
        { "laptop", "/sys/devices/pci0000:00/0000:00:02.0/vendor", NULL,
          "has no vendor/device id files" },
        { "laptop", "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/busnum", NULL,
          "USB device 1-1: " },
        { "laptop", "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/bInterfaceClass",
          "xyz\n", "bInterfaceClass: 'xyz' is not an unsigned integer" },
        { "server", "/sys/devices/pci0000:80/0000:80:02.0/0000:81:00.0/net/ens1f0/type",
          "ether\n", "scanning network devices: " },
        { "server", "/sys/devices/pci0000:00/0000:00:01.0/0000:03:00.0/host0/target0:0:0/"
                    "0:0:0:0/block/sda/size", "-1\n", "scanning block devices: " },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(cases); i++) {
        char *dir = ht_scratch(cases[i].tree);
        if (cases[i].content)
            ht_write(dir, cases[i].file, cases[i].content);
        else
            ht_remove(dir, cases[i].file);
        char **names = NULL, **parents = NULL;
        print_message("case %zu: %s\n", i, cases[i].file);
        assert_int_equal(vk_nodedev_list(&names, &parents, 0), -1);
        VKT_ERROR(VIRTKIT_ERR_OPERATION_FAILED, cases[i].needle);
        ht_scratch_done(dir);
    }
}

/* Without pci.ids the elements keep their ids and lose only the names. */
static void test_no_ids_database(void **state)
{
    char *dir = ht_scratch("laptop");
    ht_remove(dir, "/usr/share/misc");
    VK_AUTOFREE(char *) xml = VKT_NONNULL(vk_nodedev_xml("pci_0000_00_1f_6"));
    assert_non_null(strstr(xml, "<product id='0x15be'/>"));
    assert_non_null(strstr(xml, "<vendor id='0x8086'/>"));
    VK_AUTOFREE(char *) usb = VKT_NONNULL(vk_nodedev_xml("usb_1_1"));
    /* the device's own strings stand in for usb.ids */
    assert_non_null(strstr(usb, "<product id='0xc52b'>USB Receiver</product>"));
    assert_non_null(strstr(usb, "<vendor id='0x046d'>Logitech</vendor>"));
    ht_scratch_done(dir);
}

/* The per-type rules of <capability>, on documents a user might feed. */
static void test_format_rules(void **state)
{
    static const struct {
        const char *xml, *needle;
    } bad[] = {
        { "<device><name>x</name><capability type='pci'><bus>0</bus><slot>1</slot>"
          "<function>0</function><product id='0x1'/><vendor id='0x2'/></capability></device>",
          "a capability of type 'pci' needs <domain>" },
        { "<device><name>x</name><capability type='net'><interface>e0</interface>"
          "<slot>1</slot></capability></device>",
          "element <slot> does not belong in a capability of type 'net'" },
        { "<device><name>x</name><capability type='pci'><domain>0</domain><bus>0</bus>"
          "<slot>1</slot><function>0</function><product id='0x1'/><vendor id='0x2'/>"
          "<capability type='80203'/></capability></device>",
          "capability type '80203' cannot appear inside a 'pci' capability" },
        { "<device><name>x</name><capability type='usb_device'><bus>1</bus><device>2</device>"
          "<product>p</product><vendor id='0x1'/></capability></device>",
          "missing required attribute 'id' (capability type 'usb_device')" },
        { "<device><name>x</name><capability type='pci'><class>0x12</class><domain>0</domain>"
          "<bus>0</bus><slot>1</slot><function>0</function><product id='0x1'/>"
          "<vendor id='0x2'/></capability></device>",
          "expected a PCI class like 0x020000" },
        { "<device><name>x</name><capability type='net'><interface>e0</interface>"
          "<address>52:54:00:zz:00:01</address></capability></device>",
          "expected a hardware address" },
        { "<device><name>x</name><capability type='net'><interface>e0</interface></capability>"
          "<capability type='net'><interface>e1</interface></capability></device>",
          "node device 'x' has two capabilities of type 'net'" },
        { "<device><name>x</name><capability type='scsi'><host>0</host><bus>0</bus>"
          "<target>t</target><lun>0</lun></capability></device>",
          "value 't' is not valid in a capability of type 'scsi'" },
        { "<device><name>x</name><capability type='gpu'/></device>",
          "attribute type='gpu' is not valid" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(bad); i++) {
        print_message("case %zu\n", i);
        assert_null(vk_def_parse(VKP_DEF_NODEDEV, bad[i].xml, 0));
        VKT_ERROR(VIRTKIT_ERR_XML, bad[i].needle);
    }
    /* an InfiniBand address is not an ethernet MAC but is a valid one */
    VK_AUTOPTR(vk_xnode) ok = VKT_NONNULL(vk_def_parse(
        VKP_DEF_NODEDEV,
        "<device><name>net_ib0</name><capability type='net'><interface>ib0</interface>"
        "<address>80:00:02:08:FE:80:00:00:00:00:00:00:00:02:c9:03:00:0b:2e:71</address>"
        "<link state='up' speed='56000'/></capability></device>", 0));
    assert_string_equal(vk_def_get(ok, "capability/address"),
                        "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0b:2e:71");
}

/* The public API over a plugin that leaves node devices to the core (the
 * SDK example); the test plugin describes a fake node of its own. */
static void test_public_api(void **state)
{
    ht_use_tree("laptop");
    virtkit_connect *conn = VKT_NONNULL(virtkit_connect_open("example:///default", 0));
    virtkit_nodedev **devs = NULL;
    int n = virtkit_connect_list_all_nodedevs(conn, &devs, VIRTKIT_LIST_NODEDEV_CAP_NET);
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        virtkit_nodedev_free(devs[i]);
    virtkit_free(devs);
    assert_int_equal(virtkit_connect_list_all_nodedevs(conn, NULL, 1u << 20), -1);
    VKT_ERROR(VIRTKIT_ERR_INVALID_FLAGS, NULL);

    virtkit_nodedev *d = VKT_NONNULL(virtkit_nodedev_lookup_by_name(conn, "block_nvme0n1_"
                                                                          "S4ENNX0N123456"));
    assert_string_equal(virtkit_nodedev_get_parent(d), "pci_0000_3d_00_0");
    char **caps = NULL;
    assert_int_equal(virtkit_nodedev_list_caps(d, &caps), 1);
    assert_string_equal(caps[0], "storage");
    vk_strv_free(caps);
    VK_AUTOFREE(char *) xml = VKT_NONNULL(virtkit_nodedev_get_xml(d, 0));
    VK_AUTOFREE(char *) direct = VKT_NONNULL(vk_nodedev_xml("block_nvme0n1_S4ENNX0N123456"));
    assert_string_equal(xml, direct);
    virtkit_nodedev_free(d);
    assert_null(virtkit_nodedev_lookup_by_name(conn, "usb_9_9"));
    VKT_ERROR(VIRTKIT_ERR_NO_NODEDEV, "no node device named 'usb_9_9'");

    virtkit_connect_close(conn);

    /* the test plugin's fake node: its capabilities fit the caps tables */
    conn = VKT_NONNULL(virtkit_connect_open("test:///default", 0));
    VK_AUTOFREE(char *) caps_xml = VKT_NONNULL(virtkit_connect_get_capabilities(conn));
    VK_AUTOPTR(vk_xnode) c = VKT_NONNULL(vk_def_parse(VK_DEF_CAPS, caps_xml, 0));
    assert_int_equal(vk_def_count(c, "guest"), 2);
    virtkit_connect_close(conn);
    vk_host_set_root(NULL);
}

/* test:///default's devices are its own, the same on every machine (the
 * host root points at the laptop tree: none of it shows). */
static void test_fake_node(void **state)
{
    ht_use_tree("laptop");
    virtkit_connect *conn = VKT_NONNULL(virtkit_connect_open("test:///default", 0));
    virtkit_nodedev **devs = NULL;
    int n = virtkit_connect_list_all_nodedevs(conn, &devs, 0);
    assert_int_equal(n, 11);
    int roots = 0;
    for (int i = 0; i < n; i++) {
        const char *parent = virtkit_nodedev_get_parent(devs[i]);
        if (!parent) {
            roots++;
            assert_string_equal(virtkit_nodedev_get_name(devs[i]), "computer");
        }
        /* every device's XML is valid node device XML naming the device */
        VK_AUTOFREE(char *) x = VKT_NONNULL(virtkit_nodedev_get_xml(devs[i], 0));
        VK_AUTOPTR(vk_xnode) d = VKT_NONNULL(vk_def_parse(VKP_DEF_NODEDEV, x, 0));
        assert_string_equal(vk_def_get(d, "name"), virtkit_nodedev_get_name(devs[i]));
        virtkit_nodedev_free(devs[i]);
    }
    virtkit_free(devs);
    assert_int_equal(roots, 1);

    /* capability filters: one bit, two bits */
    assert_int_equal(virtkit_connect_list_all_nodedevs(conn, NULL, VIRTKIT_LIST_NODEDEV_CAP_PCI_DEV),
                     4);
    assert_int_equal(virtkit_connect_list_all_nodedevs(conn, &devs, VIRTKIT_LIST_NODEDEV_CAP_NET |
                                                                        VIRTKIT_LIST_NODEDEV_CAP_STORAGE),
                     2);
    assert_string_equal(virtkit_nodedev_get_name(devs[0]), "net_eth0_52_54_00_00_00_01");
    assert_string_equal(virtkit_nodedev_get_name(devs[1]), "block_sda_TEST_DISK_0001");
    virtkit_nodedev_free(devs[0]);
    virtkit_nodedev_free(devs[1]);
    virtkit_free(devs);

    virtkit_nodedev *d = VKT_NONNULL(virtkit_nodedev_lookup_by_name(conn, "usb_usb1"));
    assert_string_equal(virtkit_nodedev_get_parent(d), "pci_0000_00_1d_0");
    char **caps = NULL;
    assert_int_equal(virtkit_nodedev_list_caps(d, &caps), 1);
    assert_string_equal(caps[0], "usb_device");
    vk_strv_free(caps);
    virtkit_nodedev_free(d);
    assert_null(virtkit_nodedev_lookup_by_name(conn, "pci_0000_00_14_0"));
    VKT_ERROR(VIRTKIT_ERR_NO_NODEDEV, "no node device named 'pci_0000_00_14_0'");
    virtkit_connect_close(conn);
    vk_host_set_root(NULL);
}

/* A node file describes its devices with <device>; bad trees are refused
 * naming the file and the device. */
static void test_node_file_devices(void **state)
{
    char *tmp = vkt_tmpdir();
    VK_AUTOFREE(char *) path = vk_asprintf("%s/node.xml", tmp);
    VK_AUTOFREE(char *) uri = vk_asprintf("test://%s", path);
    static const char head[] = "<node><memory>1048576</memory>";
    static const char root[] =
        "<device><name>box</name><capability type='system'><product>Box</product>"
        "</capability></device>";
    static const char nic[] =
        "<device><name>net_em1_00_11_22_33_44_55</name><parent>box</parent>"
        "<capability type='net'><interface>em1</interface>"
        "<address>00:11:22:33:44:55</address></capability></device>";
    static const char orphan[] =
        "<device><name>net_em2_00_11_22_33_44_56</name><parent>nowhere</parent>"
        "<capability type='net'><interface>em2</interface></capability></device>";
    static const char loop_a[] =
        "<device><name>a</name><parent>b</parent><capability type='system'/></device>";
    static const char loop_b[] =
        "<device><name>b</name><parent>a</parent><capability type='system'/></device>";

    /* no <device>: only the root */
    VK_AUTOFREE(char *) f0 = vk_asprintf("%s</node>", head);
    VKT_OK(vk_file_write_atomic(path, f0, strlen(f0), 0600));
    virtkit_connect *conn = VKT_NONNULL(virtkit_connect_open(uri, 0));
    virtkit_nodedev **devs = NULL;
    assert_int_equal(virtkit_connect_list_all_nodedevs(conn, &devs, 0), 1);
    assert_string_equal(virtkit_nodedev_get_name(devs[0]), "computer");
    virtkit_nodedev_free(devs[0]);
    virtkit_free(devs);
    virtkit_connect_close(conn);

    /* a root and a child */
    VK_AUTOFREE(char *) f1 = vk_asprintf("%s%s%s</node>", head, root, nic);
    VKT_OK(vk_file_write_atomic(path, f1, strlen(f1), 0600));
    conn = VKT_NONNULL(virtkit_connect_open(uri, 0));
    assert_int_equal(virtkit_connect_list_all_nodedevs(conn, NULL, VIRTKIT_LIST_NODEDEV_CAP_NET), 1);
    virtkit_nodedev *d =
        VKT_NONNULL(virtkit_nodedev_lookup_by_name(conn, "net_em1_00_11_22_33_44_55"));
    assert_string_equal(virtkit_nodedev_get_parent(d), "box");
    virtkit_nodedev_free(d);
    virtkit_connect_close(conn);

    VK_AUTOFREE(char *) f2 = vk_asprintf("%s%s%s</node>", head, root, orphan);
    VK_AUTOFREE(char *) f3 = vk_asprintf("%s%s%s</node>", head, root, root);
    VK_AUTOFREE(char *) f4 = vk_asprintf("%s%s%s%s</node>", head, root, loop_a, loop_b);
    VK_AUTOFREE(char *) f5 = vk_asprintf("%s%s</node>", head, nic);
    VK_AUTOFREE(char *) f6 = vk_asprintf("%s<device><capability type='system'/></device></node>",
                                         head);
    const struct {
        const char *file, *error;
        int code;
    } cases[] = {
        { f2, "node device 'net_em2_00_11_22_33_44_56' names parent 'nowhere', which is not "
              "described", VIRTKIT_ERR_XML },
        { f3, "node device 'box' is described twice", VIRTKIT_ERR_DUPLICATE },
        { f4, "is its own ancestor", VIRTKIT_ERR_XML },
        { f5, "names parent 'box', which is not described", VIRTKIT_ERR_XML },
        { f6, "<device>: missing required element <name>", VIRTKIT_ERR_XML },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(cases); i++) {
        VKT_OK(vk_file_write_atomic(path, cases[i].file, strlen(cases[i].file), 0600));
        assert_null(virtkit_connect_open(uri, 0));
        VKT_ERROR(cases[i].code, cases[i].error);
    }
    vkt_tmpdir_cleanup(tmp);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_tree, (void *)"laptop"),
        cmocka_unit_test_prestate(test_tree, (void *)"server"),
        cmocka_unit_test_prestate(test_tree, (void *)"offline"),
        cmocka_unit_test(test_server_tree_shape),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_lookup_errors),
        cmocka_unit_test(test_broken_sysfs),
        cmocka_unit_test(test_no_ids_database),
        cmocka_unit_test(test_format_rules),
        cmocka_unit_test(test_public_api),
        cmocka_unit_test(test_fake_node),
        cmocka_unit_test(test_node_file_devices),
    };
    char *tmp = vkt_tmpdir();
    vkt_use_plugins_with_example(tmp);
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    vkt_tmpdir_cleanup(tmp);
    return r;
}
