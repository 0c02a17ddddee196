/*
 * evloop.h: the event loop every event callback runs in. Either the
 * default poll() implementation below or one an application registered
 * (virtkit_event_register_impl). Internal callers use vk_event_* which
 * route to whichever is registered and fail cleanly when none is.
 */
#ifndef VK_EVLOOP_H
#define VK_EVLOOP_H

#include <virtkit/virtkit-event.h>

#include "util.h"

bool vk_event_have_impl(void);
int vk_event_add_handle(int fd, int events, virtkit_event_handle_cb cb, void *opaque,
                        virtkit_free_cb ff);
void vk_event_update_handle(int watch, int events);
int vk_event_remove_handle(int watch);
int vk_event_add_timeout(int timeout_ms, virtkit_event_timeout_cb cb, void *opaque,
                         virtkit_free_cb ff);
void vk_event_update_timeout(int timer, int timeout_ms);
int vk_event_remove_timeout(int timer);

/* The default implementation, usable directly (the daemon runs it). */
int vk_evloop_default_run_once(void);
/* Make a blocked run_once return (from any thread). */
void vk_evloop_default_wakeup(void);

#endif
