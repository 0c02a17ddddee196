/*
 * network_schema.c: the virtual network format (libvirt's <network>
 * subset): forward modes with NAT ranges and device pools, the bridge,
 * MTU and MAC, DNS (forwarders, hosts, SRV and TXT records), IPv4/IPv6
 * addresses with DHCP ranges and static hosts (with lease times), TFTP/BOOTP,
 * static routes, QoS, VLANs and port groups.
 *
 * The validate hook checks what a network backend would otherwise trip
 * over late: DHCP ranges and hosts inside their subnet, one DHCP server per
 * address family, unique hosts, well-formed prefixes and routes.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "common_schema.h"
#include "uuid.h"

/* ------------------------------------------------------------ forward -- */
static const vk_xelem e_nat_address = { "address", VK_XATTRS(VK_XA_REQ("start", ipaddr),
                                                             VK_XA_REQ("end", ipaddr)) };
static const vk_xelem e_nat_port = { "port", VK_XATTRS(VK_XA_REQ("start", port),
                                                       VK_XA_REQ("end", port)) };
static const vk_xelem e_nat = {
    "nat", VK_XATTRS(VK_XA("ipv6", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_nat_address), VK_XC_OPT(e_nat_port))
};
static const vk_xelem e_fwd_iface = { "interface", VK_XATTRS(VK_XA_REQ("dev", token),
                                                             VK_XA_RUNTIME("connections",
                                                                           uint)) };
static const vk_xelem e_fwd_pf = { "pf", VK_XATTRS(VK_XA_REQ("dev", token)) };
static const vk_xelem e_fwd_address = {
    "address", VK_XATTRS(VK_XA_ENUM_REQ("type", "pci"), VK_XA_REQ("domain", hex),
                         VK_XA_REQ("bus", hex), VK_XA_REQ("slot", hex),
                         VK_XA_REQ("function", hex))
};
static const vk_xelem e_fwd_driver = { "driver", VK_XATTRS(VK_XA_ENUM_REQ("name", "kvm", "vfio",
                                                                         "xen")) };

/* What each forward mode may carry. */
static const struct {
    const char *mode;
    const char *const *children;
} forward_rules[] = {
    { "nat", VK_XVALUES("nat", "interface") },
    { "route", VK_XVALUES("interface") },
    { "open", NULL },
    { "bridge", VK_XVALUES("interface") },
    { "private", VK_XVALUES("interface", "pf") },
    { "vepa", VK_XVALUES("interface", "pf") },
    { "passthrough", VK_XVALUES("interface", "pf") },
    { "hostdev", VK_XVALUES("pf", "address", "driver") },
};

static int forward_check(const vk_xnode *n)
{
    const char *mode = vk_xnode_attr(n, "mode");
    if (!mode)
        mode = "nat";
    for (size_t i = 0; i < VK_ARRAY_LEN(forward_rules); i++) {
        if (!vk_streq(forward_rules[i].mode, mode))
            continue;
        for (size_t c = 0; c < n->nchildren; c++) {
            if (!forward_rules[i].children ||
                !vk_strv_contains(forward_rules[i].children, n->children[c]->name)) {
                vk_xml_error(n->children[c], "<%s> does not apply to forward mode '%s'",
                             n->children[c]->name, mode);
                return -1;
            }
        }
    }
    if (vk_xnode_attr(n, "managed") && !vk_streq(mode, "hostdev")) {
        vk_xml_error(n, "managed applies only to forward mode 'hostdev'");
        return -1;
    }
    if (vk_xnode_count(n, "pf") && (vk_xnode_count(n, "interface") || vk_xnode_count(n, "address"))) {
        vk_xml_error(n, "a <pf> cannot be combined with an explicit device pool");
        return -1;
    }
    const char *dev = vk_xnode_attr(n, "dev");
    const vk_xnode *if0 = vk_xnode_child(n, "interface");
    if (dev && if0 && !vk_streq(dev, vk_xnode_attr(if0, "dev"))) {
        vk_xml_error(n, "dev='%s' does not match the first <interface dev='%s'>", dev,
                     vk_xnode_attr(if0, "dev"));
        return -1;
    }
    const vk_xnode *port = vk_xnode_child(vk_xnode_child(n, "nat"), "port");
    unsigned int ps = 0, pe = 0;
    if (port) {
        vk_parse_uint(vk_xnode_attr(port, "start"), &ps);
        vk_parse_uint(vk_xnode_attr(port, "end"), &pe);
        if (ps == 0 || ps > pe) {
            vk_xml_error(port, "NAT port range %u-%u is not valid (1-65535, start <= end)", ps,
                         pe);
            return -1;
        }
    }
    return 0;
}

static const vk_xelem e_forward = {
    "forward",
    VK_XATTRS(VK_XA_ENUM("mode", "nat", "route", "open", "bridge", "private", "vepa",
                         "passthrough", "hostdev"),
              VK_XA("dev", token), VK_XA("managed", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_nat), VK_XC_ANY(e_fwd_pf), VK_XC_ANY(e_fwd_iface),
                 VK_XC_ANY(e_fwd_address), VK_XC_OPT(e_fwd_driver)),
    NULL, NULL, 0, forward_check
};

/* ----------------------------------------------------- bridge and dns -- */
static int bridge_check(const vk_xnode *n)
{
    const char *name = vk_xnode_attr(n, "name");
    if (name && strlen(name) > 15) {
        vk_xml_error(n, "bridge name '%s' is longer than 15 characters", name);
        return -1;
    }
    return 0;
}
static const vk_xelem e_bridge = {
    "bridge", VK_XATTRS(VK_XA("name", token), VK_XA("stp", onoff), VK_XA("delay", uint),
                        VK_XA_ENUM("macTableManager", "kernel", "libvirt"), VK_XA("zone", token)),
    NULL, NULL, NULL, 0, bridge_check
};
static int mtu_check(const vk_xnode *n)
{
    unsigned int size = 0;
    if (vk_parse_uint(vk_xnode_attr(n, "size"), &size) < 0 || size < 68 || size > 65535) {
        vk_xml_error(n, "MTU %s is out of range (68-65535)", vk_xnode_attr(n, "size"));
        return -1;
    }
    return 0;
}
static const vk_xelem e_mtu = { "mtu", VK_XATTRS(VK_XA_REQ("size", uint)), NULL, NULL, NULL, 0,
                                mtu_check };
static const vk_xelem e_mac = { "mac", VK_XATTRS(VK_XA_REQ("address", mac)) };
static const vk_xelem e_domainname = { "domain", VK_XATTRS(VK_XA_REQ("name", token),
                                                           VK_XA("localOnly", yesno),
                                                           VK_XA("register", yesno)) };

static const vk_xelem e_dns_fwd = { "forwarder", VK_XATTRS(VK_XA("addr", ipaddr),
                                                           VK_XA("domain", token)) };
static const vk_xelem e_dns_txt = { "txt", VK_XATTRS(VK_XA_REQ("name", token),
                                                     VK_XA_REQ("value", string)) };
static const vk_xelem e_dns_host_name = { "hostname", NULL, NULL, &vk_xt_token };
static const vk_xelem e_dns_host = { "host", VK_XATTRS(VK_XA_REQ("ip", ipaddr)),
                                     VK_XCHILDREN(VK_XC_MANY(e_dns_host_name)) };
static int srv_check(const vk_xnode *n)
{
    if (vk_xnode_attr(n, "target") && !vk_xnode_attr(n, "port")) {
        vk_xml_error(n, "an SRV record with a target needs a port");
        return -1;
    }
    return 0;
}
static const vk_xelem e_dns_srv = {
    "srv", VK_XATTRS(VK_XA_REQ("service", token), VK_XA_ENUM_REQ("protocol", "tcp", "udp"),
                     VK_XA("domain", token), VK_XA("target", token), VK_XA("port", port),
                     VK_XA("priority", port), VK_XA("weight", port)),
    NULL, NULL, NULL, 0, srv_check
};
static int dns_check(const vk_xnode *n)
{
    if (vk_streq(vk_xnode_attr(n, "enable"), "no") && n->nchildren) {
        vk_xml_error(n, "dns enable='no' takes no records or forwarders");
        return -1;
    }
    for (size_t i = 0; i < vk_xnode_count(n, "forwarder"); i++) {
        const vk_xnode *f = vk_xnode_child_nth(n, "forwarder", i);
        if (!vk_xnode_attr(f, "addr") && !vk_xnode_attr(f, "domain")) {
            vk_xml_error(f, "a forwarder needs an 'addr', a 'domain' or both");
            return -1;
        }
    }
    return 0;
}
static const vk_xelem e_dns = {
    "dns", VK_XATTRS(VK_XA("enable", yesno), VK_XA("forwardPlainNames", yesno)),
    VK_XCHILDREN(VK_XC_ANY(e_dns_fwd), VK_XC_ANY(e_dns_txt), VK_XC_ANY(e_dns_host),
                 VK_XC_ANY(e_dns_srv)),
    NULL, NULL, 0, dns_check
};

/* ----------------------------------------------------------------- ip -- */
static const vk_xelem e_lease = {
    "lease", VK_XATTRS(VK_XA_REQ("expiry", ulong), VK_XA_ENUM("unit", "seconds", "minutes",
                                                              "hours"))
};
static const vk_xelem e_range = { "range", VK_XATTRS(VK_XA_REQ("start", ipaddr),
                                                     VK_XA_REQ("end", ipaddr)),
                                  VK_XCHILDREN(VK_XC_OPT(e_lease)) };
static const vk_xelem e_dhcp_host = {
    "host", VK_XATTRS(VK_XA("mac", mac), VK_XA("id", token), VK_XA("name", token),
                      VK_XA("ip", ipaddr)),
    VK_XCHILDREN(VK_XC_OPT(e_lease))
};
static const vk_xelem e_bootp = { "bootp", VK_XATTRS(VK_XA_REQ("file", string),
                                                     VK_XA("server", token)) };
static const vk_xelem e_dhcp = {
    "dhcp", NULL, VK_XCHILDREN(VK_XC_ANY(e_range), VK_XC_ANY(e_dhcp_host), VK_XC_OPT(e_bootp))
};
static const vk_xelem e_tftp = { "tftp", VK_XATTRS(VK_XA_REQ("root", abspath)) };
static const vk_xelem e_ip = {
    "ip", VK_XATTRS(VK_XA_ENUM("family", "ipv4", "ipv6"), VK_XA("address", ipaddr),
                    VK_XA("netmask", ipaddr), VK_XA("prefix", uint), VK_XA("localPtr", yesno)),
    VK_XCHILDREN(VK_XC_OPT(e_tftp), VK_XC_OPT(e_dhcp))
};
static const vk_xelem e_route = {
    "route", VK_XATTRS(VK_XA_ENUM("family", "ipv4", "ipv6"), VK_XA_REQ("address", ipaddr),
                       VK_XA("prefix", uint), VK_XA("netmask", ipaddr),
                       VK_XA_REQ("gateway", ipaddr), VK_XA("metric", uint))
};
static const vk_xelem e_portgroup = {
    "portgroup", VK_XATTRS(VK_XA_REQ("name", token), VK_XA("default", yesno)),
    VK_XCHILDREN(VK_XC_OPT(vk_xe_virtualport), VK_XC_OPT(vk_xe_bandwidth), VK_XC_OPT(vk_xe_vlan))
};

static const vk_xelem e_network = {
    "network", VK_XATTRS(VK_XA_RUNTIME("connections", uint), VK_XA("ipv6", yesno),
                         VK_XA("trustGuestRxFilters", yesno)),
    VK_XCHILDREN(VK_XC_ONE(vk_xe_name), VK_XC_OPT(vk_xe_uuid), VK_XC_OPT(vk_xe_title),
                 VK_XC_OPT(vk_xe_description), VK_XC_OPT(vk_xe_metadata), VK_XC_OPT(e_forward),
                 VK_XC_OPT(e_bridge), VK_XC_OPT(e_mtu), VK_XC_OPT(e_mac),
                 VK_XC_OPT(e_domainname), VK_XC_OPT(e_dns), VK_XC_OPT(vk_xe_virtualport),
                 VK_XC_OPT(vk_xe_bandwidth), VK_XC_OPT(vk_xe_vlan), VK_XC_ANY(e_portgroup),
                 VK_XC_ANY(e_ip), VK_XC_ANY(e_route)),
    NULL, NULL, VK_XE_FOREIGN
};

/* --------------------------------------------------------- addressing -- */

typedef struct ipnet {
    int family;               /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned int prefix;
} ipnet;

static int ip_parse(const char *s, int *family, unsigned char out[16])
{
    *family = s && strchr(s, ':') ? AF_INET6 : AF_INET;
    return s && inet_pton(*family, s, out) == 1 ? 0 : -1;
}

static size_t ip_len(int family)
{
    return family == AF_INET6 ? 16 : 4;
}

/* A contiguous netmask's prefix length, or -1. */
static int netmask_prefix(const unsigned char m[4])
{
    int p = 0;
    bool zero = false;
    for (int i = 0; i < 32; i++) {
        bool bit = m[i / 8] & (0x80 >> (i % 8));
        if (bit && zero)
            return -1;
        if (bit)
            p++;
        else
            zero = true;
    }
    return p;
}

static bool ip_in_net(const ipnet *net, int family, const unsigned char *a)
{
    if (family != net->family)
        return false;
    for (unsigned int i = 0; i < net->prefix; i++) {
        unsigned char mask = (unsigned char)(0x80 >> (i % 8));
        if ((a[i / 8] & mask) != (net->addr[i / 8] & mask))
            return false;
    }
    return true;
}

static int ip_cmp(const unsigned char *a, const unsigned char *b, size_t len)
{
    return memcmp(a, b, len);
}

/* Family, address and prefix of an <ip> or <route> (address required). */
static int net_of(const vk_xnode *n, ipnet *net)
{
    const char *addr = vk_xnode_attr(n, "address");
    const char *mask = vk_xnode_attr(n, "netmask");
    const char *prefix = vk_xnode_attr(n, "prefix");
    const char *family = vk_xnode_attr(n, "family");
    if (!addr) {
        vk_xml_error(n, "needs an 'address'");
        return -1;
    }
    ip_parse(addr, &net->family, net->addr);
    if (family && vk_streq(family, "ipv6") != (net->family == AF_INET6)) {
        vk_xml_error(n, "address %s is not an %s address", addr, family);
        return -1;
    }
    if (mask && prefix) {
        vk_xml_error(n, "give a netmask or a prefix, not both");
        return -1;
    }
    unsigned int max = net->family == AF_INET6 ? 128 : 32;
    net->prefix = max;
    if (mask) {
        unsigned char m[16];
        int mf;
        int p = -1;
        if (net->family == AF_INET6) {
            vk_xml_error(n, "IPv6 addresses take a prefix, not a netmask");
            return -1;
        }
        if (ip_parse(mask, &mf, m) == 0 && mf == AF_INET)
            p = netmask_prefix(m);
        if (p < 0) {
            vk_xml_error(n, "netmask %s is not a contiguous IPv4 netmask", mask);
            return -1;
        }
        net->prefix = (unsigned int)p;
    } else if (prefix) {
        vk_parse_uint(prefix, &net->prefix);
        if (net->prefix > max) {
            vk_xml_error(n, "prefix %s is out of range (0-%u)", prefix, max);
            return -1;
        }
    } else if (vk_streq(n->name, "ip") && net->family == AF_INET6) {
        vk_xml_error(n, "IPv6 address %s needs a prefix", addr);
        return -1;
    }
    return 0;
}

static int check_ip_dhcp(const vk_xnode *ipn, const ipnet *net)
{
    const vk_xnode *dhcp = vk_xnode_child(ipn, "dhcp");
    size_t alen = ip_len(net->family);
    for (size_t i = 0; i < vk_xnode_count(dhcp, "range"); i++) {
        const vk_xnode *r = vk_xnode_child_nth(dhcp, "range", i);
        unsigned char s[16], e[16];
        int fs, fe;
        ip_parse(vk_xnode_attr(r, "start"), &fs, s);
        ip_parse(vk_xnode_attr(r, "end"), &fe, e);
        if (!ip_in_net(net, fs, s) || !ip_in_net(net, fe, e)) {
            vk_xml_error(r, "DHCP range %s-%s is not inside %s/%u", vk_xnode_attr(r, "start"),
                         vk_xnode_attr(r, "end"), vk_xnode_attr(ipn, "address"), net->prefix);
            return -1;
        }
        if (ip_cmp(s, e, alen) > 0) {
            vk_xml_error(r, "DHCP range %s-%s runs backwards", vk_xnode_attr(r, "start"),
                         vk_xnode_attr(r, "end"));
            return -1;
        }
    }
    size_t nh = vk_xnode_count(dhcp, "host");
    for (size_t i = 0; i < nh; i++) {
        const vk_xnode *h = vk_xnode_child_nth(dhcp, "host", i);
        const char *ip = vk_xnode_attr(h, "ip");
        unsigned char a[16];
        int fa;
        if (net->family == AF_INET && !vk_xnode_attr(h, "mac") && !vk_xnode_attr(h, "name")) {
            vk_xml_error(h, "an IPv4 DHCP host needs a 'mac' or a 'name'");
            return -1;
        }
        if (net->family == AF_INET6 && vk_xnode_attr(h, "mac")) {
            vk_xml_error(h, "IPv6 DHCP hosts are matched by 'id' or 'name', not 'mac'");
            return -1;
        }
        if (net->family == AF_INET6 && !vk_xnode_attr(h, "id") && !vk_xnode_attr(h, "name")) {
            vk_xml_error(h, "an IPv6 DHCP host needs an 'id' or a 'name'");
            return -1;
        }
        if (ip && (ip_parse(ip, &fa, a) < 0 || !ip_in_net(net, fa, a))) {
            vk_xml_error(h, "DHCP host address %s is not inside %s/%u", ip,
                         vk_xnode_attr(ipn, "address"), net->prefix);
            return -1;
        }
    }
    static const char *const keys[] = { "mac", "id", "name", "ip" };
    for (size_t k = 0; k < VK_ARRAY_LEN(keys); k++) {
        const vk_xnode *dup = vk_schema_find_repeat(dhcp, "host", keys[k]);
        if (dup) {
            vk_xml_error(dup, "DHCP host %s '%s' is listed twice", keys[k],
                         vk_xnode_attr(dup, keys[k]));
            return -1;
        }
    }
    if (vk_xnode_child(dhcp, "bootp") && net->family != AF_INET) {
        vk_xml_error(dhcp, "<bootp> applies only to IPv4");
        return -1;
    }
    return 0;
}

static int network_validate(const vk_xnode *n)
{
    bool dhcp_v4 = false, dhcp_v6 = false;
    const char *mode = vk_xnode_attr(vk_xnode_child(n, "forward"), "mode");
    bool has_fwd = vk_xnode_child(n, "forward") != NULL;
    if (!mode && has_fwd)
        mode = "nat";
    bool hostside = !has_fwd || vk_streq(mode, "nat") || vk_streq(mode, "route") ||
                    vk_streq(mode, "open");
    size_t nip = vk_xnode_count(n, "ip");
    for (size_t i = 0; i < nip; i++) {
        const vk_xnode *ipn = vk_xnode_child_nth(n, "ip", i);
        ipnet net;
        if (net_of(ipn, &net) < 0 || check_ip_dhcp(ipn, &net) < 0)
            return -1;
        if (!hostside) {
            vk_xml_error(ipn, "<ip> does not apply to forward mode '%s': the network has no "
                              "host address", mode);
            return -1;
        }
        bool v6 = net.family == AF_INET6;
        if (vk_xnode_child(ipn, "dhcp")) {
            if (v6 ? dhcp_v6 : dhcp_v4) {
                vk_xml_error(ipn, "only one %s address may serve DHCP", v6 ? "IPv6" : "IPv4");
                return -1;
            }
            *(v6 ? &dhcp_v6 : &dhcp_v4) = true;
        }
        if (vk_xnode_child(ipn, "tftp") && v6) {
            vk_xml_error(ipn, "<tftp> applies only to IPv4");
            return -1;
        }
    }
    for (size_t i = 0; i < vk_xnode_count(n, "route"); i++) {
        const vk_xnode *r = vk_xnode_child_nth(n, "route", i);
        ipnet net;
        if (net_of(r, &net) < 0)
            return -1;
        unsigned char g[16];
        int gf;
        ip_parse(vk_xnode_attr(r, "gateway"), &gf, g);
        if (gf != net.family) {
            vk_xml_error(r, "gateway %s is not in the family of route %s",
                         vk_xnode_attr(r, "gateway"), vk_xnode_attr(r, "address"));
            return -1;
        }
        bool reachable = false;
        for (size_t k = 0; k < nip; k++) {
            ipnet in;
            if (net_of(vk_xnode_child_nth(n, "ip", k), &in) == 0)
                reachable |= ip_in_net(&in, gf, g);
        }
        if (!reachable) {
            vk_xml_error(r, "gateway %s is not inside any <ip> of the network",
                         vk_xnode_attr(r, "gateway"));
            return -1;
        }
    }
    const vk_xnode *nat = vk_xnode_child(vk_xnode_child(n, "forward"), "nat");
    const vk_xnode *na = vk_xnode_child(nat, "address");
    if (na) {
        unsigned char s[16], e[16];
        int fs, fe;
        ip_parse(vk_xnode_attr(na, "start"), &fs, s);
        ip_parse(vk_xnode_attr(na, "end"), &fe, e);
        if (fs != AF_INET || fe != AF_INET || memcmp(s, e, 4) > 0) {
            vk_xml_error(na, "NAT address range %s-%s is not a valid IPv4 range",
                         vk_xnode_attr(na, "start"), vk_xnode_attr(na, "end"));
            return -1;
        }
    }
    if (vk_streq(mode, "bridge") && !vk_xnode_attr(vk_xnode_child(n, "bridge"), "name") &&
        !vk_xnode_count(vk_xnode_child(n, "forward"), "interface") &&
        !vk_xnode_child(n, "virtualport")) {
        vk_xml_error(vk_xnode_child(n, "forward"), "forward mode 'bridge' needs <bridge "
                                                   "name='...'> or a forward <interface>");
        return -1;
    }
    if (!hostside && (vk_xnode_child(n, "dns") || vk_xnode_child(n, "domain") ||
                      vk_xnode_child(n, "mac"))) {
        vk_xml_error(n, "dns, domain and mac do not apply to forward mode '%s'", mode);
        return -1;
    }
    size_t ndefault = 0;
    for (size_t i = 0; i < vk_xnode_count(n, "portgroup"); i++)
        ndefault += vk_streq(vk_xnode_attr(vk_xnode_child_nth(n, "portgroup", i), "default"),
                             "yes");
    const vk_xnode *dup = vk_schema_find_repeat(n, "portgroup", "name");
    if (dup) {
        vk_xml_error(dup, "portgroup '%s' is defined twice", vk_xnode_attr(dup, "name"));
        return -1;
    }
    if (ndefault > 1) {
        vk_xml_error(n, "only one portgroup can be the default, not %zu", ndefault);
        return -1;
    }
    return 0;
}

/* libvirt's defaults for networks the host routes for (nat, route, open
 * and isolated ones): forward mode nat when <forward> has none, a bridge
 * with STP on and no forward delay, and a MAC for the bridge so the guest
 * facing address is stable across restarts. The bridge name itself is the
 * backend's choice (it knows which virbrN are free). */
static int network_defaults(vk_xnode *n)
{
    vk_def_default_uuid(n);
    vk_xnode *fwd = vk_xnode_child(n, "forward");
    if (fwd && !vk_xnode_attr(fwd, "mode"))
        vk_xnode_set_attr(fwd, "mode", "nat");
    const char *mode = vk_xnode_attr(fwd, "mode");
    if (fwd && !vk_streq(mode, "nat") && !vk_streq(mode, "route") && !vk_streq(mode, "open"))
        return 0;
    vk_xnode *br = vk_xnode_child(n, "bridge");
    if (!br) {
        br = vk_xnode_new("bridge", &e_bridge);
        vk_schema_insert(n, br);
    }
    if (!vk_xnode_attr(br, "stp"))
        vk_xnode_set_attr(br, "stp", "on");
    if (!vk_xnode_attr(br, "delay"))
        vk_xnode_set_attr(br, "delay", "0");
    if (!vk_xnode_child(n, "mac")) {
        unsigned char r[VK_UUID_LEN];
        char mac[18];
        vk_uuid_generate(r);
        snprintf(mac, sizeof(mac), "52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
        vk_xnode *m = vk_xnode_new("mac", &e_mac);
        vk_xnode_set_attr(m, "address", mac);
        vk_schema_insert(n, m);
    }
    return 0;
}

const vk_xkind vk_network_kind = {
    .kind = VKP_DEF_NETWORK,
    .what = "network",
    .root = &e_network,
    .validate = network_validate,
    .defaults = network_defaults,
    .rng_file = "network.rng",
};
