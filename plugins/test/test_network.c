/*
 * test_network.c: virtual networks of the test hypervisor: definitions,
 * start/stop, autostart and a lease list derived from the static DHCP
 * hosts of each network (there is no real DHCP server here).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

#define ERR(code, ...) H->error(code, VIRTKIT_SUB_NETWORK, __VA_ARGS__)

void test_net_free(test_net *n)
{
    if (!n)
        return;
    H->free(n->name);
    H->free(n->bridge);
    H->def->free(n->def);
    H->free(n);
}

static void emit(vkp_conn *c, const test_net *n, int event)
{
    vkp_ref r = { n->name, { 0 }, -1 };
    memcpy(r.uuid, n->uuid, 16);
    H->network_event_lifecycle(c->ctx, &r, event, 0);
}

static test_net *find(vkp_conn *c, const char *name, const unsigned char *uuid)
{
    for (size_t i = 0; i < c->nnets; i++)
        if ((name && strcmp(c->nets[i]->name, name) == 0) ||
            (uuid && memcmp(c->nets[i]->uuid, uuid, 16) == 0))
            return c->nets[i];
    return NULL;
}

static test_net *find_ref(vkp_conn *c, const vkp_ref *ref)
{
    test_net *n = find(c, NULL, ref->uuid);
    if (!n)
        ERR(VIRTKIT_ERR_NO_NETWORK, "no network '%s'", ref->name ? ref->name : "?");
    return n;
}

static void remove_net(vkp_conn *c, test_net *n)
{
    for (size_t i = 0; i < c->nnets; i++) {
        if (c->nets[i] == n) {
            memmove(&c->nets[i], &c->nets[i + 1], (c->nnets - i - 1) * sizeof(*c->nets));
            c->nnets--;
            break;
        }
    }
    test_net_free(n);
}

/* Bridge name: the definition's, else the next free virbrN. */
static void assign_bridge(vkp_conn *c, test_net *n)
{
    const char *b = H->def->get(n->def, "bridge/@name");
    H->free(n->bridge);
    if (b) {
        n->bridge = H->strdup(b);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "virbr%d", ++c->next_bridge);
    n->bridge = H->strdup(buf);
    H->def->set(n->def, "bridge/@name", buf);
}

/* Add or replace; *out is the network. Takes ownership of def. */
static int net_add(vkp_conn *c, vkp_def *def, bool persistent, test_net **out)
{
    char *name;
    unsigned char uuid[16];
    if (test_def_identity(def, "network", &name, uuid) < 0) {
        H->def->free(def);
        return -1;
    }
    test_net *byname = find(c, name, NULL), *byuuid = find(c, NULL, uuid);
    if (byname != byuuid) {
        ERR(VIRTKIT_ERR_DUPLICATE, "network '%s' conflicts with an existing network's %s", name,
            byname ? "name" : "uuid");
        H->free(name);
        H->def->free(def);
        return -1;
    }
    test_net *n = byname;
    if (n) {
        if (!persistent && n->active) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "network '%s' is already active", name);
            H->free(name);
            H->def->free(def);
            return -1;
        }
        H->free(name);
        H->def->free(n->def);
        n->def = def;
    } else {
        n = H->alloc(sizeof(*n));
        n->name = name;
        memcpy(n->uuid, uuid, 16);
        n->def = def;
        TEST_GROW(c->nets, c->nets_cap, c->nnets);
        c->nets[c->nnets++] = n;
    }
    assign_bridge(c, n);
    if (persistent)
        n->persistent = true;
    *out = n;
    return 0;
}

int test_net_load(vkp_conn *c, vkp_def *def, bool active)
{
    test_net *n;
    if (net_add(c, def, true, &n) < 0)
        return -1;
    n->active = active;
    return 0;
}

static int t_list_all_networks(vkp_conn *c, vkp_ref **refs, unsigned int f)
{
    pthread_mutex_lock(&c->lock);
    vkp_ref *out = H->alloc((c->nnets + 1) * sizeof(*out));
    int k = 0;
    for (size_t i = 0; i < c->nnets; i++) {
        test_net *n = c->nets[i];
#define SKIP(a, b, cond) (((f & (a)) && !(f & (b)) && !(cond)) || ((f & (b)) && !(f & (a)) && (cond)))
        if (SKIP(VIRTKIT_LIST_NETWORKS_ACTIVE, VIRTKIT_LIST_NETWORKS_INACTIVE, n->active) ||
            SKIP(VIRTKIT_LIST_NETWORKS_PERSISTENT, VIRTKIT_LIST_NETWORKS_TRANSIENT, n->persistent) ||
            SKIP(VIRTKIT_LIST_NETWORKS_AUTOSTART, VIRTKIT_LIST_NETWORKS_NO_AUTOSTART, n->autostart))
            continue;
#undef SKIP
        test_ref_fill(&out[k++], n->name, n->uuid, -1);
    }
    pthread_mutex_unlock(&c->lock);
    *refs = out;
    return k;
}

static int t_lookup_network(vkp_conn *c, const char *name, const unsigned char *uuid,
                            vkp_ref *out)
{
    pthread_mutex_lock(&c->lock);
    test_net *n = find(c, name, uuid);
    if (n)
        test_ref_fill(out, n->name, n->uuid, -1);
    pthread_mutex_unlock(&c->lock);
    if (!n) {
        char u[VIRTKIT_UUID_STRING_BUFLEN] = "";
        if (uuid)
            H->def->uuid_format(uuid, u);
        ERR(VIRTKIT_ERR_NO_NETWORK, "no network %s '%s'", name ? "named" : "with uuid",
            name ? name : u);
        return -1;
    }
    return 0;
}

static int define_or_create(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out,
                            bool create)
{
    vkp_def *def = NULL;
    if (H->def->parse(VKP_DEF_NETWORK, xml, (flags & 1) ? VKP_DEF_PARSE_VALIDATE : 0, &def) < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    test_net *n;
    int r = net_add(c, def, !create, &n);
    if (r == 0) {
        if (create) {
            n->active = true;
            emit(c, n, VIRTKIT_NETWORK_EVENT_STARTED);
        } else {
            emit(c, n, VIRTKIT_NETWORK_EVENT_DEFINED);
        }
        test_ref_fill(out, n->name, n->uuid, -1);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_network_define(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    return define_or_create(c, xml, flags, out, false);
}

static int t_network_create_xml(vkp_conn *c, const char *xml, unsigned int flags, vkp_ref *out)
{
    return define_or_create(c, xml, flags, out, true);
}

static int t_network_undefine(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_net *n = find_ref(c, ref);
    if (n) {
        if (!n->persistent) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "network '%s' is transient", n->name);
        } else {
            n->persistent = false;
            n->autostart = false;
            emit(c, n, VIRTKIT_NETWORK_EVENT_UNDEFINED);
            if (!n->active)
                remove_net(c, n);
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_network_create(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_net *n = find_ref(c, ref);
    if (n) {
        if (n->active) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "network '%s' is already active", n->name);
        } else {
            n->active = true;
            emit(c, n, VIRTKIT_NETWORK_EVENT_STARTED);
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_network_destroy(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_net *n = find_ref(c, ref);
    if (n) {
        if (!n->active) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "network '%s' is not active", n->name);
        } else {
            n->active = false;
            emit(c, n, VIRTKIT_NETWORK_EVENT_STOPPED);
            if (!n->persistent)
                remove_net(c, n);
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static char *t_network_get_xml(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_net *n = find_ref(c, ref);
    char *x = NULL;
    if (n) {
        unsigned int ff = 0;
        if (flags & VIRTKIT_DOMAIN_XML_INACTIVE)
            ff |= VKP_DEF_FORMAT_INACTIVE;
        if (flags & VIRTKIT_DOMAIN_XML_AS_WRITTEN)
            ff |= VKP_DEF_FORMAT_AS_WRITTEN;
        x = H->def->format(n->def, ff);
    }
    pthread_mutex_unlock(&c->lock);
    return x;
}

#define NET_BOOL_QUERY(fn, field)                                                        \
    static int fn(vkp_conn *c, const vkp_ref *ref)                                       \
    {                                                                                    \
        pthread_mutex_lock(&c->lock);                                                    \
        test_net *n = find_ref(c, ref);                                                  \
        int r = n ? n->field : -1;                                                       \
        pthread_mutex_unlock(&c->lock);                                                  \
        return r;                                                                        \
    }
NET_BOOL_QUERY(t_network_is_active, active)
NET_BOOL_QUERY(t_network_is_persistent, persistent)

static int t_network_get_autostart(vkp_conn *c, const vkp_ref *ref, int *autostart)
{
    int r = -1;
    pthread_mutex_lock(&c->lock);
    test_net *n = find_ref(c, ref);
    if (n) {
        *autostart = n->autostart;
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_network_set_autostart(vkp_conn *c, const vkp_ref *ref, int autostart)
{
    int r = -1;
    pthread_mutex_lock(&c->lock);
    test_net *n = find_ref(c, ref);
    if (n) {
        if (!n->persistent) {
            ERR(VIRTKIT_ERR_OPERATION_INVALID, "network '%s' is transient: it cannot autostart",
                n->name);
        } else {
            n->autostart = autostart;
            r = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static char *t_network_get_bridge_name(vkp_conn *c, const vkp_ref *ref)
{
    pthread_mutex_lock(&c->lock);
    test_net *n = find_ref(c, ref);
    char *b = n ? H->strdup(n->bridge) : NULL;
    pthread_mutex_unlock(&c->lock);
    return b;
}

static int t_network_get_dhcp_leases(vkp_conn *c, const vkp_ref *ref, virtkit_params ***leases,
                                     unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_net *n = find_ref(c, ref);
    int count = -1;
    if (n) {
        size_t nip = H->def->count(n->def, "ip"), total = 0;
        for (size_t i = 0; i < nip; i++)
            total += H->def->count(H->def->child(n->def, "ip", i), "dhcp/host");
        virtkit_params **out = H->alloc((total + 1) * sizeof(*out));
        count = 0;
        for (size_t i = 0; n->active && i < nip; i++) {
            const vkp_def *ip = H->def->child(n->def, "ip", i);
            uint64_t prefix = 24;
            H->def->get_u64(ip, "@prefix", &prefix);
            size_t nh = H->def->count(ip, "dhcp/host");
            for (size_t j = 0; j < nh; j++) {
                const vkp_def *h = H->def->child(ip, "dhcp/host", j);
                const char *mac = H->def->get(h, "@mac");
                if (!mac)
                    continue;
                virtkit_params *p = H->params->create();
                H->params->add_string(p, "mac", mac);
                H->params->add_string(p, "ipaddr", H->def->get(h, "@ip"));
                H->params->add_uint(p, "prefix", (unsigned int)prefix);
                H->params->add_string(p, "hostname", H->def->get(h, "@name") ? H->def->get(h, "@name") : "");
                H->params->add_string(p, "iface", n->bridge);
                H->params->add_llong(p, "expirytime", 0);
                out[count++] = p;
            }
        }
        *leases = out;
    }
    pthread_mutex_unlock(&c->lock);
    return count;
}

static const char *const net_modes[] = { "nat", "route", "isolated", "open", "bridge", NULL };

const vkp_network_ops test_network_ops = {
    .struct_size = sizeof(vkp_network_ops),
    .forward_modes = net_modes,
    .list_all_networks = t_list_all_networks,
    .lookup_network = t_lookup_network,
    .network_define = t_network_define,
    .network_create_xml = t_network_create_xml,
    .network_undefine = t_network_undefine,
    .network_create = t_network_create,
    .network_destroy = t_network_destroy,
    .network_get_xml = t_network_get_xml,
    .network_is_active = t_network_is_active,
    .network_is_persistent = t_network_is_persistent,
    .network_get_autostart = t_network_get_autostart,
    .network_set_autostart = t_network_set_autostart,
    .network_get_bridge_name = t_network_get_bridge_name,
    .network_get_dhcp_leases = t_network_get_dhcp_leases,
};
