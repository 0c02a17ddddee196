/*
 * virtkit-1/hypervisor.h: the operations a hypervisor plugin provides.
 *
 * One table per plugin; it starts with its size and grows only at its tail.
 * A NULL op means "not supported". The core has checked handles and flags
 * before calling (flags are passed through so a plugin can refuse the bits
 * it does not implement). Every op returns 0 (or a count, or a pointer) on
 * success and -1 (NULL) with an error set through host->error on failure.
 *
 * Domains are named by vkp_ref (name, uuid, id) as the core last saw them;
 * a plugin looks them up by uuid. Results that return a vkp_ref fill the
 * caller's struct with a name from host->strdup.
 */
#ifndef VIRTKIT1_HYPERVISOR_H
#define VIRTKIT1_HYPERVISOR_H

#include <virtkit-1/host.h>
#include <virtkit/virtkit-domain.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A plugin's own state for one open connection (defined by the plugin). */
typedef struct vkp_conn vkp_conn;

/* One record of bulk statistics: the domain and its parameters, both
 * owned by the receiver. */
typedef struct vkp_domain_stats {
    vkp_ref dom;
    virtkit_params *params;
} vkp_domain_stats;

struct vkp_hypervisor_ops {
    uint32_t struct_size;

    /* ---- connection -- */
    /* Accept or decline the connection described by ctx's URI. Returns 0 and
     * sets *conn; or 1 to decline quietly (the URI is not ours); or -1. */
    int (*open)(vkp_ctx *ctx, unsigned int flags, vkp_conn **conn);
    void (*close)(vkp_conn *conn);
    int (*get_version)(vkp_conn *conn, unsigned long long *version);
    char *(*get_hostname)(vkp_conn *conn);
    /* <guest> elements for the capabilities document. */
    char *(*capabilities_guests_xml)(vkp_conn *conn);

    /* ---- node: optional; when NULL the core answers from the real node -- */
    int (*node_get_info)(vkp_conn *conn, virtkit_node_info *info);
    char *(*node_capabilities_xml)(vkp_conn *conn);
    int (*node_get_cpu_map)(vkp_conn *conn, unsigned char **cpumap, unsigned int *online);
    int (*node_cells_free_memory)(vkp_conn *conn, unsigned long long *free_bytes, int start,
                                  int max);
    int (*node_cpu_stats)(vkp_conn *conn, int cpu, virtkit_params **params);
    int (*node_memory_stats)(vkp_conn *conn, int cell, virtkit_params **params);

    /* ---- domains: listing and lookup -- */
    int (*num_of_domains)(vkp_conn *conn);
    int (*num_of_defined_domains)(vkp_conn *conn);
    /* Fill *refs (host->alloc'd array) with the domains matching the
     * virtkit_list_domains_flags; returns the count. */
    int (*list_all_domains)(vkp_conn *conn, vkp_ref **refs, unsigned int flags);
    /* Exactly one key is set: name != NULL, uuid != NULL, or id >= 0. */
    int (*lookup_domain)(vkp_conn *conn, const char *name, const unsigned char *uuid, int id,
                         vkp_ref *out);

    /* ---- domains: lifecycle -- */
    int (*domain_define)(vkp_conn *conn, const char *xml, unsigned int flags, vkp_ref *out);
    int (*domain_undefine)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    /* Start a defined domain; *out gets its new id. */
    int (*domain_create)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags, vkp_ref *out);
    int (*domain_create_xml)(vkp_conn *conn, const char *xml, unsigned int flags, vkp_ref *out);
    int (*domain_shutdown)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_reboot)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_reset)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_destroy)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_suspend)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_resume)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_save)(vkp_conn *conn, const vkp_ref *dom, const char *path, unsigned int flags);
    int (*domain_restore)(vkp_conn *conn, const char *path, const char *xml, unsigned int flags);
    char *(*save_image_get_xml)(vkp_conn *conn, const char *path, unsigned int flags);
    int (*domain_managed_save)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_has_managed_save)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_managed_save_remove)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_core_dump)(vkp_conn *conn, const vkp_ref *dom, const char *path,
                            unsigned int flags);

    /* ---- domains: properties -- */
    int (*domain_get_info)(vkp_conn *conn, const vkp_ref *dom, virtkit_domain_info *info);
    /* *cached = 1 when answered from the last known state (a job runs). */
    int (*domain_get_state)(vkp_conn *conn, const vkp_ref *dom, int *state, int *reason,
                            int *cached, unsigned int flags);
    char *(*domain_get_xml)(vkp_conn *conn, const vkp_ref *dom, unsigned int flags);
    int (*domain_is_persistent)(vkp_conn *conn, const vkp_ref *dom);
    int (*domain_get_autostart)(vkp_conn *conn, const vkp_ref *dom, int *autostart);
    int (*domain_set_autostart)(vkp_conn *conn, const vkp_ref *dom, int autostart);
    int (*domain_set_memory)(vkp_conn *conn, const vkp_ref *dom, unsigned long long kib,
                             unsigned int flags);
    int (*domain_set_vcpus)(vkp_conn *conn, const vkp_ref *dom, unsigned int n,
                            unsigned int flags);
    int (*domain_attach_device)(vkp_conn *conn, const vkp_ref *dom, const char *xml,
                                unsigned int flags);
    int (*domain_detach_device)(vkp_conn *conn, const vkp_ref *dom, const char *xml,
                                unsigned int flags);
    int (*domain_update_device)(vkp_conn *conn, const vkp_ref *dom, const char *xml,
                                unsigned int flags);
    /* Bulk stats for every domain matching flags: *records host->alloc'd. */
    int (*get_all_domain_stats)(vkp_conn *conn, unsigned int stats, unsigned int flags,
                                vkp_domain_stats **records);

    /* ---- console: an fd the core pumps to the client's stream (pty master,
     * socket). Ownership of *fd passes to the core. -- */
    int (*domain_open_console)(vkp_conn *conn, const vkp_ref *dom, const char *dev,
                               unsigned int flags, int *fd);

    /* ---- migration, driven by the core across two connections:
     *  begin (source) -> prepare (destination) -> perform (source)
     *  -> finish (destination) -> confirm (source). cancelled is 1 when an
     *  earlier phase failed. */
    char *(*migrate_begin)(vkp_conn *conn, const vkp_ref *dom, const virtkit_params *params,
                           unsigned int flags);
    int (*migrate_prepare)(vkp_conn *conn, const char *xml, const virtkit_params *params,
                           unsigned int flags, char **uri_out);
    int (*migrate_perform)(vkp_conn *conn, const vkp_ref *dom, const char *uri,
                           const virtkit_params *params, unsigned int flags);
    int (*migrate_finish)(vkp_conn *conn, const char *name, const virtkit_params *params,
                          unsigned int flags, int cancelled, vkp_ref *out);
    int (*migrate_confirm)(vkp_conn *conn, const vkp_ref *dom, const virtkit_params *params,
                           unsigned int flags, int cancelled);

    /* ---- node devices: optional; when NULL the core enumerates the real
     * node. list fills parallel arrays of names and parents (NULL parent for
     * the root), host->alloc'd; returns the count. */
    int (*list_all_nodedevs)(vkp_conn *conn, char ***names, char ***parents, unsigned int flags);
    char *(*nodedev_get_xml)(vkp_conn *conn, const char *name, unsigned int flags);
    int (*node_get_hugepages)(vkp_conn *conn, virtkit_params **params);

    /* ---- since SDK 1.1 ---- */
    /* Pin vCPU `vcpu` (-1: the emulator's other threads) to cpuset ("0-3,^2",
     * checked by the core), in the live domain and/or its configuration
     * (VIRTKIT_DOMAIN_AFFECT_*), recording it as <cputune><vcpupin> or
     * <emulatorpin>. */
    int (*domain_pin)(vkp_conn *conn, const vkp_ref *dom, int vcpu, const char *cpuset,
                      unsigned int flags);
};

#ifdef __cplusplus
}
#endif
#endif
