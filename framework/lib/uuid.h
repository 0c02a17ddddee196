/*
 * uuid.h: 16-byte UUIDs: random generation (version 4), parse, format.
 */
#ifndef VK_UUID_H
#define VK_UUID_H

#include "util.h"

#define VK_UUID_LEN 16
#define VK_UUID_STRLEN 37

void vk_uuid_generate(unsigned char uuid[VK_UUID_LEN]);
/* Accepts the canonical 8-4-4-4-12 form and 32 bare hex digits; 0 or -1
 * (error set naming the string). */
int vk_uuid_parse(const char *s, unsigned char uuid[VK_UUID_LEN]);
void vk_uuid_format(const unsigned char uuid[VK_UUID_LEN], char buf[VK_UUID_STRLEN]);
bool vk_uuid_is_null(const unsigned char uuid[VK_UUID_LEN]);

#endif
