/*
 * qemu_hotplug.c: attaching and detaching disks and interfaces, live
 * (QMP) and/or in the persistent definition (VIRTKIT_DOMAIN_AFFECT_*).
 *
 * The arguments come from the same builder as the command line, so a
 * hot-plugged device looks exactly like a cold-plugged one. On q35 a PCI
 * device goes into one of the spare pcie-root-ports made at start (the
 * root bus takes no hotplug); which port holds which device is kept with
 * the process and in the status file. Detaching waits for qemu's
 * DEVICE_DELETED, i.e. for the guest to let go, before the backend goes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qemu.h"
#include "vkc_file.h"

#define UNPLUG_TIMEOUT_S 20

/* The index of the device in def matching dev: disks by target, NICs by
 * MAC (or alias); -1 when none. */
static long find_device(const vkp_def *def, const vkp_def *dev)
{
    const char *el = H->def->element(dev);
    VK_AUTOFREE(char *) path = vkc_asprintf("devices/%s", el);
    size_t n = qemu_def_count(def, path);
    bool disk = vkc_streq(el, "disk");
    const char *key = disk ? qemu_def_str(dev, "target/@dev") : qemu_def_str(dev, "mac/@address");
    const char *alias = qemu_def_str(dev, "alias/@name");
    for (size_t i = 0; i < n; i++) {
        const vkp_def *c = qemu_def_child(def, path, i);
        const char *k = disk ? qemu_def_str(c, "target/@dev") : qemu_def_str(c, "mac/@address");
        if ((key && vkc_streq(k, key)) || (!key && alias &&
                                           vkc_streq(qemu_def_str(c, "alias/@name"), alias)))
            return (long)i;
    }
    return -1;
}

/* An index whose alias ("virtio-disk3", "net2") no device of live uses. */
static size_t free_index(const vkp_def *live, const char *el, const char *fmt_prefix)
{
    VK_AUTOFREE(char *) path = vkc_asprintf("devices/%s", el);
    size_t n = qemu_def_count(live, path);
    for (size_t idx = n;; idx++) {
        char want[64];
        snprintf(want, sizeof(want), "%s%zu", fmt_prefix, idx);
        bool used = false;
        for (size_t i = 0; i < n && !used; i++)
            used = vkc_streq(qemu_def_str(qemu_def_child(live, path, i), "alias/@name"), want);
        if (!used)
            return idx;
    }
}

/* A free spare root port on q35 (d->lock held): its bus name, or NULL on
 * i440fx (the root bus takes hotplug). -1 when all are taken. */
static int pick_slot(qemu_dom *d, const char *alias, char *bus, size_t len, bool *use_bus)
{
    qemu_proc *p = d->proc;
    const char *machine = qemu_def_str(d->live, "os/type/@machine");
    *use_bus = false;
    if (!qemu_machine_is_q35(machine))
        return 0;
    for (size_t i = 0; i < p->hotplug_slots.n; i++) {
        if (!p->hotplug_slots.v[i][0]) {
            free(p->hotplug_slots.v[i]);
            p->hotplug_slots.v[i] = vkc_strdup(alias);
            snprintf(bus, len, "vk-hotplug%zu", i);
            *use_bus = true;
            return 0;
        }
    }
    QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED,
             "domain '%s': no free hotplug port left (%zu in use; raise hotplug_ports in "
             "qemu.conf and restart the domain)", d->name, p->hotplug_slots.n);
    return -1;
}

static void release_slot(qemu_dom *d, const char *alias)
{
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; d->proc && i < d->proc->hotplug_slots.n; i++) {
        if (vkc_streq(d->proc->hotplug_slots.v[i], alias)) {
            free(d->proc->hotplug_slots.v[i]);
            d->proc->hotplug_slots.v[i] = vkc_strdup("");
        }
    }
    pthread_mutex_unlock(&d->lock);
}

static qemu_cmd_ctx device_ctx(qemu_dom *d, const qemu_caps *caps, qemu_net_res *nets, size_t n)
{
    qemu_cmd_ctx cc = { .caps = caps, .conf = &d->drv->conf, .use_kvm = d->proc->use_kvm,
                        .monitor_fd = -1, .now = (long long)time(NULL), .nets = nets,
                        .nnets = n };
    return cc;
}

static const qemu_caps *domain_caps(qemu_dom *d)
{
    const char *emulator = qemu_def_str(d->live, "devices/emulator");
    VK_AUTOFREE(char *) found = NULL;
    if (!emulator) {
        const char *arch = qemu_def_str(d->live, "os/type/@arch");
        found = qemu_find_emulator(d->drv, arch ? arch : H->node->arch());
        if (!found)
            return NULL;
        emulator = found;
    }
    return qemu_caps_get(d->drv, emulator);
}

/* Record the new device in the live definition under its alias. */
static void live_append(qemu_dom *d, const vkp_def *dev, const char *alias)
{
    pthread_mutex_lock(&d->lock);
    vkp_def *copy = H->def->copy(dev);
    const char *el = H->def->element(dev);
    if (H->def->append(d->live, "devices", copy) == 0) {
        VK_AUTOFREE(char *) path = vkc_asprintf("devices/%s", el);
        size_t n = H->def->count(d->live, path);
        for (size_t i = n; i-- > 0;) {
            vkp_def *c = H->def->child_mut(d->live, path, i);
            if (!qemu_def_str(c, "alias/@name") && H->def->equal(c, dev)) {
                if (H->def->set(c, "alias/@name", alias) < 0)
                    vkc_error_reset();
                break;
            }
        }
    } else {
        vkc_error_reset();
    }
    pthread_mutex_unlock(&d->lock);
}

/* ----------------------------------------------------------------- disk -- */

static int attach_disk_live(qemu_dom *d, const vkp_def *disk)
{
    const char *target = qemu_def_str(disk, "target/@dev");
    const char *bus = qemu_def_str(disk, "target/@bus");
    if (!bus)
        bus = vkc_str_has_prefix(target, "sd") ? "scsi" : "virtio";
    if (!vkc_streq(bus, "virtio") && !vkc_streq(bus, "scsi") && !vkc_streq(bus, "usb")) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "domain '%s': disk %s: bus '%s' does not "
                 "support hotplug (virtio, scsi, usb)", d->name, target, bus);
        return -1;
    }
    pthread_mutex_lock(&d->lock);
    bool dup = find_device(d->live, disk) >= 0;
    pthread_mutex_unlock(&d->lock);
    if (dup) {
        QEMU_ERR(VIRTKIT_ERR_DUPLICATE, "domain '%s' already has a disk with target %s", d->name,
                 target);
        return -1;
    }
    int tidx = qemu_disk_target_index(target);
    if (tidx < 0) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "domain '%s': target dev '%s' is not a disk "
                 "name like vdb or sdc", d->name, target);
        return -1;
    }
    const qemu_caps *caps = domain_caps(d);
    if (!caps)
        return -1;
    /* Named as the definition's defaults name disks (libvirt's scheme). */
    char alias[64], busname[32];
    if (vkc_streq(bus, "scsi"))
        snprintf(alias, sizeof(alias), "scsi%d-0-0-%d", tidx / 16384, tidx % 16384);
    else
        snprintf(alias, sizeof(alias), "%s-disk%d", bus, tidx);
    size_t idx = (size_t)tidx;
    bool use_bus = false;
    if (vkc_streq(bus, "virtio")) {
        pthread_mutex_lock(&d->lock);
        int pr = pick_slot(d, alias, busname, sizeof(busname), &use_bus);
        pthread_mutex_unlock(&d->lock);
        if (pr < 0)
            return -1;
    }
    qemu_cmd_ctx cc = device_ctx(d, caps, NULL, 0);
    json_object *f = NULL, *p = NULL, *dev = NULL;
    VK_AUTOFREE(char *) got = NULL;
    pthread_mutex_lock(&d->lock);
    vkp_def *live_copy = H->def->copy(d->live);
    pthread_mutex_unlock(&d->lock);
    vkp_def *named = H->def->copy(disk);
    if (H->def->set(named, "alias/@name", alias) < 0 ||
        (!qemu_def_str(named, "target/@bus") && H->def->set(named, "target/@bus", bus) < 0)) {
        H->def->free(named);
        H->def->free(live_copy);
        goto fail;
    }
    int r = qemu_build_disk(live_copy, named, idx, &cc, use_bus ? busname : NULL, &f, &p, &dev,
                            &got);
    H->def->free(named);
    H->def->free(live_copy);
    if (r < 0)
        goto fail;
    const char *src = qemu_def_str(disk, "source/@file");
    if (!src)
        src = qemu_def_str(disk, "source/@dev");
    bool ro = qemu_def_has(disk, "readonly") || vkc_streq(qemu_def_str(disk, "@device"), "cdrom");
    if (src && !ro && !d->drv->conf.run_as_root && d->drv->conf.dynamic_ownership) {
        struct stat st;
        if (stat(src, &st) == 0 && (st.st_uid != d->drv->conf.uid ||
                                    st.st_gid != d->drv->conf.gid)) {
            if (chown(src, d->drv->conf.uid, d->drv->conf.gid) < 0) {
                vkc_error_system(errno, "domain '%s': cannot give %s to user %s", d->name, src,
                                 d->drv->conf.user);
                goto fail;
            }
            pthread_mutex_lock(&d->lock);
            vkc_strv_addf(&d->proc->chowned, "%u:%u:%s", (unsigned)st.st_uid,
                          (unsigned)st.st_gid, src);
            pthread_mutex_unlock(&d->lock);
        }
    }
    char fnode[96], pnode[96];
    snprintf(fnode, sizeof(fnode), "vk-%s-file", got);
    snprintf(pnode, sizeof(pnode), "vk-%s-fmt", got);
    if (f && qemu_dom_qmp(d, "blockdev-add", VK_STEAL(f), NULL) < 0)
        goto fail;
    if (p && qemu_dom_qmp(d, "blockdev-add", VK_STEAL(p), NULL) < 0) {
        qemu_dom_qmp(d, "blockdev-del", vkc_json_obj("node-name", VKC_JS(fnode), NULL), NULL);
        goto fail;
    }
    if (qemu_dom_qmp(d, "device_add", VK_STEAL(dev), NULL) < 0) {
        if (src) {
            qemu_dom_qmp(d, "blockdev-del", vkc_json_obj("node-name", VKC_JS(pnode), NULL), NULL);
            qemu_dom_qmp(d, "blockdev-del", vkc_json_obj("node-name", VKC_JS(fnode), NULL), NULL);
        }
        goto fail;
    }
    live_append(d, disk, got);
    return 0;
fail:
    if (f)
        json_object_put(f);
    if (p)
        json_object_put(p);
    if (dev)
        json_object_put(dev);
    if (use_bus)
        release_slot(d, alias);
    return -1;
}

/* ------------------------------------------------------------ interface -- */

static int attach_iface_live(qemu_dom *d, vkp_def *iface)
{
    const qemu_caps *caps = domain_caps(d);
    if (!caps)
        return -1;
    pthread_mutex_lock(&d->lock);
    size_t idx = free_index(d->live, "interface", "net");
    bool dup = qemu_def_str(iface, "mac/@address") && find_device(d->live, iface) >= 0;
    pthread_mutex_unlock(&d->lock);
    if (dup) {
        QEMU_ERR(VIRTKIT_ERR_DUPLICATE, "domain '%s' already has an interface with MAC %s",
                 d->name, qemu_def_str(iface, "mac/@address"));
        return -1;
    }
    char alias[32], busname[32], netid[48], fdname[64];
    snprintf(alias, sizeof(alias), "net%zu", idx);
    snprintf(netid, sizeof(netid), "host%s", alias);
    snprintf(fdname, sizeof(fdname), "fd-%s", netid);
    qemu_net_res *nets = vkc_alloc((idx + 1) * sizeof(*nets));
    for (size_t i = 0; i <= idx; i++)
        nets[i].tap_fd = -1;
    bool use_bus = false;
    json_object *nd = NULL, *dev = NULL;
    VK_AUTOFREE(char *) got = NULL;
    int r = -1;
    if (qemu_net_prepare(d, iface, &nets[idx]) < 0)
        goto out;
    pthread_mutex_lock(&d->lock);
    int pr = pick_slot(d, alias, busname, sizeof(busname), &use_bus);
    vkp_def *live_copy = pr == 0 ? H->def->copy(d->live) : NULL;
    pthread_mutex_unlock(&d->lock);
    if (pr < 0)
        goto out;
    qemu_cmd_ctx cc = device_ctx(d, caps, nets, idx + 1);
    if (H->def->set(iface, "alias/@name", alias) < 0) {
        H->def->free(live_copy);
        goto out;
    }
    int br = qemu_build_interface(live_copy, iface, idx, &cc, use_bus ? busname : NULL, &nd, &dev,
                                  &got);
    H->def->free(live_copy);
    if (br < 0)
        goto out;
    if (nets[idx].tap_fd >= 0) {
        if (qemu_mon_getfd(d->proc->mon, fdname, nets[idx].tap_fd,
                           d->drv->conf.monitor_timeout_ms) < 0)
            goto out;
        json_object_object_add(nd, "fd", VKC_JS(fdname));
    }
    if (qemu_dom_qmp(d, "netdev_add", VK_STEAL(nd), NULL) < 0)
        goto out;
    if (qemu_dom_qmp(d, "device_add", VK_STEAL(dev), NULL) < 0) {
        qemu_dom_qmp(d, "netdev_del", vkc_json_obj("id", VKC_JS(netid), NULL), NULL);
        goto out;
    }
    if (nets[idx].tap_name) {
        pthread_mutex_lock(&d->lock);
        vkc_strv_add(&d->proc->taps, nets[idx].tap_name);
        pthread_mutex_unlock(&d->lock);
    }
    live_append(d, iface, got);
    r = 0;
out:
    if (r < 0 && use_bus)
        release_slot(d, alias);
    if (nd)
        json_object_put(nd);
    if (dev)
        json_object_put(dev);
    if (nets[idx].tap_fd >= 0)
        close(nets[idx].tap_fd);
    free(nets[idx].tap_name);
    free(nets);
    return r;
}

/* ------------------------------------------------------------- detach -- */

/* Ask qemu to remove alias and wait for the guest to let go. */
static int unplug_wait(qemu_dom *d, const char *alias)
{
    pthread_mutex_lock(&d->lock);
    free(d->deleted_alias);
    d->deleted_alias = NULL;
    pthread_mutex_unlock(&d->lock);
    if (qemu_dom_qmp(d, "device_del", vkc_json_obj("id", VKC_JS(alias), NULL), NULL) < 0)
        return -1;
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += UNPLUG_TIMEOUT_S;
    pthread_mutex_lock(&d->lock);
    while (!vkc_streq(d->deleted_alias, alias) && d->proc && !d->proc->exited)
        if (pthread_cond_timedwait(&d->cond, &d->lock, &dl) == ETIMEDOUT)
            break;
    bool done = vkc_streq(d->deleted_alias, alias);
    pthread_mutex_unlock(&d->lock);
    if (!done) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_TIMEOUT,
                 "domain '%s': the guest did not release device '%s' within %d s (it is removed "
                 "once the guest lets go)", d->name, alias, UNPLUG_TIMEOUT_S);
        return -1;
    }
    return 0;
}

static void restore_owner_of(qemu_dom *d, const char *path)
{
    pthread_mutex_lock(&d->lock);
    vkc_strv *ch = &d->proc->chowned;
    for (size_t i = 0; i < ch->n; i++) {
        unsigned uid, gid;
        int off = 0;
        if (sscanf(ch->v[i], "%u:%u:%n", &uid, &gid, &off) < 2 || !vkc_streq(ch->v[i] + off, path))
            continue;
        if (chown(path, uid, gid) < 0)
            VKC_WARN("cannot give %s back to %u:%u", path, uid, gid);
        free(ch->v[i]);
        memmove(&ch->v[i], &ch->v[i + 1], (ch->n - i) * sizeof(char *));
        ch->n--;
        break;
    }
    pthread_mutex_unlock(&d->lock);
}

static int detach_live(qemu_dom *d, const vkp_def *dev)
{
    const char *el = H->def->element(dev);
    VK_AUTOFREE(char *) path = vkc_asprintf("devices/%s", el);
    pthread_mutex_lock(&d->lock);
    long idx = find_device(d->live, dev);
    const vkp_def *node = idx >= 0 ? qemu_def_child(d->live, path, (size_t)idx) : NULL;
    VK_AUTOFREE(char *) alias = vkc_strdup(qemu_def_str(node, "alias/@name"));
    VK_AUTOFREE(char *) src = vkc_strdup(qemu_def_str(node, "source/@file"));
    if (!src)
        src = vkc_strdup(qemu_def_str(node, "source/@dev"));
    pthread_mutex_unlock(&d->lock);
    if (idx < 0) {
        QEMU_ERR(VIRTKIT_ERR_NO_DEVICE, "domain '%s' has no such %s to detach", d->name, el);
        return -1;
    }
    if (!alias) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': the %s has no device id", d->name,
                 el);
        return -1;
    }
    if (unplug_wait(d, alias) < 0)
        return -1;
    if (vkc_streq(el, "disk")) {
        if (src) {
            char fnode[96], pnode[96];
            snprintf(fnode, sizeof(fnode), "vk-%s-file", alias);
            snprintf(pnode, sizeof(pnode), "vk-%s-fmt", alias);
            if (qemu_dom_qmp(d, "blockdev-del", vkc_json_obj("node-name", VKC_JS(pnode), NULL),
                             NULL) < 0 ||
                qemu_dom_qmp(d, "blockdev-del", vkc_json_obj("node-name", VKC_JS(fnode), NULL),
                             NULL) < 0)
                VKC_WARN("domain '%s': block nodes of %s stay in qemu", d->name, alias);
            vkc_error_reset();
            restore_owner_of(d, src);
        }
    } else {
        char netid[96];
        snprintf(netid, sizeof(netid), "host%s", alias);
        if (qemu_dom_qmp(d, "netdev_del", vkc_json_obj("id", VKC_JS(netid), NULL), NULL) < 0)
            vkc_error_reset();
    }
    release_slot(d, alias);
    pthread_mutex_lock(&d->lock);
    if (H->def->remove(d->live, path, (size_t)idx) < 0)
        vkc_error_reset();
    pthread_mutex_unlock(&d->lock);
    return 0;
}

/* ------------------------------------------------------------------ ops -- */

static vkp_def *parse_device(qemu_dom *d, const char *xml)
{
    vkp_def *dev = NULL;
    if (H->def->parse(VKP_DEF_DEVICE, xml, 0, &dev) < 0)
        return NULL;
    const char *el = H->def->element(dev);
    if (!vkc_streq(el, "disk") && !vkc_streq(el, "interface")) {
        QEMU_ERR(VIRTKIT_ERR_NO_SUPPORT, "domain '%s': hotplug of <%s> is not supported by the "
                 "qemu plugin (disk, interface)", d->name, el);
        H->def->free(dev);
        return NULL;
    }
    if (vkc_streq(el, "interface") && !qemu_def_str(dev, "mac/@address")) {
        unsigned char r[16];
        H->def->uuid_generate(r);
        char mac[18];
        snprintf(mac, sizeof(mac), "52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
        if (H->def->set(dev, "mac/@address", mac) < 0) {
            H->def->free(dev);
            return NULL;
        }
    }
    return dev;
}

/* Add dev to / remove it from the persistent definition (job held). */
static int config_change(qemu_dom *d, const vkp_def *dev, bool add)
{
    const char *el = H->def->element(dev);
    VK_AUTOFREE(char *) path = vkc_asprintf("devices/%s", el);
    pthread_mutex_lock(&d->lock);
    long idx = find_device(d->def, dev);
    int r = 0;
    if (add && idx >= 0) {
        QEMU_ERR(VIRTKIT_ERR_DUPLICATE, "domain '%s' already has this %s in its definition",
                 d->name, el);
        r = -1;
    } else if (!add && idx < 0) {
        QEMU_ERR(VIRTKIT_ERR_NO_DEVICE, "domain '%s' has no such %s in its definition",
                 d->name, el);
        r = -1;
    } else {
        r = add ? H->def->append(d->def, "devices", H->def->copy(dev))
                : H->def->remove(d->def, path, (size_t)idx);
    }
    /* Run the defaults over the result (addresses, aliases, controllers)
     * so the next start sees a complete definition. */
    vkp_def *fresh = NULL;
    if (r == 0) {
        VK_AUTOFREE(char *) xml = H->def->format(d->def, VKP_DEF_FORMAT_INACTIVE |
                                                             VKP_DEF_FORMAT_SECURE);
        r = xml ? H->def->parse(VKP_DEF_DOMAIN, xml, 0, &fresh) : -1;
        if (r == 0) {
            H->def->free(d->def);
            d->def = fresh;
        }
    }
    pthread_mutex_unlock(&d->lock);
    if (r < 0)
        return -1;
    return qemu_dom_save_config(d);
}

typedef struct {
    vkp_def *dev;
    unsigned int flags;
    bool attach;
} device_args;

static int do_device(qemu_dom *d, void *arg)
{
    device_args *a = arg;
    unsigned int flags = a->flags;
    if (qemu_resolve_affect(d, &flags) < 0)
        return -1;
    if (flags & VIRTKIT_DOMAIN_AFFECT_LIVE) {
        int r;
        if (!a->attach)
            r = detach_live(d, a->dev);
        else if (vkc_streq(H->def->element(a->dev), "disk"))
            r = attach_disk_live(d, a->dev);
        else
            r = attach_iface_live(d, a->dev);
        if (r < 0)
            return -1;
        qemu_process_write_status(d);
    }
    if (flags & VIRTKIT_DOMAIN_AFFECT_CONFIG)
        return config_change(d, a->dev, a->attach);
    return 0;
}

static int device_op(vkp_conn *c, const vkp_ref *ref, const char *xml, unsigned int flags,
                     bool attach)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    vkp_def *dev = parse_device(d, xml);
    qemu_dom_unref(d);
    if (!dev)
        return -1;
    device_args a = { dev, flags, attach };
    int r = qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, attach ? "attach device" : "detach device",
                          do_device, &a);
    H->def->free(dev);
    return r;
}

/* update-device: new media for a cdrom (or none: eject), live and/or in
 * the definition. Other changes are not supported. */
static int change_media_live(qemu_dom *d, const vkp_def *disk)
{
    pthread_mutex_lock(&d->lock);
    long idx = find_device(d->live, disk);
    const vkp_def *cur = idx >= 0 ? qemu_def_child(d->live, "devices/disk", (size_t)idx) : NULL;
    VK_AUTOFREE(char *) alias = vkc_strdup(qemu_def_str(cur, "alias/@name"));
    pthread_mutex_unlock(&d->lock);
    if (!alias) {
        QEMU_ERR(VIRTKIT_ERR_NO_DEVICE, "domain '%s' has no cdrom %s", d->name,
                 qemu_def_str(disk, "target/@dev"));
        return -1;
    }
    const char *src = qemu_def_str(disk, "source/@file");
    if (!src)
        src = qemu_def_str(disk, "source/@dev");
    const char *fmt = qemu_def_str(disk, "driver/@type");
    int r = src ? qemu_dom_qmp(d, "blockdev-change-medium",
                               vkc_json_obj("id", VKC_JS(alias), "filename", VKC_JS(src), "format",
                                            VKC_JS(fmt ? fmt : "raw"), "read-only-mode",
                                            VKC_JS("read-only"), NULL),
                               NULL)
                : qemu_dom_qmp(d, "eject", vkc_json_obj("id", VKC_JS(alias), "force", VKC_JB(1),
                                                        NULL),
                               NULL);
    if (r < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    vkp_def *node = H->def->child_mut(d->live, "devices/disk", (size_t)idx);
    const char *attr = qemu_def_str(disk, "source/@dev") ? "source/@dev" : "source/@file";
    if (H->def->set(node, "source/@file", NULL) < 0 || H->def->set(node, "source/@dev", NULL) < 0 ||
        (src && H->def->set(node, attr, src) < 0))
        vkc_error_reset();
    pthread_mutex_unlock(&d->lock);
    return 0;
}

static int do_update(qemu_dom *d, void *arg)
{
    device_args *a = arg;
    if (!vkc_streq(H->def->element(a->dev), "disk") ||
        !vkc_streq(qemu_def_str(a->dev, "@device"), "cdrom")) {
        QEMU_ERR(VIRTKIT_ERR_NO_SUPPORT, "domain '%s': only the media of a cdrom can be updated "
                 "by the qemu plugin", d->name);
        return -1;
    }
    unsigned int flags = a->flags;
    if (qemu_resolve_affect(d, &flags) < 0)
        return -1;
    if ((flags & VIRTKIT_DOMAIN_AFFECT_LIVE)) {
        if (change_media_live(d, a->dev) < 0)
            return -1;
        qemu_process_write_status(d);
    }
    if (flags & VIRTKIT_DOMAIN_AFFECT_CONFIG) {
        if (config_change(d, a->dev, false) < 0)
            return -1;
        return config_change(d, a->dev, true);
    }
    return 0;
}

int qemu_op_update_device(vkp_conn *c, const vkp_ref *ref, const char *xml, unsigned int flags)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    vkp_def *dev = NULL;
    int pr = H->def->parse(VKP_DEF_DEVICE, xml, 0, &dev);
    qemu_dom_unref(d);
    if (pr < 0)
        return -1;
    device_args a = { dev, flags, false };
    int r = qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "update device", do_update, &a);
    H->def->free(dev);
    return r;
}

int qemu_op_attach_device(vkp_conn *c, const vkp_ref *ref, const char *xml, unsigned int flags)
{
    return device_op(c, ref, xml, flags, true);
}

int qemu_op_detach_device(vkp_conn *c, const vkp_ref *ref, const char *xml, unsigned int flags)
{
    return device_op(c, ref, xml, flags, false);
}
