/*
 * node.c: the public node API (info, capabilities, CPU map, free memory,
 * statistics, node devices). A driver may answer for its own node (the
 * test driver's fake node, the remote driver's far node); otherwise the
 * core reads the real machine (hostinfo.c, nodedev.c).
 */
#include "config.h"

#include <stdlib.h>

#include "core.h"
#include "defs.h"
#include "hostinfo.h"
#include "nodedev.h"
#include "strbuf.h"

#define HAS_HV(conn, m) VKP_HAS_OP((conn)->hv, vkp_hypervisor_ops, m)

VIRTKIT_API int virtkit_node_get_info(virtkit_connect *conn, virtkit_node_info *info)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (!info || info->version != VIRTKIT_NODE_INFO_VERSION) {
        vk_error_invalid_arg("%s: info must be initialised with VIRTKIT_NODE_INFO_INIT "
                             "(version %u)", __func__, VIRTKIT_NODE_INFO_VERSION);
        return -1;
    }
    int r = HAS_HV(conn, node_get_info) ? conn->hv->node_get_info(conn->hv_conn, info)
                                        : vk_host_get_info(info);
    if (r < 0)
        vk_ensure_error(conn, "node_get_info");
    info->version = VIRTKIT_NODE_INFO_VERSION;
    return r < 0 ? -1 : 0;
}

VIRTKIT_API char *virtkit_connect_get_capabilities(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    VK_AUTOFREE(char *) host = HAS_HV(conn, node_capabilities_xml)
                                   ? conn->hv->node_capabilities_xml(conn->hv_conn)
                                   : vk_host_capabilities_xml();
    if (!host) {
        vk_ensure_error(conn, "node_capabilities_xml");
        return NULL;
    }
    VK_AUTOFREE(char *) guests = NULL;
    if (HAS_HV(conn, capabilities_guests_xml)) {
        guests = conn->hv->capabilities_guests_xml(conn->hv_conn);
        if (!guests) {
            vk_ensure_error(conn, "capabilities_guests_xml");
            return NULL;
        }
    }
    /* A remote driver returns the whole document already. */
    if (vk_str_has_prefix(host, "<capabilities"))
        return VK_STEAL(host);
    VK_AUTOSTRBUF b = VK_STRBUF_INIT;
    vk_strbuf_add(&b, "<capabilities>\n\n");
    /* indent the fragments by two spaces */
    const char *parts[] = { host, guests };
    for (size_t i = 0; i < 2; i++) {
        const char *p = parts[i];
        while (p && *p) {
            size_t l = strcspn(p, "\n");
            if (l)
                vk_strbuf_add(&b, "  ");
            vk_strbuf_addn(&b, p, l);
            vk_strbuf_addc(&b, '\n');
            p += l + (p[l] == '\n');
        }
        if (parts[i])
            vk_strbuf_addc(&b, '\n');
    }
    vk_strbuf_add(&b, "</capabilities>\n");
    return vk_strbuf_steal(&b);
}

VIRTKIT_API int virtkit_node_get_cpu_map(virtkit_connect *conn, unsigned char **cpumap,
                                         unsigned int *online, unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, 0, -1);
    int r = HAS_HV(conn, node_get_cpu_map) ? conn->hv->node_get_cpu_map(conn->hv_conn, cpumap,
                                                                        online)
                                           : vk_host_get_cpu_map(cpumap, online);
    if (r < 0)
        vk_ensure_error(conn, "node_get_cpu_map");
    return r;
}

VIRTKIT_API int virtkit_node_get_cells_free_memory(virtkit_connect *conn,
                                                   unsigned long long *free_bytes,
                                                   int start_cell, int max_cells)
{
    VK_ENTRY_CONN(conn, 0, 0, -1);
    if (!free_bytes || start_cell < 0 || max_cells <= 0) {
        vk_error_invalid_arg("%s: need an output array, start >= 0 and max > 0", __func__);
        return -1;
    }
    int r = HAS_HV(conn, node_cells_free_memory)
                ? conn->hv->node_cells_free_memory(conn->hv_conn, free_bytes, start_cell,
                                                   max_cells)
                : vk_host_cells_free_memory(free_bytes, start_cell, max_cells);
    if (r < 0)
        vk_ensure_error(conn, "node_cells_free_memory");
    return r;
}

VIRTKIT_API unsigned long long virtkit_node_get_free_memory(virtkit_connect *conn)
{
    VK_ENTRY_CONN(conn, 0, 0, 0);
    virtkit_params *p = NULL;
    unsigned long long kib = 0;
    if (virtkit_node_get_memory_stats(conn, VIRTKIT_NODE_MEMORY_STATS_ALL_CELLS, &p, 0) < 0)
        return 0;
    virtkit_params_get_ullong(p, "free", &kib);
    virtkit_params_free(p);
    return kib * 1024ULL;
}

VIRTKIT_API int virtkit_node_get_cpu_stats(virtkit_connect *conn, int cpu,
                                           virtkit_params **params, unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, 0, -1);
    if (!params || cpu < VIRTKIT_NODE_CPU_STATS_ALL_CPUS) {
        vk_error_invalid_arg("%s: need an output pointer and cpu >= -1", __func__);
        return -1;
    }
    int r = HAS_HV(conn, node_cpu_stats) ? conn->hv->node_cpu_stats(conn->hv_conn, cpu, params)
                                         : vk_host_cpu_stats(cpu, params);
    if (r < 0)
        vk_ensure_error(conn, "node_cpu_stats");
    return r < 0 ? -1 : 0;
}

VIRTKIT_API int virtkit_node_get_memory_stats(virtkit_connect *conn, int cell,
                                              virtkit_params **params, unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, 0, -1);
    if (!params || cell < VIRTKIT_NODE_MEMORY_STATS_ALL_CELLS) {
        vk_error_invalid_arg("%s: need an output pointer and cell >= -1", __func__);
        return -1;
    }
    int r = HAS_HV(conn, node_memory_stats)
                ? conn->hv->node_memory_stats(conn->hv_conn, cell, params)
                : vk_host_memory_stats(cell, params);
    if (r < 0)
        vk_ensure_error(conn, "node_memory_stats");
    return r < 0 ? -1 : 0;
}

VIRTKIT_API int virtkit_node_get_hugepages(virtkit_connect *conn, virtkit_params **params,
                                           unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, 0, -1);
    if (!params) {
        vk_error_invalid_arg("%s: params must not be NULL", __func__);
        return -1;
    }
    int r = HAS_HV(conn, node_get_hugepages) ? conn->hv->node_get_hugepages(conn->hv_conn, params)
                                             : vk_host_hugepages(params);
    if (r < 0)
        vk_ensure_error(conn, "node_get_hugepages");
    return r < 0 ? -1 : 0;
}

/* ----------------------------------------------------------- nodedevs -- */

VIRTKIT_API int virtkit_connect_list_all_nodedevs(virtkit_connect *conn, virtkit_nodedev ***devs,
                                                 unsigned int flags)
{
    VK_ENTRY_CONN(conn, flags, 0x1ffu, -1);
    char **names = NULL, **parents = NULL;
    int n = HAS_HV(conn, list_all_nodedevs)
                ? conn->hv->list_all_nodedevs(conn->hv_conn, &names, &parents, flags)
                : vk_nodedev_list(&names, &parents, flags);
    if (n < 0) {
        vk_ensure_error(conn, "list_all_nodedevs");
        return -1;
    }
    if (devs) {
        *devs = vk_alloc_n((size_t)n + 1, sizeof(**devs));
        for (int i = 0; i < n; i++)
            (*devs)[i] = vk_nodedev_new(conn, names[i], parents[i]);
    } else {
        for (int i = 0; i < n; i++) {
            free(names[i]);
            free(parents[i]);
        }
    }
    free(names);
    free(parents);
    return n;
}

VIRTKIT_API virtkit_nodedev *virtkit_nodedev_lookup_by_name(virtkit_connect *conn,
                                                           const char *name)
{
    VK_ENTRY_CONN(conn, 0, 0, NULL);
    if (vk_str_empty(name)) {
        vk_error_invalid_arg("%s: name must not be empty", __func__);
        return NULL;
    }
    virtkit_nodedev **all = NULL;
    int n = virtkit_connect_list_all_nodedevs(conn, &all, 0);
    if (n < 0)
        return NULL;
    virtkit_nodedev *found = NULL;
    for (int i = 0; i < n; i++) {
        if (!found && vk_streq(all[i]->name, name))
            found = all[i];
        else
            virtkit_nodedev_free(all[i]);
    }
    free(all);
    if (!found)
        vk_error_set(VIRTKIT_ERR_NO_NODEDEV, VIRTKIT_SUB_NODEDEV, "no node device named '%s'",
                     name);
    return found;
}

VIRTKIT_API const char *virtkit_nodedev_get_name(virtkit_nodedev *dev)
{
    VK_ENTRY_OBJ(dev, 0, 0, NULL);
    return dev->name;
}

VIRTKIT_API const char *virtkit_nodedev_get_parent(virtkit_nodedev *dev)
{
    VK_ENTRY_OBJ(dev, 0, 0, NULL);
    return dev->parent;
}

VIRTKIT_API char *virtkit_nodedev_get_xml(virtkit_nodedev *dev, unsigned int flags)
{
    VK_ENTRY_OBJ(dev, flags, 0, NULL);
    virtkit_connect *conn = dev->conn;
    char *x = HAS_HV(conn, nodedev_get_xml) ? conn->hv->nodedev_get_xml(conn->hv_conn, dev->name,
                                                                        flags)
                                            : vk_nodedev_xml(dev->name);
    if (!x)
        vk_ensure_error(conn, "nodedev_get_xml");
    return x;
}

VIRTKIT_API int virtkit_nodedev_list_caps(virtkit_nodedev *dev, char ***caps)
{
    VK_ENTRY_OBJ(dev, 0, 0, -1);
    if (!caps) {
        vk_error_invalid_arg("%s: caps must not be NULL", __func__);
        return -1;
    }
    VK_AUTOFREE(char *) xml = virtkit_nodedev_get_xml(dev, 0);
    if (!xml)
        return -1;
    VK_AUTOPTR(vk_xnode) d = vk_def_parse(VKP_DEF_NODEDEV, xml, 0);
    if (!d)
        return -1;
    size_t n = vk_xnode_count(d, "capability");
    char **v = vk_alloc_n(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        v[i] = vk_strdup(vk_xnode_attr(vk_xnode_child_nth(d, "capability", i), "type"));
    *caps = v;
    return (int)n;
}
