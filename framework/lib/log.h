/*
 * log.h: debug and diagnostic logging. The library logs nothing by default;
 * a program (daemon, CLI with --debug) or VIRTKIT_LOG_LEVEL (debug, info,
 * warn, error) and VIRTKIT_LOG_FILE turn it on. Thread-safe.
 */
#ifndef VK_LOG_H
#define VK_LOG_H

#include "util.h"

typedef enum {
    VK_LOG_DEBUG = 1,
    VK_LOG_INFO = 2,
    VK_LOG_WARN = 3,
    VK_LOG_ERROR = 4,
    VK_LOG_NONE = 5,
} vk_log_level;

void vk_log(vk_log_level level, const char *module, const char *fmt, ...) VK_PRINTF(3, 4);
void vk_vlog(vk_log_level level, const char *module, const char *fmt, va_list ap)
    VK_PRINTF(3, 0);
/* Set the threshold; messages below it are dropped cheaply. */
void vk_log_set_level(vk_log_level level);
vk_log_level vk_log_get_level(void);
/* Send output to a file (appending) or, with NULL, to stderr. 0 or -1. */
int vk_log_set_file(const char *path);
/* "debug" -> VK_LOG_DEBUG; -1 when unknown. */
int vk_log_level_from_name(const char *name);
/* Read VIRTKIT_LOG_LEVEL and VIRTKIT_LOG_FILE once. */
void vk_log_init_from_env(void);

#define VK_DEBUG(mod, ...)                                                            \
    do {                                                                              \
        if (vk_log_get_level() <= VK_LOG_DEBUG)                                       \
            vk_log(VK_LOG_DEBUG, mod, __VA_ARGS__);                                   \
    } while (0)
#define VK_INFO(mod, ...) vk_log(VK_LOG_INFO, mod, __VA_ARGS__)
#define VK_WARN(mod, ...) vk_log(VK_LOG_WARN, mod, __VA_ARGS__)
#define VK_ERROR(mod, ...) vk_log(VK_LOG_ERROR, mod, __VA_ARGS__)

#endif
