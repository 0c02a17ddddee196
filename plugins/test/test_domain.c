/*
 * test_domain.c: domains of the test hypervisor.
 *
 * Lifecycle (state/reason, with the events emitted):
 *
 *   (defined) --create--> running/booted        STARTED/BOOTED
 *   running  --suspend--> paused/user           SUSPENDED/PAUSED
 *   paused   --resume---> running/unpaused      RESUMED/UNPAUSED
 *   active   --shutdown-> shutoff/shutdown      STOPPED/SHUTDOWN (on_poweroff)
 *   active   --destroy--> shutoff/destroyed     STOPPED/DESTROYED
 *   active   --save-----> shutoff/saved         STOPPED/SAVED
 *   (image)  --restore--> running/restored      STARTED/RESTORED
 *   running  --reboot---> running               REBOOT (on_reboot)
 *
 * A transient domain disappears when it stops; undefining an active
 * persistent domain makes it transient. Save images carry a header (magic,
 * version, state, definition) and a CRC-32 so a corrupt or truncated file
 * is refused instead of restoring garbage.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "test.h"
#include "vk_pin_def.h"

#define ERR(code, ...) H->error(code, VIRTKIT_SUB_HYPERVISOR, __VA_ARGS__)

/* -------------------------------------------------------------- helpers -- */

void test_dom_free(test_dom *d)
{
    if (!d)
        return;
    H->free(d->name);
    H->def->free(d->def);
    H->def->free(d->live);
    H->def->free(d->saved_def);
    H->free(d);
}

static void dom_ref(const test_dom *d, vkp_ref *out)
{
    test_ref_fill(out, d->name, d->uuid, d->id);
}

static void emit(vkp_conn *c, const test_dom *d, int event, int detail)
{
    vkp_ref r = { d->name, { 0 }, d->id };
    memcpy(r.uuid, d->uuid, 16);
    H->domain_event_lifecycle(c->ctx, &r, event, detail);
}

static test_dom *find_uuid(vkp_conn *c, const unsigned char *uuid)
{
    for (size_t i = 0; i < c->ndoms; i++)
        if (memcmp(c->doms[i]->uuid, uuid, 16) == 0)
            return c->doms[i];
    return NULL;
}

static test_dom *find_name(vkp_conn *c, const char *name)
{
    for (size_t i = 0; i < c->ndoms; i++)
        if (strcmp(c->doms[i]->name, name) == 0)
            return c->doms[i];
    return NULL;
}

static test_dom *find_ref(vkp_conn *c, const vkp_ref *ref)
{
    test_dom *d = find_uuid(c, ref->uuid);
    if (!d) {
        char u[VIRTKIT_UUID_STRING_BUFLEN];
        H->def->uuid_format(ref->uuid, u);
        ERR(VIRTKIT_ERR_NO_DOMAIN, "no domain '%s' with uuid %s", ref->name ? ref->name : "?", u);
    }
    return d;
}

static bool dom_active(const test_dom *d)
{
    return d->id >= 0;
}

static int need_active(const test_dom *d)
{
    if (!dom_active(d)) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running", d->name);
        return -1;
    }
    return 0;
}

static void set_state(test_dom *d, int state, int reason)
{
    int64_t now = test_now_ns();
    if (d->running_since) {
        uint64_t vcpus = 1;
        H->def->get_u64(d->live ? d->live : d->def, "vcpu", &vcpus);
        d->cpu_ns += (uint64_t)(now - d->running_since) * vcpus / 4;
        d->running_since = 0;
    }
    if (state == VIRTKIT_DOMAIN_RUNNING)
        d->running_since = now;
    d->state = state;
    d->reason = reason;
}

static void remove_dom(vkp_conn *c, test_dom *d)
{
    for (size_t i = 0; i < c->ndoms; i++) {
        if (c->doms[i] == d) {
            memmove(&c->doms[i], &c->doms[i + 1], (c->ndoms - i - 1) * sizeof(*c->doms));
            c->ndoms--;
            break;
        }
    }
    test_dom_free(d);
}

static void set_id_attr(vkp_def *def, int id)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "%d", id);
    H->def->set(def, "@id", id >= 0 ? buf : NULL);
}

/* Activate d from `from` (its definition or a save image's). */
static void dom_activate(vkp_conn *c, test_dom *d, const vkp_def *from, bool paused, int detail)
{
    H->def->free(d->live);
    d->live = H->def->copy(from);
    d->id = c->next_id++;
    set_id_attr(d->live, d->id);
    set_state(d, VIRTKIT_DOMAIN_RUNNING,
              detail == VIRTKIT_EVENT_STARTED_RESTORED ? VIRTKIT_RUNNING_RESTORED
                                                       : VIRTKIT_RUNNING_BOOTED);
    emit(c, d, VIRTKIT_EVENT_STARTED, detail);
    if (paused) {
        set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER);
        emit(c, d, VIRTKIT_EVENT_SUSPENDED, VIRTKIT_EVENT_SUSPENDED_PAUSED);
    }
}

/* Stop d; a transient domain goes away. Returns false when d was freed. */
static bool dom_deactivate(vkp_conn *c, test_dom *d, int reason, int detail)
{
    set_state(d, VIRTKIT_DOMAIN_SHUTOFF, reason);
    emit(c, d, VIRTKIT_EVENT_STOPPED, detail);
    d->id = -1;
    H->def->free(d->live);
    d->live = NULL;
    if (!d->persistent) {
        remove_dom(c, d);
        return false;
    }
    return true;
}

unsigned long long test_doms_running_kib(vkp_conn *c)
{
    unsigned long long sum = 0;
    for (size_t i = 0; i < c->ndoms; i++) {
        uint64_t kib = 0;
        if (dom_active(c->doms[i]) && H->def->get_u64(c->doms[i]->live, "currentMemory", &kib) > 0)
            sum += kib;
    }
    return sum;
}

/* Parse and check a domain definition for this driver. */
static vkp_def *parse_domain(const char *xml, unsigned int validate)
{
    vkp_def *def = NULL;
    if (H->def->parse(VKP_DEF_DOMAIN, xml, validate ? VKP_DEF_PARSE_VALIDATE : 0, &def) < 0)
        return NULL;
    const char *type = H->def->get(def, "@type");
    if (!type || strcmp(type, "test") != 0) {
        ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED,
            "domain '%s': type '%s' is not supported by the test driver (use type='test')",
            H->def->get(def, "name"), type ? type : "");
        H->def->free(def);
        return NULL;
    }
    return def;
}

/* Find the domain a new definition replaces, or refuse a conflict. */
static int check_identity(vkp_conn *c, const char *name, const unsigned char *uuid,
                          test_dom **existing)
{
    test_dom *byname = find_name(c, name), *byuuid = find_uuid(c, uuid);
    char u[VIRTKIT_UUID_STRING_BUFLEN];
    if (byname && byname != byuuid) {
        H->def->uuid_format(byname->uuid, u);
        ERR(VIRTKIT_ERR_DUPLICATE, "domain '%s' already exists with uuid %s", name, u);
        return -1;
    }
    if (byuuid && byuuid != byname) {
        H->def->uuid_format(uuid, u);
        ERR(VIRTKIT_ERR_DUPLICATE, "domain '%s' already has uuid %s", byuuid->name, u);
        return -1;
    }
    *existing = byuuid;
    return 0;
}

static test_dom *dom_new(vkp_conn *c, vkp_def *def, char *name, const unsigned char *uuid)
{
    test_dom *d = H->alloc(sizeof(*d));
    d->name = name;
    memcpy(d->uuid, uuid, 16);
    d->id = -1;
    d->state = VIRTKIT_DOMAIN_SHUTOFF;
    d->reason = VIRTKIT_SHUTOFF_UNKNOWN;
    d->def = def;
    TEST_GROW(c->doms, c->doms_cap, c->ndoms);
    c->doms[c->ndoms++] = d;
    return d;
}

/* The domain a new definition is for (c->lock held): *d is the existing
 * one it replaces, or NULL and then *name and uuid are the new domain's.
 * -1 (def untouched, nothing to free) on a bad or conflicting identity. */
static int claim(vkp_conn *c, vkp_def *def, char **name, unsigned char uuid[16], test_dom **d)
{
    *d = NULL;
    if (test_def_identity(def, "domain", name, uuid) < 0)
        return -1;
    int r = check_identity(c, *name, uuid, d);
    if (r < 0 || *d) {
        H->free(*name);
        *name = NULL;
    }
    return r;
}

int test_dom_load(vkp_conn *c, vkp_def *def, int state, bool persistent)
{
    char *name;
    unsigned char uuid[16];
    test_dom *d;
    if (claim(c, def, &name, uuid, &d) < 0 || d) {
        if (d)
            ERR(VIRTKIT_ERR_DUPLICATE, "domain '%s' appears twice in the node file", d->name);
        H->def->free(def);
        return -1;
    }
    d = dom_new(c, def, name, uuid);
    d->persistent = persistent;
    if (state != VIRTKIT_DOMAIN_SHUTOFF) {
        d->live = H->def->copy(def);
        d->id = c->next_id++;
        set_id_attr(d->live, d->id);
        set_state(d, state,
                  state == VIRTKIT_DOMAIN_PAUSED ? VIRTKIT_PAUSED_USER : VIRTKIT_RUNNING_BOOTED);
    }
    return 0;
}

/* ------------------------------------------------------ listing/lookup -- */

static int t_num_of_domains(vkp_conn *c)
{
    pthread_mutex_lock(&c->lock);
    int n = 0;
    for (size_t i = 0; i < c->ndoms; i++)
        n += dom_active(c->doms[i]);
    pthread_mutex_unlock(&c->lock);
    return n;
}

static int t_num_of_defined_domains(vkp_conn *c)
{
    pthread_mutex_lock(&c->lock);
    int n = 0;
    for (size_t i = 0; i < c->ndoms; i++)
        n += !dom_active(c->doms[i]);
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* Each pair of flags filters only when exactly one of them is given. */
static bool list_match(const test_dom *d, unsigned int f)
{
#define PAIR(a, b, cond)                                                                   \
    if ((f & (a)) && !(f & (b)) && !(cond))                                                \
        return false;                                                                      \
    if ((f & (b)) && !(f & (a)) && (cond))                                                 \
        return false;
    PAIR(VIRTKIT_LIST_DOMAINS_ACTIVE, VIRTKIT_LIST_DOMAINS_INACTIVE, dom_active(d))
    PAIR(VIRTKIT_LIST_DOMAINS_PERSISTENT, VIRTKIT_LIST_DOMAINS_TRANSIENT, d->persistent)
    PAIR(VIRTKIT_LIST_DOMAINS_MANAGEDSAVE, VIRTKIT_LIST_DOMAINS_NO_MANAGEDSAVE, d->saved_def)
    PAIR(VIRTKIT_LIST_DOMAINS_AUTOSTART, VIRTKIT_LIST_DOMAINS_NO_AUTOSTART, d->autostart)
#undef PAIR
    unsigned int states = f & (VIRTKIT_LIST_DOMAINS_RUNNING | VIRTKIT_LIST_DOMAINS_PAUSED |
                               VIRTKIT_LIST_DOMAINS_SHUTOFF | VIRTKIT_LIST_DOMAINS_OTHER);
    if (states) {
        unsigned int mine = d->state == VIRTKIT_DOMAIN_RUNNING   ? VIRTKIT_LIST_DOMAINS_RUNNING
                            : d->state == VIRTKIT_DOMAIN_PAUSED  ? VIRTKIT_LIST_DOMAINS_PAUSED
                            : d->state == VIRTKIT_DOMAIN_SHUTOFF ? VIRTKIT_LIST_DOMAINS_SHUTOFF
                                                                 : VIRTKIT_LIST_DOMAINS_OTHER;
        if (!(states & mine))
            return false;
    }
    return true;
}

static int t_list_all_domains(vkp_conn *c, vkp_ref **refs, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    vkp_ref *out = H->alloc((c->ndoms + 1) * sizeof(*out));
    int n = 0;
    for (size_t i = 0; i < c->ndoms; i++)
        if (list_match(c->doms[i], flags))
            dom_ref(c->doms[i], &out[n++]);
    pthread_mutex_unlock(&c->lock);
    *refs = out;
    return n;
}

static int t_lookup_domain(vkp_conn *c, const char *name, const unsigned char *uuid, int id,
                           vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    test_dom *d = NULL;
    if (name) {
        d = find_name(c, name);
    } else if (uuid) {
        d = find_uuid(c, uuid);
    } else {
        for (size_t i = 0; i < c->ndoms && !d; i++)
            if (c->doms[i]->id == id)
                d = c->doms[i];
    }
    if (d)
        dom_ref(d, out);
    pthread_mutex_unlock(&c->lock);
    if (!d) {
        char u[VIRTKIT_UUID_STRING_BUFLEN] = "";
        if (uuid)
            H->def->uuid_format(uuid, u);
        if (name)
            ERR(VIRTKIT_ERR_NO_DOMAIN, "no domain named '%s'", name);
        else if (uuid)
            ERR(VIRTKIT_ERR_NO_DOMAIN, "no domain with uuid %s", u);
        else
            ERR(VIRTKIT_ERR_NO_DOMAIN, "no running domain with id %d", id);
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------- lifecycle -- */

static int t_domain_define(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    vkp_def *def = parse_domain(xml, flags & VIRTKIT_DOMAIN_DEFINE_VALIDATE);
    if (!def)
        return -1;
    char *name;
    unsigned char uuid[16];
    pthread_mutex_lock(&c->lock);
    test_dom *d;
    if (claim(c, def, &name, uuid, &d) < 0) {
        pthread_mutex_unlock(&c->lock);
        H->def->free(def);
        return -1;
    }
    int detail = VIRTKIT_EVENT_DEFINED_ADDED;
    if (d) {
        H->def->free(d->def);
        d->def = def;
        if (d->persistent)
            detail = VIRTKIT_EVENT_DEFINED_UPDATED;
    } else {
        d = dom_new(c, def, name, uuid);
    }
    d->persistent = true;
    emit(c, d, VIRTKIT_EVENT_DEFINED, detail);
    dom_ref(d, out);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

static int t_domain_undefine(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d)
        goto out;
    if (!d->persistent) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is transient: nothing to undefine",
            d->name);
        goto out;
    }
    if (d->saved_def && !(flags & VIRTKIT_DOMAIN_UNDEFINE_MANAGED_SAVE)) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID,
            "domain '%s' has a managed save image; undefine it with the managed-save flag",
            d->name);
        goto out;
    }
    H->def->free(d->saved_def);
    d->saved_def = NULL;
    d->persistent = false;
    emit(c, d, VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
    if (!dom_active(d))
        remove_dom(c, d);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_create(vkp_conn *c, const vkp_ref *ref, unsigned int flags, vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d)
        goto out;
    if (dom_active(d)) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is already running", d->name);
        goto out;
    }
    bool paused = flags & VIRTKIT_DOMAIN_START_PAUSED;
    if (d->saved_def && !(flags & VIRTKIT_DOMAIN_START_FORCE_BOOT)) {
        vkp_def *img = d->saved_def;
        d->saved_def = NULL;
        dom_activate(c, d, img, paused || d->saved_state == VIRTKIT_DOMAIN_PAUSED,
                     VIRTKIT_EVENT_STARTED_RESTORED);
        H->def->free(img);
    } else {
        H->def->free(d->saved_def);
        d->saved_def = NULL;
        dom_activate(c, d, d->def, paused, VIRTKIT_EVENT_STARTED_BOOTED);
    }
    dom_ref(d, out);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_create_xml(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    vkp_def *def = parse_domain(xml, flags & VIRTKIT_DOMAIN_START_VALIDATE);
    if (!def)
        return -1;
    char *name;
    unsigned char uuid[16];
    pthread_mutex_lock(&c->lock);
    test_dom *d;
    int r = -1;
    if (claim(c, def, &name, uuid, &d) < 0) {
        H->def->free(def);
        goto out;
    }
    if (d) {
        if (dom_active(d)) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is already running", d->name);
            H->def->free(def);
            goto out;
        }
        /* Starting a defined domain with a new definition for this run. */
        dom_activate(c, d, def, flags & VIRTKIT_DOMAIN_START_PAUSED, VIRTKIT_EVENT_STARTED_BOOTED);
        H->def->free(def);
    } else {
        d = dom_new(c, def, name, uuid);
        dom_activate(c, d, def, flags & VIRTKIT_DOMAIN_START_PAUSED, VIRTKIT_EVENT_STARTED_BOOTED);
    }
    dom_ref(d, out);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* What on_poweroff / on_reboot ask for: "destroy" (stop), "restart"
 * (boot again), "preserve" (stay as is). */
static const char *lifecycle_action(const test_dom *d, const char *which, const char *dflt)
{
    const char *a = H->def->get(d->live ? d->live : d->def, which);
    return a ? a : dflt;
}

static int t_domain_shutdown(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d || need_active(d) < 0)
        goto out;
    const char *act = lifecycle_action(d, "on_poweroff", "destroy");
    r = 0;
    if (strcmp(act, "restart") == 0) {
        vkp_def *live = H->def->copy(d->live);
        if (dom_deactivate(c, d, VIRTKIT_SHUTOFF_SHUTDOWN, VIRTKIT_EVENT_STOPPED_SHUTDOWN))
            dom_activate(c, d, d->persistent ? d->def : live, false,
                         VIRTKIT_EVENT_STARTED_BOOTED);
        H->def->free(live);
    } else if (strcmp(act, "preserve") == 0) {
        set_state(d, VIRTKIT_DOMAIN_SHUTDOWN, VIRTKIT_SHUTDOWN_USER);
        emit(c, d, VIRTKIT_EVENT_SHUTDOWN, VIRTKIT_EVENT_SHUTDOWN_GUEST);
    } else {
        dom_deactivate(c, d, VIRTKIT_SHUTOFF_SHUTDOWN, VIRTKIT_EVENT_STOPPED_SHUTDOWN);
    }
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_reboot(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d || need_active(d) < 0)
        goto out;
    vkp_ref er = { d->name, { 0 }, d->id };
    memcpy(er.uuid, d->uuid, 16);
    H->domain_event_reboot(c->ctx, &er);
    if (strcmp(lifecycle_action(d, "on_reboot", "restart"), "destroy") == 0)
        dom_deactivate(c, d, VIRTKIT_SHUTOFF_SHUTDOWN, VIRTKIT_EVENT_STOPPED_SHUTDOWN);
    else if (d->state == VIRTKIT_DOMAIN_PAUSED)
        set_state(d, VIRTKIT_DOMAIN_PAUSED, d->reason);
    else
        set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_BOOTED);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_reset(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (d && need_active(d) == 0) {
        if (d->state == VIRTKIT_DOMAIN_RUNNING)
            set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_RESET);
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_destroy(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (d && need_active(d) == 0) {
        dom_deactivate(c, d, VIRTKIT_SHUTOFF_DESTROYED, VIRTKIT_EVENT_STOPPED_DESTROYED);
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_suspend(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d || need_active(d) < 0)
        goto out;
    if (d->state == VIRTKIT_DOMAIN_PAUSED) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is already paused", d->name);
        goto out;
    }
    set_state(d, VIRTKIT_DOMAIN_PAUSED, VIRTKIT_PAUSED_USER);
    emit(c, d, VIRTKIT_EVENT_SUSPENDED, VIRTKIT_EVENT_SUSPENDED_PAUSED);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_resume(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d || need_active(d) < 0)
        goto out;
    if (d->state != VIRTKIT_DOMAIN_PAUSED) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not paused", d->name);
        goto out;
    }
    set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_UNPAUSED);
    emit(c, d, VIRTKIT_EVENT_RESUMED, VIRTKIT_EVENT_RESUMED_UNPAUSED);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* ---------------------------------------------------------- save images -- */

#define SAVE_MAGIC "VKTSAVE\n"
#define SAVE_VERSION 1u
#define SAVE_MAX_XML (16u << 20)

typedef struct {
    char magic[8];
    uint32_t version;
    uint32_t state;
    uint32_t xml_len;
    uint32_t crc;        /* CRC-32 of state and XML */
} save_header;

static uint32_t save_crc(uint32_t state, const char *xml, uint32_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const Bytef *)&state, sizeof(state));
    return (uint32_t)crc32(crc, (const Bytef *)xml, len);
}

static int save_write(const char *path, const test_dom *d)
{
    char *xml = H->def->format(d->live, 0);
    if (!xml)
        return -1;
    save_header h = { SAVE_MAGIC, SAVE_VERSION, (uint32_t)d->state, (uint32_t)strlen(xml), 0 };
    h.crc = save_crc(h.state, xml, h.xml_len);
    size_t len = sizeof(h) + h.xml_len;
    char *buf = H->alloc(len);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), xml, h.xml_len);
    H->free(xml);
    int r = H->write_file_atomic(path, buf, len);
    H->free(buf);
    return r;
}

/* Read and check an image: its definition (parsed) and recorded state. */
static vkp_def *save_read(const char *path, int *state)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        H->error_system(errno, VIRTKIT_SUB_HYPERVISOR, "cannot open save image '%s'", path);
        return NULL;
    }
    save_header h;
    char *xml = NULL;
    vkp_def *def = NULL;
    if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, SAVE_MAGIC, 8) != 0) {
        ERR(VIRTKIT_ERR_SAVE_IMAGE, "'%s' is not a test driver save image (bad header)", path);
        goto out;
    }
    if (h.version != SAVE_VERSION) {
        ERR(VIRTKIT_ERR_SAVE_IMAGE, "save image '%s' has version %u, this driver reads %u", path,
            h.version, SAVE_VERSION);
        goto out;
    }
    if (h.xml_len == 0 || h.xml_len > SAVE_MAX_XML) {
        ERR(VIRTKIT_ERR_SAVE_IMAGE, "save image '%s': definition length %u is invalid", path,
            h.xml_len);
        goto out;
    }
    xml = H->alloc(h.xml_len + 1);
    if (fread(xml, 1, h.xml_len, f) != h.xml_len) {
        ERR(VIRTKIT_ERR_SAVE_IMAGE, "save image '%s' is truncated", path);
        goto out;
    }
    if (save_crc(h.state, xml, h.xml_len) != h.crc) {
        ERR(VIRTKIT_ERR_SAVE_IMAGE, "save image '%s' is corrupt (checksum mismatch)", path);
        goto out;
    }
    if (h.state != VIRTKIT_DOMAIN_RUNNING && h.state != VIRTKIT_DOMAIN_PAUSED) {
        ERR(VIRTKIT_ERR_SAVE_IMAGE, "save image '%s' records impossible state %u", path, h.state);
        goto out;
    }
    if (H->def->parse(VKP_DEF_DOMAIN, xml, VKP_DEF_PARSE_NO_DEFAULTS, &def) < 0)
        goto out;
    H->def->set(def, "@id", NULL);
    *state = (int)h.state;
out:
    H->free(xml);
    fclose(f);
    return def;
}

static int t_domain_save(vkp_conn *c, const vkp_ref *ref, const char *path, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d || need_active(d) < 0)
        goto out;
    if (flags & VIRTKIT_DOMAIN_SAVE_RUNNING)
        d->state = VIRTKIT_DOMAIN_RUNNING;
    else if (flags & VIRTKIT_DOMAIN_SAVE_PAUSED)
        d->state = VIRTKIT_DOMAIN_PAUSED;
    if (save_write(path, d) < 0)
        goto out;
    dom_deactivate(c, d, VIRTKIT_SHUTOFF_SAVED, VIRTKIT_EVENT_STOPPED_SAVED);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_restore(vkp_conn *c, const char *path, const char *xml, unsigned int flags)
{
    int state;
    vkp_def *img = save_read(path, &state);
    if (!img)
        return -1;
    if (xml) {
        vkp_def *alt = parse_domain(xml, 0);
        if (!alt) {
            H->def->free(img);
            return -1;
        }
        if (strcmp(H->def->get(alt, "uuid"), H->def->get(img, "uuid")) != 0 ||
            strcmp(H->def->get(alt, "name"), H->def->get(img, "name")) != 0) {
            ERR(VIRTKIT_ERR_INVALID_ARG,
                "replacement definition must keep the saved domain's name and uuid");
            H->def->free(alt);
            H->def->free(img);
            return -1;
        }
        H->def->free(img);
        img = alt;
    }
    char *name;
    unsigned char uuid[16];
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d;
    if (claim(c, img, &name, uuid, &d) < 0)
        goto out;
    if (d && dom_active(d)) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is already running", d->name);
        goto out;
    }
    if (!d)
        d = dom_new(c, H->def->copy(img), name, uuid);
    bool paused = (flags & VIRTKIT_DOMAIN_SAVE_PAUSED) ||
                  (!(flags & VIRTKIT_DOMAIN_SAVE_RUNNING) && state == VIRTKIT_DOMAIN_PAUSED);
    dom_activate(c, d, img, paused, VIRTKIT_EVENT_STARTED_RESTORED);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    H->def->free(img);
    return r;
}

static char *t_save_image_get_xml(vkp_conn *c, const char *path, unsigned int flags)
{
    int state;
    vkp_def *img = save_read(path, &state);
    if (!img)
        return NULL;
    char *x = H->def->format(img, VKP_DEF_FORMAT_INACTIVE);
    H->def->free(img);
    return x;
}

static int t_domain_managed_save(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (!d || need_active(d) < 0)
        goto out;
    if (!d->persistent) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID,
            "domain '%s' is transient: a managed save needs a persistent domain", d->name);
        goto out;
    }
    d->saved_state = (flags & VIRTKIT_DOMAIN_SAVE_PAUSED)    ? VIRTKIT_DOMAIN_PAUSED
                     : (flags & VIRTKIT_DOMAIN_SAVE_RUNNING) ? VIRTKIT_DOMAIN_RUNNING
                                                             : d->state;
    H->def->free(d->saved_def);
    d->saved_def = d->live;
    H->def->set(d->saved_def, "@id", NULL);
    d->live = NULL;
    dom_deactivate(c, d, VIRTKIT_SHUTOFF_SAVED, VIRTKIT_EVENT_STOPPED_SAVED);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_has_managed_save(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_dom *d = find_ref(c, ref);
    int r = d ? (d->saved_def != NULL) : -1;
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_managed_save_remove(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (d) {
        if (!d->saved_def) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' has no managed save image", d->name);
        } else {
            H->def->free(d->saved_def);
            d->saved_def = NULL;
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_core_dump(vkp_conn *c, const vkp_ref *ref, const char *path,
                              unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (d && need_active(d) == 0) {
        /* The test driver has no guest memory: the dump is its definition. */
        char *xml = H->def->format(d->live, 0);
        r = H->write_file_atomic(path, xml, strlen(xml));
        H->free(xml);
        if (r == 0 && (flags & VIRTKIT_DUMP_CRASH))
            dom_deactivate(c, d, VIRTKIT_SHUTOFF_CRASHED, VIRTKIT_EVENT_STOPPED_CRASHED);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* ----------------------------------------------------------- properties -- */

static void dom_info(const test_dom *d, virtkit_domain_info *info)
{
    vkp_def *def = d->live ? d->live : d->def;
    uint64_t mem = 0, cur = 0, vcpus = 1;
    H->def->get_u64(def, "memory", &mem);
    H->def->get_u64(def, "currentMemory", &cur);
    if (H->def->get_u64(def, "vcpu/@current", &vcpus) <= 0)
        H->def->get_u64(def, "vcpu", &vcpus);
    info->state = d->state;
    info->max_mem_kib = mem;
    info->memory_kib = dom_active(d) ? cur : mem;
    info->nr_vcpus = (unsigned int)vcpus;
    info->cpu_time_ns = d->cpu_ns;
    if (d->running_since)
        info->cpu_time_ns += (uint64_t)(test_now_ns() - d->running_since) * vcpus / 4;
}

static int t_domain_get_info(vkp_conn *c, const vkp_ref *ref, virtkit_domain_info *info)
{
    pthread_mutex_lock(&c->lock);
    test_dom *d = find_ref(c, ref);
    if (d)
        dom_info(d, info);
    pthread_mutex_unlock(&c->lock);
    return d ? 0 : -1;
}

static int t_domain_get_state(vkp_conn *c, const vkp_ref *ref, int *state, int *reason,
                              int *cached, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_dom *d = find_ref(c, ref);
    if (d) {
        *state = d->state;
        *reason = d->reason;
        *cached = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return d ? 0 : -1;
}

static char *t_domain_get_xml(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    char *x = NULL;
    test_dom *d = find_ref(c, ref);
    if (d) {
        unsigned int ff = 0;
        if (flags & VIRTKIT_DOMAIN_XML_AS_WRITTEN)
            ff |= VKP_DEF_FORMAT_AS_WRITTEN;
        if (flags & VIRTKIT_DOMAIN_XML_SECURE)
            ff |= VKP_DEF_FORMAT_SECURE;
        bool inactive = (flags & (VIRTKIT_DOMAIN_XML_INACTIVE | VIRTKIT_DOMAIN_XML_MIGRATABLE)) ||
                        !d->live;
        if (inactive)
            ff |= VKP_DEF_FORMAT_INACTIVE;
        x = H->def->format(inactive ? d->def : d->live, ff);
    }
    pthread_mutex_unlock(&c->lock);
    return x;
}

static int t_domain_is_persistent(vkp_conn *c, const vkp_ref *ref)
{
    pthread_mutex_lock(&c->lock);
    test_dom *d = find_ref(c, ref);
    int r = d ? d->persistent : -1;
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_domain_get_autostart(vkp_conn *c, const vkp_ref *ref, int *autostart)
{
    pthread_mutex_lock(&c->lock);
    test_dom *d = find_ref(c, ref);
    if (d)
        *autostart = d->autostart;
    pthread_mutex_unlock(&c->lock);
    return d ? 0 : -1;
}

static int t_domain_set_autostart(vkp_conn *c, const vkp_ref *ref, int autostart)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (d) {
        if (!d->persistent) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is transient: it cannot autostart",
                d->name);
        } else {
            d->autostart = autostart;
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* Which definitions a LIVE/CONFIG/CURRENT change touches. */
static int affected(test_dom *d, unsigned int flags, vkp_def **live, vkp_def **config)
{
    if (!(flags & (VIRTKIT_DOMAIN_AFFECT_LIVE | VIRTKIT_DOMAIN_AFFECT_CONFIG)))
        flags |= dom_active(d) ? VIRTKIT_DOMAIN_AFFECT_LIVE : VIRTKIT_DOMAIN_AFFECT_CONFIG;
    *live = *config = NULL;
    if (flags & VIRTKIT_DOMAIN_AFFECT_LIVE) {
        if (need_active(d) < 0)
            return -1;
        *live = d->live;
    }
    if (flags & VIRTKIT_DOMAIN_AFFECT_CONFIG) {
        if (!d->persistent) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID,
                "domain '%s' is transient: it has no persistent configuration to change",
                d->name);
            return -1;
        }
        *config = d->def;
    }
    return 0;
}

/* A change to a domain's live and/or persistent definition (AFFECT_*):
 * check runs on every affected definition before apply runs on any, so a
 * refusal changes neither. */
typedef int (*def_step)(test_dom *d, vkp_def *def, const void *arg);

static int change_defs(vkp_conn *c, const vkp_ref *ref, unsigned int flags, def_step check,
                       def_step apply, const void *arg)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    vkp_def *defs[2];
    test_dom *d = find_ref(c, ref);
    if (!d || affected(d, flags, &defs[0], &defs[1]) < 0)
        goto out;
    for (int i = 0; i < 2; i++)
        if (defs[i] && check(d, defs[i], arg) < 0)
            goto out;
    for (int i = 0; i < 2; i++)
        if (defs[i] && apply(d, defs[i], arg) < 0)
            goto out;
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int memory_fits(test_dom *d, vkp_def *def, const void *arg)
{
    unsigned long long kib = *(const unsigned long long *)arg;
    uint64_t max = 0;
    if (H->def->get_u64(def, "memory", &max) > 0 && kib > max) {
        ERR(VIRTKIT_ERR_INVALID_ARG, "domain '%s': %llu KiB exceeds its maximum of %llu KiB",
            d->name, kib, (unsigned long long)max);
        return -1;
    }
    return 0;
}

static int memory_set(test_dom *d, vkp_def *def, const void *arg)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%llu", *(const unsigned long long *)arg);
    if (H->def->set(def, "currentMemory", buf) < 0 ||
        H->def->set(def, "currentMemory/@unit", "KiB") < 0)
        return -1;
    return 0;
}

static int t_domain_set_memory(vkp_conn *c, const vkp_ref *ref, unsigned long long kib,
                               unsigned int flags)
{
    return change_defs(c, ref, flags, memory_fits, memory_set, &kib);
}

typedef struct {
    int vcpu;
    const char *cpuset;
} pin_args;

static int pin_vcpu_exists(test_dom *d, vkp_def *def, const void *arg)
{
    const pin_args *a = arg;
    uint64_t n = 1;
    if (a->vcpu >= 0 && H->def->get_u64(def, "vcpu", &n) >= 0 && (uint64_t)a->vcpu >= n) {
        ERR(VIRTKIT_ERR_INVALID_ARG, "domain '%s' has no vcpu %d (it has %llu)", d->name,
            a->vcpu, (unsigned long long)n);
        return -1;
    }
    return 0;
}

static int pin_set(test_dom *d, vkp_def *def, const void *arg)
{
    const pin_args *a = arg;
    return vk_pin_record(H->def, def, a->vcpu, a->cpuset);
}

static int t_domain_pin(vkp_conn *c, const vkp_ref *ref, int vcpu, const char *cpuset,
                        unsigned int flags)
{
    pin_args a = { vcpu, cpuset };
    return change_defs(c, ref, flags, pin_vcpu_exists, pin_set, &a);
}

static int vcpus_fit(test_dom *d, vkp_def *def, const void *arg)
{
    unsigned int n = *(const unsigned int *)arg;
    uint64_t max = 1;
    H->def->get_u64(def, "vcpu", &max);
    if (n > max) {
        ERR(VIRTKIT_ERR_INVALID_ARG, "domain '%s': %u vcpus exceed its maximum of %llu",
            d->name, n, (unsigned long long)max);
        return -1;
    }
    return 0;
}

static int vcpus_set(test_dom *d, vkp_def *def, const void *arg)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "%u", *(const unsigned int *)arg);
    return H->def->set(def, "vcpu/@current", buf);
}

static int t_domain_set_vcpus(vkp_conn *c, const vkp_ref *ref, unsigned int n, unsigned int flags)
{
    return change_defs(c, ref, flags, vcpus_fit, vcpus_set, &n);
}

/* Two devices are the same device when their identifying part matches:
 * a disk's target dev, an interface's MAC, otherwise the whole element. */
static bool same_device(const vkp_def *a, const vkp_def *b)
{
    const char *ea = H->def->element(a), *eb = H->def->element(b);
    if (strcmp(ea, eb) != 0)
        return false;
    if (strcmp(ea, "disk") == 0) {
        const char *x = H->def->get(a, "target/@dev"), *y = H->def->get(b, "target/@dev");
        return x && y && strcmp(x, y) == 0;
    }
    if (strcmp(ea, "interface") == 0) {
        const char *x = H->def->get(a, "mac/@address"), *y = H->def->get(b, "mac/@address");
        if (x && y)
            return strcasecmp(x, y) == 0;
    }
    return H->def->equal(a, b);
}

static long find_device(const vkp_def *def, const vkp_def *dev)
{
    const char *el = H->def->element(dev);
    char path[64];
    snprintf(path, sizeof(path), "devices/%s", el);
    size_t n = H->def->count(def, path);
    for (size_t i = 0; i < n; i++)
        if (same_device(H->def->child(def, path, i), dev))
            return (long)i;
    return -1;
}

typedef enum { DEV_ATTACH, DEV_DETACH, DEV_UPDATE } dev_op;

static int device_change(vkp_conn *c, const vkp_ref *ref, const char *xml, unsigned int flags,
                         dev_op op)
{
    vkp_def *dev = NULL;
    if (H->def->parse(VKP_DEF_DEVICE, xml, 0, &dev) < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    int r = -1;
    vkp_def *defs[2];
    test_dom *d = find_ref(c, ref);
    if (!d || affected(d, flags, &defs[0], &defs[1]) < 0)
        goto out;
    const char *el = H->def->element(dev);
    char path[64];
    snprintf(path, sizeof(path), "devices/%s", el);
    /* Check both targets first so a failure changes nothing. */
    for (int i = 0; i < 2; i++) {
        if (!defs[i])
            continue;
        long at = find_device(defs[i], dev);
        if (op == DEV_ATTACH && at >= 0) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' already has this <%s> (%s)",
                d->name, el, i ? "config" : "live");
            goto out;
        }
        if (op != DEV_ATTACH && at < 0) {
            ERR(VIRTKIT_ERR_NO_DEVICE, "domain '%s' has no matching <%s> (%s)", d->name, el,
                i ? "config" : "live");
            goto out;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (!defs[i])
            continue;
        if (op != DEV_ATTACH) {
            long at = find_device(defs[i], dev);
            if (H->def->remove(defs[i], path, (size_t)at) < 0)
                goto out;
        }
        if (op != DEV_DETACH && H->def->append(defs[i], "devices", H->def->copy(dev)) < 0)
            goto out;
    }
    if (defs[0] && op != DEV_UPDATE) {
        const char *alias = H->def->get(dev, "alias/@name");
        const char *tgt = H->def->get(dev, "target/@dev");
        const char *mac = strcmp(el, "interface") == 0 ? H->def->get(dev, "mac/@address") : NULL;
        vkp_ref er = { d->name, { 0 }, d->id };
        memcpy(er.uuid, d->uuid, 16);
        H->domain_event_device(c->ctx, &er,
                               op == DEV_ATTACH ? VIRTKIT_DOMAIN_EVENT_ID_DEVICE_ADDED
                                                : VIRTKIT_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                               alias ? alias : tgt ? tgt : mac ? mac : el);
    }
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    H->def->free(dev);
    return r;
}

static int t_domain_attach_device(vkp_conn *c, const vkp_ref *ref, const char *xml,
                                  unsigned int flags)
{
    return device_change(c, ref, xml, flags, DEV_ATTACH);
}

static int t_domain_detach_device(vkp_conn *c, const vkp_ref *ref, const char *xml,
                                  unsigned int flags)
{
    return device_change(c, ref, xml, flags, DEV_DETACH);
}

static int t_domain_update_device(vkp_conn *c, const vkp_ref *ref, const char *xml,
                                  unsigned int flags)
{
    return device_change(c, ref, xml, flags, DEV_UPDATE);
}

/* ---------------------------------------------------------------- stats -- */

static void add_indexed(virtkit_params *p, const char *group, size_t i, const char *field,
                        unsigned long long v)
{
    char key[96];
    snprintf(key, sizeof(key), "%s.%zu.%s", group, i, field);
    H->params->add_ullong(p, key, v);
}

static virtkit_params *dom_stats(test_dom *d, unsigned int groups)
{
    virtkit_params *p = H->params->create();
    vkp_def *def = d->live ? d->live : d->def;
    virtkit_domain_info info = VIRTKIT_DOMAIN_INFO_INIT;
    dom_info(d, &info);
    bool active = dom_active(d);
    if (groups & VIRTKIT_STATS_STATE) {
        H->params->add_int(p, "state.state", d->state);
        H->params->add_int(p, "state.reason", d->reason);
    }
    if ((groups & VIRTKIT_STATS_CPU) && active) {
        H->params->add_ullong(p, "cpu.time", info.cpu_time_ns);
        H->params->add_ullong(p, "cpu.user", info.cpu_time_ns * 3 / 4);
        H->params->add_ullong(p, "cpu.system", info.cpu_time_ns / 4);
    }
    if (groups & VIRTKIT_STATS_BALLOON) {
        H->params->add_ullong(p, "balloon.current", info.memory_kib);
        H->params->add_ullong(p, "balloon.maximum", info.max_mem_kib);
    }
    if (groups & VIRTKIT_STATS_VCPU) {
        uint64_t max = 1;
        H->def->get_u64(def, "vcpu", &max);
        H->params->add_uint(p, "vcpu.current", info.nr_vcpus);
        H->params->add_uint(p, "vcpu.maximum", (unsigned int)max);
        for (unsigned int i = 0; active && i < info.nr_vcpus; i++) {
            char key[64];
            snprintf(key, sizeof(key), "vcpu.%u.state", i);
            H->params->add_int(p, key, 1);
            snprintf(key, sizeof(key), "vcpu.%u.time", i);
            H->params->add_ullong(p, key, info.cpu_time_ns / info.nr_vcpus);
        }
    }
    unsigned long long up = active ? info.cpu_time_ns / 1000 : 0;
    if (groups & VIRTKIT_STATS_INTERFACE) {
        size_t n = H->def->count(def, "devices/interface");
        H->params->add_uint(p, "net.count", (unsigned int)n);
        for (size_t i = 0; i < n; i++) {
            const vkp_def *nic = H->def->child(def, "devices/interface", i);
            const char *name = H->def->get(nic, "target/@dev");
            char key[64];
            snprintf(key, sizeof(key), "net.%zu.name", i);
            H->params->add_string(p, key, name ? name : "");
            add_indexed(p, "net", i, "rx.bytes", up * 3);
            add_indexed(p, "net", i, "rx.pkts", up / 500);
            add_indexed(p, "net", i, "tx.bytes", up);
            add_indexed(p, "net", i, "tx.pkts", up / 1500);
        }
    }
    if (groups & VIRTKIT_STATS_BLOCK) {
        size_t n = H->def->count(def, "devices/disk");
        H->params->add_uint(p, "block.count", (unsigned int)n);
        for (size_t i = 0; i < n; i++) {
            const vkp_def *disk = H->def->child(def, "devices/disk", i);
            const char *tgt = H->def->get(disk, "target/@dev");
            const char *src = H->def->get(disk, "source/@file");
            char key[64];
            snprintf(key, sizeof(key), "block.%zu.name", i);
            H->params->add_string(p, key, tgt ? tgt : "");
            if (src) {
                snprintf(key, sizeof(key), "block.%zu.path", i);
                H->params->add_string(p, key, src);
            }
            add_indexed(p, "block", i, "rd.bytes", up * 8);
            add_indexed(p, "block", i, "rd.reqs", up / 512);
            add_indexed(p, "block", i, "wr.bytes", up * 2);
            add_indexed(p, "block", i, "wr.reqs", up / 2048);
        }
    }
    return p;
}

static int t_get_all_domain_stats(vkp_conn *c, unsigned int groups, unsigned int flags,
                                  vkp_domain_stats **records)
{
    unsigned int lf = 0;
    if (flags & VIRTKIT_GET_STATS_ACTIVE)
        lf |= VIRTKIT_LIST_DOMAINS_ACTIVE;
    if (flags & VIRTKIT_GET_STATS_INACTIVE)
        lf |= VIRTKIT_LIST_DOMAINS_INACTIVE;
    pthread_mutex_lock(&c->lock);
    vkp_domain_stats *out = H->alloc((c->ndoms + 1) * sizeof(*out));
    int n = 0;
    for (size_t i = 0; i < c->ndoms; i++) {
        test_dom *d = c->doms[i];
        if (!list_match(d, lf))
            continue;
        dom_ref(d, &out[n].dom);
        out[n].params = dom_stats(d, groups);
        n++;
    }
    pthread_mutex_unlock(&c->lock);
    *records = out;
    return n;
}

/* -------------------------------------------------------------- console -- */

/* The test driver's console: a socket pair whose far end is served by a
 * small thread that prints a banner and echoes what it is sent, so
 * console streams can be tested without a real guest. */
typedef struct {
    int fd;
    char *banner;
} echo_arg;

static void *console_echo(void *opaque)
{
    echo_arg *a = opaque;
    /* MSG_NOSIGNAL: a reader that went away must not kill the process. */
    if (send(a->fd, a->banner, strlen(a->banner), MSG_NOSIGNAL) >= 0) {
        char buf[512];
        ssize_t n;
        while ((n = read(a->fd, buf, sizeof(buf))) > 0)
            if (send(a->fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
                break;
    }
    close(a->fd);
    H->free(a->banner);
    H->free(a);
    return NULL;
}

static int t_domain_open_console(vkp_conn *c, const vkp_ref *ref, const char *dev,
                                 unsigned int flags, int *fd)
{
    pthread_mutex_lock(&c->lock);
    test_dom *d = find_ref(c, ref);
    int r = -1;
    if (!d || need_active(d) < 0)
        goto out;
    if (dev && strcmp(dev, "console0") != 0 && strcmp(dev, "serial0") != 0) {
        ERR(VIRTKIT_ERR_NO_DEVICE, "domain '%s' has no console '%s'", d->name, dev);
        goto out;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        H->error_system(errno, VIRTKIT_SUB_HYPERVISOR, "cannot create a console socket pair");
        goto out;
    }
    echo_arg *a = H->alloc(sizeof(*a));
    a->fd = sv[1];
    a->banner = H->asprintf("test console of domain '%s'\r\n", d->name);
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, console_echo, a) != 0) {
        H->error(VIRTKIT_ERR_SYSTEM, VIRTKIT_SUB_HYPERVISOR, "cannot start the console thread");
        close(sv[0]);
        close(sv[1]);
        H->free(a->banner);
        H->free(a);
    } else {
        *fd = sv[0];
        r = 0;
    }
    pthread_attr_destroy(&attr);
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* ------------------------------------------------------------ migration -- */

/* Migration between two test connections in one process: the state
 * travels in the XML (there is no guest memory). */
static char *t_migrate_begin(vkp_conn *c, const vkp_ref *ref, const virtkit_params *params,
                             unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    char *x = NULL;
    test_dom *d = find_ref(c, ref);
    if (d && need_active(d) == 0)
        x = H->def->format(d->live, VKP_DEF_FORMAT_INACTIVE);
    pthread_mutex_unlock(&c->lock);
    return x;
}

static int t_migrate_prepare(vkp_conn *c, const char *xml, const virtkit_params *params,
                             unsigned int flags, char **uri_out)
{
    vkp_ref out = { 0 };
    int r = t_domain_create_xml(c, xml, VIRTKIT_DOMAIN_START_PAUSED, &out);
    if (r == 0)
        *uri_out = H->asprintf("test://incoming/%s", out.name);
    H->free(out.name);
    return r;
}

static int t_migrate_perform(vkp_conn *c, const vkp_ref *ref, const char *uri,
                             const virtkit_params *params, unsigned int flags)
{
    if (strncmp(uri, "test://incoming/", 16) != 0) {
        ERR(VIRTKIT_ERR_MIGRATE, "test driver cannot migrate to '%s'", uri);
        return -1;
    }
    return 0;
}

static int t_migrate_finish(vkp_conn *c, const char *name, const virtkit_params *params,
                            unsigned int flags, int cancelled, vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_name(c, name);
    if (!d) {
        ERR(VIRTKIT_ERR_NO_DOMAIN, "no incoming domain '%s'", name);
        goto out;
    }
    if (cancelled) {
        if (dom_active(d))
            dom_deactivate(c, d, VIRTKIT_SHUTOFF_FAILED, VIRTKIT_EVENT_STOPPED_FAILED);
        r = 0;
        goto out;
    }
    if (flags & VIRTKIT_MIGRATE_PERSIST_DEST)
        d->persistent = true;
    if (!(flags & VIRTKIT_MIGRATE_PAUSED)) {
        set_state(d, VIRTKIT_DOMAIN_RUNNING, VIRTKIT_RUNNING_MIGRATED);
        emit(c, d, VIRTKIT_EVENT_RESUMED, VIRTKIT_EVENT_RESUMED_MIGRATED);
    }
    dom_ref(d, out);
    r = 0;
out:
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_migrate_confirm(vkp_conn *c, const vkp_ref *ref, const virtkit_params *params,
                             unsigned int flags, int cancelled)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_dom *d = find_ref(c, ref);
    if (d) {
        r = 0;
        if (!cancelled && dom_active(d)) {
            bool undefine = flags & VIRTKIT_MIGRATE_UNDEFINE_SOURCE;
            if (dom_deactivate(c, d, VIRTKIT_SHUTOFF_MIGRATED, VIRTKIT_EVENT_STOPPED_MIGRATED) &&
                undefine) {
                emit(c, d, VIRTKIT_EVENT_UNDEFINED, VIRTKIT_EVENT_UNDEFINED_REMOVED);
                remove_dom(c, d);
            }
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

const vkp_hypervisor_ops test_hypervisor_ops = {
    .struct_size = sizeof(vkp_hypervisor_ops),
    .open = test_open,
    .close = test_close,
    .get_version = test_get_version,
    .get_hostname = test_get_hostname,
    .capabilities_guests_xml = test_capabilities_guests_xml,
    .node_get_info = test_node_get_info,
    .node_capabilities_xml = test_node_capabilities_xml,
    .node_get_cpu_map = test_node_get_cpu_map,
    .node_cells_free_memory = test_node_cells_free_memory,
    .node_cpu_stats = test_node_cpu_stats,
    .node_memory_stats = test_node_memory_stats,
    .num_of_domains = t_num_of_domains,
    .num_of_defined_domains = t_num_of_defined_domains,
    .list_all_domains = t_list_all_domains,
    .lookup_domain = t_lookup_domain,
    .domain_define = t_domain_define,
    .domain_undefine = t_domain_undefine,
    .domain_create = t_domain_create,
    .domain_create_xml = t_domain_create_xml,
    .domain_shutdown = t_domain_shutdown,
    .domain_reboot = t_domain_reboot,
    .domain_reset = t_domain_reset,
    .domain_destroy = t_domain_destroy,
    .domain_suspend = t_domain_suspend,
    .domain_resume = t_domain_resume,
    .domain_save = t_domain_save,
    .domain_restore = t_domain_restore,
    .save_image_get_xml = t_save_image_get_xml,
    .domain_managed_save = t_domain_managed_save,
    .domain_has_managed_save = t_domain_has_managed_save,
    .domain_managed_save_remove = t_domain_managed_save_remove,
    .domain_core_dump = t_domain_core_dump,
    .domain_get_info = t_domain_get_info,
    .domain_get_state = t_domain_get_state,
    .domain_get_xml = t_domain_get_xml,
    .domain_is_persistent = t_domain_is_persistent,
    .domain_get_autostart = t_domain_get_autostart,
    .domain_set_autostart = t_domain_set_autostart,
    .domain_set_memory = t_domain_set_memory,
    .domain_set_vcpus = t_domain_set_vcpus,
    .domain_pin = t_domain_pin,
    .domain_attach_device = t_domain_attach_device,
    .domain_detach_device = t_domain_detach_device,
    .domain_update_device = t_domain_update_device,
    .get_all_domain_stats = t_get_all_domain_stats,
    .domain_open_console = t_domain_open_console,
    .migrate_begin = t_migrate_begin,
    .migrate_prepare = t_migrate_prepare,
    .migrate_perform = t_migrate_perform,
    .migrate_finish = t_migrate_finish,
    .migrate_confirm = t_migrate_confirm,
    .list_all_nodedevs = test_list_all_nodedevs,
    .nodedev_get_xml = test_nodedev_get_xml,
    .node_get_hugepages = test_node_get_hugepages,
};
