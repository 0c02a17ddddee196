/*
 * virtkit-nodedev.h: the node's devices (PCI, USB, network interfaces,
 * block devices, SCSI hosts, storage), as a tree rooted at "computer".
 */
#ifndef VIRTKIT_NODEDEV_H
#define VIRTKIT_NODEDEV_H

#include <virtkit/virtkit-common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    VIRTKIT_LIST_NODEDEV_CAP_SYSTEM = 1 << 0,
    VIRTKIT_LIST_NODEDEV_CAP_PCI_DEV = 1 << 1,
    VIRTKIT_LIST_NODEDEV_CAP_USB_DEV = 1 << 2,
    VIRTKIT_LIST_NODEDEV_CAP_USB_INTERFACE = 1 << 3,
    VIRTKIT_LIST_NODEDEV_CAP_NET = 1 << 4,
    VIRTKIT_LIST_NODEDEV_CAP_SCSI_HOST = 1 << 5,
    VIRTKIT_LIST_NODEDEV_CAP_SCSI_TARGET = 1 << 6,
    VIRTKIT_LIST_NODEDEV_CAP_SCSI = 1 << 7,
    VIRTKIT_LIST_NODEDEV_CAP_STORAGE = 1 << 8,
} virtkit_list_nodedev_flags;

VIRTKIT_API int virtkit_connect_list_all_nodedevs(virtkit_connect *conn, virtkit_nodedev ***devs,
                                                 unsigned int flags);
VIRTKIT_API virtkit_nodedev *virtkit_nodedev_lookup_by_name(virtkit_connect *conn, const char *name);
VIRTKIT_API const char *virtkit_nodedev_get_name(virtkit_nodedev *dev);
/* The parent's name, NULL for the root; owned by dev. */
VIRTKIT_API const char *virtkit_nodedev_get_parent(virtkit_nodedev *dev);
/* Capability names ("pci", "net"...); array and strings caller-freed. */
VIRTKIT_API int virtkit_nodedev_list_caps(virtkit_nodedev *dev, char ***caps);
VIRTKIT_API char *virtkit_nodedev_get_xml(virtkit_nodedev *dev, unsigned int flags);
VIRTKIT_API int virtkit_nodedev_ref(virtkit_nodedev *dev);
VIRTKIT_API int virtkit_nodedev_free(virtkit_nodedev *dev);

#ifdef __cplusplus
}
#endif
#endif
