/*
 * paths.h: every directory virtkit uses, derived from one root so that
 * tests (and embedded instances) run isolated and in parallel.
 *
 * Root: the `root` argument, else $VIRTKIT_ROOT, else none. With a root R:
 *   config R/etc/virtkit  state R/var/lib/virtkit  run R/run/virtkit
 *   log R/var/log/virtkit cache R/var/cache/virtkit
 * Without one, root (uid 0) uses the configured sysconfdir, localstatedir
 * and runstatedir; other users use $XDG_CONFIG_HOME/virtkit,
 * $XDG_STATE_HOME/virtkit, $XDG_RUNTIME_DIR/virtkit, ...
 */
#ifndef VK_PATHS_H
#define VK_PATHS_H

#include "util.h"

typedef struct vk_paths {
    char *root;     /* NULL when none */
    char *config;
    char *state;
    char *run;
    char *log;
    char *cache;
} vk_paths;

vk_paths *vk_paths_new(const char *root);
void vk_paths_free(vk_paths *p);
VK_DEFINE_AUTOPTR(vk_paths, vk_paths_free)
/* The plugin directory: $VIRTKIT_PLUGIN_DIR, else the installed one. */
const char *vk_paths_plugin_dir(void);
/* The daemon's sockets under the run dir: read-write and read-only. */
char *vk_paths_daemon_socket(const vk_paths *p, bool readonly);

#endif
