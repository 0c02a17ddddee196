/*
 * qemu_ops.c: the domain operations of the hypervisor table: listing,
 * lookup, define/undefine, start and the lifecycle requests, properties.
 *
 * Each state-changing op takes the domain's job; queries only take the
 * domain's lock and answer from the cached state (saying so when a job is
 * running), so they never wait behind a stuck qemu.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "qemu.h"
#include "vkc_file.h"
#include "vkc_proc.h"

/* Parse a domain definition from the API (flags: VALIDATE or not). */
static vkp_def *parse_domain(const char *xml, bool validate)
{
    vkp_def *def = NULL;
    if (H->def->parse(VKP_DEF_DOMAIN, xml, validate ? VKP_DEF_PARSE_VALIDATE : 0, &def) < 0)
        return NULL;
    return def;
}

/* ---------------------------------------------------------- listing -- */

int qemu_op_num_of_domains(vkp_conn *c)
{
    qemu_driver *drv = c->drv;
    int n = 0;
    pthread_mutex_lock(&drv->lock);
    for (size_t i = 0; i < drv->ndoms; i++)
        n += drv->doms[i]->proc != NULL;
    pthread_mutex_unlock(&drv->lock);
    return n;
}

int qemu_op_num_of_defined_domains(vkp_conn *c)
{
    qemu_driver *drv = c->drv;
    int n = 0;
    pthread_mutex_lock(&drv->lock);
    for (size_t i = 0; i < drv->ndoms; i++)
        n += drv->doms[i]->proc == NULL && drv->doms[i]->persistent;
    pthread_mutex_unlock(&drv->lock);
    return n;
}

/* Does d pass the virtkit_list_domains_flags filter? (d->lock held) */
static bool list_match(qemu_dom *d, unsigned int f)
{
    bool active = d->proc != NULL;
    int ab = f & (VIRTKIT_LIST_DOMAINS_ACTIVE | VIRTKIT_LIST_DOMAINS_INACTIVE);
    if (ab && !((f & VIRTKIT_LIST_DOMAINS_ACTIVE && active) ||
                (f & VIRTKIT_LIST_DOMAINS_INACTIVE && !active)))
        return false;
    int pt = f & (VIRTKIT_LIST_DOMAINS_PERSISTENT | VIRTKIT_LIST_DOMAINS_TRANSIENT);
    if (pt && !((f & VIRTKIT_LIST_DOMAINS_PERSISTENT && d->persistent) ||
                (f & VIRTKIT_LIST_DOMAINS_TRANSIENT && !d->persistent)))
        return false;
    unsigned int sf = f & (VIRTKIT_LIST_DOMAINS_RUNNING | VIRTKIT_LIST_DOMAINS_PAUSED |
                           VIRTKIT_LIST_DOMAINS_SHUTOFF | VIRTKIT_LIST_DOMAINS_OTHER);
    if (sf) {
        bool ok = (f & VIRTKIT_LIST_DOMAINS_RUNNING && d->state == VIRTKIT_DOMAIN_RUNNING) ||
                  (f & VIRTKIT_LIST_DOMAINS_PAUSED && d->state == VIRTKIT_DOMAIN_PAUSED) ||
                  (f & VIRTKIT_LIST_DOMAINS_SHUTOFF && d->state == VIRTKIT_DOMAIN_SHUTOFF) ||
                  (f & VIRTKIT_LIST_DOMAINS_OTHER && d->state != VIRTKIT_DOMAIN_RUNNING &&
                   d->state != VIRTKIT_DOMAIN_PAUSED && d->state != VIRTKIT_DOMAIN_SHUTOFF);
        if (!ok)
            return false;
    }
    int ms = f & (VIRTKIT_LIST_DOMAINS_MANAGEDSAVE | VIRTKIT_LIST_DOMAINS_NO_MANAGEDSAVE);
    if (ms) {
        VK_AUTOFREE(char *) path = qemu_managed_save_path(d);
        bool has = vkc_file_exists(path);
        if (!((f & VIRTKIT_LIST_DOMAINS_MANAGEDSAVE && has) ||
              (f & VIRTKIT_LIST_DOMAINS_NO_MANAGEDSAVE && !has)))
            return false;
    }
    int as = f & (VIRTKIT_LIST_DOMAINS_AUTOSTART | VIRTKIT_LIST_DOMAINS_NO_AUTOSTART);
    if (as && !((f & VIRTKIT_LIST_DOMAINS_AUTOSTART && d->autostart) ||
                (f & VIRTKIT_LIST_DOMAINS_NO_AUTOSTART && !d->autostart)))
        return false;
    return true;
}

int qemu_op_list_all_domains(vkp_conn *c, vkp_ref **refs, unsigned int flags)
{
    qemu_driver *drv = c->drv;
    pthread_mutex_lock(&drv->lock);
    vkp_ref *out = H->alloc((drv->ndoms + 1) * sizeof(*out));
    int n = 0;
    for (size_t i = 0; i < drv->ndoms; i++) {
        qemu_dom *d = drv->doms[i];
        pthread_mutex_lock(&d->lock);
        if (list_match(d, flags))
            qemu_dom_fill_ref(d, &out[n++]);
        pthread_mutex_unlock(&d->lock);
    }
    pthread_mutex_unlock(&drv->lock);
    *refs = out;
    return n;
}

int qemu_op_lookup_domain(vkp_conn *c, const char *name, const unsigned char *uuid, int id,
                          vkp_ref *out)
{
    qemu_driver *drv = c->drv;
    qemu_dom *d = NULL;
    if (name) {
        d = qemu_dom_find_name(drv, name);
    } else if (uuid) {
        d = qemu_dom_find_uuid(drv, uuid);
    } else {
        pthread_mutex_lock(&drv->lock);
        for (size_t i = 0; i < drv->ndoms && !d; i++)
            if (drv->doms[i]->proc && drv->doms[i]->id == id)
                d = qemu_dom_ref(drv->doms[i]);
        pthread_mutex_unlock(&drv->lock);
    }
    if (!d) {
        char u[VIRTKIT_UUID_STRING_BUFLEN] = "";
        if (uuid)
            H->def->uuid_format(uuid, u);
        if (name)
            QEMU_ERR(VIRTKIT_ERR_NO_DOMAIN, "no domain named '%s'", name);
        else if (uuid)
            QEMU_ERR(VIRTKIT_ERR_NO_DOMAIN, "no domain with uuid %s", u);
        else
            QEMU_ERR(VIRTKIT_ERR_NO_DOMAIN, "no running domain with id %d", id);
        return -1;
    }
    pthread_mutex_lock(&d->lock);
    qemu_dom_fill_ref(d, out);
    pthread_mutex_unlock(&d->lock);
    qemu_dom_unref(d);
    return 0;
}

/* ----------------------------------------------------- define/undefine -- */

int qemu_op_domain_define(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    qemu_driver *drv = c->drv;
    vkp_def *def = parse_domain(xml, flags & VIRTKIT_DOMAIN_DEFINE_VALIDATE);
    if (!def)
        return -1;
    char *name = NULL;
    unsigned char uuid[16];
    if (qemu_def_check(drv, def) < 0 || qemu_def_identity(def, &name, uuid) < 0) {
        H->def->free(def);
        return -1;
    }
    VK_AUTOFREE(char *) nm = name;
    qemu_dom *by_uuid = qemu_dom_find_uuid(drv, uuid);
    qemu_dom *by_name = qemu_dom_find_name(drv, nm);
    if (by_name && by_name != by_uuid) {
        char u[VIRTKIT_UUID_STRING_BUFLEN];
        H->def->uuid_format(by_name->uuid, u);
        QEMU_ERR(VIRTKIT_ERR_DUPLICATE, "domain '%s' already exists with uuid %s", nm, u);
        goto fail;
    }
    if (by_uuid && !by_name) {
        QEMU_ERR(VIRTKIT_ERR_DUPLICATE,
                 "domain '%s' has the uuid of domain '%s' (renaming is not supported)", nm,
                 by_uuid->name);
        goto fail;
    }
    if (by_uuid) {
        qemu_dom *d = by_uuid;
        pthread_mutex_lock(&d->lock);
        vkp_def *old = d->def;
        bool was_persistent = d->persistent;
        d->def = def;
        d->persistent = true;
        pthread_mutex_unlock(&d->lock);
        def = NULL;
        if (qemu_dom_save_config(d) < 0) {
            pthread_mutex_lock(&d->lock);
            def = d->def;
            d->def = old;
            d->persistent = was_persistent;
            pthread_mutex_unlock(&d->lock);
            goto fail;
        }
        if (old)
            H->def->free(old);
        pthread_mutex_lock(&d->lock);
        qemu_emit_lifecycle(d, VIRTKIT_EVENT_DEFINED,
                            was_persistent ? VIRTKIT_EVENT_DEFINED_UPDATED
                                           : VIRTKIT_EVENT_DEFINED_ADDED);
        qemu_dom_fill_ref(d, out);
        pthread_mutex_unlock(&d->lock);
        qemu_dom_unref(by_uuid);
        qemu_dom_unref(by_name);
        return 0;
    }
    qemu_dom *d = qemu_dom_add(drv, def, true);
    def = NULL;
    if (!d)
        goto fail;
    if (qemu_dom_save_config(d) < 0) {
        qemu_dom_remove(drv, d);
        qemu_dom_unref(d);
        goto fail;
    }
    pthread_mutex_lock(&d->lock);
    qemu_emit_lifecycle(d, VIRTKIT_EVENT_DEFINED, VIRTKIT_EVENT_DEFINED_ADDED);
    qemu_dom_fill_ref(d, out);
    pthread_mutex_unlock(&d->lock);
    qemu_dom_unref(d);
    return 0;
fail:
    if (def)
        H->def->free(def);
    if (by_uuid)
        qemu_dom_unref(by_uuid);
    if (by_name)
        qemu_dom_unref(by_name);
    return -1;
}

static int do_undefine(qemu_dom *d, void *arg)
{
    unsigned int flags = *(unsigned int *)arg;
    if (!d->persistent) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is transient: nothing to undefine",
                 d->name);
        return -1;
    }
    VK_AUTOFREE(char *) ms = qemu_managed_save_path(d);
    if (vkc_file_exists(ms)) {
        if (!(flags & VIRTKIT_DOMAIN_UNDEFINE_MANAGED_SAVE)) {
            QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID,
                     "domain '%s' has a managed save image; remove it first or undefine with "
                     "the managed-save flag", d->name);
            return -1;
        }
        if (vkc_unlink(ms) < 0)
            return -1;
    }
    if (qemu_dom_delete_config(d) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    bool active = d->proc != NULL;
    d->persistent = false;
    d->autostart = false;
    if (d->def) {
        H->def->free(d->def);
        d->def = NULL;
    }
    qemu_emit_lifecycle(d, VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
    pthread_mutex_unlock(&d->lock);
    if (!active)
        qemu_dom_remove(d->drv, d);
    return 0;
}

int qemu_op_domain_undefine(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "undefine", do_undefine, &flags);
}

/* ------------------------------------------------------------- start -- */

static int start_defined(vkp_conn *c, qemu_dom *d, unsigned int flags)
{
    VK_AUTOFREE(char *) ms = qemu_managed_save_path(d);
    if (vkc_file_exists(ms)) {
        if (!(flags & VIRTKIT_DOMAIN_START_FORCE_BOOT))
            return qemu_restore_managed(d, flags);
        if (vkc_unlink(ms) < 0)
            return -1;
    }
    qemu_start_opts o = { .flags = flags, .started_detail = VIRTKIT_EVENT_STARTED_BOOTED,
                          .running_reason = VIRTKIT_RUNNING_BOOTED, .incoming_fd = -1 };
    pthread_mutex_lock(&d->lock);
    vkp_def *live = H->def->copy(d->def);
    pthread_mutex_unlock(&d->lock);
    if (qemu_process_start(d, live, &o) < 0)
        return -1;
    if (flags & VIRTKIT_DOMAIN_START_AUTODESTROY) {
        pthread_mutex_lock(&d->lock);
        d->autodestroy = c;
        pthread_mutex_unlock(&d->lock);
    }
    return 0;
}

typedef struct {
    vkp_conn *c;
    unsigned int flags;
    vkp_ref *out;
} create_args;

static int do_create(qemu_dom *d, void *arg)
{
    create_args *a = arg;
    if (qemu_dom_active(d)) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is already running", d->name);
        return -1;
    }
    if (start_defined(a->c, d, a->flags) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    qemu_dom_fill_ref(d, a->out);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

int qemu_op_domain_create(vkp_conn *c, const vkp_ref *ref, unsigned int flags, vkp_ref *out)
{
    create_args a = { c, flags, out };
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "start", do_create, &a);
}

int qemu_op_domain_create_xml(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    qemu_driver *drv = c->drv;
    vkp_def *def = parse_domain(xml, flags & VIRTKIT_DOMAIN_START_VALIDATE);
    if (!def)
        return -1;
    if (qemu_def_check(drv, def) < 0) {
        H->def->free(def);
        return -1;
    }
    qemu_dom *d = qemu_dom_add(drv, def, false);
    if (!d)
        return -1;
    int r = -1;
    if (qemu_job_begin(d, QEMU_JOB_MODIFY, "start") == 0) {
        pthread_mutex_lock(&d->lock);
        vkp_def *live = d->live;
        d->live = NULL;
        pthread_mutex_unlock(&d->lock);
        qemu_start_opts o = { .flags = flags, .started_detail = VIRTKIT_EVENT_STARTED_BOOTED,
                              .running_reason = VIRTKIT_RUNNING_BOOTED, .incoming_fd = -1 };
        r = qemu_process_start(d, live, &o);
        if (r == 0 && (flags & VIRTKIT_DOMAIN_START_AUTODESTROY)) {
            pthread_mutex_lock(&d->lock);
            d->autodestroy = c;
            pthread_mutex_unlock(&d->lock);
        }
        if (r == 0) {
            pthread_mutex_lock(&d->lock);
            qemu_dom_fill_ref(d, out);
            pthread_mutex_unlock(&d->lock);
        }
        qemu_job_end(d);
    }
    /* A transient domain that did not start does not exist. */
    if (r < 0)
        qemu_dom_forget_unstarted(d, true);
    qemu_dom_unref(d);
    return r;
}

/* -------------------------------------------------- lifecycle requests -- */

/* ACPI power button: our only channel to the guest (no agent yet). */
static int acpi_request(qemu_dom *d, unsigned int flags, const char *what)
{
    if ((flags & VIRTKIT_DOMAIN_SHUTDOWN_AGENT) && !(flags & VIRTKIT_DOMAIN_SHUTDOWN_ACPI)) {
        QEMU_ERR(VIRTKIT_ERR_NO_SUPPORT, "domain '%s': %s through a guest agent is not "
                 "supported by the qemu plugin; use ACPI", d->name, what);
        return -1;
    }
    if (flags & VIRTKIT_DOMAIN_SHUTDOWN_SIGNAL) {
        QEMU_ERR(VIRTKIT_ERR_NO_SUPPORT, "domain '%s': %s by signal is for containers; use ACPI",
                 d->name, what);
        return -1;
    }
    if (qemu_dom_check_active(d) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    bool acpi = d->live && qemu_def_has(d->live, "features/acpi");
    pthread_mutex_unlock(&d->lock);
    if (!acpi) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID,
                 "domain '%s' has no ACPI (<features><acpi/>), so %s cannot be requested", d->name,
                 what);
        return -1;
    }
    return 0;
}

static int do_shutdown(qemu_dom *d, void *arg)
{
    if (acpi_request(d, *(unsigned int *)arg, "shutdown") < 0)
        return -1;
    return qemu_dom_qmp(d, "system_powerdown", NULL, NULL);
}

int qemu_op_domain_shutdown(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    if (qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "shutdown", do_shutdown, &flags) < 0)
        return -1;
    if (!(flags & VIRTKIT_DOMAIN_SHUTDOWN_WAIT))
        return 0;
    /* Wait without the job: destroy must stay possible meanwhile. */
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return 0; /* a transient domain that is gone: shut down */
    int timeout = c->drv->conf.shutdown_timeout_s;
    struct timespec dl;
    vkc_deadline(&dl, timeout * 1000);
    pthread_mutex_lock(&d->lock);
    while (d->proc && !d->removed)
        if (pthread_cond_timedwait(&d->cond, &d->lock, &dl) == ETIMEDOUT)
            break;
    bool still = d->proc && !d->removed;
    pthread_mutex_unlock(&d->lock);
    if (still)
        QEMU_ERR(VIRTKIT_ERR_GUEST, "domain '%s': guest ignored shutdown (still running after "
                 "%d s)", d->name, timeout);
    qemu_dom_unref(d);
    return still ? -1 : 0;
}

/* Our reboot: the guest powers off on ACPI; the SHUTDOWN handler then
 * resets and continues it instead of applying on_poweroff. */
static int do_reboot(qemu_dom *d, void *arg)
{
    if (acpi_request(d, *(unsigned int *)arg, "reboot") < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    d->fake_reboot = true;
    pthread_mutex_unlock(&d->lock);
    if (qemu_dom_qmp(d, "system_powerdown", NULL, NULL) == 0)
        return 0;
    pthread_mutex_lock(&d->lock);
    d->fake_reboot = false;
    pthread_mutex_unlock(&d->lock);
    return -1;
}

int qemu_op_domain_reboot(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "reboot", do_reboot, &flags);
}

static int do_reset(qemu_dom *d, void *arg)
{
    (void)arg;
    if (qemu_dom_check_active(d) < 0)
        return -1;
    return qemu_dom_reset(d);
}

int qemu_op_domain_reset(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    (void)flags;
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "reset", do_reset, NULL);
}

int qemu_op_domain_destroy(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    bool graceful = flags & VIRTKIT_DOMAIN_DESTROY_GRACEFUL;
    int timeout = c->drv->conf.destroy_timeout_ms;
    pthread_mutex_lock(&d->lock);
    qemu_proc *p = d->proc;
    if (!p) {
        pthread_mutex_unlock(&d->lock);
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running", d->name);
        qemu_dom_unref(d);
        return -1;
    }
    /* Kill first, take the job after: a job stuck on an unresponsive qemu
     * ends as soon as qemu is gone, so destroy never waits behind it. */
    d->stop_reason = VIRTKIT_SHUTOFF_DESTROYED;
    d->stop_event_detail = VIRTKIT_EVENT_STOPPED_DESTROYED;
    p->quit_requested = true;
    pid_t pid = p->pid;
    bool exited = p->exited;
    VK_AUTOCLOSE pidfd = p->pidfd >= 0 ? dup(p->pidfd) : -1;
    pthread_mutex_unlock(&d->lock);
    if (!exited && pidfd >= 0) {
        kill(pid, SIGTERM);
        if (!vkc_pidfd_wait(pidfd, timeout)) {
            if (graceful) {
                qemu_dom_expect_stop(d, 0, 0);
                QEMU_ERR(VIRTKIT_ERR_OPERATION_TIMEOUT,
                         "domain '%s': qemu (pid %d) did not exit within %d ms of SIGTERM",
                         d->name, (int)pid, timeout);
                qemu_dom_unref(d);
                return -1;
            }
            VKC_WARN("domain '%s': qemu (pid %d) ignored SIGTERM, killing it", d->name,
                     (int)pid);
            kill(pid, SIGKILL);
            vkc_pidfd_wait(pidfd, 10000);
        }
    }
    int r = -1;
    if (qemu_job_begin(d, QEMU_JOB_MODIFY, "destroy") == 0) {
        r = qemu_process_stop(d, VIRTKIT_SHUTOFF_DESTROYED, VIRTKIT_EVENT_STOPPED_DESTROYED,
                              graceful);
        qemu_job_end(d);
    } else if (H->error_code() == VIRTKIT_ERR_NO_DOMAIN) {
        r = 0; /* a transient domain, torn down by the job it was stuck in */
        vkc_error_reset();
    }
    qemu_dom_unref(d);
    return r;
}

static int do_suspend(qemu_dom *d, void *arg)
{
    (void)arg;
    if (qemu_dom_check_active(d) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    bool paused = d->state == VIRTKIT_DOMAIN_PAUSED;
    pthread_mutex_unlock(&d->lock);
    return paused ? 0 : qemu_process_pause(d, VIRTKIT_PAUSED_USER, VIRTKIT_EVENT_SUSPENDED_PAUSED);
}

int qemu_op_domain_suspend(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    (void)flags;
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "suspend", do_suspend, NULL);
}

static int do_resume(qemu_dom *d, void *arg)
{
    (void)arg;
    if (qemu_dom_check_active(d) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    int state = d->state;
    pthread_mutex_unlock(&d->lock);
    if (state == VIRTKIT_DOMAIN_RUNNING)
        return 0;
    if (state == VIRTKIT_DOMAIN_CRASHED || state == VIRTKIT_DOMAIN_SHUTDOWN) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID,
                 "domain '%s' is %s; reset or destroy it instead of resuming", d->name,
                 state == VIRTKIT_DOMAIN_CRASHED ? "crashed" : "shut down");
        return -1;
    }
    return qemu_process_resume(d, VIRTKIT_RUNNING_UNPAUSED, VIRTKIT_EVENT_RESUMED_UNPAUSED);
}

int qemu_op_domain_resume(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    (void)flags;
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "resume", do_resume, NULL);
}

/* ------------------------------------------------------- properties -- */

int qemu_op_domain_get_state(vkp_conn *c, const vkp_ref *ref, int *state, int *reason,
                             int *cached, unsigned int flags)
{
    (void)flags;
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    *state = d->state;
    *reason = d->reason;
    *cached = d->job != QEMU_JOB_NONE;
    pthread_mutex_unlock(&d->lock);
    qemu_dom_unref(d);
    return 0;
}

char *qemu_op_domain_get_xml(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return NULL;
    unsigned int ff = 0;
    if (flags & VIRTKIT_DOMAIN_XML_SECURE)
        ff |= VKP_DEF_FORMAT_SECURE;
    if (flags & (VIRTKIT_DOMAIN_XML_INACTIVE | VIRTKIT_DOMAIN_XML_MIGRATABLE))
        ff |= VKP_DEF_FORMAT_INACTIVE;
    if (flags & VIRTKIT_DOMAIN_XML_AS_WRITTEN)
        ff |= VKP_DEF_FORMAT_AS_WRITTEN;
    pthread_mutex_lock(&d->lock);
    const vkp_def *def = (flags & VIRTKIT_DOMAIN_XML_INACTIVE) && d->def ? d->def
                         : d->live                                      ? d->live
                                                                        : d->def;
    char *xml = def ? H->def->format(def, ff) : NULL;
    pthread_mutex_unlock(&d->lock);
    if (!def)
        QEMU_ERR(VIRTKIT_ERR_INTERNAL, "domain '%s' has no definition", d->name);
    qemu_dom_unref(d);
    return xml;
}

int qemu_op_domain_is_persistent(vkp_conn *c, const vkp_ref *ref)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    int r = d->persistent;
    pthread_mutex_unlock(&d->lock);
    qemu_dom_unref(d);
    return r;
}

int qemu_op_domain_get_autostart(vkp_conn *c, const vkp_ref *ref, int *autostart)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    *autostart = d->autostart;
    pthread_mutex_unlock(&d->lock);
    qemu_dom_unref(d);
    return 0;
}

static int do_set_autostart(qemu_dom *d, void *arg)
{
    int on = *(int *)arg;
    if (!d->persistent) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID,
                 "domain '%s' is transient and cannot start automatically", d->name);
        return -1;
    }
    if (qemu_dom_set_autostart_link(d, on) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    d->autostart = on;
    pthread_mutex_unlock(&d->lock);
    return 0;
}

int qemu_op_domain_set_autostart(vkp_conn *c, const vkp_ref *ref, int autostart)
{
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "autostart", do_set_autostart,
                         &autostart);
}

typedef struct {
    unsigned long long value;
    unsigned int flags;
} set_args;

static int do_set_memory(qemu_dom *d, void *arg)
{
    set_args *a = arg;
    unsigned long long kib = a->value;
    unsigned int flags = a->flags;
    if (qemu_resolve_affect(d, &flags) < 0)
        return -1;
    char val[32];
    snprintf(val, sizeof(val), "%llu", kib);
    if (flags & VIRTKIT_DOMAIN_AFFECT_LIVE) {
        uint64_t max = 0;
        pthread_mutex_lock(&d->lock);
        qemu_def_u64(d->live, "memory", &max);
        bool balloon = !vkc_streq(qemu_def_str(d->live, "devices/memballoon/@model"), "none");
        pthread_mutex_unlock(&d->lock);
        if (kib > max) {
            QEMU_ERR(VIRTKIT_ERR_INVALID_ARG, "domain '%s': %llu KiB exceeds its memory of "
                     "%llu KiB", d->name, kib, (unsigned long long)max);
            return -1;
        }
        if (!balloon) {
            QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' has no memory balloon "
                     "(memballoon model='none'): its memory cannot change live", d->name);
            return -1;
        }
        if (qemu_dom_qmp(d, "balloon", vkc_json_obj("value", VKC_JI(kib * 1024), NULL), NULL) <
            0)
            return -1;
        pthread_mutex_lock(&d->lock);
        if (H->def->set(d->live, "currentMemory", val) < 0 ||
            H->def->set(d->live, "currentMemory/@unit", "KiB") < 0)
            vkc_error_reset();
        d->balloon_kib = kib;
        pthread_mutex_unlock(&d->lock);
        qemu_process_write_status(d);
    }
    if (flags & VIRTKIT_DOMAIN_AFFECT_CONFIG) {
        uint64_t max = 0;
        pthread_mutex_lock(&d->lock);
        qemu_def_u64(d->def, "memory", &max);
        int sr = kib <= max ? H->def->set(d->def, "currentMemory", val) : 0;
        if (sr == 0 && kib <= max)
            sr = H->def->set(d->def, "currentMemory/@unit", "KiB");
        pthread_mutex_unlock(&d->lock);
        if (kib > max) {
            QEMU_ERR(VIRTKIT_ERR_INVALID_ARG, "domain '%s': %llu KiB exceeds its memory of "
                     "%llu KiB", d->name, kib, (unsigned long long)max);
            return -1;
        }
        if (sr < 0 || qemu_dom_save_config(d) < 0)
            return -1;
    }
    return 0;
}

int qemu_op_domain_set_memory(vkp_conn *c, const vkp_ref *ref, unsigned long long kib,
                              unsigned int flags)
{
    set_args a = { kib, flags };
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "set memory", do_set_memory, &a);
}

static int do_set_vcpus(qemu_dom *d, void *arg)
{
    set_args *a = arg;
    unsigned int flags = a->flags;
    if (qemu_resolve_affect(d, &flags) < 0)
        return -1;
    if (flags & VIRTKIT_DOMAIN_AFFECT_LIVE) {
        QEMU_ERR(VIRTKIT_ERR_NO_SUPPORT, "domain '%s': changing the vcpus of a running domain "
                 "is not supported by the qemu plugin; change the configuration and restart",
                 d->name);
        return -1;
    }
    char val[24];
    snprintf(val, sizeof(val), "%llu", a->value);
    pthread_mutex_lock(&d->lock);
    int sr = H->def->set(d->def, "vcpu", val);
    if (sr == 0 && qemu_def_str(d->def, "vcpu/@current"))
        sr = H->def->set(d->def, "vcpu/@current", NULL);
    pthread_mutex_unlock(&d->lock);
    if (sr < 0)
        return -1;
    return qemu_dom_save_config(d);
}

int qemu_op_domain_set_vcpus(vkp_conn *c, const vkp_ref *ref, unsigned int n, unsigned int flags)
{
    set_args a = { n, flags };
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "set vcpus", do_set_vcpus, &a);
}
