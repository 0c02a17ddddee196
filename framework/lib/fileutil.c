/*
 * fileutil.c: see fileutil.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "error.h"
#include "fileutil.h"

char *vk_file_read(const char *path, size_t max, size_t *len)
{
    VK_AUTOCLOSE fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot open '%s'", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    VK_AUTOFREE(char *) buf = vk_alloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max) {
                vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_CORE,
                             "file '%s' is larger than %zu bytes", path, max);
                return NULL;
            }
            cap *= 2;
            buf = vk_realloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot read '%s'", path);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_CORE,
                     "file '%s' is larger than %zu bytes", path, max);
        return NULL;
    }
    buf[n] = 0;
    if (len)
        *len = n;
    return VK_STEAL(buf);
}

ssize_t vk_write_all(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, (const char *)buf + done, n - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        done += (size_t)r;
    }
    return (ssize_t)done;
}

ssize_t vk_read_full(int fd, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, (char *)buf + done, n - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

int vk_file_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
    VK_AUTOFREE(char *) tmp = vk_asprintf("%s.tmpXXXXXX", path);
    VK_AUTOCLOSE fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot create a temporary file for '%s'",
                        path);
        return -1;
    }
    if (fchmod(fd, mode) < 0 || vk_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot write '%s'", tmp);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot rename '%s' to '%s'", tmp, path);
        unlink(tmp);
        return -1;
    }
    VK_AUTOFREE(char *) dcopy = vk_strdup(path);
    VK_AUTOCLOSE dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        fsync(dfd);
    return 0;
}

int vk_mkdir_p(const char *path, mode_t mode)
{
    VK_AUTOFREE(char *) p = vk_strdup(path);
    size_t len = strlen(p);
    for (size_t i = 1; i <= len; i++) {
        if (p[i] != '/' && p[i] != 0)
            continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot create directory '%s'", p);
            return -1;
        }
        p[i] = c;
    }
    return 0;
}

int vk_remove_tree(const char *path)
{
    if (vk_str_empty(path) || vk_streq(path, "/")) {
        vk_error_invalid_arg("refusing to remove '%s'", path ? path : "");
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (vk_streq(e->d_name, ".") || vk_streq(e->d_name, ".."))
                    continue;
                VK_AUTOFREE(char *) sub = vk_path_join(path, e->d_name);
                vk_remove_tree(sub);
            }
            closedir(d);
        }
        if (rmdir(path) < 0) {
            vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot remove '%s'", path);
            return -1;
        }
        return 0;
    }
    if (unlink(path) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_CORE, "cannot remove '%s'", path);
        return -1;
    }
    return 0;
}

bool vk_file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

int vk_set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, fl);
}

int vk_set_cloexec(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0)
        return -1;
    fl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
    return fcntl(fd, F_SETFD, fl);
}

char *vk_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    while (la > 1 && a[la - 1] == '/')
        la--;
    while (*b == '/')
        b++;
    return vk_asprintf("%.*s/%s", (int)la, a, b);
}
