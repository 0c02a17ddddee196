/*
 * core.h: the objects behind the public handles and the plumbing every
 * public entry point shares. Internal to libvirtkit (and virtkitd, which
 * links the same code statically).
 *
 * A connection talks to its node through the SDK's ops tables: for an
 * in-process URI they are a plugin's; for a daemon URI they are the
 * remote driver's (framework/rpc), which implements the same tables over
 * the wire. Public calls are therefore one thin layer: check arguments and
 * flags, refuse writes on read-only connections, call the op, wrap the
 * result in handles.
 */
#ifndef VK_CORE_H
#define VK_CORE_H

#include <pthread.h>
#include <virtkit-1/hypervisor.h>
#include <virtkit-1/network.h>
#include <virtkit-1/storage.h>
#include <virtkit/virtkit.h>

#include "error.h"
#include "paths.h"
#include "uri.h"
#include "util.h"

typedef struct vk_plugin vk_plugin;
typedef struct vk_event_state vk_event_state;
typedef struct vk_remote vk_remote;

/* Internal open flags (above the public ones). */
#define VK_CONNECT_NO_REMOTE (1u << 30) /* the daemon: always serve in-process */

struct vkp_ctx {
    virtkit_connect *conn;   /* back pointer; valid while the conn lives */
};

struct virtkit_connect {
    int refs;
    pthread_mutex_t lock;
    char *uri_str;
    vk_uri *uri;
    vk_paths *paths;
    unsigned int flags;
    bool readonly;
    const char *type;                 /* plugin name, or the remote's */
    vk_plugin *plugin;                /* NULL for remote connections */
    struct vkp_ctx ctx;
    const vkp_hypervisor_ops *hv;
    vkp_conn *hv_conn;
    const vkp_storage_ops *stor;
    vkp_conn *stor_conn;
    const vkp_network_ops *net;
    vkp_conn *net_conn;
    vk_remote *remote;                /* set for remote connections */
    vk_event_state *events;
    void *plugin_conf;                /* config_t *, loaded lazily */
    bool closed;
    virtkit_connect_close_cb close_cb;
    void *close_opaque;
    virtkit_free_cb close_ff;
};

struct virtkit_domain {
    int refs;
    virtkit_connect *conn;
    vkp_ref ref;
};

struct virtkit_network {
    int refs;
    virtkit_connect *conn;
    vkp_ref ref;
};

struct virtkit_pool {
    int refs;
    virtkit_connect *conn;
    vkp_ref ref;
};

struct virtkit_volume {
    int refs;
    virtkit_connect *conn;
    vkp_volref ref;
};

struct virtkit_nodedev {
    int refs;
    virtkit_connect *conn;
    char *name;
    char *parent;
};

/* Handle constructors: take ownership of ref's strings. */
virtkit_domain *vk_domain_new(virtkit_connect *conn, vkp_ref *ref);
virtkit_network *vk_network_new(virtkit_connect *conn, vkp_ref *ref);
virtkit_pool *vk_pool_new(virtkit_connect *conn, vkp_ref *ref);
virtkit_volume *vk_volume_new(virtkit_connect *conn, vkp_volref *ref);
virtkit_nodedev *vk_nodedev_new(virtkit_connect *conn, char *name, char *parent);
void vk_ref_clear(vkp_ref *ref);
/* Sort a driver's list by name and wrap each entry with make (or only free
 * them when !want). Takes the array; returns the handles, NULL-terminated. */
void **vk_refs_to_handles(virtkit_connect *conn, vkp_ref *refs, int n, bool want,
                          void *(*make)(virtkit_connect *, vkp_ref *));
void *vk_make_domain(virtkit_connect *conn, vkp_ref *ref);
void *vk_make_network(virtkit_connect *conn, vkp_ref *ref);
void *vk_make_pool(virtkit_connect *conn, vkp_ref *ref);
void vk_volref_clear(vkp_volref *ref);

/* Reference counting shared by all handles. */
static inline void vk_obj_ref(int *refs)
{
    __atomic_add_fetch(refs, 1, __ATOMIC_RELAXED);
}
static inline int vk_obj_unref(int *refs)
{
    return __atomic_sub_fetch(refs, 1, __ATOMIC_ACQ_REL);
}
void vk_connect_unref(virtkit_connect *conn);

/* The plugin config ("<confdir>/<plugin>.conf") of a connection. */
int vk_connect_config_lookup(virtkit_connect *conn, const char *key, int type, void *out);

/* ----------------------------------------------------- entry checks -- */
/* Every public entry point starts with these: clear the thread's error,
 * validate the handle, reject unknown flags. */
int vk_check_flags(const char *func, unsigned int flags, unsigned int known);
int vk_check_conn(const char *func, virtkit_connect *conn);
int vk_check_writable(const char *func, virtkit_connect *conn);
int vk_no_support(virtkit_connect *conn, const char *op);

#define VK_ENTRY_CONN(conn, flags, known, fail)                                        \
    do {                                                                               \
        virtkit_error_clear();                                                         \
        if (vk_check_conn(__func__, (conn)) < 0 ||                                     \
            vk_check_flags(__func__, (flags), (known)) < 0)                            \
            return fail;                                                               \
    } while (0)
#define VK_ENTRY_CONN_RW(conn, flags, known, fail)                                     \
    do {                                                                               \
        VK_ENTRY_CONN(conn, flags, known, fail);                                       \
        if (vk_check_writable(__func__, (conn)) < 0)                                   \
            return fail;                                                               \
    } while (0)
#define VK_ENTRY_OBJ(obj, flags, known, fail)                                          \
    do {                                                                               \
        virtkit_error_clear();                                                         \
        if (!(obj)) {                                                                  \
            vk_error_invalid_arg("%s: handle must not be NULL", __func__);             \
            return fail;                                                               \
        }                                                                              \
        if (vk_check_conn(__func__, (obj)->conn) < 0 ||                                \
            vk_check_flags(__func__, (flags), (known)) < 0)                            \
            return fail;                                                               \
    } while (0)
#define VK_ENTRY_OBJ_RW(obj, flags, known, fail)                                       \
    do {                                                                               \
        VK_ENTRY_OBJ(obj, flags, known, fail);                                         \
        if (vk_check_writable(__func__, (obj)->conn) < 0)                              \
            return fail;                                                               \
    } while (0)
/* Fetch op `m` of a connection's table or fail with "not supported". */
#define VK_OP(conn, tbl, type, m, fail)                                                \
    ({                                                                                 \
        if (!VKP_HAS_OP((conn)->tbl, type, m)) {                                       \
            vk_no_support((conn), #m);                                                 \
            return fail;                                                               \
        }                                                                              \
        (conn)->tbl->m;                                                                \
    })
#define VK_HV(conn, m, fail) VK_OP(conn, hv, vkp_hypervisor_ops, m, fail)
#define VK_STOR(conn, m, fail) VK_OP(conn, stor, vkp_storage_ops, m, fail)
#define VK_NET(conn, m, fail) VK_OP(conn, net, vkp_network_ops, m, fail)

/* An op failed without setting an error: a plugin bug; say so. */
void vk_ensure_error(virtkit_connect *conn, const char *op);

/* ------------------------------------------------------------- events -- */
vk_event_state *vk_event_state_new(void);
void vk_event_state_free(vk_event_state *st);
/* Queue an event for the connection's callbacks (any thread). */
typedef enum {
    VK_EV_DOMAIN_LIFECYCLE = 1,
    VK_EV_DOMAIN_REBOOT,
    VK_EV_DOMAIN_IO_ERROR,
    VK_EV_DOMAIN_DEVICE_REMOVED,
    VK_EV_DOMAIN_DEVICE_ADDED,
    VK_EV_NETWORK_LIFECYCLE,
    VK_EV_POOL_LIFECYCLE,
    VK_EV_NODEDEV_LIFECYCLE,
} vk_event_kind;

typedef struct vk_event {
    vk_event_kind kind;
    unsigned long long seq;
    vkp_ref obj;            /* the object (name, uuid, id) */
    int event;
    int detail;
    char *str1;             /* io error: src path; device: alias */
    char *str2;             /* io error: dev alias */
    char *str3;             /* io error: reason */
} vk_event;

/* Takes ownership of ev's strings; assigns seq unless ev->seq is set. */
void vk_event_queue(virtkit_connect *conn, vk_event *ev);
/* A sink takes every event of a connection instead of its callbacks:
 * called at once, in the thread that raised the event, with the
 * connection's event lock held (so it must not block, nor register or
 * deregister callbacks). NULL restores the callbacks; once that returns
 * the sink is not running and will not run again. virtkitd forwards its
 * clients' events this way, without a hop through its event loop. */
typedef void (*vk_event_sink_fn)(virtkit_connect *conn, const vk_event *ev, void *opaque);
void vk_event_set_sink(virtkit_connect *conn, vk_event_sink_fn fn, void *opaque);
void vk_event_clear(vk_event *ev);
/* Callbacks registered of a kind (the remote driver asks the daemon for
 * events only while someone listens). */
int vk_event_count_callbacks(virtkit_connect *conn, vk_event_kind kind);
/* Drop every callback (connection close). */
void vk_event_state_close(virtkit_connect *conn);

/* --------------------------------------------------------- host table -- */
extern const vkp_host vk_host_table;

/* ------------------------------------------------------------- remote -- */
/* Open conn through the daemon (framework/rpc/remote.c). Fills conn->hv,
 * ->stor, ->net with the remote driver's tables. */
int vk_remote_open(virtkit_connect *conn, unsigned int flags);
void vk_remote_close(vk_remote *r);
int vk_remote_is_alive(vk_remote *r);
int vk_remote_set_keepalive(vk_remote *r, int interval, unsigned int count);
/* Streams over the daemon connection (the remote driver binds st). */
int vk_remote_open_console(virtkit_domain *dom, const char *dev, virtkit_stream *st,
                           unsigned int flags);
int vk_remote_volume_transfer(virtkit_volume *vol, virtkit_stream *st, unsigned long long offset,
                              unsigned long long length, unsigned int flags, int for_write);
/* Called by the core when callbacks of a kind appear (1) or all go (0). */
int vk_remote_events_wanted(virtkit_connect *conn, vk_event_kind kind, bool on);

#endif
