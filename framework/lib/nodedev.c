/*
 * nodedev.c: see nodedev.h. A first version with the root device only;
 * the sysfs enumeration lives in the node resources work (issue 6).
 */
#include "config.h"

#include <stdlib.h>

#include "error.h"
#include "nodedev.h"

int vk_nodedev_list(char ***names, char ***parents, unsigned int flags)
{
    *names = vk_alloc_n(2, sizeof(char *));
    *parents = vk_alloc_n(2, sizeof(char *));
    if (flags && !(flags & 1u)) /* VIRTKIT_LIST_NODEDEV_CAP_SYSTEM */
        return 0;
    (*names)[0] = vk_strdup("computer");
    return 1;
}

char *vk_nodedev_xml(const char *name)
{
    if (!vk_streq(name, "computer")) {
        vk_error_set(VIRTKIT_ERR_NO_NODEDEV, VIRTKIT_SUB_NODEDEV, "no node device named '%s'",
                     name);
        return NULL;
    }
    return vk_strdup("<device>\n  <name>computer</name>\n  <capability type='system'/>\n"
                     "</device>\n");
}
