/*
 * remote.c: placeholder until the remote driver lands (issue #5): every
 * daemon URI fails with a clear error instead of crashing.
 */
#include "config.h"

#include "core.h"

static int remote_missing(void)
{
    vk_error_set(VIRTKIT_ERR_NO_SUPPORT, VIRTKIT_SUB_REMOTE,
                 "connections through virtkitd are not available in this build");
    return -1;
}

int vk_remote_open(virtkit_connect *conn, unsigned int flags)
{
    return remote_missing();
}

void vk_remote_close(vk_remote *r)
{
}

int vk_remote_is_alive(vk_remote *r)
{
    return 0;
}

int vk_remote_set_keepalive(vk_remote *r, int interval, unsigned int count)
{
    return remote_missing();
}

int vk_remote_events_wanted(virtkit_connect *conn, vk_event_kind kind, bool on)
{
    return remote_missing();
}

int vk_remote_open_console(virtkit_domain *dom, const char *dev, virtkit_stream *st,
                           unsigned int flags)
{
    return remote_missing();
}

int vk_remote_volume_transfer(virtkit_volume *vol, virtkit_stream *st, unsigned long long offset,
                              unsigned long long length, unsigned int flags, int for_write)
{
    return remote_missing();
}
