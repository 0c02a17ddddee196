/*
 * vkc_file.c: see vkc_file.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "vkc_file.h"

char *vkc_file_read(const char *path, size_t max, size_t *len)
{
    VK_AUTOCLOSE fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vkc_error_system(errno, "cannot open %s", path);
        return NULL;
    }
    vkc_buf b = VKC_BUF_INIT;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vkc_error_system(errno, "cannot read %s", path);
            vkc_buf_clear(&b);
            return NULL;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > max) {
            vkc_error(VIRTKIT_ERR_OPERATION_FAILED, "%s is larger than %zu bytes", path, max);
            vkc_buf_clear(&b);
            return NULL;
        }
        vkc_buf_addn(&b, chunk, (size_t)n);
    }
    if (len)
        *len = b.len;
    return vkc_buf_steal(&b);
}

int vkc_file_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int vkc_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t vkc_read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

int vkc_file_write_replace(const char *path, const char *data, size_t len, mode_t mode)
{
    VK_AUTOFREE(char *) tmp = vkc_asprintf("%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        vkc_error_system(errno, "cannot create %s", tmp);
        return -1;
    }
    if (vkc_write_all(fd, data, len) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        vkc_error_system(e, "cannot write %s", tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        vkc_error_system(e, "cannot rename %s to %s", tmp, path);
        return -1;
    }
    return 0;
}

int vkc_mkdir_p(const char *path, mode_t mode)
{
    VK_AUTOFREE(char *) p = vkc_strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            vkc_error_system(errno, "cannot create directory %s", p);
            return -1;
        }
        *s = '/';
    }
    if (mkdir(p, mode) < 0 && errno != EEXIST) {
        vkc_error_system(errno, "cannot create directory %s", p);
        return -1;
    }
    return 0;
}

int vkc_unlink(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        vkc_error_system(errno, "cannot remove %s", path);
        return -1;
    }
    return 0;
}

int vkc_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : (vkc_error_system(errno, "cannot stat %s", path), -1);
    if (!S_ISDIR(st.st_mode))
        return vkc_unlink(path);
    DIR *d = opendir(path);
    if (!d) {
        vkc_error_system(errno, "cannot open directory %s", path);
        return -1;
    }
    int r = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (vkc_streq(e->d_name, ".") || vkc_streq(e->d_name, ".."))
            continue;
        VK_AUTOFREE(char *) sub = vkc_asprintf("%s/%s", path, e->d_name);
        if (vkc_remove_tree(sub) < 0)
            r = -1;
    }
    closedir(d);
    if (rmdir(path) < 0 && errno != ENOENT) {
        vkc_error_system(errno, "cannot remove directory %s", path);
        return -1;
    }
    return r;
}

int vkc_set_nonblock(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    return fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

int vkc_set_cloexec(int fd, int on)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0)
        return -1;
    return fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

/* ------------------------------------------------------------- sockets -- */

/* Fill sa for path. A path longer than sun_path is reached through
 * /proc/self/fd/N/<name>, N an O_PATH fd of its directory (kept in *dirfd
 * until the bind or connect is done). */
static int unix_addr(const char *path, struct sockaddr_un *sa, int *dirfd)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    *dirfd = -1;
    if (strlen(path) < sizeof(sa->sun_path)) {
        memcpy(sa->sun_path, path, strlen(path) + 1);
        return 0;
    }
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) {
        vkc_error(VIRTKIT_ERR_INVALID_ARG, "socket path %s is too long", path);
        return -1;
    }
    VK_AUTOFREE(char *) dir = vkc_strndup(path, (size_t)(slash - path));
    *dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*dirfd < 0) {
        vkc_error_system(errno, "cannot open directory %s", dir);
        return -1;
    }
    int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd,
                     slash + 1);
    if (n < 0 || (size_t)n >= sizeof(sa->sun_path)) {
        close(*dirfd);
        *dirfd = -1;
        vkc_error(VIRTKIT_ERR_INVALID_ARG, "socket name in %s is too long", path);
        return -1;
    }
    return 0;
}

int vkc_unix_listen(const char *path, int backlog)
{
    struct sockaddr_un sa;
    VK_AUTOCLOSE dirfd = -1;
    if (unix_addr(path, &sa, &dirfd) < 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        vkc_error_system(errno, "cannot create a socket for %s", path);
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        close(fd);
        vkc_error_system(e, "cannot listen on %s", path);
        return -1;
    }
    return fd;
}

int vkc_unix_connect(const char *path)
{
    struct sockaddr_un sa;
    VK_AUTOCLOSE dirfd = -1;
    if (unix_addr(path, &sa, &dirfd) < 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        vkc_error_system(errno, "cannot create a socket for %s", path);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        vkc_error_system(e, "cannot connect to %s", path);
        return -1;
    }
    return fd;
}

static int tcp_addr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *len = sizeof(*s4);
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*s6);
        return 0;
    }
    vkc_error(VIRTKIT_ERR_INVALID_ARG, "'%s' is not a numeric IP address", addr);
    return -1;
}

int vkc_tcp_listen(const char *addr, int port, int *port_out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (tcp_addr(addr, port, &ss, &len) < 0)
        return -1;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        vkc_error_system(errno, "cannot create a TCP socket");
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1) < 0) {
        int e = errno;
        close(fd);
        vkc_error_system(e, "cannot listen on %s port %d", addr, port);
        return -1;
    }
    if (port_out) {
        len = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &len);
        *port_out = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                  : ((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return fd;
}

int vkc_tcp_connect(const char *addr, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (tcp_addr(addr, port, &ss, &len) < 0)
        return -1;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        vkc_error_system(errno, "cannot create a TCP socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        close(fd);
        vkc_error_system(e, "cannot connect to %s port %d", addr, port);
        return -1;
    }
    return fd;
}

/* --------------------------------------------------------------- users -- */

int vkc_lookup_user(const char *name, uid_t *uid, gid_t *primary_gid)
{
    char buf[4096];
    struct passwd pw, *res = NULL;
    uint64_t num;
    if (vkc_parse_u64(name, 10, &num) == 0 && num < UINT_MAX) {
        *uid = (uid_t)num;
        if (getpwuid_r(*uid, &pw, buf, sizeof(buf), &res) == 0 && res)
            *primary_gid = res->pw_gid;
        else
            *primary_gid = (gid_t)num;
        return 0;
    }
    if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res) {
        vkc_error(VIRTKIT_ERR_CONF, "user '%s' does not exist on this host", name);
        return -1;
    }
    *uid = res->pw_uid;
    *primary_gid = res->pw_gid;
    return 0;
}

int vkc_lookup_group(const char *name, gid_t *gid)
{
    char buf[4096];
    struct group gr, *res = NULL;
    uint64_t num;
    if (vkc_parse_u64(name, 10, &num) == 0 && num < UINT_MAX) {
        *gid = (gid_t)num;
        return 0;
    }
    if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res) {
        vkc_error(VIRTKIT_ERR_CONF, "group '%s' does not exist on this host", name);
        return -1;
    }
    *gid = res->gr_gid;
    return 0;
}
