/*
 * qemu_net.c: host side of a domain's interfaces, per interface type (the
 * table at the end). bridge and ethernet get a tap device created here, as
 * root, and handed to qemu as an fd (qemu never needs CAP_NET_ADMIN, and
 * the tap goes away with qemu's last fd); user networking needs nothing
 * on the host. Managed networks (type 'network') plug in here once the
 * network plugins can tell a network's bridge: the builder refuses them
 * by name until then.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "qemu.h"

char *qemu_tap_name_for(qemu_dom *d, const vkp_def *iface, size_t idx)
{
    (void)d;
    (void)idx;
    const char *t = qemu_def_str(iface, "target/@dev");
    return vkc_strdup(t ? t : "vktap%d");
}

static int ifreq_ioctl(int fd, unsigned long req, struct ifreq *ifr, const char *what,
                       const char *dev)
{
    if (ioctl(fd, req, ifr) < 0) {
        vkc_error_system(errno, "cannot %s for %s", what, dev);
        return -1;
    }
    return 0;
}

/* A tap for a bridge/ethernet interface: created here (root), handed to
 * qemu as an fd, gone when the last fd closes. */
static int prepare_tap(qemu_dom *d, const vkp_def *iface, qemu_net_res *res)
{
    const char *type = qemu_def_str(iface, "@type");
    VK_AUTOFREE(char *) want = qemu_tap_name_for(d, iface, 0);
    if (strlen(want) >= IFNAMSIZ) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "domain '%s': interface target dev '%s' is "
                 "longer than %d characters", d->name, want, IFNAMSIZ - 1);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        vkc_error_system(errno, "domain '%s': cannot open /dev/net/tun", d->name);
        return -1;
    }
    struct ifreq ifr = { 0 };
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", want);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ifreq_ioctl(fd, TUNSETIFF, &ifr, "create tap device", want) < 0) {
        close(fd);
        return -1;
    }
    char name[IFNAMSIZ];
    snprintf(name, sizeof(name), "%s", ifr.ifr_name);
    VK_AUTOCLOSE s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const char *mac = qemu_def_str(iface, "mac/@address");
    unsigned int m[6];
    if (mac && sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
        /* The host side gets 0xfe... so a bridge never takes the guest's
         * address as its own. */
        struct ifreq hw = { 0 };
        snprintf(hw.ifr_name, IFNAMSIZ, "%s", name);
        hw.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
        hw.ifr_hwaddr.sa_data[0] = (char)0xfe;
        for (int i = 1; i < 6; i++)
            hw.ifr_hwaddr.sa_data[i] = (char)m[i];
        if (ifreq_ioctl(s, SIOCSIFHWADDR, &hw, "set the MAC address", name) < 0)
            goto fail;
    }
    struct ifreq up = { 0 };
    snprintf(up.ifr_name, IFNAMSIZ, "%s", name);
    if (ifreq_ioctl(s, SIOCGIFFLAGS, &up, "read the flags", name) < 0)
        goto fail;
    up.ifr_flags |= IFF_UP;
    if (ifreq_ioctl(s, SIOCSIFFLAGS, &up, "bring up", name) < 0)
        goto fail;
    const char *bridge = qemu_def_str(iface, "source/@bridge");
    if (vkc_streq(type, "bridge")) {
        struct ifreq br = { 0 };
        snprintf(br.ifr_name, IFNAMSIZ, "%s", bridge);
        br.ifr_ifindex = (int)if_nametoindex(name);
        if (!if_nametoindex(bridge)) {
            QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': bridge '%s' does not exist",
                     d->name, bridge);
            goto fail;
        }
        if (ifreq_ioctl(s, SIOCBRADDIF, &br, "add the tap to the bridge", bridge) < 0)
            goto fail;
    }
    res->tap_fd = fd;
    res->tap_name = vkc_strdup(name);
    return 0;
fail:
    close(fd);
    return -1;
}

void qemu_net_release(const char *tap_name)
{
    /* Our taps are not persistent: the kernel removes them with the last
     * fd (qemu's). Nothing to do but say so in debug logs. */
    VKC_DEBUG("tap %s released", tap_name);
}

/* Interface types and their host side (NULL: nothing to prepare). */
static const struct {
    const char *type;
    int (*prepare)(qemu_dom *d, const vkp_def *iface, qemu_net_res *res);
} backends[] = {
    { "user", NULL },
    { "bridge", prepare_tap },
    { "ethernet", prepare_tap },
};

int qemu_net_prepare(qemu_dom *d, const vkp_def *iface, qemu_net_res *res)
{
    res->tap_fd = -1;
    res->tap_name = NULL;
    const char *type = qemu_def_str(iface, "@type");
    for (size_t i = 0; i < VKC_ARRAY_LEN(backends); i++)
        if (vkc_streq(backends[i].type, type))
            return backends[i].prepare ? backends[i].prepare(d, iface, res) : 0;
    return 0; /* the command-line builder names what is not supported */
}
