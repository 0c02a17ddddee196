/*
 * qemu_conf.c: the plugin's settings from <confdir>/qemu.conf (libconfig,
 * read through the host). Every setting has a default, documented in
 * conf/qemu.conf; a wrong type or value is an error naming the setting.
 */
#include "config.h"

#include <stdio.h>

#include "qemu.h"
#include "vkc_file.h"

typedef struct {
    const char *key;
    int *dst;
    int dflt, min, max;
} int_setting;

typedef struct {
    const char *key;
    bool *dst;
    bool dflt;
} bool_setting;

static int read_ints(vkp_ctx *ctx, const int_setting *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        long long v = t[i].dflt;
        int r = H->config_int(ctx, t[i].key, &v);
        if (r < 0)
            return -1;
        if (v < t[i].min || v > t[i].max) {
            QEMU_ERR(VIRTKIT_ERR_CONF, "qemu.conf: %s = %lld is outside %d-%d", t[i].key, v,
                     t[i].min, t[i].max);
            return -1;
        }
        *t[i].dst = (int)v;
    }
    return 0;
}

static int read_bools(vkp_ctx *ctx, const bool_setting *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int v = t[i].dflt;
        if (H->config_bool(ctx, t[i].key, &v) < 0)
            return -1;
        *t[i].dst = v != 0;
    }
    return 0;
}

static int read_string(vkp_ctx *ctx, const char *key, const char *dflt, char **dst)
{
    const char *v = NULL;
    int r = H->config_string(ctx, key, &v);
    if (r < 0)
        return -1;
    *dst = vkc_strdup(r == 1 ? v : dflt);
    return 0;
}

int qemu_conf_load(qemu_conf *c, vkp_ctx *ctx)
{
    memset(c, 0, sizeof(*c));
    const int_setting ints[] = {
        { "shutdown_timeout", &c->shutdown_timeout_s, 60, 1, 3600 },
        { "destroy_timeout_ms", &c->destroy_timeout_ms, 10000, 10, 600000 },
        { "monitor_timeout_ms", &c->monitor_timeout_ms, 30000, 100, 600000 },
        { "start_timeout_ms", &c->start_timeout_ms, 30000, 100, 600000 },
        { "hotplug_ports", &c->hotplug_ports, 4, 0, 16 },
    };
    const bool_setting bools[] = {
        { "dynamic_ownership", &c->dynamic_ownership, true },
        { "cgroups", &c->cgroups, true },
        { "sandbox", &c->sandbox, true },
    };
    VK_AUTOFREE(char *) dirs = NULL;
    VK_AUTOFREE(char *) unusable_kvm = NULL;
    if (read_ints(ctx, ints, VKC_ARRAY_LEN(ints)) < 0 ||
        read_bools(ctx, bools, VKC_ARRAY_LEN(bools)) < 0 ||
        read_string(ctx, "user", "nobody", &c->user) < 0 ||
        read_string(ctx, "group", NULL, &c->group) < 0 ||
        read_string(ctx, "vnc_listen", "127.0.0.1", &c->vnc_listen) < 0 ||
        read_string(ctx, "emulator_dirs", "/usr/bin:/usr/local/bin", &dirs) < 0 ||
        read_string(ctx, "unusable_kvm", "tcg", &unusable_kvm) < 0)
        goto fail;
    static const char *const unusable_kvm_names[] = {
        [QEMU_UNUSABLE_KVM_TCG] = "tcg",
        [QEMU_UNUSABLE_KVM_KVM] = "kvm",
        [QEMU_UNUSABLE_KVM_REFUSE] = "refuse",
    };
    int uk = -1;
    for (size_t i = 0; i < VKC_ARRAY_LEN(unusable_kvm_names); i++)
        if (vkc_streq(unusable_kvm, unusable_kvm_names[i]))
            uk = (int)i;
    if (uk < 0) {
        QEMU_ERR(VIRTKIT_ERR_CONF, "qemu.conf: unusable_kvm = \"%s\" is none of \"tcg\", "
                 "\"kvm\", \"refuse\"", unusable_kvm);
        goto fail;
    }
    c->unusable_kvm = (qemu_unusable_kvm)uk;
    for (char *save = NULL, *t = strtok_r(dirs, ":", &save); t; t = strtok_r(NULL, ":", &save))
        vkc_strv_add(&c->emulator_dirs, t);

    gid_t primary;
    if (vkc_lookup_user(c->user, &c->uid, &primary) < 0) {
        vkc_error_reset();
        QEMU_ERR(VIRTKIT_ERR_CONF, "qemu.conf: user '%s' does not exist on this host (set "
                 "'user' to an existing unprivileged account, or \"root\")", c->user);
        goto fail;
    }
    c->run_as_root = c->uid == 0;
    if (!c->group) {
        /* kvm lets the user open /dev/kvm; without it, the user's group. */
        gid_t g;
        if (vkc_lookup_group("kvm", &g) == 0 && !c->run_as_root) {
            c->group = vkc_strdup("kvm");
            c->gid = g;
        } else {
            vkc_error_reset();
            c->group = vkc_asprintf("%u", (unsigned)primary);
            c->gid = primary;
        }
    } else if (vkc_lookup_group(c->group, &c->gid) < 0) {
        vkc_error_reset();
        QEMU_ERR(VIRTKIT_ERR_CONF, "qemu.conf: group '%s' does not exist on this host",
                 c->group);
        goto fail;
    }
    return 0;
fail:
    qemu_conf_clear(c);
    return -1;
}

void qemu_conf_clear(qemu_conf *c)
{
    free(c->user);
    free(c->group);
    free(c->vnc_listen);
    vkc_strv_clear(&c->emulator_dirs);
    memset(c, 0, sizeof(*c));
}
