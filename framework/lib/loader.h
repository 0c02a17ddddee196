/*
 * loader.h: finding, checking and loading plugins.
 *
 * Plugins live in one directory (vk_paths_plugin_dir()), each as NAME.so
 * with a manifest NAME.plugin (libconfig) that lets the core list them
 * without loading: name, version, abi ("1.0"), kinds, schemes, license,
 * description. A plugin is opened on first use, with libltdl, by absolute
 * path, from a directory owned by root (or by the running user) and not
 * writable by group or others, with local symbol binding; it is checked
 * (design section 3) before its init runs, and never unloaded. A refused
 * plugin stays refused for the life of the process, with its reason.
 */
#ifndef VK_LOADER_H
#define VK_LOADER_H

#include <virtkit-1/plugin.h>

#include "util.h"

typedef struct vk_plugin vk_plugin;

typedef enum {
    VK_PLUGIN_AVAILABLE = 0,
    VK_PLUGIN_LOADED = 1,
    VK_PLUGIN_REFUSED = 2,
} vk_plugin_state;

struct vk_plugin {
    char *name;
    char *path;            /* the .so */
    char *manifest_path;
    char *version;         /* from the manifest (then the descriptor) */
    char *abi;             /* "1.0" */
    char *license;
    char *description;
    char **kinds;          /* "hypervisor", "storage", "network" */
    char **schemes;
    vk_plugin_state state;
    char *refused_reason;
    const vkp_descriptor *desc; /* once loaded: the checked, zero-extended copy */
};

/* Rescan the plugin directory's manifests (keeps loaded plugins). */
int vk_loader_scan(void);
/* All known plugins (scans on first use). The array is owned by the
 * loader and stays valid; call under no lock. Returns the count. */
size_t vk_loader_list(vk_plugin ***out);
/* The plugin serving URI scheme `driver`, loaded; NULL with an error
 * (VIRTKIT_ERR_NO_CONNECT when none serves it). */
vk_plugin *vk_loader_for_scheme(const char *driver);
/* Load a plugin by name; NULL with VIRTKIT_ERR_PLUGIN and the reason. */
vk_plugin *vk_loader_load(const char *name);
/* Check and load a plugin file directly (used by tests on fixtures). */
vk_plugin *vk_loader_load_path(const char *so_path);
/* Reset the loader's view (tests); loaded plugins stay mapped. */
void vk_loader_reset(void);

#endif
