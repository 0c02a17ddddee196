/*
 * qemu_console.c: an fd on a running domain's serial console for the
 * core's stream (virtkit console NAME). A pty console is opened by the
 * path qemu reported (in raw mode, so the host's line discipline does not
 * echo or translate); a unix socket console is connected to.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <termios.h>

#include "qemu.h"
#include "vkc_file.h"

/* The console element matching dev (an alias like "serial0"/"console0"),
 * or the first console, else the first serial. */
static const vkp_def *find_console(const vkp_def *live, const char *dev)
{
    static const char *const elems[] = { "devices/console", "devices/serial" };
    for (size_t e = 0; e < VKC_ARRAY_LEN(elems); e++) {
        size_t n = qemu_def_count(live, elems[e]);
        for (size_t i = 0; i < n; i++) {
            const vkp_def *c = qemu_def_child(live, elems[e], i);
            if (!dev || vkc_streq(qemu_def_str(c, "alias/@name"), dev))
                return c;
        }
    }
    return NULL;
}

int qemu_op_open_console(vkp_conn *c, const vkp_ref *ref, const char *dev, unsigned int flags,
                         int *fd_out)
{
    (void)flags;
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    int r = -1;
    pthread_mutex_lock(&d->lock);
    const vkp_def *con = d->proc && d->live ? find_console(d->live, dev) : NULL;
    bool active = d->proc != NULL;
    VK_AUTOFREE(char *) type = vkc_strdup(qemu_def_str(con, "@type"));
    VK_AUTOFREE(char *) path = vkc_strdup(qemu_def_str(con, "source/@path"));
    VK_AUTOFREE(char *) tty = vkc_strdup(qemu_def_str(con, "@tty"));
    VK_AUTOFREE(char *) mode = vkc_strdup(qemu_def_str(con, "source/@mode"));
    pthread_mutex_unlock(&d->lock);
    if (!active) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID, "domain '%s' is not running", d->name);
        goto out;
    }
    if (!con) {
        QEMU_ERR(VIRTKIT_ERR_NO_DEVICE, dev ? "domain '%s' has no console '%s'"
                                            : "domain '%s' has no console or serial port%s",
                 d->name, dev ? dev : "");
        goto out;
    }
    if (vkc_streq(type, "pty")) {
        const char *p = path ? path : tty;
        if (!p) {
            QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "domain '%s': the console's pty is not known",
                     d->name);
            goto out;
        }
        int fd = open(p, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            vkc_error_system(errno, "domain '%s': cannot open console %s", d->name, p);
            goto out;
        }
        struct termios t;
        if (tcgetattr(fd, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(fd, TCSANOW, &t);
        }
        *fd_out = fd;
        r = 0;
    } else if (vkc_streq(type, "unix") && path && (!mode || vkc_streq(mode, "bind"))) {
        int fd = vkc_unix_connect(path);
        if (fd >= 0) {
            *fd_out = fd;
            r = 0;
        }
    } else {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_INVALID,
                 "domain '%s': a console of type '%s' cannot be attached to (use pty or unix)",
                 d->name, type ? type : "?");
    }
out:
    qemu_dom_unref(d);
    return r;
}
