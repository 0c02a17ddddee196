/*
 * nodedev.h: the real node's devices from sysfs (PCI, USB, net, block,
 * SCSI, storage) as a tree rooted at "computer", and their XML.
 */
#ifndef VK_NODEDEV_H
#define VK_NODEDEV_H

#include "util.h"

/* Names and parents (parallel arrays, caller frees each and the arrays),
 * filtered by virtkit_list_nodedev_flags (0: all). Returns the count. */
int vk_nodedev_list(char ***names, char ***parents, unsigned int flags);
/* The node device XML of one device; NULL with NO_NODEDEV when absent. */
char *vk_nodedev_xml(const char *name);

#endif
