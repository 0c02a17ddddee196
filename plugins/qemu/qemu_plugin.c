/*
 * qemu_plugin.c: the qemu plugin's descriptor, its connections and the
 * per-root driver registry.
 *
 * URIs served in-process: qemu:///embed?root=DIR (this process owns the
 * domains under DIR) and qemu:///system inside virtkitd, which loads this
 * plugin with the same ops. Connections to the same root share one driver
 * (domains, capability cache, watcher thread) so two handles in one
 * process never fight over a QMP socket; the driver goes when its last
 * connection closes, leaving running qemu processes and their status files
 * for the next instance to reconnect to.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "qemu.h"
#include "vkc_file.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static qemu_driver **drivers;
static size_t ndrivers, drivers_cap;

/* ------------------------------------------------------------- drivers -- */

static void driver_free(qemu_driver *drv)
{
    /* Worker threads hold domain references and use the driver. */
    pthread_mutex_lock(&drv->workers_lock);
    while (drv->workers > 0)
        pthread_cond_wait(&drv->workers_cond, &drv->workers_lock);
    pthread_mutex_unlock(&drv->workers_lock);
    /* Let running domains be: close our side only. */
    pthread_mutex_lock(&drv->lock);
    qemu_dom **doms = drv->doms;
    size_t n = drv->ndoms;
    drv->doms = NULL;
    drv->ndoms = drv->doms_cap = 0;
    pthread_mutex_unlock(&drv->lock);
    for (size_t i = 0; i < n; i++) {
        qemu_dom *d = doms[i];
        pthread_mutex_lock(&d->lock);
        qemu_proc *p = d->proc;
        qemu_mon *mon = p ? p->mon : NULL;
        int watch = p ? p->pid_watch : 0;
        if (p) {
            p->mon = NULL;
            p->pid_watch = 0;
        }
        d->removed = true;
        pthread_mutex_unlock(&d->lock);
        qemu_mon_close(mon);
        if (watch > 0) {
            qemu_watch_remove(drv->watcher, watch);
            qemu_dom_unref(d); /* the pid watch's reference */
        }
        if (p) {
            qemu_proc_free(p);
            d->proc = NULL;
        }
        qemu_dom_unref(d);
    }
    free(doms);
    qemu_watcher_free(drv->watcher);
    for (size_t i = 0; i < drv->ncaps; i++)
        qemu_caps_free(drv->caps[i]);
    free(drv->caps);
    free(drv->conns);
    qemu_conf_clear(&drv->conf);
    free(drv->key);
    free(drv->root);
    free(drv->config_dir);
    free(drv->state_dir);
    free(drv->run_dir);
    free(drv->log_dir);
    free(drv->cache_dir);
    pthread_mutex_destroy(&drv->lock);
    pthread_mutex_destroy(&drv->caps_lock);
    pthread_mutex_destroy(&drv->conns_lock);
    pthread_mutex_destroy(&drv->workers_lock);
    pthread_cond_destroy(&drv->workers_cond);
    free(drv);
}

void qemu_driver_unref(qemu_driver *drv)
{
    pthread_mutex_lock(&registry_lock);
    bool last = --drv->refs == 0;
    if (last) {
        for (size_t i = 0; i < ndrivers; i++) {
            if (drivers[i] == drv) {
                drivers[i] = drivers[--ndrivers];
                break;
            }
        }
    }
    pthread_mutex_unlock(&registry_lock);
    if (last)
        driver_free(drv);
}

/* Start the autostart domains that are not running yet, once per host
 * boot and root (like libvirt): the marker lives in the run dir, which a
 * reboot empties, so a domain shut down on purpose stays down when a new
 * instance (the next client of the daemon, another embedding process)
 * comes up. */
static void autostart_all(qemu_driver *drv)
{
    VK_AUTOFREE(char *) marker = vkc_asprintf("%s/autostarted", drv->run_dir);
    if (vkc_file_exists(marker))
        return;
    if (vkc_file_write_replace(marker, "", 0, 0600) < 0) {
        VKC_WARN("cannot record autostart in %s; skipping it", marker);
        vkc_error_reset();
        return;
    }
    size_t n;
    qemu_dom **list = qemu_dom_snapshot(drv, &n);
    for (size_t i = 0; i < n; i++) {
        qemu_dom *d = list[i];
        if (d->autostart && !qemu_dom_active(d) && qemu_job_begin(d, QEMU_JOB_MODIFY,
                                                                   "autostart") == 0) {
            int r = 0;
            if (!qemu_dom_active(d)) {
                VK_AUTOFREE(char *) ms = qemu_managed_save_path(d);
                if (vkc_file_exists(ms)) {
                    r = qemu_restore_managed(d, 0);
                } else {
                    qemu_start_opts o = { .started_detail = VIRTKIT_EVENT_STARTED_BOOTED,
                                          .running_reason = VIRTKIT_RUNNING_BOOTED,
                                          .incoming_fd = -1 };
                    r = qemu_process_start(d, H->def->copy(d->def), &o);
                }
            }
            if (r < 0) {
                VKC_WARN("domain '%s': autostart failed", d->name);
                vkc_error_reset();
            }
            qemu_job_end(d);
        }
    }
    qemu_dom_snapshot_free(list, n);
}

static qemu_driver *driver_new(vkp_ctx *ctx, const char *key)
{
    qemu_driver *drv = vkc_alloc(sizeof(*drv));
    drv->refs = 1;
    drv->next_id = 1;
    pthread_mutex_init(&drv->lock, NULL);
    pthread_mutex_init(&drv->caps_lock, NULL);
    pthread_mutex_init(&drv->conns_lock, NULL);
    pthread_mutex_init(&drv->workers_lock, NULL);
    pthread_cond_init(&drv->workers_cond, NULL);
    drv->key = vkc_strdup(key);
    drv->root = vkc_strdup(H->ctx_uri(ctx, "?root"));
    drv->run_dir = vkc_strdup(key);
    drv->config_dir = H->ctx_path(ctx, VKP_PATH_CONFIG);
    drv->state_dir = H->ctx_path(ctx, VKP_PATH_STATE);
    drv->log_dir = H->ctx_path(ctx, VKP_PATH_LOG);
    drv->cache_dir = H->ctx_path(ctx, VKP_PATH_CACHE);
    if (!drv->config_dir || !drv->state_dir || !drv->log_dir || !drv->cache_dir ||
        qemu_conf_load(&drv->conf, ctx) < 0) {
        drv->watcher = NULL;
        goto fail;
    }
    qemu_kvm_probe(&drv->kvm);
    if (drv->kvm.dev_opens && !drv->kvm.usable)
        VKC_INFO("%s", drv->kvm.why);
    drv->watcher = qemu_watcher_new(key);
    if (!drv->watcher)
        goto fail;
    qemu_dom_load_all(drv);
    qemu_process_reconnect_all(drv);
    return drv;
fail:
    qemu_conf_clear(&drv->conf);
    free(drv->key);
    free(drv->root);
    free(drv->run_dir);
    free(drv->config_dir);
    free(drv->state_dir);
    free(drv->log_dir);
    free(drv->cache_dir);
    free(drv);
    return NULL;
}

/* ---------------------------------------------------------- connection -- */

static int qemu_open(vkp_ctx *ctx, unsigned int flags, vkp_conn **out)
{
    (void)flags;
    const char *scheme = H->ctx_uri(ctx, "driver");
    const char *path = H->ctx_uri(ctx, "path");
    if (!vkc_streq(scheme, "qemu"))
        return 1;
    if (vkc_streq(path, "/embed")) {
        const char *root = H->ctx_uri(ctx, "?root");
        if (vkc_str_empty(root) || root[0] != '/') {
            H->error(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_URI,
                     "qemu:///embed needs ?root=DIR with an absolute directory (got '%s')",
                     root ? root : "");
            return -1;
        }
    } else if (!vkc_streq(path, "/system")) {
        return 1;
    }
    VK_AUTOFREE(char *) key = H->ctx_path(ctx, VKP_PATH_RUN);
    if (!key)
        return -1;
    qemu_driver *drv = NULL;
    bool fresh = false;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < ndrivers && !drv; i++) {
        if (vkc_streq(drivers[i]->key, key)) {
            drv = drivers[i];
            drv->refs++;
        }
    }
    if (!drv) {
        drv = driver_new(ctx, key);
        if (!drv) {
            pthread_mutex_unlock(&registry_lock);
            return -1;
        }
        VKC_GROW(drivers, drivers_cap, ndrivers);
        drivers[ndrivers++] = drv;
        fresh = true;
    }
    pthread_mutex_unlock(&registry_lock);
    vkp_conn *c = vkc_alloc(sizeof(*c));
    c->drv = drv;
    c->ctx = ctx;
    pthread_mutex_lock(&drv->conns_lock);
    VKC_GROW(drv->conns, drv->conns_cap, drv->nconns);
    drv->conns[drv->nconns++] = c;
    pthread_mutex_unlock(&drv->conns_lock);
    if (fresh)
        autostart_all(drv);
    *out = c;
    return 0;
}

static void autodestroy_for(vkp_conn *c)
{
    size_t n;
    qemu_dom **list = qemu_dom_snapshot(c->drv, &n);
    for (size_t i = 0; i < n; i++) {
        qemu_dom *d = list[i];
        pthread_mutex_lock(&d->lock);
        bool mine = d->autodestroy == c && d->proc;
        pthread_mutex_unlock(&d->lock);
        if (mine && qemu_job_begin(d, QEMU_JOB_MODIFY, "autodestroy") == 0) {
            qemu_process_stop(d, VIRTKIT_SHUTOFF_DESTROYED, VIRTKIT_EVENT_STOPPED_DESTROYED,
                              false);
            qemu_job_end(d);
        }
        vkc_error_reset();
    }
    qemu_dom_snapshot_free(list, n);
}

static void qemu_close(vkp_conn *c)
{
    qemu_driver *drv = c->drv;
    pthread_mutex_lock(&drv->conns_lock);
    for (size_t i = 0; i < drv->nconns; i++) {
        if (drv->conns[i] == c) {
            drv->conns[i] = drv->conns[--drv->nconns];
            break;
        }
    }
    pthread_mutex_unlock(&drv->conns_lock);
    autodestroy_for(c);
    qemu_driver_unref(drv);
    free(c);
}

static int qemu_get_version(vkp_conn *c, unsigned long long *version)
{
    VK_AUTOFREE(char *) bin = qemu_find_emulator(c->drv, H->node->arch());
    if (!bin)
        return -1;
    const qemu_caps *caps = qemu_caps_get(c->drv, bin);
    if (!caps)
        return -1;
    *version = caps->version;
    return 0;
}

static char *qemu_get_hostname(vkp_conn *c)
{
    (void)c;
    struct utsname u;
    if (uname(&u) < 0) {
        vkc_error_system(errno, "cannot get the host name");
        return NULL;
    }
    return vkc_strdup(u.nodename);
}

static char *qemu_capabilities_guests_xml(vkp_conn *c)
{
    return qemu_caps_guests_xml(c->drv);
}

static int qemu_init(const vkp_host *host, unsigned int core_minor)
{
    (void)core_minor;
    vkc_init(host, "qemu");
    return 0;
}

const vkp_hypervisor_ops qemu_hypervisor_ops = {
    .struct_size = sizeof(vkp_hypervisor_ops),
    .open = qemu_open,
    .close = qemu_close,
    .get_version = qemu_get_version,
    .get_hostname = qemu_get_hostname,
    .capabilities_guests_xml = qemu_capabilities_guests_xml,
    .num_of_domains = qemu_op_num_of_domains,
    .num_of_defined_domains = qemu_op_num_of_defined_domains,
    .list_all_domains = qemu_op_list_all_domains,
    .lookup_domain = qemu_op_lookup_domain,
    .domain_define = qemu_op_domain_define,
    .domain_undefine = qemu_op_domain_undefine,
    .domain_create = qemu_op_domain_create,
    .domain_create_xml = qemu_op_domain_create_xml,
    .domain_shutdown = qemu_op_domain_shutdown,
    .domain_reboot = qemu_op_domain_reboot,
    .domain_reset = qemu_op_domain_reset,
    .domain_destroy = qemu_op_domain_destroy,
    .domain_suspend = qemu_op_domain_suspend,
    .domain_resume = qemu_op_domain_resume,
    .domain_save = qemu_op_domain_save,
    .domain_restore = qemu_op_domain_restore,
    .save_image_get_xml = qemu_op_save_image_get_xml,
    .domain_managed_save = qemu_op_managed_save,
    .domain_has_managed_save = qemu_op_has_managed_save,
    .domain_managed_save_remove = qemu_op_managed_save_remove,
    .domain_core_dump = qemu_op_core_dump,
    .domain_get_info = qemu_op_get_info,
    .domain_get_state = qemu_op_domain_get_state,
    .domain_get_xml = qemu_op_domain_get_xml,
    .domain_is_persistent = qemu_op_domain_is_persistent,
    .domain_get_autostart = qemu_op_domain_get_autostart,
    .domain_set_autostart = qemu_op_domain_set_autostart,
    .domain_set_memory = qemu_op_domain_set_memory,
    .domain_set_vcpus = qemu_op_domain_set_vcpus,
    .domain_pin = qemu_op_domain_pin,
    .domain_attach_device = qemu_op_attach_device,
    .domain_detach_device = qemu_op_detach_device,
    .domain_update_device = qemu_op_update_device,
    .get_all_domain_stats = qemu_op_get_all_domain_stats,
    .domain_open_console = qemu_op_open_console,
    .migrate_begin = qemu_op_migrate_begin,
    .migrate_prepare = qemu_op_migrate_prepare,
    .migrate_perform = qemu_op_migrate_perform,
    .migrate_finish = qemu_op_migrate_finish,
    .migrate_confirm = qemu_op_migrate_confirm,
};

static const char *const qemu_schemes[] = { "qemu", NULL };

VIRTKIT_PLUGIN_DEFINE(.name = "qemu", .version = PACKAGE_VERSION, .license = "LGPL-2.1-or-later",
                      .description = "QEMU/KVM virtual machines",
                      .kinds = VKP_KIND_HYPERVISOR, .schemes = qemu_schemes,
                      .init = qemu_init, .hypervisor = &qemu_hypervisor_ops)
