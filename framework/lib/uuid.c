/*
 * uuid.c: see uuid.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <sys/random.h>

#include "error.h"
#include "uuid.h"

void vk_uuid_generate(unsigned char uuid[VK_UUID_LEN])
{
    size_t got = 0;
    while (got < VK_UUID_LEN) {
        ssize_t n = getrandom(uuid + got, VK_UUID_LEN - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int vk_uuid_parse(const char *s, unsigned char uuid[VK_UUID_LEN])
{
    const char *p = s;
    if (!s)
        goto bad;
    while (*p == ' ')
        p++;
    for (int i = 0; i < VK_UUID_LEN; i++) {
        if (*p == '-' && (i == 4 || i == 6 || i == 8 || i == 10))
            p++;
        int hi = hexval(p[0]);
        int lo = hi < 0 ? -1 : hexval(p[1]);
        if (hi < 0 || lo < 0)
            goto bad;
        uuid[i] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    while (*p == ' ')
        p++;
    if (*p)
        goto bad;
    return 0;
bad:
    vk_error_set(VIRTKIT_ERR_INVALID_ARG, VIRTKIT_SUB_CORE,
                 "'%s' is not a valid UUID (expected 8-4-4-4-12 hexadecimal digits)",
                 s ? s : "(null)");
    return -1;
}

void vk_uuid_format(const unsigned char u[VK_UUID_LEN], char buf[VK_UUID_STRLEN])
{
    snprintf(buf, VK_UUID_STRLEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
}

bool vk_uuid_is_null(const unsigned char uuid[VK_UUID_LEN])
{
    for (int i = 0; i < VK_UUID_LEN; i++)
        if (uuid[i])
            return false;
    return true;
}
