/*
 * error.h: raising the thread-local structured error (virtkit_error).
 * Library code never prints; it sets one error and returns -1/NULL. The
 * message names the object and the value at fault.
 */
#ifndef VK_ERROR_H
#define VK_ERROR_H

#include <virtkit/virtkit-common.h>

#include "util.h"

void vk_error_set(int code, int subsystem, const char *fmt, ...) VK_PRINTF(3, 4);
void vk_error_vset(int code, int subsystem, const char *fmt, va_list ap) VK_PRINTF(3, 0);
/* VIRTKIT_ERR_SYSTEM with ": <strerror(errnum)>" appended. */
void vk_error_system(int errnum, int subsystem, const char *fmt, ...) VK_PRINTF(3, 4);
void vk_error_vsystem(int errnum, int subsystem, const char *fmt, va_list ap) VK_PRINTF(3, 0);
/* Shorthands with the error's usual subsystem. */
#define vk_error_invalid_arg(...) vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_CORE, __VA_ARGS__)
#define vk_error_internal(...) vk_error_set(VIRTKIT_ERR_INTERNAL, VIRTKIT_SUB_CORE, __VA_ARGS__)
/* The current code (0 when none). */
int vk_error_code(void);
const char *vk_error_message(void);
/* Keep an error across cleanup that may overwrite it. */
typedef struct vk_saved_error vk_saved_error;
vk_saved_error *vk_error_save(void);
void vk_error_restore(vk_saved_error *e);   /* frees e */
/* Replace the current error with a copy of e (code/subsystem/message). */
void vk_error_set_raw(int code, int subsystem, const char *message);
/* Prefix the current error message ("domain 'x': " + old). */
void vk_error_prefix(const char *fmt, ...) VK_PRINTF(1, 2);

#endif
