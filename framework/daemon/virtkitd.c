/*
 * virtkitd.c: the daemon that hosts the plugins for local and remote
 * clients (design section 5, docs/remote.md).
 *
 *   virtkitd [--daemon] [--pidfile FILE] [--config FILE] [--root DIR]
 *            [--listen] [--verbose]
 *   virtkitd --stdio-proxy [--socket PATH] [--readonly] [--root DIR]
 *
 * Life: read the configuration (errors stop the start, naming the file,
 * line and setting), optionally detach (the parent exits only once the
 * daemon is ready, with its status), lock the pid file, open the sockets
 * (or take them from systemd), start the server, then run the event loop
 * in this thread until SIGTERM/SIGINT. SIGHUP re-reads the configuration:
 * limits, keepalive, allowed DNs, access rules and log settings change for
 * the next call; a file with an error leaves everything as it was.
 * Stopping hangs up on clients and closes their connections; plugins keep
 * running domains (they reconnect to them at the next start).
 *
 * The daemon is a child subreaper: processes its plugins daemonise
 * (guests that must outlive a daemon restart) are reparented to it and
 * reaped at once, instead of lingering until a slow init gets to them.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "access.h"
#include "core.h"
#include "daemon_conf.h"
#include "daemon_sockets.h"
#include "evloop.h"
#include "fileutil.h"
#include "log.h"
#include "server.h"
#include "stdio_proxy.h"

typedef struct daemon_state {
    const char *config_path;
    bool config_given;
    vk_paths *paths;
    vkd_config cfg;
    vk_access *access;
    vk_server *server;
    vkd_sockets socks;
    bool tls;
    bool quit;
    bool verbose;
    int notify_fd;              /* --daemon: tells the waiting parent */
} daemon_state;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: virtkitd [OPTION]...\n"
            "The virtkit daemon: serves local and remote clients over UNIX sockets and TLS.\n\n"
            "  -d, --daemon          detach and run in the background\n"
            "  -p, --pidfile FILE    pid file (default RUN_DIR/virtkitd.pid)\n"
            "  -f, --config FILE     configuration (default CONFIG_DIR/virtkitd.conf)\n"
            "  -r, --root DIR        keep every path under DIR (also VIRTKIT_ROOT)\n"
            "  -l, --listen          listen for TLS clients (like tls.listen = true)\n"
            "  -v, --verbose         log at debug level\n"
            "      --stdio-proxy     connect stdin/stdout to the daemon socket (ssh)\n"
            "      --socket PATH     with --stdio-proxy: the socket to use\n"
            "      --readonly        with --stdio-proxy: use the read-only socket\n"
            "  -V, --version         print the version\n"
            "  -h, --help            this text\n");
}

/* ------------------------------------------------------------- logging -- */

static int apply_logging(const vkd_config *cfg, bool verbose, bool detached,
                         const vk_paths *paths)
{
    int lvl = verbose ? VK_LOG_DEBUG : vk_log_level_from_name(cfg->log_level);
    if (lvl < 0) {
        vk_error_set(VIRTKIT_ERR_CONF, VIRTKIT_SUB_DAEMON,
                     "log.level '%s' is not one of debug, info, warn, error, none",
                     cfg->log_level);
        return -1;
    }
    const char *out = cfg->log_output;
    VK_AUTOFREE(char *) deflog = NULL;
    if (vk_streq(out, "stderr") && detached) {
        /* stderr is /dev/null once detached: log to the log dir instead. */
        vk_mkdir_p(paths->log, 0700);
        out = deflog = vk_path_join(paths->log, "virtkitd.log");
    }
    if (vk_streq(out, "stderr"))
        vk_log_set_file(NULL);
    else if (vk_log_set_file(out) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot open log output '%s'", out);
        return -1;
    }
    vk_log_set_level((vk_log_level)lvl);
    return 0;
}

/* ----------------------------------------------------------- pid file -- */

static int pidfile_acquire(const char *path)
{
    VK_AUTOFREE(char *) dir = vk_strdup(path);
    if (vk_mkdir_p(dirname(dir), 0755) < 0)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot open pid file '%s'", path);
        return -1;
    }
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fcntl(fd, F_SETLK, &fl) < 0) {
        char buf[32] = { 0 };
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        (void)n;
        buf[strcspn(buf, "\n")] = 0;
        close(fd);
        vk_error_set(VIRTKIT_ERR_OPERATION_INVALID, VIRTKIT_SUB_DAEMON,
                     "another virtkitd (pid %s) holds the pid file '%s'", *buf ? buf : "?", path);
        return -1;
    }
    char pid[32];
    int l = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)l, 0) != l) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot write pid file '%s'", path);
        close(fd);
        return -1;
    }
    return fd; /* stays open: the lock lives as long as the daemon */
}

/* ---------------------------------------------------------- detaching -- */

/* Fork twice; the original process waits on a pipe for the daemon's
 * verdict, so "virtkitd --daemon" fails visibly when the start fails. */
static int daemonize(int *notify_fd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot create a pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot fork");
        return -1;
    }
    if (pid > 0) {
        close(p[1]);
        char msg[1024];
        ssize_t n = 0, r;
        while ((r = read(p[0], msg + n, sizeof(msg) - 1 - (size_t)n)) > 0)
            n += r;
        msg[n > 0 ? n : 0] = 0;
        waitpid(pid, NULL, 0);
        if (n > 0 && msg[0] == '0')
            _exit(0);
        fprintf(stderr, "virtkitd: %s\n", n > 1 ? msg + 1 : "the daemon exited during start");
        _exit(1);
    }
    close(p[0]);
    setsid();
    pid = fork();
    if (pid < 0)
        _exit(1);
    if (pid > 0)
        _exit(0);
    if (chdir("/") < 0)
        _exit(1);
    int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nul >= 0) {
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(nul, 2);
        close(nul);
    }
    *notify_fd = p[1];
    return 0;
}

static void notify_parent(daemon_state *d, bool ok, const char *msg)
{
    if (d->notify_fd < 0)
        return;
    VK_AUTOFREE(char *) s = vk_asprintf("%c%s", ok ? '0' : '1', msg ? msg : "");
    vk_write_all(d->notify_fd, s, strlen(s));
    close(d->notify_fd);
    d->notify_fd = -1;
}

/* systemd Type=notify: "READY=1" on $NOTIFY_SOCKET, if any. */
static void sd_notify_ready(void)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t l = strlen(path);
    if (l >= sizeof(sa.sun_path))
        return;
    memcpy(sa.sun_path, path, l);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    ssize_t r = sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + l));
    (void)r;
    close(fd);
}

/* ----------------------------------------------------------- children -- */

/* Reap exited children that are not a plugin's own (those a plugin waits
 * for are in our session; adopted daemons called setsid()). */
static void reap_orphans(void)
{
    pid_t me = getpid(), sid = getsid(0);
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid;
        if (vk_parse_int(e->d_name, &pid) < 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = 0;
        char *rp = strrchr(buf, ')');
        char state;
        int ppid, pgrp, session;
        if (!rp || sscanf(rp + 2, "%c %d %d %d", &state, &ppid, &pgrp, &session) != 4)
            continue;
        if (state == 'Z' && ppid == me && session != sid)
            waitpid(pid, NULL, WNOHANG);
    }
    closedir(d);
}

/* ------------------------------------------------------------- server -- */

static void server_config(const daemon_state *d, vk_server_config *sc, const char *evfile)
{
    *sc = (vk_server_config){
        .max_clients = d->cfg.max_clients,
        .workers = d->cfg.workers,
        .prio_workers = d->cfg.priority_workers,
        .max_requests = d->cfg.max_requests,
        .max_message = d->cfg.max_message_size,
        .keepalive_interval = d->cfg.keepalive_interval,
        .keepalive_count = d->cfg.keepalive_count,
        .open_timeout = d->cfg.open_timeout,
        .tls_allowed_dn = d->cfg.tls_allowed_dn,
        .access = d->access,
        .event_backlog = d->cfg.event_backlog,
        .event_file = evfile,
        .delay_proc = d->cfg.delay_procedure,
        .delay_ms = d->cfg.delay_ms,
    };
}

static vk_access *load_access(const vkd_config *cfg)
{
    if (vk_str_empty(cfg->access_file))
        return NULL;
    return vk_access_load(cfg->access_file);
}

static void reload(daemon_state *d)
{
    vkd_config cfg;
    if (vkd_config_load(&cfg, d->config_path, d->config_given, d->paths) < 0) {
        VK_ERROR("daemon", "reload refused, keeping the running configuration: %s",
                 vk_error_message());
        virtkit_error_clear();
        return;
    }
    vk_access *acc = load_access(&cfg);
    if (!acc && !vk_str_empty(cfg.access_file)) {
        VK_ERROR("daemon", "reload refused, keeping the running configuration: %s",
                 vk_error_message());
        vkd_config_clear(&cfg);
        virtkit_error_clear();
        return;
    }
    if (apply_logging(&cfg, d->verbose, d->notify_fd >= 0, d->paths) < 0) {
        VK_ERROR("daemon", "reload: %s", vk_error_message());
        virtkit_error_clear();
    }
    if (!vk_streq(cfg.rw_socket, d->cfg.rw_socket) || !vk_streq(cfg.ro_socket, d->cfg.ro_socket) ||
        cfg.tls_port != d->cfg.tls_port || !vk_streq(cfg.tls_address, d->cfg.tls_address))
        VK_WARN("daemon", "socket settings change only at the next start");
    vk_access *old = d->access;
    vkd_config_clear(&d->cfg);
    d->cfg = cfg;
    d->access = acc;
    vk_server_config sc;
    server_config(d, &sc, NULL);
    vk_server_reload(d->server, &sc);
    vk_access_free(old);
    VK_INFO("daemon", "configuration reloaded from %s (%zu access rule(s))", d->config_path,
            vk_access_count(d->access));
}

static void signal_cb(int watch, int fd, int events, void *opaque)
{
    daemon_state *d = opaque;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        switch (si.ssi_signo) {
        case SIGTERM:
        case SIGINT:
            VK_INFO("daemon", "signal %d: shutting down", (int)si.ssi_signo);
            d->quit = true;
            break;
        case SIGHUP:
            reload(d);
            break;
        case SIGCHLD:
            reap_orphans();
            break;
        }
    }
}

static int start_server(daemon_state *d)
{
    if (vkd_sockets_from_systemd(&d->cfg, &d->socks) < 0)
        return -1;
    /* A TCP socket from systemd (virtkitd-tls.socket) means TLS is wanted. */
    if (d->socks.tls >= 0)
        d->tls = true;
    vk_tls_ctx *tls = NULL;
    if (d->tls) {
        tls = vk_tls_server_new(d->cfg.tls_cert, d->cfg.tls_key, d->cfg.tls_ca, d->cfg.tls_crl,
                                d->cfg.tls_priority);
        if (!tls)
            return -1;
    }
    if (vkd_sockets_create(&d->cfg, d->tls, &d->socks) < 0) {
        vk_tls_ctx_free(tls);
        return -1;
    }
    vk_mkdir_p(d->paths->state, 0700);
    VK_AUTOFREE(char *) evfile = vk_path_join(d->paths->state, "virtkitd-events.pb");
    vk_server_config sc;
    server_config(d, &sc, evfile);
    d->server = vk_server_new(&sc);
    if (!d->server) {
        vk_tls_ctx_free(tls);
        return -1;
    }
    if (vk_server_add_unix(d->server, d->socks.rw, false) < 0 ||
        vk_server_add_unix(d->server, d->socks.ro, true) < 0)
        return -1;
    if (d->socks.tls >= 0 && vk_server_add_tls(d->server, d->socks.tls, tls) < 0)
        return -1;
    if (d->socks.tls < 0)
        vk_tls_ctx_free(tls);
    return vk_server_start(d->server);
}

static int run(daemon_state *d, bool detach, const char *pidfile)
{
    if (detach && daemonize(&d->notify_fd) < 0)
        return -1;
    if (apply_logging(&d->cfg, d->verbose, detach, d->paths) < 0)
        return -1;
    VK_AUTOFREE(char *) defpid = vk_path_join(d->paths->run, "virtkitd.pid");
    const char *pf = pidfile ? pidfile : defpid;
    int pidfd = pidfile_acquire(pf);
    if (pidfd < 0)
        return -1;
    d->access = load_access(&d->cfg);
    if (!d->access && !vk_str_empty(d->cfg.access_file))
        return -1;

    /* Signals go to the event loop, never to a random thread. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) {
        vk_error_system(errno, VIRTKIT_SUB_DAEMON, "cannot create a signalfd");
        return -1;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    /* Each client is a descriptor: use all the process may have. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (virtkit_event_register_default_impl() < 0 ||
        vk_event_add_handle(sfd, VIRTKIT_EVENT_HANDLE_READABLE, signal_cb, d, NULL) < 0)
        return -1;
    if (start_server(d) < 0)
        return -1;

    VK_INFO("daemon", "virtkitd %s ready: %s, %s%s%s", PACKAGE_VERSION, d->cfg.rw_socket,
            d->cfg.ro_socket, d->socks.tls >= 0 ? ", TLS port " : "",
            d->socks.tls >= 0 ? "open" : "");
    notify_parent(d, true, NULL);
    sd_notify_ready();
    while (!d->quit)
        vk_evloop_default_run_once();

    vk_server_stop(d->server);
    vk_server_free(d->server);
    d->server = NULL;
    vkd_sockets_unlink(&d->cfg, &d->socks);
    unlink(pf);
    close(pidfd);
    VK_INFO("daemon", "stopped");
    return 0;
}

int main(int argc, char **argv)
{
    enum { OPT_PROXY = 256, OPT_SOCKET, OPT_READONLY };
    static const struct option opts[] = {
        { "daemon", no_argument, NULL, 'd' },     { "pidfile", required_argument, NULL, 'p' },
        { "config", required_argument, NULL, 'f' }, { "root", required_argument, NULL, 'r' },
        { "listen", no_argument, NULL, 'l' },     { "verbose", no_argument, NULL, 'v' },
        { "version", no_argument, NULL, 'V' },    { "help", no_argument, NULL, 'h' },
        { "stdio-proxy", no_argument, NULL, OPT_PROXY },
        { "socket", required_argument, NULL, OPT_SOCKET },
        { "readonly", no_argument, NULL, OPT_READONLY },
        { NULL, 0, NULL, 0 },
    };
    daemon_state d = { .notify_fd = -1 };
    bool detach = false, proxy = false, proxy_ro = false;
    const char *pidfile = NULL, *sockpath = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "dp:f:r:lvVh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': detach = true; break;
        case 'p': pidfile = optarg; break;
        case 'f': d.config_path = optarg; d.config_given = true; break;
        case 'r': setenv("VIRTKIT_ROOT", optarg, 1); break;
        case 'l': d.tls = true; break;
        case 'v': d.verbose = true; break;
        case 'V': printf("virtkitd %s\n", PACKAGE_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        case OPT_PROXY: proxy = true; break;
        case OPT_SOCKET: sockpath = optarg; break;
        case OPT_READONLY: proxy_ro = true; break;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "virtkitd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    d.paths = vk_paths_new(NULL);
    if (proxy) {
        VK_AUTOFREE(char *) def = vk_paths_daemon_socket(d.paths, proxy_ro);
        int pr = vkd_stdio_proxy(sockpath ? sockpath : def);
        vk_paths_free(d.paths);
        return pr;
    }
    VK_AUTOFREE(char *) defconf = vk_path_join(d.paths->config, "virtkitd.conf");
    if (!d.config_path)
        d.config_path = defconf;
    if (vkd_config_load(&d.cfg, d.config_path, d.config_given, d.paths) < 0) {
        fprintf(stderr, "virtkitd: %s\n", vk_error_message());
        vk_paths_free(d.paths);
        return 1;
    }
    d.tls = d.tls || d.cfg.tls_listen;
    int r = run(&d, detach, pidfile);
    if (r < 0) {
        VK_AUTOFREE(char *) msg = vk_strdup(vk_error_message());
        if (d.notify_fd >= 0) {
            VK_ERROR("daemon", "cannot start: %s", msg);
            notify_parent(&d, false, msg);
        } else {
            fprintf(stderr, "virtkitd: %s\n", msg);
        }
    }
    vk_access_free(d.access);
    vkd_config_clear(&d.cfg);
    vk_paths_free(d.paths);
    return r < 0 ? 1 : 0;
}
