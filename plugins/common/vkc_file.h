/*
 * vkc_file.h: file and socket helpers for plugins: whole-file reads,
 * runtime files written by rename, directory trees and UNIX sockets whose
 * paths may exceed sun_path (reached through an O_PATH directory fd).
 * Every function returns 0 / a pointer / an fd, or -1 / NULL with an
 * error set that names the path.
 */
#ifndef VKC_FILE_H
#define VKC_FILE_H

#include <sys/types.h>

#include "vkc.h"

/* Read a whole file (at most max bytes; larger is an error). *len may be
 * NULL. The result is NUL-terminated. */
char *vkc_file_read(const char *path, size_t max, size_t *len);
/* 1 when path exists (any type), 0 when not. */
int vkc_file_exists(const char *path);
/* Write data to path through path.tmp + rename, without fsync: for runtime
 * files whose loss at a crash is harmless (status files under the run
 * dir). Persistent files go through host->write_file_atomic. */
int vkc_file_write_replace(const char *path, const char *data, size_t len, mode_t mode);
int vkc_mkdir_p(const char *path, mode_t mode);
/* Remove path and everything below it; a missing path is not an error. */
int vkc_remove_tree(const char *path);
/* unlink() that ignores ENOENT. */
int vkc_unlink(const char *path);
/* write()/read() the whole buffer, retrying on EINTR and short counts. */
int vkc_write_all(int fd, const void *buf, size_t len);
ssize_t vkc_read_full(int fd, void *buf, size_t len);
int vkc_set_nonblock(int fd, int on);
int vkc_set_cloexec(int fd, int on);

/* UNIX stream sockets. listen binds path (removing a stale socket first);
 * connect returns a connected socket. Both close-on-exec. */
int vkc_unix_listen(const char *path, int backlog);
int vkc_unix_connect(const char *path);
/* TCP on a numeric address; port 0 picks a free one (*port_out gets it). */
int vkc_tcp_listen(const char *addr, int port, int *port_out);
int vkc_tcp_connect(const char *addr, int port);

/* Resolve a user and a group name (or numeric id) to ids. */
int vkc_lookup_user(const char *name, uid_t *uid, gid_t *primary_gid);
int vkc_lookup_group(const char *name, gid_t *gid);

#endif
