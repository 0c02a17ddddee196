/*
 * stdio_proxy.c: "virtkitd --stdio-proxy", the far end of the ssh
 * transport. It connects to the daemon's UNIX socket as whoever ssh logged
 * in, then copies bytes both ways between its stdin/stdout and the socket
 * until either side ends. The daemon sees this process's credentials, so
 * the ssh user is the identity access rules apply to.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>

#include "error.h"
#include "fileutil.h"
#include "stdio_proxy.h"
#include "transport.h"

#define BUF (64 * 1024)

/* Move what is readable from `from` to `to`; 0 at EOF, -1 on error. */
static int pump(int from, int to, char *buf)
{
    ssize_t n = read(from, buf, BUF);
    if (n < 0)
        return (errno == EINTR || errno == EAGAIN) ? 1 : -1;
    if (n == 0)
        return 0;
    return vk_write_all(to, buf, (size_t)n) < 0 ? -1 : 1;
}

int vkd_stdio_proxy(const char *socket_path)
{
    vk_rpc_sock s = VK_RPC_SOCK_INIT;
    if (vk_rpc_unix_connect(socket_path, &s) < 0) {
        fprintf(stderr, "virtkitd --stdio-proxy: %s\n", vk_error_message());
        return 1;
    }
    vk_set_nonblock(s.fd, false);
    static char up[BUF], down[BUF];
    struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = s.fd, .events = POLLIN } };
    bool in_open = true;
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (in_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            int r = pump(0, s.fd, up);
            if (r <= 0) {
                /* The client is done sending; let the daemon finish. */
                shutdown(s.fd, SHUT_WR);
                in_open = false;
                p[0].fd = -1;
                if (r < 0)
                    break;
            }
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (pump(s.fd, 1, down) <= 0)
                break;
        }
    }
    close(s.fd);
    return 0;
}
