/*
 * protocol.h: virtkit's wire protocol, shared by the client (the remote
 * driver) and the server (virtkitd): frame header, the procedure table,
 * body encoding with protobuf-c, and conversions between wire messages and
 * the core's types.
 *
 * A frame is a 24-byte header followed by a body:
 *
 *   0  u32 length     whole frame, header included (checked against the
 *                     peer's message limit BEFORE anything is allocated)
 *   4  u32 program    VK_RPC_PROGRAM
 *   8  u16 version    VK_RPC_VERSION
 *  10  u16 type       call, reply, event, stream, keepalive, notice
 *  12  u32 procedure  procedures.def (keepalive: PING/PONG)
 *  16  u32 serial     chosen by the caller; replies and stream frames
 *                     carry the serial of the call they belong to
 *  20  u32 status     OK, ERROR (body is VkError), CONTINUE (stream data)
 *
 * All integers are big-endian. Bodies are protobuf messages (the table
 * names them), except stream data, which is raw bytes.
 */
#ifndef VK_RPC_PROTOCOL_H
#define VK_RPC_PROTOCOL_H

#include <protobuf-c/protobuf-c.h>

#include "core.h"
#include "protocol.pb-c.h"

#define VK_RPC_PROGRAM 0x564b5250u /* "VKRP" */
#define VK_RPC_VERSION 1
#define VK_RPC_HEADER_SIZE 24
/* Default and bounds of the message size limit (header included). */
#define VK_RPC_DEFAULT_MAX_MESSAGE (16u * 1024 * 1024)
#define VK_RPC_MIN_MAX_MESSAGE (64u * 1024)
#define VK_RPC_MAX_MAX_MESSAGE (256u * 1024 * 1024)
/* Stream data travels in frames of at most this many bytes of payload. */
#define VK_RPC_STREAM_CHUNK (256u * 1024)
/* TLS port, like libvirt's. */
#define VK_RPC_TLS_PORT 16514

typedef enum {
    VK_RPC_CALL = 0,
    VK_RPC_REPLY = 1,
    VK_RPC_EVENT = 2,
    VK_RPC_STREAM = 3,
    VK_RPC_KEEPALIVE = 4,
    VK_RPC_NOTICE = 5,      /* an error the daemon sends before it hangs up */
    VK_RPC_TYPE_MAX = 5,
} vk_rpc_type;

typedef enum {
    VK_RPC_OK = 0,
    VK_RPC_ERROR = 1,
    VK_RPC_CONTINUE = 2,
} vk_rpc_status;

/* Procedures of KEEPALIVE frames (their own number space). */
enum { VK_RPC_PING = 1, VK_RPC_PONG = 2 };

typedef struct vk_rpc_header {
    uint32_t len;
    uint32_t program;
    uint16_t version;
    uint16_t type;
    uint32_t proc;
    uint32_t serial;
    uint32_t status;
} vk_rpc_header;

void vk_rpc_header_encode(const vk_rpc_header *h, uint8_t out[VK_RPC_HEADER_SIZE]);
/* Decode and validate a header: program, version, type, and
 * VK_RPC_HEADER_SIZE <= length <= max_message. -1 with VIRTKIT_ERR_RPC
 * naming the fault. */
int vk_rpc_header_decode(const uint8_t in[VK_RPC_HEADER_SIZE], uint32_t max_message,
                         vk_rpc_header *h);

/* ------------------------------------------------------ access checks -- */
typedef enum {
    VK_ACL_CONNECT = 0,
    VK_ACL_NODE,
    VK_ACL_DOMAIN,
    VK_ACL_NETWORK,
    VK_ACL_POOL,
    VK_ACL_VOLUME,
    VK_ACL_NODEDEV,
    VK_ACL_NOBJECTS,
} vk_acl_object;

typedef enum {
    VK_ACL_OPEN = 0,
    VK_ACL_READ,
    VK_ACL_READ_SECURE,
    VK_ACL_WRITE,
    VK_ACL_START,
    VK_ACL_STOP,
    VK_ACL_SAVE,
    VK_ACL_MIGRATE,
    VK_ACL_CONSOLE,
    VK_ACL_UPLOAD,
    VK_ACL_DOWNLOAD,
    VK_ACL_NOPS,
} vk_acl_op;

extern const char *const vk_acl_object_names[VK_ACL_NOBJECTS];
extern const char *const vk_acl_op_names[VK_ACL_NOPS];

/* ------------------------------------------------------ the procedures -- */
#define VK_PROC_RO (1u << 0)
#define VK_PROC_PRIO (1u << 1)
#define VK_PROC_STREAM (1u << 2)
#define VK_PROC_EVENT (1u << 3)

enum {
#define VK_PROC(num, name, args, ret, obj, op, flags) VK_PROC_##name = num,
#include "procedures.def"
#undef VK_PROC
};

typedef struct vk_rpc_proc {
    uint32_t number;            /* 0: no procedure has this number */
    const char *name;
    const ProtobufCMessageDescriptor *args;
    const ProtobufCMessageDescriptor *ret;
    uint8_t object;             /* vk_acl_object */
    uint8_t op;                 /* vk_acl_op */
    uint16_t flags;             /* VK_PROC_* */
} vk_rpc_proc;

/* Indexed by number; slots without a procedure have number 0. */
extern const vk_rpc_proc vk_rpc_procs[];
extern const size_t vk_rpc_nprocs;
/* The row of a procedure number, or NULL when unknown. */
const vk_rpc_proc *vk_rpc_proc_get(uint32_t number);
const vk_rpc_proc *vk_rpc_proc_by_name(const char *name);

/* ------------------------------------------------------------- arenas --
 * Unpacked messages are allocated from an arena (a caller's stack buffer,
 * then malloc'd blocks) and released all at once: no per-field free. */
typedef struct vk_arena {
    ProtobufCAllocator alloc;   /* hand &arena->alloc to protobuf-c */
    char *cur, *end;
    void *blocks;               /* malloc'd overflow blocks, chained */
} vk_arena;

void vk_arena_init(vk_arena *a, void *buf, size_t size);
void vk_arena_release(vk_arena *a);
#define VK_ARENA_STACK(name, size)                                                     \
    char name##_buf_[size] __attribute__((aligned(16)));                               \
    __attribute__((cleanup(vk_arena_release))) vk_arena name;                          \
    vk_arena_init(&name, name##_buf_, sizeof(name##_buf_))

/* --------------------------------------------------------- frames -- */
/* A whole frame, header and packed body (body may be NULL: empty), in one
 * malloc'd buffer; *len gets its size. h->len is filled in. */
uint8_t *vk_rpc_frame_new(vk_rpc_header *h, const ProtobufCMessage *body, size_t *len);
/* A frame whose body is raw bytes (stream data). */
uint8_t *vk_rpc_frame_new_raw(vk_rpc_header *h, const void *data, size_t n, size_t *len);
/* An ERROR frame carrying the calling thread's current error (or, when
 * none is set, an internal error saying so). */
uint8_t *vk_rpc_frame_error(vk_rpc_header *h, size_t *len);
/* Unpack a body as message d; NULL with VIRTKIT_ERR_RPC naming the
 * procedure when the bytes are not a valid d. */
ProtobufCMessage *vk_rpc_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *body,
                                size_t len, vk_arena *a, const char *what);
/* Raise a wire error as this thread's error. */
void vk_rpc_error_raise(const VkError *e);

/* ---------------------------------------------------- conversions -- */
/* Wire <-> core. Outputs that the core owns are malloc'd; wire messages
 * built from core values point into them (no copies) and live as long as
 * the values. */
void vk_rpc_ref_to_wire(const vkp_ref *r, VkRef *w);
int vk_rpc_ref_from_wire(const VkRef *w, vkp_ref *r);  /* copies name */
void vk_rpc_volref_to_wire(const vkp_volref *r, VkVolRef *w);
void vk_rpc_volref_from_wire(const VkVolRef *w, vkp_volref *r);
/* params -> wire: entries are allocated from arena a. */
void vk_rpc_params_to_wire(const virtkit_params *p, VkParams *w, vk_arena *a);
virtkit_params *vk_rpc_params_from_wire(const VkParams *w);
/* Allocate n bytes from an arena (never NULL). */
void *vk_arena_alloc(vk_arena *a, size_t n);

#endif
