/*
 * network_schema.c: the virtual network format (libvirt's <network>
 * subset): name, uuid, bridge, forward, mac, ip with DHCP ranges and
 * static hosts, domain, dns.
 */
#include "config.h"

#include <stdio.h>

#include "defs.h"
#include "uuid.h"

static const vk_xelem e_name = { "name", NULL, NULL, &vk_xt_name };
static const vk_xelem e_uuid = { "uuid", NULL, NULL, &vk_xt_uuid };
static const vk_xelem e_title = { "title", NULL, NULL, &vk_xt_string };
static const vk_xelem e_description = { "description", NULL, NULL, &vk_xt_string };
static const vk_xelem e_metadata = { "metadata", NULL, NULL, NULL, NULL, VK_XE_VERBATIM };
static const vk_xelem e_fwd_iface = { "interface", VK_XATTRS(VK_XA_REQ("dev", token)) };
static const vk_xelem e_forward = {
    "forward", VK_XATTRS(VK_XA_ENUM("mode", "nat", "route", "open", "bridge", "private",
                                    "vepa", "passthrough"),
                         VK_XA("dev", token)),
    VK_XCHILDREN(VK_XC_ANY(e_fwd_iface))
};
static const vk_xelem e_bridge = {
    "bridge", VK_XATTRS(VK_XA("name", token), VK_XA_ENUM("stp", "on", "off"),
                        VK_XA("delay", uint))
};
static const vk_xelem e_mac = { "mac", VK_XATTRS(VK_XA_REQ("address", mac)) };
static const vk_xelem e_domainname = { "domain", VK_XATTRS(VK_XA_REQ("name", token),
                                                           VK_XA("localOnly", yesno)) };
static const vk_xelem e_range = { "range", VK_XATTRS(VK_XA_REQ("start", ipaddr),
                                                     VK_XA_REQ("end", ipaddr)) };
static const vk_xelem e_host = {
    "host", VK_XATTRS(VK_XA("mac", mac), VK_XA("name", token), VK_XA_REQ("ip", ipaddr))
};
static const vk_xelem e_dhcp = { "dhcp", NULL, VK_XCHILDREN(VK_XC_ANY(e_range), VK_XC_ANY(e_host)) };
static const vk_xelem e_ip = {
    "ip", VK_XATTRS(VK_XA("address", ipaddr), VK_XA("netmask", ipaddr), VK_XA("prefix", uint),
                    VK_XA_ENUM("family", "ipv4", "ipv6")),
    VK_XCHILDREN(VK_XC_OPT(e_dhcp))
};
static const vk_xelem e_dns_host_name = { "hostname", NULL, NULL, &vk_xt_token };
static const vk_xelem e_dns_host = { "host", VK_XATTRS(VK_XA_REQ("ip", ipaddr)),
                                     VK_XCHILDREN(VK_XC_MANY(e_dns_host_name)) };
static const vk_xelem e_dns_fwd = { "forwarder", VK_XATTRS(VK_XA("addr", ipaddr),
                                                           VK_XA("domain", token)) };
static const vk_xelem e_dns = {
    "dns", VK_XATTRS(VK_XA("enable", yesno)),
    VK_XCHILDREN(VK_XC_ANY(e_dns_fwd), VK_XC_ANY(e_dns_host))
};
static const vk_xelem e_mtu = { "mtu", VK_XATTRS(VK_XA_REQ("size", uint)) };

static const vk_xelem e_network = {
    "network", VK_XATTRS(VK_XA_RUNTIME("connections", uint)),
    VK_XCHILDREN(VK_XC_ONE(e_name), VK_XC_OPT(e_uuid), VK_XC_OPT(e_title),
                 VK_XC_OPT(e_description), VK_XC_OPT(e_metadata), VK_XC_OPT(e_forward),
                 VK_XC_OPT(e_bridge), VK_XC_OPT(e_mtu), VK_XC_OPT(e_mac),
                 VK_XC_OPT(e_domainname), VK_XC_OPT(e_dns), VK_XC_ANY(e_ip)),
    NULL, NULL, VK_XE_FOREIGN
};

static int network_defaults(vk_xnode *n)
{
    if (!vk_xnode_child(n, "uuid")) {
        unsigned char u[VK_UUID_LEN];
        char buf[VK_UUID_STRLEN];
        vk_uuid_generate(u);
        vk_uuid_format(u, buf);
        if (vk_def_set(n, "uuid", buf) < 0)
            return -1;
    }
    return 0;
}

const vk_xkind vk_network_kind = {
    .kind = VKP_DEF_NETWORK,
    .what = "network",
    .root = &e_network,
    .defaults = network_defaults,
    .rng_file = "network.rng",
};
