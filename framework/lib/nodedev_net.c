/*
 * nodedev_net.c: network interfaces from /sys/class/net: name, hardware
 * address, link state and speed, and whether it is wired (80203) or
 * wireless (80211). The parent is the device the interface sits on (a
 * PCI or USB function), "computer" for virtual interfaces.
 *
 * /sys/class/net shows the interfaces of the network namespace sysfs was
 * mounted in, which is what a caller in that namespace expects.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_sysfs.h"
#include "nodedev_db.h"

#define ARPHRD_ETHER_TYPE 1

static const char *const oper_states[] = { "unknown", "notpresent", "down", "lowerlayerdown",
                                           "testing", "dormant", "up", NULL };

static int scan_one(vk_ndev_db *db, const char *ifname)
{
    VK_AUTOFREE(char *) sys = vk_hostfs_resolve("/sys/class/net/%s", ifname);
    if (!sys)
        return 0; /* gone while we looked */
    VK_AUTOFREE(char *) addr = NULL, *oper = NULL;
    uint64_t addr_len = 0, type = 0;
    int64_t speed = -1;
    if (vk_ndev_attr(&addr, sys, "address") < 0 || vk_ndev_attr(&oper, sys, "operstate") < 0 ||
        vk_hostfs_u64_opt(&addr_len, 10, "%s/addr_len", sys) < 0 ||
        vk_hostfs_u64_opt(&type, 10, "%s/type", sys) < 0 ||
        vk_hostfs_i64_opt(&speed, 10, "%s/speed", sys) < 0)
        return -1;
    if (addr_len == 0 || vk_str_empty(addr))
        addr = (free(addr), NULL);
    vk_xnode *cap;
    vk_ndev *d = addr ? vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_NET, "net", &cap,
                                    "net_%s_%s", ifname, addr)
                      : vk_ndev_add(db, sys, VIRTKIT_LIST_NODEDEV_CAP_NET, "net", &cap,
                                    "net_%s", ifname);
    vk_hx_leaf(&d->xml, cap, "interface", "%s", ifname);
    if (addr)
        vk_hx_leaf(&d->xml, cap, "address", "%s", addr);
    vk_xnode *link = vk_hx_add(&d->xml, cap, "link");
    if (oper && vk_strv_contains(oper_states, oper))
        vk_hx_attr(&d->xml, link, "state", "%s", oper);
    else
        vk_hx_attr(&d->xml, link, "state", "unknown");
    /* speed reads -1 or fails while the link is down */
    if (speed > 0 && speed <= UINT32_MAX)
        vk_hx_attr(&d->xml, link, "speed", "%lld", (long long)speed);
    if (type == ARPHRD_ETHER_TYPE) {
        bool wireless = vk_hostfs_exists("%s/wireless", sys) || vk_hostfs_exists("%s/phy80211", sys);
        vk_hx_attr(&d->xml, vk_hx_add(&d->xml, cap, "capability"), "type", "%s",
                   wireless ? "80211" : "80203");
    }
    return 0;
}

int vk_ndev_scan_net(vk_ndev_db *db)
{
    VK_AUTOSTRV ifs = vk_hostfs_list("", "/sys/class/net");
    for (size_t i = 0; ifs[i]; i++) {
        if (vk_streq(ifs[i], "bonding_masters"))
            continue; /* a control file, not an interface */
        if (scan_one(db, ifs[i]) < 0)
            return -1;
    }
    return 0;
}
