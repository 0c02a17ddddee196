/*
 * transport.c: see transport.h (plain sockets; TLS sessions are in tls.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "error.h"
#include "fileutil.h"
#include "transport.h"

static ssize_t tls_result(ssize_t r, const char *what)
{
    if (r >= 0)
        return r;
    if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
        return -2;
    if (r == GNUTLS_E_PREMATURE_TERMINATION)
        return 0;
    vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC, "TLS %s failed: %s", what,
                 gnutls_strerror((int)r));
    return -1;
}

ssize_t vk_rpc_sock_read(vk_rpc_sock *s, void *buf, size_t n)
{
    if (s->tls)
        return tls_result(gnutls_record_recv(s->tls, buf, n), "read");
    for (;;) {
        ssize_t r = read(s->fd, buf, n);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -2;
        if (errno == ECONNRESET)
            return 0;
        vk_error_system(errno, VIRTKIT_SUB_RPC, "cannot read from the connection");
        return -1;
    }
}

ssize_t vk_rpc_sock_write(vk_rpc_sock *s, const void *buf, size_t n)
{
    if (s->tls)
        return tls_result(gnutls_record_send(s->tls, buf, n), "write");
    for (;;) {
        /* send() with MSG_NOSIGNAL on sockets so a vanished peer is an
         * error, not a SIGPIPE; ssh pipes are socketpairs too. */
        ssize_t r = send(s->fd, buf, n, MSG_NOSIGNAL);
        if (r < 0 && errno == ENOTSOCK)
            r = write(s->fd, buf, n);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -2;
        vk_error_system(errno, VIRTKIT_SUB_RPC, "cannot write to the connection");
        return -1;
    }
}

int vk_rpc_sock_wait(vk_rpc_sock *s, short events, int timeout_ms)
{
    if ((events & POLLIN) && s->tls && gnutls_record_check_pending(s->tls) > 0)
        return 1;
    struct pollfd p = { .fd = s->fd, .events = events };
    for (;;) {
        int r = poll(&p, 1, timeout_ms);
        if (r >= 0)
            return r;
        if (errno != EINTR) {
            vk_error_system(errno, VIRTKIT_SUB_RPC, "cannot wait for the connection");
            return -1;
        }
    }
}

void vk_rpc_sock_close(vk_rpc_sock *s)
{
    if (s->tls) {
        /* Best effort: do not wait for the peer's answer. */
        gnutls_record_set_timeout(s->tls, 0);
        gnutls_bye(s->tls, GNUTLS_SHUT_WR);
        gnutls_deinit(s->tls);
        s->tls = NULL;
    }
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->child > 0) {
        /* ssh exits once its stdio closes; give it a moment, then insist. */
        int status;
        for (int i = 0; i < 50; i++) {
            if (waitpid(s->child, &status, WNOHANG) != 0)
                goto reaped;
            usleep(2000);
        }
        kill(s->child, SIGTERM);
        while (waitpid(s->child, &status, 0) < 0 && errno == EINTR)
            ;
    reaped:
        s->child = 0;
    }
}

int vk_rpc_unix_connect(const char *path, vk_rpc_sock *s)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path)) {
        vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_RPC,
                     "socket path '%s' is longer than the %zu bytes a UNIX socket allows", path,
                     sizeof(sa.sun_path) - 1);
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_RPC, "cannot create a UNIX socket");
        return -1;
    }
    while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (errno == EINTR)
            continue;
        int err = errno;
        close(fd);
        if (err == ENOENT || err == ECONNREFUSED)
            vk_error_set(VIRTKIT_ERR_NO_CONNECT, VIRTKIT_SUB_REMOTE,
                         "cannot connect to virtkitd at '%s': %s (is the daemon running?)",
                         path, err == ENOENT ? "no such socket" : "connection refused");
        else if (err == EACCES)
            vk_error_set(VIRTKIT_ERR_OPERATION_DENIED, VIRTKIT_SUB_REMOTE,
                         "cannot connect to virtkitd at '%s': permission denied (by default the "
                         "read-write socket is root's only and the read-only socket is open to "
                         "all; see unix.rw_mode and unix.group)", path);
        else
            vk_error_system(err, VIRTKIT_SUB_REMOTE, "cannot connect to virtkitd at '%s'",
                            path);
        return -1;
    }
    vk_set_nonblock(fd, true);
    s->fd = fd;
    return 0;
}

static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    if (fd < 0)
        return -errno;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return -e;
    }
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int r;
    while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    if (r == 0) {
        close(fd);
        return -ETIMEDOUT;
    }
    int err = 0;
    socklen_t l = sizeof(err);
    if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
        close(fd);
        return -(err ? err : EIO);
    }
    return fd;
}

int vk_rpc_tcp_connect(const char *host, int port, int timeout_ms, vk_rpc_sock *s)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_ADDRCONFIG };
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo *res = NULL;
    int gr = getaddrinfo(host, portstr, &hints, &res);
    if (gr != 0) {
        vk_error_set(VIRTKIT_ERR_NO_CONNECT, VIRTKIT_SUB_REMOTE, "cannot resolve host '%s': %s",
                     host, gai_strerror(gr));
        return -1;
    }
    int last = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = connect_one(ai, timeout_ms);
        if (fd >= 0) {
            freeaddrinfo(res);
            s->fd = fd;
            return 0;
        }
        last = -fd;
    }
    freeaddrinfo(res);
    vk_error_set(VIRTKIT_ERR_NO_CONNECT, VIRTKIT_SUB_REMOTE,
                 "cannot connect to virtkitd at %s port %d: %s", host, port, strerror(last));
    return -1;
}
