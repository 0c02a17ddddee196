/*
 * qemu_save.c: save, restore, managed save and guest memory dumps.
 *
 * Save: pause the guest, hand qemu the write end of a pipe (getfd) and
 * `migrate` to it while a thread compresses what comes out of the read end
 * into a save image (plugins/common/vkc_saveimg.c: header with the
 * definition and checksums, zlib stream). Only when the image is complete
 * is qemu stopped; any failure resumes the guest as it was.
 *
 * Restore: the image is checked completely first (a corrupt or truncated
 * one is refused before anything starts), then qemu starts with
 * `-incoming fd:N` on a pipe a thread inflates the image into, and the
 * guest continues (or stays paused) once qemu has loaded it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "qemu.h"
#include "vkc_file.h"
#include "vkc_saveimg.h"

/* ------------------------------------------------------ pump threads -- */

typedef struct pump {
    pthread_t thread;
    bool started;
    const char *path;
    const char *xml;
    uint32_t flags;
    int fd;
    volatile int cancel;
    int result;
    int err_code;
    char err_msg[512];
    bool restore;
} pump;

/* Errors are per thread: the pump keeps its own to hand over. */
static void *pump_main(void *arg)
{
    pump *p = arg;
    if (p->restore)
        p->result = vkc_saveimg_restore(p->path, p->fd, &p->cancel);
    else
        p->result = vkc_saveimg_write(p->path, p->xml, p->flags, p->fd, &p->cancel);
    p->err_code = p->result < 0 ? vkc_last_error(p->err_msg, sizeof(p->err_msg)) : 0;
    close(p->fd);
    return NULL;
}

static int pump_start(pump *p)
{
    int r = pthread_create(&p->thread, NULL, pump_main, p);
    if (r != 0) {
        vkc_error_system(r, "cannot start a thread for %s", p->path);
        close(p->fd);
        return -1;
    }
    p->started = true;
    return 0;
}

static int pump_join(pump *p, const char *what)
{
    if (!p->started)
        return -1;
    pthread_join(p->thread, NULL);
    p->started = false;
    if (p->result < 0) {
        if (p->err_code)
            QEMU_ERR(p->err_code, "%s", p->err_msg);
        else
            QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "%s %s failed", what, p->path);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- save -- */

/* Save d's state to path and stop it (async job held). */
static int save_locked(qemu_dom *d, const char *path, unsigned int flags)
{
    (void)flags;
    pthread_mutex_lock(&d->lock);
    bool active = d->proc && !d->proc->exited;
    bool was_running = d->state == VIRTKIT_DOMAIN_RUNNING;
    VK_AUTOFREE(char *) xml = active ? H->def->format(d->live, VKP_DEF_FORMAT_INACTIVE |
                                                                   VKP_DEF_FORMAT_SECURE)
                                     : NULL;
    pthread_mutex_unlock(&d->lock);
    if (!active) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running", d->name);
        return -1;
    }
    if (!xml)
        return -1;
    if (was_running && qemu_process_pause(d, VIRTKIT_PAUSED_SAVE, -1) < 0)
        return -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        vkc_error_system(errno, "domain '%s': cannot create a pipe", d->name);
        goto resume;
    }
    pump pm = { .path = path, .xml = xml, .fd = fds[0],
                .flags = was_running ? VKC_SAVEIMG_RUNNING : 0 };
    if (pump_start(&pm) < 0) {
        close(fds[1]);
        goto resume;
    }
    int r = qemu_mon_getfd(d->proc->mon, "vk-save", fds[1], d->drv->conf.monitor_timeout_ms);
    close(fds[1]);
    /* qemu's default bandwidth cap (32 MiB/s) is for live migration */
    if (r == 0 && qemu_dom_qmp(d, "migrate-set-parameters",
                               vkc_json_obj("max-bandwidth", VKC_JI(INT64_C(1) << 40), NULL),
                               NULL) < 0)
        vkc_error_reset();
    if (r == 0)
        r = qemu_dom_qmp(d, "migrate", vkc_json_obj("uri", VKC_JS("fd:vk-save"), NULL), NULL);
    if (r == 0)
        r = qemu_wait_migration(d, "save", VIRTKIT_ERR_OPERATION_FAILED);
    if (r < 0) {
        pm.cancel = 1;
        qemu_dom_qmp(d, "migrate_cancel", NULL, NULL);
        vkc_error_reset();
        pthread_join(pm.thread, NULL);
        unlink(path);
        goto resume;
    }
    if (pump_join(&pm, "writing save image") < 0)
        goto resume;
    return qemu_process_stop(d, VIRTKIT_SHUTOFF_SAVED, VIRTKIT_EVENT_STOPPED_SAVED, false);
resume:
    if (was_running && d->proc && !d->proc->exited) {
        if (qemu_dom_qmp(d, "cont", NULL, NULL) == 0) {
            pthread_mutex_lock(&d->lock);
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_SAVE_CANCELED, -1, 0);
            pthread_mutex_unlock(&d->lock);
        }
    }
    return -1;
}

typedef struct {
    const char *path;
    unsigned int flags;
} save_args;

static int do_save(qemu_dom *d, void *arg)
{
    save_args *a = arg;
    return save_locked(d, a->path, a->flags);
}

int qemu_op_domain_save(vkp_conn *c, const vkp_ref *ref, const char *path, unsigned int flags)
{
    save_args a = { path, flags };
    return qemu_with_job(c->drv, ref, QEMU_JOB_ASYNC, "save", do_save, &a);
}

static int do_managed_save(qemu_dom *d, void *arg)
{
    if (!d->persistent) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is transient: a managed save needs "
                 "a persistent domain to restore into", d->name);
        return -1;
    }
    VK_AUTOFREE(char *) path = qemu_managed_save_path(d);
    return save_locked(d, path, *(unsigned int *)arg);
}

int qemu_op_managed_save(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    return qemu_with_job(c->drv, ref, QEMU_JOB_ASYNC, "managed save", do_managed_save, &flags);
}

int qemu_op_has_managed_save(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    (void)flags;
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    VK_AUTOFREE(char *) path = qemu_managed_save_path(d);
    int r = vkc_file_exists(path);
    qemu_dom_unref(d);
    return r;
}

static int do_managed_save_remove(qemu_dom *d, void *arg)
{
    (void)arg;
    VK_AUTOFREE(char *) path = qemu_managed_save_path(d);
    return vkc_unlink(path);
}

int qemu_op_managed_save_remove(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    (void)flags;
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, "managed save remove",
                         do_managed_save_remove, NULL);
}

/* ----------------------------------------------------------- restore -- */

/* Start d from a checked image with definition `live` (taken; job held). */
static int restore_into(qemu_dom *d, vkp_def *live, const char *path, uint32_t img_flags,
                        unsigned int flags)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        vkc_error_system(errno, "domain '%s': cannot create a pipe", d->name);
        H->def->free(live);
        return -1;
    }
    pump pm = { .path = path, .fd = fds[1], .restore = true };
    if (pump_start(&pm) < 0) {
        close(fds[0]);
        H->def->free(live);
        return -1;
    }
    qemu_start_opts o = { .flags = flags, .started_detail = VIRTKIT_EVENT_STARTED_RESTORED,
                          .running_reason = VIRTKIT_RUNNING_RESTORED, .incoming_fd = fds[0],
                          .leave_paused = true };
    int r = qemu_process_start(d, live, &o);
    close(fds[0]);
    if (r < 0) {
        pm.cancel = 1;
        pthread_join(pm.thread, NULL);
        return -1;
    }
    r = qemu_wait_incoming(d);
    if (r == 0 && pump_join(&pm, "reading save image") < 0)
        r = -1;
    if (pm.started) {
        pm.cancel = 1;
        pthread_join(pm.thread, NULL);
    }
    if (r < 0) {
        qemu_process_stop(d, VIRTKIT_SHUTOFF_FAILED, VIRTKIT_EVENT_STOPPED_FAILED, false);
        return -1;
    }
    bool run = (flags & VIRTKIT_DOMAIN_SAVE_RUNNING) ||
               (!(flags & VIRTKIT_DOMAIN_SAVE_PAUSED) && (img_flags & VKC_SAVEIMG_RUNNING));
    if (run) {
        if (qemu_dom_qmp(d, "cont", NULL, NULL) < 0) {
            qemu_process_stop(d, VIRTKIT_SHUTOFF_FAILED, VIRTKIT_EVENT_STOPPED_FAILED, false);
            return -1;
        }
        pthread_mutex_lock(&d->lock);
        qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_RESTORED, -1, 0);
        pthread_mutex_unlock(&d->lock);
    } else {
        pthread_mutex_lock(&d->lock);
        qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER,
                           VIRTKIT_EVENT_SUSPENDED, VIRTKIT_EVENT_SUSPENDED_RESTORED);
        pthread_mutex_unlock(&d->lock);
    }
    qemu_process_write_status(d);
    return 0;
}

/* The definition to restore with: the image's, or a replacement that
 * keeps its name and uuid. */
static vkp_def *restore_def(const char *path, const vkc_saveimg_info *info, const char *xml)
{
    vkp_def *img = NULL;
    if (H->def->parse(VKP_DEF_DOMAIN, info->xml, 0, &img) < 0)
        return NULL;
    if (!xml)
        return img;
    vkp_def *repl = NULL;
    if (H->def->parse(VKP_DEF_DOMAIN, xml, 0, &repl) < 0) {
        H->def->free(img);
        return NULL;
    }
    bool same = vkc_streq(H->def->get(img, "name"), H->def->get(repl, "name")) &&
                vkc_streq(H->def->get(img, "uuid"), H->def->get(repl, "uuid"));
    if (!same) {
        QEMU_ERR(VIRTKIT_ERR_INVALID_ARG,
                 "the replacement definition must keep the name '%s' and uuid %s of save "
                 "image %s",
                 H->def->get(img, "name"), H->def->get(img, "uuid"), path);
        H->def->free(img);
        H->def->free(repl);
        return NULL;
    }
    H->def->free(img);
    return repl;
}

int qemu_op_domain_restore(vkp_conn *c, const char *path, const char *xml, unsigned int flags)
{
    qemu_driver *drv = c->drv;
    vkc_saveimg_info info;
    if (vkc_saveimg_check(path, &info) < 0)
        return -1;
    vkp_def *def = restore_def(path, &info, xml);
    uint32_t img_flags = info.flags;
    vkc_saveimg_info_clear(&info);
    if (!def)
        return -1;
    bool added;
    qemu_dom *d = qemu_dom_for_incoming(drv, def, &added);
    if (!d) {
        H->def->free(def);
        return -1;
    }
    int r = -1;
    if (qemu_job_begin(d, QEMU_JOB_ASYNC, "restore") == 0) {
        if (qemu_dom_active(d)) {
            QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is already running", d->name);
            H->def->free(def);
        } else {
            r = restore_into(d, def, path, img_flags, flags);
        }
        qemu_job_end(d);
    } else {
        H->def->free(def);
    }
    if (r < 0)
        qemu_dom_forget_unstarted(d, added);
    qemu_dom_unref(d);
    return r;
}

int qemu_restore_managed(qemu_dom *d, unsigned int flags)
{
    VK_AUTOFREE(char *) path = qemu_managed_save_path(d);
    vkc_saveimg_info info;
    if (vkc_saveimg_check(path, &info) < 0)
        return -1;
    vkp_def *def = NULL;
    int pr = H->def->parse(VKP_DEF_DOMAIN, info.xml, 0, &def);
    uint32_t img_flags = info.flags;
    vkc_saveimg_info_clear(&info);
    if (pr < 0)
        return -1;
    unsigned int rflags = flags & VIRTKIT_DOMAIN_START_PAUSED ? VIRTKIT_DOMAIN_SAVE_PAUSED : 0;
    if (restore_into(d, def, path, img_flags, rflags) < 0)
        return -1;
    /* A managed image is used once. */
    if (vkc_unlink(path) < 0)
        vkc_error_reset();
    return 0;
}

char *qemu_op_save_image_get_xml(vkp_conn *c, const char *path, unsigned int flags)
{
    (void)c;
    (void)flags;
    vkc_saveimg_info info;
    if (vkc_saveimg_read_header(path, &info) < 0)
        return NULL;
    char *xml = info.xml;
    info.xml = NULL;
    vkc_saveimg_info_clear(&info);
    return xml;
}

/* ------------------------------------------------------------- dump -- */

typedef struct {
    const char *path;
    unsigned int flags;
} dump_args;

static int do_dump(qemu_dom *d, void *arg)
{
    dump_args *a = arg;
    if (qemu_dom_check_active(d) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    bool running = d->state == VIRTKIT_DOMAIN_RUNNING;
    pthread_mutex_unlock(&d->lock);
    int fd = open(a->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        vkc_error_system(errno, "domain '%s': cannot create dump file %s", d->name, a->path);
        return -1;
    }
    bool paused = false;
    if (running && !(a->flags & VIRTKIT_DUMP_LIVE)) {
        if (qemu_process_pause(d, VIRTKIT_PAUSED_DUMP, -1) < 0) {
            close(fd);
            return -1;
        }
        paused = true;
    }
    int r = qemu_mon_getfd(d->proc->mon, "vk-dump", fd, d->drv->conf.monitor_timeout_ms);
    close(fd);
    /* Synchronous in qemu: give it time proportional to memory. */
    if (r == 0)
        r = qemu_dom_qmp_timeout(d, "dump-guest-memory",
                                 vkc_json_obj("paging", VKC_JB(0), "protocol",
                                              VKC_JS("fd:vk-dump"), NULL),
                                 600000, NULL);
    if (r < 0)
        unlink(a->path);
    if (a->flags & VIRTKIT_DUMP_CRASH) {
        if (r == 0)
            qemu_process_stop(d, VIRTKIT_SHUTOFF_CRASHED, VIRTKIT_EVENT_STOPPED_CRASHED, false);
    } else if (paused) {
        if (qemu_dom_qmp(d, "cont", NULL, NULL) == 0) {
            pthread_mutex_lock(&d->lock);
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_UNPAUSED, -1, 0);
            pthread_mutex_unlock(&d->lock);
        } else if (r == 0) {
            r = -1;
        }
    }
    return r;
}

int qemu_op_core_dump(vkp_conn *c, const vkp_ref *ref, const char *path, unsigned int flags)
{
    dump_args a = { path, flags };
    return qemu_with_job(c->drv, ref, QEMU_JOB_ASYNC, "dump", do_dump, &a);
}
