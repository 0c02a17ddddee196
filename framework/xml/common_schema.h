/*
 * common_schema.h: schema rows and helpers shared by several definition
 * kinds (domain, network, pool, volume): identity elements, the network
 * QoS/VLAN/virtual port elements that both <interface> and <network>
 * carry, and the uuid default.
 */
#ifndef VK_COMMON_SCHEMA_H
#define VK_COMMON_SCHEMA_H

#include "defs.h"

extern const vk_xelem vk_xe_name;        /* <name> object name */
extern const vk_xelem vk_xe_uuid;
extern const vk_xelem vk_xe_title;
extern const vk_xelem vk_xe_description;
extern const vk_xelem vk_xe_metadata;    /* kept verbatim */
extern const vk_xelem vk_xe_bandwidth;   /* inbound/outbound average peak burst floor */
extern const vk_xelem vk_xe_vlan;        /* trunk, tag id nativeMode */
extern const vk_xelem vk_xe_virtualport; /* type + parameters */

/* Add a random <uuid> to root when it has none. */
void vk_def_default_uuid(vk_xnode *root);

#endif
