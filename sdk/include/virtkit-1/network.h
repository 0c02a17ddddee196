/*
 * virtkit-1/network.h: the operations a network plugin provides (virtual
 * networks: bridges, DHCP/DNS, NAT). Same rules as hypervisor.h.
 */
#ifndef VIRTKIT1_NETWORK_H
#define VIRTKIT1_NETWORK_H

#include <virtkit-1/host.h>
#include <virtkit/virtkit-network.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vkp_conn vkp_conn;

struct vkp_network_ops {
    uint32_t struct_size;
    /* Forward modes served ("nat", "route", "isolated", "bridge"). */
    const char *const *forward_modes;
    int (*open)(vkp_ctx *ctx, unsigned int flags, vkp_conn **conn);
    void (*close)(vkp_conn *conn);

    int (*list_all_networks)(vkp_conn *conn, vkp_ref **refs, unsigned int flags);
    int (*lookup_network)(vkp_conn *conn, const char *name, const unsigned char *uuid,
                          vkp_ref *out);
    int (*network_define)(vkp_conn *conn, const char *xml, unsigned int flags, vkp_ref *out);
    int (*network_create_xml)(vkp_conn *conn, const char *xml, unsigned int flags,
                              vkp_ref *out);
    int (*network_undefine)(vkp_conn *conn, const vkp_ref *net, unsigned int flags);
    int (*network_create)(vkp_conn *conn, const vkp_ref *net, unsigned int flags);
    int (*network_destroy)(vkp_conn *conn, const vkp_ref *net, unsigned int flags);
    char *(*network_get_xml)(vkp_conn *conn, const vkp_ref *net, unsigned int flags);
    int (*network_is_active)(vkp_conn *conn, const vkp_ref *net);
    int (*network_is_persistent)(vkp_conn *conn, const vkp_ref *net);
    int (*network_get_autostart)(vkp_conn *conn, const vkp_ref *net, int *autostart);
    int (*network_set_autostart)(vkp_conn *conn, const vkp_ref *net, int autostart);
    char *(*network_get_bridge_name)(vkp_conn *conn, const vkp_ref *net);
    int (*network_get_dhcp_leases)(vkp_conn *conn, const vkp_ref *net,
                                   virtkit_params ***leases, unsigned int flags);
};

#ifdef __cplusplus
}
#endif
#endif
