/*
 * vk_nodedev_caps.h: node device capability names ("pci", "net"...) and
 * the VIRTKIT_LIST_NODEDEV_CAP_* filter bits they answer to. Tree-internal:
 * shared by the CLI (--cap) and plugins that describe their own devices.
 */
#ifndef VK_NODEDEV_CAPS_H
#define VK_NODEDEV_CAPS_H

#include <string.h>
#include <virtkit/virtkit-nodedev.h>

/* The filter bit of a capability name, 0 for a name that has none. */
static inline unsigned int vk_nodedev_cap_flag(const char *name)
{
    static const struct {
        const char *name;
        unsigned int flag;
    } caps[] = {
        { "system", VIRTKIT_LIST_NODEDEV_CAP_SYSTEM },
        { "pci", VIRTKIT_LIST_NODEDEV_CAP_PCI_DEV },
        { "usb_device", VIRTKIT_LIST_NODEDEV_CAP_USB_DEV },
        { "usb", VIRTKIT_LIST_NODEDEV_CAP_USB_INTERFACE },
        { "net", VIRTKIT_LIST_NODEDEV_CAP_NET },
        { "scsi_host", VIRTKIT_LIST_NODEDEV_CAP_SCSI_HOST },
        { "scsi_target", VIRTKIT_LIST_NODEDEV_CAP_SCSI_TARGET },
        { "scsi", VIRTKIT_LIST_NODEDEV_CAP_SCSI },
        { "storage", VIRTKIT_LIST_NODEDEV_CAP_STORAGE },
    };
    for (size_t i = 0; name && i < sizeof(caps) / sizeof(caps[0]); i++)
        if (strcmp(caps[i].name, name) == 0)
            return caps[i].flag;
    return 0;
}

#endif
