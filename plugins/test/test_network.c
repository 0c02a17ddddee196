/*
 * test_network.c: virtual networks of the test hypervisor: definitions,
 * start/stop, autostart and a lease list derived from the static DHCP
 * hosts of each network (there is no real DHCP server here). The shared
 * bookkeeping is in test_objects.c.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

#define ERR(code, ...) H->error(code, VIRTKIT_SUB_NETWORK, __VA_ARGS__)
#define NET(o) ((test_net *)(o))

static void net_free(test_obj *o)
{
    if (!o)
        return;
    H->free(o->name);
    H->free(NET(o)->bridge);
    H->def->free(o->def);
    H->free(o);
}

void test_nets_init(test_set *s)
{
    *s = (test_set){ .what = "network", .no_object_code = VIRTKIT_ERR_NO_NETWORK,
                     .subsystem = VIRTKIT_SUB_NETWORK, .free = net_free,
                     .emit = H->network_event_lifecycle };
}

/* Bridge name: the definition's, else the next free virbrN. */
static void assign_bridge(vkp_conn *c, test_net *n)
{
    const char *b = H->def->get(n->base.def, "bridge/@name");
    H->free(n->bridge);
    if (b) {
        n->bridge = H->strdup(b);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "virbr%d", ++c->next_bridge);
    n->bridge = H->strdup(buf);
    H->def->set(n->base.def, "bridge/@name", buf);
}

/* Add or replace; *out is the network. Takes ownership of def. */
static int net_add(vkp_conn *c, vkp_def *def, bool persistent, test_net **out)
{
    test_obj *o;
    /* Defining an active network changes its next start; creating it again
     * is refused. */
    if (test_set_put(&c->nets, def, sizeof(test_net), !persistent, &o) < 0)
        return -1;
    assign_bridge(c, NET(o));
    if (persistent)
        o->persistent = true;
    *out = NET(o);
    return 0;
}

int test_net_load(vkp_conn *c, vkp_def *def, bool active)
{
    test_net *n;
    if (net_add(c, def, true, &n) < 0)
        return -1;
    n->base.active = active;
    return 0;
}

static int t_list_all_networks(vkp_conn *c, vkp_ref **refs, unsigned int flags)
{
    return test_set_list(c, &c->nets, refs, flags);
}

static int t_lookup_network(vkp_conn *c, const char *name, const unsigned char *uuid,
                            vkp_ref *out)
{
    return test_set_lookup(c, &c->nets, name, uuid, out);
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
        n->base.active |= create;
        test_set_emit(c, &c->nets, &n->base,
                      create ? VIRTKIT_NETWORK_EVENT_STARTED : VIRTKIT_NETWORK_EVENT_DEFINED);
        test_ref_fill(out, n->base.name, n->base.uuid, -1);
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
    return test_set_undefine(c, &c->nets, ref, VIRTKIT_NETWORK_EVENT_UNDEFINED);
}

/* Start (want_active) or stop a network. */
static int set_active(vkp_conn *c, const vkp_ref *ref, bool want_active)
{
    pthread_mutex_lock(&c->lock);
    int r = -1;
    test_obj *o = test_set_find_ref(&c->nets, ref);
    if (o && o->active == want_active) {
        ERR(VIRTKIT_ERR_OPERATION_INVALID, "network '%s' is %s", o->name,
            o->active ? "already active" : "not active");
    } else if (o) {
        o->active = want_active;
        test_set_emit(c, &c->nets, o,
                      want_active ? VIRTKIT_NETWORK_EVENT_STARTED : VIRTKIT_NETWORK_EVENT_STOPPED);
        if (!o->active && !o->persistent)
            test_set_remove(&c->nets, o);
        r = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int t_network_create(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    return set_active(c, ref, true);
}

static int t_network_destroy(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    return set_active(c, ref, false);
}

static char *t_network_get_xml(vkp_conn *c, const vkp_ref *ref, unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_obj *o = test_set_find_ref(&c->nets, ref);
    char *x = NULL;
    if (o) {
        unsigned int ff = 0;
        if (flags & VIRTKIT_DOMAIN_XML_INACTIVE)
            ff |= VKP_DEF_FORMAT_INACTIVE;
        if (flags & VIRTKIT_DOMAIN_XML_AS_WRITTEN)
            ff |= VKP_DEF_FORMAT_AS_WRITTEN;
        x = H->def->format(o->def, ff);
    }
    pthread_mutex_unlock(&c->lock);
    return x;
}

static int t_network_is_active(vkp_conn *c, const vkp_ref *ref)
{
    return test_set_flag(c, &c->nets, ref, offsetof(test_obj, active));
}

static int t_network_is_persistent(vkp_conn *c, const vkp_ref *ref)
{
    return test_set_flag(c, &c->nets, ref, offsetof(test_obj, persistent));
}

static int t_network_get_autostart(vkp_conn *c, const vkp_ref *ref, int *autostart)
{
    return test_set_get_autostart(c, &c->nets, ref, autostart);
}

static int t_network_set_autostart(vkp_conn *c, const vkp_ref *ref, int autostart)
{
    return test_set_set_autostart(c, &c->nets, ref, autostart);
}

static char *t_network_get_bridge_name(vkp_conn *c, const vkp_ref *ref)
{
    pthread_mutex_lock(&c->lock);
    test_obj *o = test_set_find_ref(&c->nets, ref);
    char *b = o ? H->strdup(NET(o)->bridge) : NULL;
    pthread_mutex_unlock(&c->lock);
    return b;
}

/* One lease per static DHCP host with a MAC, while the network runs. */
static void add_leases(const test_net *n, const vkp_def *ip, virtkit_params **out, int *count)
{
    uint64_t prefix = 24;
    H->def->get_u64(ip, "@prefix", &prefix);
    size_t nh = H->def->count(ip, "dhcp/host");
    for (size_t j = 0; j < nh; j++) {
        const vkp_def *h = H->def->child(ip, "dhcp/host", j);
        const char *mac = H->def->get(h, "@mac"), *host = H->def->get(h, "@name");
        if (!mac)
            continue;
        virtkit_params *p = H->params->create();
        H->params->add_string(p, "mac", mac);
        H->params->add_string(p, "ipaddr", H->def->get(h, "@ip"));
        H->params->add_uint(p, "prefix", (unsigned int)prefix);
        H->params->add_string(p, "hostname", host ? host : "");
        H->params->add_string(p, "iface", n->bridge);
        H->params->add_llong(p, "expirytime", 0);
        out[(*count)++] = p;
    }
}

static int t_network_get_dhcp_leases(vkp_conn *c, const vkp_ref *ref, virtkit_params ***leases,
                                     unsigned int flags)
{
    pthread_mutex_lock(&c->lock);
    test_obj *o = test_set_find_ref(&c->nets, ref);
    int count = -1;
    if (o) {
        size_t nip = H->def->count(o->def, "ip"), total = 0;
        for (size_t i = 0; i < nip; i++)
            total += H->def->count(H->def->child(o->def, "ip", i), "dhcp/host");
        virtkit_params **out = H->alloc((total + 1) * sizeof(*out));
        count = 0;
        for (size_t i = 0; o->active && i < nip; i++)
            add_leases(NET(o), H->def->child(o->def, "ip", i), out, &count);
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
