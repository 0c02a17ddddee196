/*
 * qemu_caps.c: what each qemu-system-* binary can do, probed over QMP and
 * cached.
 *
 * A probe starts the binary with -machine none and asks for its version,
 * machine types, CPU models, instantiable device types, KVM presence and
 * whether -sandbox exists (about 150 ms). The answer is kept in memory per
 * driver and in <cachedir>/capabilities/<binary>.json, keyed by the
 * binary's path, size and mtime, whether /dev/kvm exists, and this
 * plugin's version: a second start of the daemon probes nothing, and an
 * upgraded qemu or virtkit is probed again.
 *
 * KVM: /dev/kvm may open on hosts whose KVM cannot boot ordinary guests
 * (kvm_pvm without vmx/svm, see TESTBED.md). qemu_kvm_probe tells those
 * apart; capabilities and logs say so.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "qemu.h"
#include "vkc_file.h"
#include "vkc_proc.h"

#define CAPS_FORMAT 1

/* Architectures: binary suffix, virtkit arch name, word size. */
static const struct {
    const char *suffix, *arch;
    int wordsize;
} arch_table[] = {
    { "x86_64", "x86_64", 64 }, { "i386", "i686", 32 },       { "aarch64", "aarch64", 64 },
    { "arm", "armv7l", 32 },    { "ppc64", "ppc64", 64 },     { "riscv64", "riscv64", 64 },
    { "s390x", "s390x", 64 },
};

/* ------------------------------------------------------------- lookups -- */

bool qemu_caps_has_device(const qemu_caps *c, const char *type)
{
    for (size_t i = 0; i < c->devices.n; i++)
        if (vkc_streq(c->devices.v[i], type))
            return true;
    return false;
}

bool qemu_caps_has_cpu(const qemu_caps *c, const char *model)
{
    for (size_t i = 0; i < c->cpus.n; i++)
        if (vkc_streq(c->cpus.v[i], model))
            return true;
    return false;
}

const qemu_machine *qemu_caps_machine(const qemu_caps *c, const char *name)
{
    for (size_t i = 0; i < c->nmachines; i++) {
        const qemu_machine *m = &c->machines[i];
        if (name ? (vkc_streq(m->name, name) || vkc_streq(m->alias, name)) : m->is_default)
            return m;
    }
    return NULL;
}

void qemu_caps_free(qemu_caps *c)
{
    if (!c)
        return;
    free(c->binary);
    free(c->arch);
    free(c->package);
    for (size_t i = 0; i < c->nmachines; i++) {
        free(c->machines[i].name);
        free(c->machines[i].alias);
    }
    free(c->machines);
    vkc_strv_clear(&c->cpus);
    vkc_strv_clear(&c->devices);
    free(c);
}

/* ---------------------------------------------------------------- JSON -- */

json_object *qemu_caps_to_json(const qemu_caps *c)
{
    json_object *machines = json_object_new_array();
    for (size_t i = 0; i < c->nmachines; i++) {
        const qemu_machine *m = &c->machines[i];
        json_object *o = vkc_json_obj("name", VKC_JS(m->name), "alias",
                                      m->alias ? VKC_JS(m->alias) : NULL, "max-cpus",
                                      VKC_JI(m->max_cpus), NULL);
        if (m->is_default)
            json_object_object_add(o, "default", VKC_JB(1));
        if (m->deprecated)
            json_object_object_add(o, "deprecated", VKC_JB(1));
        json_object_array_add(machines, o);
    }
    json_object *cpus = json_object_new_array();
    for (size_t i = 0; i < c->cpus.n; i++)
        json_object_array_add(cpus, VKC_JS(c->cpus.v[i]));
    json_object *devs = json_object_new_array();
    for (size_t i = 0; i < c->devices.n; i++)
        json_object_array_add(devs, VKC_JS(c->devices.v[i]));
    return vkc_json_obj("binary", VKC_JS(c->binary), "arch", VKC_JS(c->arch), "wordsize",
                        VKC_JI(c->wordsize), "version", VKC_JI(c->version), "package",
                        VKC_JS(c->package ? c->package : ""), "kvm-present",
                        VKC_JB(c->kvm_present), "sandbox", VKC_JB(c->sandbox), "machines",
                        machines, "cpus", cpus, "devices", devs, NULL);
}

static void strv_from_json(vkc_strv *sv, json_object *arr)
{
    size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr)
                                                                 : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        if (json_object_is_type(e, json_type_string))
            vkc_strv_add(sv, json_object_get_string(e));
    }
}

qemu_caps *qemu_caps_from_json(json_object *o, const char *what)
{
    const char *binary = vkc_json_str(o, "binary");
    const char *arch = vkc_json_str(o, "arch");
    json_object *machines = vkc_json_get(o, "machines");
    if (!binary || !arch || !machines || !json_object_is_type(machines, json_type_array)) {
        QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED,
                 "%s lacks binary, arch or machines: not a qemu capabilities record", what);
        return NULL;
    }
    qemu_caps *c = vkc_alloc(sizeof(*c));
    c->binary = vkc_strdup(binary);
    c->arch = vkc_strdup(arch);
    int64_t v = 0;
    vkc_json_i64(o, "wordsize", &v);
    c->wordsize = (int)v;
    v = 0;
    vkc_json_i64(o, "version", &v);
    c->version = (unsigned long long)v;
    c->package = vkc_strdup(vkc_json_str(o, "package"));
    c->kvm_present = vkc_json_bool(o, "kvm-present", 0);
    c->sandbox = vkc_json_bool(o, "sandbox", 0);
    size_t n = json_object_array_length(machines);
    c->machines = vkc_alloc((n + 1) * sizeof(*c->machines));
    for (size_t i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(machines, i);
        const char *name = vkc_json_str(m, "name");
        if (!name)
            continue;
        qemu_machine *dst = &c->machines[c->nmachines++];
        dst->name = vkc_strdup(name);
        dst->alias = vkc_strdup(vkc_json_str(m, "alias"));
        int64_t mc = 0;
        vkc_json_i64(m, "max-cpus", &mc);
        dst->max_cpus = (int)mc;
        dst->is_default = vkc_json_bool(m, "default", 0);
        dst->deprecated = vkc_json_bool(m, "deprecated", 0);
    }
    strv_from_json(&c->cpus, vkc_json_get(o, "cpus"));
    strv_from_json(&c->devices, vkc_json_get(o, "devices"));
    return c;
}

/* --------------------------------------------------------------- probe -- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_machine(const void *a, const void *b)
{
    return strcmp(((const qemu_machine *)a)->name, ((const qemu_machine *)b)->name);
}

/* Fill c from the answers of a running probe. */
static int probe_queries(qemu_mon *mon, qemu_caps *c, int timeout)
{
    VKC_AUTOJSON ver = NULL;
    VKC_AUTOJSON kvm = NULL;
    VKC_AUTOJSON machines = NULL;
    VKC_AUTOJSON cpus = NULL;
    VKC_AUTOJSON types = NULL;
    VKC_AUTOJSON sandbox = NULL;
    if (qemu_mon_cmd(mon, "query-version", NULL, timeout, &ver) < 0 ||
        qemu_mon_cmd(mon, "query-machines", NULL, timeout, &machines) < 0 ||
        qemu_mon_cmd(mon, "qom-list-types", vkc_json_obj("abstract", VKC_JB(0), NULL), timeout,
                     &types) < 0)
        return -1;
    int64_t maj = 0, min = 0, mic = 0;
    vkc_json_i64(ver, "qemu.major", &maj);
    vkc_json_i64(ver, "qemu.minor", &min);
    vkc_json_i64(ver, "qemu.micro", &mic);
    c->version = (unsigned long long)(maj * 1000000 + min * 1000 + mic);
    c->package = vkc_strdup(vkc_json_str(ver, "package"));
    if (qemu_mon_cmd(mon, "query-kvm", NULL, timeout, &kvm) == 0)
        c->kvm_present = vkc_json_bool(kvm, "present", 0) && vkc_json_bool(kvm, "enabled", 0);
    else
        vkc_error_reset();
    if (qemu_mon_cmd(mon, "query-cpu-definitions", NULL, timeout, &cpus) < 0)
        vkc_error_reset(); /* targets without CPU models */
    if (qemu_mon_cmd(mon, "query-command-line-options",
                     vkc_json_obj("option", VKC_JS("sandbox"), NULL), timeout, &sandbox) == 0)
        c->sandbox = true;
    else
        vkc_error_reset();

    size_t n = json_object_array_length(machines);
    c->machines = vkc_alloc((n + 1) * sizeof(*c->machines));
    for (size_t i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(machines, i);
        const char *name = vkc_json_str(m, "name");
        if (!name || vkc_streq(name, "none"))
            continue;
        qemu_machine *dst = &c->machines[c->nmachines++];
        dst->name = vkc_strdup(name);
        dst->alias = vkc_strdup(vkc_json_str(m, "alias"));
        int64_t mc = 0;
        vkc_json_i64(m, "cpu-max", &mc);
        dst->max_cpus = (int)mc;
        dst->is_default = vkc_json_bool(m, "is-default", 0);
        dst->deprecated = vkc_json_bool(m, "deprecated", 0);
    }
    qsort(c->machines, c->nmachines, sizeof(*c->machines), cmp_machine);
    size_t nc = cpus ? json_object_array_length(cpus) : 0;
    for (size_t i = 0; i < nc; i++) {
        const char *name = vkc_json_str(json_object_array_get_idx(cpus, i), "name");
        if (name)
            vkc_strv_add(&c->cpus, name);
    }
    if (c->cpus.n)
        qsort(c->cpus.v, c->cpus.n, sizeof(char *), cmp_str);
    size_t nt = json_object_array_length(types);
    for (size_t i = 0; i < nt; i++) {
        const char *name = vkc_json_str(json_object_array_get_idx(types, i), "name");
        if (name)
            vkc_strv_add(&c->devices, name);
    }
    if (c->devices.n)
        qsort(c->devices.v, c->devices.n, sizeof(char *), cmp_str);
    return 0;
}

static qemu_caps *probe(qemu_driver *drv, const char *binary, const char *arch, int wordsize)
{
    int64_t t0 = vkc_now_ms();
    VK_AUTOFREE(char *) sock = vkc_asprintf("%s/probe-%d-%lld.qmp", drv->run_dir, (int)getpid(),
                                            (long long)vkc_now_ns());
    VK_AUTOCLOSE lfd = vkc_unix_listen(sock, 1);
    if (lfd < 0)
        return NULL;
    char chardev[96];
    snprintf(chardev, sizeof(chardev), "socket,id=mon,fd=%d,server=on,wait=off", lfd);
    /* KVM is asked for only where domains would use it: on a host whose
     * KVM cannot run ordinary guests (kvm_pvm) the probe stays off it. */
    char *const argv[] = { (char *)binary, "-S", "-no-user-config", "-nodefaults", "-display",
                           "none", "-machine", "none", "-accel",
                           drv->kvm.usable ? "kvm" : "tcg", "-accel", "tcg", "-chardev",
                           chardev, "-mon", "chardev=mon,mode=control", NULL };
    VK_AUTOFREE(char *) logp = vkc_asprintf("%s/probe.log", drv->log_dir);
    VK_AUTOCLOSE logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int keep[] = { lfd };
    gid_t groups[] = { drv->conf.gid };
    vkc_spawn sp = { .argv = argv, .stdin_fd = -1, .stdout_fd = logfd, .stderr_fd = -1,
                     .keep_fds = keep, .nkeep = 1, .set_ids = !drv->conf.run_as_root,
                     .uid = drv->conf.uid, .gid = drv->conf.gid, .groups = groups,
                     .ngroups = 1, .user_name = drv->conf.user };
    pid_t pid;
    if (vkc_spawn_run(&sp, &pid) < 0) {
        unlink(sock);
        return NULL;
    }
    close(lfd);
    lfd = -1;
    qemu_caps *c = vkc_alloc(sizeof(*c));
    c->binary = vkc_strdup(binary);
    c->arch = vkc_strdup(arch);
    c->wordsize = wordsize;
    int pidfd = vkc_pidfd_open(pid);
    int fd = vkc_unix_connect(sock);
    unlink(sock);
    qemu_mon *mon = NULL;
    int r = -1;
    if (fd >= 0) {
        mon = qemu_mon_open(drv->watcher, fd, binary, NULL, NULL, pidfd,
                            drv->conf.start_timeout_ms);
        if (mon) {
            r = probe_queries(mon, c, drv->conf.monitor_timeout_ms);
            qemu_mon_cmd(mon, "quit", NULL, drv->conf.monitor_timeout_ms, NULL);
            vkc_error_reset();
            qemu_mon_close(mon);
        }
    }
    /* What a qemu that stopped answering was doing, before it is killed. */
    VK_AUTOFREE(char *) stuck = r < 0 && H->error_code() == VIRTKIT_ERR_OPERATION_TIMEOUT
                                    ? vkc_proc_describe(pid) : NULL;
    if (pidfd >= 0 && vkc_pidfd_wait(pidfd, 3000) == 0)
        kill(pid, SIGKILL);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (pidfd >= 0)
        close(pidfd);
    if (r < 0) {
        VK_AUTOFREE(char *) tail = qemu_log_tail(logp, 1000);
        if (stuck)
            QEMU_ERR(VIRTKIT_ERR_OPERATION_TIMEOUT, "cannot probe %s: qemu (pid %d) did not "
                     "answer on QMP in time (it was in %s)%s%s", binary, (int)pid, stuck, tail && *tail ? "; its log: " : "",
                     tail && *tail ? tail : "");
        else if (!H->error_code() || (tail && *tail))
            QEMU_ERR(VIRTKIT_ERR_OPERATION_FAILED, "cannot probe %s: %s", binary,
                     tail && *tail ? tail : "no answer on QMP");
        qemu_caps_free(c);
        return NULL;
    }
    VKC_INFO("probed %s (qemu %llu, %zu machines, %zu devices) in %lld ms", binary, c->version,
             c->nmachines, c->devices.n, (long long)(vkc_now_ms() - t0));
    return c;
}

/* ---------------------------------------------------------------- cache -- */

static char *cache_path(qemu_driver *drv, const char *binary)
{
    VK_AUTOFREE(char *) name = vkc_strdup(binary);
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '_';
    return vkc_asprintf("%s/capabilities/%s.json", drv->cache_dir, name);
}

/* The key a cache file must match to be used. */
static json_object *cache_key(const qemu_driver *drv, const char *binary,
                              const struct stat *st)
{
    return vkc_json_obj("format", VKC_JI(CAPS_FORMAT), "virtkit", VKC_JS(PACKAGE_VERSION),
                        "binary", VKC_JS(binary), "size", VKC_JI(st->st_size), "mtime-ns",
                        VKC_JI((int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec),
                        "dev-kvm", VKC_JB(access("/dev/kvm", F_OK) == 0), "kvm-usable",
                        VKC_JB(drv->kvm.usable), NULL);
}

static qemu_caps *cache_load(qemu_driver *drv, const char *binary, const struct stat *st)
{
    VK_AUTOFREE(char *) path = cache_path(drv, binary);
    size_t len;
    VK_AUTOFREE(char *) text = vkc_file_read(path, 16 << 20, &len);
    if (!text) {
        vkc_error_reset();
        return NULL;
    }
    VKC_AUTOJSON o = vkc_json_parse(text, len, path);
    if (!o) {
        vkc_error_reset();
        return NULL;
    }
    VKC_AUTOJSON want = cache_key(drv, binary, st);
    json_object *have = vkc_json_get(o, "key");
    if (!have || !json_object_equal(have, want))
        return NULL;
    qemu_caps *c = qemu_caps_from_json(vkc_json_get(o, "caps"), path);
    if (!c)
        vkc_error_reset();
    return c;
}

static void cache_store(qemu_driver *drv, const qemu_caps *c, const struct stat *st)
{
    VK_AUTOFREE(char *) dir = vkc_asprintf("%s/capabilities", drv->cache_dir);
    VK_AUTOFREE(char *) path = cache_path(drv, c->binary);
    VKC_AUTOJSON o = vkc_json_obj("key", cache_key(drv, c->binary, st), "caps", qemu_caps_to_json(c),
                                  NULL);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE);
    if (vkc_mkdir_p(dir, 0700) < 0 ||
        vkc_file_write_replace(path, text, strlen(text), 0600) < 0) {
        VKC_WARN("cannot cache the capabilities of %s", c->binary);
        vkc_error_reset();
    }
}

static const char *arch_of_binary(const char *binary, int *wordsize)
{
    const char *base = strrchr(binary, '/');
    base = base ? base + 1 : binary;
    if (vkc_str_has_prefix(base, "qemu-system-")) {
        for (size_t i = 0; i < VKC_ARRAY_LEN(arch_table); i++) {
            if (vkc_streq(base + strlen("qemu-system-"), arch_table[i].suffix)) {
                *wordsize = arch_table[i].wordsize;
                return arch_table[i].arch;
            }
        }
    }
    /* An <emulator> with another name: assume the host's arch. */
    *wordsize = 64;
    return H->node->arch();
}

const qemu_caps *qemu_caps_get(qemu_driver *drv, const char *binary)
{
    struct stat st;
    if (stat(binary, &st) < 0 || !S_ISREG(st.st_mode)) {
        QEMU_ERR(VIRTKIT_ERR_NO_BINARY, "emulator %s: %s", binary,
                 errno ? strerror(errno) : "not a regular file");
        return NULL;
    }
    /* Its own lock: a first probe takes ~150 ms, which must not stall
     * listing or lookups behind driver->lock. */
    pthread_mutex_lock(&drv->caps_lock);
    for (size_t i = 0; i < drv->ncaps; i++) {
        if (vkc_streq(drv->caps[i]->binary, binary)) {
            const qemu_caps *c = drv->caps[i];
            pthread_mutex_unlock(&drv->caps_lock);
            return c;
        }
    }
    qemu_caps *c = cache_load(drv, binary, &st);
    if (!c) {
        int wordsize;
        const char *arch = arch_of_binary(binary, &wordsize);
        c = probe(drv, binary, arch, wordsize);
        if (!c && H->error_code() == VIRTKIT_ERR_OPERATION_TIMEOUT) {
            /* A qemu that hangs once (a stall of the host) should not fail
             * every start until the cache is written: one more try. */
            VKC_WARN("probing %s timed out; trying once more", binary);
            vkc_error_reset();
            c = probe(drv, binary, arch, wordsize);
        }
        if (!c) {
            pthread_mutex_unlock(&drv->caps_lock);
            return NULL;
        }
        cache_store(drv, c, &st);
    }
    VKC_GROW(drv->caps, drv->caps_cap, drv->ncaps);
    drv->caps[drv->ncaps++] = c;
    pthread_mutex_unlock(&drv->caps_lock);
    return c;
}

char *qemu_find_emulator(qemu_driver *drv, const char *arch)
{
    const char *suffix = NULL;
    for (size_t i = 0; i < VKC_ARRAY_LEN(arch_table) && !suffix; i++)
        if (vkc_streq(arch_table[i].arch, arch))
            suffix = arch_table[i].suffix;
    if (!suffix) {
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "arch '%s' is not known to the qemu plugin",
                 arch);
        return NULL;
    }
    for (size_t i = 0; i < drv->conf.emulator_dirs.n; i++) {
        char *p = vkc_asprintf("%s/qemu-system-%s", drv->conf.emulator_dirs.v[i], suffix);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    }
    VK_AUTOFREE(char *) dirs = NULL;
    vkc_buf b = VKC_BUF_INIT;
    for (size_t i = 0; i < drv->conf.emulator_dirs.n; i++)
        vkc_buf_addf(&b, "%s%s", i ? ", " : "", drv->conf.emulator_dirs.v[i]);
    dirs = vkc_buf_steal(&b);
    QEMU_ERR(VIRTKIT_ERR_NO_BINARY, "no qemu-system-%s for arch '%s' in %s (install qemu-system "
             "or set emulator_dirs in qemu.conf)", suffix, arch, dirs);
    return NULL;
}

/* ------------------------------------------------------------------ KVM -- */

void qemu_kvm_probe(qemu_kvm_info *k)
{
    memset(k, 0, sizeof(*k));
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(k->why, sizeof(k->why), "/dev/kvm cannot be opened (%s)", strerror(errno));
        return;
    }
    close(fd);
    k->dev_opens = true;
    size_t len;
    VK_AUTOFREE(char *) cpuinfo = vkc_file_read("/proc/cpuinfo", 16 << 20, &len);
    if (!cpuinfo)
        vkc_error_reset();
    bool hw = false;
    for (char *line = cpuinfo; line && *line && !hw;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (vkc_str_has_prefix(line, "flags"))
            hw = strstr(line, " vmx") || strstr(line, " svm");
        line = nl ? nl + 1 : NULL;
    }
    bool pvm = vkc_file_exists("/sys/module/kvm_pvm");
    if (hw && !pvm) {
        k->usable = true;
        return;
    }
    snprintf(k->why, sizeof(k->why),
             "/dev/kvm opens but %s: this host's KVM cannot boot ordinary guests",
             pvm ? "the module is kvm_pvm" : "the CPU has no vmx/svm flag");
}

int qemu_kvm_choice(const qemu_driver *drv, const char *type)
{
    if (!vkc_streq(type, "kvm"))
        return 0;
    if (!drv->kvm.dev_opens)
        return -1;
    if (drv->kvm.usable)
        return 1;
    switch (drv->conf.unusable_kvm) {
    case QEMU_UNUSABLE_KVM_KVM:
        return 1;
    case QEMU_UNUSABLE_KVM_REFUSE:
        return -1;
    case QEMU_UNUSABLE_KVM_TCG:
        break;
    }
    return 0;
}

int qemu_kvm_for(qemu_driver *drv, const char *type, const char *name)
{
    int k = qemu_kvm_choice(drv, type);
    if (k < 0 && !drv->kvm.dev_opens)
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "domain '%s': type 'kvm' needs KVM: %s", name,
                 drv->kvm.why);
    else if (k < 0)
        QEMU_ERR(VIRTKIT_ERR_CONFIG_UNSUPPORTED, "domain '%s': type 'kvm' refused: %s "
                 "(qemu.conf: unusable_kvm = \"refuse\"; type='qemu' runs on TCG)", name,
                 drv->kvm.why);
    else if (vkc_streq(type, "kvm") && !drv->kvm.usable)
        VKC_WARN("domain '%s': type='kvm' %s: %s (qemu.conf: unusable_kvm)", name,
                 k ? "uses KVM anyway" : "runs on TCG", drv->kvm.why);
    return k;
}

/* --------------------------------------------------------- guest XML -- */

char *qemu_caps_guests_xml(qemu_driver *drv)
{
    vkc_buf b = VKC_BUF_INIT;
    bool any = false;
    for (size_t i = 0; i < VKC_ARRAY_LEN(arch_table); i++) {
        VK_AUTOFREE(char *) bin = NULL;
        for (size_t d = 0; d < drv->conf.emulator_dirs.n && !bin; d++) {
            char *p = vkc_asprintf("%s/qemu-system-%s", drv->conf.emulator_dirs.v[d],
                                   arch_table[i].suffix);
            if (access(p, X_OK) == 0)
                bin = p;
            else
                free(p);
        }
        if (!bin)
            continue;
        const qemu_caps *c = qemu_caps_get(drv, bin);
        if (!c) {
            VKC_WARN("leaving %s out of the capabilities: %s", bin, "probe failed");
            vkc_error_reset();
            continue;
        }
        any = true;
        vkc_buf_add(&b, "<guest>\n  <os_type>hvm</os_type>\n");
        vkc_buf_addf(&b, "  <arch name='%s'>\n    <wordsize>%d</wordsize>\n", c->arch,
                     c->wordsize);
        vkc_buf_add(&b, "    <emulator>");
        vkc_buf_add_xml(&b, c->binary);
        vkc_buf_add(&b, "</emulator>\n");
        for (size_t m = 0; m < c->nmachines; m++) {
            const qemu_machine *mc = &c->machines[m];
            vkc_buf_addf(&b, "    <machine maxCpus='%d'%s>%s</machine>\n", mc->max_cpus,
                         mc->deprecated ? " deprecated='yes'" : "", mc->name);
            if (mc->alias)
                vkc_buf_addf(&b, "    <machine canonical='%s' maxCpus='%d'>%s</machine>\n",
                             mc->name, mc->max_cpus, mc->alias);
        }
        vkc_buf_add(&b, "    <domain type='qemu'/>\n");
        /* (the probe asked qemu about KVM only where KVM is usable) */
        if (drv->kvm.dev_opens && (c->kvm_present || !drv->kvm.usable)) {
            if (drv->kvm.usable) {
                vkc_buf_add(&b, "    <domain type='kvm'/>\n");
            } else {
                vkc_buf_add(&b, "    <domain type='kvm'>\n      <qemu:kvm xmlns:qemu="
                                "'https://virtkit.dev/schemas/capabilities/qemu/1' "
                                "usable='no'>");
                vkc_buf_add_xml(&b, drv->kvm.why);
                vkc_buf_add(&b, "</qemu:kvm>\n    </domain>\n");
            }
        }
        vkc_buf_add(&b, "  </arch>\n  <features>\n    <acpi default='on' toggle='yes'/>\n"
                        "    <apic default='on' toggle='no'/>\n  </features>\n</guest>\n");
    }
    if (!any) {
        vkc_buf_clear(&b);
        QEMU_ERR(VIRTKIT_ERR_NO_BINARY, "no usable qemu-system-* binary was found");
        return NULL;
    }
    return vkc_buf_steal(&b);
}
