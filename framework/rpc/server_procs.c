/*
 * server_procs.c: the daemon side of every procedure. A handler turns
 * its decoded arguments into a call of the public API on the client's
 * in-process connection (so every check the API makes runs again here,
 * whatever the client claims) and its result into the reply message.
 *
 * Handles are made straight from the references the client sent (no
 * lookup round), exactly as the remote driver's caller saw them; plugins
 * find objects by uuid. Everything a reply points into (handles, strings
 * the API returned) is released by srv_defer after the reply is packed.
 *
 * The handler table is built from procedures.def, so a procedure without
 * a handler here does not compile.
 */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "params.h"
#include "server_priv.h"
#include "uuid.h"

#define ARGS(type) const type *in = (const type *)args_
#define RET(type, init)                                                                 \
    type *out = vk_arena_alloc(c->a, sizeof(*out));                                     \
    *out = (type)init;                                                                  \
    *ret = &out->base

static void free_domain(void *p) { virtkit_domain_free(p); }
static void free_network(void *p) { virtkit_network_free(p); }
static void free_pool(void *p) { virtkit_pool_free(p); }
static void free_volume(void *p) { virtkit_volume_free(p); }
static void free_nodedev(void *p) { virtkit_nodedev_free(p); }
static void free_params(void *p) { virtkit_params_free(p); }

static int bad_ref(const char *what)
{
    vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_DAEMON,
                 "the call names a %s without a name and a 16-byte uuid", what);
    return -1;
}

static int take_ref(const VkRef *w, vkp_ref *r, const char *what)
{
    if (!w || !w->name || !w->has_uuid || w->uuid.len != 16)
        return bad_ref(what);
    return vk_rpc_ref_from_wire(w, r);
}

/* A handle for the object a call names, released after the reply. */
#define HANDLE_ARG(fn, type, ctor, freefn, what)                                        \
    static type *fn(srv_call *c, const VkRef *w)                                        \
    {                                                                                   \
        vkp_ref r;                                                                      \
        if (take_ref(w, &r, what) < 0)                                                  \
            return NULL;                                                                \
        type *h = ctor(c->conn, &r);                                                    \
        srv_defer(c, freefn, h);                                                        \
        return h;                                                                       \
    }
HANDLE_ARG(dom_arg, virtkit_domain, vk_domain_new, free_domain, "domain")
HANDLE_ARG(net_arg, virtkit_network, vk_network_new, free_network, "network")
HANDLE_ARG(pool_arg, virtkit_pool, vk_pool_new, free_pool, "pool")

/* The reply naming an object the API returned (NULL: its error). */
#define HANDLE_RET(fn, type, freefn)                                                    \
    static int fn(srv_call *c, type *h, ProtobufCMessage **ret)                         \
    {                                                                                   \
        if (!h)                                                                         \
            return -1;                                                                  \
        srv_defer(c, freefn, h);                                                        \
        *ret = &ref_out(c, &h->ref)->base;                                              \
        return 0;                                                                       \
    }

static virtkit_volume *vol_arg(srv_call *c, const VkVolRef *w)
{
    if (!w || !w->pool || !w->name) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_DAEMON,
                     "the call names a volume without a pool and a name");
        return NULL;
    }
    vkp_volref r = { 0 };
    vk_rpc_volref_from_wire(w, &r);
    virtkit_volume *v = vk_volume_new(c->conn, &r);
    srv_defer(c, free_volume, v);
    return v;
}

static VkRef *ref_out(srv_call *c, const vkp_ref *r)
{
    VkRef *w = vk_arena_alloc(c->a, sizeof(*w));
    vk_ref__init(w);
    vk_rpc_ref_to_wire(r, w);
    return w;
}

HANDLE_RET(domain_ret, virtkit_domain, free_domain)
HANDLE_RET(net_ret, virtkit_network, free_network)
HANDLE_RET(pool_ret, virtkit_pool, free_pool)

static int int_ret(srv_call *c, int64_t v, ProtobufCMessage **ret)
{
    RET(VkInt, VK_INT__INIT);
    out->has_value = 1;
    out->value = v;
    return 0;
}

static int str_ret(srv_call *c, char *s, ProtobufCMessage **ret)
{
    if (!s)
        return -1;
    srv_defer(c, free, s);
    RET(VkString, VK_STRING__INIT);
    out->value = s;
    return 0;
}

static int empty_ret(srv_call *c, int rc, ProtobufCMessage **ret)
{
    if (rc < 0)
        return -1;
    RET(VkEmpty, VK_EMPTY__INIT);
    return 0;
}

static int params_ret(srv_call *c, int rc, virtkit_params *p, ProtobufCMessage **ret)
{
    if (rc < 0)
        return -1;
    srv_defer(c, free_params, p);
    RET(VkParams, VK_PARAMS__INIT);
    vk_rpc_params_to_wire(p, out, c->a);
    return 0;
}

/* Networks and pools are looked up by name or by uuid. */
#define SRV_LOOKUP_BY_NAME_OR_UUID(proc, kind, retfn)                                   \
    static int srv_##proc(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret) \
    {                                                                                    \
        ARGS(VkRef);                                                                     \
        if (in->name)                                                                    \
            return retfn(c, virtkit_##kind##_lookup_by_name(c->conn, in->name), ret);   \
        if (in->has_uuid && in->uuid.len == 16) {                                        \
            char u[VK_UUID_STRLEN];                                                      \
            vk_uuid_format(in->uuid.data, u);                                            \
            return retfn(c, virtkit_##kind##_lookup_by_uuid_string(c->conn, u), ret);    \
        }                                                                                \
        vk_error_invalid_arg("a " #kind " lookup needs a name or a uuid");               \
        return -1;                                                                       \
    }
/* object *api(conn, xml, flags) */
#define SRV_FROM_XML(proc, api, retfn)                                                   \
    static int srv_##proc(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret) \
    {                                                                                    \
        ARGS(VkStrFlags);                                                                \
        return retfn(c, api(c->conn, in->str, in->flags), ret);                          \
    }
/* int api(conn, objects ***, flags): refs in the reply point into the
 * handles, released after the reply is packed. */
#define SRV_LIST(proc, type, api, freefn)                                               \
    static int srv_##proc(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret) \
    {                                                                                   \
        ARGS(VkFlags);                                                                  \
        type **objs = NULL;                                                             \
        int n = api(c->conn, &objs, in->flags);                                         \
        if (n < 0)                                                                      \
            return -1;                                                                  \
        srv_defer(c, free, objs);                                                       \
        RET(VkRefList, VK_REF_LIST__INIT);                                              \
        out->n_refs = (size_t)n;                                                        \
        out->refs = vk_arena_alloc(c->a, ((size_t)n + 1) * sizeof(VkRef *));           \
        for (int i = 0; i < n; i++) {                                                   \
            srv_defer(c, freefn, objs[i]);                                              \
            out->refs[i] = ref_out(c, &objs[i]->ref);                                   \
        }                                                                               \
        return 0;                                                                       \
    }

/* ------------------------------------------------------------ connect -- */

static int srv_connect_open(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkOpenArgs);
    RET(VkOpenRet, VK_OPEN_RET__INIT);
    return srv_open_connection(c, in, out);
}

static int srv_connect_get_version(srv_call *c, const ProtobufCMessage *args_,
                                   ProtobufCMessage **ret)
{
    unsigned long long v = 0;
    if (virtkit_connect_get_version(c->conn, &v) < 0)
        return -1;
    return int_ret(c, (int64_t)v, ret);
}

static int srv_connect_get_hostname(srv_call *c, const ProtobufCMessage *args_,
                                    ProtobufCMessage **ret)
{
    return str_ret(c, virtkit_connect_get_hostname(c->conn), ret);
}

static int srv_connect_get_capabilities(srv_call *c, const ProtobufCMessage *args_,
                                        ProtobufCMessage **ret)
{
    return str_ret(c, virtkit_connect_get_capabilities(c->conn), ret);
}

/* event_register / event_deregister: server_events.c */

static int srv_event(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_DAEMON, "event frames are sent, not called");
    return -1;
}

/* --------------------------------------------------------------- node -- */

static int srv_node_get_info(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    virtkit_node_info info = VIRTKIT_NODE_INFO_INIT;
    if (virtkit_node_get_info(c->conn, &info) < 0)
        return -1;
    RET(VkNodeInfo, VK_NODE_INFO__INIT);
    out->model = vk_arena_alloc(c->a, sizeof(info.model));
    memcpy(out->model, info.model, sizeof(info.model));
    out->model[sizeof(info.model) - 1] = 0;
    out->has_memory_kib = out->has_cpus = out->has_mhz = out->has_nodes = out->has_sockets =
        out->has_cores = out->has_threads = out->has_dies = 1;
    out->memory_kib = info.memory_kib;
    out->cpus = info.cpus;
    out->mhz = info.mhz;
    out->nodes = info.nodes;
    out->sockets = info.sockets;
    out->cores = info.cores;
    out->threads = info.threads;
    out->dies = info.dies;
    return 0;
}

static int srv_node_get_cpu_map(srv_call *c, const ProtobufCMessage *args_,
                                ProtobufCMessage **ret)
{
    unsigned char *map = NULL;
    unsigned int online = 0;
    int n = virtkit_node_get_cpu_map(c->conn, &map, &online, 0);
    if (n < 0)
        return -1;
    srv_defer(c, free, map);
    RET(VkCpuMap, VK_CPU_MAP__INIT);
    out->has_map = out->has_online = 1;
    out->map.data = map;
    out->map.len = (size_t)n;
    out->online = online;
    return 0;
}

#define MAX_CELLS 4096

static int srv_node_cells_free_memory(srv_call *c, const ProtobufCMessage *args_,
                                      ProtobufCMessage **ret)
{
    ARGS(VkCellsArgs);
    if (in->max <= 0 || in->max > MAX_CELLS || in->start < 0) {
        vk_error_invalid_arg("cells free memory: need start >= 0 and 0 < max <= %d", MAX_CELLS);
        return -1;
    }
    unsigned long long *v = vk_arena_alloc(c->a, (size_t)in->max * sizeof(*v));
    int n = virtkit_node_get_cells_free_memory(c->conn, v, in->start, in->max);
    if (n < 0)
        return -1;
    RET(VkU64List, VK_U64_LIST__INIT);
    out->n_values = (size_t)n;
    out->values = (uint64_t *)v;
    return 0;
}

static int srv_node_cpu_stats(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkInt);
    virtkit_params *p = NULL;
    int rc = virtkit_node_get_cpu_stats(c->conn, (int)in->value, &p, 0);
    return params_ret(c, rc, p, ret);
}

static int srv_node_memory_stats(srv_call *c, const ProtobufCMessage *args_,
                                 ProtobufCMessage **ret)
{
    ARGS(VkInt);
    virtkit_params *p = NULL;
    int rc = virtkit_node_get_memory_stats(c->conn, (int)in->value, &p, 0);
    return params_ret(c, rc, p, ret);
}

static int srv_node_get_hugepages(srv_call *c, const ProtobufCMessage *args_,
                                  ProtobufCMessage **ret)
{
    virtkit_params *p = NULL;
    int rc = virtkit_node_get_hugepages(c->conn, &p, 0);
    return params_ret(c, rc, p, ret);
}

static int srv_nodedev_list_all(srv_call *c, const ProtobufCMessage *args_,
                                ProtobufCMessage **ret)
{
    ARGS(VkFlags);
    virtkit_nodedev **objs = NULL;
    int n = virtkit_connect_list_all_nodedevs(c->conn, &objs, in->flags);
    if (n < 0)
        return -1;
    srv_defer(c, free, objs);
    RET(VkNodedevList, VK_NODEDEV_LIST__INIT);
    out->n_devs = (size_t)n;
    out->devs = vk_arena_alloc(c->a, ((size_t)n + 1) * sizeof(VkNodedev *));
    for (int i = 0; i < n; i++) {
        srv_defer(c, free_nodedev, objs[i]);
        VkNodedev *d = vk_arena_alloc(c->a, sizeof(*d));
        vk_nodedev__init(d);
        d->name = objs[i]->name;
        d->parent = objs[i]->parent;
        out->devs[i] = d;
    }
    return 0;
}

static int srv_nodedev_get_xml(srv_call *c, const ProtobufCMessage *args_,
                               ProtobufCMessage **ret)
{
    ARGS(VkStrFlags);
    if (vk_str_empty(in->str)) {
        vk_error_invalid_arg("node device name must not be empty");
        return -1;
    }
    virtkit_nodedev *d = vk_nodedev_new(c->conn, vk_strdup(in->str), NULL);
    srv_defer(c, free_nodedev, d);
    return str_ret(c, virtkit_nodedev_get_xml(d, in->flags), ret);
}

/* ------------------------------------------------------------ domains -- */

static int srv_domain_num_active(srv_call *c, const ProtobufCMessage *args_,
                                 ProtobufCMessage **ret)
{
    int n = virtkit_connect_num_of_domains(c->conn);
    return n < 0 ? -1 : int_ret(c, n, ret);
}

static int srv_domain_num_defined(srv_call *c, const ProtobufCMessage *args_,
                                  ProtobufCMessage **ret)
{
    int n = virtkit_connect_num_of_defined_domains(c->conn);
    return n < 0 ? -1 : int_ret(c, n, ret);
}

SRV_LIST(domain_list_all, virtkit_domain, virtkit_connect_list_all_domains, free_domain)


SRV_FROM_XML(domain_define, virtkit_domain_define_xml, domain_ret)
SRV_FROM_XML(domain_create_xml, virtkit_domain_create_xml, domain_ret)

static int srv_domain_lookup(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkRef);
    if (in->name)
        return domain_ret(c, virtkit_domain_lookup_by_name(c->conn, in->name), ret);
    if (in->has_uuid) {
        if (in->uuid.len != 16)
            return bad_ref("domain");
        return domain_ret(c, virtkit_domain_lookup_by_uuid(c->conn, in->uuid.data), ret);
    }
    if (in->has_id && in->id >= 0)
        return domain_ret(c, virtkit_domain_lookup_by_id(c->conn, in->id), ret);
    vk_error_invalid_arg("a domain lookup needs a name, a uuid or an id");
    return -1;
}

/* A handler on the object a call's "ref" names: result is the reply,
 * computed from the handle o and the arguments in. */
#define SRV_ON(proc, argtype, argfn, result)                                            \
    static int srv_##proc(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret) \
    {                                                                                   \
        ARGS(argtype);                                                                  \
        __typeof__(argfn(c, in->ref)) o = argfn(c, in->ref);                            \
        if (!o)                                                                         \
            return -1;                                                                  \
        return result;                                                                  \
    }
static int value_ret(srv_call *c, int v, ProtobufCMessage **ret)
{
    return v < 0 ? -1 : int_ret(c, v, ret);
}
/* int api(handle, flags) */
#define SRV_REF_FLAGS(p, argfn, api) SRV_ON(p, VkRefFlags, argfn, empty_ret(c, api(o, in->flags), ret))
/* int api(handle) (no flags in the API) */
#define SRV_REF_NOFLAGS(p, argfn, api) SRV_ON(p, VkRefFlags, argfn, empty_ret(c, api(o), ret))
/* int api(handle) -> value */
#define SRV_REF_INT(p, argfn, api) SRV_ON(p, VkRefFlags, argfn, value_ret(c, api(o), ret))
/* int api(handle, int *) -> value */
#define SRV_REF_GETBOOL(p, argfn, api)                                                  \
    SRV_ON(p, VkRefFlags, argfn, ({                                                     \
               int v_ = 0;                                                              \
               api(o, &v_) < 0 ? -1 : int_ret(c, v_, ret);                              \
           }))
/* int api(handle, int) */
#define SRV_REF_SETBOOL(p, argfn, api)                                                  \
    SRV_ON(p, VkRefNum, argfn, empty_ret(c, api(o, in->value ? 1 : 0), ret))
/* char *api(handle, flags) */
#define SRV_REF_STR(p, argfn, api) SRV_ON(p, VkRefFlags, argfn, str_ret(c, api(o, in->flags), ret))
/* int api(handle, string, flags) */
#define SRV_REF_STRARG(p, argfn, api)                                                   \
    SRV_ON(p, VkRefStr, argfn, empty_ret(c, api(o, in->str, in->flags), ret))

SRV_REF_FLAGS(domain_undefine, dom_arg, virtkit_domain_undefine)
SRV_REF_FLAGS(domain_shutdown, dom_arg, virtkit_domain_shutdown)
SRV_REF_FLAGS(domain_reboot, dom_arg, virtkit_domain_reboot)
SRV_REF_FLAGS(domain_reset, dom_arg, virtkit_domain_reset)
SRV_REF_FLAGS(domain_destroy, dom_arg, virtkit_domain_destroy)
SRV_REF_FLAGS(domain_suspend, dom_arg, virtkit_domain_suspend)
SRV_REF_FLAGS(domain_resume, dom_arg, virtkit_domain_resume)
SRV_REF_FLAGS(domain_managed_save, dom_arg, virtkit_domain_managed_save)
SRV_REF_FLAGS(domain_managed_save_remove, dom_arg, virtkit_domain_managed_save_remove)
SRV_REF_STRARG(domain_save, dom_arg, virtkit_domain_save)
SRV_REF_STRARG(domain_core_dump, dom_arg, virtkit_domain_core_dump)
SRV_REF_STRARG(domain_attach_device, dom_arg, virtkit_domain_attach_device)
SRV_REF_STRARG(domain_detach_device, dom_arg, virtkit_domain_detach_device)
SRV_REF_STRARG(domain_update_device, dom_arg, virtkit_domain_update_device)
SRV_REF_INT(domain_is_persistent, dom_arg, virtkit_domain_is_persistent)
SRV_REF_GETBOOL(domain_get_autostart, dom_arg, virtkit_domain_get_autostart)
SRV_REF_SETBOOL(domain_set_autostart, dom_arg, virtkit_domain_set_autostart)

static int srv_domain_create(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_domain *d = dom_arg(c, in->ref);
    if (!d || virtkit_domain_create(d, in->flags) < 0)
        return -1;
    *ret = &ref_out(c, &d->ref)->base;
    return 0;
}

static int srv_domain_has_managed_save(srv_call *c, const ProtobufCMessage *args_,
                                       ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_domain *d = dom_arg(c, in->ref);
    if (!d)
        return -1;
    int v = virtkit_domain_has_managed_save(d, in->flags);
    return v < 0 ? -1 : int_ret(c, v, ret);
}

static int srv_domain_restore(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkStr2Flags);
    return empty_ret(c, virtkit_domain_restore(c->conn, in->str, in->str2, in->flags), ret);
}

static int srv_domain_save_image_get_xml(srv_call *c, const ProtobufCMessage *args_,
                                         ProtobufCMessage **ret)
{
    ARGS(VkStrFlags);
    return str_ret(c, virtkit_domain_save_image_get_xml(c->conn, in->str, in->flags), ret);
}

static int srv_domain_get_info(srv_call *c, const ProtobufCMessage *args_,
                               ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_domain *d = dom_arg(c, in->ref);
    virtkit_domain_info info = VIRTKIT_DOMAIN_INFO_INIT;
    if (!d || virtkit_domain_get_info(d, &info) < 0)
        return -1;
    RET(VkDomainInfo, VK_DOMAIN_INFO__INIT);
    out->has_state = out->has_max_mem_kib = out->has_memory_kib = out->has_nr_vcpus =
        out->has_cpu_time_ns = 1;
    out->state = info.state;
    out->max_mem_kib = info.max_mem_kib;
    out->memory_kib = info.memory_kib;
    out->nr_vcpus = info.nr_vcpus;
    out->cpu_time_ns = info.cpu_time_ns;
    return 0;
}

static int srv_domain_get_state(srv_call *c, const ProtobufCMessage *args_,
                                ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_domain *d = dom_arg(c, in->ref);
    int state = 0, reason = 0;
    int r = d ? virtkit_domain_get_state(d, &state, &reason, in->flags) : -1;
    if (r < 0)
        return -1;
    RET(VkDomainState, VK_DOMAIN_STATE__INIT);
    out->has_state = out->has_reason = out->has_cached = 1;
    out->state = state;
    out->reason = reason;
    out->cached = (r & VIRTKIT_DOMAIN_STATE_CACHED) != 0;
    return 0;
}

static int srv_domain_get_xml(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_domain *d = dom_arg(c, in->ref);
    if (!d)
        return -1;
    if ((in->flags & VIRTKIT_DOMAIN_XML_SECURE) &&
        srv_check_access(c->cl, vk_rpc_proc_get(VK_PROC_domain_get_xml), VK_ACL_DOMAIN,
                         VK_ACL_READ_SECURE, d->ref.name) < 0)
        return -1;
    return str_ret(c, virtkit_domain_get_xml(d, in->flags), ret);
}

static int srv_domain_set_memory(srv_call *c, const ProtobufCMessage *args_,
                                 ProtobufCMessage **ret)
{
    ARGS(VkRefNum);
    virtkit_domain *d = dom_arg(c, in->ref);
    if (!d)
        return -1;
    return empty_ret(c, virtkit_domain_set_memory(d, in->value, in->flags), ret);
}

static int srv_domain_set_vcpus(srv_call *c, const ProtobufCMessage *args_,
                                ProtobufCMessage **ret)
{
    ARGS(VkRefNum);
    virtkit_domain *d = dom_arg(c, in->ref);
    if (!d)
        return -1;
    if (in->value > 0xffffffffu) {
        vk_error_invalid_arg("domain '%s': %llu vcpus is out of range", d->ref.name,
                             (unsigned long long)in->value);
        return -1;
    }
    return empty_ret(c, virtkit_domain_set_vcpus(d, (unsigned int)in->value, in->flags), ret);
}

static int srv_domain_pin(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkPinArgs);
    virtkit_domain *d = dom_arg(c, in->ref);
    if (!d)
        return -1;
    int r = in->vcpu < 0 ? virtkit_domain_pin_emulator(d, in->cpuset, in->flags)
                         : virtkit_domain_pin_vcpu(d, (unsigned int)in->vcpu, in->cpuset,
                                                   in->flags);
    return empty_ret(c, r, ret);
}

static int srv_domain_get_all_stats(srv_call *c, const ProtobufCMessage *args_,
                                    ProtobufCMessage **ret)
{
    ARGS(VkStatsArgs);
    virtkit_domain_stats **recs = NULL;
    int n = virtkit_connect_get_all_domain_stats(c->conn, in->stats, &recs, in->flags);
    if (n < 0)
        return -1;
    srv_defer(c, (void (*)(void *))virtkit_domain_stats_free, recs);
    RET(VkStatsList, VK_STATS_LIST__INIT);
    out->n_records = (size_t)n;
    out->records = vk_arena_alloc(c->a, ((size_t)n + 1) * sizeof(VkStatsRecord *));
    for (int i = 0; i < n; i++) {
        VkStatsRecord *r = vk_arena_alloc(c->a, sizeof(*r));
        vk_stats_record__init(r);
        r->dom = ref_out(c, &recs[i]->dom->ref);
        r->params = vk_arena_alloc(c->a, sizeof(VkParams));
        vk_params__init(r->params);
        vk_rpc_params_to_wire(recs[i]->params, r->params, c->a);
        out->records[i] = r;
    }
    return 0;
}

static int srv_domain_open_console(srv_call *c, const ProtobufCMessage *args_,
                                   ProtobufCMessage **ret)
{
    ARGS(VkRefStr);
    virtkit_domain *d = dom_arg(c, in->ref);
    if (!d)
        return -1;
    virtkit_stream *st = virtkit_stream_new(c->conn, VIRTKIT_STREAM_NONBLOCK);
    if (!st)
        return -1;
    if (virtkit_domain_open_console(d, in->str, st, in->flags) < 0) {
        vk_saved_error *e = vk_error_save();
        virtkit_stream_free(st);
        vk_error_restore(e);
        return -1;
    }
    c->stream = srv_stream_new(c->cl, c->h->proc, c->h->serial, st, true, true);
    return empty_ret(c, 0, ret);
}

/* ---------------------------------------------------------- migration --
 * The core drives the phases across two connections (migrate.c); on a
 * remote connection each phase is one call, run here with the plugin's
 * op, which checks its own flags and parameters. */

#define MIGRATE_FLAGS 0x1fu

static int migrate_prep(srv_call *c, const VkMigrateArgs *in, virtkit_params **params)
{
    if (in->flags & ~MIGRATE_FLAGS) {
        vk_error_set(VIRTKIT_ERR_INVALID_FLAGS, VIRTKIT_SUB_DAEMON,
                     "migration: unsupported flags 0x%x", in->flags & ~MIGRATE_FLAGS);
        return -1;
    }
    if (c->conn->readonly) {
        vk_error_set(VIRTKIT_ERR_OPERATION_DENIED, VIRTKIT_SUB_ACCESS,
                     "migration is not allowed on a read-only connection");
        return -1;
    }
    *params = in->params ? vk_rpc_params_from_wire(in->params) : NULL;
    srv_defer(c, free_params, *params);
    return 0;
}

#define MIGRATE_OP(c, m)                                                                 \
    ({                                                                                   \
        if (!VKP_HAS_OP((c)->conn->hv, vkp_hypervisor_ops, m)) {                         \
            vk_no_support((c)->conn, #m);                                                \
            return -1;                                                                   \
        }                                                                                \
        (c)->conn->hv->m;                                                                \
    })

static int srv_domain_migrate_begin(srv_call *c, const ProtobufCMessage *args_,
                                    ProtobufCMessage **ret)
{
    ARGS(VkMigrateArgs);
    virtkit_params *p;
    vkp_ref r;
    if (migrate_prep(c, in, &p) < 0 || take_ref(in->ref, &r, "domain") < 0)
        return -1;
    char *xml = MIGRATE_OP(c, migrate_begin)(c->conn->hv_conn, &r, p, in->flags);
    vk_ref_clear(&r);
    if (!xml)
        vk_ensure_error(c->conn, "migrate_begin");
    return str_ret(c, xml, ret);
}

static int srv_domain_migrate_prepare(srv_call *c, const ProtobufCMessage *args_,
                                      ProtobufCMessage **ret)
{
    ARGS(VkMigrateArgs);
    virtkit_params *p;
    if (migrate_prep(c, in, &p) < 0)
        return -1;
    char *uri = NULL;
    if (MIGRATE_OP(c, migrate_prepare)(c->conn->hv_conn, in->str, p, in->flags, &uri) < 0) {
        vk_ensure_error(c->conn, "migrate_prepare");
        free(uri);
        return -1;
    }
    if (uri)
        srv_defer(c, free, uri);
    RET(VkString, VK_STRING__INIT);
    out->value = uri;
    return 0;
}

static int srv_domain_migrate_perform(srv_call *c, const ProtobufCMessage *args_,
                                      ProtobufCMessage **ret)
{
    ARGS(VkMigrateArgs);
    virtkit_params *p;
    vkp_ref r;
    if (migrate_prep(c, in, &p) < 0 || take_ref(in->ref, &r, "domain") < 0)
        return -1;
    int rc = MIGRATE_OP(c, migrate_perform)(c->conn->hv_conn, &r, in->str, p, in->flags);
    vk_ref_clear(&r);
    if (rc < 0)
        vk_ensure_error(c->conn, "migrate_perform");
    return empty_ret(c, rc, ret);
}

static int srv_domain_migrate_finish(srv_call *c, const ProtobufCMessage *args_,
                                     ProtobufCMessage **ret)
{
    ARGS(VkMigrateArgs);
    virtkit_params *p;
    if (migrate_prep(c, in, &p) < 0)
        return -1;
    vkp_ref out = { 0 };
    if (MIGRATE_OP(c, migrate_finish)(c->conn->hv_conn, in->str, p, in->flags, in->cancelled,
                                      &out) < 0) {
        vk_ref_clear(&out);
        vk_ensure_error(c->conn, "migrate_finish");
        return -1;
    }
    vkp_ref *keep = vk_arena_alloc(c->a, sizeof(*keep));
    *keep = out;
    if (out.name)
        srv_defer(c, free, out.name);
    *ret = &ref_out(c, keep)->base;
    return 0;
}

static int srv_domain_migrate_confirm(srv_call *c, const ProtobufCMessage *args_,
                                      ProtobufCMessage **ret)
{
    ARGS(VkMigrateArgs);
    virtkit_params *p;
    vkp_ref r;
    if (migrate_prep(c, in, &p) < 0 || take_ref(in->ref, &r, "domain") < 0)
        return -1;
    int rc = MIGRATE_OP(c, migrate_confirm)(c->conn->hv_conn, &r, p, in->flags, in->cancelled);
    vk_ref_clear(&r);
    if (rc < 0)
        vk_ensure_error(c->conn, "migrate_confirm");
    return empty_ret(c, rc, ret);
}

/* ----------------------------------------------------------- networks -- */


SRV_LIST(network_list_all, virtkit_network, virtkit_connect_list_all_networks, free_network)

SRV_LOOKUP_BY_NAME_OR_UUID(network_lookup, network, net_ret)
SRV_FROM_XML(network_define, virtkit_network_define_xml, net_ret)
SRV_FROM_XML(network_create_xml, virtkit_network_create_xml, net_ret)
SRV_REF_FLAGS(network_undefine, net_arg, virtkit_network_undefine)
SRV_REF_FLAGS(network_create, net_arg, virtkit_network_create)
SRV_REF_FLAGS(network_destroy, net_arg, virtkit_network_destroy)
SRV_REF_STR(network_get_xml, net_arg, virtkit_network_get_xml)
SRV_REF_INT(network_is_active, net_arg, virtkit_network_is_active)
SRV_REF_INT(network_is_persistent, net_arg, virtkit_network_is_persistent)
SRV_REF_GETBOOL(network_get_autostart, net_arg, virtkit_network_get_autostart)
SRV_REF_SETBOOL(network_set_autostart, net_arg, virtkit_network_set_autostart)

static int srv_network_get_bridge_name(srv_call *c, const ProtobufCMessage *args_,
                                       ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_network *n = net_arg(c, in->ref);
    return n ? str_ret(c, virtkit_network_get_bridge_name(n), ret) : -1;
}

static void free_leases(void *p)
{
    virtkit_params **l = p;
    for (size_t i = 0; l && l[i]; i++)
        virtkit_params_free(l[i]);
    free(l);
}

static int srv_network_get_dhcp_leases(srv_call *c, const ProtobufCMessage *args_,
                                       ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_network *n = net_arg(c, in->ref);
    virtkit_params **leases = NULL;
    int k = n ? virtkit_network_get_dhcp_leases(n, &leases, in->flags) : -1;
    if (k < 0)
        return -1;
    /* Copy into a NULL-terminated array so the cleanup knows the end. */
    virtkit_params **own = vk_alloc_n((size_t)k + 1, sizeof(*own));
    memcpy(own, leases, (size_t)k * sizeof(*own));
    free(leases);
    srv_defer(c, free_leases, own);
    RET(VkParamsList, VK_PARAMS_LIST__INIT);
    out->n_lists = (size_t)k;
    out->lists = vk_arena_alloc(c->a, ((size_t)k + 1) * sizeof(VkParams *));
    for (int i = 0; i < k; i++) {
        out->lists[i] = vk_arena_alloc(c->a, sizeof(VkParams));
        vk_params__init(out->lists[i]);
        vk_rpc_params_to_wire(own[i], out->lists[i], c->a);
    }
    return 0;
}

/* ------------------------------------------------------------ storage -- */


SRV_LIST(pool_list_all, virtkit_pool, virtkit_connect_list_all_pools, free_pool)

SRV_LOOKUP_BY_NAME_OR_UUID(pool_lookup, pool, pool_ret)
SRV_FROM_XML(pool_define, virtkit_pool_define_xml, pool_ret)
SRV_FROM_XML(pool_create_xml, virtkit_pool_create_xml, pool_ret)
SRV_REF_NOFLAGS(pool_undefine, pool_arg, virtkit_pool_undefine)
SRV_REF_NOFLAGS(pool_destroy, pool_arg, virtkit_pool_destroy)
SRV_REF_FLAGS(pool_build, pool_arg, virtkit_pool_build)
SRV_REF_FLAGS(pool_create, pool_arg, virtkit_pool_create)
SRV_REF_FLAGS(pool_delete, pool_arg, virtkit_pool_delete)
SRV_REF_FLAGS(pool_refresh, pool_arg, virtkit_pool_refresh)
SRV_REF_STR(pool_get_xml, pool_arg, virtkit_pool_get_xml)
SRV_REF_INT(pool_is_active, pool_arg, virtkit_pool_is_active)
SRV_REF_INT(pool_is_persistent, pool_arg, virtkit_pool_is_persistent)
SRV_REF_GETBOOL(pool_get_autostart, pool_arg, virtkit_pool_get_autostart)
SRV_REF_SETBOOL(pool_set_autostart, pool_arg, virtkit_pool_set_autostart)

static int srv_pool_get_info(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_pool *p = pool_arg(c, in->ref);
    virtkit_pool_info info = VIRTKIT_POOL_INFO_INIT;
    if (!p || virtkit_pool_get_info(p, &info) < 0)
        return -1;
    RET(VkPoolInfo, VK_POOL_INFO__INIT);
    out->has_state = out->has_capacity = out->has_allocation = out->has_available = 1;
    out->state = info.state;
    out->capacity = info.capacity;
    out->allocation = info.allocation;
    out->available = info.available;
    return 0;
}

static VkVolRef *volref_out(srv_call *c, virtkit_volume *v)
{
    VkVolRef *w = vk_arena_alloc(c->a, sizeof(*w));
    vk_vol_ref__init(w);
    vk_rpc_volref_to_wire(&v->ref, w);
    return w;
}

static int vol_ret(srv_call *c, virtkit_volume *v, ProtobufCMessage **ret)
{
    if (!v)
        return -1;
    srv_defer(c, free_volume, v);
    *ret = &volref_out(c, v)->base;
    return 0;
}

static int srv_volume_list_all(srv_call *c, const ProtobufCMessage *args_,
                               ProtobufCMessage **ret)
{
    ARGS(VkRefFlags);
    virtkit_pool *p = pool_arg(c, in->ref);
    virtkit_volume **vols = NULL;
    int n = p ? virtkit_pool_list_all_volumes(p, &vols, in->flags) : -1;
    if (n < 0)
        return -1;
    srv_defer(c, free, vols);
    RET(VkVolRefList, VK_VOL_REF_LIST__INIT);
    out->n_vols = (size_t)n;
    out->vols = vk_arena_alloc(c->a, ((size_t)n + 1) * sizeof(VkVolRef *));
    for (int i = 0; i < n; i++) {
        srv_defer(c, free_volume, vols[i]);
        out->vols[i] = volref_out(c, vols[i]);
    }
    return 0;
}

static int srv_volume_lookup(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkVolLookup);
    if (in->pool && in->name) {
        virtkit_pool *p = virtkit_pool_lookup_by_name(c->conn, in->pool);
        if (!p)
            return -1;
        srv_defer(c, free_pool, p);
        return vol_ret(c, virtkit_volume_lookup_by_name(p, in->name), ret);
    }
    if (in->key)
        return vol_ret(c, virtkit_volume_lookup_by_key(c->conn, in->key), ret);
    if (in->path)
        return vol_ret(c, virtkit_volume_lookup_by_path(c->conn, in->path), ret);
    vk_error_invalid_arg("a volume lookup needs a pool and a name, a key or a path");
    return -1;
}

static int srv_volume_create_xml(srv_call *c, const ProtobufCMessage *args_,
                                 ProtobufCMessage **ret)
{
    ARGS(VkVolCreateArgs);
    virtkit_pool *p = pool_arg(c, in->pool);
    if (!p)
        return -1;
    if (in->clone_of) {
        virtkit_volume *from = vol_arg(c, in->clone_of);
        if (!from)
            return -1;
        return vol_ret(c, virtkit_volume_create_xml_from(p, in->xml, from, in->flags), ret);
    }
    return vol_ret(c, virtkit_volume_create_xml(p, in->xml, in->flags), ret);
}

#define SRV_VOL_FLAGS(name, api)                                                         \
    static int srv_##name(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret) \
    {                                                                                    \
        ARGS(VkVolArgs);                                                                 \
        virtkit_volume *v = vol_arg(c, in->vol);                                         \
        return v ? empty_ret(c, api(v, in->flags), ret) : -1;                            \
    }
SRV_VOL_FLAGS(volume_delete, virtkit_volume_delete)
SRV_VOL_FLAGS(volume_wipe, virtkit_volume_wipe)

static int srv_volume_resize(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkVolArgs);
    virtkit_volume *v = vol_arg(c, in->vol);
    return v ? empty_ret(c, virtkit_volume_resize(v, in->value, in->flags), ret) : -1;
}

static int srv_volume_get_info(srv_call *c, const ProtobufCMessage *args_,
                               ProtobufCMessage **ret)
{
    ARGS(VkVolArgs);
    virtkit_volume *v = vol_arg(c, in->vol);
    virtkit_volume_info info = VIRTKIT_VOLUME_INFO_INIT;
    if (!v || virtkit_volume_get_info(v, &info) < 0)
        return -1;
    RET(VkVolumeInfo, VK_VOLUME_INFO__INIT);
    out->has_type = out->has_capacity = out->has_allocation = 1;
    out->type = info.type;
    out->capacity = info.capacity;
    out->allocation = info.allocation;
    return 0;
}

static int srv_volume_get_xml(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkVolArgs);
    virtkit_volume *v = vol_arg(c, in->vol);
    return v ? str_ret(c, virtkit_volume_get_xml(v, in->flags), ret) : -1;
}

static int srv_volume_get_path(srv_call *c, const ProtobufCMessage *args_,
                               ProtobufCMessage **ret)
{
    ARGS(VkVolArgs);
    virtkit_volume *v = vol_arg(c, in->vol);
    return v ? str_ret(c, virtkit_volume_get_path(v), ret) : -1;
}

static int volume_transfer(srv_call *c, const VkVolArgs *in, bool upload, ProtobufCMessage **ret)
{
    virtkit_volume *v = vol_arg(c, in->vol);
    if (!v)
        return -1;
    virtkit_stream *st = virtkit_stream_new(c->conn, VIRTKIT_STREAM_NONBLOCK);
    if (!st)
        return -1;
    int r = upload ? virtkit_volume_upload(v, st, in->value, in->value2, in->flags)
                   : virtkit_volume_download(v, st, in->value, in->value2, in->flags);
    if (r < 0) {
        vk_saved_error *e = vk_error_save();
        virtkit_stream_free(st);
        vk_error_restore(e);
        return -1;
    }
    c->stream = srv_stream_new(c->cl, c->h->proc, c->h->serial, st, !upload, upload);
    return empty_ret(c, 0, ret);
}

static int srv_volume_upload(srv_call *c, const ProtobufCMessage *args_, ProtobufCMessage **ret)
{
    ARGS(VkVolArgs);
    return volume_transfer(c, in, true, ret);
}

static int srv_volume_download(srv_call *c, const ProtobufCMessage *args_,
                               ProtobufCMessage **ret)
{
    ARGS(VkVolArgs);
    return volume_transfer(c, in, false, ret);
}

/* --------------------------------------------------------------- open -- */

/* Query parameters a client may not pass to the daemon's drivers: ?root=
 * would let it choose where the daemon keeps state. */
static const char *const refused_params[] = { "root", NULL };

int srv_open_connection(srv_call *c, const VkOpenArgs *in, VkOpenRet *ret)
{
    srv_client *cl = c->cl;
    vk_server *s = cl->srv;
    VK_AUTOPTR(vk_uri) u = vk_uri_parse(in->uri);
    if (!u)
        return -1;
    if (u->transport || u->host) {
        vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_DAEMON,
                     "virtkitd serves its own node: URI '%s' names a transport or a host",
                     in->uri);
        return -1;
    }
    for (size_t i = 0; i < u->nparams; i++) {
        if (vk_strv_contains(refused_params, u->params[i].name)) {
            vk_error_set(VIRTKIT_ERR_OPERATION_DENIED, VIRTKIT_SUB_DAEMON,
                         "URI '%s': parameter '%s' cannot be passed through virtkitd", in->uri,
                         u->params[i].name);
            return -1;
        }
    }
    if (in->flags & ~(unsigned int)VIRTKIT_CONNECT_RO) {
        vk_error_set(VIRTKIT_ERR_INVALID_FLAGS, VIRTKIT_SUB_DAEMON,
                     "connect_open: unsupported flags 0x%x", in->flags);
        return -1;
    }
    if (in->has_resume_events && vk_evlog_check_resume(s->evlog, in->resume_events) < 0)
        return -1;
    unsigned int flags = VK_CONNECT_NO_REMOTE | VIRTKIT_CONNECT_NO_ALIASES;
    if (cl->readonly || (in->flags & VIRTKIT_CONNECT_RO))
        flags |= VIRTKIT_CONNECT_RO;
    virtkit_connect *conn = virtkit_connect_open(in->uri, flags);
    if (!conn)
        return -1;
    char *key = vk_asprintf("%s://%s", u->driver, u->path);
    pthread_mutex_lock(&cl->lock);
    cl->conn = conn;
    cl->key = key;
    cl->keepalive_ok = in->has_keepalive && in->keepalive;
    cl->resuming = in->has_resume_events;
    cl->resume_from = in->resume_events;
    pthread_mutex_unlock(&cl->lock);
    srv_events_attach(cl);
    __atomic_store_n(&cl->open, true, __ATOMIC_RELEASE);
    ret->max_requests = __atomic_load_n(&s->hot_max_requests, __ATOMIC_RELAXED);
    ret->max_message = __atomic_load_n(&s->hot_max_message, __ATOMIC_RELAXED);
    ret->priority_requests = __atomic_load_n(&s->hot_prio_limit, __ATOMIC_RELAXED);
    ret->type = (char *)conn->type;
    ret->has_daemon_version = ret->has_max_requests = ret->has_max_message =
        ret->has_event_seq = ret->has_readonly = ret->has_priority_requests = 1;
    ret->daemon_version = virtkit_library_version();
    ret->event_seq = vk_evlog_last(s->evlog);
    ret->readonly = cl->readonly;
    VK_INFO("server", "client %llu (%s) opened %s%s", (unsigned long long)cl->id, cl->desc,
            in->uri, (flags & VIRTKIT_CONNECT_RO) ? " read-only" : "");
    srv_hub_ensure(s, key);
    return 0;
}

/* ------------------------------------------------------------- table -- */

const srv_handler vk_srv_handlers[] = {
#define VK_PROC(num, name, args, ret, obj, op, flags) [num] = srv_##name,
#include "procedures.def"
#undef VK_PROC
};
const size_t vk_srv_nhandlers = VK_ARRAY_LEN(vk_srv_handlers);
