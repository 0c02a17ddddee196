/*
 * qemu_domain.c: domain objects of a driver: the list, lookups, the
 * per-domain job, state changes with their events, and persistent
 * definitions on disk.
 *
 * Domain lifecycle (state, reason -> what moves it):
 *
 *     defined (shutoff) --start--> running/booted <--resume-- paused/user
 *          ^    ^                    |  |   |  \--suspend------^
 *          |    |                    |  |   \--guest panic--> crashed/panicked
 *          |    |     guest power-off (SHUTDOWN) + on_poweroff=destroy
 *          |    +--- shutoff/shutdown <--------+  |
 *          |    +--- shutoff/destroyed <- destroy |
 *          |    +--- shutoff/crashed <- qemu died without SHUTDOWN
 *          |    +--- shutoff/saved <- save / managed save
 *          |    +--- shutoff/migrated <- migration confirmed
 *   a transient domain leaves the list instead of becoming shutoff.
 *
 * Files: <config>/<name>.xml is the persistent definition (written
 * atomically through the host), <config>/autostart/<name>.xml a symlink
 * to it, <state>/<name>.save the managed save image, <run>/<name>.json the
 * status of a running domain (qemu_process.c).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "qemu.h"
#include "vkc_file.h"

/* How long a state change waits for the domain's current job. */
#define JOB_WAIT_MS 30000

qemu_dom *qemu_dom_ref(qemu_dom *d)
{
    __atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
    return d;
}

void qemu_dom_unref(qemu_dom *d)
{
    if (!d || __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (d->def)
        H->def->free(d->def);
    if (d->live)
        H->def->free(d->live);
    free(d->name);
    free(d->deleted_alias);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d);
}

bool qemu_dom_active(const qemu_dom *d)
{
    return d->proc != NULL;
}

void qemu_dom_fill_ref(qemu_dom *d, vkp_ref *out)
{
    out->name = H->strdup(d->name);
    memcpy(out->uuid, d->uuid, 16);
    out->id = d->proc ? d->id : -1;
}

int qemu_def_identity(const vkp_def *def, char **name, unsigned char uuid[16])
{
    const char *n = H->def->get(def, "name");
    const char *u = H->def->get(def, "uuid");
    if (!n || !u) {
        QEMU_ERR(VIRTKIT_ERR_XML, "domain definition lacks a %s", n ? "uuid" : "name");
        return -1;
    }
    if (H->def->uuid_parse(u, uuid) < 0)
        return -1;
    *name = H->strdup(n);
    return 0;
}

/* ---------------------------------------------------------------- list -- */

qemu_dom *qemu_dom_find_name(qemu_driver *drv, const char *name)
{
    qemu_dom *r = NULL;
    pthread_mutex_lock(&drv->lock);
    for (size_t i = 0; i < drv->ndoms && !r; i++)
        if (vkc_streq(drv->doms[i]->name, name))
            r = qemu_dom_ref(drv->doms[i]);
    pthread_mutex_unlock(&drv->lock);
    return r;
}

qemu_dom *qemu_dom_find_uuid(qemu_driver *drv, const unsigned char *uuid)
{
    qemu_dom *r = NULL;
    pthread_mutex_lock(&drv->lock);
    for (size_t i = 0; i < drv->ndoms && !r; i++)
        if (memcmp(drv->doms[i]->uuid, uuid, 16) == 0)
            r = qemu_dom_ref(drv->doms[i]);
    pthread_mutex_unlock(&drv->lock);
    return r;
}

qemu_dom *qemu_dom_get(qemu_driver *drv, const vkp_ref *ref)
{
    static const unsigned char zero[16];
    qemu_dom *d = NULL;
    if (memcmp(ref->uuid, zero, 16) != 0)
        d = qemu_dom_find_uuid(drv, ref->uuid);
    else if (ref->name)
        d = qemu_dom_find_name(drv, ref->name);
    if (!d) {
        char u[VIRTKIT_UUID_STRING_BUFLEN];
        H->def->uuid_format(ref->uuid, u);
        QEMU_ERR(VIRTKIT_ERR_NO_DOMAIN, "no domain '%s' (uuid %s)",
                 ref->name ? ref->name : "?", u);
    }
    return d;
}

qemu_dom *qemu_dom_add(qemu_driver *drv, vkp_def *def, bool persistent)
{
    char *name = NULL;
    unsigned char uuid[16];
    if (qemu_def_identity(def, &name, uuid) < 0) {
        H->def->free(def);
        return NULL;
    }
    pthread_mutex_lock(&drv->lock);
    for (size_t i = 0; i < drv->ndoms; i++) {
        qemu_dom *o = drv->doms[i];
        bool same_name = vkc_streq(o->name, name);
        bool same_uuid = memcmp(o->uuid, uuid, 16) == 0;
        if (same_name || same_uuid) {
            char u[VIRTKIT_UUID_STRING_BUFLEN];
            H->def->uuid_format(o->uuid, u);
            QEMU_ERR(VIRTKIT_ERR_DUPLICATE,
                     same_name ? "domain '%s' already exists (uuid %s)"
                               : "uuid of domain '%s' is already used by domain '%s'",
                     same_name ? name : name, same_name ? u : o->name);
            pthread_mutex_unlock(&drv->lock);
            free(name);
            H->def->free(def);
            return NULL;
        }
    }
    qemu_dom *d = vkc_alloc(sizeof(*d));
    d->refs = 1; /* the list's */
    d->drv = drv;
    pthread_mutex_init(&d->lock, NULL);
    vkc_cond_init(&d->cond);
    d->name = name;
    memcpy(d->uuid, uuid, 16);
    d->id = -1;
    d->persistent = persistent;
    if (persistent)
        d->def = def;
    else
        d->live = def;
    d->state = VIRTKIT_DOMAIN_SHUTOFF;
    d->reason = VIRTKIT_SHUTOFF_UNKNOWN;
    VKC_GROW(drv->doms, drv->doms_cap, drv->ndoms);
    drv->doms[drv->ndoms++] = d;
    qemu_dom_ref(d); /* the caller's */
    pthread_mutex_unlock(&drv->lock);
    return d;
}

void qemu_dom_remove(qemu_driver *drv, qemu_dom *d)
{
    bool found = false;
    pthread_mutex_lock(&drv->lock);
    for (size_t i = 0; i < drv->ndoms; i++) {
        if (drv->doms[i] == d) {
            memmove(&drv->doms[i], &drv->doms[i + 1], (drv->ndoms - i - 1) * sizeof(*drv->doms));
            drv->ndoms--;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&drv->lock);
    if (found) {
        pthread_mutex_lock(&d->lock);
        d->removed = true;
        pthread_mutex_unlock(&d->lock);
        qemu_dom_unref(d);
    }
}

/* ----------------------------------------------------------------- jobs -- */

int qemu_job_begin(qemu_dom *d, qemu_job_kind kind, const char *name)
{
    struct timespec dl;
    vkc_deadline(&dl, JOB_WAIT_MS);
    pthread_mutex_lock(&d->lock);
    while (d->job != QEMU_JOB_NONE) {
        if (pthread_cond_timedwait(&d->cond, &d->lock, &dl) == ETIMEDOUT &&
            d->job != QEMU_JOB_NONE) {
            QEMU_ERR(VIRTKIT_ERR_AGAIN,
                     "domain '%s' is busy: job '%s' has held it for %lld s; try again later",
                     d->name, d->job_name, (long long)(vkc_now_ms() - d->job_started_ms) / 1000);
            pthread_mutex_unlock(&d->lock);
            return -1;
        }
    }
    if (d->removed) {
        pthread_mutex_unlock(&d->lock);
        QEMU_ERR(VIRTKIT_ERR_NO_DOMAIN, "domain '%s' no longer exists", d->name);
        return -1;
    }
    d->job = kind;
    d->job_name = name;
    d->job_started_ms = vkc_now_ms();
    pthread_mutex_unlock(&d->lock);
    return 0;
}

void qemu_job_end(qemu_dom *d)
{
    /* A qemu that exited while the job ran is cleaned up by the job's
     * owner, here, so teardown always runs under the job. */
    pthread_mutex_lock(&d->lock);
    bool dead = d->proc && d->proc->exited && !d->proc->torn_down;
    pthread_mutex_unlock(&d->lock);
    if (dead)
        qemu_process_teardown(d);
    pthread_mutex_lock(&d->lock);
    d->job = QEMU_JOB_NONE;
    d->job_name = NULL;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

int qemu_with_job(qemu_driver *drv, const vkp_ref *ref, qemu_job_kind kind, const char *name,
                  qemu_job_fn fn, void *arg)
{
    qemu_dom *d = qemu_dom_get(drv, ref);
    if (!d)
        return -1;
    int r = -1;
    if (qemu_job_begin(d, kind, name) == 0) {
        r = fn(d, arg);
        qemu_job_end(d);
    }
    qemu_dom_unref(d);
    return r;
}

int qemu_dom_check_active(qemu_dom *d)
{
    pthread_mutex_lock(&d->lock);
    bool active = d->proc && !d->proc->exited;
    pthread_mutex_unlock(&d->lock);
    if (!active) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running", d->name);
        return -1;
    }
    return 0;
}

int qemu_resolve_affect(qemu_dom *d, unsigned int *flags_io)
{
    unsigned int flags = *flags_io;
    if (!(flags & (VIRTKIT_DOMAIN_AFFECT_LIVE | VIRTKIT_DOMAIN_AFFECT_CONFIG)))
        flags |= qemu_dom_active(d) ? VIRTKIT_DOMAIN_AFFECT_LIVE : VIRTKIT_DOMAIN_AFFECT_CONFIG;
    *flags_io = flags;
    if ((flags & VIRTKIT_DOMAIN_AFFECT_LIVE) && !qemu_dom_active(d)) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running: cannot change it "
                 "live", d->name);
        return -1;
    }
    if ((flags & VIRTKIT_DOMAIN_AFFECT_CONFIG) && !d->persistent) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is transient: it has no persistent "
                 "definition to change", d->name);
        return -1;
    }
    return 0;
}

qemu_dom **qemu_dom_snapshot(qemu_driver *drv, size_t *n)
{
    pthread_mutex_lock(&drv->lock);
    qemu_dom **list = vkc_alloc((drv->ndoms + 1) * sizeof(*list));
    for (size_t i = 0; i < drv->ndoms; i++)
        list[i] = qemu_dom_ref(drv->doms[i]);
    *n = drv->ndoms;
    pthread_mutex_unlock(&drv->lock);
    return list;
}

void qemu_dom_snapshot_free(qemu_dom **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        qemu_dom_unref(list[i]);
    free(list);
}

void qemu_dom_expect_stop(qemu_dom *d, int reason, int detail)
{
    pthread_mutex_lock(&d->lock);
    d->stop_reason = reason;
    d->stop_event_detail = detail;
    pthread_mutex_unlock(&d->lock);
}

/* --------------------------------------------------------------- events -- */

void qemu_emit_lifecycle(qemu_dom *d, int event, int detail)
{
    qemu_driver *drv = d->drv;
    vkp_ref ref = { d->name, { 0 }, d->proc ? d->id : -1 };
    memcpy(ref.uuid, d->uuid, 16);
    pthread_mutex_lock(&drv->conns_lock);
    for (size_t i = 0; i < drv->nconns; i++)
        H->domain_event_lifecycle(drv->conns[i]->ctx, &ref, event, detail);
    pthread_mutex_unlock(&drv->conns_lock);
}

void qemu_emit_reboot(qemu_dom *d)
{
    qemu_driver *drv = d->drv;
    vkp_ref ref = { d->name, { 0 }, d->id };
    memcpy(ref.uuid, d->uuid, 16);
    pthread_mutex_lock(&drv->conns_lock);
    for (size_t i = 0; i < drv->nconns; i++)
        H->domain_event_reboot(drv->conns[i]->ctx, &ref);
    pthread_mutex_unlock(&drv->conns_lock);
}

void qemu_emit_io_error(qemu_dom *d, const char *path, const char *alias, int action,
                        const char *reason)
{
    qemu_driver *drv = d->drv;
    vkp_ref ref = { d->name, { 0 }, d->id };
    memcpy(ref.uuid, d->uuid, 16);
    pthread_mutex_lock(&drv->conns_lock);
    for (size_t i = 0; i < drv->nconns; i++)
        H->domain_event_io_error(drv->conns[i]->ctx, &ref, path, alias, action, reason);
    pthread_mutex_unlock(&drv->conns_lock);
}

void qemu_emit_device_removed(qemu_dom *d, const char *alias)
{
    qemu_driver *drv = d->drv;
    vkp_ref ref = { d->name, { 0 }, d->id };
    memcpy(ref.uuid, d->uuid, 16);
    pthread_mutex_lock(&drv->conns_lock);
    for (size_t i = 0; i < drv->nconns; i++)
        H->domain_event_device(drv->conns[i]->ctx, &ref, VIRTKIT_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                               alias);
    pthread_mutex_unlock(&drv->conns_lock);
}

void qemu_dom_set_state(qemu_dom *d, int state, int reason, int event, int detail)
{
    bool changed = d->state != state;
    d->state = state;
    d->reason = reason;
    pthread_cond_broadcast(&d->cond);
    if (changed && event >= 0)
        qemu_emit_lifecycle(d, event, detail);
}

int qemu_dom_reset(qemu_dom *d)
{
    pthread_mutex_lock(&d->lock);
    d->own_reset_ms = vkc_now_ms();
    pthread_mutex_unlock(&d->lock);
    return qemu_dom_qmp(d, "system_reset", NULL, NULL);
}

/* ------------------------------------------------------- worker threads -- */

typedef struct {
    qemu_dom *d;
    void (*fn)(qemu_dom *d, void *arg);
    void *arg;
} async_call;

static void *async_main(void *p)
{
    async_call *c = p;
    qemu_driver *drv = c->d->drv;
    c->fn(c->d, c->arg);
    qemu_dom_unref(c->d);
    free(c);
    pthread_mutex_lock(&drv->workers_lock);
    drv->workers--;
    pthread_cond_broadcast(&drv->workers_cond);
    pthread_mutex_unlock(&drv->workers_lock);
    return NULL;
}

int qemu_dom_async(qemu_dom *d, void (*fn)(qemu_dom *d, void *arg), void *arg)
{
    async_call *c = vkc_alloc(sizeof(*c));
    c->d = qemu_dom_ref(d);
    c->fn = fn;
    c->arg = arg;
    qemu_driver *drv = d->drv;
    pthread_mutex_lock(&drv->workers_lock);
    drv->workers++;
    pthread_mutex_unlock(&drv->workers_lock);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&t, &attr, async_main, c);
    pthread_attr_destroy(&attr);
    if (r != 0) {
        pthread_mutex_lock(&drv->workers_lock);
        drv->workers--;
        pthread_mutex_unlock(&drv->workers_lock);
        qemu_dom_unref(c->d);
        free(c);
        vkc_error_system(r, "domain '%s': cannot start a worker thread", d->name);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ on disk -- */

static char *config_path(qemu_driver *drv, const char *name)
{
    return vkc_asprintf("%s/%s.xml", drv->config_dir, name);
}

/* The reason a persistent domain last stopped, kept across instances (a
 * CLI call after `shutdown` should not say "unknown"). */
static char *reason_path(qemu_driver *drv, const char *name)
{
    return vkc_asprintf("%s/%s.shutoff", drv->state_dir, name);
}

void qemu_dom_keep_shutoff_reason(qemu_dom *d, int reason)
{
    VK_AUTOFREE(char *) path = reason_path(d->drv, d->name);
    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%d\n", reason);
    if (vkc_file_write_replace(path, buf, (size_t)n, 0600) < 0)
        vkc_error_reset();
}

static int load_shutoff_reason(qemu_driver *drv, const char *name)
{
    VK_AUTOFREE(char *) path = reason_path(drv, name);
    VK_AUTOFREE(char *) text = vkc_file_read(path, 64, NULL);
    int r = VIRTKIT_SHUTOFF_UNKNOWN;
    if (!text) {
        vkc_error_reset();
        return r;
    }
    text[strcspn(text, "\n")] = 0;
    if (vkc_parse_int(text, &r) < 0 || r < 0 || r > VIRTKIT_SHUTOFF_FROM_SNAPSHOT)
        r = VIRTKIT_SHUTOFF_UNKNOWN;
    return r;
}

char *qemu_managed_save_path(qemu_dom *d)
{
    return vkc_asprintf("%s/%s.save", d->drv->state_dir, d->name);
}

int qemu_dom_save_config(qemu_dom *d)
{
    VK_AUTOFREE(char *) path = config_path(d->drv, d->name);
    VK_AUTOFREE(char *) xml = H->def->format(d->def, VKP_DEF_FORMAT_INACTIVE |
                                                         VKP_DEF_FORMAT_SECURE);
    if (!xml)
        return -1;
    return H->write_file_atomic(path, xml, strlen(xml));
}

int qemu_dom_delete_config(qemu_dom *d)
{
    VK_AUTOFREE(char *) path = config_path(d->drv, d->name);
    VK_AUTOFREE(char *) reason = reason_path(d->drv, d->name);
    if (qemu_dom_set_autostart_link(d, false) < 0)
        return -1;
    vkc_unlink(reason);
    vkc_error_reset();
    return vkc_unlink(path);
}

int qemu_dom_set_autostart_link(qemu_dom *d, bool on)
{
    VK_AUTOFREE(char *) dir = vkc_asprintf("%s/autostart", d->drv->config_dir);
    VK_AUTOFREE(char *) link = vkc_asprintf("%s/%s.xml", dir, d->name);
    VK_AUTOFREE(char *) target = config_path(d->drv, d->name);
    if (!on)
        return vkc_unlink(link);
    if (vkc_mkdir_p(dir, 0700) < 0)
        return -1;
    unlink(link);
    if (symlink(target, link) < 0) {
        vkc_error_system(errno, "domain '%s': cannot create autostart link %s", d->name, link);
        return -1;
    }
    return 0;
}

int qemu_def_check(qemu_driver *drv, const vkp_def *def)
{
    const char *name = H->def->get(def, "name");
    const char *type = H->def->get(def, "@type");
    if (!vkc_streq(type, "qemu") && !vkc_streq(type, "kvm")) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                 "domain '%s': type '%s' is not served by the qemu plugin (qemu, kvm)",
                 name ? name : "?", type ? type : "");
        return -1;
    }
    /* Build the command line once with stand-in host resources, so that
     * what qemu cannot do is refused now rather than at start. */
    const char *arch = qemu_def_str(def, "os/type/@arch");
    const char *emulator = qemu_def_str(def, "devices/emulator");
    VK_AUTOFREE(char *) found = NULL;
    if (!emulator) {
        found = qemu_find_emulator(drv, arch ? arch : H->node->arch());
        if (!found)
            return -1;
        emulator = found;
    }
    const qemu_caps *caps = qemu_caps_get(drv, emulator);
    if (!caps)
        return -1;
    size_t nnets = qemu_def_count(def, "devices/interface");
    qemu_net_res *nets = vkc_alloc((nnets + 1) * sizeof(*nets));
    for (size_t i = 0; i < nnets; i++)
        nets[i].tap_fd = 100 + (int)i;
    qemu_cmd_ctx cc = { .caps = caps, .conf = &drv->conf,
                        .use_kvm = qemu_kvm_choice(drv, type) == 1,
                        .monitor_fd = 3, .now = (long long)time(NULL), .nets = nets,
                        .nnets = nnets };
    qemu_cmd cmd;
    int r = qemu_command_build(def, &cc, &cmd);
    free(nets);
    if (r == 0)
        qemu_cmd_clear(&cmd);
    return r;
}

qemu_dom *qemu_dom_for_incoming(qemu_driver *drv, const vkp_def *def, bool *added)
{
    *added = false;
    char *name = NULL;
    unsigned char uuid[16];
    if (qemu_def_check(drv, def) < 0 || qemu_def_identity(def, &name, uuid) < 0)
        return NULL;
    free(name);
    qemu_dom *d = qemu_dom_find_uuid(drv, uuid);
    if (d)
        return d;
    d = qemu_dom_add(drv, H->def->copy(def), false);
    *added = d != NULL;
    return d;
}

void qemu_dom_forget_unstarted(qemu_dom *d, bool added)
{
    pthread_mutex_lock(&d->lock);
    bool gone = added && !d->proc && !d->removed;
    pthread_mutex_unlock(&d->lock);
    if (gone)
        qemu_dom_remove(d->drv, d);
}

int qemu_dom_load_all(qemu_driver *drv)
{
    DIR *dir = opendir(drv->config_dir);
    if (!dir)
        return 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!vkc_str_has_suffix(e->d_name, ".xml"))
            continue;
        VK_AUTOFREE(char *) path = vkc_asprintf("%s/%s", drv->config_dir, e->d_name);
        size_t len;
        VK_AUTOFREE(char *) xml = vkc_file_read(path, 16 << 20, &len);
        vkp_def *def = NULL;
        if (!xml || H->def->parse(VKP_DEF_DOMAIN, xml, 0, &def) < 0) {
            /* One bad file must not hide the other domains. */
            VKC_WARN("ignoring definition %s: cannot be loaded", path);
            vkc_error_reset();
            continue;
        }
        qemu_dom *d = qemu_dom_add(drv, def, true);
        if (!d) {
            VKC_WARN("ignoring definition %s: duplicate name or uuid", path);
            vkc_error_reset();
            continue;
        }
        VK_AUTOFREE(char *) link = vkc_asprintf("%s/autostart/%s", drv->config_dir, e->d_name);
        d->autostart = vkc_file_exists(link);
        VK_AUTOFREE(char *) ms = qemu_managed_save_path(d);
        d->reason = vkc_file_exists(ms) ? VIRTKIT_SHUTOFF_SAVED
                                        : load_shutoff_reason(drv, d->name);
        qemu_dom_unref(d);
    }
    closedir(dir);
    return 0;
}
