/*
 * qemu_pin.c: where a starting domain may run and how much it may take:
 * CPU placement of its threads, and the limits of its cgroup (at the end).
 *
 *   <vcpu cpuset='0-3'>         every thread of qemu (the default mask)
 *   <cputune><vcpupin vcpu='N' cpuset='...'/>     vCPU N's thread
 *   <cputune><emulatorpin cpuset='...'/>          every other thread
 *
 * Applied with sched_setaffinity() while qemu is still paused (-S), once
 * the monitor answers: query-cpus-fast names each vCPU's thread. Nothing is
 * asked of qemu when the definition pins nothing. A mask the kernel
 * refuses (no online CPU in it) fails the start, naming the element.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "qemu.h"
#include "vk_cpuset.h"
#include "vk_pin_def.h"

/* A CPU list into set; -1 with an error naming what (the core checked the
 * syntax already; a CPU beyond what cpu_set_t holds is refused here). */
static int parse_cpuset(const char *s, cpu_set_t *set, const char *dom, const char *what)
{
    uint8_t bits[CPU_SETSIZE / 8];
    unsigned long highest = 0;
    char err[96];
    int r = vk_cpuset_scan(s, bits, CPU_SETSIZE, &highest, err, sizeof(err));
    if (r == 0 && highest >= CPU_SETSIZE) {
        snprintf(err, sizeof(err), "CPU %lu is beyond the %d this host can pin", highest,
                 CPU_SETSIZE);
        r = -1;
    }
    if (r < 0) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "domain '%s': %s cpuset '%s': %s", dom, what,
                 s, err);
        return -1;
    }
    CPU_ZERO(set);
    for (size_t c = 0; c < CPU_SETSIZE; c++)
        if (bits[c / 8] & (1u << (c % 8)))
            CPU_SET(c, set);
    return 0;
}

static int pin(pid_t tid, const char *cpuset, const char *dom, const char *what)
{
    cpu_set_t set;
    if (parse_cpuset(cpuset, &set, dom, what) < 0)
        return -1;
    if (sched_setaffinity(tid, sizeof(set), &set) < 0) {
        /* a thread that ended meanwhile is no error */
        if (errno == ESRCH)
            return 0;
        if (errno == EINVAL)
            QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "domain '%s': cannot pin %s (thread %d) "
                     "to CPUs '%s': none of them is online on this host", dom, what, (int)tid,
                     cpuset);
        else
            vkc_error_system(errno, "domain '%s': cannot pin %s (thread %d) to CPUs '%s'",
                             dom, what, (int)tid, cpuset);
        return -1;
    }
    return 0;
}

static const char *vcpupin_of(const vkp_def *live, int64_t idx)
{
    size_t n = qemu_def_count(live, "cputune/vcpupin");
    for (size_t i = 0; i < n; i++) {
        const vkp_def *p = qemu_def_child(live, "cputune/vcpupin", i);
        uint64_t v = 0;
        if (qemu_def_u64(p, "@vcpu", &v) > 0 && (int64_t)v == idx)
            return qemu_def_str(p, "@cpuset");
    }
    return NULL;
}

/* The vCPU threads of a running qemu, by cpu-index (query-cpus-fast);
 * idx and tids host->alloc'd, *n entries. */
static int vcpu_threads(qemu_dom *d, int64_t **idx, pid_t **tids, size_t *n)
{
    VKC_AUTOJSON cpus = NULL;
    if (qemu_dom_qmp(d, "query-cpus-fast", NULL, &cpus) < 0)
        return -1;
    *n = cpus ? json_object_array_length(cpus) : 0;
    *idx = vkc_alloc((*n + 1) * sizeof(**idx));
    *tids = vkc_alloc((*n + 1) * sizeof(**tids));
    for (size_t i = 0; i < *n; i++) {
        json_object *c = json_object_array_get_idx(cpus, i);
        int64_t tid = 0;
        (*idx)[i] = -1;
        vkc_json_i64(c, "cpu-index", &(*idx)[i]);
        vkc_json_i64(c, "thread-id", &tid);
        (*tids)[i] = (pid_t)tid;
    }
    return 0;
}

/* Every thread of pid that is not a vCPU: the main loop, I/O, RCU... */
static int pin_emulator(qemu_dom *d, pid_t pid, const pid_t *vcpu_tids, size_t n,
                        const char *set)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
    DIR *dh = opendir(dir);
    if (!dh) {
        vkc_error_system(errno, "domain '%s': cannot list qemu's threads in %s", d->name, dir);
        return -1;
    }
    struct dirent *e;
    int r = 0;
    while (r == 0 && (e = readdir(dh))) {
        pid_t tid = (pid_t)atoi(e->d_name);
        bool is_vcpu = false;
        for (size_t i = 0; i < n && !is_vcpu; i++)
            is_vcpu = vcpu_tids[i] == tid;
        if (tid > 0 && !is_vcpu)
            r = pin(tid, set, d->name, "the emulator");
    }
    closedir(dh);
    return r;
}

int qemu_process_pin(qemu_dom *d, pid_t pid)
{
    const vkp_def *live = d->live;
    const char *dflt = qemu_def_str(live, "vcpu/@cpuset");
    const char *emu = qemu_def_str(live, "cputune/emulatorpin/@cpuset");
    if (!dflt && !emu && qemu_def_count(live, "cputune/vcpupin") == 0)
        return 0;
    int64_t *idx = NULL;
    pid_t *tids = NULL;
    size_t n = 0;
    if (vcpu_threads(d, &idx, &tids, &n) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        const char *set = vcpupin_of(live, idx[i]);
        if (!set)
            set = dflt;
        char what[64];
        snprintf(what, sizeof(what), "vcpu %lld", (long long)idx[i]);
        if (set && tids[i] > 0)
            r = pin(tids[i], set, d->name, what);
    }
    const char *emu_set = emu ? emu : dflt;
    if (r == 0 && emu_set)
        r = pin_emulator(d, pid, tids, n, emu_set);
    free(idx);
    free(tids);
    return r;
}

/* ------------------------------------------------------- the pin op -- */

typedef struct {
    int vcpu;
    const char *cpuset;
    unsigned int flags;
} pin_args;

static int check_vcpu(qemu_dom *d, const vkp_def *def, int vcpu)
{
    uint64_t n = 1;
    pthread_mutex_lock(&d->lock);
    qemu_def_u64(def, "vcpu", &n);
    pthread_mutex_unlock(&d->lock);
    if (vcpu >= 0 && (uint64_t)vcpu >= n) {
        QEMU_ERR(VIRTKIT_ERR_INVALID_ARG, "domain '%s' has no vcpu %d (it has %llu)", d->name,
                 vcpu, (unsigned long long)n);
        return -1;
    }
    return 0;
}

static int pin_live(qemu_dom *d, int vcpu, const char *cpuset)
{
    pthread_mutex_lock(&d->lock);
    pid_t pid = d->proc ? d->proc->pid : 0;
    pthread_mutex_unlock(&d->lock);
    int64_t *idx = NULL;
    pid_t *tids = NULL;
    size_t n = 0;
    if (vcpu_threads(d, &idx, &tids, &n) < 0)
        return -1;
    int r = -1;
    if (vcpu < 0) {
        r = pin_emulator(d, pid, tids, n, cpuset);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (idx[i] != vcpu)
                continue;
            char what[64];
            snprintf(what, sizeof(what), "vcpu %d", vcpu);
            r = pin(tids[i], cpuset, d->name, what);
            break;
        }
        if (r < 0 && !H->error_code())
            QEMU_ERR(VIRTKIT_ERR_INVALID_ARG, "domain '%s': qemu has no vcpu %d running",
                     d->name, vcpu);
    }
    free(idx);
    free(tids);
    return r;
}

static int do_pin(qemu_dom *d, void *arg)
{
    pin_args *a = arg;
    unsigned int flags = a->flags;
    if (qemu_resolve_affect(d, &flags) < 0)
        return -1;
    if (flags & VIRTKIT_DOMAIN_AFFECT_LIVE) {
        if (check_vcpu(d, d->live, a->vcpu) < 0 || pin_live(d, a->vcpu, a->cpuset) < 0)
            return -1;
        pthread_mutex_lock(&d->lock);
        if (vk_pin_record(H->def, d->live, a->vcpu, a->cpuset) < 0)
            vkc_error_reset(); /* the threads are pinned; the live XML lags */
        pthread_mutex_unlock(&d->lock);
        qemu_process_write_status(d);
    }
    if (flags & VIRTKIT_DOMAIN_AFFECT_CONFIG) {
        if (check_vcpu(d, d->def, a->vcpu) < 0)
            return -1;
        pthread_mutex_lock(&d->lock);
        int sr = vk_pin_record(H->def, d->def, a->vcpu, a->cpuset);
        pthread_mutex_unlock(&d->lock);
        if (sr < 0 || qemu_dom_save_config(d) < 0)
            return -1;
    }
    return 0;
}

int qemu_op_domain_pin(vkp_conn *c, const vkp_ref *ref, int vcpu, const char *cpuset,
                       unsigned int flags)
{
    pin_args a = { vcpu, cpuset, flags };
    return qemu_with_job(c->drv, ref, QEMU_JOB_MODIFY, vcpu < 0 ? "emulator pin" : "vcpu pin",
                         do_pin, &a);
}

/* ------------------------------------------------------- cgroup limits -- */

/* libvirt's mapping of cpu.shares (2-262144) onto cgroup v2's cpu.weight
 * (1-10000), so the same definition weighs the same on either host. */
static unsigned long long shares_to_weight(unsigned long long shares)
{
    return 1 + (shares - 2) * 9999 / 262142;
}

int qemu_process_tune(qemu_dom *d, vkc_cgroup *cg)
{
    const vkp_def *live = d->live;
    uint64_t shares = 0, period = 0, hard = 0, soft = 0;
    int64_t quota = 0;
    bool has_shares = qemu_def_u64(live, "cputune/shares", &shares) > 0;
    bool has_period = qemu_def_u64(live, "cputune/global_period", &period) > 0;
    const char *quota_s = qemu_def_str(live, "cputune/global_quota");
    bool has_hard = qemu_def_u64(live, "memtune/hard_limit", &hard) > 0;
    bool has_soft = qemu_def_u64(live, "memtune/soft_limit", &soft) > 0;
    if (!has_shares && !has_period && !quota_s && !has_hard && !has_soft)
        return 0;
    if (!cg) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                 "domain '%s': <cputune>/<memtune> limits need a cgroup, and qemu runs without "
                 "one here (qemu.conf cgroups = false, or no writable cgroup hierarchy)",
                 d->name);
        return -1;
    }
    char v2[64], v1[64];
    if (has_shares) {
        snprintf(v2, sizeof(v2), "%llu", shares_to_weight(shares));
        snprintf(v1, sizeof(v1), "%llu", (unsigned long long)shares);
        if (vkc_cgroup_set_knob(cg, "cpu.weight", v2, "cpu.shares", v1) < 0)
            return -1;
    }
    if (has_period || quota_s) {
        if (!has_period)
            period = 100000;
        /* (the XML layer checked the range: -1, or 1000 and up) */
        quota = quota_s ? strtoll(quota_s, NULL, 10) : -1;
        if (quota < 0)
            snprintf(v2, sizeof(v2), "max %llu", (unsigned long long)period);
        else
            snprintf(v2, sizeof(v2), "%lld %llu", (long long)quota, (unsigned long long)period);
        /* v2 takes both in cpu.max; v1 the period, then the quota */
        snprintf(v1, sizeof(v1), "%llu", (unsigned long long)period);
        if (vkc_cgroup_set_knob(cg, "cpu.max", v2, "cpu.cfs_period_us", v1) < 0)
            return -1;
        snprintf(v1, sizeof(v1), "%lld", (long long)(quota < 0 ? -1 : quota));
        if (vkc_cgroup_set_knob(cg, "cpu.max", v2, "cpu.cfs_quota_us", v1) < 0)
            return -1;
    }
    if (has_hard) {
        snprintf(v1, sizeof(v1), "%llu", (unsigned long long)hard * 1024);
        if (vkc_cgroup_set_knob(cg, "memory.max", v1, "memory.limit_in_bytes", v1) < 0)
            return -1;
    }
    if (has_soft) {
        snprintf(v1, sizeof(v1), "%llu", (unsigned long long)soft * 1024);
        if (vkc_cgroup_set_knob(cg, "memory.high", v1, "memory.soft_limit_in_bytes", v1) < 0)
            return -1;
    }
    return 0;
}
