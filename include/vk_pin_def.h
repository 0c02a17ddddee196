/*
 * vk_pin_def.h: recording a CPU pin in a domain definition, as
 * <cputune><vcpupin vcpu='N' cpuset='...'/> or <emulatorpin cpuset=.../>.
 * Tree-internal: shared by the in-tree plugins that implement domain_pin.
 */
#ifndef VK_PIN_DEF_H
#define VK_PIN_DEF_H

#include <stdio.h>
#include <virtkit-1/host.h>

/* vcpu -1: the emulator. Replaces an existing pin of that vcpu. */
static inline int vk_pin_record(const vkp_def_api *api, vkp_def *def, int vcpu,
                                const char *cpuset)
{
    if (vcpu < 0)
        return api->set(def, "cputune/emulatorpin/@cpuset", cpuset);
    size_t n = api->count(def, "cputune/vcpupin");
    for (size_t i = 0; i < n; i++) {
        vkp_def *p = api->child_mut(def, "cputune/vcpupin", i);
        uint64_t v = 0;
        if (api->get_u64(p, "@vcpu", &v) > 0 && v == (uint64_t)vcpu)
            return api->set(p, "@cpuset", cpuset);
    }
    char num[16];
    snprintf(num, sizeof(num), "%d", vcpu);
    vkp_def *p = api->add(def, "cputune", "vcpupin");
    if (!p || api->set(p, "@vcpu", num) < 0 || api->set(p, "@cpuset", cpuset) < 0)
        return -1;
    return 0;
}

#endif
