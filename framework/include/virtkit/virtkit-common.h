/*
 * virtkit-common.h: handles, errors, typed parameter lists and versions
 * shared by every family of the public API. Include <virtkit/virtkit.h>.
 */
#ifndef VIRTKIT_COMMON_H
#define VIRTKIT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VIRTKIT_API __attribute__((visibility("default")))
#else
#define VIRTKIT_API
#endif

/* Opaque, reference-counted handles. Each is released with its _free(). */
typedef struct virtkit_connect virtkit_connect;
typedef struct virtkit_domain virtkit_domain;
typedef struct virtkit_network virtkit_network;
typedef struct virtkit_pool virtkit_pool;
typedef struct virtkit_volume virtkit_volume;
typedef struct virtkit_nodedev virtkit_nodedev;
typedef struct virtkit_stream virtkit_stream;
typedef struct virtkit_params virtkit_params;

#define VIRTKIT_UUID_BUFLEN 16
#define VIRTKIT_UUID_STRING_BUFLEN 37

/* ------------------------------------------------------------- errors --
 * Every call that fails returns -1 or NULL and records one error in a
 * thread-local slot: a code to branch on, the subsystem that failed, and a
 * message for people. A successful public call clears the slot. Values are
 * fixed forever; new codes are appended.
 */
typedef enum {
    VIRTKIT_ERR_OK = 0,
    VIRTKIT_ERR_INTERNAL = 1,          /* a bug or an impossible state */
    VIRTKIT_ERR_NO_MEMORY = 2,
    VIRTKIT_ERR_INVALID_ARG = 3,       /* NULL handle, bad value */
    VIRTKIT_ERR_INVALID_FLAGS = 4,     /* a flag bit the call does not know */
    VIRTKIT_ERR_NO_SUPPORT = 5,        /* the backend lacks this operation */
    VIRTKIT_ERR_INVALID_URI = 6,
    VIRTKIT_ERR_NO_CONNECT = 7,        /* no plugin serves the URI */
    VIRTKIT_ERR_XML = 8,               /* malformed or unsupported XML */
    VIRTKIT_ERR_CONFIG_UNSUPPORTED = 9,/* valid XML the backend cannot do */
    VIRTKIT_ERR_NO_DOMAIN = 10,
    VIRTKIT_ERR_NO_NETWORK = 11,
    VIRTKIT_ERR_NO_POOL = 12,
    VIRTKIT_ERR_NO_VOLUME = 13,
    VIRTKIT_ERR_NO_NODEDEV = 14,
    VIRTKIT_ERR_OPERATION_INVALID = 15,/* not allowed in the current state */
    VIRTKIT_ERR_OPERATION_FAILED = 16, /* the backend tried and failed */
    VIRTKIT_ERR_OPERATION_TIMEOUT = 17,
    VIRTKIT_ERR_OPERATION_DENIED = 18, /* access control or read-only */
    VIRTKIT_ERR_DUPLICATE = 19,        /* name or uuid already in use */
    VIRTKIT_ERR_SYSTEM = 20,           /* a system call failed (errno text) */
    VIRTKIT_ERR_PLUGIN = 21,           /* a plugin was refused by the loader */
    VIRTKIT_ERR_RPC = 22,              /* wire protocol violation */
    VIRTKIT_ERR_CONNECTION_CLOSED = 23,
    VIRTKIT_ERR_AUTH_FAILED = 24,
    VIRTKIT_ERR_TLS = 25,
    VIRTKIT_ERR_CONF = 26,             /* a configuration file is invalid */
    VIRTKIT_ERR_NO_BINARY = 27,        /* a needed program is missing */
    VIRTKIT_ERR_SAVE_IMAGE = 28,       /* corrupt or truncated save image */
    VIRTKIT_ERR_AGAIN = 29,            /* busy: a job holds the object */
    VIRTKIT_ERR_MIGRATE = 30,
    VIRTKIT_ERR_GUEST = 31,            /* the guest did not cooperate */
    VIRTKIT_ERR_STREAM = 32,
    VIRTKIT_ERR_EVENTS_MISSED = 33,    /* resumed events fell out of the backlog */
    VIRTKIT_ERR_NO_DEVICE = 34,
} virtkit_error_code;

typedef enum {
    VIRTKIT_SUB_NONE = 0,
    VIRTKIT_SUB_CORE = 1,
    VIRTKIT_SUB_CONF = 2,
    VIRTKIT_SUB_URI = 3,
    VIRTKIT_SUB_XML = 4,
    VIRTKIT_SUB_PLUGIN = 5,
    VIRTKIT_SUB_EVENT = 6,
    VIRTKIT_SUB_RPC = 7,
    VIRTKIT_SUB_REMOTE = 8,
    VIRTKIT_SUB_HOST = 9,
    VIRTKIT_SUB_HYPERVISOR = 10,
    VIRTKIT_SUB_STORAGE = 11,
    VIRTKIT_SUB_NETWORK = 12,
    VIRTKIT_SUB_NODEDEV = 13,
    VIRTKIT_SUB_ACCESS = 14,
    VIRTKIT_SUB_STREAM = 15,
    VIRTKIT_SUB_DAEMON = 16,
} virtkit_error_subsystem;

typedef struct virtkit_error {
    int code;              /* virtkit_error_code */
    int subsystem;         /* virtkit_error_subsystem */
    const char *message;   /* never NULL once set */
} virtkit_error;

/* The last error of this thread, or NULL when the last call succeeded.
 * Valid until the next virtkit call on this thread. */
VIRTKIT_API const virtkit_error *virtkit_error_last(void);
VIRTKIT_API void virtkit_error_clear(void);
/* Names for codes and subsystems ("no-domain", "qemu"...), never NULL. */
VIRTKIT_API const char *virtkit_error_code_name(int code);
VIRTKIT_API const char *virtkit_error_subsystem_name(int subsystem);

/* ------------------------------------------------- typed parameter lists --
 * Open-ended inputs and outputs (stats, tunables, migration options) are
 * lists of (name, type, value). Names are unique within a list except where
 * a call documents otherwise.
 */
typedef enum {
    VIRTKIT_PARAM_INT = 1,
    VIRTKIT_PARAM_UINT = 2,
    VIRTKIT_PARAM_LLONG = 3,
    VIRTKIT_PARAM_ULLONG = 4,
    VIRTKIT_PARAM_DOUBLE = 5,
    VIRTKIT_PARAM_BOOLEAN = 6,
    VIRTKIT_PARAM_STRING = 7,
} virtkit_param_type;

VIRTKIT_API virtkit_params *virtkit_params_new(void);
VIRTKIT_API void virtkit_params_free(virtkit_params *p);
/* Adding a name that exists replaces its value and type. */
VIRTKIT_API int virtkit_params_add_int(virtkit_params *p, const char *name, int v);
VIRTKIT_API int virtkit_params_add_uint(virtkit_params *p, const char *name, unsigned int v);
VIRTKIT_API int virtkit_params_add_llong(virtkit_params *p, const char *name, long long v);
VIRTKIT_API int virtkit_params_add_ullong(virtkit_params *p, const char *name, unsigned long long v);
VIRTKIT_API int virtkit_params_add_double(virtkit_params *p, const char *name, double v);
VIRTKIT_API int virtkit_params_add_bool(virtkit_params *p, const char *name, int v);
VIRTKIT_API int virtkit_params_add_string(virtkit_params *p, const char *name, const char *v);
/* Getters return 1 when found, 0 when absent, -1 (error set) when the
 * parameter exists with another type. Strings stay owned by the list. */
VIRTKIT_API int virtkit_params_get_int(const virtkit_params *p, const char *name, int *v);
VIRTKIT_API int virtkit_params_get_uint(const virtkit_params *p, const char *name, unsigned int *v);
VIRTKIT_API int virtkit_params_get_llong(const virtkit_params *p, const char *name, long long *v);
VIRTKIT_API int virtkit_params_get_ullong(const virtkit_params *p, const char *name, unsigned long long *v);
VIRTKIT_API int virtkit_params_get_double(const virtkit_params *p, const char *name, double *v);
VIRTKIT_API int virtkit_params_get_bool(const virtkit_params *p, const char *name, int *v);
VIRTKIT_API int virtkit_params_get_string(const virtkit_params *p, const char *name, const char **v);
/* Iteration in insertion order. */
VIRTKIT_API size_t virtkit_params_count(const virtkit_params *p);
VIRTKIT_API const char *virtkit_params_name(const virtkit_params *p, size_t i);
VIRTKIT_API int virtkit_params_type(const virtkit_params *p, size_t i);
/* The value of entry i printed as text ("42", "yes", "3.5", the string),
 * malloc'd, for tools that show every parameter. */
VIRTKIT_API char *virtkit_params_value_string(const virtkit_params *p, size_t i);

/* Free an array of n lists (as returned by lease and plugin listings). */
VIRTKIT_API void virtkit_params_array_free(virtkit_params **arr, int n);

/* ------------------------------------------------------------ versions --
 * Versions are major * 1000000 + minor * 1000 + micro. */
VIRTKIT_API unsigned long long virtkit_library_version(void);
/* The plugin ABI this core implements (major, minor). */
VIRTKIT_API void virtkit_plugin_abi(unsigned int *major, unsigned int *minor);

/* Free a string or array that a call documented as "caller frees". */
VIRTKIT_API void virtkit_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
