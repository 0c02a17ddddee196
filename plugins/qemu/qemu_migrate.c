/*
 * qemu_migrate.c: live migration between two qemu instances, in the five
 * phases the core drives (framework/lib/migrate.c):
 *
 *   begin    (source)  take the job, return the live definition
 *   prepare  (dest)    start qemu with -incoming defer, listen on a unix
 *                      socket (default) or TCP, return that transport URI
 *   perform  (source)  connect to it, hand the socket to qemu (getfd) and
 *                      `migrate`; wait until qemu says completed
 *   finish   (dest)    wait until the state is loaded, then cont (or stay
 *                      paused); on cancel, stop the incoming qemu
 *   confirm  (source)  stop the source qemu (shutoff/migrated), or resume
 *                      it when an earlier phase failed
 *
 * virtkit, not qemu, opens the sockets on both sides (as root) and passes
 * fds, so qemu running as an unprivileged user never needs access to our
 * run directories, and the same code works for TCP between hosts.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>

#include "qemu.h"
#include "vkc_file.h"

#define ACCEPT_TIMEOUT_MS 60000

typedef struct mig_out {
    bool was_running;
} mig_out;

typedef struct mig_in {
    int listen_fd;
    char *unix_path;
    pthread_t thread;
    bool thread_started;
    int result;
    int err_code;
    char err_msg[512];
} mig_in;

static qemu_dom *find_by_name(qemu_driver *drv, const char *name)
{
    qemu_dom *d = qemu_dom_find_name(drv, name);
    if (!d)
        QEMU_ERR(VIRTKIT_ERR_NO_DOMAIN, "no domain named '%s' is being migrated in", name);
    return d;
}

/* -------------------------------------------------------------- source -- */

char *qemu_op_migrate_begin(vkp_conn *c, const vkp_ref *ref, const virtkit_params *params,
                            unsigned int flags)
{
    (void)flags;
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return NULL;
    char *xml = NULL;
    if (qemu_job_begin(d, QEMU_JOB_ASYNC, "migration out") < 0)
        goto out;
    pthread_mutex_lock(&d->lock);
    bool active = d->proc && !d->proc->exited;
    if (active) {
        const char *repl = NULL;
        if (params && H->params->get_string(params, "xml", &repl) == 1 && repl)
            xml = vkc_strdup(repl);
        else
            xml = H->def->format(d->live, VKP_DEF_FORMAT_INACTIVE | VKP_DEF_FORMAT_SECURE);
        mig_out *m = vkc_alloc(sizeof(*m));
        m->was_running = d->state == VIRTKIT_DOMAIN_RUNNING;
        d->migration = m;
    }
    pthread_mutex_unlock(&d->lock);
    if (!active)
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running", d->name);
    if (!xml) {
        pthread_mutex_lock(&d->lock);
        free(d->migration);
        d->migration = NULL;
        pthread_mutex_unlock(&d->lock);
        qemu_job_end(d);
    }
out:
    qemu_dom_unref(d);
    return xml;
}

/* "unix:PATH", "tcp:HOST:PORT", "tcp://HOST:PORT" -> a connected socket. */
static int connect_uri(const char *uri)
{
    if (vkc_str_has_prefix(uri, "unix:"))
        return vkc_unix_connect(uri + 5);
    const char *hp = vkc_str_has_prefix(uri, "tcp://") ? uri + 6
                     : vkc_str_has_prefix(uri, "tcp:") ? uri + 4
                                                       : NULL;
    if (hp) {
        const char *colon = strrchr(hp, ':');
        int port = 0;
        if (colon && vkc_parse_int(colon + 1, &port) == 0 && port > 0 && port < 65536) {
            VK_AUTOFREE(char *) host = vkc_strndup(hp, (size_t)(colon - hp));
            if (host[0] == '[') {
                memmove(host, host + 1, strlen(host));
                host[strcspn(host, "]")] = 0;
            }
            return vkc_tcp_connect(host, port);
        }
    }
    QEMU_ERR(VIRTKIT_ERR_MIGRATE, "migration URI '%s' is not unix:PATH or tcp:HOST:PORT", uri);
    return -1;
}

int qemu_op_migrate_perform(vkp_conn *c, const vkp_ref *ref, const char *uri,
                            const virtkit_params *params, unsigned int flags)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    int r = -1;
    pthread_mutex_lock(&d->lock);
    mig_out *m = d->migration;
    bool active = d->proc && !d->proc->exited;
    pthread_mutex_unlock(&d->lock);
    if (!m || !active) {
        QEMU_ERR(VIRTKIT_ERR_MIGRATE, "domain '%s': no outgoing migration was begun", d->name);
        goto out;
    }
    if (!(flags & VIRTKIT_MIGRATE_LIVE) && m->was_running &&
        qemu_process_pause(d, VIRTKIT_PAUSED_MIGRATION, VIRTKIT_EVENT_SUSPENDED_MIGRATED) < 0)
        goto out;
    int fd = connect_uri(uri);
    if (fd < 0)
        goto out;
    r = qemu_mon_getfd(d->proc->mon, "vk-migrate-out", fd, d->drv->conf.monitor_timeout_ms);
    close(fd);
    unsigned long long bw = 0;
    if (params && H->params->get_ullong(params, "bandwidth", &bw) != 1)
        bw = 0;
    int64_t bytes = bw ? (int64_t)(bw << 20) : INT64_C(1) << 40;
    if (r == 0 && qemu_dom_qmp(d, "migrate-set-parameters",
                               vkc_json_obj("max-bandwidth", VKC_JI(bytes), NULL), NULL) < 0)
        vkc_error_reset();
    if (r == 0)
        r = qemu_dom_qmp(d, "migrate", vkc_json_obj("uri", VKC_JS("fd:vk-migrate-out"), NULL),
                         NULL);
    if (r == 0)
        r = qemu_wait_migration(d, "migration", VIRTKIT_ERR_MIGRATE);
    if (r == 0) {
        pthread_mutex_lock(&d->lock);
        qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_MIGRATION, -1, 0);
        pthread_mutex_unlock(&d->lock);
    }
out:
    qemu_dom_unref(d);
    return r;
}

int qemu_op_migrate_confirm(vkp_conn *c, const vkp_ref *ref, const virtkit_params *params,
                            unsigned int flags, int cancelled)
{
    (void)params;
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    mig_out *m = d->migration;
    d->migration = NULL;
    pthread_mutex_unlock(&d->lock);
    if (!m) {
        QEMU_ERR(VIRTKIT_ERR_MIGRATE, "domain '%s': no outgoing migration to confirm", d->name);
        qemu_dom_unref(d);
        return -1;
    }
    int r = 0;
    if (cancelled) {
        /* The guest stays here: let it run again as it was. */
        qemu_dom_qmp(d, "migrate_cancel", NULL, NULL);
        vkc_error_reset();
        if (m->was_running && qemu_dom_active(d))
            r = qemu_process_resume(d, VIRTKIT_RUNNING_MIGRATED, VIRTKIT_EVENT_RESUMED_MIGRATED);
    } else {
        r = qemu_process_stop(d, VIRTKIT_SHUTOFF_MIGRATED, VIRTKIT_EVENT_STOPPED_MIGRATED, false);
        if (r == 0 && (flags & VIRTKIT_MIGRATE_UNDEFINE_SOURCE) && d->persistent) {
            if (qemu_dom_delete_config(d) == 0) {
                pthread_mutex_lock(&d->lock);
                d->persistent = false;
                qemu_emit_lifecycle(d, VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
                pthread_mutex_unlock(&d->lock);
                qemu_dom_remove(c->drv, d);
            } else {
                r = -1;
            }
        }
    }
    free(m);
    qemu_job_end(d);
    qemu_dom_unref(d);
    return r;
}

/* --------------------------------------------------------- destination -- */

typedef struct accept_arg {
    qemu_dom *d;
    mig_in *m;
} accept_arg;

/* Accept the source's connection and give it to qemu as the incoming
 * migration stream. */
static void *accept_main(void *p)
{
    accept_arg *a = p;
    qemu_dom *d = a->d;
    mig_in *m = a->m;
    free(a);
    struct pollfd pf = { .fd = m->listen_fd, .events = POLLIN };
    int fd = -1;
    if (poll(&pf, 1, ACCEPT_TIMEOUT_MS) > 0)
        fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        QEMU_ERR(VIRTKIT_ERR_MIGRATE, "domain '%s': the source did not connect within %d s",
                 d->name, ACCEPT_TIMEOUT_MS / 1000);
        m->result = -1;
    } else {
        pthread_mutex_lock(&d->lock);
        qemu_mon *mon = d->proc ? d->proc->mon : NULL;
        pthread_mutex_unlock(&d->lock);
        m->result = mon ? qemu_mon_getfd(mon, "vk-migrate-in", fd, d->drv->conf.monitor_timeout_ms)
                        : -1;
        close(fd);
        if (m->result == 0)
            m->result = qemu_dom_qmp(d, "migrate-incoming",
                                     vkc_json_obj("uri", VKC_JS("fd:vk-migrate-in"), NULL), NULL);
    }
    if (m->result < 0)
        m->err_code = vkc_last_error(m->err_msg, sizeof(m->err_msg));
    qemu_dom_unref(d);
    return NULL;
}

static void mig_in_free(mig_in *m)
{
    if (!m)
        return;
    if (m->thread_started)
        pthread_join(m->thread, NULL);
    if (m->listen_fd >= 0)
        close(m->listen_fd);
    if (m->unix_path)
        unlink(m->unix_path);
    free(m->unix_path);
    free(m);
}

/* Listen where the caller asked ("uri" parameter: "tcp:ADDR[:PORT]" or
 * "unix:PATH"), by default on a unix socket in our run dir. */
static int mig_listen(qemu_dom *d, const virtkit_params *params, mig_in *m, char **uri_out)
{
    const char *want = NULL;
    if (params)
        H->params->get_string(params, "uri", &want);
    const char *laddr = NULL;
    if (params)
        H->params->get_string(params, "listen_address", &laddr);
    if (want && (vkc_str_has_prefix(want, "tcp:") || vkc_str_has_prefix(want, "tcp://"))) {
        const char *hp = want + (vkc_str_has_prefix(want, "tcp://") ? 6 : 4);
        const char *colon = strrchr(hp, ':');
        int port = 0;
        VK_AUTOFREE(char *) host = NULL;
        if (colon && strchr(hp, ':') == colon && vkc_parse_int(colon + 1, &port) == 0)
            host = vkc_strndup(hp, (size_t)(colon - hp));
        else
            host = vkc_strdup(*hp ? hp : "127.0.0.1");
        const char *bind_to = laddr ? laddr : host;
        m->listen_fd = vkc_tcp_listen(bind_to, port, &port);
        if (m->listen_fd < 0)
            return -1;
        *uri_out = H->asprintf(strchr(host, ':') ? "tcp:[%s]:%d" : "tcp:%s:%d", host, port);
        return 0;
    }
    if (want && !vkc_str_has_prefix(want, "unix:")) {
        QEMU_ERR(VIRTKIT_ERR_MIGRATE, "migration URI '%s' is not unix:PATH or tcp:HOST[:PORT]",
                 want);
        return -1;
    }
    m->unix_path = want ? vkc_strdup(want + 5)
                        : vkc_asprintf("%s/%s.migrate", d->drv->run_dir, d->name);
    m->listen_fd = vkc_unix_listen(m->unix_path, 1);
    if (m->listen_fd < 0)
        return -1;
    *uri_out = H->asprintf("unix:%s", m->unix_path);
    return 0;
}

int qemu_op_migrate_prepare(vkp_conn *c, const char *xml, const virtkit_params *params,
                            unsigned int flags, char **uri_out)
{
    qemu_driver *drv = c->drv;
    vkp_def *def = NULL;
    if (H->def->parse(VKP_DEF_DOMAIN, xml, 0, &def) < 0)
        return -1;
    const char *dname = NULL;
    if (params && H->params->get_string(params, "dname", &dname) == 1 && dname &&
        H->def->set(def, "name", dname) < 0) {
        H->def->free(def);
        return -1;
    }
    bool added;
    qemu_dom *d = qemu_dom_for_incoming(drv, def, &added);
    if (!d) {
        H->def->free(def);
        return -1;
    }
    int r = -1;
    if (qemu_job_begin(d, QEMU_JOB_ASYNC, "migration in") < 0) {
        H->def->free(def);
        goto out;
    }
    if (qemu_dom_active(d)) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is already running here", d->name);
        H->def->free(def);
        qemu_job_end(d);
        goto out;
    }
    mig_in *m = vkc_alloc(sizeof(*m));
    m->listen_fd = -1;
    qemu_start_opts o = { .flags = flags, .started_detail = VIRTKIT_EVENT_STARTED_MIGRATED,
                          .running_reason = VIRTKIT_RUNNING_MIGRATED, .incoming = "defer",
                          .incoming_fd = -1, .leave_paused = true };
    if (mig_listen(d, params, m, uri_out) < 0 || qemu_process_start(d, def, &o) < 0) {
        if (*uri_out) {
            free(*uri_out);
            *uri_out = NULL;
        }
        if (m->listen_fd < 0)
            H->def->free(def);
        mig_in_free(m);
        qemu_job_end(d);
        goto out;
    }
    pthread_mutex_lock(&d->lock);
    qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_MIGRATION, -1, 0);
    d->migration = m;
    pthread_mutex_unlock(&d->lock);
    accept_arg *a = vkc_alloc(sizeof(*a));
    a->d = qemu_dom_ref(d);
    a->m = m;
    int tr = pthread_create(&m->thread, NULL, accept_main, a);
    if (tr != 0) {
        qemu_dom_unref(d);
        free(a);
        vkc_error_system(tr, "domain '%s': cannot start the migration listener", d->name);
        pthread_mutex_lock(&d->lock);
        d->migration = NULL;
        pthread_mutex_unlock(&d->lock);
        mig_in_free(m);
        qemu_process_stop(d, VIRTKIT_SHUTOFF_FAILED, -1, false);
        qemu_job_end(d);
        free(*uri_out);
        *uri_out = NULL;
        goto out;
    }
    m->thread_started = true;
    r = 0;
    /* the job stays held until finish */
out:
    if (r < 0)
        qemu_dom_forget_unstarted(d, added);
    qemu_dom_unref(d);
    return r;
}

int qemu_op_migrate_finish(vkp_conn *c, const char *name, const virtkit_params *params,
                           unsigned int flags, int cancelled, vkp_ref *out)
{
    (void)params;
    qemu_dom *d = find_by_name(c->drv, name);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    mig_in *m = d->migration;
    d->migration = NULL;
    pthread_mutex_unlock(&d->lock);
    if (!m) {
        QEMU_ERR(VIRTKIT_ERR_MIGRATE, "domain '%s': no incoming migration to finish", name);
        qemu_dom_unref(d);
        return -1;
    }
    if (cancelled) {
        /* Unblock the listener, then drop the half-started guest. */
        shutdown(m->listen_fd, SHUT_RDWR);
        qemu_process_stop(d, VIRTKIT_SHUTOFF_FAILED, VIRTKIT_EVENT_STOPPED_FAILED, false);
        mig_in_free(m);
        qemu_job_end(d);
        qemu_dom_unref(d);
        return 0;
    }
    pthread_join(m->thread, NULL);
    m->thread_started = false;
    int r = 0;
    if (m->result < 0) {
        QEMU_ERR(m->err_code ? m->err_code : VIRTKIT_ERR_MIGRATE, "%s",
                 m->err_code ? m->err_msg : "the incoming migration failed");
        r = -1;
    }
    if (r == 0)
        r = qemu_wait_incoming(d);
    if (r == 0) {
        if (flags & VIRTKIT_MIGRATE_PAUSED) {
            pthread_mutex_lock(&d->lock);
            qemu_dom_set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_MIGRATION,
                               VIRTKIT_EVENT_SUSPENDED, VIRTKIT_EVENT_SUSPENDED_MIGRATED);
            pthread_mutex_unlock(&d->lock);
        } else {
            r = qemu_process_resume(d, VIRTKIT_RUNNING_MIGRATED, VIRTKIT_EVENT_RESUMED_MIGRATED);
        }
    }
    if (r == 0 && (flags & VIRTKIT_MIGRATE_PERSIST_DEST)) {
        pthread_mutex_lock(&d->lock);
        bool was = d->persistent;
        if (!d->def)
            d->def = H->def->copy(d->live);
        d->persistent = true;
        pthread_mutex_unlock(&d->lock);
        if (qemu_dom_save_config(d) < 0) {
            r = -1;
        } else if (!was) {
            pthread_mutex_lock(&d->lock);
            qemu_emit_lifecycle(d, VIRTKIT_EVENT_DEFINED, VIRTKIT_EVENT_DEFINED_ADDED);
            pthread_mutex_unlock(&d->lock);
        }
    }
    if (r < 0)
        qemu_process_stop(d, VIRTKIT_SHUTOFF_FAILED, VIRTKIT_EVENT_STOPPED_FAILED, false);
    else {
        qemu_process_write_status(d);
        pthread_mutex_lock(&d->lock);
        qemu_dom_fill_ref(d, out);
        pthread_mutex_unlock(&d->lock);
    }
    mig_in_free(m);
    qemu_job_end(d);
    qemu_dom_unref(d);
    return r;
}
