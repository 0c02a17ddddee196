/*
 * qemu_stats.c: domain info and bulk statistics.
 *
 * CPU time comes from /proc (every thread of qemu, and per vCPU from the
 * threads qemu names "CPU n/TCG" or "CPU n/KVM" with debug-threads=on), so
 * info never talks to qemu. Block statistics need query-blockstats: with
 * VIRTKIT_GET_STATS_NOWAIT a domain whose job is running is skipped for
 * that group instead of waiting; otherwise the query gets a short timeout.
 * Interface counters are read from the tap devices (their rx is the
 * guest's tx, so they are swapped, as libvirt does).
 */
#include "config.h"

#include <stdio.h>

#include "qemu.h"
#include "vkc_file.h"
#include "vkc_proc.h"

#define STATS_QMP_TIMEOUT_MS 2000
#define MAX_VCPUS 512

int qemu_op_get_info(vkp_conn *c, const vkp_ref *ref, virtkit_domain_info *info)
{
    qemu_dom *d = qemu_dom_get(c->drv, ref);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    const vkp_def *def = d->live ? d->live : d->def;
    uint64_t mem = 0, cur = 0, vcpus = 1;
    qemu_def_u64(def, "memory", &mem);
    if (qemu_def_u64(def, "currentMemory", &cur) <= 0)
        cur = mem;
    qemu_def_u64(def, "vcpu", &vcpus);
    info->state = d->state;
    info->max_mem_kib = mem;
    info->memory_kib = d->proc && d->balloon_kib ? d->balloon_kib : cur;
    info->nr_vcpus = (unsigned int)vcpus;
    pid_t pid = d->proc && !d->proc->exited ? d->proc->pid : 0;
    pthread_mutex_unlock(&d->lock);
    long long ns = pid ? vkc_proc_cpu_ns(pid, NULL, 0) : 0;
    info->cpu_time_ns = ns > 0 ? (unsigned long long)ns : 0;
    qemu_dom_unref(d);
    return 0;
}

/* --------------------------------------------------------------- groups -- */

typedef struct stats_ctx {
    qemu_dom *d;
    virtkit_params *p;
    unsigned int flags;
    pid_t pid;
    bool busy;              /* a job runs */
    const vkp_def *def;     /* snapshot, owned */
} stats_ctx;

static void add_ull(stats_ctx *s, const char *name, unsigned long long v)
{
    H->params->add_ullong(s->p, name, v);
}

static void add_fmt_ull(stats_ctx *s, unsigned long long v, const char *fmt, size_t i)
{
    char name[96];
    snprintf(name, sizeof(name), fmt, i);
    add_ull(s, name, v);
}

static void add_fmt_str(stats_ctx *s, const char *v, const char *fmt, size_t i)
{
    char name[96];
    snprintf(name, sizeof(name), fmt, i);
    H->params->add_string(s->p, name, v);
}

static void group_state(stats_ctx *s)
{
    pthread_mutex_lock(&s->d->lock);
    H->params->add_int(s->p, "state.state", s->d->state);
    H->params->add_int(s->p, "state.reason", s->d->reason);
    pthread_mutex_unlock(&s->d->lock);
}

static void group_cpu(stats_ctx *s)
{
    if (!s->pid)
        return;
    long long ns = vkc_proc_cpu_ns(s->pid, NULL, 0);
    if (ns >= 0)
        add_ull(s, "cpu.time", (unsigned long long)ns);
}

static void group_balloon(stats_ctx *s)
{
    uint64_t mem = 0, cur = 0;
    qemu_def_u64(s->def, "memory", &mem);
    if (qemu_def_u64(s->def, "currentMemory", &cur) <= 0)
        cur = mem;
    pthread_mutex_lock(&s->d->lock);
    unsigned long long bal = s->d->balloon_kib;
    pthread_mutex_unlock(&s->d->lock);
    add_ull(s, "balloon.current", s->pid && bal ? bal : cur);
    add_ull(s, "balloon.maximum", mem);
    if (s->pid) {
        long long rss = vkc_proc_rss_kib(s->pid);
        if (rss >= 0)
            add_ull(s, "balloon.rss", (unsigned long long)rss);
    }
}

static void group_vcpu(stats_ctx *s)
{
    uint64_t n = 1, cur = 0;
    qemu_def_u64(s->def, "vcpu", &n);
    if (qemu_def_u64(s->def, "vcpu/@current", &cur) <= 0)
        cur = n;
    if (n > MAX_VCPUS)
        n = MAX_VCPUS;
    H->params->add_uint(s->p, "vcpu.current", (unsigned int)cur);
    H->params->add_uint(s->p, "vcpu.maximum", (unsigned int)n);
    if (!s->pid)
        return;
    unsigned long long times[MAX_VCPUS] = { 0 };
    if (vkc_proc_cpu_ns(s->pid, times, (size_t)n) < 0)
        return;
    pthread_mutex_lock(&s->d->lock);
    int state = s->d->state == VIRTKIT_DOMAIN_RUNNING ? 1 : 0;
    pthread_mutex_unlock(&s->d->lock);
    for (size_t i = 0; i < cur; i++) {
        char name[64];
        snprintf(name, sizeof(name), "vcpu.%zu.state", i);
        H->params->add_int(s->p, name, state);
        add_fmt_ull(s, times[i], "vcpu.%zu.time", i);
    }
}

/* The counters of dev from /proc/net/dev (the reader's network namespace,
 * unlike /sys/class/net, which shows the namespace sysfs was mounted in):
 * rx bytes, packets, errs, drop, then tx bytes, packets, errs, drop. */
static bool read_counters(const char *dev, unsigned long long v[8])
{
    VK_AUTOFREE(char *) text = vkc_file_read("/proc/net/dev", 1 << 20, NULL);
    if (!text) {
        vkc_error_reset();
        return false;
    }
    size_t dl = strlen(dev);
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char *p = line;
        while (*p == ' ')
            p++;
        if (strncmp(p, dev, dl) == 0 && p[dl] == ':') {
            unsigned long long f[16] = { 0 };
            int n = sscanf(p + dl + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                           &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9],
                           &f[10], &f[11]);
            if (n < 12)
                return false;
            v[0] = f[0], v[1] = f[1], v[2] = f[2], v[3] = f[3];
            v[4] = f[8], v[5] = f[9], v[6] = f[10], v[7] = f[11];
            return true;
        }
        line = nl ? nl + 1 : NULL;
    }
    return false;
}

static void group_interface(stats_ctx *s)
{
    size_t n = qemu_def_count(s->def, "devices/interface");
    H->params->add_uint(s->p, "net.count", (unsigned int)n);
    pthread_mutex_lock(&s->d->lock);
    vkc_strv taps = { 0 };
    for (size_t i = 0; s->d->proc && i < s->d->proc->taps.n; i++)
        vkc_strv_add(&taps, s->d->proc->taps.v[i]);
    pthread_mutex_unlock(&s->d->lock);
    size_t tap_i = 0;
    for (size_t i = 0; i < n; i++) {
        const vkp_def *iface = qemu_def_child(s->def, "devices/interface", i);
        const char *type = qemu_def_str(iface, "@type");
        bool has_tap = vkc_streq(type, "bridge") || vkc_streq(type, "ethernet");
        const char *tap = has_tap && tap_i < taps.n ? taps.v[tap_i++] : NULL;
        const char *alias = qemu_def_str(iface, "alias/@name");
        add_fmt_str(s, tap ? tap : (alias ? alias : "user"), "net.%zu.name", i);
        if (!tap || !s->pid)
            continue;
        /* the tap's rx is the guest's tx: reported from the guest's side */
        static const char *const names[8] = {
            "net.%zu.tx.bytes", "net.%zu.tx.pkts", "net.%zu.tx.errs", "net.%zu.tx.drop",
            "net.%zu.rx.bytes", "net.%zu.rx.pkts", "net.%zu.rx.errs", "net.%zu.rx.drop",
        };
        unsigned long long v[8];
        if (read_counters(tap, v))
            for (size_t k = 0; k < 8; k++)
                add_fmt_ull(s, v[k], names[k], i);
    }
    vkc_strv_clear(&taps);
}

static void group_block(stats_ctx *s)
{
    size_t n = qemu_def_count(s->def, "devices/disk");
    H->params->add_uint(s->p, "block.count", (unsigned int)n);
    VKC_AUTOJSON stats = NULL;
    bool ask = s->pid && !(s->busy && (s->flags & VIRTKIT_GET_STATS_NOWAIT));
    if (ask && qemu_dom_qmp_timeout(s->d, "query-blockstats", NULL, STATS_QMP_TIMEOUT_MS,
                                    &stats) < 0) {
        vkc_error_reset();
        stats = NULL;
    }
    size_t ns = stats ? json_object_array_length(stats) : 0;
    for (size_t i = 0; i < n; i++) {
        const vkp_def *disk = qemu_def_child(s->def, "devices/disk", i);
        const char *src = qemu_def_str(disk, "source/@file");
        if (!src)
            src = qemu_def_str(disk, "source/@dev");
        add_fmt_str(s, qemu_def_str(disk, "target/@dev"), "block.%zu.name", i);
        if (src)
            add_fmt_str(s, src, "block.%zu.path", i);
        const char *alias = qemu_def_str(disk, "alias/@name");
        /* -blockdev disks show up by node name (ours: vk-<alias>-fmt) and
         * by the device's QOM path, ".../peripheral/<alias>/..." */
        VK_AUTOFREE(char *) node = alias ? vkc_asprintf("vk-%s-fmt", alias) : NULL;
        VK_AUTOFREE(char *) qompart = alias ? vkc_asprintf("/peripheral/%s/", alias) : NULL;
        for (size_t k = 0; alias && k < ns; k++) {
            json_object *e = json_object_array_get_idx(stats, k);
            const char *qdev = vkc_json_str(e, "qdev");
            if (!vkc_streq(vkc_json_str(e, "node-name"), node) && !vkc_streq(qdev, alias) &&
                !(qdev && strstr(qdev, qompart)))
                continue;
            static const struct {
                const char *key, *param;
            } fields[] = {
                { "stats.rd_operations", "block.%zu.rd.reqs" },
                { "stats.rd_bytes", "block.%zu.rd.bytes" },
                { "stats.rd_total_time_ns", "block.%zu.rd.times" },
                { "stats.wr_operations", "block.%zu.wr.reqs" },
                { "stats.wr_bytes", "block.%zu.wr.bytes" },
                { "stats.wr_total_time_ns", "block.%zu.wr.times" },
                { "stats.flush_operations", "block.%zu.fl.reqs" },
                { "stats.flush_total_time_ns", "block.%zu.fl.times" },
            };
            for (size_t f = 0; f < VKC_ARRAY_LEN(fields); f++) {
                int64_t v;
                if (vkc_json_i64(e, fields[f].key, &v))
                    add_fmt_ull(s, (unsigned long long)v, fields[f].param, i);
            }
        }
    }
}

static const struct {
    unsigned int bit;
    void (*fn)(stats_ctx *s);
} groups[] = {
    { VIRTKIT_STATS_STATE, group_state },     { VIRTKIT_STATS_CPU, group_cpu },
    { VIRTKIT_STATS_BALLOON, group_balloon }, { VIRTKIT_STATS_VCPU, group_vcpu },
    { VIRTKIT_STATS_INTERFACE, group_interface }, { VIRTKIT_STATS_BLOCK, group_block },
};

int qemu_op_get_all_domain_stats(vkp_conn *c, unsigned int stats, unsigned int flags,
                                 vkp_domain_stats **records)
{
    size_t n;
    qemu_dom **list = qemu_dom_snapshot(c->drv, &n);
    vkp_domain_stats *out = H->alloc((n + 1) * sizeof(*out));
    int count = 0;
    unsigned int which = flags & (VIRTKIT_GET_STATS_ACTIVE | VIRTKIT_GET_STATS_INACTIVE);
    for (size_t i = 0; i < n; i++) {
        qemu_dom *d = list[i];
        pthread_mutex_lock(&d->lock);
        bool active = d->proc != NULL;
        bool want = !which || (which & VIRTKIT_GET_STATS_ACTIVE && active) ||
                    (which & VIRTKIT_GET_STATS_INACTIVE && !active);
        stats_ctx s = { .d = d, .flags = flags,
                        .pid = active && !d->proc->exited ? d->proc->pid : 0,
                        .busy = d->job != QEMU_JOB_NONE };
        vkp_def *snap = want ? H->def->copy(d->live ? d->live : d->def) : NULL;
        if (want)
            qemu_dom_fill_ref(d, &out[count].dom);
        pthread_mutex_unlock(&d->lock);
        if (want) {
            s.def = snap;
            s.p = H->params->create();
            for (size_t g = 0; g < VKC_ARRAY_LEN(groups); g++)
                if (stats & groups[g].bit)
                    groups[g].fn(&s);
            out[count].params = s.p;
            count++;
            H->def->free(snap);
        }
    }
    qemu_dom_snapshot_free(list, n);
    *records = out;
    return count;
}
