/*
 * virtkit-1/host.h: the services the core offers to plugins (the "host"
 * table), passed to the entry point and to init.
 *
 * A plugin calls nothing of the core but through this table. It grows only
 * at its tail, and its nested tables do the same. A plugin may use every
 * member its SDK minor declares: the core refuses plugins built against a
 * newer minor than its own, so the table it passes is never shorter.
 *
 * Memory rule: every pointer a plugin hands to the core for the core to own
 * (strings, arrays, references' names) comes from host->alloc / host->strdup;
 * everything the core hands over for the plugin to own is released with
 * host->free (or the matching free function of its kind).
 */
#ifndef VIRTKIT1_HOST_H
#define VIRTKIT1_HOST_H

#include <stdarg.h>
#include <virtkit-1/plugin.h>
#include <virtkit/virtkit-event.h>
#include <virtkit/virtkit-host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The core's side of one open connection: passed to a plugin's open op and
 * used to ask for the connection's paths and URI and to deliver events. */
typedef struct vkp_ctx vkp_ctx;

/* A node of a parsed definition (a domain, a disk, a network...). Opaque:
 * read and changed only through vkp_def_api, so the XML model can grow
 * without an ABI break. */
typedef struct vkp_def vkp_def;

/* The identity of a domain, network, pool or node device as the core and
 * plugins exchange it. Frozen for ABI 1. In results, name (and key/parent
 * below) are allocated with host->strdup and owned by the receiver. */
typedef struct vkp_ref {
    char *name;
    unsigned char uuid[16];
    int id;            /* domains: >= 0 while active, -1 otherwise */
} vkp_ref;

typedef enum {
    VKP_LOG_DEBUG = 1,
    VKP_LOG_INFO = 2,
    VKP_LOG_WARN = 3,
    VKP_LOG_ERROR = 4,
} vkp_log_level;

/* Per-connection directories. Every path derives from one root (the
 * configured root, or ?root= on embed URIs) so tests run isolated. Each is
 * the plugin's own subdirectory, e.g. <root>/run/virtkit/qemu. */
typedef enum {
    VKP_PATH_CONFIG = 0,   /* persistent definitions */
    VKP_PATH_STATE = 1,    /* persistent state (save images, nvram) */
    VKP_PATH_RUN = 2,      /* runtime status files, sockets */
    VKP_PATH_LOG = 3,
    VKP_PATH_CACHE = 4,    /* capability caches */
} vkp_path_kind;

typedef enum {
    VKP_DEF_DOMAIN = 0,
    VKP_DEF_NETWORK = 1,
    VKP_DEF_POOL = 2,
    VKP_DEF_VOLUME = 3,
    VKP_DEF_NODEDEV = 4,
    VKP_DEF_DEVICE = 5,    /* one domain device, for hotplug */
} vkp_def_kind;

typedef enum {
    VKP_DEF_PARSE_VALIDATE = 1 << 0,   /* also check the RelaxNG schema */
    VKP_DEF_PARSE_NO_DEFAULTS = 1 << 1,/* skip post-parse defaults */
    VKP_DEF_PARSE_STATUS = 1 << 2,     /* accept runtime-only fields (status files) */
} vkp_def_parse_flags;

typedef enum {
    VKP_DEF_FORMAT_INACTIVE = 1 << 0,  /* leave out runtime-only fields */
    VKP_DEF_FORMAT_AS_WRITTEN = 1 << 1,/* the definition before defaults */
    VKP_DEF_FORMAT_SECURE = 1 << 2,    /* include secrets */
    VKP_DEF_FORMAT_STATUS = 1 << 3,    /* everything, for status files */
} vkp_def_format_flags;

/* Definitions. Paths are '/'-separated element names with an optional
 * final "@attr"; an element's value is its text. Values come normalised:
 * memory in KiB, booleans "yes"/"no". For example on a domain:
 *   get(d, "name"), get_u64(d, "memory", &kib), get(d, "os/type/@arch"),
 *   count(d, "devices/disk"), child(d, "devices/disk", 0) -> a disk node,
 *   get(disk, "source/@file").
 * A path naming something the schema does not know is an error (NULL / -1
 * with VIRTKIT_ERR_INTERNAL), distinct from "absent" (NULL / 0, no error). */
typedef struct vkp_def_api {
    uint32_t struct_size;
    int (*parse)(vkp_def_kind kind, const char *xml, unsigned int flags, vkp_def **out);
    char *(*format)(const vkp_def *def, unsigned int flags);
    vkp_def *(*copy)(const vkp_def *def);
    void (*free)(vkp_def *def);
    /* The element name of a node ("domain", "disk"). */
    const char *(*element)(const vkp_def *node);
    const char *(*get)(const vkp_def *node, const char *path);
    /* 1 found, 0 absent, -1 not a number / unknown path (error set). */
    int (*get_u64)(const vkp_def *node, const char *path, uint64_t *out);
    int (*get_i64)(const vkp_def *node, const char *path, int64_t *out);
    /* 1 yes, 0 no, dflt when absent. */
    int (*get_bool)(const vkp_def *node, const char *path, int dflt);
    size_t (*count)(const vkp_def *node, const char *path);
    const vkp_def *(*child)(const vkp_def *node, const char *path, size_t idx);
    vkp_def *(*child_mut)(vkp_def *node, const char *path, size_t idx);
    /* Set (value != NULL) or remove (NULL) an attribute or text; creates
     * missing elements on the way. Checked against the schema. */
    int (*set)(vkp_def *node, const char *path, const char *value);
    /* Move `child` (parsed as VKP_DEF_DEVICE) under node at path
     * ("devices"), in schema order. Ownership passes to node. */
    int (*append)(vkp_def *node, const char *path, vkp_def *child);
    /* Detach and free the idx-th node matching path. */
    int (*remove)(vkp_def *node, const char *path, size_t idx);
    /* The parent node, NULL at the root. */
    const vkp_def *(*parent)(const vkp_def *node);
    /* The 1-based line in the parsed input, 0 when unknown. */
    int (*line)(const vkp_def *node);
    /* 1 when both subtrees are equal (element, attributes, text, children). */
    int (*equal)(const vkp_def *a, const vkp_def *b);
    /* Name of the idx-th child element of node (any name), NULL past the end;
     * lets a plugin walk elements it does not know, e.g. its own namespace. */
    const char *(*child_name)(const vkp_def *node, size_t idx);
    const vkp_def *(*nth_child)(const vkp_def *node, size_t idx);
    /* Parse a UUID string into 16 bytes: 0, or -1 (error set). */
    int (*uuid_parse)(const char *str, unsigned char uuid[16]);
    /* Format 16 bytes into buf (VIRTKIT_UUID_STRING_BUFLEN). */
    void (*uuid_format)(const unsigned char uuid[16], char *buf);
    void (*uuid_generate)(unsigned char uuid[16]);

    /* ---- since SDK 1.1 ---- */
    /* A new empty <element> under the node at path (created when missing;
     * "" for node itself), in schema order, to fill with set(); NULL with
     * an error when the schema has no such child there. */
    vkp_def *(*add)(vkp_def *node, const char *path, const char *element);
} vkp_def_api;

/* Typed parameter lists (virtkit_params), for stats and tunables. */
typedef struct vkp_params_api {
    uint32_t struct_size;
    virtkit_params *(*create)(void);
    void (*free)(virtkit_params *p);
    int (*add_int)(virtkit_params *p, const char *name, int v);
    int (*add_uint)(virtkit_params *p, const char *name, unsigned int v);
    int (*add_llong)(virtkit_params *p, const char *name, long long v);
    int (*add_ullong)(virtkit_params *p, const char *name, unsigned long long v);
    int (*add_double)(virtkit_params *p, const char *name, double v);
    int (*add_bool)(virtkit_params *p, const char *name, int v);
    int (*add_string)(virtkit_params *p, const char *name, const char *v);
    int (*get_int)(const virtkit_params *p, const char *name, int *v);
    int (*get_uint)(const virtkit_params *p, const char *name, unsigned int *v);
    int (*get_ullong)(const virtkit_params *p, const char *name, unsigned long long *v);
    int (*get_string)(const virtkit_params *p, const char *name, const char **v);
    size_t (*count)(const virtkit_params *p);
    const char *(*name)(const virtkit_params *p, size_t i);
} vkp_params_api;

/* The node's real resources as the core reads them (sysfs, /proc), for
 * plugins that run guests on this machine. */
typedef struct vkp_node_api {
    uint32_t struct_size;
    int (*get_info)(virtkit_node_info *info);
    int (*get_cpu_map)(unsigned char **cpumap, unsigned int *online);
    int (*cells_free_memory)(unsigned long long *free_bytes, int start_cell, int max_cells);
    int (*cpu_stats)(int cpu, virtkit_params **params);
    int (*memory_stats)(int cell, virtkit_params **params);
    /* The <host> element of the capabilities document, formatted. */
    char *(*capabilities_host_xml)(void);
    /* Architecture name of this machine ("x86_64"). */
    const char *(*arch)(void);
} vkp_node_api;

struct vkp_host {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;

    /* Memory. alloc returns zeroed memory and never returns NULL (the
     * process aborts on exhaustion, like the core itself). */
    void *(*alloc)(size_t n);
    void *(*realloc)(void *p, size_t n);
    char *(*strdup)(const char *s);
    void (*free)(void *p);
    char *(*asprintf)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

    /* Logging: to the core's log outputs, tagged with the plugin's name. */
    void (*log)(vkp_log_level level, const char *plugin, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* Errors: set the calling thread's error (virtkit_error). The message
     * should name the object and the value at fault. */
    void (*error)(int code, int subsystem, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    /* As error with VIRTKIT_ERR_SYSTEM, appending ": strerror(errnum)". */
    void (*error_system)(int errnum, int subsystem, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    /* The calling thread's current error code (0 when none). */
    int (*error_code)(void);

    /* Event loop (whatever loop the application or daemon registered).
     * Return -1 when no loop is registered. */
    int (*add_handle)(int fd, int events, virtkit_event_handle_cb cb, void *opaque,
                      virtkit_free_cb ff);
    void (*update_handle)(int watch, int events);
    int (*remove_handle)(int watch);
    int (*add_timeout)(int timeout_ms, virtkit_event_timeout_cb cb, void *opaque,
                       virtkit_free_cb ff);
    void (*update_timeout)(int timer, int timeout_ms);
    int (*remove_timeout)(int timer);

    /* Connection context. */
    /* The plugin's directory of a kind for this connection (created on
     * demand, mode 0700); caller frees. */
    char *(*ctx_path)(vkp_ctx *ctx, vkp_path_kind kind);
    /* URI parts of the connection: "scheme", "path", "host", "user" and
     * "?name" for query parameters. NULL when absent. Owned by ctx. */
    const char *(*ctx_uri)(vkp_ctx *ctx, const char *part);
    /* 1 when the connection is read-only. */
    int (*ctx_readonly)(vkp_ctx *ctx);
    /* Configuration of this plugin: "<confdir>/<plugin>.conf" (libconfig),
     * looked up by setting path ("security.user"). 1 found, 0 absent. */
    int (*config_string)(vkp_ctx *ctx, const char *key, const char **out);
    int (*config_int)(vkp_ctx *ctx, const char *key, long long *out);
    int (*config_bool)(vkp_ctx *ctx, const char *key, int *out);

    /* Events: delivered to the connection's registered callbacks, in order,
     * from the event loop thread. May be called from any thread. */
    void (*domain_event_lifecycle)(vkp_ctx *ctx, const vkp_ref *dom, int event, int detail);
    void (*domain_event_reboot)(vkp_ctx *ctx, const vkp_ref *dom);
    void (*domain_event_io_error)(vkp_ctx *ctx, const vkp_ref *dom, const char *src_path,
                                  const char *dev_alias, int action, const char *reason);
    void (*domain_event_device)(vkp_ctx *ctx, const vkp_ref *dom, int event_id,
                                const char *dev_alias);
    void (*network_event_lifecycle)(vkp_ctx *ctx, const vkp_ref *net, int event, int detail);
    void (*pool_event_lifecycle)(vkp_ctx *ctx, const vkp_ref *pool, int event, int detail);

    const vkp_def_api *def;
    const vkp_params_api *params;
    const vkp_node_api *node;

    /* Write data to path atomically (temp file, fsync, rename), mode 0600. */
    int (*write_file_atomic)(const char *path, const char *data, size_t len);
};

#ifdef __cplusplus
}
#endif
#endif
