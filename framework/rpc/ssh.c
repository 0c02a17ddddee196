/*
 * ssh.c: the ssh transport. The client runs the system ssh with a socket
 * pair as its stdin and stdout; on the far side "virtkitd --stdio-proxy"
 * connects to the daemon's UNIX socket as the ssh user, so the daemon sees
 * that user's peer credentials. Nothing is ever typed at a prompt
 * (BatchMode): keys come from the agent, ~/.ssh or ?keyfile=.
 *
 * URI parameters (libvirt's names where they exist):
 *   keyfile=PATH      identity file (ssh -i)
 *   known_hosts=PATH  known hosts file (ssh -o UserKnownHostsFile)
 *   no_verify=1       accept an unknown host key (StrictHostKeyChecking=no)
 *   command=PATH      the ssh binary (default: the one configure found)
 *   proxy=CMD         the far side's command instead of "virtkitd"
 *   socket=PATH       the daemon socket on the far side
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "error.h"
#include "remote.h"
#include "strbuf.h"

/* Quote for the remote shell: 'it'\''s'. */
static void add_shell_quoted(vk_strbuf *b, const char *s)
{
    vk_strbuf_addc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            vk_strbuf_add(b, "'\\''");
        else
            vk_strbuf_addc(b, *s);
    }
    vk_strbuf_addc(b, '\'');
}

int vk_remote_ssh_spawn(const vk_uri *u, bool readonly, vk_rpc_sock *s, int *errfd)
{
    if (!u->host) {
        vk_error_set(VIRTKIT_ERR_INVALID_URI, VIRTKIT_SUB_REMOTE,
                     "an ssh URI needs a host (driver+ssh://[user@]host/path)");
        return -1;
    }
    const char *ssh = vk_uri_param_get(u, "command");
    if (vk_str_empty(ssh))
        ssh = SSH_PATH;
    if (access(ssh, X_OK) < 0) {
        vk_error_set(VIRTKIT_ERR_NO_BINARY, VIRTKIT_SUB_REMOTE,
                     "cannot run ssh client '%s': %s", ssh, strerror(errno));
        return -1;
    }

    VK_AUTOSTRBUF remote = VK_STRBUF_INIT;
    const char *proxy = vk_uri_param_get(u, "proxy");
    if (vk_str_empty(proxy))
        vk_strbuf_add(&remote, "virtkitd");
    else
        add_shell_quoted(&remote, proxy);
    vk_strbuf_add(&remote, " --stdio-proxy");
    if (readonly)
        vk_strbuf_add(&remote, " --readonly");
    const char *sock = vk_uri_param_get(u, "socket");
    if (!vk_str_empty(sock)) {
        vk_strbuf_add(&remote, " --socket ");
        add_shell_quoted(&remote, sock);
    }

    const char *argv[32];
    size_t n = 0;
    char port[16];
    VK_AUTOFREE(char *) khosts = NULL;
    argv[n++] = ssh;
    argv[n++] = "-T";
    argv[n++] = "-e";
    argv[n++] = "none";
    argv[n++] = "-o";
    argv[n++] = "BatchMode=yes";
    if (u->port) {
        snprintf(port, sizeof(port), "%d", u->port);
        argv[n++] = "-p";
        argv[n++] = port;
    }
    if (u->user) {
        argv[n++] = "-l";
        argv[n++] = u->user;
    }
    const char *keyfile = vk_uri_param_get(u, "keyfile");
    if (!vk_str_empty(keyfile)) {
        argv[n++] = "-i";
        argv[n++] = keyfile;
    }
    const char *kh = vk_uri_param_get(u, "known_hosts");
    if (!vk_str_empty(kh)) {
        khosts = vk_asprintf("UserKnownHostsFile=%s", kh);
        argv[n++] = "-o";
        argv[n++] = khosts;
    }
    const char *nv = vk_uri_param_get(u, "no_verify");
    if (nv && (vk_streq(nv, "1") || vk_streq(nv, "yes"))) {
        argv[n++] = "-o";
        argv[n++] = "StrictHostKeyChecking=no";
    }
    argv[n++] = "--";
    argv[n++] = u->host;
    argv[n++] = vk_strbuf_str(&remote);
    argv[n] = NULL;

    int sv[2], ep[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_REMOTE, "cannot create a socket pair for ssh");
        return -1;
    }
    if (pipe2(ep, O_CLOEXEC) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_REMOTE, "cannot create a pipe for ssh");
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        vk_error_system(errno, VIRTKIT_SUB_REMOTE, "cannot start ssh");
        close(sv[0]);
        close(sv[1]);
        close(ep[0]);
        close(ep[1]);
        return -1;
    }
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        dup2(sv[1], 0);
        dup2(sv[1], 1);
        dup2(ep[1], 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        /* ssh must not grab the application's terminal. */
        setsid();
        execv(ssh, (char *const *)argv);
        _exit(127);
    }
    close(sv[1]);
    close(ep[1]);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    fcntl(ep[0], F_SETFL, fcntl(ep[0], F_GETFL) | O_NONBLOCK);
    s->fd = sv[0];
    s->child = pid;
    *errfd = ep[0];
    return 0;
}
