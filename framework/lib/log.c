/*
 * log.c: see log.h. One mutex serialises writes so lines never interleave.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

#include "log.h"

static vk_log_level log_level = VK_LOG_NONE;
static FILE *log_out;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static const char *const level_names[] = {
    [VK_LOG_DEBUG] = "debug",
    [VK_LOG_INFO] = "info",
    [VK_LOG_WARN] = "warn",
    [VK_LOG_ERROR] = "error",
    [VK_LOG_NONE] = "none",
};

static void log_write_f(vk_log_level level, const char *module, const char *fmt, ...)
    VK_PRINTF(3, 4);

int vk_log_level_from_name(const char *name)
{
    for (size_t i = 1; i < VK_ARRAY_LEN(level_names); i++)
        if (vk_streq(name, level_names[i]))
            return (int)i;
    if (vk_streq(name, "warning"))
        return VK_LOG_WARN;
    return -1;
}

static void log_env_once(void)
{
    const char *lvl = getenv("VIRTKIT_LOG_LEVEL");
    const char *file = getenv("VIRTKIT_LOG_FILE");
    int l = vk_log_level_from_name(lvl);
    if (l > 0)
        log_level = (vk_log_level)l;
    if (file && *file)
        vk_log_set_file(file);
    /* whatever the level: whoever set the variable wants to know (log_write
     * takes only log_lock, never this once) */
    if (lvl && *lvl && l < 0)
        log_write_f(VK_LOG_ERROR, "log",
                    "VIRTKIT_LOG_LEVEL='%s' is none of debug, info, warn, error, none: ignored",
                    lvl);
}

void vk_log_init_from_env(void)
{
    pthread_once(&log_once, log_env_once);
}

void vk_log_set_level(vk_log_level level)
{
    vk_log_init_from_env();
    __atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

vk_log_level vk_log_get_level(void)
{
    vk_log_init_from_env();
    return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

int vk_log_set_file(const char *path)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "ae");
        if (!f)
            return -1;
        setvbuf(f, NULL, _IOLBF, 0);
    }
    pthread_mutex_lock(&log_lock);
    if (log_out && log_out != stderr)
        fclose(log_out);
    log_out = f;
    pthread_mutex_unlock(&log_lock);
    return 0;
}

static void log_write(vk_log_level level, const char *module, const char *fmt, va_list ap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    VK_AUTOFREE(char *) msg = vk_vasprintf(fmt, ap);
    pthread_mutex_lock(&log_lock);
    FILE *out = log_out ? log_out : stderr;
    fprintf(out, "%04d-%02d-%02d %02d:%02d:%02d.%03ld %ld %s %s: %s\n", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
            (long)syscall(SYS_gettid), level_names[level], module ? module : "-", msg);
    pthread_mutex_unlock(&log_lock);
}

static void log_write_f(vk_log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_write(level, module, fmt, ap);
    va_end(ap);
}

void vk_vlog(vk_log_level level, const char *module, const char *fmt, va_list ap)
{
    if (level < vk_log_get_level() || level >= VK_LOG_NONE)
        return;
    log_write(level, module, fmt, ap);
}

void vk_log(vk_log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vk_vlog(level, module, fmt, ap);
    va_end(ap);
}
