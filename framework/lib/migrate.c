/*
 * migrate.c: moving a running domain to another node. The core drives
 * the five phases across the two connections (either may be in-process or
 * remote); plugins implement each phase:
 *
 *   source: begin  -> XML for the destination
 *   dest:   prepare (start an incoming domain) -> transport URI
 *   source: perform (send state to the URI)
 *   dest:   finish (resume, or clean up when cancelled) -> the new domain
 *   source: confirm (stop the source, or resume it when cancelled)
 *
 * A failure in perform still runs finish and confirm with cancelled = 1 so
 * neither side is left half-migrated; the first error is the one reported.
 */
#include "config.h"

#include <stdlib.h>

#include "core.h"
#include "params.h"

static const vk_param_spec migrate_params[] = {
    { "uri", VIRTKIT_PARAM_STRING },       /* destination transport URI */
    { "dname", VIRTKIT_PARAM_STRING },     /* new name on the destination */
    { "xml", VIRTKIT_PARAM_STRING },       /* replacement definition */
    { "bandwidth", VIRTKIT_PARAM_ULLONG }, /* MiB/s */
    { "listen_address", VIRTKIT_PARAM_STRING },
    { NULL, 0 },
};

VIRTKIT_API virtkit_domain *virtkit_domain_migrate(virtkit_domain *dom, virtkit_connect *dest,
                                                   const virtkit_params *params,
                                                   unsigned int flags)
{
    VK_ENTRY_OBJ_RW(dom, flags, 0x1fu, NULL);
    if (vk_check_conn(__func__, dest) < 0 || vk_check_writable(__func__, dest) < 0)
        return NULL;
    if (vk_params_validate(params, migrate_params) < 0)
        return NULL;
    virtkit_connect *src = dom->conn;
    char *(*begin)(vkp_conn *, const vkp_ref *, const virtkit_params *, unsigned int) =
        VK_HV(src, migrate_begin, NULL);
    int (*perform)(vkp_conn *, const vkp_ref *, const char *, const virtkit_params *,
                   unsigned int) = VK_HV(src, migrate_perform, NULL);
    int (*confirm)(vkp_conn *, const vkp_ref *, const virtkit_params *, unsigned int, int) =
        VK_HV(src, migrate_confirm, NULL);
    int (*prepare)(vkp_conn *, const char *, const virtkit_params *, unsigned int, char **) =
        VK_HV(dest, migrate_prepare, NULL);
    int (*finish)(vkp_conn *, const char *, const virtkit_params *, unsigned int, int,
                  vkp_ref *) = VK_HV(dest, migrate_finish, NULL);

    VK_AUTOFREE(char *) xml = begin(src->hv_conn, &dom->ref, params, flags);
    if (!xml) {
        vk_ensure_error(src, "migrate_begin");
        return NULL;
    }
    VK_AUTOFREE(char *) uri = NULL;
    if (prepare(dest->hv_conn, xml, params, flags, &uri) < 0) {
        vk_ensure_error(dest, "migrate_prepare");
        vk_saved_error *e = vk_error_save();
        confirm(src->hv_conn, &dom->ref, params, flags, 1);
        vk_error_restore(e);
        return NULL;
    }
    int cancelled = perform(src->hv_conn, &dom->ref, uri, params, flags) < 0;
    vk_saved_error *first = NULL;
    if (cancelled) {
        vk_ensure_error(src, "migrate_perform");
        first = vk_error_save();
    }
    const char *dname = NULL;
    if (params)
        virtkit_params_get_string(params, "dname", &dname);
    vkp_ref out = { 0 };
    int fr = finish(dest->hv_conn, dname ? dname : dom->ref.name, params, flags, cancelled, &out);
    if (fr < 0 && !first) {
        vk_ensure_error(dest, "migrate_finish");
        first = vk_error_save();
        cancelled = 1;
    }
    int cr = confirm(src->hv_conn, &dom->ref, params, flags, cancelled);
    if (cr < 0 && !first) {
        vk_ensure_error(src, "migrate_confirm");
        first = vk_error_save();
    }
    if (first || cancelled) {
        vk_ref_clear(&out);
        if (first)
            vk_error_restore(first);
        else
            vk_error_set(VIRTKIT_ERR_MIGRATE, VIRTKIT_SUB_CORE, "migration was cancelled");
        return NULL;
    }
    dom->ref.id = -1;
    return vk_domain_new(dest, &out);
}
