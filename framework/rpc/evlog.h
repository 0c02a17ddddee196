/*
 * evlog.h: the daemon's event backlog. Every event sent to a client is
 * stamped here with a daemon-wide sequence number and kept in a bounded
 * ring, keyed by the driver URI it belongs to ("qemu:///system"), so that a
 * client reconnecting with ?resume_events=N gets the events after N it
 * missed, or is told plainly that they are gone.
 *
 * One event of a driver whose state is shared (qemu:///system) reaches
 * the daemon's own listening connection for that driver (the hub, origin
 * 0) and every client connection within moments: the copies get ONE
 * number, so numbers mean the same to every client. (A hub copy joins an
 * equal client entry of the last 200 ms and the reverse; clients' copies
 * never join each other, since their connections may have private state,
 * as the test driver's do. In a race a shared event can get two entries:
 * a resuming client may then see it twice, never miss it.)
 *
 * The ring is saved at a clean shutdown and loaded at start, so resuming
 * works across a daemon restart; after a crash the numbers jump past
 * anything that may have been issued, and older resume points are told
 * they missed events.
 */
#ifndef VK_RPC_EVLOG_H
#define VK_RPC_EVLOG_H

#include "core.h"

typedef struct vk_evlog vk_evlog;

/* path: where the ring is saved (NULL: not saved). Never fails: a file
 * that cannot be read is logged and treated like a crash. */
vk_evlog *vk_evlog_new(size_t capacity, const char *path);
void vk_evlog_free(vk_evlog *l);
/* Write the ring (atomically). clean: this is the shutdown save. */
int vk_evlog_save(vk_evlog *l, bool clean);
/* Stamp ev (from connection `origin`, 0 for the hub, of driver `key`) and
 * keep it. after: the origin's last number, which the result exceeds. */
uint64_t vk_evlog_record(vk_evlog *l, const char *key, uint64_t origin, uint64_t after,
                         const vk_event *ev);
uint64_t vk_evlog_last(vk_evlog *l);
/* 0 when every event after `from` is still kept; -1 with
 * VIRTKIT_ERR_EVENTS_MISSED saying which are gone. */
int vk_evlog_check_resume(vk_evlog *l, uint64_t from);
/* fn for each kept event of key and kind with seq > from, oldest first.
 * Called with the log's lock held: fn must not call back into it. */
/* Driver URIs whose events are recorded (kept across restarts). */
void vk_evlog_add_key(vk_evlog *l, const char *key);
char **vk_evlog_keys(vk_evlog *l);   /* NULL-terminated copy, caller frees */
size_t vk_evlog_replay(vk_evlog *l, const char *key, vk_event_kind kind, uint64_t from,
                       void (*fn)(void *opaque, uint64_t seq, const vk_event *ev), void *opaque);

#endif
