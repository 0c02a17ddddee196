/*
 * test_nodedev.c: the fake node's devices.
 *
 * test:///default describes a small machine of its own (a host bridge, a
 * virtio NIC, a SATA disk behind its SCSI host, a USB root hub), so that
 * what a tool sees through the node device calls is the same on every
 * machine, like the fake CPUs and memory. A node file (test:///PATH.xml)
 * describes its devices with <device> elements in the node device format;
 * one without any has only the root, "computer". Devices never change, so
 * there are no node device events.
 */
#include "config.h"

#include <string.h>

#include "test.h"
#include "vk_nodedev_caps.h"

struct test_ndev {
    char *name;
    char *parent;           /* NULL for the root */
    unsigned int caps;      /* VIRTKIT_LIST_NODEDEV_CAP_* of its capabilities */
    char *xml;
};

static const char *const default_devices[] = {
    "<device><name>computer</name><capability type='system'>"
    "<product>virtkit test node</product>"
    "<hardware><vendor>virtkit</vendor><version>1.0</version><serial>TEST-0001</serial>"
    "<uuid>6695eb01-f6a4-8304-79aa-000000000001</uuid></hardware>"
    "<firmware><vendor>virtkit</vendor><version>1.0</version>"
    "<release_date>01/01/2026</release_date></firmware></capability></device>",

    "<device><name>pci_0000_00_00_0</name><parent>computer</parent>"
    "<capability type='pci'><class>0x060000</class><domain>0</domain><bus>0</bus>"
    "<slot>0</slot><function>0</function><product id='0x29c0'/><vendor id='0x8086'/>"
    "<iommuGroup number='0'><address domain='0x0000' bus='0x00' slot='0x00' function='0x0'/>"
    "</iommuGroup><numa node='0'/></capability></device>",

    "<device><name>pci_0000_00_02_0</name><parent>computer</parent>"
    "<driver><name>virtio-pci</name></driver>"
    "<capability type='pci'><class>0x020000</class><domain>0</domain><bus>0</bus>"
    "<slot>2</slot><function>0</function><product id='0x1041'/><vendor id='0x1af4'/>"
    "<iommuGroup number='1'><address domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>"
    "</iommuGroup><numa node='0'/></capability></device>",

    "<device><name>net_eth0_52_54_00_00_00_01</name><parent>pci_0000_00_02_0</parent>"
    "<capability type='net'><interface>eth0</interface><address>52:54:00:00:00:01</address>"
    "<link state='up' speed='1000'/><capability type='80203'/></capability></device>",

    "<device><name>pci_0000_00_1f_2</name><parent>computer</parent>"
    "<driver><name>ahci</name></driver>"
    "<capability type='pci'><class>0x010601</class><domain>0</domain><bus>0</bus>"
    "<slot>31</slot><function>2</function><product id='0x2922'/><vendor id='0x8086'/>"
    "<iommuGroup number='2'><address domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>"
    "</iommuGroup><numa node='1'/></capability></device>",

    "<device><name>scsi_host0</name><parent>pci_0000_00_1f_2</parent>"
    "<capability type='scsi_host'><host>0</host><unique_id>1</unique_id></capability>"
    "</device>",

    "<device><name>scsi_target0_0_0</name><parent>scsi_host0</parent>"
    "<capability type='scsi_target'><target>target0:0:0</target></capability></device>",

    "<device><name>scsi_0_0_0_0</name><parent>scsi_target0_0_0</parent>"
    "<driver><name>sd</name></driver>"
    "<capability type='scsi'><host>0</host><bus>0</bus><target>0</target><lun>0</lun>"
    "<type>disk</type></capability></device>",

    "<device><name>block_sda_TEST_DISK_0001</name><parent>scsi_0_0_0_0</parent>"
    "<capability type='storage'><block>/dev/sda</block><bus>sata</bus>"
    "<drive_type>disk</drive_type><model>Test Disk</model><vendor>virtkit</vendor>"
    "<serial>TEST_DISK_0001</serial><size>107374182400</size>"
    "<logical_block_size>512</logical_block_size><num_blocks>209715200</num_blocks>"
    "</capability></device>",

    "<device><name>pci_0000_00_1d_0</name><parent>computer</parent>"
    "<driver><name>ehci-pci</name></driver>"
    "<capability type='pci'><class>0x0c0320</class><domain>0</domain><bus>0</bus>"
    "<slot>29</slot><function>0</function><product id='0x293a'/><vendor id='0x8086'/>"
    "<iommuGroup number='3'><address domain='0x0000' bus='0x00' slot='0x1d' function='0x0'/>"
    "</iommuGroup><numa node='0'/></capability></device>",

    "<device><name>usb_usb1</name><parent>pci_0000_00_1d_0</parent>"
    "<driver><name>usb</name></driver>"
    "<capability type='usb_device'><bus>1</bus><device>1</device>"
    "<product id='0x0002'>2.0 root hub</product><vendor id='0x1d6b'>Linux Foundation</vendor>"
    "</capability></device>",
};

static test_ndev *find(vkp_conn *c, const char *name)
{
    for (size_t i = 0; i < c->nndevs; i++)
        if (strcmp(c->ndevs[i].name, name) == 0)
            return &c->ndevs[i];
    return NULL;
}

int test_ndev_load(vkp_conn *c, vkp_def *def)
{
    const char *name = H->def->get(def, "name"), *parent = H->def->get(def, "parent");
    int r = -1;
    if (!name || !*name) {
        H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_NODEDEV, "node device definition lacks a name");
    } else if (find(c, name)) {
        H->error(VIRTKIT_ERR_DUPLICATE, VIRTKIT_SUB_NODEDEV,
                 "node device '%s' is described twice", name);
    } else {
        TEST_GROW(c->ndevs, c->ndevs_cap, c->nndevs);
        test_ndev *d = &c->ndevs[c->nndevs++];
        d->name = H->strdup(name);
        d->parent = parent ? H->strdup(parent) : NULL;
        for (size_t i = 0, n = H->def->count(def, "capability"); i < n; i++) {
            const char *type = H->def->get(H->def->child(def, "capability", i), "@type");
            d->caps |= vk_nodedev_cap_flag(type);
        }
        d->xml = H->def->format(def, 0);
        r = 0;
    }
    H->def->free(def);
    return r;
}

int test_ndevs_finish(vkp_conn *c, const char *where)
{
    if (c->nndevs == 0) {
        vkp_def *def = NULL;
        if (H->def->parse(VKP_DEF_NODEDEV, default_devices[0], 0, &def) < 0 ||
            test_ndev_load(c, def) < 0)
            return -1;
    }
    /* One tree: a single root, every parent described, no cycle. */
    size_t roots = 0;
    for (size_t i = 0; i < c->nndevs; i++) {
        const test_ndev *d = &c->ndevs[i];
        size_t depth = 0;
        for (const test_ndev *p = d; p->parent; depth++) {
            p = find(c, p->parent);
            if (!p) {
                H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_NODEDEV,
                         "%s: node device '%s' names parent '%s', which is not described",
                         where, d->name, d->parent);
                return -1;
            }
            if (depth > c->nndevs) {
                H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_NODEDEV,
                         "%s: node device '%s' is its own ancestor", where, d->name);
                return -1;
            }
        }
        roots += !d->parent;
    }
    if (roots != 1) {
        H->error(VIRTKIT_ERR_XML, VIRTKIT_SUB_NODEDEV,
                 "%s: the node devices need exactly one root (a device without <parent>), "
                 "not %zu",
                 where, roots);
        return -1;
    }
    return 0;
}

int test_ndevs_default(vkp_conn *c)
{
    for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
        vkp_def *def = NULL;
        if (H->def->parse(VKP_DEF_NODEDEV, default_devices[i], 0, &def) < 0 ||
            test_ndev_load(c, def) < 0)
            return -1;
    }
    return test_ndevs_finish(c, "test:///default");
}

void test_ndevs_clear(vkp_conn *c)
{
    for (size_t i = 0; i < c->nndevs; i++) {
        H->free(c->ndevs[i].name);
        H->free(c->ndevs[i].parent);
        H->free(c->ndevs[i].xml);
    }
    H->free(c->ndevs);
    c->ndevs = NULL;
    c->nndevs = c->ndevs_cap = 0;
}

/* Devices never change after open: no lock needed to read them. */
int test_list_all_nodedevs(vkp_conn *c, char ***names, char ***parents, unsigned int flags)
{
    char **nv = H->alloc((c->nndevs + 1) * sizeof(char *));
    char **pv = H->alloc((c->nndevs + 1) * sizeof(char *));
    int n = 0;
    for (size_t i = 0; i < c->nndevs; i++) {
        if (flags && !(c->ndevs[i].caps & flags))
            continue;
        nv[n] = H->strdup(c->ndevs[i].name);
        pv[n] = c->ndevs[i].parent ? H->strdup(c->ndevs[i].parent) : NULL;
        n++;
    }
    *names = nv;
    *parents = pv;
    return n;
}

char *test_nodedev_get_xml(vkp_conn *c, const char *name, unsigned int flags)
{
    const test_ndev *d = find(c, name);
    if (!d) {
        H->error(VIRTKIT_ERR_NO_NODEDEV, VIRTKIT_SUB_NODEDEV, "no node device named '%s'", name);
        return NULL;
    }
    return H->strdup(d->xml);
}
