/*
 * network.c: the public virtual network API; dispatch to the network
 * driver of the connection (a network plugin, the test plugin, or the
 * remote driver).
 */
#include "config.h"

#include <stdlib.h>

#include "core.h"
#include "uuid.h"

VIRTKIT_API int virtkit_connect_list_all_networks(virtkit_connect *conn, virtkit_network ***nets,
                                                 unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, 0x3fu, -1);
    int (*f)(vkp_conn *, vkp_ref **, unsigned int) = VK_NET(conn, list_all_networks, -1);
    vkp_ref *refs = NULL;
    int n = f(conn->net_conn, &refs, flags);
    if (n < 0) {
        vk_ensure_error(conn, "list_all_networks");
        return -1;
    }
    void **h = vk_refs_to_handles(conn, refs, n, nets != NULL, vk_make_network);
    if (nets)
        *nets = (virtkit_network **)h;
    return n;
}

static virtkit_network *wrap(virtkit_connect *conn, int rc, vkp_ref *r, const char *op)
{
    if (rc < 0) {
        vk_ref_clear(r);
        vk_ensure_error(conn, op);
        return NULL;
    }
    return vk_network_new(conn, r);
}

VIRTKIT_API virtkit_network *virtkit_network_lookup_by_name(virtkit_connect *conn, const char *name)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (vk_str_empty(name)) {
        vk_error_invalid_arg("%s: name must not be empty", __func__);
        return NULL;
    }
    int (*f)(vkp_conn *, const char *, const unsigned char *, vkp_ref *) =
        VK_NET(conn, lookup_network, NULL);
    vkp_ref r = { 0 };
    return wrap(conn, f(conn->net_conn, name, NULL, &r), &r, "lookup_network");
}

VIRTKIT_API virtkit_network *virtkit_network_lookup_by_uuid_string(virtkit_connect *conn,
                                                                  const char *uuid)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    unsigned char u[VK_UUID_LEN];
    if (vk_uuid_parse(uuid, u) < 0)
        return NULL;
    int (*f)(vkp_conn *, const char *, const unsigned char *, vkp_ref *) =
        VK_NET(conn, lookup_network, NULL);
    vkp_ref r = { 0 };
    return wrap(conn, f(conn->net_conn, NULL, u, &r), &r, "lookup_network");
}

#define NET_FROM_XML(fn, op)                                                             \
    VIRTKIT_API virtkit_network *fn(virtkit_connect *conn, const char *xml, unsigned int flags) \
    {                                                                                    \
        VK_ENTRY_CONN_RW(conn, flags, VIRTKIT_DOMAIN_DEFINE_VALIDATE, NULL);             \
        if (!xml) {                                                                      \
            vk_error_invalid_arg("%s: xml must not be NULL", __func__);                  \
            return NULL;                                                                 \
        }                                                                                \
        int (*f)(vkp_conn *, const char *, unsigned int, vkp_ref *) = VK_NET(conn, op, NULL); \
        vkp_ref r = { 0 };                                                               \
        return wrap(conn, f(conn->net_conn, xml, flags, &r), &r, #op);                   \
    }
NET_FROM_XML(virtkit_network_define_xml, network_define)
NET_FROM_XML(virtkit_network_create_xml, network_create_xml)

#define NET_SIMPLE(fn, op)                                                               \
    VIRTKIT_API int fn(virtkit_network *net, unsigned int flags)                         \
    {                                                                                    \
        VK_ENTRY_OBJ_RW(net, flags, 0, -1);                                              \
        int (*f)(vkp_conn *, const vkp_ref *, unsigned int) = VK_NET(net->conn, op, -1); \
        if (f(net->conn->net_conn, &net->ref, flags) < 0) {                              \
            vk_ensure_error(net->conn, #op);                                             \
            return -1;                                                                   \
        }                                                                                \
        return 0;                                                                        \
    }
NET_SIMPLE(virtkit_network_undefine, network_undefine)
NET_SIMPLE(virtkit_network_create, network_create)
NET_SIMPLE(virtkit_network_destroy, network_destroy)

VIRTKIT_API char *virtkit_network_get_xml(virtkit_network *net, unsigned int flags)
{
    VK_ENTRY_OBJ(net, flags, VIRTKIT_DOMAIN_XML_INACTIVE | VIRTKIT_DOMAIN_XML_AS_WRITTEN, NULL);
    char *(*f)(vkp_conn *, const vkp_ref *, unsigned int) =
        VK_NET(net->conn, network_get_xml, NULL);
    char *x = f(net->conn->net_conn, &net->ref, flags);
    if (!x)
        vk_ensure_error(net->conn, "network_get_xml");
    return x;
}

VIRTKIT_API const char *virtkit_network_get_name(virtkit_network *net)
{
    VK_ENTRY_OBJ(net, 0, 0, NULL);
    return net->ref.name;
}

VIRTKIT_API int virtkit_network_get_uuid_string(virtkit_network *net, char *buf)
{
    VK_ENTRY_OBJ(net, 0, 0, -1);
    if (!buf) {
        vk_error_invalid_arg("%s: buf must not be NULL", __func__);
        return -1;
    }
    vk_uuid_format(net->ref.uuid, buf);
    return 0;
}

#define NET_QUERY(fn, op)                                                                \
    VIRTKIT_API int fn(virtkit_network *net)                                             \
    {                                                                                    \
        VK_ENTRY_OBJ(net, 0, 0, -1);                                                     \
        int (*f)(vkp_conn *, const vkp_ref *) = VK_NET(net->conn, op, -1);               \
        int r = f(net->conn->net_conn, &net->ref);                                       \
        if (r < 0)                                                                       \
            vk_ensure_error(net->conn, #op);                                             \
        return r;                                                                        \
    }
NET_QUERY(virtkit_network_is_active, network_is_active)
NET_QUERY(virtkit_network_is_persistent, network_is_persistent)

VIRTKIT_API int virtkit_network_get_autostart(virtkit_network *net, int *autostart)
{
    VK_ENTRY_OBJ(net, 0, 0, -1);
    if (!autostart) {
        vk_error_invalid_arg("%s: autostart must not be NULL", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, int *) = VK_NET(net->conn, network_get_autostart, -1);
    if (f(net->conn->net_conn, &net->ref, autostart) < 0) {
        vk_ensure_error(net->conn, "network_get_autostart");
        return -1;
    }
    return 0;
}

VIRTKIT_API int virtkit_network_set_autostart(virtkit_network *net, int autostart)
{
    VK_ENTRY_OBJ_RW(net, 0, 0, -1);
    int (*f)(vkp_conn *, const vkp_ref *, int) = VK_NET(net->conn, network_set_autostart, -1);
    if (f(net->conn->net_conn, &net->ref, autostart ? 1 : 0) < 0) {
        vk_ensure_error(net->conn, "network_set_autostart");
        return -1;
    }
    return 0;
}

VIRTKIT_API char *virtkit_network_get_bridge_name(virtkit_network *net)
{
    VK_ENTRY_OBJ(net, 0, 0, NULL);
    char *(*f)(vkp_conn *, const vkp_ref *) = VK_NET(net->conn, network_get_bridge_name, NULL);
    char *b = f(net->conn->net_conn, &net->ref);
    if (!b)
        vk_ensure_error(net->conn, "network_get_bridge_name");
    return b;
}

VIRTKIT_API int virtkit_network_get_dhcp_leases(virtkit_network *net, virtkit_params ***leases,
                                                unsigned int flags)
{
    VK_ENTRY_OBJ(net, flags, 0, -1);
    if (!leases) {
        vk_error_invalid_arg("%s: leases must not be NULL", __func__);
        return -1;
    }
    int (*f)(vkp_conn *, const vkp_ref *, virtkit_params ***, unsigned int) =
        VK_NET(net->conn, network_get_dhcp_leases, -1);
    int n = f(net->conn->net_conn, &net->ref, leases, flags);
    if (n < 0)
        vk_ensure_error(net->conn, "network_get_dhcp_leases");
    return n;
}
