/*
 * example.c: a small but complete out-of-tree virtkit hypervisor plugin.
 *
 * It serves example:///default: an in-memory node whose domains live as
 * long as the connection. Each connection starts with one persistent,
 * running domain, "demo". Domains can be defined, started, suspended,
 * resumed, shut down, destroyed, undefined, listed with filters and
 * dumped as XML; every change emits a lifecycle event. Nothing runs for
 * real: the point is to show everything a plugin author needs, built with
 * nothing but `pkg-config --cflags virtkit-plugin-1`:
 *
 *   - one VIRTKIT_PLUGIN_DEFINE, whose name matches the file (example.so);
 *   - init keeps the host table and checks the services it will call;
 *   - all core services (memory, errors, definitions, events) come through
 *     `host`: the plugin links nothing of virtkit;
 *   - definitions are parsed and read through host->def accessors, never
 *     as C structs;
 *   - every error names the object and the value at fault.
 *
 * Lifecycle (state / reason, and the event each arrow emits):
 *
 *            start (STARTED booted)          suspend (SUSPENDED paused)
 *   SHUTOFF ------------------------> RUNNING ------------------------> PAUSED
 *      ^                               |   ^                              |
 *      |  shutdown (STOPPED shutdown)  |   +---- resume (RESUMED) --------+
 *      +-------------------------------+
 *      +---------- destroy (STOPPED destroyed), from RUNNING or PAUSED ---+
 *
 * A transient domain (created from XML, or undefined while active)
 * disappears when it stops. The transitions are a table (ex_transitions):
 * adding one is adding a row.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <virtkit-1/host.h>
#include <virtkit-1/hypervisor.h>
#include <virtkit-1/plugin.h>

#define EX_NAME "example"
#define EX_SUB VIRTKIT_SUB_HYPERVISOR

static const vkp_host *H;

/* ------------------------------------------------------------- state -- */

typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;              /* > 0 while active, -1 otherwise */
    int state;           /* virtkit_domain_state */
    int reason;
    bool persistent;
    int64_t started_ns;  /* for a plausible cpu time */
    vkp_def *def;
} ex_domain;

struct vkp_conn {
    vkp_ctx *ctx;
    pthread_mutex_t lock;
    ex_domain *doms;
    size_t ndoms, cap;
    int next_id;
};

static const char ex_default_domain[] =
    "<domain type='test'>\n"
    "  <name>demo</name>\n"
    "  <uuid>4f1a6e2c-5d3b-4c7a-9e8f-0a1b2c3d4e5f</uuid>\n"
    "  <memory unit='KiB'>524288</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os><type arch='x86_64'>hvm</type></os>\n"
    "</domain>\n";

static int64_t ex_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* State names for messages (the plugin cannot call libvirtkit's). */
static const char *const ex_state_names[] = {
    [VIRTKIT_DOMAIN_NOSTATE] = "in no state",   [VIRTKIT_DOMAIN_RUNNING] = "running",
    [VIRTKIT_DOMAIN_BLOCKED] = "blocked",       [VIRTKIT_DOMAIN_PAUSED] = "paused",
    [VIRTKIT_DOMAIN_SHUTDOWN] = "shutting down", [VIRTKIT_DOMAIN_SHUTOFF] = "shut off",
    [VIRTKIT_DOMAIN_CRASHED] = "crashed",       [VIRTKIT_DOMAIN_PMSUSPENDED] = "pmsuspended",
};

static bool ex_active(const ex_domain *d)
{
    return d->state == VIRTKIT_DOMAIN_RUNNING || d->state == VIRTKIT_DOMAIN_PAUSED;
}

/* The domain a ref names (by uuid, as the SDK asks), or NULL with
 * VIRTKIT_ERR_NO_DOMAIN naming it. Called with the lock held. */
static ex_domain *ex_find(vkp_conn *c, const vkp_ref *ref)
{
    for (size_t i = 0; i < c->ndoms; i++)
        if (memcmp(c->doms[i].uuid, ref->uuid, 16) == 0)
            return &c->doms[i];
    H->error(VIRTKIT_ERR_NO_DOMAIN, EX_SUB, "no domain '%s' on this example node",
             ref->name ? ref->name : "(unnamed)");
    return NULL;
}

static void ex_fill_ref(vkp_ref *out, const ex_domain *d)
{
    out->name = H->strdup(d->name);
    memcpy(out->uuid, d->uuid, 16);
    out->id = d->id;
}

static void ex_emit(vkp_conn *c, const ex_domain *d, int event, int detail)
{
    vkp_ref r = { .name = d->name, .id = d->id };
    memcpy(r.uuid, d->uuid, 16);
    H->domain_event_lifecycle(c->ctx, &r, event, detail);
}

static void ex_domain_clear(ex_domain *d)
{
    H->free(d->name);
    H->def->free(d->def);
}

static void ex_remove(vkp_conn *c, ex_domain *d)
{
    size_t i = (size_t)(d - c->doms);
    ex_domain_clear(d);
    memmove(&c->doms[i], &c->doms[i + 1], (c->ndoms - i - 1) * sizeof(*d));
    c->ndoms--;
}

/* Add or update a domain from a parsed definition (ownership of def
 * passes here). Returns the domain, or NULL (def freed) when the name or
 * uuid is taken by another domain. *updated says which happened. */
static ex_domain *ex_store(vkp_conn *c, vkp_def *def, bool *updated)
{
    const char *name = H->def->get(def, "name");
    const char *uuid_str = H->def->get(def, "uuid");
    unsigned char uuid[16];
    if (!name) {
        H->error(VIRTKIT_ERR_XML, EX_SUB, "domain definition has no <name>");
        H->def->free(def);
        return NULL;
    }
    if (uuid_str) {
        if (H->def->uuid_parse(uuid_str, uuid) < 0) {
            H->def->free(def);
            return NULL;
        }
    } else {
        char buf[VIRTKIT_UUID_STRING_BUFLEN];
        H->def->uuid_generate(uuid);
        H->def->uuid_format(uuid, buf);
        if (H->def->set(def, "uuid", buf) < 0) {
            H->def->free(def);
            return NULL;
        }
    }
    for (size_t i = 0; i < c->ndoms; i++) {
        ex_domain *d = &c->doms[i];
        bool same_name = strcmp(d->name, name) == 0, same_uuid = !memcmp(d->uuid, uuid, 16);
        if (same_name && same_uuid) {
            H->def->free(d->def);
            d->def = def;
            *updated = true;
            return d;
        }
        if (same_name || same_uuid) {
            char other[VIRTKIT_UUID_STRING_BUFLEN];
            H->def->uuid_format(d->uuid, other);
            H->error(VIRTKIT_ERR_DUPLICATE, EX_SUB,
                     "domain '%s': %s is already used by domain '%s' (uuid %s)", name,
                     same_name ? "the name" : "the uuid", d->name, other);
            H->def->free(def);
            return NULL;
        }
    }
    if (c->ndoms == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->doms = H->realloc(c->doms, c->cap * sizeof(*c->doms));
    }
    ex_domain *d = &c->doms[c->ndoms++];
    memset(d, 0, sizeof(*d));
    d->name = H->strdup(name);
    memcpy(d->uuid, uuid, 16);
    d->id = -1;
    d->state = VIRTKIT_DOMAIN_SHUTOFF;
    d->reason = VIRTKIT_SHUTOFF_UNKNOWN;
    d->def = def;
    *updated = false;
    return d;
}

/* Parse domain XML with the core's definitions engine. */
static vkp_def *ex_parse(const char *xml, unsigned int flags)
{
    vkp_def *def = NULL;
    unsigned int pflags = (flags & VIRTKIT_DOMAIN_DEFINE_VALIDATE) ? VKP_DEF_PARSE_VALIDATE : 0;
    if (H->def->parse(VKP_DEF_DOMAIN, xml, pflags, &def) < 0)
        return NULL;
    return def;
}

/* -------------------------------------------------------- transitions -- */

#define EX_BIT(state) (1u << (state))

typedef struct {
    const char *verb;   /* for errors: "cannot suspend domain 'x'" */
    unsigned int from;  /* EX_BIT of each state it may start from */
    int to, reason;     /* the new state and its reason */
    int event, detail;  /* the lifecycle event it emits */
} ex_transition;

enum { EX_START, EX_SHUTDOWN, EX_DESTROY, EX_SUSPEND, EX_RESUME };

static const ex_transition ex_transitions[] = {
    [EX_START] = { "start", EX_BIT(VIRTKIT_DOMAIN_SHUTOFF), VIRTKIT_DOMAIN_RUNNING,
                   VIRTKIT_RUNNING_BOOTED, VIRTKIT_EVENT_STARTED, VIRTKIT_EVENT_STARTED_BOOTED },
    [EX_SHUTDOWN] = { "shut down", EX_BIT(VIRTKIT_DOMAIN_RUNNING), VIRTKIT_DOMAIN_SHUTOFF,
                      VIRTKIT_SHUTOFF_SHUTDOWN, VIRTKIT_EVENT_STOPPED,
                      VIRTKIT_EVENT_STOPPED_SHUTDOWN },
    [EX_DESTROY] = { "destroy", EX_BIT(VIRTKIT_DOMAIN_RUNNING) | EX_BIT(VIRTKIT_DOMAIN_PAUSED),
                     VIRTKIT_DOMAIN_SHUTOFF, VIRTKIT_SHUTOFF_DESTROYED, VIRTKIT_EVENT_STOPPED,
                     VIRTKIT_EVENT_STOPPED_DESTROYED },
    [EX_SUSPEND] = { "suspend", EX_BIT(VIRTKIT_DOMAIN_RUNNING), VIRTKIT_DOMAIN_PAUSED,
                     VIRTKIT_PAUSED_USER, VIRTKIT_EVENT_SUSPENDED,
                     VIRTKIT_EVENT_SUSPENDED_PAUSED },
    [EX_RESUME] = { "resume", EX_BIT(VIRTKIT_DOMAIN_PAUSED), VIRTKIT_DOMAIN_RUNNING,
                    VIRTKIT_RUNNING_UNPAUSED, VIRTKIT_EVENT_RESUMED,
                    VIRTKIT_EVENT_RESUMED_UNPAUSED },
};

/* Apply transition t to d (lock held); a transient domain that stops is
 * gone afterwards. */
static int ex_apply(vkp_conn *c, ex_domain *d, const ex_transition *t)
{
    if (!(t->from & EX_BIT(d->state))) {
        H->error(VIRTKIT_ERR_OPERATION_INVALID, EX_SUB, "cannot %s domain '%s': it is %s",
                 t->verb, d->name, ex_state_names[d->state]);
        return -1;
    }
    if (!ex_active(d) && t->to != VIRTKIT_DOMAIN_SHUTOFF) {
        d->id = c->next_id++;
        d->started_ns = ex_now_ns();
    }
    d->state = t->to;
    d->reason = t->reason;
    ex_emit(c, d, t->event, t->detail);
    if (!ex_active(d)) {
        d->id = -1;
        if (!d->persistent)
            ex_remove(c, d);
    }
    return 0;
}

static int ex_transition_op(vkp_conn *c, const vkp_ref *dom, int which)
{
    pthread_mutex_lock(&c->lock);
    ex_domain *d = ex_find(c, dom);
    int r = d ? ex_apply(c, d, &ex_transitions[which]) : -1;
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* ------------------------------------------------------------ the ops -- */

static int ex_open(vkp_ctx *ctx, unsigned int flags, vkp_conn **out)
{
    const char *path = H->ctx_uri(ctx, "path");
    if (!path || strcmp(path, "/default") != 0)
        return 1; /* not ours: the core says no plugin serves the URI */
    vkp_conn *c = H->alloc(sizeof(*c));
    c->ctx = ctx;
    c->next_id = 1;
    pthread_mutex_init(&c->lock, NULL);
    vkp_def *def = ex_parse(ex_default_domain, 0);
    bool updated;
    ex_domain *d = def ? ex_store(c, def, &updated) : NULL;
    if (!d) {
        pthread_mutex_destroy(&c->lock);
        H->free(c);
        return -1;
    }
    d->persistent = true;
    d->id = c->next_id++;
    d->state = VIRTKIT_DOMAIN_RUNNING;
    d->reason = VIRTKIT_RUNNING_BOOTED;
    d->started_ns = ex_now_ns();
    *out = c;
    return 0;
}

static void ex_close(vkp_conn *c)
{
    for (size_t i = 0; i < c->ndoms; i++)
        ex_domain_clear(&c->doms[i]);
    H->free(c->doms);
    pthread_mutex_destroy(&c->lock);
    H->free(c);
}

static int ex_get_version(vkp_conn *c, unsigned long long *version)
{
    *version = 1000000; /* 1.0.0 */
    return 0;
}

static char *ex_get_hostname(vkp_conn *c)
{
    return H->strdup("example-node");
}

static int ex_count(vkp_conn *c, bool active)
{
    pthread_mutex_lock(&c->lock);
    int n = 0;
    for (size_t i = 0; i < c->ndoms; i++)
        n += ex_active(&c->doms[i]) == active;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static int ex_num_of_domains(vkp_conn *c)
{
    return ex_count(c, true);
}

static int ex_num_of_defined_domains(vkp_conn *c)
{
    return ex_count(c, false);
}

/* List filters: groups of flags; a domain must match one flag of every
 * group that has any flag set (libvirt's semantics). */
typedef struct {
    unsigned int flag;
    bool (*match)(const ex_domain *d);
} ex_filter;

static bool ex_is_active(const ex_domain *d) { return ex_active(d); }
static bool ex_is_inactive(const ex_domain *d) { return !ex_active(d); }
static bool ex_is_persistent(const ex_domain *d) { return d->persistent; }
static bool ex_is_transient(const ex_domain *d) { return !d->persistent; }
static bool ex_is_running(const ex_domain *d) { return d->state == VIRTKIT_DOMAIN_RUNNING; }
static bool ex_is_paused(const ex_domain *d) { return d->state == VIRTKIT_DOMAIN_PAUSED; }
static bool ex_is_shutoff(const ex_domain *d) { return d->state == VIRTKIT_DOMAIN_SHUTOFF; }
static bool ex_never(const ex_domain *d) { return false; }
static bool ex_always(const ex_domain *d) { return true; }

static const ex_filter ex_filters[][4] = {
    { { VIRTKIT_LIST_DOMAINS_ACTIVE, ex_is_active },
      { VIRTKIT_LIST_DOMAINS_INACTIVE, ex_is_inactive } },
    { { VIRTKIT_LIST_DOMAINS_PERSISTENT, ex_is_persistent },
      { VIRTKIT_LIST_DOMAINS_TRANSIENT, ex_is_transient } },
    { { VIRTKIT_LIST_DOMAINS_RUNNING, ex_is_running },
      { VIRTKIT_LIST_DOMAINS_PAUSED, ex_is_paused },
      { VIRTKIT_LIST_DOMAINS_SHUTOFF, ex_is_shutoff },
      { VIRTKIT_LIST_DOMAINS_OTHER, ex_never } },
    /* No managed save and no autostart on this node. */
    { { VIRTKIT_LIST_DOMAINS_MANAGEDSAVE, ex_never },
      { VIRTKIT_LIST_DOMAINS_NO_MANAGEDSAVE, ex_always } },
    { { VIRTKIT_LIST_DOMAINS_AUTOSTART, ex_never },
      { VIRTKIT_LIST_DOMAINS_NO_AUTOSTART, ex_always } },
};

static bool ex_listed(const ex_domain *d, unsigned int flags)
{
    for (size_t g = 0; g < sizeof(ex_filters) / sizeof(ex_filters[0]); g++) {
        bool any = false, hit = false;
        for (size_t i = 0; i < 4 && ex_filters[g][i].match; i++) {
            if (flags & ex_filters[g][i].flag) {
                any = true;
                hit = hit || ex_filters[g][i].match(d);
            }
        }
        if (any && !hit)
            return false;
    }
    return true;
}

static int ex_list_all_domains(vkp_conn *c, vkp_ref **refs, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    vkp_ref *out = H->alloc((c->ndoms + 1) * sizeof(*out));
    int n = 0;
    for (size_t i = 0; i < c->ndoms; i++)
        if (ex_listed(&c->doms[i], flags))
            ex_fill_ref(&out[n++], &c->doms[i]);
    pthread_mutex_unlock(&c->lock);
    *refs = out;
    return n;
}

static int ex_lookup_domain(vkp_conn *c, const char *name, const unsigned char *uuid, int id,
                            vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    const ex_domain *found = NULL;
    for (size_t i = 0; i < c->ndoms && !found; i++) {
        const ex_domain *d = &c->doms[i];
        if ((name && strcmp(d->name, name) == 0) || (uuid && !memcmp(d->uuid, uuid, 16)) ||
            (id > 0 && d->id == id))
            found = d;
    }
    if (found)
        ex_fill_ref(out, found);
    pthread_mutex_unlock(&c->lock);
    if (found)
        return 0;
    if (name)
        H->error(VIRTKIT_ERR_NO_DOMAIN, EX_SUB, "no domain named '%s'", name);
    else if (uuid) {
        char buf[VIRTKIT_UUID_STRING_BUFLEN];
        H->def->uuid_format(uuid, buf);
        H->error(VIRTKIT_ERR_NO_DOMAIN, EX_SUB, "no domain with uuid %s", buf);
    } else
        H->error(VIRTKIT_ERR_NO_DOMAIN, EX_SUB, "no active domain with id %d", id);
    return -1;
}

static int ex_domain_define(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    vkp_def *def = ex_parse(xml, flags);
    if (!def)
        return -1;
    pthread_mutex_lock(&c->lock);
    bool updated = false;
    ex_domain *d = ex_store(c, def, &updated);
    if (d) {
        d->persistent = true;
        ex_emit(c, d, VIRTKIT_EVENT_DEFINED,
                updated ? VIRTKIT_EVENT_DEFINED_UPDATED : VIRTKIT_EVENT_DEFINED_ADDED);
        ex_fill_ref(out, d);
    }
    pthread_mutex_unlock(&c->lock);
    return d ? 0 : -1;
}

static int ex_domain_undefine(vkp_conn *c, const vkp_ref *dom, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    ex_domain *d = ex_find(c, dom);
    int r = -1;
    if (d && !d->persistent) {
        H->error(VIRTKIT_ERR_OPERATION_INVALID, EX_SUB,
                 "cannot undefine domain '%s': it is transient", d->name);
    } else if (d) {
        ex_emit(c, d, VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
        /* An active domain lives on, transient, until it stops. */
        if (ex_active(d))
            d->persistent = false;
        else
            ex_remove(c, d);
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int ex_domain_create(vkp_conn *c, const vkp_ref *dom, unsigned int flags, vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    ex_domain *d = ex_find(c, dom);
    int r = d ? ex_apply(c, d, &ex_transitions[EX_START]) : -1;
    if (r == 0)
        ex_fill_ref(out, d);
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int ex_domain_create_xml(vkp_conn *c, const char *xml, unsigned int flags,
                                vkp_ref *out)
{
    vkp_def *def = ex_parse(xml, 0);
    if (!def)
        return -1;
    pthread_mutex_lock(&c->lock);
    bool updated = false;
    ex_domain *d = ex_store(c, def, &updated);
    int r = -1;
    if (d && updated && ex_active(d)) {
        H->error(VIRTKIT_ERR_OPERATION_INVALID, EX_SUB,
                 "cannot create domain '%s': it is already running", d->name);
    } else if (d) {
        r = ex_apply(c, d, &ex_transitions[EX_START]);
        if (r == 0)
            ex_fill_ref(out, d);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int ex_domain_shutdown(vkp_conn *c, const vkp_ref *dom, unsigned int flags)
{
    return ex_transition_op(c, dom, EX_SHUTDOWN);
}

static int ex_domain_destroy(vkp_conn *c, const vkp_ref *dom, unsigned int flags)
{
    return ex_transition_op(c, dom, EX_DESTROY);
}

static int ex_domain_suspend(vkp_conn *c, const vkp_ref *dom, unsigned int flags)
{
    return ex_transition_op(c, dom, EX_SUSPEND);
}

static int ex_domain_resume(vkp_conn *c, const vkp_ref *dom, unsigned int flags)
{
    return ex_transition_op(c, dom, EX_RESUME);
}

static int ex_domain_get_info(vkp_conn *c, const vkp_ref *dom, virtkit_domain_info *info)
{
    pthread_mutex_lock(&c->lock);
    ex_domain *d = ex_find(c, dom);
    uint64_t max_kib = 0, cur_kib = 0, vcpus = 1;
    int r = -1;
    if (d && H->def->get_u64(d->def, "memory", &max_kib) >= 0 &&
        H->def->get_u64(d->def, "vcpu", &vcpus) >= 0) {
        if (H->def->get_u64(d->def, "currentMemory", &cur_kib) <= 0)
            cur_kib = max_kib;
        info->state = d->state;
        info->max_mem_kib = max_kib;
        info->memory_kib = cur_kib;
        info->nr_vcpus = (unsigned int)vcpus;
        info->cpu_time_ns = ex_active(d) ? (unsigned long long)(ex_now_ns() - d->started_ns) : 0;
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int ex_domain_get_state(vkp_conn *c, const vkp_ref *dom, int *state, int *reason,
                               int *cached, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    ex_domain *d = ex_find(c, dom);
    if (d) {
        *state = d->state;
        *reason = d->reason;
        *cached = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return d ? 0 : -1;
}

/* virtkit_domain_xml_flags -> the definitions engine's format flags. */
static const struct {
    unsigned int api, def;
} ex_xml_flags[] = {
    { VIRTKIT_DOMAIN_XML_SECURE, VKP_DEF_FORMAT_SECURE },
    { VIRTKIT_DOMAIN_XML_INACTIVE, VKP_DEF_FORMAT_INACTIVE },
    { VIRTKIT_DOMAIN_XML_AS_WRITTEN, VKP_DEF_FORMAT_AS_WRITTEN },
    { VIRTKIT_DOMAIN_XML_MIGRATABLE, VKP_DEF_FORMAT_INACTIVE },
};

static char *ex_domain_get_xml(vkp_conn *c, const vkp_ref *dom, unsigned int flags)
{
    unsigned int dflags = 0;
    for (size_t i = 0; i < sizeof(ex_xml_flags) / sizeof(ex_xml_flags[0]); i++)
        if (flags & ex_xml_flags[i].api)
            dflags |= ex_xml_flags[i].def;
    pthread_mutex_lock(&c->lock);
    ex_domain *d = ex_find(c, dom);
    char *xml = d ? H->def->format(d->def, dflags) : NULL;
    pthread_mutex_unlock(&c->lock);
    return xml;
}

static int ex_domain_is_persistent(vkp_conn *c, const vkp_ref *dom)
{
    pthread_mutex_lock(&c->lock);
    ex_domain *d = ex_find(c, dom);
    int r = d ? d->persistent : -1;
    pthread_mutex_unlock(&c->lock);
    return r;
}

static const vkp_hypervisor_ops ex_ops = {
    .struct_size = sizeof(vkp_hypervisor_ops),
    .open = ex_open,
    .close = ex_close,
    .get_version = ex_get_version,
    .get_hostname = ex_get_hostname,
    .num_of_domains = ex_num_of_domains,
    .num_of_defined_domains = ex_num_of_defined_domains,
    .list_all_domains = ex_list_all_domains,
    .lookup_domain = ex_lookup_domain,
    .domain_define = ex_domain_define,
    .domain_undefine = ex_domain_undefine,
    .domain_create = ex_domain_create,
    .domain_create_xml = ex_domain_create_xml,
    .domain_shutdown = ex_domain_shutdown,
    .domain_destroy = ex_domain_destroy,
    .domain_suspend = ex_domain_suspend,
    .domain_resume = ex_domain_resume,
    .domain_get_info = ex_domain_get_info,
    .domain_get_state = ex_domain_get_state,
    .domain_get_xml = ex_domain_get_xml,
    .domain_is_persistent = ex_domain_is_persistent,
};

/* ------------------------------------------------------------- plugin -- */

/* The core checked our ABI before calling; check that its host table has
 * every service this plugin calls (a table only grows, so a size test is
 * enough), rather than crash later on a missing one. */
static int ex_init(const vkp_host *host, unsigned int core_abi_minor)
{
    if (host->struct_size < offsetof(vkp_host, def) + sizeof(host->def) || !host->def ||
        host->def->struct_size < offsetof(vkp_def_api, uuid_generate) + sizeof(void *)) {
        host->error(VIRTKIT_ERR_PLUGIN, VIRTKIT_SUB_PLUGIN,
                    "plugin '%s': the core's host table (%u bytes, ABI %u.%u) lacks the "
                    "definition services this plugin needs",
                    EX_NAME, host->struct_size, host->abi_major, core_abi_minor);
        return -1;
    }
    H = host;
    H->log(VKP_LOG_DEBUG, EX_NAME, "ready (core ABI %u.%u)", host->abi_major, core_abi_minor);
    return 0;
}

static const char *const ex_schemes[] = { "example", NULL };

VIRTKIT_PLUGIN_DEFINE(.name = EX_NAME, .version = "1.0.0", .license = "MIT",
                      .description = "out-of-tree example: in-memory domains (example:///default)",
                      .kinds = VKP_KIND_HYPERVISOR, .schemes = ex_schemes, .init = ex_init,
                      .hypervisor = &ex_ops)
