/*
 * fuzz_rpc.c: libFuzzer target for the wire protocol's decoders: the
 * input is a byte stream as it would arrive on a socket. Frames are cut
 * and their headers checked exactly as the daemon and the client do
 * (length checked against the limit before anything else), and each body
 * is decoded as the procedure table says: the call's arguments (daemon
 * side), its reply, an error, an event (client side); decoded references,
 * parameter lists and events are converted to the core's types as the
 * handlers and the remote driver do.
 *
 *   configure CC=clang --enable-fuzzing && make tests/fuzz/fuzz_rpc
 *   ./tests/fuzz/fuzz_rpc -max_total_time=60 -max_len=65536 CORPUS_DIR
 */
#include "config.h"

#include <stdlib.h>

#include "params.h"
#include "protocol.h"

#define FUZZ_MAX_MESSAGE (1u << 20)

static void convert(const ProtobufCMessage *m)
{
    if (!m)
        return;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (d == &vk_ref__descriptor) {
        vkp_ref r;
        if (vk_rpc_ref_from_wire((const VkRef *)m, &r) == 0)
            free(r.name);
    } else if (d == &vk_vol_ref__descriptor) {
        vkp_volref r = { 0 };
        vk_rpc_volref_from_wire((const VkVolRef *)m, &r);
        free(r.pool);
        free(r.name);
        free(r.key);
    } else if (d == &vk_params__descriptor) {
        virtkit_params_free(vk_rpc_params_from_wire((const VkParams *)m));
    } else if (d == &vk_error__descriptor) {
        vk_rpc_error_raise((const VkError *)m);
    }
    /* Walk sub-messages (references inside arguments, lists of them). */
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(const void *)((const char *)m + f->quantifier_offset);
            ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)(const void *)base;
            for (size_t k = 0; k < n; k++)
                convert(v[k]);
        } else {
            convert(*(const ProtobufCMessage *const *)(const void *)base);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (size - off >= VK_RPC_HEADER_SIZE) {
        vk_rpc_header h;
        if (vk_rpc_header_decode(data + off, FUZZ_MAX_MESSAGE, &h) < 0)
            break;
        if (size - off < h.len)
            break;
        const uint8_t *body = data + off + VK_RPC_HEADER_SIZE;
        size_t n = h.len - VK_RPC_HEADER_SIZE;
        VK_ARENA_STACK(a, 2048);
        const vk_rpc_proc *p = vk_rpc_proc_get(h.proc);
        if (h.status == VK_RPC_ERROR || h.type == VK_RPC_NOTICE) {
            convert(vk_rpc_unpack(&vk_error__descriptor, body, n, &a, "error"));
        } else if (h.type == VK_RPC_EVENT) {
            const VkEvent *e = (const VkEvent *)vk_rpc_unpack(&vk_event__descriptor, body, n, &a,
                                                              "event");
            if (e)
                convert(&e->obj->base);
        } else if (p && h.type == VK_RPC_CALL) {
            convert(vk_rpc_unpack(p->args, body, n, &a, p->name));
        } else if (p && h.type == VK_RPC_REPLY) {
            convert(vk_rpc_unpack(p->ret, body, n, &a, p->name));
        }
        virtkit_error_clear();
        off += h.len;
    }
    virtkit_error_clear();
    return 0;
}
