/*
 * protocol.c: see protocol.h. The procedure table is built here from
 * procedures.def; everything else is encoding and decoding.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include "params.h"
#include "protocol.h"

const char *const vk_acl_object_names[VK_ACL_NOBJECTS] = {
    [VK_ACL_CONNECT] = "connect", [VK_ACL_NODE] = "node",       [VK_ACL_DOMAIN] = "domain",
    [VK_ACL_NETWORK] = "network", [VK_ACL_POOL] = "pool",       [VK_ACL_VOLUME] = "volume",
    [VK_ACL_NODEDEV] = "nodedev",
};

const char *const vk_acl_op_names[VK_ACL_NOPS] = {
    [VK_ACL_OPEN] = "open",       [VK_ACL_READ] = "read",       [VK_ACL_READ_SECURE] = "read_secure",
    [VK_ACL_WRITE] = "write",     [VK_ACL_START] = "start",     [VK_ACL_STOP] = "stop",
    [VK_ACL_SAVE] = "save",       [VK_ACL_MIGRATE] = "migrate", [VK_ACL_CONSOLE] = "console",
    [VK_ACL_UPLOAD] = "upload",   [VK_ACL_DOWNLOAD] = "download",
};

const vk_rpc_proc vk_rpc_procs[] = {
#define VK_PROC(num, nm, a, r, obj, o, fl)                                              \
    [num] = { .number = num,                                                            \
              .name = #nm,                                                              \
              .args = &vk_##a##__descriptor,                                            \
              .ret = &vk_##r##__descriptor,                                             \
              .object = VK_ACL_##obj,                                                   \
              .op = VK_ACL_##o,                                                         \
              .flags = (fl) },
#include "procedures.def"
#undef VK_PROC
};
const size_t vk_rpc_nprocs = VK_ARRAY_LEN(vk_rpc_procs);

const vk_rpc_proc *vk_rpc_proc_get(uint32_t number)
{
    if (number >= vk_rpc_nprocs || vk_rpc_procs[number].number != number || number == 0)
        return NULL;
    return &vk_rpc_procs[number];
}

const vk_rpc_proc *vk_rpc_proc_by_name(const char *name)
{
    for (size_t i = 1; i < vk_rpc_nprocs; i++)
        if (vk_rpc_procs[i].number && vk_streq(vk_rpc_procs[i].name, name))
            return &vk_rpc_procs[i];
    return NULL;
}

/* ------------------------------------------------------------- header -- */

static void put32(uint8_t *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

void vk_rpc_header_encode(const vk_rpc_header *h, uint8_t out[VK_RPC_HEADER_SIZE])
{
    put32(out, h->len);
    put32(out + 4, VK_RPC_PROGRAM);
    put32(out + 8, ((uint32_t)VK_RPC_VERSION << 16) | h->type);
    put32(out + 12, h->proc);
    put32(out + 16, h->serial);
    put32(out + 20, h->status);
}

int vk_rpc_header_decode(const uint8_t in[VK_RPC_HEADER_SIZE], uint32_t max_message,
                         vk_rpc_header *h)
{
    h->len = get32(in);
    h->program = get32(in + 4);
    uint32_t vt = get32(in + 8);
    h->version = (uint16_t)(vt >> 16);
    h->type = (uint16_t)(vt & 0xffff);
    h->proc = get32(in + 12);
    h->serial = get32(in + 16);
    h->status = get32(in + 20);
    if (h->program != VK_RPC_PROGRAM) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC,
                     "frame has program 0x%08x, not virtkit's 0x%08x (is the peer a virtkit "
                     "daemon or client?)", h->program, VK_RPC_PROGRAM);
        return -1;
    }
    if (h->version != VK_RPC_VERSION) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC,
                     "frame has protocol version %u, this side speaks %u", h->version,
                     VK_RPC_VERSION);
        return -1;
    }
    if (h->type > VK_RPC_TYPE_MAX) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC, "frame has unknown type %u", h->type);
        return -1;
    }
    if (h->len < VK_RPC_HEADER_SIZE) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC,
                     "frame length %u is shorter than the %u-byte header", h->len,
                     VK_RPC_HEADER_SIZE);
        return -1;
    }
    if (h->len > max_message) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC,
                     "frame length %u exceeds the message size limit of %u bytes", h->len,
                     max_message);
        return -1;
    }
    if (h->status > VK_RPC_CONTINUE) {
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC, "frame has unknown status %u",
                     h->status);
        return -1;
    }
    return 0;
}

/* -------------------------------------------------------------- arena -- */

typedef struct arena_block {
    struct arena_block *next;
    max_align_t data[];
} arena_block;

void *vk_arena_alloc(vk_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if ((size_t)(a->end - a->cur) >= n) {
        void *p = a->cur;
        a->cur += n;
        return p;
    }
    /* Big requests get a block of their own; small ones start a new 4 KiB
     * block so a long message costs few mallocs. */
    size_t bsize = n > 2048 ? n : 4096;
    arena_block *b = vk_alloc(sizeof(*b) + bsize);
    b->next = a->blocks;
    a->blocks = b;
    char *base = (char *)b->data;
    if (n > 2048)
        return base;
    a->cur = base + n;
    a->end = base + bsize;
    return base;
}

static void *arena_pb_alloc(void *opaque, size_t n)
{
    return vk_arena_alloc(opaque, n);
}

static void arena_pb_free(void *opaque, void *p)
{
}

void vk_arena_init(vk_arena *a, void *buf, size_t size)
{
    a->alloc.alloc = arena_pb_alloc;
    a->alloc.free = arena_pb_free;
    a->alloc.allocator_data = a;
    a->cur = buf;
    a->end = (char *)buf + size;
    a->blocks = NULL;
}

void vk_arena_release(vk_arena *a)
{
    arena_block *b = a->blocks;
    while (b) {
        arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->blocks = NULL;
}

/* ------------------------------------------------------------- frames -- */

uint8_t *vk_rpc_frame_new(vk_rpc_header *h, const ProtobufCMessage *body, size_t *len)
{
    size_t n = body ? protobuf_c_message_get_packed_size(body) : 0;
    uint8_t *buf = vk_alloc(VK_RPC_HEADER_SIZE + n);
    if (body)
        protobuf_c_message_pack(body, buf + VK_RPC_HEADER_SIZE);
    h->len = (uint32_t)(VK_RPC_HEADER_SIZE + n);
    vk_rpc_header_encode(h, buf);
    *len = h->len;
    return buf;
}

uint8_t *vk_rpc_frame_new_raw(vk_rpc_header *h, const void *data, size_t n, size_t *len)
{
    uint8_t *buf = vk_alloc(VK_RPC_HEADER_SIZE + n);
    if (n)
        memcpy(buf + VK_RPC_HEADER_SIZE, data, n);
    h->len = (uint32_t)(VK_RPC_HEADER_SIZE + n);
    vk_rpc_header_encode(h, buf);
    *len = h->len;
    return buf;
}

uint8_t *vk_rpc_frame_error(vk_rpc_header *h, size_t *len)
{
    const virtkit_error *e = virtkit_error_last();
    VkError w = VK_ERROR__INIT;
    if (e && e->code) {
        w.code = e->code;
        w.subsystem = e->subsystem;
        w.message = (char *)e->message;
    } else {
        w.code = VIRTKIT_ERR_INTERNAL;
        w.subsystem = VIRTKIT_SUB_DAEMON;
        w.message = (char *)"the daemon failed without saying why";
    }
    h->status = VK_RPC_ERROR;
    return vk_rpc_frame_new(h, &w.base, len);
}

ProtobufCMessage *vk_rpc_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *body,
                                size_t len, vk_arena *a, const char *what)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(d, &a->alloc, len, body);
    if (!m)
        vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC,
                     "%s: malformed body (%zu bytes are not a valid %s message)", what, len,
                     d->short_name);
    return m;
}

void vk_rpc_error_raise(const VkError *e)
{
    vk_error_set_raw(e->code, e->subsystem, e->message ? e->message : "(no message)");
}

/* -------------------------------------------------------- conversions -- */

void vk_rpc_ref_to_wire(const vkp_ref *r, VkRef *w)
{
    w->name = r->name;
    w->has_uuid = 1;
    w->uuid.data = (uint8_t *)r->uuid;
    w->uuid.len = 16;
    w->has_id = 1;
    w->id = r->id;
}

int vk_rpc_ref_from_wire(const VkRef *w, vkp_ref *r)
{
    memset(r, 0, sizeof(*r));
    r->id = w->has_id ? w->id : -1;
    if (w->has_uuid) {
        if (w->uuid.len != 16) {
            vk_error_set(VIRTKIT_ERR_RPC, VIRTKIT_SUB_RPC,
                         "object reference has a %zu-byte uuid, not 16", w->uuid.len);
            return -1;
        }
        memcpy(r->uuid, w->uuid.data, 16);
    }
    r->name = vk_strdup(w->name);
    return 0;
}

void vk_rpc_volref_to_wire(const vkp_volref *r, VkVolRef *w)
{
    w->pool = r->pool;
    w->name = r->name;
    w->key = r->key;
}

void vk_rpc_volref_from_wire(const VkVolRef *w, vkp_volref *r)
{
    r->pool = vk_strdup(w->pool);
    r->name = vk_strdup(w->name);
    r->key = vk_strdup(w->key);
}

void vk_rpc_params_to_wire(const virtkit_params *p, VkParams *w, vk_arena *a)
{
    size_t n = p ? p->n : 0;
    w->n_items = n;
    w->items = n ? vk_arena_alloc(a, n * sizeof(VkParam *)) : NULL;
    for (size_t i = 0; i < n; i++) {
        const vk_param *s = &p->items[i];
        VkParam *e = vk_arena_alloc(a, sizeof(*e));
        vk_param__init(e);
        e->name = s->name;
        e->type = s->type;
        switch (s->type) {
        case VIRTKIT_PARAM_INT: e->has_i = 1; e->i = s->v.i; break;
        case VIRTKIT_PARAM_LLONG: e->has_i = 1; e->i = s->v.l; break;
        case VIRTKIT_PARAM_BOOLEAN: e->has_i = 1; e->i = s->v.b; break;
        case VIRTKIT_PARAM_UINT: e->has_u = 1; e->u = s->v.ui; break;
        case VIRTKIT_PARAM_ULLONG: e->has_u = 1; e->u = s->v.ul; break;
        case VIRTKIT_PARAM_DOUBLE: e->has_d = 1; e->d = s->v.d; break;
        case VIRTKIT_PARAM_STRING: e->s = s->v.s; break;
        }
        w->items[i] = e;
    }
}

/* Unknown types from a newer peer are skipped rather than failing the
 * whole list: the caller still gets every parameter it can represent. */
virtkit_params *vk_rpc_params_from_wire(const VkParams *w)
{
    virtkit_params *p = virtkit_params_new();
    for (size_t i = 0; w && i < w->n_items; i++) {
        const VkParam *e = w->items[i];
        switch (e->type) {
        case VIRTKIT_PARAM_INT: virtkit_params_add_int(p, e->name, (int)e->i); break;
        case VIRTKIT_PARAM_LLONG: virtkit_params_add_llong(p, e->name, e->i); break;
        case VIRTKIT_PARAM_BOOLEAN: virtkit_params_add_bool(p, e->name, (int)e->i); break;
        case VIRTKIT_PARAM_UINT: virtkit_params_add_uint(p, e->name, (unsigned int)e->u); break;
        case VIRTKIT_PARAM_ULLONG: virtkit_params_add_ullong(p, e->name, e->u); break;
        case VIRTKIT_PARAM_DOUBLE: virtkit_params_add_double(p, e->name, e->d); break;
        case VIRTKIT_PARAM_STRING:
            virtkit_params_add_string(p, e->name, e->s ? e->s : "");
            break;
        }
    }
    virtkit_error_clear();
    return p;
}
