/*
 * virtkit-event.h: event callbacks and the event loop they run in.
 *
 * Callbacks run from the event loop. The library has a default poll()-based
 * loop (register it, then call virtkit_event_run_default_impl() from one
 * thread, forever); an application with its own loop registers callbacks
 * instead. Register a loop before opening a connection that wants events.
 */
#ifndef VIRTKIT_EVENT_H
#define VIRTKIT_EVENT_H

#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    VIRTKIT_EVENT_HANDLE_READABLE = 1 << 0,
    VIRTKIT_EVENT_HANDLE_WRITABLE = 1 << 1,
    VIRTKIT_EVENT_HANDLE_ERROR = 1 << 2,
    VIRTKIT_EVENT_HANDLE_HANGUP = 1 << 3,
} virtkit_event_handle_type;

typedef void (*virtkit_event_handle_cb)(int watch, int fd, int events, void *opaque);
typedef void (*virtkit_event_timeout_cb)(int timer, void *opaque);
typedef void (*virtkit_free_cb)(void *opaque);

typedef int (*virtkit_event_add_handle_fn)(int fd, int events, virtkit_event_handle_cb cb,
                                           void *opaque, virtkit_free_cb ff);
typedef void (*virtkit_event_update_handle_fn)(int watch, int events);
typedef int (*virtkit_event_remove_handle_fn)(int watch);
/* timeout_ms: -1 disabled, 0 fire on every iteration, >0 period. */
typedef int (*virtkit_event_add_timeout_fn)(int timeout_ms, virtkit_event_timeout_cb cb,
                                            void *opaque, virtkit_free_cb ff);
typedef void (*virtkit_event_update_timeout_fn)(int timer, int timeout_ms);
typedef int (*virtkit_event_remove_timeout_fn)(int timer);

VIRTKIT_API void virtkit_event_register_impl(virtkit_event_add_handle_fn add_handle,
                                             virtkit_event_update_handle_fn update_handle,
                                             virtkit_event_remove_handle_fn remove_handle,
                                             virtkit_event_add_timeout_fn add_timeout,
                                             virtkit_event_update_timeout_fn update_timeout,
                                             virtkit_event_remove_timeout_fn remove_timeout);
VIRTKIT_API int virtkit_event_register_default_impl(void);
/* One iteration of the default loop: waits for and dispatches events. */
VIRTKIT_API int virtkit_event_run_default_impl(void);
/* Through whatever loop is registered. */
VIRTKIT_API int virtkit_event_add_handle(int fd, int events, virtkit_event_handle_cb cb,
                                         void *opaque, virtkit_free_cb ff);
VIRTKIT_API void virtkit_event_update_handle(int watch, int events);
VIRTKIT_API int virtkit_event_remove_handle(int watch);
VIRTKIT_API int virtkit_event_add_timeout(int timeout_ms, virtkit_event_timeout_cb cb,
                                          void *opaque, virtkit_free_cb ff);
VIRTKIT_API void virtkit_event_update_timeout(int timer, int timeout_ms);
VIRTKIT_API int virtkit_event_remove_timeout(int timer);

/* ------------------------------------------------- domain lifecycle events */
typedef enum {
    VIRTKIT_EVENT_DEFINED = 0,
    VIRTKIT_EVENT_UNDEFINED = 1,
    VIRTKIT_EVENT_STARTED = 2,
    VIRTKIT_EVENT_SUSPENDED = 3,
    VIRTKIT_EVENT_RESUMED = 4,
    VIRTKIT_EVENT_STOPPED = 5,
    VIRTKIT_EVENT_SHUTDOWN = 6,      /* the guest began shutting down */
    VIRTKIT_EVENT_PMSUSPENDED = 7,
    VIRTKIT_EVENT_CRASHED = 8,
} virtkit_domain_event_type;

/* Details, per event type. */
typedef enum {
    VIRTKIT_EVENT_DEFINED_ADDED = 0,
    VIRTKIT_EVENT_DEFINED_UPDATED = 1,
    VIRTKIT_EVENT_DEFINED_RENAMED = 2,
    VIRTKIT_EVENT_DEFINED_FROM_SNAPSHOT = 3,
} virtkit_event_defined_detail;
typedef enum {
    VIRTKIT_EVENT_UNDEFINED_REMOVED = 0,
    VIRTKIT_EVENT_UNDEFINED_RENAMED = 1,
} virtkit_event_undefined_detail;
typedef enum {
    VIRTKIT_EVENT_STARTED_BOOTED = 0,
    VIRTKIT_EVENT_STARTED_MIGRATED = 1,
    VIRTKIT_EVENT_STARTED_RESTORED = 2,
    VIRTKIT_EVENT_STARTED_FROM_SNAPSHOT = 3,
    VIRTKIT_EVENT_STARTED_WAKEUP = 4,
} virtkit_event_started_detail;
typedef enum {
    VIRTKIT_EVENT_SUSPENDED_PAUSED = 0,
    VIRTKIT_EVENT_SUSPENDED_MIGRATED = 1,
    VIRTKIT_EVENT_SUSPENDED_IOERROR = 2,
    VIRTKIT_EVENT_SUSPENDED_WATCHDOG = 3,
    VIRTKIT_EVENT_SUSPENDED_RESTORED = 4,
    VIRTKIT_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    VIRTKIT_EVENT_SUSPENDED_API_ERROR = 6,
    VIRTKIT_EVENT_SUSPENDED_POSTCOPY = 7,
    VIRTKIT_EVENT_SUSPENDED_POSTCOPY_FAILED = 8,
} virtkit_event_suspended_detail;
typedef enum {
    VIRTKIT_EVENT_RESUMED_UNPAUSED = 0,
    VIRTKIT_EVENT_RESUMED_MIGRATED = 1,
    VIRTKIT_EVENT_RESUMED_FROM_SNAPSHOT = 2,
} virtkit_event_resumed_detail;
typedef enum {
    VIRTKIT_EVENT_STOPPED_SHUTDOWN = 0,
    VIRTKIT_EVENT_STOPPED_DESTROYED = 1,
    VIRTKIT_EVENT_STOPPED_CRASHED = 2,
    VIRTKIT_EVENT_STOPPED_MIGRATED = 3,
    VIRTKIT_EVENT_STOPPED_SAVED = 4,
    VIRTKIT_EVENT_STOPPED_FAILED = 5,
} virtkit_event_stopped_detail;
typedef enum {
    VIRTKIT_EVENT_SHUTDOWN_FINISHED = 0,
    VIRTKIT_EVENT_SHUTDOWN_GUEST = 1,
    VIRTKIT_EVENT_SHUTDOWN_HOST = 2,
} virtkit_event_shutdown_detail;
typedef enum {
    VIRTKIT_EVENT_CRASHED_PANICKED = 0,
} virtkit_event_crashed_detail;

VIRTKIT_API const char *virtkit_domain_event_name(int event);
VIRTKIT_API const char *virtkit_domain_event_detail_name(int event, int detail);

/* Event ids: which callback shape a registration uses. */
typedef enum {
    VIRTKIT_DOMAIN_EVENT_ID_LIFECYCLE = 0,  /* virtkit_domain_event_lifecycle_cb */
    VIRTKIT_DOMAIN_EVENT_ID_REBOOT = 1,     /* virtkit_domain_event_generic_cb */
    VIRTKIT_DOMAIN_EVENT_ID_IO_ERROR = 2,   /* virtkit_domain_event_io_error_cb */
    VIRTKIT_DOMAIN_EVENT_ID_DEVICE_REMOVED = 3, /* virtkit_domain_event_device_cb */
    VIRTKIT_DOMAIN_EVENT_ID_DEVICE_ADDED = 4,   /* virtkit_domain_event_device_cb */
} virtkit_domain_event_id;

typedef void (*virtkit_domain_event_lifecycle_cb)(virtkit_connect *conn, virtkit_domain *dom,
                                                  int event, int detail, void *opaque);
typedef void (*virtkit_domain_event_generic_cb)(virtkit_connect *conn, virtkit_domain *dom,
                                                void *opaque);
typedef void (*virtkit_domain_event_io_error_cb)(virtkit_connect *conn, virtkit_domain *dom,
                                                 const char *src_path, const char *dev_alias,
                                                 int action, const char *reason, void *opaque);
typedef void (*virtkit_domain_event_device_cb)(virtkit_connect *conn, virtkit_domain *dom,
                                               const char *dev_alias, void *opaque);
typedef void (*virtkit_event_generic_cb)(void);
#define VIRTKIT_EVENT_CALLBACK(cb) ((virtkit_event_generic_cb)(void (*)(void))(cb))

/* Register cb for events of dom (or every domain when dom is NULL).
 * Returns a callback id >= 0 for deregistration, or -1. */
VIRTKIT_API int virtkit_connect_domain_event_register(virtkit_connect *conn, virtkit_domain *dom,
                                                     int event_id, virtkit_event_generic_cb cb,
                                                     void *opaque, virtkit_free_cb ff);
VIRTKIT_API int virtkit_connect_domain_event_deregister(virtkit_connect *conn, int callback_id);
/* The sequence number of the last event delivered on conn; a remote
 * connection reopened with ?resume_events=N gets events after N. */
VIRTKIT_API int virtkit_connect_last_event_seq(virtkit_connect *conn, unsigned long long *seq);

/* ----------------------------------------------------- other object events */
typedef enum {
    VIRTKIT_NETWORK_EVENT_DEFINED = 0,
    VIRTKIT_NETWORK_EVENT_UNDEFINED = 1,
    VIRTKIT_NETWORK_EVENT_STARTED = 2,
    VIRTKIT_NETWORK_EVENT_STOPPED = 3,
} virtkit_network_event_type;
typedef void (*virtkit_network_event_lifecycle_cb)(virtkit_connect *conn, virtkit_network *net,
                                                   int event, int detail, void *opaque);
VIRTKIT_API int virtkit_connect_network_event_register(virtkit_connect *conn, virtkit_network *net,
                                                      virtkit_network_event_lifecycle_cb cb,
                                                      void *opaque, virtkit_free_cb ff);
VIRTKIT_API int virtkit_connect_network_event_deregister(virtkit_connect *conn, int callback_id);

typedef enum {
    VIRTKIT_POOL_EVENT_DEFINED = 0,
    VIRTKIT_POOL_EVENT_UNDEFINED = 1,
    VIRTKIT_POOL_EVENT_STARTED = 2,
    VIRTKIT_POOL_EVENT_STOPPED = 3,
    VIRTKIT_POOL_EVENT_CREATED = 4,
    VIRTKIT_POOL_EVENT_DELETED = 5,
} virtkit_pool_event_type;
typedef void (*virtkit_pool_event_lifecycle_cb)(virtkit_connect *conn, virtkit_pool *pool,
                                                int event, int detail, void *opaque);
VIRTKIT_API int virtkit_connect_pool_event_register(virtkit_connect *conn, virtkit_pool *pool,
                                                   virtkit_pool_event_lifecycle_cb cb,
                                                   void *opaque, virtkit_free_cb ff);
VIRTKIT_API int virtkit_connect_pool_event_deregister(virtkit_connect *conn, int callback_id);

typedef enum {
    VIRTKIT_NODEDEV_EVENT_CREATED = 0,
    VIRTKIT_NODEDEV_EVENT_DELETED = 1,
    VIRTKIT_NODEDEV_EVENT_DEFINED = 2,
    VIRTKIT_NODEDEV_EVENT_UNDEFINED = 3,
} virtkit_nodedev_event_type;
typedef void (*virtkit_nodedev_event_lifecycle_cb)(virtkit_connect *conn, virtkit_nodedev *dev,
                                                   int event, int detail, void *opaque);
VIRTKIT_API int virtkit_connect_nodedev_event_register(virtkit_connect *conn, virtkit_nodedev *dev,
                                                      virtkit_nodedev_event_lifecycle_cb cb,
                                                      void *opaque, virtkit_free_cb ff);
VIRTKIT_API int virtkit_connect_nodedev_event_deregister(virtkit_connect *conn, int callback_id);

#ifdef __cplusplus
}
#endif
#endif
