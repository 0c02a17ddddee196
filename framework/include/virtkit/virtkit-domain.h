/*
 * virtkit-domain.h: domains (virtual machines and containers).
 *
 * A domain is persistent (defined: its definition is kept until undefined)
 * and/or active (running or paused). A transient domain exists only while
 * active. State changes happen one at a time per domain (a job lock);
 * queries never wait for a job.
 */
#ifndef VIRTKIT_DOMAIN_H
#define VIRTKIT_DOMAIN_H

#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    VIRTKIT_DOMAIN_NOSTATE = 0,
    VIRTKIT_DOMAIN_RUNNING = 1,
    VIRTKIT_DOMAIN_BLOCKED = 2,
    VIRTKIT_DOMAIN_PAUSED = 3,
    VIRTKIT_DOMAIN_SHUTDOWN = 4,   /* being shut down */
    VIRTKIT_DOMAIN_SHUTOFF = 5,
    VIRTKIT_DOMAIN_CRASHED = 6,
    VIRTKIT_DOMAIN_PMSUSPENDED = 7,
} virtkit_domain_state;

/* Reasons, per state. */
typedef enum {
    VIRTKIT_RUNNING_UNKNOWN = 0,
    VIRTKIT_RUNNING_BOOTED = 1,
    VIRTKIT_RUNNING_MIGRATED = 2,
    VIRTKIT_RUNNING_RESTORED = 3,
    VIRTKIT_RUNNING_UNPAUSED = 4,
    VIRTKIT_RUNNING_SAVE_CANCELED = 5,
    VIRTKIT_RUNNING_WAKEUP = 6,
    VIRTKIT_RUNNING_CRASHED = 7,
    VIRTKIT_RUNNING_RESET = 8,
} virtkit_running_reason;

typedef enum {
    VIRTKIT_PAUSED_UNKNOWN = 0,
    VIRTKIT_PAUSED_USER = 1,
    VIRTKIT_PAUSED_MIGRATION = 2,
    VIRTKIT_PAUSED_SAVE = 3,
    VIRTKIT_PAUSED_DUMP = 4,
    VIRTKIT_PAUSED_IOERROR = 5,
    VIRTKIT_PAUSED_SHUTTING_DOWN = 6,
    VIRTKIT_PAUSED_CRASHED = 7,
    VIRTKIT_PAUSED_STARTING_UP = 8,
} virtkit_paused_reason;

typedef enum {
    VIRTKIT_SHUTDOWN_UNKNOWN = 0,
    VIRTKIT_SHUTDOWN_USER = 1,
} virtkit_shutdown_reason;

typedef enum {
    VIRTKIT_SHUTOFF_UNKNOWN = 0,
    VIRTKIT_SHUTOFF_SHUTDOWN = 1,
    VIRTKIT_SHUTOFF_DESTROYED = 2,
    VIRTKIT_SHUTOFF_CRASHED = 3,
    VIRTKIT_SHUTOFF_MIGRATED = 4,
    VIRTKIT_SHUTOFF_SAVED = 5,
    VIRTKIT_SHUTOFF_FAILED = 6,
    VIRTKIT_SHUTOFF_FROM_SNAPSHOT = 7,
} virtkit_shutoff_reason;

typedef enum {
    VIRTKIT_CRASHED_UNKNOWN = 0,
    VIRTKIT_CRASHED_PANICKED = 1,
} virtkit_crashed_reason;

/* Names for states and reasons ("running", "booted"), never NULL. */
VIRTKIT_API const char *virtkit_domain_state_name(int state);
VIRTKIT_API const char *virtkit_domain_reason_name(int state, int reason);

/* Versioned like libgit2's option structs: set .version (or use _INIT);
 * the core fills the fields that version has. */
#define VIRTKIT_DOMAIN_INFO_VERSION 1
typedef struct virtkit_domain_info {
    unsigned int version;
    int state;                         /* virtkit_domain_state */
    unsigned long long max_mem_kib;
    unsigned long long memory_kib;
    unsigned int nr_vcpus;
    unsigned long long cpu_time_ns;
} virtkit_domain_info;
#define VIRTKIT_DOMAIN_INFO_INIT { VIRTKIT_DOMAIN_INFO_VERSION, 0, 0, 0, 0, 0 }

/* ------------------------------------------------------------- lookup -- */
VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_name(virtkit_connect *conn, const char *name);
VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_uuid(virtkit_connect *conn, const unsigned char *uuid);
VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_uuid_string(virtkit_connect *conn, const char *uuid);
VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_id(virtkit_connect *conn, int id);

typedef enum {
    VIRTKIT_LIST_DOMAINS_ACTIVE = 1 << 0,
    VIRTKIT_LIST_DOMAINS_INACTIVE = 1 << 1,
    VIRTKIT_LIST_DOMAINS_PERSISTENT = 1 << 2,
    VIRTKIT_LIST_DOMAINS_TRANSIENT = 1 << 3,
    VIRTKIT_LIST_DOMAINS_RUNNING = 1 << 4,
    VIRTKIT_LIST_DOMAINS_PAUSED = 1 << 5,
    VIRTKIT_LIST_DOMAINS_SHUTOFF = 1 << 6,
    VIRTKIT_LIST_DOMAINS_OTHER = 1 << 7,
    VIRTKIT_LIST_DOMAINS_MANAGEDSAVE = 1 << 8,
    VIRTKIT_LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,
    VIRTKIT_LIST_DOMAINS_AUTOSTART = 1 << 10,
    VIRTKIT_LIST_DOMAINS_NO_AUTOSTART = 1 << 11,
} virtkit_list_domains_flags;

/* All domains matching the filter flags (0: all), sorted by name. Each
 * element is freed with virtkit_domain_free, the array with virtkit_free.
 * doms may be NULL to only count. Returns the count or -1. */
VIRTKIT_API int virtkit_connect_list_all_domains(virtkit_connect *conn, virtkit_domain ***doms,
                                                unsigned int flags);
/* Number of active domains: the cheapest call, also used as a no-op. */
VIRTKIT_API int virtkit_connect_num_of_domains(virtkit_connect *conn);
VIRTKIT_API int virtkit_connect_num_of_defined_domains(virtkit_connect *conn);

/* ---------------------------------------------------------- lifecycle -- */
typedef enum {
    VIRTKIT_DOMAIN_DEFINE_VALIDATE = 1 << 0, /* check against the RelaxNG schema */
} virtkit_domain_define_flags;

VIRTKIT_API virtkit_domain *virtkit_domain_define_xml(virtkit_connect *conn, const char *xml,
                                                     unsigned int flags);

typedef enum {
    VIRTKIT_DOMAIN_UNDEFINE_MANAGED_SAVE = 1 << 0, /* also remove a managed save image */
    VIRTKIT_DOMAIN_UNDEFINE_NVRAM = 1 << 1,
    VIRTKIT_DOMAIN_UNDEFINE_KEEP_NVRAM = 1 << 2,
} virtkit_domain_undefine_flags;
VIRTKIT_API int virtkit_domain_undefine(virtkit_domain *dom, unsigned int flags);

typedef enum {
    VIRTKIT_DOMAIN_START_PAUSED = 1 << 0,
    VIRTKIT_DOMAIN_START_AUTODESTROY = 1 << 1,  /* destroyed when conn closes */
    VIRTKIT_DOMAIN_START_BYPASS_CACHE = 1 << 2,
    VIRTKIT_DOMAIN_START_FORCE_BOOT = 1 << 3,   /* ignore a managed save */
    VIRTKIT_DOMAIN_START_VALIDATE = 1 << 4,     /* create_xml: schema check */
} virtkit_domain_start_flags;
/* Start a defined domain (from its managed save image if it has one). */
VIRTKIT_API int virtkit_domain_create(virtkit_domain *dom, unsigned int flags);
/* Create and start a transient domain. */
VIRTKIT_API virtkit_domain *virtkit_domain_create_xml(virtkit_connect *conn, const char *xml,
                                                     unsigned int flags);

typedef enum {
    VIRTKIT_DOMAIN_SHUTDOWN_DEFAULT = 0,
    VIRTKIT_DOMAIN_SHUTDOWN_ACPI = 1 << 0,
    VIRTKIT_DOMAIN_SHUTDOWN_AGENT = 1 << 1,
    VIRTKIT_DOMAIN_SHUTDOWN_SIGNAL = 1 << 2,     /* containers: SIGTERM to init */
    VIRTKIT_DOMAIN_SHUTDOWN_WAIT = 1 << 3,       /* return once shut off */
} virtkit_domain_shutdown_flags;
/* Ask the guest to shut down. Without _WAIT it returns once the request is
 * delivered; with it, it waits up to the configured timeout and fails with
 * VIRTKIT_ERR_GUEST ("guest ignored shutdown") if the guest keeps running. */
VIRTKIT_API int virtkit_domain_shutdown(virtkit_domain *dom, unsigned int flags);
VIRTKIT_API int virtkit_domain_reboot(virtkit_domain *dom, unsigned int flags);
/* Hard reset, like pressing the reset button. */
VIRTKIT_API int virtkit_domain_reset(virtkit_domain *dom, unsigned int flags);

typedef enum {
    VIRTKIT_DOMAIN_DESTROY_GRACEFUL = 1 << 0,   /* SIGTERM only, no SIGKILL */
} virtkit_domain_destroy_flags;
VIRTKIT_API int virtkit_domain_destroy(virtkit_domain *dom, unsigned int flags);
VIRTKIT_API int virtkit_domain_suspend(virtkit_domain *dom, unsigned int flags);
VIRTKIT_API int virtkit_domain_resume(virtkit_domain *dom, unsigned int flags);

typedef enum {
    VIRTKIT_DOMAIN_SAVE_BYPASS_CACHE = 1 << 0,
    VIRTKIT_DOMAIN_SAVE_RUNNING = 1 << 1,   /* restore running (default: as saved) */
    VIRTKIT_DOMAIN_SAVE_PAUSED = 1 << 2,    /* restore paused */
} virtkit_domain_save_flags;
/* Save the running domain's state to a file and stop it. */
VIRTKIT_API int virtkit_domain_save(virtkit_domain *dom, const char *path, unsigned int flags);
/* Restore from a save image; xml may replace the saved definition (same
 * name and uuid) or be NULL. */
VIRTKIT_API int virtkit_domain_restore(virtkit_connect *conn, const char *path, const char *xml,
                                       unsigned int flags);
/* The definition stored in a save image; caller frees. */
VIRTKIT_API char *virtkit_domain_save_image_get_xml(virtkit_connect *conn, const char *path,
                                                    unsigned int flags);
VIRTKIT_API int virtkit_domain_managed_save(virtkit_domain *dom, unsigned int flags);
VIRTKIT_API int virtkit_domain_has_managed_save(virtkit_domain *dom, unsigned int flags);
VIRTKIT_API int virtkit_domain_managed_save_remove(virtkit_domain *dom, unsigned int flags);

typedef enum {
    VIRTKIT_DUMP_MEMORY_ONLY = 1 << 0,
    VIRTKIT_DUMP_CRASH = 1 << 1,   /* stop the domain after the dump */
    VIRTKIT_DUMP_LIVE = 1 << 2,    /* do not pause while dumping */
} virtkit_dump_flags;
/* Write a guest memory core dump (ELF) to path. */
VIRTKIT_API int virtkit_domain_core_dump(virtkit_domain *dom, const char *path, unsigned int flags);

/* --------------------------------------------------------- properties -- */
VIRTKIT_API const char *virtkit_domain_get_name(virtkit_domain *dom);
VIRTKIT_API int virtkit_domain_get_uuid(virtkit_domain *dom, unsigned char *uuid);
VIRTKIT_API int virtkit_domain_get_uuid_string(virtkit_domain *dom, char *buf);
/* The id of a running domain, -1 when inactive. */
VIRTKIT_API int virtkit_domain_get_id(virtkit_domain *dom);
VIRTKIT_API virtkit_connect *virtkit_domain_get_connect(virtkit_domain *dom);
VIRTKIT_API int virtkit_domain_is_active(virtkit_domain *dom);
VIRTKIT_API int virtkit_domain_is_persistent(virtkit_domain *dom);
VIRTKIT_API int virtkit_domain_get_info(virtkit_domain *dom, virtkit_domain_info *info);

typedef enum {
    VIRTKIT_DOMAIN_STATE_CACHED = 1 << 0, /* output: answered from cached state (a job runs) */
} virtkit_domain_state_flags;
/* State and reason. cached (may be NULL) is set to 1 when a job was
 * running and the answer comes from the last known state. */
VIRTKIT_API int virtkit_domain_get_state(virtkit_domain *dom, int *state, int *reason,
                                         unsigned int flags);

typedef enum {
    VIRTKIT_DOMAIN_XML_SECURE = 1 << 0,    /* include secrets */
    VIRTKIT_DOMAIN_XML_INACTIVE = 1 << 1,  /* the persistent definition */
    VIRTKIT_DOMAIN_XML_AS_WRITTEN = 1 << 2,/* without post-parse defaults */
    VIRTKIT_DOMAIN_XML_MIGRATABLE = 1 << 3,
} virtkit_domain_xml_flags;
/* The definition as XML; caller frees. */
VIRTKIT_API char *virtkit_domain_get_xml(virtkit_domain *dom, unsigned int flags);

VIRTKIT_API int virtkit_domain_get_autostart(virtkit_domain *dom, int *autostart);
VIRTKIT_API int virtkit_domain_set_autostart(virtkit_domain *dom, int autostart);

typedef enum {
    VIRTKIT_DOMAIN_AFFECT_CURRENT = 0,
    VIRTKIT_DOMAIN_AFFECT_LIVE = 1 << 0,
    VIRTKIT_DOMAIN_AFFECT_CONFIG = 1 << 1,
} virtkit_domain_modify_flags;
VIRTKIT_API int virtkit_domain_set_memory(virtkit_domain *dom, unsigned long long kib,
                                          unsigned int flags);
VIRTKIT_API int virtkit_domain_set_vcpus(virtkit_domain *dom, unsigned int nvcpus,
                                         unsigned int flags);
/* CPU placement (since 1.1): the host CPUs vCPU `vcpu`, or the emulator's
 * other threads, may run on, as a CPU list "0-3,^2,8"; live and/or in the
 * configuration (AFFECT_*), shown in the XML as <cputune><vcpupin> and
 * <emulatorpin>. */
VIRTKIT_API int virtkit_domain_pin_vcpu(virtkit_domain *dom, unsigned int vcpu,
                                        const char *cpuset, unsigned int flags);
VIRTKIT_API int virtkit_domain_pin_emulator(virtkit_domain *dom, const char *cpuset,
                                            unsigned int flags);
/* Hotplug: attach/detach/update one device given as XML (<disk>, ...). */
VIRTKIT_API int virtkit_domain_attach_device(virtkit_domain *dom, const char *xml,
                                             unsigned int flags);
VIRTKIT_API int virtkit_domain_detach_device(virtkit_domain *dom, const char *xml,
                                             unsigned int flags);
VIRTKIT_API int virtkit_domain_update_device(virtkit_domain *dom, const char *xml,
                                             unsigned int flags);

/* ---------------------------------------------------------- statistics --
 * Stats groups, combined as a mask (0: all). Each record is a domain and a
 * typed parameter list: "state.state", "cpu.time", "balloon.current",
 * "vcpu.<n>.time", "block.count", "block.<n>.rd.bytes", "net.<n>.rx.bytes"...
 */
typedef enum {
    VIRTKIT_STATS_STATE = 1 << 0,
    VIRTKIT_STATS_CPU = 1 << 1,
    VIRTKIT_STATS_BALLOON = 1 << 2,
    VIRTKIT_STATS_VCPU = 1 << 3,
    VIRTKIT_STATS_INTERFACE = 1 << 4,
    VIRTKIT_STATS_BLOCK = 1 << 5,
} virtkit_domain_stats_types;

typedef enum {
    VIRTKIT_GET_STATS_ACTIVE = 1 << 0,
    VIRTKIT_GET_STATS_INACTIVE = 1 << 1,
    VIRTKIT_GET_STATS_NOWAIT = 1 << 2,  /* skip what would wait for a busy domain */
} virtkit_get_stats_flags;

typedef struct virtkit_domain_stats {
    virtkit_domain *dom;
    virtkit_params *params;
} virtkit_domain_stats;

VIRTKIT_API int virtkit_connect_get_all_domain_stats(virtkit_connect *conn, unsigned int stats,
                                                    virtkit_domain_stats ***records,
                                                    unsigned int flags);
VIRTKIT_API void virtkit_domain_stats_free(virtkit_domain_stats **records);

/* --------------------------------------------------------- migration --
 * Parameters: "uri" (destination transport URI), "dname", "xml",
 * "bandwidth" (MiB/s), "persist" ... Flags below. */
typedef enum {
    VIRTKIT_MIGRATE_LIVE = 1 << 0,
    VIRTKIT_MIGRATE_PERSIST_DEST = 1 << 1,
    VIRTKIT_MIGRATE_UNDEFINE_SOURCE = 1 << 2,
    VIRTKIT_MIGRATE_PAUSED = 1 << 3,
    VIRTKIT_MIGRATE_TUNNELLED = 1 << 4,
} virtkit_migrate_flags;
VIRTKIT_API virtkit_domain *virtkit_domain_migrate(virtkit_domain *dom, virtkit_connect *dest,
                                                   const virtkit_params *params,
                                                   unsigned int flags);

/* Consoles: attach a stream to the domain's serial console (dev NULL for
 * the first one). */
VIRTKIT_API int virtkit_domain_open_console(virtkit_domain *dom, const char *dev,
                                            virtkit_stream *st, unsigned int flags);

VIRTKIT_API int virtkit_domain_ref(virtkit_domain *dom);
VIRTKIT_API int virtkit_domain_free(virtkit_domain *dom);

#ifdef __cplusplus
}
#endif
#endif
