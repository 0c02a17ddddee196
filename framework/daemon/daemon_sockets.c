/*
 * daemon_sockets.c: see daemon_sockets.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon_sockets.h"
#include "error.h"
#include "fileutil.h"

#define LISTEN_BACKLOG 4096

static bool same_unix_path(int fd, const char *path)
{
    struct sockaddr_un sa;
    socklen_t l = sizeof(sa);
    if (getsockname(fd, (struct sockaddr *)&sa, &l) < 0 || sa.sun_family != AF_UNIX)
        return false;
    return vk_streq(sa.sun_path, path);
}

static int sock_family(int fd)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
        return -1;
    return ss.ss_family;
}

int vkd_sockets_from_systemd(const vkd_config *cfg, vkd_sockets *s)
{
    s->rw = s->ro = s->tls = -1;
    const char *pid = getenv("LISTEN_PID");
    const char *fds = getenv("LISTEN_FDS");
    if (!pid || !fds)
        return 0;
    int p, n;
    if (vk_parse_int(pid, &p) < 0 || p != getpid() || vk_parse_int(fds, &n) < 0 || n <= 0)
        return 0;
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    for (int fd = 3; fd < 3 + n; fd++) {
        vk_set_cloexec(fd, true);
        int fam = sock_family(fd);
        if (fam == AF_UNIX && same_unix_path(fd, cfg->rw_socket))
            s->rw = fd;
        else if (fam == AF_UNIX && same_unix_path(fd, cfg->ro_socket))
            s->ro = fd;
        else if (fam == AF_INET || fam == AF_INET6)
            s->tls = fd;
        else {
            vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON,
                         "systemd passed socket fd %d, which matches neither '%s' nor '%s' nor "
                         "a TCP address (check the .socket units against virtkitd.conf)",
                         fd, cfg->rw_socket, cfg->ro_socket);
            return -1;
        }
    }
    s->activated = true;
    return 0;
}

/* A socket file left by a daemon that died is removed; one a daemon is
 * still serving is not ours to take. */
static int clear_stale(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_DAEMON,
                     "'%s' exists and is not a socket; not replacing it", path);
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    close(fd);
    if (r == 0) {
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_DAEMON,
                     "another virtkitd is serving '%s'", path);
        return -1;
    }
    unlink(path);
    return 0;
}

static int unix_listen(const char *path, unsigned int mode, const char *group)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path)) {
        vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON,
                     "socket path '%s' is longer than %zu bytes", path, sizeof(sa.sun_path) - 1);
        return -1;
    }
    VK_AUTOFREE(char *) dir = vk_strdup(path);
    if (vk_mkdir_p(dirname(dir), 0755) < 0)
        return -1;
    if (clear_stale(path) < 0)
        return -1;
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot create a UNIX socket");
        return -1;
    }
    /* Created with the final mode: no window where it is wider. */
    mode_t old = umask(0777 & ~mode);
    int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (r < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot bind '%s'", path);
        close(fd);
        return -1;
    }
    if (chmod(path, mode) < 0 && errno != EPERM) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot set mode %o on '%s'", mode, path);
        close(fd);
        return -1;
    }
    if (!vk_str_empty(group)) {
        struct group gr, *res = NULL;
        char buf[4096];
        if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
            vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON,
                         "unix.group '%s' is not a group on this host", group);
            close(fd);
            unlink(path);
            return -1;
        }
        if (chown(path, (uid_t)-1, res->gr_gid) < 0) {
            vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot give '%s' to group '%s'", path,
                            group);
            close(fd);
            unlink(path);
            return -1;
        }
    }
    if (listen(fd, LISTEN_BACKLOG) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot listen on '%s'", path);
        close(fd);
        return -1;
    }
    return fd;
}

static int tcp_listen(const char *address, unsigned int port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    char ports[16];
    snprintf(ports, sizeof(ports), "%u", port);
    struct addrinfo *res = NULL;
    int g = getaddrinfo(vk_str_empty(address) ? NULL : address, ports, &hints, &res);
    if (g != 0) {
        vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON, "tls.address '%s': %s", address,
                     gai_strerror(g));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
        listen(fd, LISTEN_BACKLOG) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot listen for TLS on %s port %u",
                        vk_str_empty(address) ? "*" : address, port);
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    return fd;
}

int vkd_sockets_create(const vkd_config *cfg, bool want_tls, vkd_sockets *s)
{
    if (s->rw < 0) {
        if ((s->rw = unix_listen(cfg->rw_socket, cfg->rw_mode, cfg->group)) < 0)
            return -1;
        s->own_rw = true;
    }
    if (s->ro < 0) {
        if ((s->ro = unix_listen(cfg->ro_socket, cfg->ro_mode, cfg->group)) < 0)
            return -1;
        s->own_ro = true;
    }
    if (want_tls && s->tls < 0 && (s->tls = tcp_listen(cfg->tls_address, cfg->tls_port)) < 0)
        return -1;
    return 0;
}

void vkd_sockets_unlink(const vkd_config *cfg, const vkd_sockets *s)
{
    if (s->own_rw)
        unlink(cfg->rw_socket);
    if (s->own_ro)
        unlink(cfg->ro_socket);
}
