/*
 * common_schema.c: see common_schema.h.
 */
#include "config.h"

#include "common_schema.h"
#include "uuid.h"

const vk_xelem vk_xe_name = { "name", NULL, NULL, &vk_xt_name };
const vk_xelem vk_xe_uuid = { "uuid", NULL, NULL, &vk_xt_uuid };
const vk_xelem vk_xe_title = { "title", NULL, NULL, &vk_xt_string };
const vk_xelem vk_xe_description = { "description", NULL, NULL, &vk_xt_string };
const vk_xelem vk_xe_metadata = { "metadata", NULL, NULL, NULL, NULL, VK_XE_VERBATIM };

/* Rates in KiB/s, burst in KiB: an average (or a floor) is what gives the
 * others meaning. */
static int bw_check(const vk_xnode *n)
{
    if (!vk_xnode_attr(n, "average") && !vk_xnode_attr(n, "floor")) {
        vk_xml_error(n, "needs an 'average' (or a 'floor') rate");
        return -1;
    }
    return 0;
}
static const vk_xelem e_bw_inbound = {
    "inbound", VK_XATTRS(VK_XA("average", ulong), VK_XA("peak", ulong), VK_XA("burst", ulong),
                         VK_XA("floor", ulong)),
    NULL, NULL, NULL, 0, bw_check
};
static const vk_xelem e_bw_outbound = {
    "outbound", VK_XATTRS(VK_XA("average", ulong), VK_XA("peak", ulong), VK_XA("burst", ulong)),
    NULL, NULL, NULL, 0, bw_check
};
const vk_xelem vk_xe_bandwidth = {
    "bandwidth", NULL, VK_XCHILDREN(VK_XC_OPT(e_bw_inbound), VK_XC_OPT(e_bw_outbound))
};

static int vlan_tag_check(const vk_xnode *n)
{
    unsigned int id = 0;
    if (vk_parse_uint(vk_xnode_attr(n, "id"), &id) < 0 || id > 4095) {
        vk_xml_error(n, "vlan id %s is out of range (0-4095)", vk_xnode_attr(n, "id"));
        return -1;
    }
    return 0;
}
static const vk_xelem e_vlan_tag = {
    "tag", VK_XATTRS(VK_XA_REQ("id", uint), VK_XA_ENUM("nativeMode", "tagged", "untagged")),
    NULL, NULL, NULL, 0, vlan_tag_check
};
static int vlan_check(const vk_xnode *n)
{
    if (vk_xnode_count(n, "tag") > 1 && vk_streq(vk_xnode_attr(n, "trunk"), "no")) {
        vk_xml_error(n, "several vlan tags need trunk='yes'");
        return -1;
    }
    return 0;
}
const vk_xelem vk_xe_vlan = { "vlan", VK_XATTRS(VK_XA("trunk", yesno)),
                              VK_XCHILDREN(VK_XC_MANY(e_vlan_tag)), NULL, NULL, 0, vlan_check };

static const vk_xelem e_vport_params = {
    "parameters", VK_XATTRS(VK_XA("managerid", uint), VK_XA("typeid", uint),
                            VK_XA("typeidversion", uint), VK_XA("instanceid", uuid),
                            VK_XA("profileid", token), VK_XA("interfaceid", uuid))
};
const vk_xelem vk_xe_virtualport = {
    "virtualport", VK_XATTRS(VK_XA_ENUM("type", "802.1Qbg", "802.1Qbh", "openvswitch",
                                        "midonet")),
    VK_XCHILDREN(VK_XC_OPT(e_vport_params))
};

void vk_def_default_uuid(vk_xnode *root)
{
    if (vk_xnode_child(root, "uuid"))
        return;
    unsigned char u[VK_UUID_LEN];
    char buf[VK_UUID_STRLEN];
    vk_uuid_generate(u);
    vk_uuid_format(u, buf);
    vk_xnode *n = vk_xnode_new("uuid", vk_schema_child(root->schema, "uuid"));
    vk_xnode_set_text(n, buf);
    vk_schema_insert(root, n);
}
