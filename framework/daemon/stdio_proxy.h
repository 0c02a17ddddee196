/*
 * stdio_proxy.h: "virtkitd --stdio-proxy" (the ssh transport's far end).
 */
#ifndef VKD_STDIO_PROXY_H
#define VKD_STDIO_PROXY_H

/* Copy stdin/stdout to and from the daemon socket until either side ends.
 * Returns the process exit status. */
int vkd_stdio_proxy(const char *socket_path);

#endif
