/*
 * conf.c: see conf.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "conf.h"
#include "error.h"
#include "fileutil.h"
#include "paths.h"

int vk_conf_load(const char *path, config_t *cfg)
{
    config_init(cfg);
    if (!vk_file_exists(path))
        return 0;
    if (!config_read_file(cfg, path)) {
        if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
            vk_error_system(errno, VIRTKIT_SUB_CONF, "cannot read configuration file '%s'",
                            path);
        } else {
            vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_CONF, "%s:%d: %s", path,
                         config_error_line(cfg), config_error_text(cfg));
        }
        return -1;
    }
    return 1;
}

void vk_conf_free(config_t *cfg)
{
    config_destroy(cfg);
}

static int conf_wrong_type(const char *key, const char *want)
{
    vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_CONF, "setting '%s' must be %s", key, want);
    return -1;
}

int vk_conf_string(const config_t *cfg, const char *key, const char **out)
{
    config_setting_t *s = config_lookup(cfg, key);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return conf_wrong_type(key, "a string");
    *out = config_setting_get_string(s);
    return 1;
}

int vk_conf_int(const config_t *cfg, const char *key, long long *out)
{
    config_setting_t *s = config_lookup(cfg, key);
    if (!s)
        return 0;
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_INT)
        *out = config_setting_get_int(s);
    else if (t == CONFIG_TYPE_INT64)
        *out = config_setting_get_int64(s);
    else
        return conf_wrong_type(key, "an integer");
    return 1;
}

int vk_conf_bool(const config_t *cfg, const char *key, int *out)
{
    config_setting_t *s = config_lookup(cfg, key);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return conf_wrong_type(key, "true or false");
    *out = config_setting_get_bool(s);
    return 1;
}

int vk_conf_strv(const config_t *cfg, const char *key, char ***out)
{
    config_setting_t *s = config_lookup(cfg, key);
    if (!s)
        return 0;
    if (!config_setting_is_aggregate(s))
        return conf_wrong_type(key, "a list of strings");
    int n = config_setting_length(s);
    char **v = vk_alloc_n((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            vk_strv_free(v);
            return conf_wrong_type(key, "a list of strings");
        }
        v[i] = vk_strdup(config_setting_get_string(e));
    }
    *out = v;
    return 1;
}

/* ------------------------------------------------------ client config -- */

static pthread_mutex_t client_lock = PTHREAD_MUTEX_INITIALIZER;
static bool client_loaded;
static char *client_default_uri;
static char **client_aliases; /* "name=uri" */

static void client_load_file(const char *path)
{
    config_t cfg;
    if (vk_conf_load(path, &cfg) > 0) {
        const char *s;
        if (vk_conf_string(&cfg, "uri_default", &s) == 1) {
            free(client_default_uri);
            client_default_uri = vk_strdup(s);
        }
        char **al = NULL;
        if (vk_conf_strv(&cfg, "uri_aliases", &al) == 1) {
            vk_strv_free(client_aliases);
            client_aliases = al;
        }
    }
    vk_conf_free(&cfg);
}

static void client_load_locked(void)
{
    if (client_loaded)
        return;
    client_loaded = true;
    VK_AUTOPTR(vk_paths) p = vk_paths_new(NULL);
    VK_AUTOFREE(char *) sys = vk_path_join(p->config, "virtkit.conf");
    client_load_file(sys);
    const char *home = getenv("HOME");
    if (!getenv("VIRTKIT_ROOT") && home && *home) {
        VK_AUTOFREE(char *) user = vk_asprintf("%s/.config/virtkit/virtkit.conf", home);
        if (!vk_streq(user, sys))
            client_load_file(user);
    }
}

const char *vk_conf_client_default_uri(void)
{
    const char *env = getenv("VIRTKIT_DEFAULT_URI");
    if (env && *env)
        return env;
    pthread_mutex_lock(&client_lock);
    client_load_locked();
    const char *r = client_default_uri;
    pthread_mutex_unlock(&client_lock);
    return r;
}

char *vk_conf_client_alias(const char *name)
{
    char *r = NULL;
    size_t ln = strlen(name);
    pthread_mutex_lock(&client_lock);
    client_load_locked();
    for (size_t i = 0; client_aliases && client_aliases[i]; i++) {
        if (strncmp(client_aliases[i], name, ln) == 0 && client_aliases[i][ln] == '=') {
            r = vk_strdup(client_aliases[i] + ln + 1);
            break;
        }
    }
    pthread_mutex_unlock(&client_lock);
    return r;
}

void vk_conf_client_reset(void)
{
    pthread_mutex_lock(&client_lock);
    client_loaded = false;
    free(client_default_uri);
    client_default_uri = NULL;
    vk_strv_free(client_aliases);
    client_aliases = NULL;
    pthread_mutex_unlock(&client_lock);
}
