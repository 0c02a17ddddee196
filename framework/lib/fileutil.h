/*
 * fileutil.h: reading and writing whole files, atomic replacement,
 * directory creation, fd helpers.
 */
#ifndef VK_FILEUTIL_H
#define VK_FILEUTIL_H

#include <sys/types.h>

#include "util.h"

/* Read a whole file (up to max bytes; error when larger). NUL-terminated;
 * *len (optional) gets the size. NULL with VIRTKIT_ERR_SYSTEM on failure. */
char *vk_file_read(const char *path, size_t max, size_t *len);
/* Write via <path>.tmpXXXXXX, fsync, rename, fsync the directory. */
int vk_file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* mkdir -p with mode for the created components. */
int vk_mkdir_p(const char *path, mode_t mode);
/* rm -rf (refuses "/" and empty paths). */
int vk_remove_tree(const char *path);
bool vk_file_exists(const char *path);
/* Full write/read loops that retry EINTR and short transfers. */
ssize_t vk_write_all(int fd, const void *buf, size_t n);
ssize_t vk_read_full(int fd, void *buf, size_t n);
int vk_set_nonblock(int fd, bool on);
int vk_set_cloexec(int fd, bool on);
/* Join two path components with one '/'. Caller frees. */
char *vk_path_join(const char *a, const char *b);

#endif
