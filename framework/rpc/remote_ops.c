/*
 * remote_ops.c: the SDK ops tables of the remote driver. Each op packs its
 * arguments into the procedure's message, calls the daemon and unpacks the
 * reply into what the core expects (malloc'd, owned by the caller). The
 * shapes repeat, so most ops come from a handful of macros; the procedure
 * each one uses is named in its row.
 *
 * Replies are unpacked into a stack arena that vanishes with the op, so
 * every string handed to the core is copied out first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "remote.h"

#define ARENA(a) VK_ARENA_STACK(a, 2048)

static int call(vkp_conn *k, uint32_t proc, const ProtobufCMessage *args, void *ret, vk_arena *a)
{
    return vk_rpc_client_call(vk_remote_of(k)->rpc, proc, args, (ProtobufCMessage **)ret, a);
}

static char *want_string(const char *s, const char *what)
{
    if (!s) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_REMOTE, "the daemon returned no value for %s",
                     what);
        return NULL;
    }
    return vk_strdup(s);
}

static int ret_ref(const VkRef *w, vkp_ref *out, const char *what)
{
    if (!w || !w->name) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_REMOTE,
                     "the daemon returned an object without a name for %s", what);
        return -1;
    }
    return vk_rpc_ref_from_wire(w, out);
}

static int ret_refs(const VkRefList *l, vkp_ref **out)
{
    vkp_ref *refs = vk_alloc_n(l->n_refs + 1, sizeof(*refs));
    for (size_t i = 0; i < l->n_refs; i++) {
        if (ret_ref(l->refs[i], &refs[i], "a list") < 0) {
            for (size_t j = 0; j < i; j++)
                free(refs[j].name);
            free(refs);
            return -1;
        }
    }
    *out = refs;
    return (int)l->n_refs;
}

/* --------------------------------------------------------- op shapes -- */

#define REF_FLAGS_ARGS(obj, fl)                                                         \
    VkRef r_ = VK_REF__INIT;                                                            \
    vk_rpc_ref_to_wire((obj), &r_);                                                     \
    VkRefFlags args = VK_REF_FLAGS__INIT;                                               \
    args.ref = &r_;                                                                     \
    args.has_flags = 1;                                                                 \
    args.flags = (fl)

/* int op(conn, ref, flags) -> 0 / -1 */
#define OP_REF_FLAGS(fn, proc)                                                          \
    static int fn(vkp_conn *k, const vkp_ref *ref, unsigned int flags)                  \
    {                                                                                   \
        ARENA(a);                                                                       \
        REF_FLAGS_ARGS(ref, flags);                                                     \
        return call(k, VK_PROC_##proc, &args.base, NULL, &a);                           \
    }

/* int op(conn, ref) -> 0 / -1 (no flags on this op) */
#define OP_REF(fn, proc)                                                                \
    static int fn(vkp_conn *k, const vkp_ref *ref)                                      \
    {                                                                                   \
        ARENA(a);                                                                       \
        REF_FLAGS_ARGS(ref, 0);                                                         \
        return call(k, VK_PROC_##proc, &args.base, NULL, &a);                           \
    }

/* int op(conn, ref[, flags]) -> a value >= 0 / -1 */
#define OP_REF_INT(fn, proc)                                                            \
    static int fn(vkp_conn *k, const vkp_ref *ref)                                      \
    {                                                                                   \
        ARENA(a);                                                                       \
        REF_FLAGS_ARGS(ref, 0);                                                         \
        VkInt *ret = NULL;                                                              \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return -1;                                                                  \
        return (int)ret->value;                                                         \
    }
#define OP_REF_FLAGS_INT(fn, proc)                                                      \
    static int fn(vkp_conn *k, const vkp_ref *ref, unsigned int flags)                  \
    {                                                                                   \
        ARENA(a);                                                                       \
        REF_FLAGS_ARGS(ref, flags);                                                     \
        VkInt *ret = NULL;                                                              \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return -1;                                                                  \
        return (int)ret->value;                                                         \
    }

/* char *op(conn, ref, flags) */
#define OP_REF_FLAGS_STR(fn, proc)                                                      \
    static char *fn(vkp_conn *k, const vkp_ref *ref, unsigned int flags)                \
    {                                                                                   \
        ARENA(a);                                                                       \
        REF_FLAGS_ARGS(ref, flags);                                                     \
        VkString *ret = NULL;                                                           \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return NULL;                                                                \
        return want_string(ret->value, #proc);                                          \
    }

/* int op(conn, ref, int *out) */
#define OP_REF_GETBOOL(fn, proc)                                                        \
    static int fn(vkp_conn *k, const vkp_ref *ref, int *out)                            \
    {                                                                                   \
        ARENA(a);                                                                       \
        REF_FLAGS_ARGS(ref, 0);                                                         \
        VkInt *ret = NULL;                                                              \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return -1;                                                                  \
        *out = (int)ret->value;                                                         \
        return 0;                                                                       \
    }

/* int op(conn, ref, number[, flags]) */
#define OP_REF_NUM(fn, proc, ctype)                                                     \
    static int fn(vkp_conn *k, const vkp_ref *ref, ctype value, unsigned int flags)     \
    {                                                                                   \
        ARENA(a);                                                                       \
        VkRef r_ = VK_REF__INIT;                                                        \
        vk_rpc_ref_to_wire(ref, &r_);                                                   \
        VkRefNum args = VK_REF_NUM__INIT;                                               \
        args.ref = &r_;                                                                 \
        args.has_value = 1;                                                             \
        args.value = (uint64_t)value;                                                   \
        args.has_flags = 1;                                                             \
        args.flags = flags;                                                             \
        return call(k, VK_PROC_##proc, &args.base, NULL, &a);                           \
    }
#define OP_REF_SETBOOL(fn, inner)                                                       \
    static int fn(vkp_conn *k, const vkp_ref *ref, int value)                           \
    {                                                                                   \
        return inner(k, ref, value, 0);                                                 \
    }

/* int op(conn, ref, string, flags) */
#define OP_REF_STR(fn, proc)                                                            \
    static int fn(vkp_conn *k, const vkp_ref *ref, const char *str, unsigned int flags) \
    {                                                                                   \
        ARENA(a);                                                                       \
        VkRef r_ = VK_REF__INIT;                                                        \
        vk_rpc_ref_to_wire(ref, &r_);                                                   \
        VkRefStr args = VK_REF_STR__INIT;                                               \
        args.ref = &r_;                                                                 \
        args.str = (char *)str;                                                         \
        args.has_flags = 1;                                                             \
        args.flags = flags;                                                             \
        return call(k, VK_PROC_##proc, &args.base, NULL, &a);                           \
    }

/* int op(conn, xml, flags, vkp_ref *out) */
#define OP_STR_REF(fn, proc)                                                            \
    static int fn(vkp_conn *k, const char *xml, unsigned int flags, vkp_ref *out)       \
    {                                                                                   \
        ARENA(a);                                                                       \
        VkStrFlags args = VK_STR_FLAGS__INIT;                                           \
        args.str = (char *)xml;                                                         \
        args.has_flags = 1;                                                             \
        args.flags = flags;                                                             \
        VkRef *ret = NULL;                                                              \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return -1;                                                                  \
        return ret_ref(ret, out, #proc);                                                \
    }

/* char *op(conn, string, flags) */
#define OP_STR_STR(fn, proc)                                                            \
    static char *fn(vkp_conn *k, const char *str, unsigned int flags)                   \
    {                                                                                   \
        ARENA(a);                                                                       \
        VkStrFlags args = VK_STR_FLAGS__INIT;                                           \
        args.str = (char *)str;                                                         \
        args.has_flags = 1;                                                             \
        args.flags = flags;                                                             \
        VkString *ret = NULL;                                                           \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return NULL;                                                                \
        return want_string(ret->value, #proc);                                          \
    }

/* int op(conn, refs **, flags) -> count */
#define OP_LIST(fn, proc)                                                               \
    static int fn(vkp_conn *k, vkp_ref **refs, unsigned int flags)                      \
    {                                                                                   \
        ARENA(a);                                                                       \
        VkFlags args = VK_FLAGS__INIT;                                                  \
        args.has_flags = 1;                                                             \
        args.flags = flags;                                                             \
        VkRefList *ret = NULL;                                                          \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return -1;                                                                  \
        return ret_refs(ret, refs);                                                     \
    }

/* int op(conn) -> count */
#define OP_COUNT(fn, proc)                                                              \
    static int fn(vkp_conn *k)                                                          \
    {                                                                                   \
        ARENA(a);                                                                       \
        VkEmpty args = VK_EMPTY__INIT;                                                  \
        VkInt *ret = NULL;                                                              \
        if (call(k, VK_PROC_##proc, &args.base, &ret, &a) < 0)                          \
            return -1;                                                                  \
        return (int)ret->value;                                                         \
    }

/* lookup by name or uuid (networks, pools) */
#define OP_LOOKUP(fn, proc)                                                             \
    static int fn(vkp_conn *k, const char *name, const unsigned char *uuid, vkp_ref *out) \
    {                                                                                   \
        return lookup_any(k, VK_PROC_##proc, name, uuid, -1, out);                      \
    }

/* params out: int op(conn, params **) */
static int ret_params(VkParams *w, virtkit_params **out)
{
    *out = vk_rpc_params_from_wire(w);
    return 0;
}

/* ------------------------------------------------------- connection -- */

static int r_get_version(vkp_conn *k, unsigned long long *version)
{
    ARENA(a);
    VkEmpty args = VK_EMPTY__INIT;
    VkInt *ret = NULL;
    if (call(k, VK_PROC_connect_get_version, &args.base, &ret, &a) < 0)
        return -1;
    *version = (unsigned long long)ret->value;
    return 0;
}

static char *empty_to_string(vkp_conn *k, uint32_t proc, const char *what)
{
    ARENA(a);
    VkEmpty args = VK_EMPTY__INIT;
    VkString *ret = NULL;
    if (call(k, proc, &args.base, &ret, &a) < 0)
        return NULL;
    return want_string(ret->value, what);
}

static char *r_get_hostname(vkp_conn *k)
{
    return empty_to_string(k, VK_PROC_connect_get_hostname, "the host name");
}

/* The whole document: node.c passes it through when it starts with
 * "<capabilities". */
static char *r_node_capabilities_xml(vkp_conn *k)
{
    return empty_to_string(k, VK_PROC_connect_get_capabilities, "the capabilities");
}

/* ------------------------------------------------------------- node -- */

static int r_node_get_info(vkp_conn *k, virtkit_node_info *info)
{
    ARENA(a);
    VkEmpty args = VK_EMPTY__INIT;
    VkNodeInfo *r = NULL;
    if (call(k, VK_PROC_node_get_info, &args.base, &r, &a) < 0)
        return -1;
    snprintf(info->model, sizeof(info->model), "%s", r->model ? r->model : "");
    info->memory_kib = r->memory_kib;
    info->cpus = r->cpus;
    info->mhz = r->mhz;
    info->nodes = r->nodes;
    info->sockets = r->sockets;
    info->cores = r->cores;
    info->threads = r->threads;
    info->dies = r->dies;
    return 0;
}

static int r_node_get_cpu_map(vkp_conn *k, unsigned char **cpumap, unsigned int *online)
{
    ARENA(a);
    VkEmpty args = VK_EMPTY__INIT;
    VkCpuMap *r = NULL;
    if (call(k, VK_PROC_node_get_cpu_map, &args.base, &r, &a) < 0)
        return -1;
    if (cpumap)
        *cpumap = vk_memdup(r->map.data ? r->map.data : (uint8_t *)"", r->map.len + 1);
    if (online)
        *online = r->online;
    return (int)r->map.len;
}

static int r_node_cells_free_memory(vkp_conn *k, unsigned long long *free_bytes, int start,
                                    int max)
{
    ARENA(a);
    VkCellsArgs args = VK_CELLS_ARGS__INIT;
    args.has_start = args.has_max = 1;
    args.start = start;
    args.max = max;
    VkU64List *r = NULL;
    if (call(k, VK_PROC_node_cells_free_memory, &args.base, &r, &a) < 0)
        return -1;
    size_t n = r->n_values < (size_t)max ? r->n_values : (size_t)max;
    for (size_t i = 0; i < n; i++)
        free_bytes[i] = r->values[i];
    return (int)n;
}

static int int_to_params(vkp_conn *k, uint32_t proc, int value, virtkit_params **params)
{
    ARENA(a);
    VkInt args = VK_INT__INIT;
    args.has_value = 1;
    args.value = value;
    VkParams *r = NULL;
    if (call(k, proc, &args.base, &r, &a) < 0)
        return -1;
    return ret_params(r, params);
}

static int r_node_cpu_stats(vkp_conn *k, int cpu, virtkit_params **params)
{
    return int_to_params(k, VK_PROC_node_cpu_stats, cpu, params);
}

static int r_node_memory_stats(vkp_conn *k, int cell, virtkit_params **params)
{
    return int_to_params(k, VK_PROC_node_memory_stats, cell, params);
}

static int r_node_get_hugepages(vkp_conn *k, virtkit_params **params)
{
    ARENA(a);
    VkEmpty args = VK_EMPTY__INIT;
    VkParams *r = NULL;
    if (call(k, VK_PROC_node_get_hugepages, &args.base, &r, &a) < 0)
        return -1;
    return ret_params(r, params);
}

static int r_list_all_nodedevs(vkp_conn *k, char ***names, char ***parents, unsigned int flags)
{
    ARENA(a);
    VkFlags args = VK_FLAGS__INIT;
    args.has_flags = 1;
    args.flags = flags;
    VkNodedevList *r = NULL;
    if (call(k, VK_PROC_nodedev_list_all, &args.base, &r, &a) < 0)
        return -1;
    *names = vk_alloc_n(r->n_devs + 1, sizeof(char *));
    *parents = vk_alloc_n(r->n_devs + 1, sizeof(char *));
    for (size_t i = 0; i < r->n_devs; i++) {
        (*names)[i] = vk_strdup(r->devs[i]->name);
        (*parents)[i] = vk_strdup(r->devs[i]->parent);
    }
    return (int)r->n_devs;
}

OP_STR_STR(r_nodedev_get_xml, nodedev_get_xml)

/* ---------------------------------------------------------- domains -- */

static int lookup_any(vkp_conn *k, uint32_t proc, const char *name, const unsigned char *uuid,
                      int id, vkp_ref *out)
{
    ARENA(a);
    VkRef args = VK_REF__INIT;
    args.name = (char *)name;
    if (uuid) {
        args.has_uuid = 1;
        args.uuid.data = (uint8_t *)uuid;
        args.uuid.len = 16;
    }
    args.has_id = 1;
    args.id = id;
    VkRef *ret = NULL;
    if (call(k, proc, &args.base, &ret, &a) < 0)
        return -1;
    return ret_ref(ret, out, "a lookup");
}

static int r_lookup_domain(vkp_conn *k, const char *name, const unsigned char *uuid, int id,
                           vkp_ref *out)
{
    return lookup_any(k, VK_PROC_domain_lookup, name, uuid, id, out);
}

OP_COUNT(r_num_of_domains, domain_num_active)
OP_COUNT(r_num_of_defined_domains, domain_num_defined)
OP_LIST(r_list_all_domains, domain_list_all)
OP_STR_REF(r_domain_define, domain_define)
OP_STR_REF(r_domain_create_xml, domain_create_xml)
OP_REF_FLAGS(r_domain_undefine, domain_undefine)
OP_REF_FLAGS(r_domain_shutdown, domain_shutdown)
OP_REF_FLAGS(r_domain_reboot, domain_reboot)
OP_REF_FLAGS(r_domain_reset, domain_reset)
OP_REF_FLAGS(r_domain_destroy, domain_destroy)
OP_REF_FLAGS(r_domain_suspend, domain_suspend)
OP_REF_FLAGS(r_domain_resume, domain_resume)
OP_REF_FLAGS(r_domain_managed_save, domain_managed_save)
OP_REF_FLAGS(r_domain_managed_save_remove, domain_managed_save_remove)
OP_REF_FLAGS_INT(r_domain_has_managed_save, domain_has_managed_save)
OP_REF_STR(r_domain_save, domain_save)
OP_REF_STR(r_domain_core_dump, domain_core_dump)
OP_REF_STR(r_domain_attach_device, domain_attach_device)
OP_REF_STR(r_domain_detach_device, domain_detach_device)
OP_REF_STR(r_domain_update_device, domain_update_device)
OP_REF_FLAGS_STR(r_domain_get_xml, domain_get_xml)
OP_REF_INT(r_domain_is_persistent, domain_is_persistent)
OP_REF_GETBOOL(r_domain_get_autostart, domain_get_autostart)
OP_REF_NUM(r_domain_set_autostart_num, domain_set_autostart, int)
OP_REF_SETBOOL(r_domain_set_autostart, r_domain_set_autostart_num)
OP_REF_NUM(r_domain_set_memory, domain_set_memory, unsigned long long)
OP_REF_NUM(r_domain_set_vcpus, domain_set_vcpus, unsigned int)
OP_STR_STR(r_save_image_get_xml, domain_save_image_get_xml)

static int r_domain_pin(vkp_conn *k, const vkp_ref *ref, int vcpu, const char *cpuset,
                        unsigned int flags)
{
    ARENA(a);
    VkRef r_ = VK_REF__INIT;
    vk_rpc_ref_to_wire(ref, &r_);
    VkPinArgs args = VK_PIN_ARGS__INIT;
    args.ref = &r_;
    args.has_vcpu = 1;
    args.vcpu = vcpu;
    args.cpuset = (char *)cpuset;
    args.has_flags = 1;
    args.flags = flags;
    return call(k, VK_PROC_domain_pin, &args.base, NULL, &a);
}

static int r_domain_create(vkp_conn *k, const vkp_ref *ref, unsigned int flags, vkp_ref *out)
{
    ARENA(a);
    REF_FLAGS_ARGS(ref, flags);
    VkRef *ret = NULL;
    if (call(k, VK_PROC_domain_create, &args.base, &ret, &a) < 0)
        return -1;
    return ret_ref(ret, out, "domain_create");
}

static int r_domain_restore(vkp_conn *k, const char *path, const char *xml, unsigned int flags)
{
    ARENA(a);
    VkStr2Flags args = VK_STR2_FLAGS__INIT;
    args.str = (char *)path;
    args.str2 = (char *)xml;
    args.has_flags = 1;
    args.flags = flags;
    return call(k, VK_PROC_domain_restore, &args.base, NULL, &a);
}

static int r_domain_get_info(vkp_conn *k, const vkp_ref *ref, virtkit_domain_info *info)
{
    ARENA(a);
    REF_FLAGS_ARGS(ref, 0);
    VkDomainInfo *r = NULL;
    if (call(k, VK_PROC_domain_get_info, &args.base, &r, &a) < 0)
        return -1;
    info->state = r->state;
    info->max_mem_kib = r->max_mem_kib;
    info->memory_kib = r->memory_kib;
    info->nr_vcpus = r->nr_vcpus;
    info->cpu_time_ns = r->cpu_time_ns;
    return 0;
}

static int r_domain_get_state(vkp_conn *k, const vkp_ref *ref, int *state, int *reason,
                              int *cached, unsigned int flags)
{
    ARENA(a);
    REF_FLAGS_ARGS(ref, flags);
    VkDomainState *r = NULL;
    if (call(k, VK_PROC_domain_get_state, &args.base, &r, &a) < 0)
        return -1;
    *state = r->state;
    *reason = r->reason;
    *cached = r->cached;
    return 0;
}

static int r_get_all_domain_stats(vkp_conn *k, unsigned int stats, unsigned int flags,
                                  vkp_domain_stats **records)
{
    ARENA(a);
    VkStatsArgs args = VK_STATS_ARGS__INIT;
    args.has_stats = args.has_flags = 1;
    args.stats = stats;
    args.flags = flags;
    VkStatsList *r = NULL;
    if (call(k, VK_PROC_domain_get_all_stats, &args.base, &r, &a) < 0)
        return -1;
    vkp_domain_stats *recs = vk_alloc_n(r->n_records + 1, sizeof(*recs));
    for (size_t i = 0; i < r->n_records; i++) {
        if (ret_ref(r->records[i]->dom, &recs[i].dom, "domain stats") < 0) {
            for (size_t j = 0; j < i; j++) {
                free(recs[j].dom.name);
                virtkit_params_free(recs[j].params);
            }
            free(recs);
            return -1;
        }
        recs[i].params = vk_rpc_params_from_wire(r->records[i]->params);
    }
    *records = recs;
    return (int)r->n_records;
}

/* ---------------------------------------------------------- migration -- */

static void migrate_args(VkMigrateArgs *m, VkRef *r, VkParams *p, const vkp_ref *ref,
                         const char *str, const virtkit_params *params, unsigned int flags,
                         vk_arena *a)
{
    if (ref) {
        vk_rpc_ref_to_wire(ref, r);
        m->ref = r;
    }
    m->str = (char *)str;
    if (params) {
        vk_rpc_params_to_wire(params, p, a);
        m->params = p;
    }
    m->has_flags = 1;
    m->flags = flags;
}

#define MIGRATE_ARGS(ref, str, params, flags)                                           \
    ARENA(a);                                                                           \
    VkMigrateArgs args = VK_MIGRATE_ARGS__INIT;                                         \
    VkRef r_ = VK_REF__INIT;                                                            \
    VkParams p_ = VK_PARAMS__INIT;                                                      \
    migrate_args(&args, &r_, &p_, ref, str, params, flags, &a)

static char *r_migrate_begin(vkp_conn *k, const vkp_ref *dom, const virtkit_params *params,
                             unsigned int flags)
{
    MIGRATE_ARGS(dom, NULL, params, flags);
    VkString *ret = NULL;
    if (call(k, VK_PROC_domain_migrate_begin, &args.base, &ret, &a) < 0)
        return NULL;
    return want_string(ret->value, "migrate_begin");
}

static int r_migrate_prepare(vkp_conn *k, const char *xml, const virtkit_params *params,
                             unsigned int flags, char **uri_out)
{
    MIGRATE_ARGS(NULL, xml, params, flags);
    VkString *ret = NULL;
    if (call(k, VK_PROC_domain_migrate_prepare, &args.base, &ret, &a) < 0)
        return -1;
    *uri_out = vk_strdup(ret->value);
    return 0;
}

static int r_migrate_perform(vkp_conn *k, const vkp_ref *dom, const char *uri,
                             const virtkit_params *params, unsigned int flags)
{
    MIGRATE_ARGS(dom, uri, params, flags);
    return call(k, VK_PROC_domain_migrate_perform, &args.base, NULL, &a);
}

static int r_migrate_finish(vkp_conn *k, const char *name, const virtkit_params *params,
                            unsigned int flags, int cancelled, vkp_ref *out)
{
    MIGRATE_ARGS(NULL, name, params, flags);
    args.has_cancelled = 1;
    args.cancelled = cancelled != 0;
    VkRef *ret = NULL;
    if (call(k, VK_PROC_domain_migrate_finish, &args.base, &ret, &a) < 0)
        return -1;
    if (cancelled && !ret->name)
        return 0;
    return ret_ref(ret, out, "migrate_finish");
}

static int r_migrate_confirm(vkp_conn *k, const vkp_ref *dom, const virtkit_params *params,
                             unsigned int flags, int cancelled)
{
    MIGRATE_ARGS(dom, NULL, params, flags);
    args.has_cancelled = 1;
    args.cancelled = cancelled != 0;
    return call(k, VK_PROC_domain_migrate_confirm, &args.base, NULL, &a);
}

const vkp_hypervisor_ops vk_remote_hv_ops = {
    .struct_size = sizeof(vkp_hypervisor_ops),
    .get_version = r_get_version,
    .get_hostname = r_get_hostname,
    .node_get_info = r_node_get_info,
    .node_capabilities_xml = r_node_capabilities_xml,
    .node_get_cpu_map = r_node_get_cpu_map,
    .node_cells_free_memory = r_node_cells_free_memory,
    .node_cpu_stats = r_node_cpu_stats,
    .node_memory_stats = r_node_memory_stats,
    .num_of_domains = r_num_of_domains,
    .num_of_defined_domains = r_num_of_defined_domains,
    .list_all_domains = r_list_all_domains,
    .lookup_domain = r_lookup_domain,
    .domain_define = r_domain_define,
    .domain_undefine = r_domain_undefine,
    .domain_create = r_domain_create,
    .domain_create_xml = r_domain_create_xml,
    .domain_shutdown = r_domain_shutdown,
    .domain_reboot = r_domain_reboot,
    .domain_reset = r_domain_reset,
    .domain_destroy = r_domain_destroy,
    .domain_suspend = r_domain_suspend,
    .domain_resume = r_domain_resume,
    .domain_save = r_domain_save,
    .domain_restore = r_domain_restore,
    .save_image_get_xml = r_save_image_get_xml,
    .domain_managed_save = r_domain_managed_save,
    .domain_has_managed_save = r_domain_has_managed_save,
    .domain_managed_save_remove = r_domain_managed_save_remove,
    .domain_core_dump = r_domain_core_dump,
    .domain_get_info = r_domain_get_info,
    .domain_get_state = r_domain_get_state,
    .domain_get_xml = r_domain_get_xml,
    .domain_is_persistent = r_domain_is_persistent,
    .domain_get_autostart = r_domain_get_autostart,
    .domain_set_autostart = r_domain_set_autostart,
    .domain_set_memory = r_domain_set_memory,
    .domain_set_vcpus = r_domain_set_vcpus,
    .domain_pin = r_domain_pin,
    .domain_attach_device = r_domain_attach_device,
    .domain_detach_device = r_domain_detach_device,
    .domain_update_device = r_domain_update_device,
    .get_all_domain_stats = r_get_all_domain_stats,
    .migrate_begin = r_migrate_begin,
    .migrate_prepare = r_migrate_prepare,
    .migrate_perform = r_migrate_perform,
    .migrate_finish = r_migrate_finish,
    .migrate_confirm = r_migrate_confirm,
    .list_all_nodedevs = r_list_all_nodedevs,
    .nodedev_get_xml = r_nodedev_get_xml,
    .node_get_hugepages = r_node_get_hugepages,
};

/* ---------------------------------------------------------- networks -- */

OP_LIST(r_list_all_networks, network_list_all)
OP_LOOKUP(r_lookup_network, network_lookup)
OP_STR_REF(r_network_define, network_define)
OP_STR_REF(r_network_create_xml, network_create_xml)
OP_REF_FLAGS(r_network_undefine, network_undefine)
OP_REF_FLAGS(r_network_create, network_create)
OP_REF_FLAGS(r_network_destroy, network_destroy)
OP_REF_FLAGS_STR(r_network_get_xml, network_get_xml)
OP_REF_INT(r_network_is_active, network_is_active)
OP_REF_INT(r_network_is_persistent, network_is_persistent)
OP_REF_GETBOOL(r_network_get_autostart, network_get_autostart)
OP_REF_NUM(r_network_set_autostart_num, network_set_autostart, int)
OP_REF_SETBOOL(r_network_set_autostart, r_network_set_autostart_num)

static char *r_network_get_bridge_name(vkp_conn *k, const vkp_ref *ref)
{
    ARENA(a);
    REF_FLAGS_ARGS(ref, 0);
    VkString *ret = NULL;
    if (call(k, VK_PROC_network_get_bridge_name, &args.base, &ret, &a) < 0)
        return NULL;
    return want_string(ret->value, "the bridge name");
}

static int r_network_get_dhcp_leases(vkp_conn *k, const vkp_ref *ref, virtkit_params ***leases,
                                     unsigned int flags)
{
    ARENA(a);
    REF_FLAGS_ARGS(ref, flags);
    VkParamsList *r = NULL;
    if (call(k, VK_PROC_network_get_dhcp_leases, &args.base, &r, &a) < 0)
        return -1;
    if (leases) {
        *leases = vk_alloc_n(r->n_lists + 1, sizeof(virtkit_params *));
        for (size_t i = 0; i < r->n_lists; i++)
            (*leases)[i] = vk_rpc_params_from_wire(r->lists[i]);
    }
    return (int)r->n_lists;
}

const vkp_network_ops vk_remote_network_ops = {
    .struct_size = sizeof(vkp_network_ops),
    .list_all_networks = r_list_all_networks,
    .lookup_network = r_lookup_network,
    .network_define = r_network_define,
    .network_create_xml = r_network_create_xml,
    .network_undefine = r_network_undefine,
    .network_create = r_network_create,
    .network_destroy = r_network_destroy,
    .network_get_xml = r_network_get_xml,
    .network_is_active = r_network_is_active,
    .network_is_persistent = r_network_is_persistent,
    .network_get_autostart = r_network_get_autostart,
    .network_set_autostart = r_network_set_autostart,
    .network_get_bridge_name = r_network_get_bridge_name,
    .network_get_dhcp_leases = r_network_get_dhcp_leases,
};

/* ----------------------------------------------------------- storage -- */

OP_LIST(r_list_all_pools, pool_list_all)
OP_LOOKUP(r_lookup_pool, pool_lookup)
OP_STR_REF(r_pool_define, pool_define)
OP_STR_REF(r_pool_create_xml, pool_create_xml)
OP_REF(r_pool_undefine, pool_undefine)
OP_REF(r_pool_destroy, pool_destroy)
OP_REF_FLAGS(r_pool_build, pool_build)
OP_REF_FLAGS(r_pool_create, pool_create)
OP_REF_FLAGS(r_pool_delete, pool_delete)
OP_REF_FLAGS(r_pool_refresh, pool_refresh)
OP_REF_FLAGS_STR(r_pool_get_xml, pool_get_xml)
OP_REF_INT(r_pool_is_active, pool_is_active)
OP_REF_INT(r_pool_is_persistent, pool_is_persistent)
OP_REF_GETBOOL(r_pool_get_autostart, pool_get_autostart)
OP_REF_NUM(r_pool_set_autostart_num, pool_set_autostart, int)
OP_REF_SETBOOL(r_pool_set_autostart, r_pool_set_autostart_num)

static int r_pool_get_info(vkp_conn *k, const vkp_ref *ref, virtkit_pool_info *info)
{
    ARENA(a);
    REF_FLAGS_ARGS(ref, 0);
    VkPoolInfo *r = NULL;
    if (call(k, VK_PROC_pool_get_info, &args.base, &r, &a) < 0)
        return -1;
    info->state = r->state;
    info->capacity = r->capacity;
    info->allocation = r->allocation;
    info->available = r->available;
    return 0;
}

static int r_list_all_volumes(vkp_conn *k, const vkp_ref *pool, vkp_volref **vols,
                              unsigned int flags)
{
    ARENA(a);
    REF_FLAGS_ARGS(pool, flags);
    VkVolRefList *r = NULL;
    if (call(k, VK_PROC_volume_list_all, &args.base, &r, &a) < 0)
        return -1;
    vkp_volref *v = vk_alloc_n(r->n_vols + 1, sizeof(*v));
    for (size_t i = 0; i < r->n_vols; i++)
        vk_rpc_volref_from_wire(r->vols[i], &v[i]);
    *vols = v;
    return (int)r->n_vols;
}

static int ret_volref(const VkVolRef *w, vkp_volref *out)
{
    if (!w->name || !w->pool) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_REMOTE,
                     "the daemon returned a volume without a pool or a name");
        return -1;
    }
    vk_rpc_volref_from_wire(w, out);
    return 0;
}

static int r_lookup_volume(vkp_conn *k, const char *pool, const char *name, const char *key,
                           const char *path, vkp_volref *out)
{
    ARENA(a);
    VkVolLookup args = VK_VOL_LOOKUP__INIT;
    args.pool = (char *)pool;
    args.name = (char *)name;
    args.key = (char *)key;
    args.path = (char *)path;
    VkVolRef *r = NULL;
    if (call(k, VK_PROC_volume_lookup, &args.base, &r, &a) < 0)
        return -1;
    return ret_volref(r, out);
}

static int r_volume_create_xml(vkp_conn *k, const vkp_ref *pool, const char *xml,
                               const vkp_volref *clone_of, unsigned int flags, vkp_volref *out)
{
    ARENA(a);
    VkRef pr = VK_REF__INIT;
    vk_rpc_ref_to_wire(pool, &pr);
    VkVolRef cr = VK_VOL_REF__INIT;
    VkVolCreateArgs args = VK_VOL_CREATE_ARGS__INIT;
    args.pool = &pr;
    args.xml = (char *)xml;
    if (clone_of) {
        vk_rpc_volref_to_wire(clone_of, &cr);
        args.clone_of = &cr;
    }
    args.has_flags = 1;
    args.flags = flags;
    VkVolRef *r = NULL;
    if (call(k, VK_PROC_volume_create_xml, &args.base, &r, &a) < 0)
        return -1;
    return ret_volref(r, out);
}

#define VOL_ARGS(vol, fl, v)                                                            \
    VkVolRef vr_ = VK_VOL_REF__INIT;                                                    \
    vk_rpc_volref_to_wire((vol), &vr_);                                                 \
    VkVolArgs args = VK_VOL_ARGS__INIT;                                                 \
    args.vol = &vr_;                                                                    \
    args.has_flags = 1;                                                                 \
    args.flags = (fl);                                                                  \
    args.has_value = 1;                                                                 \
    args.value = (v)

static int r_volume_delete(vkp_conn *k, const vkp_volref *vol, unsigned int flags)
{
    ARENA(a);
    VOL_ARGS(vol, flags, 0);
    return call(k, VK_PROC_volume_delete, &args.base, NULL, &a);
}

static int r_volume_wipe(vkp_conn *k, const vkp_volref *vol, unsigned int flags)
{
    ARENA(a);
    VOL_ARGS(vol, flags, 0);
    return call(k, VK_PROC_volume_wipe, &args.base, NULL, &a);
}

static int r_volume_resize(vkp_conn *k, const vkp_volref *vol, unsigned long long capacity,
                           unsigned int flags)
{
    ARENA(a);
    VOL_ARGS(vol, flags, capacity);
    return call(k, VK_PROC_volume_resize, &args.base, NULL, &a);
}

static int r_volume_get_info(vkp_conn *k, const vkp_volref *vol, virtkit_volume_info *info)
{
    ARENA(a);
    VOL_ARGS(vol, 0, 0);
    VkVolumeInfo *r = NULL;
    if (call(k, VK_PROC_volume_get_info, &args.base, &r, &a) < 0)
        return -1;
    info->type = r->type;
    info->capacity = r->capacity;
    info->allocation = r->allocation;
    return 0;
}

static char *vol_string(vkp_conn *k, uint32_t proc, const vkp_volref *vol, unsigned int flags)
{
    ARENA(a);
    VOL_ARGS(vol, flags, 0);
    VkString *r = NULL;
    if (call(k, proc, &args.base, &r, &a) < 0)
        return NULL;
    return want_string(r->value, vk_rpc_proc_get(proc)->name);
}

static char *r_volume_get_xml(vkp_conn *k, const vkp_volref *vol, unsigned int flags)
{
    return vol_string(k, VK_PROC_volume_get_xml, vol, flags);
}

static char *r_volume_get_path(vkp_conn *k, const vkp_volref *vol)
{
    return vol_string(k, VK_PROC_volume_get_path, vol, 0);
}

const vkp_storage_ops vk_remote_storage_ops = {
    .struct_size = sizeof(vkp_storage_ops),
    .list_all_pools = r_list_all_pools,
    .lookup_pool = r_lookup_pool,
    .pool_define = r_pool_define,
    .pool_create_xml = r_pool_create_xml,
    .pool_undefine = r_pool_undefine,
    .pool_build = r_pool_build,
    .pool_create = r_pool_create,
    .pool_destroy = r_pool_destroy,
    .pool_delete = r_pool_delete,
    .pool_refresh = r_pool_refresh,
    .pool_get_info = r_pool_get_info,
    .pool_get_xml = r_pool_get_xml,
    .pool_is_active = r_pool_is_active,
    .pool_is_persistent = r_pool_is_persistent,
    .pool_get_autostart = r_pool_get_autostart,
    .pool_set_autostart = r_pool_set_autostart,
    .list_all_volumes = r_list_all_volumes,
    .lookup_volume = r_lookup_volume,
    .volume_create_xml = r_volume_create_xml,
    .volume_delete = r_volume_delete,
    .volume_wipe = r_volume_wipe,
    .volume_resize = r_volume_resize,
    .volume_get_info = r_volume_get_info,
    .volume_get_xml = r_volume_get_xml,
    .volume_get_path = r_volume_get_path,
};
