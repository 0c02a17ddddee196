/*
 * domain.c: the public domain API. Each function: check the handle and
 * flags, refuse writes on read-only connections, call the driver's op,
 * wrap results in handles. The driver (plugin or remote) holds the state.
 */
#include "config.h"

#include <stdlib.h>

#include "core.h"
#include "schema.h"
#include "uuid.h"

/* A call that changes nothing but the driver's state: (conn, ref, flags). */
#define DOMAIN_SIMPLE_OP(fn, op, known)                                                 \
    VIRTKIT_API int fn(virtkit_domain *dom, unsigned int flags)                         \
    {                                                                                   \
        VK_ENTRY_OBJ_RW(dom, flags, known, -1);                                         \
        int (*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_HV(dom->conn, op, -1); \
        if (f(dom->conn->hv_conn, &dom->ref, flags) < 0) {                              \
            vk_ensure_error(dom->conn, #op);                                            \
            return -1;                                                                  \
        }                                                                               \
        return 0;                                                                       \
    }

/* After a state change the id may differ: refresh it from the driver. */
static void domain_refresh_id(virtkit_domain *dom)
{
    virtkit_connect *c = dom->conn;
    if (!VKP_HAS_OP(c->hv, vkp_hypervisor_ops, lookup_domain))
        return;
    vkp_ref r = { 0 };
    vk_saved_error *e = vk_error_save();
    if (c->hv->lookup_domain(c->hv_conn, NULL, dom->ref.uuid, -1, &r) == 0)
        dom->ref.id = r.id;
    else
        dom->ref.id = -1;
    vk_ref_clear(&r);
    vk_error_restore(e);
}

static virtkit_domain *wrap_ref(virtkit_connect *conn, int rc, vkp_ref *ref, const char *op)
{
    if (rc < 0) {
        vk_ref_clear(ref);
        vk_ensure_error(conn, op);
        return NULL;
    }
    if (!ref->name) {
        vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_PLUGIN,
                     "the '%s' driver returned a domain without a name from %s", conn->type, op);
        return NULL;
    }
    return vk_domain_new(conn, ref);
}

/* ------------------------------------------------------------- lookup -- */

static virtkit_domain *lookup(virtkit_connect *conn, const char *name, const unsigned char *uuid,
                              int id)
{
    int (*f)(vkp_conn *, const char *, const unsigned char *, int, vkp_ref *) =
        VK_HV(conn, lookup_domain, NULL);
    vkp_ref r = { 0 };
    return wrap_ref(conn, f(conn->hv_conn, name, uuid, id, &r), &r, "lookup_domain");
}

VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_name(virtkit_connect *conn, const char *name)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (vk_str_empty(name)) {
        vk_error_invalid_arg("%s: name must not be empty", __func__);
        return NULL;
    }
    return lookup(conn, name, NULL, -1);
}

VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_uuid(virtkit_connect *conn,
                                                         const unsigned char *uuid)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (!uuid) {
        vk_error_invalid_arg("%s: uuid must not be NULL", __func__);
        return NULL;
    }
    return lookup(conn, NULL, uuid, -1);
}

VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_uuid_string(virtkit_connect *conn,
                                                                const char *uuid)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    unsigned char u[VK_UUID_LEN];
    if (vk_uuid_parse(uuid, u) < 0)
        return NULL;
    return lookup(conn, NULL, u, -1);
}

VIRTKIT_API virtkit_domain *virtkit_domain_lookup_by_id(virtkit_connect *conn, int id)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (id < 0) {
        vk_error_invalid_arg("%s: id %d is negative", __func__, id);
        return NULL;
    }
    return lookup(conn, NULL, NULL, id);
}

#define LIST_DOMAINS_ALL 0xfffu

VIRTKIT_API int virtkit_connect_list_all_domains(virtkit_connect *conn, virtkit_domain ***doms,
                                                unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, LIST_DOMAINS_ALL, -1);
    int (*f)(vkp_conn *, vkp_ref **, unsigned int) = VK_HV(conn, list_all_domains, -1);
    vkp_ref *refs = NULL;
    int n = f(conn->hv_conn, &refs, flags);
    if (n < 0) {
        vk_ensure_error(conn, "list_all_domains");
        return -1;
    }
    void **h = vk_refs_to_handles(conn, refs, n, doms != NULL, vk_make_domain);
    if (doms)
        *doms = (virtkit_domain **)h;
    return n;
}

VIRTKIT_API int virtkit_connect_num_of_domains(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    int (*f)(vkp_conn *) = VK_HV(conn, num_of_domains, -1);
    int n = f(conn->hv_conn);
    if (n < 0)
        vk_ensure_error(conn, "num_of_domains");
    return n;
}

VIRTKIT_API int virtkit_connect_num_of_defined_domains(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    int (*f)(vkp_conn *) = VK_HV(conn, num_of_defined_domains, -1);
    int n = f(conn->hv_conn);
    if (n < 0)
        vk_ensure_error(conn, "num_of_defined_domains");
    return n;
}

/* ---------------------------------------------------------- lifecycle -- */

VIRTKIT_API virtkit_domain *virtkit_domain_define_xml(virtkit_connect *conn, const char *xml,
                                                     unsigned int flags)
{
    VK_ENTRY_CONN_RW(conn, flags, VIRTKIT_DOMAIN_DEFINE_VALIDATE, NULL);
    if (!xml) {
        vk_error_invalid_arg("%s: xml must not be NULL", __func__);
        return NULL;
    }
    int (*f)(vkp_conn *, const char *, unsigned int, vkp_ref *) =
        VK_HV(conn, domain_define, NULL);
    vkp_ref r = { 0 };
    return wrap_ref(conn, f(conn->hv_conn, xml, flags, &r), &r, "domain_define");
}

VIRTKIT_API int virtkit_domain_undefine(virtkit_domain *dom, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags,
                    VIRTKIT_DOMAIN_UNDEFINE_MANAGED_SAVE | VIRTKIT_DOMAIN_UNDEFINE_NVRAM |
                        VIRTKIT_DOMAIN_UNDEFINE_KEEP_NVRAM,
                    -1);
    int (*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_HV(dom->conn, domain_undefine, -1);
    if (f(dom->conn->hv_conn, &dom->ref, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_undefine");
        return -1;
    }
    return 0;
}

#define START_FLAGS                                                                     \
    (VIRTKIT_DOMAIN_START_PAUSED | VIRTKIT_DOMAIN_START_AUTODESTROY |                   \
     VIRTKIT_DOMAIN_START_BYPASS_CACHE | VIRTKIT_DOMAIN_START_FORCE_BOOT |              \
     VIRTKIT_DOMAIN_START_VALIDATE)

VIRTKIT_API int virtkit_domain_create(virtkit_domain *dom, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, START_FLAGS & ~VIRTKIT_DOMAIN_START_VALIDATE, -1);
    int (*f)(vkp_conn *, const vkp_ref *, unsigned int, vkp_ref *) =
        VK_HV(dom->conn, domain_create, -1);
    vkp_ref r = { 0 };
    if (f(dom->conn->hv_conn, &dom->ref, flags, &r) < 0) {
        vk_ref_clear(&r);
        vk_ensure_error(dom->conn, "domain_create");
        return -1;
    }
    dom->ref.id = r.name ? r.id : dom->ref.id;
    vk_ref_clear(&r);
    return 0;
}

VIRTKIT_API virtkit_domain *virtkit_domain_create_xml(virtkit_connect *conn, const char *xml,
                                                     unsigned int flags)
{
    VK_ENTRY_CONN_RW(conn, flags, START_FLAGS & ~VIRTKIT_DOMAIN_START_FORCE_BOOT, NULL);
    if (!xml) {
        vk_error_invalid_arg("%s: xml must not be NULL", __func__);
        return NULL;
    }
    int (*f)(vkp_conn *, const char *, unsigned int, vkp_ref *) =
        VK_HV(conn, domain_create_xml, NULL);
    vkp_ref r = { 0 };
    return wrap_ref(conn, f(conn->hv_conn, xml, flags, &r), &r, "domain_create_xml");
}

VIRTKIT_API int virtkit_domain_shutdown(virtkit_domain *dom, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags,
                    VIRTKIT_DOMAIN_SHUTDOWN_ACPI | VIRTKIT_DOMAIN_SHUTDOWN_AGENT |
                        VIRTKIT_DOMAIN_SHUTDOWN_SIGNAL | VIRTKIT_DOMAIN_SHUTDOWN_WAIT,
                    -1);
    int (*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_HV(dom->conn, domain_shutdown, -1);
    if (f(dom->conn->hv_conn, &dom->ref, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_shutdown");
        return -1;
    }
    if (flags & VIRTKIT_DOMAIN_SHUTDOWN_WAIT)
        domain_refresh_id(dom);
    return 0;
}

DOMAIN_SIMPLE_OP(virtkit_domain_reboot, domain_reboot,
                 VIRTKIT_DOMAIN_SHUTDOWN_ACPI | VIRTKIT_DOMAIN_SHUTDOWN_AGENT |
                     VIRTKIT_DOMAIN_SHUTDOWN_SIGNAL)
DOMAIN_SIMPLE_OP(virtkit_domain_reset, domain_reset, 0)
DOMAIN_SIMPLE_OP(virtkit_domain_suspend, domain_suspend, 0)
DOMAIN_SIMPLE_OP(virtkit_domain_resume, domain_resume, 0)
DOMAIN_SIMPLE_OP(virtkit_domain_managed_save_remove, domain_managed_save_remove, 0)

VIRTKIT_API int virtkit_domain_destroy(virtkit_domain *dom, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, VIRTKIT_DOMAIN_DESTROY_GRACEFUL, -1);
    int (*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_HV(dom->conn, domain_destroy, -1);
    if (f(dom->conn->hv_conn, &dom->ref, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_destroy");
        return -1;
    }
    dom->ref.id = -1;
    return 0;
}

#define SAVE_FLAGS                                                                      \
    (VIRTKIT_DOMAIN_SAVE_BYPASS_CACHE | VIRTKIT_DOMAIN_SAVE_RUNNING |                   \
     VIRTKIT_DOMAIN_SAVE_PAUSED)

static int check_save_flags(unsigned int flags)
{
    if ((flags & VIRTKIT_DOMAIN_SAVE_RUNNING) && (flags & VIRTKIT_DOMAIN_SAVE_PAUSED)) {
        vk_error_set(VIRTKIT_ERR_INVALID_FLAGS, VIRTKIT_SUB_CORE,
                     "flags SAVE_RUNNING and SAVE_PAUSED exclude each other");
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_domain_save(virtkit_domain *dom, const char *path, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, SAVE_FLAGS, -1);
    if (check_save_flags(flags) < 0)
        return -1;
    if (vk_str_empty(path)) {
        vk_error_invalid_arg("%s: path must not be empty", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, const char *, unsigned int) =
        VK_HV(dom->conn, domain_save, -1);
    if (f(dom->conn->hv_conn, &dom->ref, path, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_save");
        return -1;
    }
    dom->ref.id = -1;
    return 0;
}

VIRTKIT_API int virtkit_domain_restore(virtkit_connect *conn, const char *path, const char *xml,
                                       unsigned int flags)
{
    VK_ENTRY_CONN_RW(conn, flags, SAVE_FLAGS, -1);
    if (check_save_flags(flags) < 0)
        return -1;
    if (vk_str_empty(path)) {
        vk_error_invalid_arg("%s: path must not be empty", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const char *, const char *, unsigned int) =
        VK_HV(conn, domain_restore, -1);
    if (f(conn->hv_conn, path, xml, flags) < 0) {
        vk_ensure_error(conn, "domain_restore");
        return -1;
    }
    return 0;
}

VIRTKIT_API char *virtkit_domain_save_image_get_xml(virtkit_connect *conn, const char *path,
                                                    unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, VIRTKIT_DOMAIN_XML_SECURE, NULL);
    if (vk_str_empty(path)) {
        vk_error_invalid_arg("%s: path must not be empty", __func__);
        return NULL;
    }
    char *(*f)(vkp_conn *, const char *, unsigned int) = VK_HV(conn, save_image_get_xml, NULL);
    char *x = f(conn->hv_conn, path, flags);
    if (!x)
        vk_ensure_error(conn, "save_image_get_xml");
    return x;
}

VIRTKIT_API int virtkit_domain_managed_save(virtkit_domain *dom, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, SAVE_FLAGS, -1);
    if (check_save_flags(flags) < 0)
        return -1;
    int (*f)(vkp_conn *, const vkp_ref *, unsigned int) =
        VK_HV(dom->conn, domain_managed_save, -1);
    if (f(dom->conn->hv_conn, &dom->ref, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_managed_save");
        return -1;
    }
    dom->ref.id = -1;
    return 0;
}

VIRTKIT_API int virtkit_domain_has_managed_save(virtkit_domain *dom, unsigned int flags)
{
    VK_ENTRY_OBJ(dom, flags, 0, -1);
    int (*f)(vkp_conn *, const vkp_ref *, unsigned int) =
        VK_HV(dom->conn, domain_has_managed_save, -1);
    int r = f(dom->conn->hv_conn, &dom->ref, flags);
    if (r < 0)
        vk_ensure_error(dom->conn, "domain_has_managed_save");
    return r;
}

VIRTKIT_API int virtkit_domain_core_dump(virtkit_domain *dom, const char *path, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, VIRTKIT_DUMP_MEMORY_ONLY | VIRTKIT_DUMP_CRASH | VIRTKIT_DUMP_LIVE,
                    -1);
    if (vk_str_empty(path)) {
        vk_error_invalid_arg("%s: path must not be empty", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, const char *, unsigned int) =
        VK_HV(dom->conn, domain_core_dump, -1);
    if (f(dom->conn->hv_conn, &dom->ref, path, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_core_dump");
        return -1;
    }
    return 0;
}

/* --------------------------------------------------------- properties -- */

VIRTKIT_API const char *virtkit_domain_get_name(virtkit_domain *dom)
{
    VK_ENTRY_OBJ(dom, 0, 0, NULL);
    return dom->ref.name;
}

VIRTKIT_API int virtkit_domain_get_uuid(virtkit_domain *dom, unsigned char *uuid)
{
    VK_ENTRY_OBJ(dom, 0, 0, -1);
    if (!uuid) {
        vk_error_invalid_arg("%s: uuid must not be NULL", __func__);
        return -1;
    }
    memcpy(uuid, dom->ref.uuid, VK_UUID_LEN);
    return 0;
}

VIRTKIT_API int virtkit_domain_get_uuid_string(virtkit_domain *dom, char *buf)
{
    VK_ENTRY_OBJ(dom, 0, 0, -1);
    if (!buf) {
        vk_error_invalid_arg("%s: buf must not be NULL", __func__);
        return -1;
    }
    vk_uuid_format(dom->ref.uuid, buf);
    return 0;
}

VIRTKIT_API int virtkit_domain_get_id(virtkit_domain *dom)
{
    VK_ENTRY_OBJ(dom, 0, 0, -1);
    return dom->ref.id;
}

VIRTKIT_API virtkit_connect *virtkit_domain_get_connect(virtkit_domain *dom)
{
    VK_ENTRY_OBJ(dom, 0, 0, NULL);
    return dom->conn;
}

VIRTKIT_API int virtkit_domain_get_state(virtkit_domain *dom, int *state, int *reason,
                                         unsigned int flags)
{
    VK_ENTRY_OBJ(dom, flags, 0, -1);
    if (!state) {
        vk_error_invalid_arg("%s: state must not be NULL", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, int *, int *, int *, unsigned int) =
        VK_HV(dom->conn, domain_get_state, -1);
    int rs = 0, cached = 0;
    if (f(dom->conn->hv_conn, &dom->ref, state, &rs, &cached, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_get_state");
        return -1;
    }
    if (reason)
        *reason = rs;
    return cached ? VIRTKIT_DOMAIN_STATE_CACHED : 0;
}

VIRTKIT_API int virtkit_domain_is_active(virtkit_domain *dom)
{
    int state;
    if (virtkit_domain_get_state(dom, &state, NULL, 0) < 0)
        return -1;
    return state != VIRTKIT_DOMAIN_SHUTOFF && state != VIRTKIT_DOMAIN_NOSTATE;
}

VIRTKIT_API int virtkit_domain_is_persistent(virtkit_domain *dom)
{
    VK_ENTRY_OBJ(dom, 0, 0, -1);
    int (*f)(vkp_conn *, const vkp_ref *) = VK_HV(dom->conn, domain_is_persistent, -1);
    int r = f(dom->conn->hv_conn, &dom->ref);
    if (r < 0)
        vk_ensure_error(dom->conn, "domain_is_persistent");
    return r;
}

VIRTKIT_API int virtkit_domain_get_info(virtkit_domain *dom, virtkit_domain_info *info)
{
    VK_ENTRY_OBJ(dom, 0, 0, -1);
    if (!info || info->version != VIRTKIT_DOMAIN_INFO_VERSION) {
        vk_error_invalid_arg("%s: info must be initialised with VIRTKIT_DOMAIN_INFO_INIT "
                             "(version %u)", __func__, VIRTKIT_DOMAIN_INFO_VERSION);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, virtkit_domain_info *) =
        VK_HV(dom->conn, domain_get_info, -1);
    if (f(dom->conn->hv_conn, &dom->ref, info) < 0) {
        vk_ensure_error(dom->conn, "domain_get_info");
        return -1;
    }
    info->version = VIRTKIT_DOMAIN_INFO_VERSION;
    return 0;
}

VIRTKIT_API char *virtkit_domain_get_xml(virtkit_domain *dom, unsigned int flags)
{
    VK_ENTRY_OBJ(dom, flags,
                 VIRTKIT_DOMAIN_XML_SECURE | VIRTKIT_DOMAIN_XML_INACTIVE |
                     VIRTKIT_DOMAIN_XML_AS_WRITTEN | VIRTKIT_DOMAIN_XML_MIGRATABLE,
                 NULL);
    if ((flags & VIRTKIT_DOMAIN_XML_SECURE) && dom->conn->readonly) {
        vk_error_set(VIRTKIT_ERR_OPERATION_DENIED, VIRTKIT_SUB_ACCESS,
                     "%s: secure XML is not available on a read-only connection", __func__);
        return NULL;
    }
    char *(*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_HV(dom->conn, domain_get_xml, NULL);
    char *x = f(dom->conn->hv_conn, &dom->ref, flags);
    if (!x)
        vk_ensure_error(dom->conn, "domain_get_xml");
    return x;
}

VIRTKIT_API int virtkit_domain_get_autostart(virtkit_domain *dom, int *autostart)
{
    VK_ENTRY_OBJ(dom, 0, 0, -1);
    if (!autostart) {
        vk_error_invalid_arg("%s: autostart must not be NULL", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, int *) = VK_HV(dom->conn, domain_get_autostart, -1);
    if (f(dom->conn->hv_conn, &dom->ref, autostart) < 0) {
        vk_ensure_error(dom->conn, "domain_get_autostart");
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_domain_set_autostart(virtkit_domain *dom, int autostart)
{
    VK_ENTRY_OBJ_RW(dom, 0, 0, -1);
    int (*f)(vkp_conn *, const vkp_ref *, int) = VK_HV(dom->conn, domain_set_autostart, -1);
    if (f(dom->conn->hv_conn, &dom->ref, autostart ? 1 : 0) < 0) {
        vk_ensure_error(dom->conn, "domain_set_autostart");
        return -1;
    }
    return 0;
}

#define AFFECT_FLAGS (VIRTKIT_DOMAIN_AFFECT_LIVE | VIRTKIT_DOMAIN_AFFECT_CONFIG)

VIRTKIT_API int virtkit_domain_set_memory(virtkit_domain *dom, unsigned long long kib,
                                          unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, AFFECT_FLAGS, -1);
    if (kib == 0) {
        vk_error_invalid_arg("domain '%s': memory must be above 0 KiB", dom->ref.name);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, unsigned long long, unsigned int) =
        VK_HV(dom->conn, domain_set_memory, -1);
    if (f(dom->conn->hv_conn, &dom->ref, kib, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_set_memory");
        return -1;
    }
    return 0;
}

/* emulator: the emulator's other threads, vcpu unused */
static int domain_pin(virtkit_domain *dom, bool emulator, unsigned int vcpu, const char *cpuset,
                      unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, AFFECT_FLAGS, -1);
    VK_AUTOFREE(char *) why = NULL;
    if (!cpuset || vk_cpuset_parse(cpuset, NULL, 0, &why) < 0) {
        vk_error_invalid_arg("domain '%s': CPU list '%s': %s", dom->ref.name,
                             cpuset ? cpuset : "(null)", why ? why : "missing");
        return -1;
    }
    if (!emulator && vcpu > 65535) {
        vk_error_invalid_arg("domain '%s': vcpu %u is out of range", dom->ref.name, vcpu);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, int, const char *, unsigned int) =
        VK_HV(dom->conn, domain_pin, -1);
    if (f(dom->conn->hv_conn, &dom->ref, emulator ? -1 : (int)vcpu, cpuset, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_pin");
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_domain_pin_vcpu(virtkit_domain *dom, unsigned int vcpu,
                                        const char *cpuset, unsigned int flags)
{
    return domain_pin(dom, false, vcpu, cpuset, flags);
}

VIRTKIT_API int virtkit_domain_pin_emulator(virtkit_domain *dom, const char *cpuset,
                                            unsigned int flags)
{
    return domain_pin(dom, true, 0, cpuset, flags);
}

VIRTKIT_API int virtkit_domain_set_vcpus(virtkit_domain *dom, unsigned int n, unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, AFFECT_FLAGS, -1);
    if (n == 0) {
        vk_error_invalid_arg("domain '%s': a domain needs at least 1 vcpu", dom->ref.name);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, unsigned int, unsigned int) =
        VK_HV(dom->conn, domain_set_vcpus, -1);
    if (f(dom->conn->hv_conn, &dom->ref, n, flags) < 0) {
        vk_ensure_error(dom->conn, "domain_set_vcpus");
        return -1;
    }
    return 0;
}

#define DEVICE_OP(fn, op)                                                                \
    VIRTKIT_API int fn(virtkit_domain *dom, const char *xml, unsigned int flags)         \
    {                                                                                    \
        VK_ENTRY_OBJ_RW(dom, flags, AFFECT_FLAGS, -1);                                   \
        if (!xml) {                                                                      \
            vk_error_invalid_arg("%s: xml must not be NULL", __func__);                  \
            return -1;                                                                   \
        }                                                                                \
        int (*f)(vkp_conn *, const vkp_ref *, const char *, unsigned int) =              \
            VK_HV(dom->conn, op, -1);                                                    \
        if (f(dom->conn->hv_conn, &dom->ref, xml, flags) < 0) {                          \
            vk_ensure_error(dom->conn, #op);                                             \
            return -1;                                                                   \
        }                                                                                \
        return 0;                                                                        \
    }
DEVICE_OP(virtkit_domain_attach_device, domain_attach_device)
DEVICE_OP(virtkit_domain_detach_device, domain_detach_device)
DEVICE_OP(virtkit_domain_update_device, domain_update_device)

/* ---------------------------------------------------------------- stats -- */

VIRTKIT_API int virtkit_connect_get_all_domain_stats(virtkit_connect *conn, unsigned int stats,
                                                    virtkit_domain_stats ***records,
                                                    unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags,
                  VIRTKIT_GET_STATS_ACTIVE | VIRTKIT_GET_STATS_INACTIVE | VIRTKIT_GET_STATS_NOWAIT,
                  -1);
    if (!records) {
        vk_error_invalid_arg("%s: records must not be NULL", __func__);
        return -1;
    }
    if (stats & ~0x3fu) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_CORE, "%s: unknown stats groups 0x%x",
                     __func__, stats & ~0x3fu);
        return -1;
    }
    int (*f)(vkp_conn *, unsigned int, unsigned int, vkp_domain_stats **) =
        VK_HV(conn, get_all_domain_stats, -1);
    vkp_domain_stats *recs = NULL;
    int n = f(conn->hv_conn, stats ? stats : 0x3fu, flags, &recs);
    if (n < 0) {
        vk_ensure_error(conn, "get_all_domain_stats");
        return -1;
    }
    virtkit_domain_stats **out = vk_alloc_n((size_t)n + 1, sizeof(*out));
    for (int i = 0; i < n; i++) {
        out[i] = vk_alloc(sizeof(**out));
        out[i]->dom = vk_domain_new(conn, &recs[i].dom);
        out[i]->params = recs[i].params;
    }
    free(recs);
    *records = out;
    return n;
}

VIRTKIT_API void virtkit_domain_stats_free(virtkit_domain_stats **records)
{
    for (size_t i = 0; records && records[i]; i++) {
        virtkit_domain_free(records[i]->dom);
        virtkit_params_free(records[i]->params);
        free(records[i]);
    }
    free(records);
}

/* ------------------------------------------------------------ names -- */

static const char *const state_names[] = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended",
};

VIRTKIT_API const char *virtkit_domain_state_name(int state)
{
    if (state < 0 || (size_t)state >= VK_ARRAY_LEN(state_names))
        return "unknown";
    return state_names[state];
}

static const char *const running_reasons[] = {
    "unknown", "booted", "migrated", "restored", "unpaused", "save-canceled", "wakeup",
    "crashed", "reset",
};
static const char *const paused_reasons[] = {
    "unknown", "user", "migration", "save", "dump", "ioerror", "shutting-down", "crashed",
    "starting-up",
};
static const char *const shutdown_reasons[] = { "unknown", "user" };
static const char *const shutoff_reasons[] = {
    "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from-snapshot",
};
static const char *const crashed_reasons[] = { "unknown", "panicked" };

VIRTKIT_API const char *virtkit_domain_reason_name(int state, int reason)
{
    const char *const *t = NULL;
    size_t n = 0;
#define PICK(arr) (t = (arr), n = VK_ARRAY_LEN(arr))
    switch (state) {
    case VIRTKIT_DOMAIN_RUNNING: PICK(running_reasons); break;
    case VIRTKIT_DOMAIN_PAUSED: PICK(paused_reasons); break;
    case VIRTKIT_DOMAIN_SHUTDOWN: PICK(shutdown_reasons); break;
    case VIRTKIT_DOMAIN_SHUTOFF: PICK(shutoff_reasons); break;
    case VIRTKIT_DOMAIN_CRASHED: PICK(crashed_reasons); break;
    }
#undef PICK
    if (!t || reason < 0 || (size_t)reason >= n)
        return "unknown";
    return t[reason];
}
