/*
 * nodedev_schema.c: node device and capabilities formats. Both are
 * documents virtkit writes (from sysfs and plugins) more than reads; the
 * tables still drive formatting and the RelaxNG files.
 */
#include "config.h"

#include "defs.h"

static const vk_xelem e_name = { "name", NULL, NULL, &vk_xt_string };
static const vk_xelem e_path = { "path", NULL, NULL, &vk_xt_abspath };
static const vk_xelem e_parent = { "parent", NULL, NULL, &vk_xt_string };
static const vk_xelem e_driver_name = { "name", NULL, NULL, &vk_xt_string };
static const vk_xelem e_driver = { "driver", NULL, VK_XCHILDREN(VK_XC_OPT(e_driver_name)) };
/* Capability bodies vary by type; they are kept as written. */
static const vk_xelem e_capability = {
    "capability", VK_XATTRS(VK_XA_REQ("type", token)), NULL, NULL, NULL, VK_XE_VERBATIM
};
static const vk_xelem e_device = {
    "device", NULL,
    VK_XCHILDREN(VK_XC_ONE(e_name), VK_XC_OPT(e_path), VK_XC_OPT(e_parent), VK_XC_OPT(e_driver),
                 VK_XC_ANY(e_capability))
};

const vk_xkind vk_nodedev_kind = {
    .kind = VKP_DEF_NODEDEV,
    .what = "node device",
    .root = &e_device,
    .rng_file = "nodedev.rng",
};

static const vk_xelem e_host = { "host", NULL, NULL, NULL, NULL, VK_XE_VERBATIM };
static const vk_xelem e_guest = { "guest", NULL, NULL, NULL, NULL, VK_XE_VERBATIM };
static const vk_xelem e_caps = {
    "capabilities", NULL, VK_XCHILDREN(VK_XC_ONE(e_host), VK_XC_ANY(e_guest))
};

const vk_xkind vk_caps_kind = {
    .kind = VK_DEF_CAPS,
    .what = "capabilities",
    .root = &e_caps,
    .rng_file = "capability.rng",
};
