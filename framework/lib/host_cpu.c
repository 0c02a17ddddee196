/*
 * host_cpu.c: see host_cpu.h.
 *
 * /proc/cpuinfo differs per architecture: x86 has "model name",
 * "vendor_id", "flags"; arm64 has "CPU implementer" and "Features"; ppc64
 * has "cpu" and "clock". The first processor block answers for the node
 * (mixed-model machines are described by their first CPU, as libvirt
 * does). Frequency prefers cpufreq's nominal value over the momentary
 * "cpu MHz", which moves with power management.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "host_cpu.h"
#include "host_sysfs.h"
#include "hostinfo.h"
#include "strbuf.h"

#define CPU_DIR "/sys/devices/system/cpu"

/* The value of "key : value" in the first processor block, NULL if absent. */
static char *cpuinfo_field(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line;) {
        if (*line == '\n')
            break; /* end of the first block */
        const char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        if (ll > kl && strncmp(line, key, kl) == 0 && (line[kl] == ' ' || line[kl] == '\t' ||
                                                       line[kl] == ':')) {
            const char *p = line + kl;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == ':') {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                size_t vl = ll - (size_t)(p - line);
                while (vl && isspace((unsigned char)p[vl - 1]))
                    vl--;
                return vk_strndup(p, vl);
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* Vendor names as libvirt prints them, from the CPUID vendor string or
 * the arm64 implementer code. */
static const struct {
    const char *raw;
    const char *name;
} vendor_names[] = {
    { "GenuineIntel", "Intel" }, { "AuthenticAMD", "AMD" },  { "HygonGenuine", "Hygon" },
    { "CentaurHauls", "VIA" },   { "  Shanghai  ", "Zhaoxin" },
    { "0x41", "ARM" },           { "0x42", "Broadcom" },     { "0x43", "Cavium" },
    { "0x46", "Fujitsu" },       { "0x48", "HiSilicon" },    { "0x4e", "NVIDIA" },
    { "0x50", "APM" },           { "0x51", "Qualcomm" },     { "0x61", "Apple" },
    { "0xc0", "Ampere" },
};

static char *vendor_name(const char *raw)
{
    for (size_t i = 0; raw && i < VK_ARRAY_LEN(vendor_names); i++)
        if (strcasecmp(vendor_names[i].raw, raw) == 0)
            return vk_strdup(vendor_names[i].name);
    return vk_strdup(raw);
}

/* "2445.422" -> Hz, exactly (no float rounding). */
static uint64_t mhz_text_to_hz(const char *s)
{
    uint64_t whole = 0, frac = 0, scale = 1000000;
    const char *p = s;
    while (isdigit((unsigned char)*p))
        whole = whole * 10 + (uint64_t)(*p++ - '0');
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p) && scale > 1) {
            scale /= 10;
            frac += (uint64_t)(*p++ - '0') * scale;
        }
    }
    return whole * 1000000 + frac;
}

static int parse_cpuinfo(vk_host_cpus *c, unsigned int first_online)
{
    vk_host_cpuinfo *ci = &c->info;
    VK_AUTOFREE(char *) text = NULL;
    if (vk_hostfs_read_opt(&text, "/proc/cpuinfo") < 0)
        return -1;
    if (!text)
        text = vk_strdup("");
    /* skip "processor : N" header lines that some arches put first */
    VK_AUTOFREE(char *) model = cpuinfo_field(text, "model name");
    if (!model)
        model = cpuinfo_field(text, "cpu"); /* ppc64: "POWER9 (raw), altivec supported" */
    ci->model = model ? vk_strndup(model, strcspn(model, ",")) : vk_strdup(vk_host_arch());
    VK_AUTOFREE(char *) vendor = cpuinfo_field(text, "vendor_id");
    if (!vendor)
        vendor = cpuinfo_field(text, "CPU implementer");
    ci->vendor = vendor ? vendor_name(vendor) : NULL;

    VK_AUTOFREE(char *) mc = cpuinfo_field(text, "microcode");
    if (mc) {
        if (vk_parse_u64(mc, 0, &ci->microcode) < 0) {
            vk_hostfs_parse_error("/proc/cpuinfo", "microcode '%.40s' is not a number", mc);
            return -1;
        }
        ci->has_microcode = true;
    }
    VK_AUTOFREE(char *) fam = cpuinfo_field(text, "cpu family");
    VK_AUTOFREE(char *) mod = cpuinfo_field(text, "model");
    VK_AUTOFREE(char *) step = cpuinfo_field(text, "stepping");
    if (fam && mod && step) {
        if (vk_parse_uint(fam, &ci->family) < 0 || vk_parse_uint(mod, &ci->model_num) < 0 ||
            vk_parse_uint(step, &ci->stepping) < 0) {
            vk_hostfs_parse_error("/proc/cpuinfo",
                                  "signature family '%.20s' model '%.20s' stepping '%.20s' is "
                                  "not numeric", fam, mod, step);
            return -1;
        }
        ci->has_signature = true;
    }
    VK_AUTOFREE(char *) addr = cpuinfo_field(text, "address sizes");
    if (addr && sscanf(addr, "%u bits physical", &ci->phys_bits) != 1)
        ci->phys_bits = 0;

    VK_AUTOFREE(char *) flags = cpuinfo_field(text, "flags");
    if (!flags)
        flags = cpuinfo_field(text, "Features");
    ci->flags = vk_strv_split(flags ? flags : "", " ");
    /* drop empty words from repeated spaces */
    size_t k = 0;
    for (size_t i = 0; ci->flags[i]; i++) {
        if (*ci->flags[i])
            ci->flags[k++] = ci->flags[i];
        else
            free(ci->flags[i]);
    }
    ci->flags[k] = NULL;

    /* Nominal frequency: cpufreq base, then maximum, then cpuinfo. */
    uint64_t khz = 0;
    int r = vk_hostfs_u64_opt(&khz, 10, CPU_DIR "/cpu%u/cpufreq/base_frequency", first_online);
    if (r == 0)
        r = vk_hostfs_u64_opt(&khz, 10, CPU_DIR "/cpu%u/cpufreq/cpuinfo_max_freq", first_online);
    if (r < 0)
        return -1;
    VK_AUTOFREE(char *) mhz = cpuinfo_field(text, "cpu MHz");
    if (!mhz)
        mhz = cpuinfo_field(text, "clock"); /* ppc64: "2200.000000MHz" */
    if (r > 0)
        ci->mhz = (unsigned int)(khz / 1000);
    else if (mhz)
        ci->mhz = (unsigned int)(mhz_text_to_hz(mhz) / 1000000);

    /* The TSC runs at a fixed rate only with constant_tsc + nonstop_tsc;
     * its rate is the cpufreq base, or "cpu MHz" when the kernel took it
     * from the hypervisor (tsc_known_freq). */
    const char *const *fl = (const char *const *)ci->flags;
    if (vk_strv_contains(fl, "constant_tsc") && vk_strv_contains(fl, "nonstop_tsc")) {
        if (r > 0 && vk_hostfs_exists(CPU_DIR "/cpu%u/cpufreq/base_frequency", first_online))
            ci->tsc_hz = khz * 1000;
        else if (mhz && vk_strv_contains(fl, "tsc_known_freq"))
            ci->tsc_hz = mhz_text_to_hz(mhz);
    }
    return 0;
}

static int read_id(const char *what, unsigned int cpu, bool required, int64_t *out)
{
    int r = vk_hostfs_i64_opt(out, 10, CPU_DIR "/cpu%u/topology/%s", cpu, what);
    if (r == 0 && required) {
        VK_AUTOFREE(char *) p = vk_hostfs_path(CPU_DIR);
        vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_HOST,
                     "CPU %u: %s/cpu%u/topology/%s is missing", cpu, p, cpu, what);
        return -1;
    }
    return r;
}

static int load_topology(vk_host_cpu *cpu)
{
    if (!vk_hostfs_exists(CPU_DIR "/cpu%u/topology", cpu->id))
        return 0;
    int64_t socket = 0, die = 0, core = 0, cluster = -1;
    if (read_id("physical_package_id", cpu->id, true, &socket) < 0 ||
        read_id("core_id", cpu->id, true, &core) < 0 ||
        read_id("die_id", cpu->id, false, &die) < 0 ||
        read_id("cluster_id", cpu->id, false, &cluster) < 0)
        return -1;
    if (core < 0 || core > INT32_MAX || socket > INT32_MAX || die > INT32_MAX) {
        vk_error_set(VIRTKIT_ERR_OPERATION_FAILED, VIRTKIT_SUB_HOST,
                     "CPU %u: topology ids socket %lld die %lld core %lld are out of range",
                     cpu->id, (long long)socket, (long long)die, (long long)core);
        return -1;
    }
    /* -1 means "not reported" (some arm64 firmware); 65535 is x86's
     * placeholder for "no clusters". */
    cpu->socket = socket < 0 ? 0 : (unsigned int)socket;
    cpu->die = die < 0 ? 0 : (unsigned int)die;
    cpu->cluster = (cluster < 0 || cluster >= 65535) ? -1 : (int)cluster;
    cpu->core = (unsigned int)core;
    VK_AUTOCPULIST sib = { 0 };
    int r = vk_cpulist_read(&sib, true, CPU_DIR "/cpu%u/topology/thread_siblings_list", cpu->id);
    if (r < 0)
        return -1;
    if (r == 0 || sib.n == 0)
        vk_cpulist_add(&sib, cpu->id);
    cpu->siblings = vk_cpulist_format(&sib);
    cpu->has_topology = true;
    return 0;
}

static int load_node(vk_host_cpu *cpu)
{
    VK_AUTOSTRV nodes = vk_hostfs_list("node", CPU_DIR "/cpu%u", cpu->id);
    cpu->node = -1;
    for (size_t i = 0; nodes[i]; i++) {
        unsigned int n;
        if (vk_parse_uint(nodes[i] + 4, &n) == 0 && n <= INT32_MAX) {
            cpu->node = (int)n;
            break;
        }
    }
    return 0;
}

int vk_host_cpus_load(vk_host_cpus **out)
{
    VK_AUTOPTR(vk_host_cpus) c = vk_alloc(sizeof(*c));
    if (vk_cpulist_read(&c->present, false, CPU_DIR "/present") < 0 ||
        vk_cpulist_read(&c->online, false, CPU_DIR "/online") < 0 ||
        vk_cpulist_read(&c->possible, true, CPU_DIR "/possible") < 0)
        return -1;
    if (c->present.n == 0) {
        vk_hostfs_parse_error(CPU_DIR "/present", "no CPU is present");
        return -1;
    }
    for (size_t i = 0; i < c->online.n; i++) {
        if (!vk_cpulist_has(&c->present, c->online.ids[i])) {
            vk_hostfs_parse_error(CPU_DIR "/online", "CPU %u is online but not present",
                                  c->online.ids[i]);
            return -1;
        }
    }
    if (c->online.n == 0) {
        vk_hostfs_parse_error(CPU_DIR "/online", "no CPU is online");
        return -1;
    }
    if (c->possible.n == 0)
        for (size_t i = 0; i < c->present.n; i++)
            vk_cpulist_add(&c->possible, c->present.ids[i]);
    c->cpus = vk_alloc_n(c->present.n, sizeof(*c->cpus));
    for (size_t i = 0; i < c->present.n; i++) {
        vk_host_cpu *cpu = &c->cpus[c->n++];
        cpu->id = c->present.ids[i];
        cpu->online = vk_cpulist_has(&c->online, cpu->id);
        cpu->cluster = -1;
        if ((cpu->online && load_topology(cpu) < 0) || load_node(cpu) < 0)
            return -1;
    }
    if (parse_cpuinfo(c, c->online.ids[0]) < 0)
        return -1;
    *out = VK_STEAL(c);
    return 0;
}

/* A set of distinct (a, b) keys; answers each key's index. */
typedef struct {
    uint64_t (*v)[2];
    size_t n, cap;
} key_set;

static size_t key_set_add(key_set *s, uint64_t a, uint64_t b, bool *added)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i][0] == a && s->v[i][1] == b) {
            *added = false;
            return i;
        }
    }
    VK_GROW(s->v, s->cap, s->n);
    s->v[s->n][0] = a;
    s->v[s->n][1] = b;
    *added = true;
    return s->n++;
}

static unsigned int max_of(const unsigned int *v, size_t n)
{
    unsigned int m = 0;
    for (size_t i = 0; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

/* Counting each
 * level within its parent keeps odd machines (one socket spanning two
 * cells, sockets with different core counts) from being multiplied out. */
void vk_host_cpus_shape(const vk_host_cpus *c, virtkit_node_info *info)
{
    key_set nodes = { 0 }, sockets = { 0 }, dies = { 0 }, cores = { 0 };
    unsigned int *sockets_per_node = vk_alloc_n(c->n, sizeof(unsigned int));
    unsigned int *cores_per_socket = vk_alloc_n(c->n, sizeof(unsigned int));
    unsigned int *dies_per_socket = vk_alloc_n(c->n, sizeof(unsigned int));
    unsigned int *threads_per_core = vk_alloc_n(c->n, sizeof(unsigned int));
    bool topo = true, added;
    for (size_t i = 0; i < c->n; i++) {
        const vk_host_cpu *cpu = &c->cpus[i];
        if (!cpu->online)
            continue;
        topo = topo && cpu->has_topology;
        uint64_t node = cpu->node < 0 ? 0 : (uint64_t)cpu->node;
        size_t ni = key_set_add(&nodes, node, 0, &added);
        size_t si = key_set_add(&sockets, node, cpu->socket, &added);
        sockets_per_node[ni] += added;
        key_set_add(&dies, si, cpu->die, &added);
        dies_per_socket[si] += added;
        size_t ci = key_set_add(&cores, ((uint64_t)si << 32) | cpu->die, cpu->core, &added);
        cores_per_socket[si] += added;
        threads_per_core[ci]++;
    }
    info->nodes = (unsigned int)nodes.n;
    info->sockets = max_of(sockets_per_node, nodes.n);
    info->dies = max_of(dies_per_socket, sockets.n);
    info->cores = max_of(cores_per_socket, sockets.n);
    info->threads = max_of(threads_per_core, cores.n);
    if (!topo ||
        (uint64_t)info->nodes * info->sockets * info->cores * info->threads != info->cpus) {
        info->nodes = info->sockets = info->dies = info->threads = 1;
        info->cores = info->cpus;
    }
    free(nodes.v);
    free(sockets.v);
    free(dies.v);
    free(cores.v);
    free(sockets_per_node);
    free(cores_per_socket);
    free(dies_per_socket);
    free(threads_per_core);
}

const vk_host_cpu *vk_host_cpus_find(const vk_host_cpus *c, unsigned int id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->cpus[mid].id == id)
            return &c->cpus[mid];
        if (c->cpus[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void vk_host_cpus_free(vk_host_cpus *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->cpus[i].siblings);
    free(c->cpus);
    vk_cpulist_clear(&c->present);
    vk_cpulist_clear(&c->online);
    vk_cpulist_clear(&c->possible);
    free(c->info.model);
    free(c->info.vendor);
    vk_strv_free(c->info.flags);
    free(c);
}
