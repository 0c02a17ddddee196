/*
 * vk_cleanup.h: scope-bound cleanup for the core and the in-tree plugins.
 *
 * Tree-internal, never installed: the core (framework/lib/util.h) and the
 * plugins' helper library (plugins/common/vkc.h) both include it, so plugin
 * code reads like core code without plugins including framework/.
 *
 *   VK_AUTOFREE(char *) s = ...;      free(s) when s leaves scope
 *   VK_AUTOCLOSE fd = open(...);      close(fd) if >= 0
 *   VK_AUTOSTRV v = ...;              free a NULL-terminated string vector
 *   VK_DEFINE_AUTOPTR(t, t_free) then VK_AUTOPTR(t) p = ...;
 *   return VK_STEAL(s);               hand the pointer out, s becomes NULL
 */
#ifndef VK_CLEANUP_H
#define VK_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>

static inline void vk_freep(void *p)
{
    void **pp = (void **)p;
    free(*pp);
}

static inline void vk_closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}

static inline void vk_strv_freep(char ***v)
{
    if (!*v)
        return;
    for (char **s = *v; *s; s++)
        free(*s);
    free(*v);
}

#define VK_AUTOFREE(type) __attribute__((cleanup(vk_freep))) type
#define VK_AUTOCLOSE __attribute__((cleanup(vk_closep))) int
#define VK_AUTOSTRV __attribute__((cleanup(vk_strv_freep))) char **
#define VK_DEFINE_AUTOPTR(type, fn)                                                    \
    static inline void vk_autoptr_##type(type **p)                                     \
    {                                                                                  \
        if (*p)                                                                        \
            fn(*p);                                                                    \
    }
#define VK_AUTOPTR(type) __attribute__((cleanup(vk_autoptr_##type))) type *
#define VK_STEAL(p)                                                                    \
    ({                                                                                 \
        __typeof__(p) vk_steal_tmp_ = (p);                                             \
        (p) = NULL;                                                                    \
        vk_steal_tmp_;                                                                 \
    })
#define VK_STEAL_FD(fd)                                                                \
    ({                                                                                 \
        int vk_steal_fd_ = (fd);                                                       \
        (fd) = -1;                                                                     \
        vk_steal_fd_;                                                                  \
    })

#endif
