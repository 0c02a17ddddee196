/*
 * qemu.h: shared declarations of the qemu hypervisor plugin.
 *
 * Objects and who owns them:
 *
 *   qemu_driver   one per state root in a process (every path derives from
 *                 the root), shared by all connections to that root and
 *                 reference counted by them. Owns the domain list, the
 *                 capability cache and the watcher thread.
 *   vkp_conn      one per open connection: the driver and the core's ctx
 *                 (events go to every open connection of the driver).
 *   qemu_dom      one per domain, reference counted (threads keep a domain
 *                 alive while they work on it). Holds the persistent and
 *                 the live definition, the state and the job.
 *   qemu_proc     the running qemu of an active domain: pid, pidfd, QMP
 *                 connection and the host resources to release at stop.
 *
 * Locks, always taken in this order: driver->lock (list, ids) ->
 * dom->lock (fields of one domain) -> driver->conns_lock (connection list,
 * held while events are queued). A job (dom->job) is not a mutex but a
 * flag under dom->lock: one state-changing operation at a time per domain;
 * the job owner drops dom->lock while it talks to qemu, and queries read
 * the cached state without waiting for the job.
 *
 * The watcher thread (qemu_watch.c) polls every QMP socket and pidfd of a
 * driver; QMP events and process exits are handled there and never block
 * on qemu: anything that must send a command hands off to a worker thread.
 */
#ifndef QEMU_H
#define QEMU_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <virtkit-1/hypervisor.h>

#include "vkc.h"
#include "vkc_cgroup.h"
#include "vkc_json.h"

#define H vkc_host
#define QEMU_ERR(code, ...) vkc_error((code), __VA_ARGS__)

typedef struct qemu_driver qemu_driver;
typedef struct qemu_dom qemu_dom;
typedef struct qemu_proc qemu_proc;
typedef struct qemu_caps qemu_caps;
typedef struct qemu_mon qemu_mon;
typedef struct qemu_watcher qemu_watcher;

/* ------------------------------------------------------ configuration -- */
/* qemu.conf (libconfig, <confdir>/qemu.conf); defaults in qemu_conf.c and
 * documented in conf/qemu.conf. */
/* What type='kvm' does where /dev/kvm opens but cannot boot ordinary
 * guests (kvm_pvm). */
typedef enum {
    QEMU_UNUSABLE_KVM_TCG,      /* run on TCG and say so (default) */
    QEMU_UNUSABLE_KVM_KVM,      /* use it anyway (benchmarks of the start path) */
    QEMU_UNUSABLE_KVM_REFUSE,   /* fail the start */
} qemu_unusable_kvm;

typedef struct qemu_conf {
    char *user;                 /* "nobody"; "root" runs qemu as root */
    char *group;                /* "kvm" (for /dev/kvm), else the user's */
    bool run_as_root;
    uid_t uid;
    gid_t gid;
    bool dynamic_ownership;     /* chown writable disk images to the user */
    bool cgroups;               /* one cgroup per domain where available */
    bool sandbox;               /* -sandbox on, when the binary has it */
    int shutdown_timeout_s;     /* SHUTDOWN_WAIT limit */
    int destroy_timeout_ms;     /* SIGTERM, then SIGKILL after this */
    int monitor_timeout_ms;     /* default QMP command timeout */
    int start_timeout_ms;       /* qemu must greet on QMP within this */
    int hotplug_ports;          /* spare pcie-root-ports on q35 */
    qemu_unusable_kvm unusable_kvm; /* type='kvm' where KVM cannot boot guests */
    char *vnc_listen;           /* default VNC listen address */
    vkc_strv emulator_dirs;     /* where qemu-system-* are looked for */
} qemu_conf;

int qemu_conf_load(qemu_conf *conf, vkp_ctx *ctx);
void qemu_conf_clear(qemu_conf *conf);

/* ------------------------------------------------------- capabilities -- */
typedef struct qemu_machine {
    char *name;
    char *alias;                /* "q35", NULL */
    int max_cpus;
    bool is_default;
    bool deprecated;
} qemu_machine;

struct qemu_caps {
    char *binary;
    char *arch;                 /* "x86_64", "i686" */
    int wordsize;
    unsigned long long version; /* major*1000000 + minor*1000 + micro */
    char *package;
    qemu_machine *machines;
    size_t nmachines;
    vkc_strv cpus;              /* CPU model names */
    vkc_strv devices;           /* instantiable QOM types */
    bool kvm_present;           /* qemu could open /dev/kvm */
    bool sandbox;               /* -sandbox is compiled in */
};

/* Capabilities of a binary: from memory, from the cache file when it
 * still matches (path, size, mtime, /dev/kvm, our version), else probed
 * over QMP and cached. */
const qemu_caps *qemu_caps_get(qemu_driver *drv, const char *binary);
/* Same, from a JSON description (tests: tests/qemu/data/caps-*.json). */
qemu_caps *qemu_caps_from_json(json_object *o, const char *what);
json_object *qemu_caps_to_json(const qemu_caps *c);
void qemu_caps_free(qemu_caps *c);
bool qemu_caps_has_device(const qemu_caps *c, const char *type);
bool qemu_caps_has_cpu(const qemu_caps *c, const char *model);
/* The canonical machine for name (aliases resolved; NULL name: the
 * default machine); NULL when unknown. */
const qemu_machine *qemu_caps_machine(const qemu_caps *c, const char *name);
/* The emulator binary for an arch ("x86_64"), found in conf dirs; NULL
 * with an error naming the arch. Caller frees. */
char *qemu_find_emulator(qemu_driver *drv, const char *arch);
/* The <guest> sections of the capabilities document. */
char *qemu_caps_guests_xml(qemu_driver *drv);

/* KVM on this host (TESTBED: /dev/kvm may open but only run special
 * kernels). */
typedef struct qemu_kvm_info {
    bool dev_opens;             /* /dev/kvm can be opened */
    bool usable;                /* and can boot ordinary guests */
    char why[256];              /* when not usable: why, for logs and caps */
} qemu_kvm_info;
void qemu_kvm_probe(qemu_kvm_info *k);
/* Whether a domain of this type runs on KVM, by the host and the
 * unusable_kvm setting: 1 KVM, 0 TCG, -1 it cannot start (type 'kvm'
 * without /dev/kvm, or refused). qemu_kvm_for also sets the error and
 * logs a fallback to TCG, naming the domain. */
int qemu_kvm_choice(const qemu_driver *drv, const char *type);
int qemu_kvm_for(qemu_driver *drv, const char *type, const char *name);

/* ------------------------------------------------------- command line -- */
/* Per-interface host resources prepared before the command line. */
typedef struct qemu_net_res {
    int tap_fd;                 /* -1: none (user networking) */
    char *tap_name;
} qemu_net_res;

typedef struct qemu_cmd_ctx {
    const qemu_caps *caps;
    const qemu_conf *conf;
    bool use_kvm;
    int monitor_fd;             /* listening QMP socket passed to qemu */
    const char *incoming;       /* "defer", "fd:N" or NULL */
    long long now;              /* seconds since the epoch (clock offsets) */
    const qemu_net_res *nets;   /* one per <interface>, in order */
    size_t nnets;
} qemu_cmd_ctx;

/* What the command line gave each device (the live definition shows it
 * and hotplug finds devices by it). */
typedef struct qemu_dev_alias {
    char *element;              /* "disk", "interface", "serial" ... */
    size_t index;               /* among the devices of that element */
    char *alias;
} qemu_dev_alias;

typedef struct qemu_cmd {
    vkc_strv argv;
    qemu_dev_alias *aliases;
    size_t naliases, aliases_cap;
    vkc_strv pty_chardevs;      /* chardev ids whose pty path to learn */
    char *machine;              /* canonical machine type used */
    bool has_vnc;
    bool has_balloon;
    int hotplug_ports;          /* spare root ports created (q35) */
} qemu_cmd;

/* Build the argv for def. Fails (error naming the element) for anything
 * qemu cannot do. Pure: touches nothing on the host. */
int qemu_command_build(const vkp_def *def, const qemu_cmd_ctx *ctx, qemu_cmd *out);
void qemu_cmd_clear(qemu_cmd *c);
/* The argv as one argument per line with shell quoting (logs, goldens). */
char *qemu_cmd_format(const qemu_cmd *c);
/* Device pieces shared with hotplug. */
int qemu_build_disk(const vkp_def *dom, const vkp_def *disk, size_t idx, const qemu_cmd_ctx *ctx,
                    const char *bus_override, json_object **file_node,
                    json_object **fmt_node, json_object **device, char **alias);
int qemu_build_interface(const vkp_def *dom, const vkp_def *iface, size_t idx,
                         const qemu_cmd_ctx *ctx, const char *bus_override,
                         json_object **netdev, json_object **device, char **alias);
/* Disk target ("vda", "sdb", "hdc") to its index (0, 1, 2); -1 if bad. */
int qemu_disk_target_index(const char *dev);
/* Is machine (canonical or alias) a q35 one? */
bool qemu_machine_is_q35(const char *machine);

/* ------------------------------------------------------------- watcher -- */
typedef void (*qemu_watch_cb)(int fd, short revents, void *opaque);
qemu_watcher *qemu_watcher_new(const char *label);
/* Watch fd; cb runs in the watcher thread. Returns a watch id. */
int qemu_watch_add(qemu_watcher *w, int fd, short events, qemu_watch_cb cb, void *opaque);
/* Stop watching. On return cb is not running and will not run again
 * (when called from cb itself, it just will not run again). */
void qemu_watch_remove(qemu_watcher *w, int id);
bool qemu_watcher_is_self(qemu_watcher *w);
void qemu_watcher_free(qemu_watcher *w);

/* ---------------------------------------------------------------- QMP -- */
typedef struct qemu_mon_cbs {
    /* A QMP event (watcher thread). Must not send commands. */
    void (*event)(qemu_mon *m, const char *name, json_object *data, void *opaque);
    /* The connection closed (watcher thread). */
    void (*eof)(qemu_mon *m, void *opaque);
} qemu_mon_cbs;

/* Take over a connected QMP socket: wait for the greeting, negotiate
 * capabilities. label names the domain in errors. pidfd (may be -1) lets
 * the wait fail at once when qemu dies instead of at the timeout. */
qemu_mon *qemu_mon_open(qemu_watcher *w, int fd, const char *label, const qemu_mon_cbs *cbs,
                        void *opaque, int pidfd, int timeout_ms);
/* Run a command; *ret (may be NULL) gets the "return" value (caller
 * puts). args is consumed. With pass_fd >= 0 the fd travels with the
 * command (SCM_RIGHTS; getfd / add-fd). Errors: qemu's own description,
 * the timeout, or the connection loss. */
int qemu_mon_cmd(qemu_mon *m, const char *cmd, json_object *args, int timeout_ms,
                 json_object **ret);
int qemu_mon_cmd_fd(qemu_mon *m, const char *cmd, json_object *args, int pass_fd,
                    int timeout_ms, json_object **ret);
/* Hand an fd to qemu under a name (getfd). */
int qemu_mon_getfd(qemu_mon *m, const char *name, int fd, int timeout_ms);
bool qemu_mon_alive(qemu_mon *m);
/* The class of the last QMP error reply on this thread ("DeviceNotFound"). */
const char *qemu_mon_last_error_class(void);
/* Disconnect and free; no callback runs after it returns. */
void qemu_mon_close(qemu_mon *m);

/* -------------------------------------------------------------- domains -- */
typedef enum {
    QEMU_JOB_NONE = 0,
    QEMU_JOB_MODIFY,            /* start, stop, suspend ... */
    QEMU_JOB_ASYNC,             /* save, dump, migration: long */
} qemu_job_kind;

struct qemu_proc {
    pid_t pid;
    unsigned long long starttime;   /* /proc starttime, against pid reuse */
    bool is_child;                  /* waitpid() it (else watch only) */
    int pidfd;
    int pid_watch;                  /* watcher id of the pidfd */
    qemu_mon *mon;
    char *monitor_path;
    char *status_path;
    char *log_path;
    vkc_cgroup *cgroup;
    char *cgroup_name;
    vkc_strv taps;                  /* tap devices we created */
    vkc_strv chowned;               /* "uid:gid:path" to restore at stop */
    bool use_kvm;
    vkc_strv hotplug_slots;         /* per spare root port (q35): the alias
                                     * of the device plugged there, or "" */
    bool exited;                    /* the process is gone (pidfd fired) */
    int exit_status;
    bool torn_down;
    bool quit_requested;            /* we asked it to end (destroy...) */
    pid_t owner;                    /* another live process holds its QMP
                                     * connection (0: we do, or nobody) */
};

struct qemu_dom {
    int refs;
    qemu_driver *drv;
    pthread_mutex_t lock;
    pthread_cond_t cond;            /* job and state changes */

    char *name;
    unsigned char uuid[16];
    int id;                         /* -1 when inactive */
    vkp_def *def;                   /* persistent definition; NULL: transient */
    vkp_def *live;                  /* running definition; NULL: inactive */
    bool persistent;
    bool autostart;
    bool removed;                   /* no longer in the driver's list */

    int state, reason;              /* virtkit_domain_state + reason */
    int job;                        /* qemu_job_kind */
    const char *job_name;
    int64_t job_started_ms;

    qemu_proc *proc;                /* NULL when inactive */
    /* What the next process exit means, set before we cause one. */
    int stop_reason;                /* VIRTKIT_SHUTOFF_*, 0: decide */
    int stop_event_detail;          /* VIRTKIT_EVENT_STOPPED_* */
    bool got_shutdown;              /* qemu said SHUTDOWN */
    bool fake_reboot;               /* the next SHUTDOWN is our reboot */
    bool restart_pending;           /* a restart worker is on its way */
    int64_t own_reset_ms;           /* when we last reset the guest */
    int pause_reason;               /* the reason the next STOP has */
    bool quiet_events;              /* a job reports the change itself */
    vkp_conn *autodestroy;          /* destroy when this conn closes */
    unsigned long long balloon_kib; /* last known balloon size */
    /* Hotplug: DEVICE_DELETED seen for this alias. */
    char *deleted_alias;
    /* Migration in progress (qemu_migrate.c), held with the job from the
     * first phase to the last. */
    void *migration;
};

struct qemu_driver {
    int refs;
    char *key;                      /* its run dir: one driver per root */
    char *root;                     /* "?root" of the URI, or NULL */
    char *config_dir, *state_dir, *run_dir, *log_dir, *cache_dir;
    qemu_conf conf;
    qemu_kvm_info kvm;
    pthread_mutex_t lock;
    qemu_dom **doms;
    size_t ndoms, doms_cap;
    int next_id;
    pthread_mutex_t caps_lock;      /* caps: probes run under it, not under lock */
    qemu_caps **caps;
    size_t ncaps, caps_cap;
    pthread_mutex_t conns_lock;
    vkp_conn **conns;
    size_t nconns, conns_cap;
    qemu_watcher *watcher;
    pthread_mutex_t workers_lock;   /* in-flight worker threads */
    pthread_cond_t workers_cond;
    int workers;
};

struct vkp_conn {
    qemu_driver *drv;
    vkp_ctx *ctx;
};

/* Driver registry (qemu_plugin.c). */
void qemu_driver_unref(qemu_driver *drv);

/* Domain objects (qemu_domain.c). */
qemu_dom *qemu_dom_ref(qemu_dom *d);
void qemu_dom_unref(qemu_dom *d);
/* Find by vkp_ref (uuid first): a referenced domain or NULL with
 * VIRTKIT_ERR_NO_DOMAIN naming it. */
qemu_dom *qemu_dom_get(qemu_driver *drv, const vkp_ref *ref);
qemu_dom *qemu_dom_find_name(qemu_driver *drv, const char *name);
qemu_dom *qemu_dom_find_uuid(qemu_driver *drv, const unsigned char *uuid);
/* Add a new domain object for def (takes def); NULL on duplicates. */
qemu_dom *qemu_dom_add(qemu_driver *drv, vkp_def *def, bool persistent);
void qemu_dom_remove(qemu_driver *drv, qemu_dom *d);
void qemu_dom_fill_ref(qemu_dom *d, vkp_ref *out);
bool qemu_dom_active(const qemu_dom *d);
/* Name and uuid of a definition; *name host-allocated. */
int qemu_def_identity(const vkp_def *def, char **name, unsigned char uuid[16]);
/* Check that def is for this driver (type qemu/kvm) and buildable. */
int qemu_def_check(qemu_driver *drv, const vkp_def *def);
/* The domain a restore or an incoming migration of def goes into: the
 * existing one with its uuid, or a new transient one (*added). def stays
 * the caller's. */
qemu_dom *qemu_dom_for_incoming(qemu_driver *drv, const vkp_def *def, bool *added);
/* Drop a domain that qemu_dom_for_incoming added when nothing started. */
void qemu_dom_forget_unstarted(qemu_dom *d, bool added);
/* Remember why a persistent domain stopped, for later instances. */
void qemu_dom_keep_shutoff_reason(qemu_dom *d, int reason);
/* Write / delete the persistent definition file. */
int qemu_dom_save_config(qemu_dom *d);
int qemu_dom_delete_config(qemu_dom *d);
int qemu_dom_set_autostart_link(qemu_dom *d, bool on);
/* Load persistent definitions from the config dir. */
int qemu_dom_load_all(qemu_driver *drv);
char *qemu_managed_save_path(qemu_dom *d);

/* Jobs: begin waits (up to a limit) for the domain's current job, then
 * holds it; the error names the job that holds the domain. Called without
 * dom->lock; returns with it released. */
int qemu_job_begin(qemu_dom *d, qemu_job_kind kind, const char *name);
void qemu_job_end(qemu_dom *d);

/* The shape of every state-changing op: look up, take the job, run fn,
 * end the job. */
typedef int (*qemu_job_fn)(qemu_dom *d, void *arg);
int qemu_with_job(qemu_driver *drv, const vkp_ref *ref, qemu_job_kind kind, const char *name,
                  qemu_job_fn fn, void *arg);
/* 0 when d runs, else -1 with "domain 'x' is not running". */
int qemu_dom_check_active(qemu_dom *d);
/* Resolve VIRTKIT_DOMAIN_AFFECT_CURRENT in *flags (live when running, else
 * config) and check that the targets exist: -1 with an error when the
 * domain is not running for LIVE, or transient for CONFIG. */
int qemu_resolve_affect(qemu_dom *d, unsigned int *flags);
/* Referenced copies of the domain list, for walks without driver->lock. */
qemu_dom **qemu_dom_snapshot(qemu_driver *drv, size_t *n);
void qemu_dom_snapshot_free(qemu_dom **list, size_t n);
/* Say what the coming exit of qemu means (we are about to cause it). */
void qemu_dom_expect_stop(qemu_dom *d, int reason, int detail);

/* State: sets state/reason and, when it changes, emits the event
 * (event < 0: none). Called with dom->lock held. */
void qemu_dom_set_state(qemu_dom *d, int state, int reason, int event, int detail);
/* Events to every connection of the driver. */
void qemu_emit_lifecycle(qemu_dom *d, int event, int detail);
void qemu_emit_reboot(qemu_dom *d);
void qemu_emit_io_error(qemu_dom *d, const char *path, const char *alias, int action,
                        const char *reason);
void qemu_emit_device_removed(qemu_dom *d, const char *alias);
/* Reset the guest through QMP, remembering it was us (the firmware's
 * follow-up reset must not count as a guest reboot). */
int qemu_dom_reset(qemu_dom *d);
/* Run fn(d) on a new detached thread holding a reference (QMP work that
 * the watcher thread must not do). */
int qemu_dom_async(qemu_dom *d, void (*fn)(qemu_dom *d, void *arg), void *arg);

/* ------------------------------------------------------------ process -- */
typedef struct qemu_start_opts {
    unsigned int flags;             /* VIRTKIT_DOMAIN_START_* */
    int started_detail;             /* VIRTKIT_EVENT_STARTED_* */
    int running_reason;             /* VIRTKIT_RUNNING_* once resumed */
    const char *incoming;           /* "defer" or NULL */
    int incoming_fd;                /* -1, or an fd for -incoming fd:N */
    bool leave_paused;              /* do not cont (restore/migrate do) */
} qemu_start_opts;

/* Start qemu for d (job held, d inactive) with the live definition `live`
 * (taken). On failure everything is undone and the error says why (with
 * the tail of qemu's log when qemu itself failed). */
int qemu_process_start(qemu_dom *d, vkp_def *live, const qemu_start_opts *o);
/* Pin the threads of a starting (paused) qemu as <vcpu cpuset>, <cputune>
 * <vcpupin> and <emulatorpin> say (qemu_pin.c); 0 when nothing is pinned. */
int qemu_process_pin(qemu_dom *d, pid_t pid);
/* Write the cgroup limits of <cputune> (shares, global_period,
 * global_quota) and <memtune> (hard_limit, soft_limit) into qemu's group;
 * an error when the definition has some and cg is NULL. */
int qemu_process_tune(qemu_dom *d, vkc_cgroup *cg);
/* Stop d's qemu (job held): SIGTERM, SIGKILL after the configured time,
 * reap, release host resources, set shutoff with reason, emit the event
 * (detail < 0: none). */
int qemu_process_stop(qemu_dom *d, int reason, int detail, bool graceful);
/* Release everything of an exited qemu (job held). */
void qemu_process_teardown(qemu_dom *d);
/* Free a proc struct (closing its pidfd; the cgroup is forgotten, not
 * removed): for a driver leaving a running qemu behind. */
void qemu_proc_free(qemu_proc *p);
/* Resume vcpus (cont) and set running with reason. */
int qemu_process_resume(qemu_dom *d, int reason, int event_detail);
int qemu_process_pause(qemu_dom *d, int reason, int event_detail);
/* Poll an outgoing migration (save, migrate) until qemu says completed;
 * failure is an error of `code` naming `what`. */
int qemu_wait_migration(qemu_dom *d, const char *what, int code);
/* Poll an incoming qemu until it has loaded the state (left "inmigrate"). */
int qemu_wait_incoming(qemu_dom *d);
/* Write the status file of an active domain. */
int qemu_process_write_status(qemu_dom *d);
/* Reconnect to domains that a previous instance started. */
void qemu_process_reconnect_all(qemu_driver *drv);
/* The last lines of a domain's qemu log (for errors); caller frees. */
char *qemu_log_tail(const char *path, size_t max);
/* QMP command with the configured timeout on d's monitor (d->lock not
 * held). Fails with OPERATION_INVALID when d is not active. */
int qemu_dom_qmp(qemu_dom *d, const char *cmd, json_object *args, json_object **ret);
int qemu_dom_qmp_timeout(qemu_dom *d, const char *cmd, json_object *args, int timeout_ms,
                         json_object **ret);
/* Launch support shared with the migration and hotplug code. */
int qemu_net_prepare(qemu_dom *d, const vkp_def *iface, qemu_net_res *res);
void qemu_net_release(const char *tap_name);
char *qemu_tap_name_for(qemu_dom *d, const vkp_def *iface, size_t idx);

/* ----------------------------------------------------- operation tables -- */
extern const vkp_hypervisor_ops qemu_hypervisor_ops;

/* Ops implemented by the topic files and collected in qemu_plugin.c. */
/* Domain ops (qemu_ops.c). */
int qemu_op_num_of_domains(vkp_conn *c);
int qemu_op_num_of_defined_domains(vkp_conn *c);
int qemu_op_list_all_domains(vkp_conn *c, vkp_ref **refs, unsigned int flags);
int qemu_op_lookup_domain(vkp_conn *c, const char *name, const unsigned char *uuid, int id,
                                 vkp_ref *out);
int qemu_op_domain_define(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out);
int qemu_op_domain_undefine(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_create(vkp_conn *c, const vkp_ref *dom, unsigned int flags,
                                 vkp_ref *out);
int qemu_op_domain_create_xml(vkp_conn *c, const char *xml, unsigned int flags,
                                     vkp_ref *out);
int qemu_op_domain_shutdown(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_reboot(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_reset(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_destroy(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_suspend(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_resume(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_get_state(vkp_conn *c, const vkp_ref *dom, int *state, int *reason,
                                    int *cached, unsigned int flags);
char *qemu_op_domain_get_xml(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_domain_is_persistent(vkp_conn *c, const vkp_ref *dom);
int qemu_op_domain_get_autostart(vkp_conn *c, const vkp_ref *dom, int *autostart);
int qemu_op_domain_set_autostart(vkp_conn *c, const vkp_ref *dom, int autostart);
int qemu_op_domain_set_memory(vkp_conn *c, const vkp_ref *dom, unsigned long long kib,
                                     unsigned int flags);
int qemu_op_domain_pin(vkp_conn *c, const vkp_ref *dom, int vcpu, const char *cpuset,
                       unsigned int flags);
int qemu_op_domain_set_vcpus(vkp_conn *c, const vkp_ref *dom, unsigned int n,
                                    unsigned int flags);

int qemu_op_domain_save(vkp_conn *c, const vkp_ref *dom, const char *path, unsigned int flags);
int qemu_op_domain_restore(vkp_conn *c, const char *path, const char *xml, unsigned int flags);
char *qemu_op_save_image_get_xml(vkp_conn *c, const char *path, unsigned int flags);
int qemu_op_managed_save(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_has_managed_save(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_managed_save_remove(vkp_conn *c, const vkp_ref *dom, unsigned int flags);
int qemu_op_core_dump(vkp_conn *c, const vkp_ref *dom, const char *path, unsigned int flags);
/* Start d from its managed save image (job held). */
int qemu_restore_managed(qemu_dom *d, unsigned int flags);

int qemu_op_get_info(vkp_conn *c, const vkp_ref *dom, virtkit_domain_info *info);
int qemu_op_get_all_domain_stats(vkp_conn *c, unsigned int stats, unsigned int flags,
                                 vkp_domain_stats **records);

int qemu_op_attach_device(vkp_conn *c, const vkp_ref *dom, const char *xml, unsigned int flags);
int qemu_op_detach_device(vkp_conn *c, const vkp_ref *dom, const char *xml, unsigned int flags);
int qemu_op_update_device(vkp_conn *c, const vkp_ref *dom, const char *xml, unsigned int flags);

char *qemu_op_migrate_begin(vkp_conn *c, const vkp_ref *dom, const virtkit_params *params,
                            unsigned int flags);
int qemu_op_migrate_prepare(vkp_conn *c, const char *xml, const virtkit_params *params,
                            unsigned int flags, char **uri_out);
int qemu_op_migrate_perform(vkp_conn *c, const vkp_ref *dom, const char *uri,
                            const virtkit_params *params, unsigned int flags);
int qemu_op_migrate_finish(vkp_conn *c, const char *name, const virtkit_params *params,
                           unsigned int flags, int cancelled, vkp_ref *out);
int qemu_op_migrate_confirm(vkp_conn *c, const vkp_ref *dom, const virtkit_params *params,
                            unsigned int flags, int cancelled);

int qemu_op_open_console(vkp_conn *c, const vkp_ref *dom, const char *dev, unsigned int flags,
                         int *fd);

/* QMP event handling (qemu_events.c), installed on every domain monitor. */
extern const qemu_mon_cbs qemu_dom_mon_cbs;

/* ---------------------------------------------------- definition reader -- */
/* Accessors that treat "the schema does not know this path (yet)" like
 * "absent": the plugin reads elements the XML engineer may still be adding
 * without failing, and without leaving a stale error behind. */
const char *qemu_def_str(const vkp_def *n, const char *path);
int qemu_def_u64(const vkp_def *n, const char *path, uint64_t *out);
size_t qemu_def_count(const vkp_def *n, const char *path);
const vkp_def *qemu_def_child(const vkp_def *n, const char *path, size_t idx);
bool qemu_def_has(const vkp_def *n, const char *path);
/* Where an error should point: "<disk> (line 12)" / "<disk>". */
const char *qemu_def_where(const vkp_def *n, char *buf, size_t len);

#endif
