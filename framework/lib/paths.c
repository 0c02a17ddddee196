/*
 * paths.c: see paths.h.
 */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>

#include "paths.h"

static char *home_dir(void)
{
    const char *h = getenv("HOME");
    if (h && *h)
        return vk_strdup(h);
    struct passwd *pw = getpwuid(getuid());
    return vk_strdup(pw ? pw->pw_dir : "/");
}

static char *xdg_dir(const char *env, const char *fallback_rel)
{
    const char *v = getenv(env);
    if (v && *v == '/')
        return vk_asprintf("%s/virtkit", v);
    VK_AUTOFREE(char *) home = home_dir();
    return vk_asprintf("%s/%s/virtkit", home, fallback_rel);
}

vk_paths *vk_paths_new(const char *root)
{
    vk_paths *p = vk_alloc(sizeof(*p));
    if (vk_str_empty(root))
        root = getenv("VIRTKIT_ROOT");
    if (!vk_str_empty(root)) {
        p->root = vk_strdup(root);
        p->config = vk_asprintf("%s/etc/virtkit", root);
        p->state = vk_asprintf("%s/var/lib/virtkit", root);
        p->run = vk_asprintf("%s/run/virtkit", root);
        p->log = vk_asprintf("%s/var/log/virtkit", root);
        p->cache = vk_asprintf("%s/var/cache/virtkit", root);
    } else if (getuid() == 0) {
        p->config = vk_strdup(VK_SYSCONFDIR "/virtkit");
        p->state = vk_strdup(VK_LOCALSTATEDIR "/lib/virtkit");
        p->run = vk_strdup(VK_RUNSTATEDIR "/virtkit");
        p->log = vk_strdup(VK_LOCALSTATEDIR "/log/virtkit");
        p->cache = vk_strdup(VK_LOCALSTATEDIR "/cache/virtkit");
    } else {
        p->config = xdg_dir("XDG_CONFIG_HOME", ".config");
        p->state = xdg_dir("XDG_STATE_HOME", ".local/state");
        p->cache = xdg_dir("XDG_CACHE_HOME", ".cache");
        p->log = vk_asprintf("%s/log", p->state);
        const char *rt = getenv("XDG_RUNTIME_DIR");
        p->run = (rt && *rt == '/') ? vk_asprintf("%s/virtkit", rt)
                                    : vk_asprintf("%s/run", p->cache);
    }
    return p;
}

void vk_paths_free(vk_paths *p)
{
    if (!p)
        return;
    free(p->root);
    free(p->config);
    free(p->state);
    free(p->run);
    free(p->log);
    free(p->cache);
    free(p);
}

const char *vk_paths_plugin_dir(void)
{
    const char *d = getenv("VIRTKIT_PLUGIN_DIR");
    return (d && *d) ? d : VK_PLUGINDIR;
}

char *vk_paths_daemon_socket(const vk_paths *p, bool readonly)
{
    return vk_asprintf("%s/virtkitd-sock%s", p->run, readonly ? "-ro" : "");
}
