/*
 * virtkit-network.h: virtual networks (nat, route, isolated, bridge) with
 * DHCP and DNS, served by network plugins.
 */
#ifndef VIRTKIT_NETWORK_H
#define VIRTKIT_NETWORK_H

#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    VIRTKIT_LIST_NETWORKS_ACTIVE = 1 << 0,
    VIRTKIT_LIST_NETWORKS_INACTIVE = 1 << 1,
    VIRTKIT_LIST_NETWORKS_PERSISTENT = 1 << 2,
    VIRTKIT_LIST_NETWORKS_TRANSIENT = 1 << 3,
    VIRTKIT_LIST_NETWORKS_AUTOSTART = 1 << 4,
    VIRTKIT_LIST_NETWORKS_NO_AUTOSTART = 1 << 5,
} virtkit_list_networks_flags;

VIRTKIT_API int virtkit_connect_list_all_networks(virtkit_connect *conn, virtkit_network ***nets,
                                                 unsigned int flags);
VIRTKIT_API virtkit_network *virtkit_network_lookup_by_name(virtkit_connect *conn, const char *name);
VIRTKIT_API virtkit_network *virtkit_network_lookup_by_uuid_string(virtkit_connect *conn,
                                                                  const char *uuid);
VIRTKIT_API virtkit_network *virtkit_network_define_xml(virtkit_connect *conn, const char *xml,
                                                       unsigned int flags);
VIRTKIT_API virtkit_network *virtkit_network_create_xml(virtkit_connect *conn, const char *xml,
                                                       unsigned int flags);
VIRTKIT_API int virtkit_network_undefine(virtkit_network *net, unsigned int flags);
VIRTKIT_API int virtkit_network_create(virtkit_network *net, unsigned int flags);
VIRTKIT_API int virtkit_network_destroy(virtkit_network *net, unsigned int flags);
VIRTKIT_API char *virtkit_network_get_xml(virtkit_network *net, unsigned int flags);
VIRTKIT_API const char *virtkit_network_get_name(virtkit_network *net);
VIRTKIT_API int virtkit_network_get_uuid_string(virtkit_network *net, char *buf);
VIRTKIT_API int virtkit_network_is_active(virtkit_network *net);
VIRTKIT_API int virtkit_network_is_persistent(virtkit_network *net);
VIRTKIT_API int virtkit_network_get_autostart(virtkit_network *net, int *autostart);
VIRTKIT_API int virtkit_network_set_autostart(virtkit_network *net, int autostart);
/* The bridge device the network uses; caller frees. */
VIRTKIT_API char *virtkit_network_get_bridge_name(virtkit_network *net);
/* DHCP leases: each a parameter list (mac, ipaddr, prefix, hostname,
 * expirytime). Free with virtkit_params_array_free. */
VIRTKIT_API int virtkit_network_get_dhcp_leases(virtkit_network *net, virtkit_params ***leases,
                                                unsigned int flags);
VIRTKIT_API int virtkit_network_ref(virtkit_network *net);
VIRTKIT_API int virtkit_network_free(virtkit_network *net);

#ifdef __cplusplus
}
#endif
#endif
