/*
 * qemu_events.c: QMP events of a domain -> state changes, virtkit events
 * and the lifecycle actions (on_poweroff, on_reboot, on_crash).
 *
 * Runs in the watcher thread, so nothing here waits for qemu: an action
 * that needs QMP commands (reset + cont for a restart) runs on a worker
 * thread under the domain's job. Pause and resume that a job caused are
 * reported by the job itself (it knows the reason); the handlers here
 * report those the guest or qemu caused on their own.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>

#include "qemu.h"

typedef void (*event_fn)(qemu_dom *d, json_object *data);

/* --------------------------------------------------- lifecycle actions -- */

/* on_poweroff / on_reboot / on_crash value, "destroy" when absent. */
static const char *action_for(qemu_dom *d, const char *element)
{
    const char *v = d->live ? qemu_def_str(d->live, element) : NULL;
    if (v)
        return v;
    return vkc_streq(element, "on_reboot") ? "restart" : "destroy";
}

/* Worker: reset the guest and let it run again (restart actions and our
 * ACPI reboot). */
static void restart_worker(qemu_dom *d, void *arg)
{
    bool was_reboot = arg != NULL;
    if (qemu_job_begin(d, QEMU_JOB_MODIFY, "restart") < 0) {
        VKC_WARN("domain '%s': cannot restart the guest: job busy", d->name);
        vkc_error_reset();
        pthread_mutex_lock(&d->lock);
        d->restart_pending = false;
        pthread_mutex_unlock(&d->lock);
        return;
    }
    int r = qemu_dom_reset(d);
    if (r == 0)
        r = qemu_dom_qmp(d, "cont", NULL, NULL);
    pthread_mutex_lock(&d->lock);
    d->restart_pending = false;
    pthread_mutex_unlock(&d->lock);
    if (r < 0) {
        VKC_WARN("domain '%s': restart failed", d->name);
        vkc_error_reset();
    } else {
        pthread_mutex_lock(&d->lock);
        d->got_shutdown = false;
        qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED, -1, 0);
        pthread_mutex_unlock(&d->lock);
        if (was_reboot)
            qemu_emit_reboot(d);
        qemu_process_write_status(d);
    }
    qemu_job_end(d);
}

/* Worker: pause the guest where it stands (action 'preserve' on a reboot,
 * which qemu has already begun). */
static void preserve_worker(qemu_dom *d, void *arg)
{
    (void)arg;
    if (qemu_job_begin(d, QEMU_JOB_MODIFY, "preserve") < 0) {
        VKC_WARN("domain '%s': cannot pause the rebooting guest: job busy", d->name);
        vkc_error_reset();
        return;
    }
    if (qemu_process_pause(d, VIRTKIT_PAUSED_SHUTTING_DOWN, VIRTKIT_EVENT_SUSPENDED_PAUSED) < 0) {
        VKC_WARN("domain '%s': cannot pause the rebooting guest", d->name);
        vkc_error_reset();
    }
    qemu_job_end(d);
}

/* Ask qemu to end; the exit is then handled as a shutdown/crash. */
static void terminate(qemu_dom *d, int reason, int detail)
{
    qemu_proc *p = d->proc;
    if (!p || p->exited)
        return;
    d->stop_reason = reason;
    d->stop_event_detail = detail;
    p->quit_requested = true;
    kill(p->pid, SIGTERM);
}

/* Apply an action (d->lock held). */
static void apply_action(qemu_dom *d, const char *action, int stop_reason, int stop_detail,
                         bool reboot)
{
    if (vkc_streq(action, "restart")) {
        if (d->restart_pending)
            return;
        d->restart_pending = true;
        if (qemu_dom_async(d, restart_worker, reboot ? (void *)1 : NULL) < 0) {
            d->restart_pending = false;
            vkc_error_reset();
        }
    } else if (vkc_streq(action, "preserve")) {
        /* stays as qemu left it (paused) for inspection */
    } else {
        terminate(d, stop_reason, stop_detail);
    }
}

/* --------------------------------------------------------------- events -- */

static void ev_shutdown(qemu_dom *d, json_object *data)
{
    bool guest = vkc_json_bool(data, "guest", 0);
    pthread_mutex_lock(&d->lock);
    d->got_shutdown = true;
    if ((d->proc && d->proc->quit_requested) || d->restart_pending) {
        pthread_mutex_unlock(&d->lock);
        return; /* our own SIGTERM or restart: reported by whoever caused it */
    }
    qemu_emit_lifecycle(d, VIRTKIT_EVENT_SHUTDOWN,
                        guest ? VIRTKIT_EVENT_SHUTDOWN_GUEST : VIRTKIT_EVENT_SHUTDOWN_HOST);
    if (d->fake_reboot) {
        /* our reboot op: the guest powered off on ACPI, start it again */
        d->fake_reboot = false;
        apply_action(d, "restart", 0, 0, true);
    } else {
        qemu_dom_set_state(d, VIRTKIT_DOMAIN_SHUTDOWN, VIRTKIT_SHUTDOWN_USER, -1, 0);
        apply_action(d, action_for(d, "on_poweroff"), VIRTKIT_SHUTOFF_SHUTDOWN,
                     VIRTKIT_EVENT_STOPPED_SHUTDOWN, false);
    }
    pthread_mutex_unlock(&d->lock);
}

static void ev_stop(qemu_dom *d, json_object *data)
{
    (void)data;
    pthread_mutex_lock(&d->lock);
    /* A job that paused the guest reports it with its own reason. */
    if (d->job == QEMU_JOB_NONE && d->state == VIRTKIT_DOMAIN_RUNNING && !d->got_shutdown) {
        int reason = d->pause_reason ? d->pause_reason : VIRTKIT_PAUSED_UNKNOWN;
        int detail = reason == VIRTKIT_PAUSED_IOERROR ? VIRTKIT_EVENT_SUSPENDED_IOERROR
                                                      : VIRTKIT_EVENT_SUSPENDED_PAUSED;
        qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, reason, VIRTKIT_EVENT_SUSPENDED, detail);
        d->pause_reason = 0;
    }
    pthread_mutex_unlock(&d->lock);
}

static void ev_resume(qemu_dom *d, json_object *data)
{
    (void)data;
    pthread_mutex_lock(&d->lock);
    if (d->job == QEMU_JOB_NONE && d->state != VIRTKIT_DOMAIN_RUNNING)
        qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_UNPAUSED,
                           VIRTKIT_EVENT_RESUMED, VIRTKIT_EVENT_RESUMED_UNPAUSED);
    pthread_mutex_unlock(&d->lock);
}

/* How long after our own reset a guest reset is the firmware's (SeaBIOS
 * resets once more when it finds POST already ran), not a reboot. */
#define OWN_RESET_GRACE_MS 3000

static void ev_reset(qemu_dom *d, json_object *data)
{
    bool guest = vkc_json_bool(data, "guest", 0);
    pthread_mutex_lock(&d->lock);
    bool ours = !guest || vkc_now_ms() - d->own_reset_ms < OWN_RESET_GRACE_MS;
    if (!ours) {
        /* the guest rebooted: on_reboot decides */
        const char *action = action_for(d, "on_reboot");
        if (vkc_streq(action, "preserve")) {
            if (qemu_dom_async(d, preserve_worker, NULL) < 0)
                vkc_error_reset();
        } else if (!vkc_streq(action, "restart")) {
            apply_action(d, action, VIRTKIT_SHUTOFF_SHUTDOWN, VIRTKIT_EVENT_STOPPED_SHUTDOWN,
                         false);
        }
    }
    pthread_mutex_unlock(&d->lock);
    if (!ours)
        qemu_emit_reboot(d);
}

static void ev_panicked(qemu_dom *d, json_object *data)
{
    (void)data;
    pthread_mutex_lock(&d->lock);
    qemu_dom_set_state(d, VIRTKIT_DOMAIN_CRASHED, VIRTKIT_CRASHED_PANICKED,
                       VIRTKIT_EVENT_CRASHED, VIRTKIT_EVENT_CRASHED_PANICKED);
    apply_action(d, action_for(d, "on_crash"), VIRTKIT_SHUTOFF_CRASHED,
                 VIRTKIT_EVENT_STOPPED_CRASHED, false);
    pthread_mutex_unlock(&d->lock);
}

static void ev_io_error(qemu_dom *d, json_object *data)
{
    static const struct {
        const char *name;
        int action;
    } actions[] = { { "ignore", 0 }, { "stop", 1 }, { "report", 2 } };
    const char *action = vkc_json_str(data, "action");
    const char *dev = vkc_json_str(data, "device");
    const char *node = vkc_json_str(data, "node-name");
    const char *reason = vkc_json_str(data, "reason");
    int a = 0;
    for (size_t i = 0; i < VKC_ARRAY_LEN(actions); i++)
        if (vkc_streq(action, actions[i].name))
            a = actions[i].action;
    /* the guest stops next: its STOP carries this reason */
    pthread_mutex_lock(&d->lock);
    if (a == 1)
        d->pause_reason = VIRTKIT_PAUSED_IOERROR;
    pthread_mutex_unlock(&d->lock);
    /* Our node names are "vk-<alias>-fmt": give the alias. */
    char alias[64] = "";
    if (node && sscanf(node, "vk-%63[^ ]", alias) == 1) {
        char *suffix = strstr(alias, "-fmt");
        if (!suffix)
            suffix = strstr(alias, "-file");
        if (suffix)
            *suffix = 0;
    }
    qemu_emit_io_error(d, dev && *dev ? dev : node, alias[0] ? alias : dev, a,
                       reason ? reason : "");
}

static void ev_device_deleted(qemu_dom *d, json_object *data)
{
    const char *dev = vkc_json_str(data, "device");
    if (!dev)
        return; /* a backend without an id */
    pthread_mutex_lock(&d->lock);
    free(d->deleted_alias);
    d->deleted_alias = vkc_strdup(dev);
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    qemu_emit_device_removed(d, dev);
}

static void ev_powerdown(qemu_dom *d, json_object *data)
{
    (void)data;
    /* The ACPI power button was pressed (our shutdown/reboot); what the
     * guest makes of it arrives as SHUTDOWN, or not at all. */
    VKC_INFO("domain '%s': power button pressed", d->name);
}

static void ev_balloon(qemu_dom *d, json_object *data)
{
    int64_t actual = 0;
    if (!vkc_json_i64(data, "actual", &actual))
        return;
    pthread_mutex_lock(&d->lock);
    d->balloon_kib = (unsigned long long)actual / 1024;
    pthread_mutex_unlock(&d->lock);
}

/* QMP event name -> handler. Events not listed are only logged. */
static const struct {
    const char *name;
    event_fn fn;
} handlers[] = {
    { "SHUTDOWN", ev_shutdown },
    { "STOP", ev_stop },
    { "RESUME", ev_resume },
    { "RESET", ev_reset },
    { "GUEST_PANICKED", ev_panicked },
    { "BLOCK_IO_ERROR", ev_io_error },
    { "DEVICE_DELETED", ev_device_deleted },
    { "POWERDOWN", ev_powerdown },
    { "BALLOON_CHANGE", ev_balloon },
};

static void on_event(qemu_mon *m, const char *name, json_object *data, void *opaque)
{
    (void)m;
    qemu_dom *d = opaque;
    for (size_t i = 0; i < VKC_ARRAY_LEN(handlers); i++) {
        if (vkc_streq(handlers[i].name, name)) {
            VKC_DEBUG("domain '%s': QMP event %s %s", d->name, name,
                      data ? json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN) : "");
            handlers[i].fn(d, data);
            return;
        }
    }
    VKC_DEBUG("domain '%s': QMP event %s (not handled)", d->name, name);
}

static void on_eof(qemu_mon *m, void *opaque)
{
    (void)m;
    qemu_dom *d = opaque;
    VKC_DEBUG("domain '%s': QMP connection closed", d->name);
}

const qemu_mon_cbs qemu_dom_mon_cbs = {
    .event = on_event,
    .eof = on_eof,
};
