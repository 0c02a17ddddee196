/*
 * error.c: the per-thread last error. One slot per thread; a new error
 * replaces the old. The message is owned by the slot and lives until the
 * next error or clear on that thread.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"

static __thread virtkit_error tls_error;
static __thread char *tls_message;

/* The message of a thread that exits with an error set is freed by this
 * key's destructor (the thread-local pointer alone would leak it). */
static pthread_key_t msg_key;
static pthread_once_t msg_key_once = PTHREAD_ONCE_INIT;

static void msg_free(void *p)
{
    free(p);
}

static void msg_key_init(void)
{
    pthread_key_create(&msg_key, msg_free);
}

static void msg_track(char *m)
{
    pthread_once(&msg_key_once, msg_key_init);
    pthread_setspecific(msg_key, m);
}

void vk_error_set_raw(int code, int subsystem, const char *message)
{
    char *m = vk_strdup(message ? message : "unknown error");
    free(tls_message);
    tls_message = m;
    msg_track(m);
    tls_error.code = code;
    tls_error.subsystem = subsystem;
    tls_error.message = tls_message;
}

void vk_error_vset(int code, int subsystem, const char *fmt, va_list ap)
{
    char *m = vk_vasprintf(fmt, ap);
    free(tls_message);
    tls_message = m;
    msg_track(m);
    tls_error.code = code;
    tls_error.subsystem = subsystem;
    tls_error.message = tls_message;
}

void vk_error_set(int code, int subsystem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vk_error_vset(code, subsystem, fmt, ap);
    va_end(ap);
}

void vk_error_vsystem(int errnum, int subsystem, const char *fmt, va_list ap)
{
    VK_AUTOFREE(char *) m = vk_vasprintf(fmt, ap);
    char buf[256];
    const char *es = strerror_r(errnum, buf, sizeof(buf));
    vk_error_set(VIRTKIT_ERR_SYSTEM, subsystem, "%s: %s", m, es);
}

void vk_error_system(int errnum, int subsystem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vk_error_vsystem(errnum, subsystem, fmt, ap);
    va_end(ap);
}

void vk_error_prefix(const char *fmt, ...)
{
    if (!tls_error.code)
        return;
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) p = vk_vasprintf(fmt, ap);
    va_end(ap);
    char *m = vk_asprintf("%s%s", p, tls_message);
    free(tls_message);
    tls_message = m;
    msg_track(m);
    tls_error.message = m;
}

int vk_error_code(void)
{
    return tls_error.code;
}

const char *vk_error_message(void)
{
    return tls_error.code ? tls_error.message : NULL;
}

struct vk_saved_error {
    int code;
    int subsystem;
    char *message;
};

vk_saved_error *vk_error_save(void)
{
    vk_saved_error *e = vk_alloc(sizeof(*e));
    e->code = tls_error.code;
    e->subsystem = tls_error.subsystem;
    e->message = vk_strdup(tls_message);
    return e;
}

void vk_error_restore(vk_saved_error *e)
{
    if (!e)
        return;
    if (e->code)
        vk_error_set_raw(e->code, e->subsystem, e->message);
    else
        virtkit_error_clear();
    free(e->message);
    free(e);
}

VIRTKIT_API const virtkit_error *virtkit_error_last(void)
{
    return tls_error.code ? &tls_error : NULL;
}

VIRTKIT_API void virtkit_error_clear(void)
{
    if (!tls_message && !tls_error.code)
        return;
    free(tls_message);
    tls_message = NULL;
    msg_track(NULL);
    tls_error.code = 0;
    tls_error.subsystem = 0;
    tls_error.message = NULL;
}

/* Names are part of the CLI's --json output and the RPC error mapping, so
 * they are stable like the codes. */
static const char *const code_names[] = {
    [VIRTKIT_ERR_OK] = "ok",
    [VIRTKIT_ERR_INTERNAL] = "internal",
    [VIRTKIT_ERR_NO_MEMORY] = "no-memory",
    [VIRTKIT_ERR_INVALID_ARG] = "invalid-arg",
    [VIRTKIT_ERR_INVALID_FLAGS] = "invalid-flags",
    [VIRTKIT_ERR_NO_SUPPORT] = "no-support",
    [VIRTKIT_ERR_INVALID_URI] = "invalid-uri",
    [VIRTKIT_ERR_NO_CONNECT] = "no-connect",
    [VIRTKIT_ERR_XML] = "xml",
    [VIRTKIT_ERR_CONFIG_UNSUPPORTED] = "config-unsupported",
    [VIRTKIT_ERR_NO_DOMAIN] = "no-domain",
    [VIRTKIT_ERR_NO_NETWORK] = "no-network",
    [VIRTKIT_ERR_NO_POOL] = "no-pool",
    [VIRTKIT_ERR_NO_VOLUME] = "no-volume",
    [VIRTKIT_ERR_NO_NODEDEV] = "no-nodedev",
    [VIRTKIT_ERR_OPERATION_INVALID] = "operation-invalid",
    [VIRTKIT_ERR_OPERATION_FAILED] = "operation-failed",
    [VIRTKIT_ERR_OPERATION_TIMEOUT] = "operation-timeout",
    [VIRTKIT_ERR_OPERATION_DENIED] = "operation-denied",
    [VIRTKIT_ERR_DUPLICATE] = "duplicate",
    [VIRTKIT_ERR_SYSTEM] = "system",
    [VIRTKIT_ERR_PLUGIN] = "plugin",
    [VIRTKIT_ERR_RPC] = "rpc",
    [VIRTKIT_ERR_CONNECTION_CLOSED] = "connection-closed",
    [VIRTKIT_ERR_AUTH_FAILED] = "auth-failed",
    [VIRTKIT_ERR_TLS] = "tls",
    [VIRTKIT_ERR_CONF] = "conf",
    [VIRTKIT_ERR_NO_BINARY] = "no-binary",
    [VIRTKIT_ERR_SAVE_IMAGE] = "save-image",
    [VIRTKIT_ERR_AGAIN] = "again",
    [VIRTKIT_ERR_MIGRATE] = "migrate",
    [VIRTKIT_ERR_GUEST] = "guest",
    [VIRTKIT_ERR_STREAM] = "stream",
    [VIRTKIT_ERR_EVENTS_MISSED] = "events-missed",
    [VIRTKIT_ERR_NO_DEVICE] = "no-device",
};

static const char *const subsystem_names[] = {
    [VIRTKIT_SUB_NONE] = "none",
    [VIRTKIT_SUB_CORE] = "core",
    [VIRTKIT_SUB_CONF] = "conf",
    [VIRTKIT_SUB_URI] = "uri",
    [VIRTKIT_SUB_XML] = "xml",
    [VIRTKIT_SUB_PLUGIN] = "plugin",
    [VIRTKIT_SUB_EVENT] = "event",
    [VIRTKIT_SUB_RPC] = "rpc",
    [VIRTKIT_SUB_REMOTE] = "remote",
    [VIRTKIT_SUB_HOST] = "host",
    [VIRTKIT_SUB_HYPERVISOR] = "hypervisor",
    [VIRTKIT_SUB_STORAGE] = "storage",
    [VIRTKIT_SUB_NETWORK] = "network",
    [VIRTKIT_SUB_NODEDEV] = "nodedev",
    [VIRTKIT_SUB_ACCESS] = "access",
    [VIRTKIT_SUB_STREAM] = "stream",
    [VIRTKIT_SUB_DAEMON] = "daemon",
};

VIRTKIT_API const char *virtkit_error_code_name(int code)
{
    if (code < 0 || (size_t)code >= VK_ARRAY_LEN(code_names) || !code_names[code])
        return "unknown";
    return code_names[code];
}

VIRTKIT_API const char *virtkit_error_subsystem_name(int subsystem)
{
    if (subsystem < 0 || (size_t)subsystem >= VK_ARRAY_LEN(subsystem_names) ||
        !subsystem_names[subsystem])
        return "unknown";
    return subsystem_names[subsystem];
}
