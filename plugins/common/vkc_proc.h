/*
 * vkc_proc.h: starting and watching helper processes (emulators,
 * container inits) from a multithreaded library.
 *
 * vkc_spawn forks and execs with exactly the fds the caller lists, in a new
 * session, optionally as another user and inside cgroups, after checking
 * in the child (with the child's own credentials) that it can reach the
 * files the program will need. Whatever fails before exec comes back as an
 * error naming the step and the path, not as a silent exit status.
 *
 * Processes are watched with pidfds: pollable, immune to pid reuse, and
 * they work for processes started by an earlier instance (reconnect).
 * Reaping is always waitpid() on that one pid, never a SIGCHLD handler,
 * so the host application's own children are left alone.
 */
#ifndef VKC_PROC_H
#define VKC_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "vkc.h"

/* A file the child must be able to use after dropping privileges. */
typedef struct vkc_access {
    const char *path;
    int mode;          /* R_OK / W_OK / X_OK bits */
    const char *what;  /* "disk vda", "kernel": named in the error */
} vkc_access;

typedef struct vkc_spawn {
    char *const *argv;           /* argv[0]: absolute path of the program */
    char *const *envp;           /* NULL: PATH and LC_ALL=C only */
    int stdin_fd;                /* -1: /dev/null */
    int stdout_fd;               /* -1: /dev/null */
    int stderr_fd;               /* -1: same as stdout */
    const int *keep_fds;         /* inherited under the same numbers */
    size_t nkeep;
    bool set_ids;                /* run as uid/gid with the groups below */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t ngroups;
    const char *user_name;       /* for messages */
    char *const *cgroup_procs;   /* cgroup.procs files to join (NULL-terminated) */
    const vkc_access *checks;    /* checked after dropping privileges */
    size_t nchecks;
} vkc_spawn;

/* Start the process; *pid gets its pid. The child runs in its own
 * session (setsid) so it outlives the caller's terminal and process. */
int vkc_spawn_run(const vkc_spawn *s, pid_t *pid);

/* A pidfd for pid, or -1 with an error set. */
int vkc_pidfd_open(pid_t pid);
/* Wait up to timeout_ms (-1: forever) for pidfd to say the process ended:
 * 1 ended, 0 still running. */
int vkc_pidfd_wait(int pidfd, int timeout_ms);
/* Reap pid if it is our child and has exited; returns 1 with *status set
 * when reaped, 0 when still running or not our child. */
int vkc_reap(pid_t pid, int *status);

/* /proc/PID/stat field 22 (start time in clock ticks): with the pid it
 * identifies a process across pid reuse. 0 when the process is gone. */
unsigned long long vkc_proc_starttime(pid_t pid);
/* 'R', 'S', 'Z'... from /proc/PID/stat, 0 when gone. */
char vkc_proc_state(pid_t pid);
/* What a process that stopped answering is doing, for an error message:
 * "state S, cpu 1234 ms, main thread in do_sys_poll" (wchan when the
 * kernel shows it); "gone" when it has exited. Caller frees. */
char *vkc_proc_describe(pid_t pid);
/* CPU time (user + system) of every thread of pid, in ns; -1 when gone.
 * With vcpu_ns/nvcpu, also the time of threads named "CPU N/KVM" or
 * "CPU N/TCG" (qemu's debug-threads names), indexed by N. */
long long vkc_proc_cpu_ns(pid_t pid, unsigned long long *vcpu_ns, size_t nvcpu);
/* Resident set size in KiB, -1 when gone. */
long long vkc_proc_rss_kib(pid_t pid);

/* Human text for a waitpid status ("exited with status 1", "killed by
 * signal 9"); static storage per thread. */
const char *vkc_wait_status_str(int status);

#endif
