/*
 * nodedev.h: the real node's devices from sysfs (PCI, USB, net, block,
 * SCSI, storage) as a tree rooted at "computer", their XML, and the
 * monitor that turns kernel uevents into node device lifecycle events.
 */
#ifndef VK_NODEDEV_H
#define VK_NODEDEV_H

#include <virtkit/virtkit.h>

#include "util.h"

/* Names and parents (parallel arrays, caller frees each and the arrays),
 * filtered by virtkit_list_nodedev_flags (0: all; else devices having any
 * of the capabilities asked for). "computer" first, then by name.
 * Returns the count. */
int vk_nodedev_list(char ***names, char ***parents, unsigned int flags);
/* The node device XML of one device; NULL with NO_NODEDEV when absent. */
char *vk_nodedev_xml(const char *name);

/* Start (on) or stop (off) delivering VIRTKIT_NODEDEV_EVENT_CREATED /
 * DELETED events of the real node to conn. The first watcher opens the
 * kernel uevent socket, the last closes it. Connections whose hypervisor
 * describes its own node (list_all_nodedevs) are left alone. Stopping a
 * connection that does not watch is a no-op. */
int vk_nodedev_monitor_watch(virtkit_connect *conn, bool on);

#endif
