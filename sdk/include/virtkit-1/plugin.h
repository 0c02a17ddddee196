/*
 * virtkit-1/plugin.h: what every virtkit plugin includes first.
 *
 * A plugin is a shared object with exactly one exported symbol,
 * virtkit_plugin_entry_v1, emitted by VIRTKIT_PLUGIN_DEFINE. The core calls
 * it with its table of services (host.h), receives the descriptor below and
 * checks it before calling init:
 *   - magic == VIRTKIT_PLUGIN_MAGIC
 *   - abi_major == the core's major; abi_minor <= the core's minor
 *   - struct_size: a shorter descriptor is zero-extended, a longer one must
 *     have an all-zero tail
 *   - name equals the file name without ".so"
 * Plugins never link against libvirtkit; everything comes through `host`.
 *
 * ABI promise: within major 1, structs in the SDK only grow at their tail
 * and every table starts with its size. A NULL or absent op means "not
 * supported": callers get VIRTKIT_ERR_NO_SUPPORT, never a crash.
 */
#ifndef VIRTKIT1_PLUGIN_H
#define VIRTKIT1_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTKIT_PLUGIN_MAGIC 0x564b504cu /* "VKPL" */
#define VIRTKIT_PLUGIN_ABI_MAJOR 1
#define VIRTKIT_PLUGIN_ABI_MINOR 1

typedef enum {
    VKP_KIND_HYPERVISOR = 1 << 0,
    VKP_KIND_STORAGE = 1 << 1,
    VKP_KIND_NETWORK = 1 << 2,
} vkp_kind;

typedef struct vkp_host vkp_host;
typedef struct vkp_hypervisor_ops vkp_hypervisor_ops;
typedef struct vkp_storage_ops vkp_storage_ops;
typedef struct vkp_network_ops vkp_network_ops;

typedef struct vkp_descriptor {
    uint32_t struct_size;       /* sizeof(vkp_descriptor) when built */
    uint32_t magic;             /* VIRTKIT_PLUGIN_MAGIC */
    uint32_t abi_major;         /* VIRTKIT_PLUGIN_ABI_MAJOR when built */
    uint32_t abi_minor;         /* VIRTKIT_PLUGIN_ABI_MINOR when built */
    const char *name;           /* must equal the file name without .so */
    const char *version;        /* the plugin's own version, free form */
    const char *license;        /* SPDX identifier */
    const char *description;    /* one line */
    uint32_t kinds;             /* vkp_kind bits */
    /* URI schemes served ("qemu", NULL-terminated); hypervisor kind only. */
    const char *const *schemes;
    /* Called once, after the checks, with the core's own ABI minor; a
     * plugin built against a newer minor never gets here. Returns 0, or -1
     * with an error set through host->error. */
    int (*init)(const vkp_host *host, unsigned int core_abi_minor);
    /* Called at process exit (plugins are never unloaded). May be NULL. */
    void (*fini)(void);
    const vkp_hypervisor_ops *hypervisor;
    const vkp_storage_ops *storage;
    const vkp_network_ops *network;
} vkp_descriptor;

typedef int (*vkp_entry_fn)(const vkp_host *host, const vkp_descriptor **desc);
#define VIRTKIT_PLUGIN_ENTRY_SYMBOL "virtkit_plugin_entry_v1"

/* Defines the plugin's descriptor and its entry point. Arguments are
 * designated initialisers of vkp_descriptor:
 *
 *   VIRTKIT_PLUGIN_DEFINE(.name = "example", .version = "1.0",
 *                         .license = "MIT", .kinds = VKP_KIND_HYPERVISOR,
 *                         .schemes = example_schemes, .init = example_init,
 *                         .hypervisor = &example_ops)
 */
#define VIRTKIT_PLUGIN_DEFINE(...)                                                   \
    static const vkp_descriptor vkp_plugin_descriptor_ = {                           \
        .struct_size = sizeof(vkp_descriptor),                                       \
        .magic = VIRTKIT_PLUGIN_MAGIC,                                               \
        .abi_major = VIRTKIT_PLUGIN_ABI_MAJOR,                                       \
        .abi_minor = VIRTKIT_PLUGIN_ABI_MINOR,                                       \
        __VA_ARGS__};                                                                \
    int virtkit_plugin_entry_v1(const vkp_host *host, const vkp_descriptor **desc);  \
    __attribute__((visibility("default"))) int virtkit_plugin_entry_v1(              \
        const vkp_host *host, const vkp_descriptor **desc)                           \
    {                                                                                \
        (void)host;                                                                  \
        *desc = &vkp_plugin_descriptor_;                                             \
        return 0;                                                                    \
    }

/* True when table t (which starts with uint32_t struct_size) is long enough
 * to hold member m and m is set: how callers test for an op. */
#define VKP_HAS_OP(t, type, m)                                                       \
    ((t) != NULL && (t)->struct_size >= offsetof(type, m) + sizeof((t)->m) && (t)->m != NULL)

#ifdef __cplusplus
}
#endif
#endif
