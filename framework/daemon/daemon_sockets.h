/*
 * daemon_sockets.h: virtkitd's listening sockets: UNIX sockets created
 * with their mode and group (refusing to take over a socket another
 * daemon still serves), TCP for TLS, and systemd socket activation
 * (LISTEN_FDS), whose sockets are recognised by their address.
 */
#ifndef VKD_SOCKETS_H
#define VKD_SOCKETS_H

#include "daemon_conf.h"

typedef struct vkd_sockets {
    int rw, ro, tls;           /* listening fds, -1 when absent */
    bool activated;            /* from systemd: do not unlink at exit */
    bool own_rw, own_ro;       /* socket files this daemon created */
} vkd_sockets;

/* Take sockets passed by systemd (LISTEN_PID/LISTEN_FDS), if any. */
int vkd_sockets_from_systemd(const vkd_config *cfg, vkd_sockets *s);
/* Create the UNIX sockets (and the TLS one when want_tls) that systemd
 * did not pass. */
int vkd_sockets_create(const vkd_config *cfg, bool want_tls, vkd_sockets *s);
/* Remove the UNIX socket files we created. */
void vkd_sockets_unlink(const vkd_config *cfg, const vkd_sockets *s);

#endif
