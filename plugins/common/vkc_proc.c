/*
 * vkc_proc.c: see vkc_proc.h.
 *
 * Between fork and exec the child only makes async-signal-safe calls
 * (everything it needs is prepared before the fork); a failure is sent to
 * the parent as a small fixed record over a close-on-exec pipe, and the
 * parent turns it into the error message. EOF on that pipe without a
 * record means exec succeeded.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vkc_file.h"
#include "vkc_proc.h"

enum spawn_step {
    STEP_SIGNALS = 1,
    STEP_SETSID,
    STEP_CGROUP,
    STEP_FDS,
    STEP_GROUPS,
    STEP_GID,
    STEP_UID,
    STEP_ACCESS,
    STEP_EXEC,
};

typedef struct {
    int step;
    int err;
    int index;
} spawn_failure;

static void child_fail(int errfd, int step, int index)
{
    spawn_failure f = { step, errno, index };
    ssize_t r = write(errfd, &f, sizeof(f));
    (void)r;
    _exit(127);
}

/* Move fd to a number >= min unless it already is; used so the fds we dup
 * onto 0/1/2 and the kept ones do not clobber each other. */
static int child_lift(int fd, int min)
{
    if (fd < 0 || fd >= min)
        return fd;
    return fcntl(fd, F_DUPFD, min);
}

static void child_run(const vkc_spawn *s, int errfd, int nullfd, int maxkeep)
{
    sigset_t all;
    sigemptyset(&all);
    if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
        child_fail(errfd, STEP_SIGNALS, 0);
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);

    if (setsid() < 0)
        child_fail(errfd, STEP_SETSID, 0);

    for (int i = 0; s->cgroup_procs && s->cgroup_procs[i]; i++) {
        int fd = open(s->cgroup_procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1)
            child_fail(errfd, STEP_CGROUP, i);
        close(fd);
    }

    /* Lift the std fds out of the way of the kept ones, then place all. */
    int min = maxkeep + 1 > 3 ? maxkeep + 1 : 3;
    int in = child_lift(s->stdin_fd >= 0 ? s->stdin_fd : nullfd, min);
    int out = child_lift(s->stdout_fd >= 0 ? s->stdout_fd : nullfd, min);
    int err = child_lift(s->stderr_fd >= 0 ? s->stderr_fd : out, min);
    errfd = child_lift(errfd, min);
    if (in < 0 || out < 0 || err < 0 || errfd < 0)
        child_fail(errfd < 0 ? 2 : errfd, STEP_FDS, 0);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        child_fail(errfd, STEP_FDS, 0);
    /* Everything but 0-2 closes at exec, except the fds we pass on. */
    syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
    for (size_t i = 0; i < s->nkeep; i++) {
        int fl = fcntl(s->keep_fds[i], F_GETFD);
        if (fl < 0 || fcntl(s->keep_fds[i], F_SETFD, fl & ~FD_CLOEXEC) < 0)
            child_fail(errfd, STEP_FDS, (int)i + 1);
    }

    if (s->set_ids) {
        if (setgroups(s->ngroups, s->groups) < 0)
            child_fail(errfd, STEP_GROUPS, 0);
        if (setresgid(s->gid, s->gid, s->gid) < 0)
            child_fail(errfd, STEP_GID, 0);
        if (setresuid(s->uid, s->uid, s->uid) < 0)
            child_fail(errfd, STEP_UID, 0);
    }
    for (size_t i = 0; i < s->nchecks; i++)
        if (access(s->checks[i].path, s->checks[i].mode) < 0)
            child_fail(errfd, STEP_ACCESS, (int)i);

    if (chdir("/") < 0)
        child_fail(errfd, STEP_EXEC, 0);
    execve(s->argv[0], s->argv, s->envp);
    child_fail(errfd, STEP_EXEC, 0);
}

static const char *access_mode_str(int mode)
{
    return (mode & W_OK) ? ((mode & R_OK) ? "read and write" : "write") : "read";
}

static void report_failure(const vkc_spawn *s, const spawn_failure *f)
{
    const char *prog = s->argv[0];
    const char *user = s->user_name ? s->user_name : "the configured user";
    switch (f->step) {
    case STEP_CGROUP:
        vkc_error_system(f->err, "%s: cannot join cgroup %s", prog, s->cgroup_procs[f->index]);
        break;
    case STEP_GROUPS:
    case STEP_GID:
    case STEP_UID:
        vkc_error_system(f->err, "%s: cannot switch to user %s (uid %u, gid %u)", prog, user,
                         (unsigned)s->uid, (unsigned)s->gid);
        break;
    case STEP_ACCESS: {
        const vkc_access *a = &s->checks[f->index];
        vkc_error(VIRTKIT_ERR_OPERATION_FAILED,
                  "%s %s cannot be used: user %s (uid %u) has no %s access to it (%s); "
                  "fix its permissions or those of the directories above it, or configure "
                  "another user",
                  a->what, a->path, user, (unsigned)s->uid, access_mode_str(a->mode),
                  strerror(f->err));
        break;
    }
    case STEP_EXEC:
        vkc_error_system(f->err, "cannot run %s", prog);
        break;
    default:
        vkc_error_system(f->err, "%s: cannot prepare the process (step %d)", prog, f->step);
    }
}

int vkc_spawn_run(const vkc_spawn *s, pid_t *pid_out)
{
    static char *const default_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
                                         NULL };
    vkc_spawn copy = *s;
    if (!copy.envp)
        copy.envp = default_env;
    int maxkeep = 2;
    for (size_t i = 0; i < s->nkeep; i++)
        if (s->keep_fds[i] > maxkeep)
            maxkeep = s->keep_fds[i];

    VK_AUTOCLOSE nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nullfd < 0) {
        vkc_error_system(errno, "cannot open /dev/null");
        return -1;
    }
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0) {
        vkc_error_system(errno, "cannot create a pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(errpipe[0]);
        close(errpipe[1]);
        vkc_error_system(e, "cannot fork to run %s", s->argv[0]);
        return -1;
    }
    if (pid == 0) {
        close(errpipe[0]);
        child_run(&copy, errpipe[1], nullfd, maxkeep);
    }
    close(errpipe[1]);
    spawn_failure f;
    ssize_t n = vkc_read_full(errpipe[0], &f, sizeof(f));
    close(errpipe[0]);
    if (n == (ssize_t)sizeof(f)) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        report_failure(s, &f);
        return -1;
    }
    *pid_out = pid;
    return 0;
}

/* -------------------------------------------------------------- pidfds -- */

int vkc_pidfd_open(pid_t pid)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        vkc_error_system(errno, "cannot watch process %d", (int)pid);
        return -1;
    }
    vkc_set_cloexec(fd, 1);
    return fd;
}

int vkc_pidfd_wait(int pidfd, int timeout_ms)
{
    struct pollfd p = { .fd = pidfd, .events = POLLIN };
    int64_t deadline = timeout_ms < 0 ? 0 : vkc_now_ms() + timeout_ms;
    for (;;) {
        int left = timeout_ms < 0 ? -1 : (int)(deadline - vkc_now_ms());
        if (timeout_ms >= 0 && left < 0)
            left = 0;
        int r = poll(&p, 1, left);
        if (r > 0)
            return 1;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return 1;
    }
}

int vkc_reap(pid_t pid, int *status)
{
    int st = 0;
    pid_t r;
    while ((r = waitpid(pid, &st, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r == pid) {
        if (status)
            *status = st;
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- /proc -- */

/* The fields of /proc/PID[/task/TID]/stat after the command name: field 3
 * (state) is fields[0]. Returns the count, 0 when unreadable. The command
 * name (which may hold spaces) is copied to comm. */
static int read_stat(const char *path, char **fields, int max, char *buf, size_t buflen,
                     char *comm, size_t commlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, buflen - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *open_p = strchr(buf, '(');
    char *close_p = strrchr(buf, ')');
    if (!open_p || !close_p || close_p < open_p)
        return 0;
    if (comm) {
        size_t l = (size_t)(close_p - open_p - 1);
        if (l >= commlen)
            l = commlen - 1;
        memcpy(comm, open_p + 1, l);
        comm[l] = 0;
    }
    int c = 0;
    char *save = NULL;
    for (char *t = strtok_r(close_p + 1, " \n", &save); t && c < max;
         t = strtok_r(NULL, " \n", &save))
        fields[c++] = t;
    return c;
}

unsigned long long vkc_proc_starttime(pid_t pid)
{
    char path[64], buf[1024], *f[24];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_stat(path, f, 24, buf, sizeof(buf), NULL, 0) < 20)
        return 0;
    uint64_t v = 0;
    vkc_parse_u64(f[19], 10, &v);
    return v;
}

char vkc_proc_state(pid_t pid)
{
    char path[64], buf[1024], *f[4];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_stat(path, f, 4, buf, sizeof(buf), NULL, 0) < 1)
        return 0;
    return f[0][0];
}

char *vkc_proc_describe(pid_t pid)
{
    char state = vkc_proc_state(pid);
    long long cpu_ns = vkc_proc_cpu_ns(pid, NULL, 0);
    if (!state || cpu_ns < 0)
        return vkc_strdup("gone");
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
    VK_AUTOFREE(char *) wchan = vkc_file_read(path, 128, NULL);
    if (!wchan)
        vkc_error_reset();
    else
        wchan[strcspn(wchan, "\n")] = 0;
    bool waits = wchan && *wchan && !vkc_streq(wchan, "0");
    return vkc_asprintf("state %c, cpu %lld ms%s%s", state, cpu_ns / 1000000,
                        waits ? ", main thread in " : "", waits ? wchan : "");
}

long long vkc_proc_cpu_ns(pid_t pid, unsigned long long *vcpu_ns, size_t nvcpu)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
        hz = 100;
    unsigned long long total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[384], buf[1024], comm[64], *f[16];
        snprintf(path, sizeof(path), "%s/%s/stat", dir, e->d_name);
        if (read_stat(path, f, 16, buf, sizeof(buf), comm, sizeof(comm)) < 13)
            continue;
        uint64_t ut = 0, st = 0;
        vkc_parse_u64(f[11], 10, &ut);
        vkc_parse_u64(f[12], 10, &st);
        unsigned long long ns = (ut + st) * (1000000000ULL / (unsigned long long)hz);
        total += ns;
        unsigned int idx;
        char kind[8];
        if (vcpu_ns && sscanf(comm, "CPU %u/%7s", &idx, kind) == 2 && idx < nvcpu)
            vcpu_ns[idx] += ns;
    }
    closedir(d);
    return (long long)total;
}

long long vkc_proc_rss_kib(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    unsigned long long size, res;
    if (sscanf(buf, "%llu %llu", &size, &res) != 2)
        return -1;
    return (long long)(res * (unsigned long long)sysconf(_SC_PAGESIZE) / 1024);
}

const char *vkc_wait_status_str(int status)
{
    static __thread char buf[64];
    if (WIFEXITED(status))
        snprintf(buf, sizeof(buf), "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof(buf), "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, sizeof(buf), "ended with status 0x%x", status);
    return buf;
}
