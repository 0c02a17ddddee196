/*
 * nodedev.c: see nodedev.h and nodedev_db.h. Every call scans sysfs
 * afresh (a few hundred small reads on a big server): devices come and
 * go, and a cache would need the monitor running to stay true.
 *
 * Names follow libvirt's udev backend so scripts carry over: computer,
 * pci_0000_00_1f_2, usb_1_1, usb_1_1_1_0, net_eth0_52_54_00_12_34_56,
 * block_sda_<serial>, scsi_host0, scsi_target0_0_0, scsi_0_0_0_0.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "defs.h"
#include "error.h"
#include "host_sysfs.h"
#include "hostinfo.h"
#include "nodedev.h"
#include "nodedev_db.h"

vk_ndev *vk_ndev_add(vk_ndev_db *db, const char *syspath, unsigned int cap_flag,
                     const char *cap_type, vk_xnode **cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = vk_vasprintf(fmt, ap);
    va_end(ap);
    for (char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p))
            *p = '_';
    VK_GROW(db->devs, db->cap, db->n);
    vk_ndev *d = &db->devs[db->n++];
    memset(d, 0, sizeof(*d));
    d->name = name;
    d->syspath = vk_strdup(syspath);
    d->caps = cap_flag;
    vk_hx_init(&d->xml, &vk_nodedev_kind, NULL);
    vk_hx_leaf(&d->xml, d->xml.root, "name", "%s", name);
    if (syspath)
        vk_hx_leaf(&d->xml, d->xml.root, "path", "%s", syspath);
    *cap = vk_hx_add(&d->xml, d->xml.root, "capability");
    vk_hx_attr(&d->xml, *cap, "type", "%s", cap_type);
    return d;
}

void vk_ndev_add_driver(vk_ndev *d, const char *syspath)
{
    VK_AUTOFREE(char *) drv = vk_hostfs_link_name("%s/driver", syspath);
    if (drv)
        vk_hx_leaf(&d->xml, vk_hx_add(&d->xml, d->xml.root, "driver"), "name", "%s", drv);
}

void vk_ndev_add_devnode(vk_ndev *d, const char *path)
{
    vk_xnode *n = vk_hx_leaf(&d->xml, d->xml.root, "devnode", "%s", path);
    vk_hx_attr(&d->xml, n, "type", "dev");
}

int vk_ndev_attr(char **out, const char *syspath, const char *attr)
{
    int r = vk_hostfs_line_opt(out, "%s/%s", syspath, attr);
    return r < 0 ? -1 : 0;
}

int vk_ndev_hex_attr(unsigned int *out, const char *syspath, const char *attr)
{
    uint64_t v;
    int r = vk_hostfs_u64_opt(&v, 16, "%s/%s", syspath, attr);
    if (r > 0 && v > UINT32_MAX) {
        VK_AUTOFREE(char *) rel = vk_asprintf("%s/%s", syspath, attr);
        vk_hostfs_parse_error(rel, "value 0x%llx is out of range", (unsigned long long)v);
        return -1;
    }
    if (r > 0)
        *out = (unsigned int)v;
    return r;
}

/* The root device: the machine itself, described by DMI when the
 * firmware provides it (every field is optional: VMs often have none). */
static void add_computer(vk_ndev_db *db)
{
    vk_xnode *cap;
    vk_ndev *d = vk_ndev_add(db, NULL, VIRTKIT_LIST_NODEDEV_CAP_SYSTEM, "system", &cap,
                             "computer");
    static const char *const dmi[] = { "product_name", "sys_vendor", "product_version",
                                       "product_serial", "bios_vendor", "bios_version",
                                       "bios_date" };
    char *v[VK_ARRAY_LEN(dmi)] = { 0 };
    for (size_t i = 0; i < VK_ARRAY_LEN(dmi); i++) {
        if (vk_hostfs_line_opt(&v[i], "/sys/class/dmi/id/%s", dmi[i]) < 0) {
            virtkit_error_clear(); /* product_serial is root-only: leave it out */
            v[i] = NULL;
        }
    }
    if (!vk_str_empty(v[0]))
        vk_hx_leaf(&d->xml, cap, "product", "%s", v[0]);
    char uuid[37];
    if (vk_host_uuid(uuid) == 0) {
        vk_xnode *hw = vk_hx_add(&d->xml, cap, "hardware");
        const char *names[] = { "vendor", "version", "serial" };
        for (size_t i = 0; i < 3; i++)
            if (!vk_str_empty(v[1 + i]))
                vk_hx_leaf(&d->xml, hw, names[i], "%s", v[1 + i]);
        vk_hx_leaf(&d->xml, hw, "uuid", "%s", uuid);
    } else {
        virtkit_error_clear();
    }
    if (v[4] || v[5] || v[6]) {
        vk_xnode *fw = vk_hx_add(&d->xml, cap, "firmware");
        const char *names[] = { "vendor", "version", "release_date" };
        for (size_t i = 0; i < 3; i++)
            if (!vk_str_empty(v[4 + i]))
                vk_hx_leaf(&d->xml, fw, names[i], "%s", v[4 + i]);
    }
    for (size_t i = 0; i < VK_ARRAY_LEN(dmi); i++)
        free(v[i]);
}

static int syspath_cmp(const void *a, const void *b)
{
    const vk_ndev *const *x = a, *const *y = b;
    return strcmp((*x)->syspath, (*y)->syspath);
}

/* Each device's parent is the scanned device whose directory is the
 * nearest ancestor of its own. */
static void link_parents(vk_ndev_db *db)
{
    vk_ndev **byp = vk_alloc_n(db->n ? db->n : 1, sizeof(*byp));
    size_t np = 0;
    for (size_t i = 0; i < db->n; i++)
        if (db->devs[i].syspath)
            byp[np++] = &db->devs[i];
    qsort(byp, np, sizeof(*byp), syspath_cmp);
    for (size_t i = 0; i < db->n; i++) {
        vk_ndev *d = &db->devs[i];
        if (!d->syspath)
            continue;
        VK_AUTOFREE(char *) dir = vk_strdup(d->syspath);
        const vk_ndev *found = NULL;
        char *slash;
        while (!found && (slash = strrchr(dir, '/')) && slash != dir) {
            *slash = 0;
            vk_ndev key = { .syspath = dir };
            vk_ndev *kp = &key;
            vk_ndev **hit = bsearch(&kp, byp, np, sizeof(*byp), syspath_cmp);
            found = hit ? *hit : NULL;
        }
        d->parent = vk_strdup(found ? found->name : "computer");
        vk_hx_leaf(&d->xml, d->xml.root, "parent", "%s", d->parent);
    }
    free(byp);
}

static int name_cmp(const void *a, const void *b)
{
    const vk_ndev *x = a, *y = b;
    bool xc = !x->syspath, yc = !y->syspath; /* computer first */
    if (xc != yc)
        return xc ? -1 : 1;
    /* plain byte order: names embed fixed-width hex (pci_0000_00_1d_0) */
    return strcmp(x->name, y->name);
}

static const struct {
    const char *what;
    int (*scan)(vk_ndev_db *db);
} scanners[] = {
    { "PCI", vk_ndev_scan_pci },   { "USB", vk_ndev_scan_usb },
    { "network", vk_ndev_scan_net }, { "SCSI", vk_ndev_scan_scsi },
    { "block", vk_ndev_scan_block },
};

int vk_ndev_scan(vk_ndev_db *db)
{
    memset(db, 0, sizeof(*db));
    add_computer(db);
    for (size_t i = 0; i < VK_ARRAY_LEN(scanners); i++) {
        if (scanners[i].scan(db) < 0) {
            vk_error_prefix("scanning %s devices: ", scanners[i].what);
            goto fail;
        }
    }
    link_parents(db);
    qsort(db->devs, db->n, sizeof(*db->devs), name_cmp);
    /* Two sysfs objects mapping to one name (a renamed interface racing
     * the scan) would make lookups ambiguous: keep the first. */
    for (size_t i = 1; i < db->n; i++) {
        if (vk_streq(db->devs[i].name, db->devs[i - 1].name)) {
            vk_ndev dup = db->devs[i];
            memmove(&db->devs[i], &db->devs[i + 1], (db->n - i - 1) * sizeof(*db->devs));
            db->n--;
            i--;
            free(dup.name);
            free(dup.parent);
            free(dup.syspath);
            vk_hx_clear(&dup.xml);
        }
    }
    return 0;
fail:
    vk_ndev_db_clear(db);
    return -1;
}

void vk_ndev_db_clear(vk_ndev_db *db)
{
    for (size_t i = 0; i < db->n; i++) {
        free(db->devs[i].name);
        free(db->devs[i].parent);
        free(db->devs[i].syspath);
        vk_hx_clear(&db->devs[i].xml);
    }
    free(db->devs);
    memset(db, 0, sizeof(*db));
}

const vk_ndev *vk_ndev_find(const vk_ndev_db *db, const char *name)
{
    for (size_t i = 0; i < db->n; i++)
        if (vk_streq(db->devs[i].name, name))
            return &db->devs[i];
    return NULL;
}

/* ---------------------------------------------------------------- API -- */

int vk_nodedev_list(char ***names, char ***parents, unsigned int flags)
{
    vk_ndev_db db;
    if (vk_ndev_scan(&db) < 0)
        return -1;
    char **nv = vk_alloc_n(db.n + 1, sizeof(char *));
    char **pv = vk_alloc_n(db.n + 1, sizeof(char *));
    int n = 0;
    for (size_t i = 0; i < db.n; i++) {
        if (flags && !(db.devs[i].caps & flags))
            continue;
        nv[n] = VK_STEAL(db.devs[i].name);
        pv[n++] = VK_STEAL(db.devs[i].parent);
    }
    vk_ndev_db_clear(&db);
    *names = nv;
    *parents = pv;
    return n;
}

char *vk_nodedev_xml(const char *name)
{
    vk_ndev_db db;
    if (vk_ndev_scan(&db) < 0)
        return NULL;
    vk_ndev *d = (vk_ndev *)vk_ndev_find(&db, name);
    char *xml = NULL;
    if (!d)
        vk_error_set(VIRTKIT_ERR_NO_NODEDEV, VIRTKIT_SUB_NODEDEV, "no node device named '%s'",
                     name);
    else
        xml = vk_hx_finish(&d->xml);
    vk_ndev_db_clear(&db);
    return xml;
}
