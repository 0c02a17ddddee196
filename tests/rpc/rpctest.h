/*
 * rpctest.h: helpers for the tests that run a real virtkitd: start one on
 * a fresh root with a given configuration, stop, kill or restart it, read
 * its log; and a raw protocol client for sending exactly the bytes a test
 * wants (hostile frames included).
 */
#ifndef VK_RPCTEST_H
#define VK_RPCTEST_H

#include <sys/types.h>

#include "protocol.h"
#include "testutil.h"

typedef struct vkt_daemon {
    pid_t pid;
    char *root;
    char *conf;       /* the configuration file written for it */
    char *log;        /* its log file */
    char *rw, *ro;    /* socket paths */
    char *uri;        /* test+unix:///default?socket=RW */
    char *uri_ro;     /* ... the read-only socket */
} vkt_daemon;

/* Start virtkitd (from the build tree) on a new root; conf_text is the
 * body of virtkitd.conf (NULL: empty). extra_args: NULL-terminated, may be
 * NULL. Fails the test if the daemon does not answer within 10 s. With
 * VKT_DAEMON_NOFILE=N in the environment the daemon may open N files. */
vkt_daemon *vkt_daemon_start(const char *conf_text, const char *const *extra_args);
/* Start it again on the same root and configuration. */
void vkt_daemon_restart(vkt_daemon *d);
/* Send a signal; vkt_daemon_wait reaps (returns the exit status, or -1
 * after timeout_ms). */
void vkt_daemon_signal(vkt_daemon *d, int sig);
int vkt_daemon_wait(vkt_daemon *d, int timeout_ms);
/* SIGTERM, wait, remove the root. */
void vkt_daemon_free(vkt_daemon *d);
/* True once the daemon's log contains needle (waits up to timeout_ms). */
bool vkt_daemon_log_has(vkt_daemon *d, const char *needle, int timeout_ms);
/* Replace the configuration file's text. */
void vkt_daemon_set_conf(vkt_daemon *d, const char *conf_text);
/* The daemon's resident memory in kB. */
long vkt_daemon_rss_kb(vkt_daemon *d);

/* ---------------------------------------------------------- raw client */
int vkt_raw_connect(const char *path);
/* Send one frame (body may be NULL). */
void vkt_raw_send(int fd, uint32_t type, uint32_t proc, uint32_t serial, uint32_t status,
                  const ProtobufCMessage *body);
void vkt_raw_write(int fd, const void *data, size_t n);
/* Read one frame: 1 got one (*body malloc'd), 0 the daemon hung up, -1
 * nothing within timeout_ms. */
int vkt_raw_recv(int fd, vk_rpc_header *h, uint8_t **body, int timeout_ms);
/* connect_open on a raw connection; returns the reply's status. */
uint32_t vkt_raw_open(int fd, const char *uri);
/* Receive until the reply to serial; its status; the error body decoded
 * into *err (code) and msg (when not NULL, malloc'd). */
uint32_t vkt_raw_reply(int fd, uint32_t serial, int *code, char **msg);
/* True when the daemon closed fd (reads EOF) within timeout_ms. */
bool vkt_raw_closed(int fd, int timeout_ms);

#endif
