/*
 * loader.c: see loader.h.
 *
 * Checks, in order, each refusal naming the plugin and the rule:
 *   path absolute; directory owned by root or us, not group/other-writable;
 *   file likewise; lt_dlopen (an unresolved symbol fails here, since
 *   plugins are linked -z now); the entry symbol exists and returns a
 *   descriptor; magic; abi_major == ours; abi_minor <= ours ("needs a newer
 *   core"); descriptor size (shorter: zero-extended; longer: tail all
 *   zero); every ops table's tail likewise; name == file name; kinds match
 *   the ops tables provided; init succeeds.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <libconfig.h>
#include <libgen.h>
#include <ltdl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <virtkit-1/hypervisor.h>
#include <virtkit-1/network.h>
#include <virtkit-1/storage.h>

#include "conf.h"
#include "core.h"
#include "error.h"
#include "fileutil.h"
#include "loader.h"
#include "log.h"
#include "paths.h"

static pthread_mutex_t loader_lock = PTHREAD_MUTEX_INITIALIZER;
static vk_plugin **plugins;
static size_t nplugins, plugins_cap;
static bool scanned;
static bool ltdl_ready;

static int refuse(vk_plugin *p, const char *fmt, ...) VK_PRINTF(2, 3);
static int refuse(vk_plugin *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = vk_vasprintf(fmt, ap);
    va_end(ap);
    free(p->refused_reason);
    p->refused_reason = why;
    p->state = VK_PLUGIN_REFUSED;
    vk_error_set(VIRTKIT_ERR_PLUGIN, VIRTKIT_SUB_PLUGIN, "plugin '%s' (%s) refused: %s", p->name,
                 p->path, why);
    vk_log(VK_LOG_WARN, "loader", "plugin '%s' (%s) refused: %s", p->name, p->path, why);
    return -1;
}

static void plugin_free(vk_plugin *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->path);
    free(p->manifest_path);
    free(p->version);
    free(p->abi);
    free(p->license);
    free(p->description);
    vk_strv_free(p->kinds);
    vk_strv_free(p->schemes);
    free(p->refused_reason);
    free(p);
}

static vk_plugin *find_locked(const char *name)
{
    for (size_t i = 0; i < nplugins; i++)
        if (vk_streq(plugins[i]->name, name))
            return plugins[i];
    return NULL;
}

static char *name_from_file(const char *path, const char *suffix)
{
    VK_AUTOFREE(char *) copy = vk_strdup(path);
    const char *base = basename(copy);
    size_t l = strlen(base), ls = strlen(suffix);
    if (l <= ls || strcmp(base + l - ls, suffix) != 0)
        return NULL;
    return vk_strndup(base, l - ls);
}

/* String settings of a manifest, copied into the plugin's record. */
static const struct {
    const char *key;
    size_t offset;
} manifest_strings[] = {
    { "version", offsetof(vk_plugin, version) },
    { "abi", offsetof(vk_plugin, abi) },
    { "license", offsetof(vk_plugin, license) },
    { "description", offsetof(vk_plugin, description) },
};

/* Read a manifest into p; a malformed manifest marks the plugin refused.
 * A setting of the wrong type is malformed too, not merely absent: a
 * manifest that says kinds = "hypervisor" means something, and dropping
 * it silently would hide the mistake. */
static void read_manifest(vk_plugin *p)
{
    config_t cfg;
    int r = vk_conf_load(p->manifest_path, &cfg);
    if (r <= 0) {
        refuse(p, "manifest %s: %s", p->manifest_path,
               r < 0 ? vk_error_message() : "missing");
        vk_conf_free(&cfg);
        virtkit_error_clear();
        return;
    }
    const char *s;
    bool bad = false;
    if ((r = vk_conf_string(&cfg, "name", &s)) == 1 && !vk_streq(s, p->name)) {
        refuse(p, "manifest names the plugin '%s' but the file is '%s.plugin'", s, p->name);
        virtkit_error_clear();
    }
    bad |= r < 0;
    for (size_t i = 0; i < VK_ARRAY_LEN(manifest_strings) && !bad; i++) {
        char **field = (char **)((char *)p + manifest_strings[i].offset);
        if ((r = vk_conf_string(&cfg, manifest_strings[i].key, &s)) == 1)
            *field = vk_strdup(s);
        bad |= r < 0;
    }
    if (!bad)
        bad = vk_conf_strv(&cfg, "kinds", &p->kinds) < 0;
    if (!bad)
        bad = vk_conf_strv(&cfg, "schemes", &p->schemes) < 0;
    if (!bad && (r = vk_conf_string(&cfg, "library", &s)) != 0) {
        bad = r < 0;
        if (!bad) {
            free(p->path);
            p->path = s[0] == '/' ? vk_strdup(s) : vk_path_join(vk_paths_plugin_dir(), s);
        }
    }
    if (!p->kinds)
        p->kinds = vk_strv_split("", ",");
    if (!p->schemes)
        p->schemes = vk_strv_split("", ",");
    if (bad)
        refuse(p, "manifest %s: %s", p->manifest_path, vk_error_message());
    virtkit_error_clear();
    vk_conf_free(&cfg);
}

static void scan_locked(void)
{
    const char *dir = vk_paths_plugin_dir();
    scanned = true;
    DIR *d = opendir(dir);
    if (!d) {
        VK_DEBUG("loader", "plugin directory %s: %s", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        VK_AUTOFREE(char *) name = name_from_file(e->d_name, ".plugin");
        if (!name || find_locked(name))
            continue;
        vk_plugin *p = vk_alloc(sizeof(*p));
        p->name = VK_STEAL(name);
        p->manifest_path = vk_asprintf("%s/%s", dir, e->d_name);
        p->path = vk_asprintf("%s/%s.so", dir, p->name);
        read_manifest(p);
        VK_GROW(plugins, plugins_cap, nplugins);
        plugins[nplugins++] = p;
    }
    closedir(d);
    /* Plugins in sorted order, for stable listings. */
    for (size_t i = 1; i < nplugins; i++)
        for (size_t j = i; j > 0 && strcmp(plugins[j - 1]->name, plugins[j]->name) > 0; j--) {
            vk_plugin *t = plugins[j];
            plugins[j] = plugins[j - 1];
            plugins[j - 1] = t;
        }
}

int vk_loader_scan(void)
{
    pthread_mutex_lock(&loader_lock);
    scan_locked();
    pthread_mutex_unlock(&loader_lock);
    return 0;
}

size_t vk_loader_list(vk_plugin ***out)
{
    pthread_mutex_lock(&loader_lock);
    if (!scanned)
        scan_locked();
    *out = plugins;
    size_t n = nplugins;
    pthread_mutex_unlock(&loader_lock);
    return n;
}

void vk_loader_reset(void)
{
    pthread_mutex_lock(&loader_lock);
    /* Loaded plugins stay mapped (never unloaded); forget the rest. */
    size_t j = 0;
    for (size_t i = 0; i < nplugins; i++) {
        if (plugins[i]->state == VK_PLUGIN_LOADED)
            plugins[j++] = plugins[i];
        else
            plugin_free(plugins[i]);
    }
    nplugins = j;
    scanned = false;
    pthread_mutex_unlock(&loader_lock);
}

/* ------------------------------------------------------------ checks -- */

static int check_owner(vk_plugin *p, const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return refuse(p, "cannot stat %s %s: %s", what, path, strerror(errno));
    if (st.st_uid != 0 && st.st_uid != geteuid())
        return refuse(p, "%s %s is owned by uid %u, not root", what, path, (unsigned)st.st_uid);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return refuse(p, "%s %s is writable by group or others (mode %04o)", what, path,
                      (unsigned)(st.st_mode & 07777));
    return 0;
}

/* A table or descriptor built against another size: shorter ones are used
 * as they are (callers check sizes); longer ones must have a zero tail. */
static int check_tail(vk_plugin *p, const char *what, const void *t, size_t size, size_t known)
{
    if (size < sizeof(uint32_t))
        return refuse(p, "%s size %zu is too small", what, size);
    for (size_t i = known; i < size; i++)
        if (((const unsigned char *)t)[i])
            return refuse(p, "%s is %zu bytes, larger than the %zu this core knows, and its "
                          "tail is not zero", what, size, known);
    return 0;
}

static int check_kinds(vk_plugin *p, const vkp_descriptor *d)
{
    if (!d->kinds || (d->kinds & ~(uint32_t)(VKP_KIND_HYPERVISOR | VKP_KIND_STORAGE |
                                              VKP_KIND_NETWORK)))
        return refuse(p, "kinds 0x%x is empty or has unknown bits", d->kinds);
    if ((d->kinds & VKP_KIND_HYPERVISOR) && !d->hypervisor)
        return refuse(p, "declares kind hypervisor but provides no hypervisor ops");
    if ((d->kinds & VKP_KIND_STORAGE) && !d->storage)
        return refuse(p, "declares kind storage but provides no storage ops");
    if ((d->kinds & VKP_KIND_NETWORK) && !d->network)
        return refuse(p, "declares kind network but provides no network ops");
    if (d->hypervisor &&
        check_tail(p, "hypervisor ops table", d->hypervisor, d->hypervisor->struct_size,
                   sizeof(vkp_hypervisor_ops)) < 0)
        return -1;
    if (d->storage && check_tail(p, "storage ops table", d->storage, d->storage->struct_size,
                                 sizeof(vkp_storage_ops)) < 0)
        return -1;
    if (d->network && check_tail(p, "network ops table", d->network, d->network->struct_size,
                                 sizeof(vkp_network_ops)) < 0)
        return -1;
    return 0;
}

static int load_locked(vk_plugin *p)
{
    if (p->state == VK_PLUGIN_LOADED)
        return 0;
    if (p->state == VK_PLUGIN_REFUSED) {
        vk_error_set(VIRTKIT_ERR_PLUGIN, VIRTKIT_SUB_PLUGIN, "plugin '%s' (%s) refused: %s",
                     p->name, p->path, p->refused_reason);
        return -1;
    }
    if (p->path[0] != '/')
        return refuse(p, "path %s is not absolute", p->path);
    VK_AUTOFREE(char *) dcopy = vk_strdup(p->path);
    if (check_owner(p, dirname(dcopy), "directory") < 0 || check_owner(p, p->path, "file") < 0)
        return -1;
    if (!ltdl_ready) {
        if (lt_dlinit() != 0)
            return refuse(p, "libltdl failed to initialise: %s", lt_dlerror());
        ltdl_ready = true;
    }
    /* Bind every symbol now, whatever the plugin was linked with: libltdl
     * opens with lazy binding, so an unresolved function of a plugin not
     * linked -z now would crash at its first call instead of refusing the
     * plugin here. dlopen also says why a load fails, where libltdl only
     * reports "file not found". libltdl's open below finds the object
     * already loaded; this handle is kept, since plugins are never
     * unloaded. */
    dlerror();
    if (!dlopen(p->path, RTLD_NOW | RTLD_LOCAL)) {
        const char *e = dlerror();
        return refuse(p, "cannot load: %s", e ? e : "unknown error");
    }
    lt_dladvise advise;
    lt_dladvise_init(&advise);
    lt_dladvise_local(&advise);
    lt_dlhandle h = lt_dlopenadvise(p->path, advise);
    lt_dladvise_destroy(&advise);
    if (!h) {
        const char *e = lt_dlerror();
        return refuse(p, "cannot load: %s", e ? e : "unknown error");
    }
    /* Never unloaded: from here on h stays mapped even when refused, so a
     * refusal cannot leave dangling pointers behind. */
    vkp_entry_fn entry = (vkp_entry_fn)(uintptr_t)lt_dlsym(h, VIRTKIT_PLUGIN_ENTRY_SYMBOL);
    if (!entry)
        return refuse(p, "no entry point %s (not built with VIRTKIT_PLUGIN_DEFINE?)",
                      VIRTKIT_PLUGIN_ENTRY_SYMBOL);
    const vkp_descriptor *raw = NULL;
    if (entry(&vk_host_table, &raw) != 0 || !raw)
        return refuse(p, "entry point returned no descriptor");
    if (raw->magic != VIRTKIT_PLUGIN_MAGIC)
        return refuse(p, "bad magic 0x%08x (expected 0x%08x): not a virtkit plugin", raw->magic,
                      VIRTKIT_PLUGIN_MAGIC);
    /* From here on the plugin says which ABI it was built for: list that,
     * not what its manifest claims, next to any refusal. */
    free(p->abi);
    p->abi = vk_asprintf("%u.%u", raw->abi_major, raw->abi_minor);
    if (raw->abi_major != VIRTKIT_ABI_MAJOR_NUM)
        return refuse(p, "built for plugin ABI %u.%u, this core implements ABI %u.%u (another "
                      "major is never compatible)", raw->abi_major, raw->abi_minor,
                      VIRTKIT_ABI_MAJOR_NUM, VIRTKIT_ABI_MINOR_NUM);
    if (raw->abi_minor > VIRTKIT_ABI_MINOR_NUM)
        return refuse(p, "plugin needs a newer core: built against SDK %u.%u, this core "
                      "implements ABI %u.%u", raw->abi_major, raw->abi_minor,
                      VIRTKIT_ABI_MAJOR_NUM, VIRTKIT_ABI_MINOR_NUM);
    size_t size = raw->struct_size;
    if (size < offsetof(vkp_descriptor, name))
        return refuse(p, "descriptor size %zu is too small", size);
    if (check_tail(p, "descriptor", raw, size, sizeof(vkp_descriptor)) < 0)
        return -1;
    vkp_descriptor *d = vk_alloc(sizeof(*d));
    memcpy(d, raw, size < sizeof(*d) ? size : sizeof(*d));
    if (!d->name || !vk_streq(d->name, p->name)) {
        int r = refuse(p, "descriptor names the plugin '%s' but its file is '%s.so'",
                       d->name ? d->name : "(none)", p->name);
        free(d);
        return r;
    }
    if (check_kinds(p, d) < 0) {
        free(d);
        return -1;
    }
    /* The reason for a failed init must be init's own error, never one
     * left on this thread by an earlier call. */
    virtkit_error_clear();
    if (d->init && d->init(&vk_host_table, VIRTKIT_ABI_MINOR_NUM) != 0) {
        const char *why = vk_error_message();
        int r = refuse(p, "init failed: %s", why ? why : "no reason given");
        free(d);
        return r;
    }
    if (d->fini)
        atexit(d->fini);
    p->desc = d;
    if (d->version) {
        free(p->version);
        p->version = vk_strdup(d->version);
    }
    free(p->abi);
    p->abi = vk_asprintf("%u.%u", d->abi_major, d->abi_minor);
    if (d->schemes && !vk_strv_len((char *const *)p->schemes)) {
        vk_strv_free(p->schemes);
        size_t n = 0;
        while (d->schemes[n])
            n++;
        p->schemes = vk_alloc_n(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            p->schemes[i] = vk_strdup(d->schemes[i]);
    }
    p->state = VK_PLUGIN_LOADED;
    VK_DEBUG("loader", "loaded plugin '%s' %s (ABI %s) from %s", p->name,
             p->version ? p->version : "", p->abi, p->path);
    return 0;
}

vk_plugin *vk_loader_load(const char *name)
{
    pthread_mutex_lock(&loader_lock);
    if (!scanned)
        scan_locked();
    vk_plugin *p = find_locked(name);
    int r = -1;
    if (!p)
        vk_error_set(VIRTKIT_ERR_PLUGIN, VIRTKIT_SUB_PLUGIN,
                     "no plugin named '%s' in %s", name, vk_paths_plugin_dir());
    else
        r = load_locked(p);
    pthread_mutex_unlock(&loader_lock);
    return r == 0 ? p : NULL;
}

vk_plugin *vk_loader_load_path(const char *so_path)
{
    VK_AUTOFREE(char *) name = name_from_file(so_path, ".so");
    if (!name) {
        vk_error_set(VIRTKIT_ERR_PLUGIN, VIRTKIT_SUB_PLUGIN, "'%s' is not a .so file", so_path);
        return NULL;
    }
    pthread_mutex_lock(&loader_lock);
    vk_plugin *p = NULL;
    for (size_t i = 0; i < nplugins; i++)
        if (vk_streq(plugins[i]->path, so_path))
            p = plugins[i];
    if (!p) {
        p = vk_alloc(sizeof(*p));
        p->name = VK_STEAL(name);
        p->path = vk_strdup(so_path);
        p->kinds = vk_strv_split("", ",");
        p->schemes = vk_strv_split("", ",");
        VK_GROW(plugins, plugins_cap, nplugins);
        plugins[nplugins++] = p;
    }
    int r = load_locked(p);
    pthread_mutex_unlock(&loader_lock);
    return r == 0 ? p : NULL;
}

vk_plugin *vk_loader_for_scheme(const char *driver)
{
    pthread_mutex_lock(&loader_lock);
    if (!scanned)
        scan_locked();
    vk_plugin *found = NULL;
    for (size_t i = 0; i < nplugins && !found; i++)
        if (vk_strv_contains((const char *const *)plugins[i]->schemes, driver))
            found = plugins[i];
    int r = -1;
    if (!found)
        vk_error_set(VIRTKIT_ERR_NO_CONNECT, VIRTKIT_SUB_PLUGIN,
                     "no plugin serves '%s://' URIs (looked in %s; is the plugin package "
                     "installed?)", driver, vk_paths_plugin_dir());
    else
        r = load_locked(found);
    pthread_mutex_unlock(&loader_lock);
    return r == 0 ? found : NULL;
}

/* ------------------------------------------------------- public API -- */

VIRTKIT_API int virtkit_plugin_list(virtkit_params ***out, unsigned int flags)
{
    virtkit_error_clear();
    if (vk_check_flags(__func__, flags, 0) < 0)
        return -1;
    if (!out) {
        vk_error_invalid_arg("%s: output pointer must not be NULL", __func__);
        return -1;
    }
    pthread_mutex_lock(&loader_lock);
    scan_locked();
    virtkit_params **arr = vk_alloc_n(nplugins + 1, sizeof(*arr));
    for (size_t i = 0; i < nplugins; i++) {
        vk_plugin *p = plugins[i];
        virtkit_params *l = arr[i] = virtkit_params_new();
        VK_AUTOFREE(char *) kinds = vk_strv_join(p->kinds, ",");
        VK_AUTOFREE(char *) schemes = vk_strv_join(p->schemes, ",");
        VK_AUTOFREE(char *) state =
            p->state == VK_PLUGIN_LOADED    ? vk_strdup("loaded")
            : p->state == VK_PLUGIN_REFUSED ? vk_asprintf("refused: %s", p->refused_reason)
                                            : vk_strdup("available");
        virtkit_params_add_string(l, "name", p->name);
        virtkit_params_add_string(l, "version", p->version ? p->version : "");
        virtkit_params_add_string(l, "abi", p->abi ? p->abi : "");
        virtkit_params_add_string(l, "kinds", kinds);
        virtkit_params_add_string(l, "schemes", schemes);
        virtkit_params_add_string(l, "license", p->license ? p->license : "");
        virtkit_params_add_string(l, "description", p->description ? p->description : "");
        virtkit_params_add_string(l, "path", p->path);
        virtkit_params_add_string(l, "state", state);
    }
    int n = (int)nplugins;
    pthread_mutex_unlock(&loader_lock);
    *out = arr;
    return n;
}

VIRTKIT_API void virtkit_plugin_list_free(virtkit_params **list, int n)
{
    virtkit_params_array_free(list, n);
}

VIRTKIT_API int virtkit_plugin_load(const char *name, unsigned int flags)
{
    virtkit_error_clear();
    if (vk_check_flags(__func__, flags, 0) < 0)
        return -1;
    if (vk_str_empty(name)) {
        vk_error_invalid_arg("%s: plugin name must not be empty", __func__);
        return -1;
    }
    if (name[0] == '/')
        return vk_loader_load_path(name) ? 0 : -1;
    return vk_loader_load(name) ? 0 : -1;
}
