/*
 * qemu_process.c: running qemu for a domain: start, stop, teardown, the
 * status file, and reconnecting to domains a previous instance started.
 *
 * Start: choose the emulator, prepare host resources (tap devices, the
 * QMP listening socket, ownership of writable images, files chardevs
 * write), build the command line, spawn qemu paused (-S) as the configured
 * user in its own cgroup with its stdout/stderr in <logdir>/<name>.log,
 * write the status file as soon as the pid is known, connect QMP, learn
 * pty paths, then `cont` (unless asked to stay paused). Any failure undoes
 * all of it and reports why, with the end of qemu's log when qemu failed.
 *
 * Stop: SIGTERM, SIGKILL after destroy_timeout_ms, reap at once (waitpid on
 * that pid; we never rely on PID 1), then teardown releases everything in
 * the reverse order. A qemu that exits by itself is seen by the watcher
 * thread through its pidfd and torn down there (or by the job owner when a
 * job runs). What the exit means (shutdown, crash, save ...) comes from
 * what we asked for and from QMP's SHUTDOWN event.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "qemu.h"
#include "vkc_file.h"
#include "vkc_proc.h"

#define STATUS_VERSION 1

/* ------------------------------------------------------------ helpers -- */

char *qemu_log_tail(const char *path, size_t max)
{
    VK_AUTOCLOSE fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    /* a window wide enough to hold our last header and command line */
    size_t win = max < 65536 ? 65536 : max;
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > (off_t)win ? size - (off_t)win : 0;
    char *buf = vkc_alloc(win + 1);
    ssize_t n = pread(fd, buf, win, from);
    if (n <= 0) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    char *start = buf;
    if (from > 0) {
        char *nl = strchr(buf, '\n');
        if (nl)
            start = nl + 1;
    }
    /* Only what qemu itself wrote after our last header line. */
    char *hdr = NULL;
    for (char *p = strstr(start, "virtkit: starting"); p; p = strstr(p + 1, "virtkit: starting"))
        hdr = p;
    if (hdr) {
        /* the header line, then the command line: one argument per line,
         * each but the last ending in " \\" */
        char *nl = strchr(hdr, '\n');
        start = nl ? nl + 1 : hdr + strlen(hdr);
        bool more = true;
        while (more && *start) {
            nl = strchr(start, '\n');
            char *eol = nl ? nl : start + strlen(start);
            more = eol > start && eol[-1] == '\\';
            start = nl ? nl + 1 : eol;
        }
    }
    size_t l = strlen(start);
    while (l && (start[l - 1] == '\n' || start[l - 1] == ' '))
        start[--l] = 0;
    if (l > max)
        start += l - max;
    for (char *p = start; *p; p++)
        if (*p == '\n')
            *p = ';';
    char *r = vkc_strdup(start);
    free(buf);
    return r;
}

static void log_line(qemu_proc *p, const char *fmt, ...) VKC_PRINTF(2, 3);
static void log_line(qemu_proc *p, const char *fmt, ...)
{
    if (!p->log_path)
        return;
    int fd = open(p->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) msg = vkc_vasprintf(fmt, ap);
    va_end(ap);
    char ts[64];
    time_t now = time(NULL);
    struct tm tm;
    strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    VK_AUTOFREE(char *) line = vkc_asprintf("%s virtkit: %s\n", ts, msg);
    vkc_write_all(fd, line, strlen(line));
    close(fd);
}

/* Whether pid is a live process other than us. */
static bool other_alive(pid_t pid)
{
    return pid > 0 && pid != getpid() && kill(pid, 0) == 0 && vkc_proc_state(pid) != 'Z';
}

#define ATTACH_TIMEOUT_MS 5000

/* Connect to the QMP socket of a running qemu we did not start (or whose
 * monitor another process held). Never kills: a qemu we cannot talk to
 * is someone else's to manage. */
static qemu_mon *attach_monitor(qemu_dom *d)
{
    pthread_mutex_lock(&d->lock);
    qemu_proc *p = d->proc;
    qemu_mon *m = p ? p->mon : NULL;
    pid_t owner = p ? p->owner : 0;
    VK_AUTOFREE(char *) path = p ? vkc_strdup(p->monitor_path) : NULL;
    int pidfd = p ? p->pidfd : -1;
    pthread_mutex_unlock(&d->lock);
    if (m || !p)
        return m;
    if (other_alive(owner)) {
        QEMU_ERR(VIRTKIT_ERR_AGAIN, "domain '%s' is managed by process %d (another virtkit "
                 "instance on this root holds its monitor); try again once it has closed",
                 d->name, (int)owner);
        return NULL;
    }
    int fd = vkc_unix_connect(path);
    m = fd >= 0 ? qemu_mon_open(d->drv->watcher, fd, d->name, &qemu_dom_mon_cbs, d, pidfd,
                                ATTACH_TIMEOUT_MS)
                : NULL;
    if (!m)
        return NULL;
    pthread_mutex_lock(&d->lock);
    if (d->proc == p && !p->mon) {
        p->mon = m;
        p->owner = 0;
        m = NULL;
    }
    qemu_mon *use = p->mon;
    pthread_mutex_unlock(&d->lock);
    qemu_mon_close(m); /* another thread attached first */
    qemu_process_write_status(d);
    return use;
}

int qemu_dom_qmp_timeout(qemu_dom *d, const char *cmd, json_object *args, int timeout_ms,
                         json_object **ret)
{
    pthread_mutex_lock(&d->lock);
    bool active = d->proc && !d->proc->exited;
    qemu_mon *m = active ? d->proc->mon : NULL;
    pthread_mutex_unlock(&d->lock);
    if (!active) {
        if (args)
            json_object_put(args);
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running", d->name);
        return -1;
    }
    if (!m && !(m = attach_monitor(d))) {
        if (args)
            json_object_put(args);
        return -1;
    }
    /* The monitor is only freed by teardown, which needs the job (held by
     * our callers) or waits for us inside qemu_mon_close. */
    return qemu_mon_cmd(m, cmd, args, timeout_ms, ret);
}

int qemu_dom_qmp(qemu_dom *d, const char *cmd, json_object *args, json_object **ret)
{
    return qemu_dom_qmp_timeout(d, cmd, args, d->drv->conf.monitor_timeout_ms, ret);
}

/* ------------------------------------------------------------ ownership -- */

/* Give qemu's user a writable file, remembering the old owner. */
static int chown_for_qemu(qemu_dom *d, qemu_proc *p, const char *path)
{
    qemu_conf *c = &d->drv->conf;
    if (c->run_as_root || !c->dynamic_ownership)
        return 0;
    struct stat st;
    if (stat(path, &st) < 0)
        return 0; /* qemu reports it, with the path */
    if (st.st_uid == c->uid && st.st_gid == c->gid)
        return 0;
    if (chown(path, c->uid, c->gid) < 0) {
        vkc_error_system(errno, "domain '%s': cannot give %s to user %s", d->name, path, c->user);
        return -1;
    }
    vkc_strv_addf(&p->chowned, "%u:%u:%s", (unsigned)st.st_uid, (unsigned)st.st_gid, path);
    return 0;
}

static void restore_owners(qemu_proc *p)
{
    for (size_t i = 0; i < p->chowned.n; i++) {
        unsigned uid, gid;
        int off = 0;
        if (sscanf(p->chowned.v[i], "%u:%u:%n", &uid, &gid, &off) < 2 || !off)
            continue;
        if (chown(p->chowned.v[i] + off, uid, gid) < 0)
            VKC_WARN("cannot give %s back to %u:%u: %s", p->chowned.v[i] + off, uid, gid,
                     strerror(errno));
    }
    vkc_strv_clear(&p->chowned);
}

/* ------------------------------------------------------------- status -- */

static json_object *strv_json(const vkc_strv *sv)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < sv->n; i++)
        json_object_array_add(a, VKC_JS(sv->v[i]));
    return a;
}

int qemu_process_write_status(qemu_dom *d)
{
    pthread_mutex_lock(&d->lock);
    qemu_proc *p = d->proc;
    /* Only the instance holding qemu's monitor keeps its status file. */
    if (!p || !d->live || !p->mon) {
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    VK_AUTOFREE(char *) xml = H->def->format(d->live, VKP_DEF_FORMAT_STATUS |
                                                          VKP_DEF_FORMAT_SECURE);
    char uuid[VIRTKIT_UUID_STRING_BUFLEN];
    H->def->uuid_format(d->uuid, uuid);
    VKC_AUTOJSON o = vkc_json_obj(
        "version", VKC_JI(STATUS_VERSION), "owner", VKC_JI(getpid()), "name", VKC_JS(d->name),
        "uuid", VKC_JS(uuid), "id",
        VKC_JI(d->id), "pid", VKC_JI(p->pid), "starttime", VKC_JI(p->starttime), "monitor",
        VKC_JS(p->monitor_path), "log", VKC_JS(p->log_path), "state", VKC_JI(d->state), "reason",
        VKC_JI(d->reason), "persistent", VKC_JB(d->persistent), "kvm", VKC_JB(p->use_kvm),
        "cgroup", p->cgroup_name ? VKC_JS(p->cgroup_name) : NULL, "taps", strv_json(&p->taps),
        "chowned", strv_json(&p->chowned), "hotplug-slots", strv_json(&p->hotplug_slots), "xml", xml ? VKC_JS(xml) : NULL, NULL);
    VK_AUTOFREE(char *) path = vkc_strdup(p->status_path);
    pthread_mutex_unlock(&d->lock);
    if (!xml)
        return -1;
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE);
    return vkc_file_write_replace(path, text, strlen(text), 0600);
}

/* ----------------------------------------------------------- teardown -- */

static int stopped_detail_for(int reason)
{
    static const struct {
        int reason, detail;
    } map[] = {
        { VIRTKIT_SHUTOFF_SHUTDOWN, VIRTKIT_EVENT_STOPPED_SHUTDOWN },
        { VIRTKIT_SHUTOFF_DESTROYED, VIRTKIT_EVENT_STOPPED_DESTROYED },
        { VIRTKIT_SHUTOFF_CRASHED, VIRTKIT_EVENT_STOPPED_CRASHED },
        { VIRTKIT_SHUTOFF_MIGRATED, VIRTKIT_EVENT_STOPPED_MIGRATED },
        { VIRTKIT_SHUTOFF_SAVED, VIRTKIT_EVENT_STOPPED_SAVED },
        { VIRTKIT_SHUTOFF_FAILED, VIRTKIT_EVENT_STOPPED_FAILED },
    };
    for (size_t i = 0; i < VKC_ARRAY_LEN(map); i++)
        if (map[i].reason == reason)
            return map[i].detail;
    return VIRTKIT_EVENT_STOPPED_FAILED;
}

/* Reap (once) a qemu that is gone; d->lock held. */
static void mark_exited(qemu_proc *p)
{
    if (!p->exited) {
        p->exited = true;
        p->exit_status = -1;
    }
    if (p->is_child) {
        int st;
        pid_t r;
        while ((r = waitpid(p->pid, &st, 0)) < 0 && errno == EINTR)
            ;
        if (r == p->pid)
            p->exit_status = st;
        p->is_child = false;
    }
}

/* Host resources of a proc, in reverse order of their making. */
static void release_resources(qemu_driver *drv, qemu_proc *p)
{
    if (p->mon) {
        qemu_mon_close(p->mon);
        p->mon = NULL;
    }
    if (p->pid_watch > 0) {
        qemu_watch_remove(drv->watcher, p->pid_watch);
        p->pid_watch = 0;
    }
    if (p->pidfd >= 0) {
        close(p->pidfd);
        p->pidfd = -1;
    }
    if (p->status_path)
        unlink(p->status_path);
    if (p->monitor_path)
        unlink(p->monitor_path);
    restore_owners(p);
    for (size_t i = 0; i < p->taps.n; i++)
        qemu_net_release(p->taps.v[i]);
    if (p->cgroup) {
        if (vkc_cgroup_remove(p->cgroup) < 0) {
            VKC_WARN("%s", "a cgroup could not be removed");
            vkc_error_reset();
        }
        vkc_cgroup_free(p->cgroup);
        p->cgroup = NULL;
    }
}

void qemu_proc_free(qemu_proc *p)
{
    if (!p)
        return;
    if (p->pidfd >= 0)
        close(p->pidfd);
    vkc_cgroup_free(p->cgroup);
    free(p->monitor_path);
    free(p->status_path);
    free(p->log_path);
    free(p->cgroup_name);
    vkc_strv_clear(&p->taps);
    vkc_strv_clear(&p->chowned);
    vkc_strv_clear(&p->hotplug_slots);
    free(p);
}

void qemu_process_teardown(qemu_dom *d)
{
    pthread_mutex_lock(&d->lock);
    qemu_proc *p = d->proc;
    if (!p || p->torn_down) {
        pthread_mutex_unlock(&d->lock);
        return;
    }
    p->torn_down = true;
    mark_exited(p);
    pthread_mutex_unlock(&d->lock);

    release_resources(d->drv, p);

    pthread_mutex_lock(&d->lock);
    int reason = d->stop_reason;
    int detail = d->stop_reason ? d->stop_event_detail : -2;
    if (!reason) {
        reason = d->got_shutdown ? VIRTKIT_SHUTOFF_SHUTDOWN : VIRTKIT_SHUTOFF_CRASHED;
        detail = stopped_detail_for(reason);
    } else if (detail == -2) {
        detail = stopped_detail_for(reason);
    }
    if (reason == VIRTKIT_SHUTOFF_CRASHED)
        log_line(p, "qemu (pid %d) ended unexpectedly: %s", (int)p->pid,
                 p->exit_status >= 0 ? vkc_wait_status_str(p->exit_status) : "not our child");
    else
        log_line(p, "qemu (pid %d) stopped", (int)p->pid);
    d->proc = NULL;
    bool transient = !d->persistent;
    if (!transient)
        qemu_dom_keep_shutoff_reason(d, reason);
    if (!transient && d->live) {
        H->def->free(d->live);
        d->live = NULL;
    }
    qemu_dom_set_state(d, VIRTKIT_DOMAIN_SHUTOFF, reason, detail >= 0 ? VIRTKIT_EVENT_STOPPED : -1,
                       detail);
    d->id = -1;
    d->stop_reason = 0;
    d->stop_event_detail = 0;
    d->got_shutdown = false;
    d->fake_reboot = false;
    d->pause_reason = 0;
    d->autodestroy = NULL;
    pthread_mutex_unlock(&d->lock);
    qemu_proc_free(p);
    if (transient)
        qemu_dom_remove(d->drv, d);
    /* the pid watch's reference */
    qemu_dom_unref(d);
}

/* Watcher thread: qemu's pidfd is readable, the process is gone. */
static void on_pid_exit(int fd, short revents, void *opaque)
{
    qemu_dom *d = opaque;
    (void)fd;
    (void)revents;
    pthread_mutex_lock(&d->lock);
    qemu_proc *p = d->proc;
    if (!p || p->torn_down) {
        pthread_mutex_unlock(&d->lock);
        return;
    }
    qemu_watch_remove(d->drv->watcher, p->pid_watch);
    p->pid_watch = 0;
    mark_exited(p);
    bool take = d->job == QEMU_JOB_NONE;
    if (take) {
        d->job = QEMU_JOB_MODIFY;
        d->job_name = "qemu exited";
        d->job_started_ms = vkc_now_ms();
    }
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    /* Otherwise the job's owner tears down in qemu_job_end. */
    if (take) {
        qemu_dom_ref(d);
        qemu_job_end(d);
        qemu_dom_unref(d);
    }
}

int qemu_process_stop(qemu_dom *d, int reason, int detail, bool graceful)
{
    pthread_mutex_lock(&d->lock);
    qemu_proc *p = d->proc;
    if (!p) {
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    d->stop_reason = reason;
    d->stop_event_detail = detail < 0 ? -1 : detail;
    p->quit_requested = true;
    pid_t pid = p->pid;
    int pidfd = p->pidfd >= 0 ? dup(p->pidfd) : -1;
    bool exited = p->exited;
    pthread_mutex_unlock(&d->lock);
    if (!exited) {
        kill(pid, SIGTERM);
        int gone = pidfd >= 0 ? vkc_pidfd_wait(pidfd, d->drv->conf.destroy_timeout_ms) : 1;
        if (!gone) {
            if (graceful) {
                close(pidfd);
                pthread_mutex_lock(&d->lock);
                d->stop_reason = 0;
                pthread_mutex_unlock(&d->lock);
                QEMU_ERR(VIRTKIT_ERR_OPERATION_TIMEOUT,
                         "domain '%s': qemu (pid %d) did not exit within %d ms of SIGTERM",
                         d->name, (int)pid, d->drv->conf.destroy_timeout_ms);
                return -1;
            }
            VKC_WARN("domain '%s': qemu (pid %d) ignored SIGTERM, killing it", d->name, (int)pid);
            kill(pid, SIGKILL);
            vkc_pidfd_wait(pidfd, 10000);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    qemu_process_teardown(d);
    return 0;
}

/* -------------------------------------------------------------- start -- */

/* What the child must reach as qemu's user: checked before exec. */
typedef struct {
    vkc_access *v;
    size_t n, cap;
    vkc_strv keep;      /* owns the strings */
} access_list;

static void access_add(access_list *a, const char *path, int mode, const char *what)
{
    vkc_strv_add(&a->keep, path);
    const char *p = a->keep.v[a->keep.n - 1];
    vkc_strv_add(&a->keep, what);
    const char *w = a->keep.v[a->keep.n - 1];
    VKC_GROW(a->v, a->cap, a->n);
    a->v[a->n++] = (vkc_access){ p, mode, w };
}

static void access_clear(access_list *a)
{
    free(a->v);
    vkc_strv_clear(&a->keep);
}

/* Files qemu opens by path: checked as its user; writable images handed
 * to it; files chardevs write created first. */
static int prepare_files(qemu_dom *d, qemu_proc *p, const vkp_def *live, access_list *acc)
{
    static const char *const os_files[][2] = {
        { "os/kernel", "kernel" }, { "os/initrd", "initrd" }, { "os/loader", "firmware" },
    };
    for (size_t i = 0; i < VKC_ARRAY_LEN(os_files); i++) {
        const char *f = qemu_def_str(live, os_files[i][0]);
        if (f)
            access_add(acc, f, R_OK, os_files[i][1]);
    }
    const char *nvram = qemu_def_str(live, "os/nvram");
    if (nvram) {
        const char *tmpl = qemu_def_str(live, "os/nvram/@template");
        if (!vkc_file_exists(nvram) && tmpl) {
            size_t len;
            VK_AUTOFREE(char *) data = vkc_file_read(tmpl, 64 << 20, &len);
            if (!data || vkc_file_write_replace(nvram, data, len, 0600) < 0)
                return -1;
        }
        if (chown_for_qemu(d, p, nvram) < 0)
            return -1;
        access_add(acc, nvram, R_OK | W_OK, "nvram");
    }
    size_t nd = qemu_def_count(live, "devices/disk");
    for (size_t i = 0; i < nd; i++) {
        const vkp_def *disk = qemu_def_child(live, "devices/disk", i);
        const char *src = qemu_def_str(disk, "source/@file");
        if (!src)
            src = qemu_def_str(disk, "source/@dev");
        if (!src)
            continue;
        bool ro = qemu_def_has(disk, "readonly") ||
                  vkc_streq(qemu_def_str(disk, "@device"), "cdrom");
        VK_AUTOFREE(char *) what = vkc_asprintf("disk %s", qemu_def_str(disk, "target/@dev"));
        if (!vkc_file_exists(src)) {
            QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': %s source %s does not exist",
                     d->name, what, src);
            return -1;
        }
        if (!ro && chown_for_qemu(d, p, src) < 0)
            return -1;
        access_add(acc, src, ro ? R_OK : R_OK | W_OK, what);
    }
    static const char *const chr_elems[] = { "devices/serial", "devices/console",
                                             "devices/channel" };
    for (size_t e = 0; e < VKC_ARRAY_LEN(chr_elems); e++) {
        size_t n = qemu_def_count(live, chr_elems[e]);
        for (size_t i = 0; i < n; i++) {
            const vkp_def *c = qemu_def_child(live, chr_elems[e], i);
            const char *type = qemu_def_str(c, "@type");
            const char *path = qemu_def_str(c, "source/@path");
            if (!path)
                continue;
            if (vkc_streq(type, "file")) {
                int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
                if (fd < 0) {
                    vkc_error_system(errno, "domain '%s': cannot create %s", d->name, path);
                    return -1;
                }
                close(fd);
                if (chown_for_qemu(d, p, path) < 0)
                    return -1;
                access_add(acc, path, W_OK, "character device file");
            } else if (vkc_streq(type, "unix")) {
                const char *mode = qemu_def_str(c, "source/@mode");
                if (!mode || vkc_streq(mode, "bind")) {
                    VK_AUTOFREE(char *) dir = vkc_strdup(path);
                    char *slash = strrchr(dir, '/');
                    if (slash && slash != dir)
                        *slash = 0;
                    access_add(acc, dir, W_OK | X_OK, "socket directory");
                } else {
                    access_add(acc, path, W_OK, "socket");
                }
            }
        }
    }
    return 0;
}

/* Pty paths from query-chardev into the live definition. */
static int learn_ptys(qemu_dom *d, const qemu_cmd *cmd)
{
    if (!cmd->pty_chardevs.n)
        return 0;
    VKC_AUTOJSON chardevs = NULL;
    if (qemu_dom_qmp(d, "query-chardev", NULL, &chardevs) < 0)
        return -1;
    size_t n = json_object_array_length(chardevs);
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(chardevs, i);
        const char *label = vkc_json_str(c, "label");
        const char *fn = vkc_json_str(c, "filename");
        if (!label || !fn || !vkc_str_has_prefix(fn, "pty:"))
            continue;
        const char *path = fn + 4;
        size_t idx = 0;
        const char *el = NULL;
        if (sscanf(label, "charserial%zu", &idx) == 1)
            el = "devices/serial";
        else if (sscanf(label, "charconsole%zu", &idx) == 1)
            el = "devices/console";
        else if (sscanf(label, "charchannel%zu", &idx) == 1)
            el = "devices/channel";
        if (!el)
            continue;
        /* A console standing in for serial0 is serial0's chardev. */
        if (vkc_streq(el, "devices/serial") && !qemu_def_has(d->live, "devices/serial"))
            el = "devices/console";
        vkp_def *node = H->def->child_mut(d->live, el, idx);
        if (node && H->def->set(node, "source/@path", path) < 0)
            vkc_error_reset();
        /* The first console shows serial0's pty as its tty. */
        if (idx == 0 && !vkc_streq(el, "devices/channel")) {
            vkp_def *con = H->def->child_mut(d->live, "devices/console", 0);
            if (con && H->def->set(con, "@tty", path) < 0)
                vkc_error_reset();
            if (con && con != node && H->def->set(con, "source/@path", path) < 0)
                vkc_error_reset();
        }
    }
    pthread_mutex_unlock(&d->lock);
    return 0;
}

/* Runtime facts the live definition shows: id and device aliases. */
static void annotate_live(qemu_dom *d, vkp_def *live, const qemu_cmd *cmd)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", d->id);
    if (H->def->set(live, "@id", id) < 0)
        vkc_error_reset();
    if (cmd->machine && H->def->set(live, "os/type/@machine", cmd->machine) < 0)
        vkc_error_reset();
    for (size_t i = 0; i < cmd->naliases; i++) {
        VK_AUTOFREE(char *) path = vkc_asprintf("devices/%s", cmd->aliases[i].element);
        vkp_def *node = H->def->child_mut(live, path, cmd->aliases[i].index);
        if (node && H->def->set(node, "alias/@name", cmd->aliases[i].alias) < 0)
            vkc_error_reset();
    }
}

static char *cgroup_name_for(qemu_dom *d)
{
    /* Unique per root so parallel test roots do not collide. */
    uint32_t h = 2166136261u;
    for (const char *s = d->drv->key; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return vkc_asprintf("qemu-%08x-%s", h, d->name);
}

int qemu_process_start(qemu_dom *d, vkp_def *live, const qemu_start_opts *o)
{
    qemu_driver *drv = d->drv;
    qemu_conf *conf = &drv->conf;
    int64_t t0 = vkc_now_ns();
    const char *type = H->def->get(live, "@type");
    int kvm = qemu_kvm_for(drv, type, d->name);
    if (kvm < 0) {
        H->def->free(live);
        return -1;
    }
    bool use_kvm = kvm == 1;
    const char *emulator = qemu_def_str(live, "devices/emulator");
    VK_AUTOFREE(char *) found = NULL;
    if (!emulator) {
        const char *arch = qemu_def_str(live, "os/type/@arch");
        found = qemu_find_emulator(drv, arch ? arch : H->node->arch());
        if (!found) {
            H->def->free(live);
            return -1;
        }
        emulator = found;
    }
    const qemu_caps *caps = qemu_caps_get(drv, emulator);
    if (!caps) {
        H->def->free(live);
        return -1;
    }
    /* (the probe asks qemu about KVM only where KVM is usable; elsewhere
     * qemu's own error says what went wrong) */
    if (use_kvm && drv->kvm.usable && !caps->kvm_present) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                 "domain '%s': %s cannot use KVM as user %s (is the user in the kvm group?)",
                 d->name, emulator, conf->user);
        H->def->free(live);
        return -1;
    }

    qemu_proc *p = vkc_alloc(sizeof(*p));
    p->pidfd = -1;
    p->use_kvm = use_kvm;
    p->monitor_path = vkc_asprintf("%s/%s.qmp", drv->run_dir, d->name);
    p->status_path = vkc_asprintf("%s/%s.json", drv->run_dir, d->name);
    p->log_path = vkc_asprintf("%s/%s.log", drv->log_dir, d->name);
    size_t nnets = qemu_def_count(live, "devices/interface");
    qemu_net_res *nets = vkc_alloc((nnets + 1) * sizeof(*nets));
    for (size_t i = 0; i < nnets; i++)
        nets[i].tap_fd = -1;
    access_list acc = { 0 };
    qemu_cmd cmd = { 0 };
    VK_AUTOCLOSE mon_lfd = -1;
    VK_AUTOCLOSE logfd = -1;
    int *keep = NULL;
    size_t nkeep = 0;
    pid_t pid = -1;
    int r = -1;
    bool attached = false;

    for (size_t i = 0; i < nnets; i++) {
        if (qemu_net_prepare(d, qemu_def_child(live, "devices/interface", i), &nets[i]) < 0)
            goto fail;
        if (nets[i].tap_name)
            vkc_strv_add(&p->taps, nets[i].tap_name);
    }
    if (prepare_files(d, p, live, &acc) < 0)
        goto fail;
    mon_lfd = vkc_unix_listen(p->monitor_path, 1);
    if (mon_lfd < 0)
        goto fail;
    char incoming[32];
    const char *inc = o->incoming;
    if (o->incoming_fd >= 0) {
        snprintf(incoming, sizeof(incoming), "fd:%d", o->incoming_fd);
        inc = incoming;
    }
    qemu_cmd_ctx cc = { .caps = caps, .conf = conf, .use_kvm = use_kvm, .monitor_fd = mon_lfd,
                        .incoming = inc, .now = (long long)time(NULL), .nets = nets,
                        .nnets = nnets };
    if (qemu_command_build(live, &cc, &cmd) < 0)
        goto fail;
    for (int i = 0; i < cmd.hotplug_ports; i++)
        vkc_strv_add(&p->hotplug_slots, "");

    logfd = open(p->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (logfd < 0) {
        vkc_error_system(errno, "domain '%s': cannot open log %s", d->name, p->log_path);
        goto fail;
    }
    {
        VK_AUTOFREE(char *) line = qemu_cmd_format(&cmd);
        bool fell_back = vkc_streq(type, "kvm") && !use_kvm;
        log_line(p, "starting as %s:%s%s%s\n%s", conf->user, conf->group,
                 use_kvm ? " (KVM)" : " (TCG)",
                 fell_back ? ", type='kvm' on TCG: KVM here cannot boot ordinary guests" : "",
                 line);
    }

    keep = vkc_alloc((nnets + 3) * sizeof(int));
    keep[nkeep++] = mon_lfd;
    for (size_t i = 0; i < nnets; i++)
        if (nets[i].tap_fd >= 0)
            keep[nkeep++] = nets[i].tap_fd;
    if (o->incoming_fd >= 0)
        keep[nkeep++] = o->incoming_fd;
    gid_t groups[] = { conf->gid };
    vkc_spawn sp = { .argv = cmd.argv.v, .stdin_fd = -1, .stdout_fd = logfd, .stderr_fd = -1,
                     .keep_fds = keep, .nkeep = nkeep, .set_ids = !conf->run_as_root,
                     .uid = conf->uid, .gid = conf->gid, .groups = groups, .ngroups = 1,
                     .user_name = conf->user, .checks = acc.v, .nchecks = acc.n };
    if (vkc_spawn_run(&sp, &pid) < 0)
        goto fail;
    VKC_DEBUG("domain '%s': qemu pid %d spawned %lld us after start began", d->name, (int)pid,
              (long long)(vkc_now_ns() - t0) / 1000);
    p->pid = pid;
    p->is_child = true;
    p->starttime = vkc_proc_starttime(pid);
    /* The cgroup is made and joined while qemu initialises (moving a task
     * between v1 cgroups waits for RCU; doing it before exec would put
     * that on the start latency). Memory qemu touched before the move
     * stays charged where it was: a few MiB of qemu's own, not guest RAM. */
    if (conf->cgroups) {
        p->cgroup_name = cgroup_name_for(d);
        p->cgroup = vkc_cgroup_create(p->cgroup_name);
        if (!p->cgroup || vkc_cgroup_attach(p->cgroup, pid) < 0) {
            VKC_INFO("domain '%s': running without a cgroup", d->name);
            vkc_error_reset();
            if (p->cgroup) {
                vkc_cgroup_remove(p->cgroup);
                vkc_cgroup_free(p->cgroup);
                vkc_error_reset();
            }
            p->cgroup = NULL;
            free(p->cgroup_name);
            p->cgroup_name = NULL;
        }
    }
    close(mon_lfd);
    mon_lfd = -1;
    for (size_t i = 0; i < nnets; i++) {
        if (nets[i].tap_fd >= 0)
            close(nets[i].tap_fd);
        nets[i].tap_fd = -1;
    }
    p->pidfd = vkc_pidfd_open(pid);
    if (p->pidfd < 0)
        goto fail;

    /* The domain is active from here: the pid is known and recorded.
     * (driver->lock before dom->lock, never inside it.) */
    pthread_mutex_lock(&drv->lock);
    int new_id = drv->next_id++;
    pthread_mutex_unlock(&drv->lock);
    pthread_mutex_lock(&d->lock);
    d->id = new_id;
    annotate_live(d, live, &cmd);
    if (d->live)
        H->def->free(d->live);
    d->live = live;
    live = NULL;
    d->proc = p;
    d->got_shutdown = false;
    d->fake_reboot = false;
    d->stop_reason = 0;
    qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_STARTING_UP, -1, 0);
    pthread_mutex_unlock(&d->lock);
    attached = true;
    qemu_dom_ref(d); /* held by the pid watch until teardown */
    p->pid_watch = qemu_watch_add(drv->watcher, p->pidfd, POLLIN, on_pid_exit, d);
    if (qemu_process_write_status(d) < 0)
        goto fail;

    int mfd = vkc_unix_connect(p->monitor_path);
    if (mfd < 0)
        goto fail;
    qemu_mon *mon = qemu_mon_open(drv->watcher, mfd, d->name, &qemu_dom_mon_cbs, d, p->pidfd,
                                  conf->start_timeout_ms);
    if (!mon)
        goto fail;
    pthread_mutex_lock(&d->lock);
    p->mon = mon;
    pthread_mutex_unlock(&d->lock);
    VKC_DEBUG("domain '%s': QMP ready %lld us after start began", d->name,
              (long long)(vkc_now_ns() - t0) / 1000);

    if (learn_ptys(d, &cmd) < 0 || qemu_process_pin(d, pid) < 0 ||
        qemu_process_tune(d, p->cgroup) < 0)
        goto fail;
    uint64_t cur = 0, mem = 0;
    if (cmd.has_balloon && qemu_def_u64(d->live, "currentMemory", &cur) > 0 &&
        qemu_def_u64(d->live, "memory", &mem) > 0 && cur < mem &&
        qemu_dom_qmp(d, "balloon", vkc_json_obj("value", VKC_JI(cur * 1024), NULL), NULL) < 0)
        goto fail;
    pthread_mutex_lock(&d->lock);
    d->balloon_kib = cur ? cur : mem;
    pthread_mutex_unlock(&d->lock);
    const char *vncpw = qemu_def_str(d->live, "devices/graphics/@passwd");
    if (vncpw && qemu_dom_qmp(d, "set_password",
                              vkc_json_obj("protocol", VKC_JS("vnc"), "password", VKC_JS(vncpw),
                                           NULL),
                              NULL) < 0)
        goto fail;

    pthread_mutex_lock(&d->lock);
    qemu_emit_lifecycle(d, VIRTKIT_EVENT_STARTED, o->started_detail);
    pthread_mutex_unlock(&d->lock);
    if (!o->leave_paused) {
        if (o->flags & VIRTKIT_DOMAIN_START_PAUSED) {
            pthread_mutex_lock(&d->lock);
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER,
                               VIRTKIT_EVENT_SUSPENDED, VIRTKIT_EVENT_SUSPENDED_PAUSED);
            pthread_mutex_unlock(&d->lock);
        } else if (qemu_dom_qmp(d, "cont", NULL, NULL) < 0) {
            goto fail;
        } else {
            pthread_mutex_lock(&d->lock);
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING, o->running_reason, -1, 0);
            pthread_mutex_unlock(&d->lock);
        }
    }
    qemu_process_write_status(d);
    VKC_DEBUG("domain '%s': running %lld us after start began", d->name,
              (long long)(vkc_now_ns() - t0) / 1000);
    log_line(p, "started, pid %d", (int)pid);
    r = 0;
    goto done;

fail:
    if (pid > 0) {
        /* When qemu died, the end of its log says more than we do; when it
         * still runs, the failure was ours (or QMP's) and its error stays. */
        VK_AUTOFREE(char *) tail = NULL;
        VK_AUTOFREE(char *) stuck = H->error_code() == VIRTKIT_ERR_OPERATION_TIMEOUT
                                        ? vkc_proc_describe(pid) : NULL;
        bool died = p->pidfd < 0 || (!stuck && vkc_pidfd_wait(p->pidfd, 200) == 1);
        tail = qemu_log_tail(p->log_path, 2000);
        if (!died && !stuck && H->error_code())
            ; /* keep it */
        else if (stuck)
            QEMU_ERR(VIRTKIT_ERR_OPERATION_TIMEOUT, "domain '%s': qemu (pid %d) did not answer "
                     "on QMP in time (it was in %s)%s%s", d->name, (int)pid, stuck,
                     tail && *tail ? "; its log: " : "", tail && *tail ? tail : "");
        else if (tail && *tail)
            QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': qemu failed to start: %s",
                     d->name, tail);
    }
    {
        if (pid > 0)
            kill(pid, SIGKILL);
        if (attached) {
            qemu_dom_expect_stop(d, VIRTKIT_SHUTOFF_FAILED, -1);
            if (p->pidfd >= 0)
                vkc_pidfd_wait(p->pidfd, 5000);
            /* teardown restores ownership, files, cgroup; keep the error */
            qemu_process_teardown(d);
        } else {
            if (pid > 0) {
                int st;
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                    ;
            }
            release_resources(drv, p);
            qemu_proc_free(p);
        }
    }
done:
    for (size_t i = 0; i < nnets; i++) {
        if (nets[i].tap_fd >= 0)
            close(nets[i].tap_fd);
        free(nets[i].tap_name);
    }
    free(nets);
    free(keep);
    access_clear(&acc);
    qemu_cmd_clear(&cmd);
    if (live)
        H->def->free(live);
    return r;
}

/* ----------------------------------------------------------- migration -- */

#define MIGRATION_POLL_MS 10

int qemu_wait_migration(qemu_dom *d, const char *what, int code)
{
    for (;;) {
        VKC_AUTOJSON st = NULL;
        if (qemu_dom_qmp(d, "query-migrate", NULL, &st) < 0)
            return -1;
        const char *s = vkc_json_str(st, "status");
        if (vkc_streq(s, "completed"))
            return 0;
        if (vkc_streq(s, "failed") || vkc_streq(s, "cancelled")) {
            const char *desc = vkc_json_str(st, "error-desc");
            QEMU_ERR(code, "domain '%s': %s failed in qemu: %s", d->name, what, desc ? desc : s);
            return -1;
        }
        vkc_sleep_ms(MIGRATION_POLL_MS);
    }
}

int qemu_wait_incoming(qemu_dom *d)
{
    for (;;) {
        VKC_AUTOJSON st = NULL;
        if (qemu_dom_qmp(d, "query-status", NULL, &st) < 0)
            return -1;
        if (!vkc_streq(vkc_json_str(st, "status"), "inmigrate"))
            return 0;
        vkc_sleep_ms(MIGRATION_POLL_MS);
    }
}

/* ------------------------------------------------------- pause/resume -- */

int qemu_process_resume(qemu_dom *d, int reason, int event_detail)
{
    if (qemu_dom_qmp(d, "cont", NULL, NULL) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING, reason, VIRTKIT_EVENT_RESUMED, event_detail);
    pthread_mutex_unlock(&d->lock);
    qemu_process_write_status(d);
    return 0;
}

int qemu_process_pause(qemu_dom *d, int reason, int event_detail)
{
    if (qemu_dom_qmp(d, "stop", NULL, NULL) < 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, reason,
                       event_detail >= 0 ? VIRTKIT_EVENT_SUSPENDED : -1, event_detail);
    pthread_mutex_unlock(&d->lock);
    qemu_process_write_status(d);
    return 0;
}

/* ----------------------------------------------------------- reconnect -- */

static pid_t proc_ppid(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    VK_AUTOCLOSE fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *cp = strrchr(buf, ')');
    int ppid = -1;
    char st;
    if (!cp || sscanf(cp + 1, " %c %d", &st, &ppid) != 2)
        return -1;
    return ppid;
}

static void strv_load(vkc_strv *sv, json_object *arr)
{
    size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr)
                                                                 : 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
        if (s)
            vkc_strv_add(sv, s);
    }
}

/* Bring back one domain from its status file; false when its qemu is gone
 * (then everything it held is released). */
static void reconnect_one(qemu_driver *drv, const char *status_path)
{
    size_t len;
    VK_AUTOFREE(char *) text = vkc_file_read(status_path, 64 << 20, &len);
    VKC_AUTOJSON st = text ? vkc_json_parse(text, len, status_path) : NULL;
    const char *xml = vkc_json_str(st, "xml");
    int64_t pid = 0, starttime = 0, id = -1, state = 0, reason = 0;
    vkp_def *live = NULL;
    if (!st || !xml || !vkc_json_i64(st, "pid", &pid) ||
        H->def->parse(VKP_DEF_DOMAIN, xml, VKP_DEF_PARSE_STATUS | VKP_DEF_PARSE_NO_DEFAULTS,
                      &live) < 0) {
        /* Keep it for inspection; a qemu it names is left alone. */
        VK_AUTOFREE(char *) aside = vkc_asprintf("%s.unreadable", status_path);
        VKC_WARN("status file %s cannot be read back (kept as %s); its domain is not "
                 "managed until it is fixed", status_path, aside);
        vkc_error_reset();
        if (rename(status_path, aside) < 0)
            unlink(status_path);
        if (live)
            H->def->free(live);
        return;
    }
    vkc_json_i64(st, "starttime", &starttime);
    vkc_json_i64(st, "id", &id);
    vkc_json_i64(st, "state", &state);
    vkc_json_i64(st, "reason", &reason);

    qemu_proc *p = vkc_alloc(sizeof(*p));
    p->pid = (pid_t)pid;
    p->starttime = (unsigned long long)starttime;
    p->pidfd = -1;
    p->monitor_path = vkc_strdup(vkc_json_str(st, "monitor"));
    p->status_path = vkc_strdup(status_path);
    p->log_path = vkc_strdup(vkc_json_str(st, "log"));
    p->use_kvm = vkc_json_bool(st, "kvm", 0);
    strv_load(&p->hotplug_slots, vkc_json_get(st, "hotplug-slots"));
    p->cgroup_name = vkc_strdup(vkc_json_str(st, "cgroup"));
    if (p->cgroup_name)
        p->cgroup = vkc_cgroup_open(p->cgroup_name);
    strv_load(&p->taps, vkc_json_get(st, "taps"));
    strv_load(&p->chowned, vkc_json_get(st, "chowned"));

    char *name = NULL;
    unsigned char uuid[16];
    if (qemu_def_identity(live, &name, uuid) < 0) {
        vkc_error_reset();
        H->def->free(live);
        release_resources(drv, p);
        qemu_proc_free(p);
        return;
    }
    qemu_dom *d = qemu_dom_find_uuid(drv, uuid);
    if (!d) {
        vkp_def *copy = H->def->copy(live);
        d = qemu_dom_add(drv, copy, false);
        if (!d) {
            VKC_WARN("status file %s: domain '%s' clashes with a defined one", status_path, name);
            vkc_error_reset();
            free(name);
            H->def->free(live);
            release_resources(drv, p);
            qemu_proc_free(p);
            return;
        }
    }
    free(name);

    bool alive = p->starttime && vkc_proc_starttime(p->pid) == p->starttime &&
                 vkc_proc_state(p->pid) != 'Z';
    p->is_child = proc_ppid(p->pid) == getpid();
    int64_t owner = 0;
    vkc_json_i64(st, "owner", &owner);
    qemu_mon *mon = NULL;
    if (alive) {
        p->pidfd = vkc_pidfd_open(p->pid);
        if (other_alive((pid_t)owner)) {
            /* Another live instance holds the monitor (QEMU serves one QMP
             * client): report from the status file, talk to qemu later. */
            p->owner = (pid_t)owner;
        } else {
            int mfd = p->pidfd >= 0 ? vkc_unix_connect(p->monitor_path) : -1;
            if (mfd >= 0)
                mon = qemu_mon_open(drv->watcher, mfd, d->name, &qemu_dom_mon_cbs, d, p->pidfd,
                                    ATTACH_TIMEOUT_MS);
            if (!mon) {
                VKC_WARN("domain '%s': qemu pid %d runs but its monitor does not answer; "
                         "leaving it alone", d->name, (int)p->pid);
                vkc_error_reset();
            }
        }
        alive = p->pidfd >= 0;
    }
    pthread_mutex_lock(&d->lock);
    if (d->live)
        H->def->free(d->live);
    d->live = live;
    d->proc = p;
    d->id = (int)id;
    d->state = (int)state;
    d->reason = (int)reason;
    p->mon = mon;
    pthread_mutex_unlock(&d->lock);
    pthread_mutex_lock(&drv->lock);
    if (d->id >= drv->next_id)
        drv->next_id = d->id + 1;
    pthread_mutex_unlock(&drv->lock);

    if (!alive) {
        /* qemu died while nobody watched. */
        pthread_mutex_lock(&d->lock);
        p->exited = true;
        d->stop_reason = VIRTKIT_SHUTOFF_CRASHED;
        d->stop_event_detail = -1;
        pthread_mutex_unlock(&d->lock);
        VKC_INFO("domain '%s': qemu pid %d is gone; marked shut off", d->name, (int)p->pid);
        qemu_dom_ref(d); /* teardown drops the pid watch's reference */
        qemu_process_teardown(d);
        qemu_dom_unref(d);
        return;
    }
    VKC_AUTOJSON status = NULL;
    if (mon && qemu_mon_cmd(mon, "query-status", NULL, drv->conf.monitor_timeout_ms,
                            &status) == 0) {
        const char *s = vkc_json_str(status, "status");
        pthread_mutex_lock(&d->lock);
        if (vkc_streq(s, "running"))
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_RUNNING,
                               d->state == VIRTKIT_DOMAIN_RUNNING ? d->reason
                                                                  : VIRTKIT_RUNNING_UNKNOWN,
                               -1, 0);
        else if (vkc_streq(s, "guest-panicked"))
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_CRASHED, VIRTKIT_CRASHED_PANICKED, -1, 0);
        else if (vkc_streq(s, "shutdown"))
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_SHUTDOWN, VIRTKIT_SHUTDOWN_USER, -1, 0);
        else if (d->state != VIRTKIT_DOMAIN_PAUSED)
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_UNKNOWN, -1, 0);
        pthread_mutex_unlock(&d->lock);
    } else {
        vkc_error_reset();
    }
    qemu_dom_ref(d); /* held by the pid watch */
    p->pid_watch = qemu_watch_add(drv->watcher, p->pidfd, POLLIN, on_pid_exit, d);
    qemu_process_write_status(d);
    if (mon)
        VKC_INFO("domain '%s': reconnected to qemu pid %d", d->name, (int)p->pid);
    else
        VKC_INFO("domain '%s': qemu pid %d runs; its monitor is held elsewhere (process %d)",
                 d->name, (int)p->pid, (int)p->owner);
    qemu_dom_unref(d);
}

void qemu_process_reconnect_all(qemu_driver *drv)
{
    DIR *dir = opendir(drv->run_dir);
    if (!dir)
        return;
    vkc_strv paths = { 0 };
    struct dirent *e;
    while ((e = readdir(dir)))
        if (vkc_str_has_suffix(e->d_name, ".json"))
            vkc_strv_addf(&paths, "%s/%s", drv->run_dir, e->d_name);
    closedir(dir);
    for (size_t i = 0; i < paths.n; i++)
        reconnect_one(drv, paths.v[i]);
    vkc_strv_clear(&paths);
}
