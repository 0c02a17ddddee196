/*
 * domain_priv.h: what the pieces of the domain format share. The tables
 * are split by topic (domain_schema.c: the domain and its tunables,
 * domain_devices.c: <devices>), the rules likewise (domain_address.c:
 * device addresses, domain_validate.c: checks across devices,
 * domain_defaults.c: the post-parse defaults step).
 */
#ifndef VK_DOMAIN_PRIV_H
#define VK_DOMAIN_PRIV_H

#include "defs.h"

/* <devices> and the shared <address> row. */
extern const vk_xelem vk_domain_devices;
extern const vk_xelem vk_domain_address;

/* <address>: canonical radix per type, then allowed fields and ranges. */
int vk_address_normalise(vk_xnode *n);
int vk_address_check(const vk_xnode *n);
/* A printable key of an address ("pci 0000:00:03.0", "drive ide 0:0:0:1")
 * for collision messages; NULL for types that cannot collide. Caller
 * frees. `bus_kind` names the drive bus (ide, sata, scsi, fdc). */
char *vk_address_key(const vk_xnode *addr, const char *bus_kind);
/* An all-zero PCI address: libvirt's way of saying "assign one". */
bool vk_address_pci_empty(const vk_xnode *addr);

/* "vda" -> 0, "sdab" -> 27, "hdc" -> 2: the index libvirt derives from a
 * disk target name (letters after the bus prefix, base 26); -1 if the name
 * does not have that shape. *prefix_len receives the prefix length. */
long vk_disk_name_index(const char *dev, size_t *prefix_len);
/* The bus a target name implies (vd -> virtio, sd -> scsi, hd -> ide,
 * xvd -> xen, fd -> fdc, ubd -> uml), NULL when none does. */
const char *vk_disk_bus_for_name(const char *dev);

/* The kind's validate hook: checks across elements (domain_validate.c). */
int vk_domain_validate(const vk_xnode *dom);
/* Checks across devices (duplicates, collisions), on the whole domain. */
int vk_domain_validate_devices(const vk_xnode *dom);

/* Machine family of a qemu/kvm domain: "q35", "pc", or NULL when the
 * domain is not an x86 qemu/kvm machine (no PCI layout is assigned). */
const char *vk_domain_machine_family(const vk_xnode *dom);

/* The defaults step for domains (domain_defaults.c). */
int vk_domain_defaults(vk_xnode *dom);

#endif
