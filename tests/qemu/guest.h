/*
 * guest.h: helpers for tests that boot the tiny guest
 * (tests/guest/build-guest.sh) under real qemu: find or build it, write
 * its domain XML, and talk to its shell over the serial console stream.
 */
#ifndef VKT_GUEST_H
#define VKT_GUEST_H

#include <stdbool.h>
#include <virtkit/virtkit.h>

/* The guest's files: <dir>/vmlinuz and <dir>/initrd.gz. Builds them if
 * needed (cached). NULL with the reason in *why when that is impossible
 * (no qemu, no apt...). */
const char *vkt_guest_dir(char *why, size_t len);

/* A domain definition for the guest: TCG, q35, ACPI, a pty serial console,
 * 256 MiB. extra_devices is inserted into <devices>. Caller frees. */
char *vkt_guest_xml(const char *name, const char *type, const char *extra_devices);

/* A console session on a running domain. */
typedef struct vkt_console vkt_console;
vkt_console *vkt_console_open(virtkit_domain *dom);
void vkt_console_close(vkt_console *c);
/* Wait until `needle` appears in what the console printed since the last
 * call that consumed output (or since open). 0, or -1 after timeout_ms. */
int vkt_console_wait(vkt_console *c, const char *needle, int timeout_ms);
/* Run a shell command in the guest; its output (without the echo of the
 * command) is returned, caller frees; *rc gets its exit status. NULL on
 * timeout. */
char *vkt_console_run(vkt_console *c, const char *cmd, int timeout_ms, int *rc);
/* Everything received so far (for failure messages). */
const char *vkt_console_log(vkt_console *c);

/* Register the default event loop and run it in a detached thread for the
 * rest of the process (event callbacks, console streams). */
void vkt_run_event_loop_thread(void);

/* Teardown: destroy domain `name` at `uri` if it is still there. */
void vkt_destroy_leftover(const char *uri, const char *name);

/* Milliseconds since some fixed point (monotonic). */
long long vkt_now_ms(void);

#endif
