/*
 * remote.h: the remote driver's private state, shared by remote.c (open,
 * close, transports, events, streams) and remote_ops.c (the SDK ops tables
 * implemented as calls to virtkitd).
 */
#ifndef VK_RPC_REMOTE_H
#define VK_RPC_REMOTE_H

#include "client.h"

struct vk_remote {
    vk_rpc_client *rpc;
    pthread_mutex_t lock;
    virtkit_connect *conn;    /* back pointer; NULL once closing */
    char *type;               /* the serving plugin's name, from the daemon */
    bool readonly;            /* connected to the read-only socket */
    unsigned long long resume; /* ?resume_events=N, 0 when not resuming */
};

/* The remote driver's ops tables (remote_ops.c). Their vkp_conn is the
 * vk_remote of the connection. */
extern const vkp_hypervisor_ops vk_remote_hv_ops;
extern const vkp_storage_ops vk_remote_storage_ops;
extern const vkp_network_ops vk_remote_network_ops;

static inline vk_remote *vk_remote_of(vkp_conn *c)
{
    return (vk_remote *)(void *)c;
}

/* Spawn `ssh ... virtkitd --stdio-proxy` for a +ssh URI (ssh.c); s gets
 * one end of a socket pair connected to ssh's stdin and stdout (and the
 * child's pid), *errfd the read end of ssh's stderr. */
int vk_remote_ssh_spawn(const vk_uri *u, bool readonly, vk_rpc_sock *s, int *errfd);

/* The URI the daemon serves: the client's without transport, host, user,
 * port and the parameters that only tell the client how to connect. */
char *vk_remote_daemon_uri(const vk_uri *u);

#endif
