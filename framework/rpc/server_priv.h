/*
 * server_priv.h: the server's internals shared by server.c (I/O thread,
 * workers, clients), server_procs.c (the procedure handlers), and
 * server_stream.c (streams).
 *
 * Client lifetime: a client is referenced by the I/O thread while
 * connected, by each queued or running call, by each event subscription
 * and by each stream. Hanging up (I/O thread only) drops the first; the
 * in-process connection is closed when the last reference goes, so no
 * call ever runs on a closed connection.
 */
#ifndef VK_RPC_SERVER_PRIV_H
#define VK_RPC_SERVER_PRIV_H

#include <semaphore.h>

#include "evlog.h"
#include "server.h"

typedef struct srv_out {
    struct srv_out *next;
    size_t len, off;
    uint8_t *data;
} srv_out;

typedef enum {
    CL_UNIX_RW = 0,
    CL_UNIX_RO = 1,
    CL_TLS = 2,
} cl_kind;

typedef struct srv_stream srv_stream;
typedef struct srv_client srv_client;

struct srv_client {
    int refs;
    uint64_t id;
    vk_server *srv;
    pthread_mutex_t lock;          /* everything below marked (L) */
    pthread_mutex_t ev_lock;       /* orders event frames (replay vs live) */
    vk_rpc_sock sock;
    cl_kind kind;
    bool readonly;
    char *desc;                    /* who, for logs: "uid 0 pid 42" */
    vk_identity ident;
    char *user, *dn;
    gid_t *groups;
    /* (L) */
    bool closed;                   /* hung up */
    bool broken;                   /* a writer failed: the I/O thread hangs up */
    char *broken_why;
    bool open;                     /* CONNECT_OPEN succeeded (atomic) */
    bool keepalive_ok;
    virtkit_connect *conn;
    char *key;                     /* the driver URI, for the event backlog */
    uint64_t resume_from;
    bool resuming;
    uint32_t ev_wanted;            /* event kinds sent (bits, ev_lock) */
    uint64_t last_seq;             /* last event number stamped (ev_lock) */
    int nodedev_cb;                /* keeps the uevent monitor on, or -1 */
    srv_out *out_head, *out_tail;
    size_t out_bytes;
    uint32_t ep_events;            /* current epoll interest */
    unsigned int inflight, inflight_prio;   /* atomic */
    srv_stream *streams;
    /* I/O thread only */
    bool handshaking;
    uint8_t *in;
    size_t in_start, in_len, in_cap;
    int64_t accepted_ms, last_rx_ms, last_ping_ms;
    unsigned int ka_missed;
    srv_client *next, *prev;       /* server list, under srv->lock */
};

typedef struct srv_listener {
    int fd;
    cl_kind kind;
    vk_tls_ctx *tls;
    size_t index;
    bool paused;                   /* out of descriptors: retried each tick */
} srv_listener;

typedef struct srv_job {
    struct srv_job *next;
    srv_client *cl;
    vk_rpc_header h;
    const vk_rpc_proc *proc;
    size_t blen;
    uint8_t body[];
} srv_job;

struct vk_server {
    pthread_mutex_t lock;          /* cfg, clients list */
    vk_server_config cfg;          /* own copies of the strings */
    pthread_rwlock_t acl_lock;     /* cfg.access and dn_list */
    char **dn_list;
    /* Settings every call reads: atomics, so calls never queue on a lock
     * for them (written by reload). */
    unsigned int hot_max_message, hot_max_requests, hot_prio_limit, hot_delay_ms;
    const vk_rpc_proc *hot_delay;
    int ep;
    int wake_fd;
    uint8_t rbuf[64 * 1024];       /* the I/O thread's read buffer */
    srv_listener *listeners;
    size_t nlisteners;
    pthread_t io_thread;
    bool started;
    volatile bool stopping;
    /* jobs */
    pthread_mutex_t qlock;
    srv_job *q_head, *q_tail, *qp_head, *qp_tail;
    /* Idle workers, last in first out: the thread woken is the one whose
     * stack and cache are warmest. */
    struct srv_worker *idle, *idle_prio;
    struct srv_worker *workers;
    unsigned int nworkers;
    unsigned int running;          /* workers still in their loop */
    /* clients */
    srv_client *clients;
    unsigned int nclients;
    uint64_t next_id;
    vk_evlog *evlog;
    struct srv_hub *hubs;          /* under lock */
};

/* A call being run by a worker. */
typedef struct srv_call {
    srv_client *cl;
    virtkit_connect *conn;
    const vk_rpc_header *h;
    vk_arena *a;
    struct srv_deferred *defers;
    srv_stream *stream;            /* a stream to start after the reply */
} srv_call;

typedef int (*srv_handler)(srv_call *c, const ProtobufCMessage *args, ProtobufCMessage **ret);
extern const srv_handler vk_srv_handlers[];
extern const size_t vk_srv_nhandlers;

/* Run fn(p) once the reply is on its way (after packing). */
void srv_defer(srv_call *c, void (*fn)(void *), void *p);

void srv_client_ref(srv_client *cl);
void srv_client_unref(srv_client *cl);
/* Queue (or write at once) a whole frame; takes buf. Never blocks. */
void srv_client_send(srv_client *cl, uint8_t *buf, size_t len);
/* The same for frames the client did not ask for (events): a client that
 * lets too many of them pile up is disconnected. */
void srv_client_send_ex(srv_client *cl, uint8_t *buf, size_t len, bool unsolicited);
/* Ask the I/O thread to hang up (any thread). */
void srv_client_kill(srv_client *cl, const char *why);
/* The settings in force (copied under the server lock). */
unsigned int srv_max_message(vk_server *s);
/* Access check of a call; -1 with OPERATION_DENIED (and a log line). */
int srv_check_access(srv_client *cl, const vk_rpc_proc *p, vk_acl_object obj, vk_acl_op op,
                     const char *objname);

/* server_procs.c */
int srv_open_connection(srv_call *c, const VkOpenArgs *a, VkOpenRet *ret);

/* server_events.c */
int srv_event_register(srv_call *c, const ProtobufCMessage *args, ProtobufCMessage **ret);
int srv_event_deregister(srv_call *c, const ProtobufCMessage *args, ProtobufCMessage **ret);
/* Forward the client connection's events (after open) / stop (free). */
void srv_events_attach(srv_client *cl);
void srv_events_detach(srv_client *cl);
/* The client is gone: send it no more events. */
void srv_events_drop(srv_client *cl);
/* Keep recording the events of driver URI key (idempotent). */
void srv_hub_ensure(vk_server *s, const char *key);
void srv_hubs_free(vk_server *s);

/* server_stream.c */
srv_stream *srv_stream_new(srv_client *cl, uint32_t proc, uint32_t serial, virtkit_stream *st,
                           bool readable, bool writable);
void srv_stream_start(srv_stream *ss);
/* The reply could not be sent: forget the stream. */
void srv_stream_cancel(srv_stream *ss);
/* A STREAM frame from the client (I/O thread). */
void srv_stream_frame(srv_client *cl, const vk_rpc_header *h, const uint8_t *body, size_t len);
/* Output drained: resume streams paused for backpressure. */
void srv_streams_resume(srv_client *cl);
/* The client is gone: abort every stream. */
void srv_streams_drop(srv_client *cl);

/* Output above this many bytes: stop reading the client (and pause its
 * streams) until it drains. Events queued above OUT_KILL disconnect it. */
#define SRV_OUT_HIGH ((size_t)1 << 20)
#define SRV_OUT_KILL (SRV_OUT_HIGH + ((size_t)16 << 20))

#endif
