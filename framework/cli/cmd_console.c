/*
 * cmd_console.c: `virtkit console DOMAIN`: bridges the terminal and the
 * domain's serial console stream with the default event loop. On a
 * terminal, input is raw and Ctrl+] leaves; with a pipe on stdin, input
 * is sent as it comes and the session ends when the guest side closes,
 * after --timeout seconds, or one second after stdin's end with no output.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#define ESCAPE_CHAR 0x1d /* Ctrl+] */

typedef struct {
    virtkit_stream *st;
    bool quit;
    bool stdin_eof;
    int64_t last_output_ms;
    int stdin_watch;
    int status;
} console_state;

static void on_stream(virtkit_stream *st, int events, void *opaque)
{
    console_state *s = opaque;
    char buf[4096];
    for (;;) {
        int n = virtkit_stream_recv(st, buf, sizeof(buf));
        if (n == -2)
            break;
        if (n <= 0) {
            if (n < 0) {
                cli_fail(NULL, "console");
                s->status = 1;
            }
            s->quit = true;
            return;
        }
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            s->quit = true;
        fflush(stdout);
        s->last_output_ms = vk_now_ms();
    }
    if (events & (VIRTKIT_EVENT_HANDLE_HANGUP | VIRTKIT_EVENT_HANDLE_ERROR))
        s->quit = true;
}

static int send_all(virtkit_stream *st, const char *buf, size_t n)
{
    while (n > 0) {
        int w = virtkit_stream_send(st, buf, n);
        if (w == -2) {
            struct pollfd p = { .fd = -1 };
            poll(&p, 0, 5);
            continue;
        }
        if (w < 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static void on_stdin(int watch, int fd, int events, void *opaque)
{
    console_state *s = opaque;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        s->stdin_eof = true;
        virtkit_event_remove_handle(watch);
        s->stdin_watch = -1;
        return;
    }
    if (isatty(fd)) {
        char *esc = memchr(buf, ESCAPE_CHAR, (size_t)n);
        if (esc) {
            n = esc - buf;
            s->quit = true;
        }
    }
    if (n > 0 && send_all(s->st, buf, (size_t)n) < 0) {
        cli_fail(NULL, "console");
        s->status = 1;
        s->quit = true;
    }
}

static void tick(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

int cli_cmd_console(cli_ctx *c)
{
    long long timeout = 0;
    if (cli_opt_int(c, "timeout", &timeout) < 0)
        return 2;
    if (virtkit_event_register_default_impl() < 0)
        return cli_fail(c, "event loop");
    virtkit_domain *d = cli_domain(c, cli_arg_str(c, 0));
    if (!d)
        return 1;
    console_state s = { .stdin_watch = -1 };
    s.st = virtkit_stream_new(c->conn, VIRTKIT_STREAM_NONBLOCK);
    if (!s.st || virtkit_domain_open_console(d, cli_opt_str(c, "devname"), s.st, 0) < 0) {
        int r = cli_fail(c, "console");
        if (s.st)
            virtkit_stream_free(s.st);
        virtkit_domain_free(d);
        return r;
    }
    bool tty = isatty(STDIN_FILENO);
    struct termios saved;
    if (tty) {
        fprintf(stderr, "Connected to domain '%s'\nEscape character is ^] (Ctrl + ])\n",
                virtkit_domain_get_name(d));
        tcgetattr(STDIN_FILENO, &saved);
        struct termios raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    }
    virtkit_stream_add_callback(s.st, VIRTKIT_EVENT_HANDLE_READABLE, on_stream, &s, NULL);
    s.stdin_watch =
        virtkit_event_add_handle(STDIN_FILENO, VIRTKIT_EVENT_HANDLE_READABLE, on_stdin, &s, NULL);
    int timer = virtkit_event_add_timeout(100, tick, NULL, NULL);
    int64_t start = vk_now_ms();
    s.last_output_ms = start;
    while (!s.quit) {
        if (virtkit_event_run_default_impl() < 0)
            break;
        int64_t now = vk_now_ms();
        if (timeout > 0 && now - start >= timeout * 1000)
            break;
        if (s.stdin_eof && !tty && now - s.last_output_ms >= 1000 && timeout == 0)
            break;
    }
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fprintf(stderr, "\n");
    }
    virtkit_event_remove_timeout(timer);
    if (s.stdin_watch >= 0)
        virtkit_event_remove_handle(s.stdin_watch);
    virtkit_stream_remove_callback(s.st);
    virtkit_stream_finish(s.st);
    virtkit_stream_free(s.st);
    virtkit_domain_free(d);
    return s.status;
}
