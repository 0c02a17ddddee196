/*
 * qemu_command.c: a domain definition -> qemu's argv.
 *
 * The command line is a table of sections run in order (identity,
 * machine, cpu, memory, ... devices, migration, sandbox); devices are
 * dispatched by element name through qb_device_kinds (qemu_command_dev.c).
 * Everything is checked before anything runs: an element qemu cannot
 * honour fails here with an error naming it, never at launch and never
 * silently. The builder is pure (no host access) so the golden tests in
 * tests/qemu/data/ pin its output.
 *
 * qemu is always started paused (-S), with -no-user-config -nodefaults,
 * its QMP monitor on a listening socket we created and pass as an fd, and
 * -no-shutdown so that a guest power-off leaves the process for us to
 * apply on_poweroff / on_reboot and to tell a shutdown from a crash.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "qemu_command.h"

/* ------------------------------------------------------------ helpers -- */

void qb_arg(qbuild *b, const char *opt, const char *value)
{
    vkc_strv_add(&b->out->argv, opt);
    if (value)
        vkc_strv_add(&b->out->argv, value);
}

void qb_argf(qbuild *b, const char *opt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) v = vkc_vasprintf(fmt, ap);
    va_end(ap);
    qb_arg(b, opt, v);
}

void qb_json(qbuild *b, const char *opt, json_object *o)
{
    VK_AUTOFREE(char *) s = vkc_json_text(o);
    json_object_put(o);
    qb_arg(b, opt, s);
}

char *qb_kv(const char *s)
{
    vkc_buf out = VKC_BUF_INIT;
    for (; s && *s; s++) {
        if (*s == ',')
            vkc_buf_addc(&out, ',');
        vkc_buf_addc(&out, *s);
    }
    return vkc_buf_steal(&out);
}

void qb_alias(qbuild *b, const char *el, size_t idx, const char *alias)
{
    qemu_cmd *c = b->out;
    VKC_GROW(c->aliases, c->aliases_cap, c->naliases);
    c->aliases[c->naliases].element = vkc_strdup(el);
    c->aliases[c->naliases].index = idx;
    c->aliases[c->naliases].alias = vkc_strdup(alias);
    c->naliases++;
}

int qb_fail(qbuild *b, const vkp_def *node, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    VK_AUTOFREE(char *) msg = vkc_vasprintf(fmt, ap);
    va_end(ap);
    char where[96];
    if (node)
        QEMU_ERR(code, "domain '%s': %s: %s", b->name, qemu_def_where(node, where, sizeof(where)),
                 msg);
    else
        QEMU_ERR(code, "domain '%s': %s", b->name, msg);
    return -1;
}

int qb_need_device(qbuild *b, const vkp_def *node, const char *type, const char *what)
{
    if (qemu_caps_has_device(b->ctx->caps, type))
        return 0;
    return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                   "%s needs qemu device '%s', which %s does not have", what, type,
                   b->ctx->caps->binary);
}

int qb_pci_address(qbuild *b, const vkp_def *node, json_object *dev)
{
    const char *type = qemu_def_str(node, "address/@type");
    if (!type)
        return 0;
    if (!vkc_streq(type, "pci"))
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "address type '%s' is not supported for this device", type);
    uint64_t dom = 0, bus = 0, slot = 0, fn = 0;
    if (qemu_def_u64(node, "address/@domain", &dom) < 0 ||
        qemu_def_u64(node, "address/@bus", &bus) < 0 ||
        qemu_def_u64(node, "address/@slot", &slot) < 0 ||
        qemu_def_u64(node, "address/@function", &fn) < 0)
        return -1;
    if (dom != 0 || slot > 0x1f || fn > 7)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "PCI address %04llx:%02llx:%02llx.%llx is out of range (domain 0, slot "
                       "0-0x1f, function 0-7)",
                       (unsigned long long)dom, (unsigned long long)bus,
                       (unsigned long long)slot, (unsigned long long)fn);
    char busname[32], addr[32];
    if (bus == 0)
        snprintf(busname, sizeof(busname), "%s", b->q35 ? "pcie.0" : "pci.0");
    else
        snprintf(busname, sizeof(busname), "pci.%llu", (unsigned long long)bus);
    snprintf(addr, sizeof(addr), "0x%llx.0x%llx", (unsigned long long)slot,
             (unsigned long long)fn);
    json_object_object_add(dev, "bus", VKC_JS(busname));
    json_object_object_add(dev, "addr", VKC_JS(addr));
    if (vkc_streq(qemu_def_str(node, "address/@multifunction"), "on"))
        json_object_object_add(dev, "multifunction", VKC_JB(1));
    return 0;
}

int qb_boot_index(qbuild *b, const vkp_def *node, json_object *dev)
{
    uint64_t order;
    int r = qemu_def_u64(node, "boot/@order", &order);
    if (r <= 0)
        return r;
    if (order == 0 || order > 65535)
        return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "boot order %llu is out of range (1-65535)", (unsigned long long)order);
    json_object_object_add(dev, "bootindex", VKC_JI(order));
    return 0;
}

bool qemu_machine_is_q35(const char *m)
{
    return m && (vkc_streq(m, "q35") || vkc_str_has_prefix(m, "pc-q35-"));
}

static bool machine_is_pc(const char *m)
{
    return m && (vkc_streq(m, "pc") || vkc_str_has_prefix(m, "pc-i440fx-"));
}

/* ------------------------------------------------- supported elements -- */

/* Every element path the qemu plugin reads. The domain format knows much
 * more (tuning, security labels, sound ...); whatever is not listed here
 * is refused by name instead of being dropped. "metadata" is opaque. */
static const char *const supported_paths[] = {
    "name", "uuid", "title", "description", "metadata", "maxMemory", "memory", "currentMemory",
    "vcpu", "on_poweroff", "on_reboot", "on_crash",
    "cputune", "cputune/vcpupin", "cputune/emulatorpin", "cputune/shares",
    "cputune/global_period", "cputune/global_quota", "memtune", "memtune/hard_limit",
    "memtune/soft_limit", /* cputune and memtune: applied by qemu_pin.c */
    "os", "os/type", "os/loader", "os/nvram", "os/kernel", "os/initrd", "os/cmdline", "os/boot",
    "os/bootmenu",
    "features", "features/acpi", "features/apic", "features/pae",
    "cpu", "cpu/model", "cpu/topology", "cpu/feature", "cpu/numa", "cpu/numa/cell",
    "clock",
    "devices", "devices/emulator",
    "devices/disk", "devices/disk/driver", "devices/disk/source", "devices/disk/target",
    "devices/disk/readonly", "devices/disk/shareable", "devices/disk/serial", "devices/disk/boot",
    "devices/disk/alias", "devices/disk/address",
    "devices/controller", "devices/controller/alias", "devices/controller/address",
    "devices/interface", "devices/interface/mac", "devices/interface/source",
    "devices/interface/target", "devices/interface/model", "devices/interface/boot",
    "devices/interface/alias", "devices/interface/address",
    "devices/serial", "devices/serial/source", "devices/serial/protocol", "devices/serial/target",
    "devices/serial/target/model", "devices/serial/alias", "devices/serial/address",
    "devices/console", "devices/console/source", "devices/console/protocol",
    "devices/console/target",
    "devices/console/alias",
    "devices/channel", "devices/channel/source", "devices/channel/protocol",
    "devices/channel/target",
    "devices/channel/alias", "devices/channel/address",
    "devices/input", "devices/input/alias", "devices/input/address",
    "devices/graphics", "devices/graphics/listen",
    "devices/video", "devices/video/model", "devices/video/alias", "devices/video/address",
    "devices/memballoon", "devices/memballoon/alias", "devices/memballoon/address",
    "devices/rng", "devices/rng/backend", "devices/rng/alias", "devices/rng/address",
    "devices/watchdog", "devices/watchdog/alias", "devices/watchdog/address",
    "devices/panic", "devices/panic/alias", "devices/panic/address",
    "devices/hostdev", "devices/hostdev/source", "devices/hostdev/source/address",
    "devices/hostdev/source/vendor", "devices/hostdev/source/product", "devices/hostdev/boot",
    "devices/hostdev/alias", "devices/hostdev/address",
};

static bool path_supported(const char *path)
{
    for (size_t i = 0; i < VKC_ARRAY_LEN(supported_paths); i++)
        if (vkc_streq(supported_paths[i], path))
            return true;
    return false;
}

static int check_subtree(qbuild *b, const vkp_def *node, const char *prefix)
{
    for (size_t i = 0;; i++) {
        const char *name = H->def->child_name(node, i);
        if (!name)
            return 0;
        VK_AUTOFREE(char *) path = prefix ? vkc_asprintf("%s/%s", prefix, name)
                                          : vkc_strdup(name);
        const vkp_def *c = H->def->nth_child(node, i);
        if (!path_supported(path))
            return qb_fail(b, c, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "element <%s> is not supported by the qemu plugin", path);
        if (!vkc_streq(path, "metadata") && check_subtree(b, c, path) < 0)
            return -1;
    }
}

/* Attributes that change behaviour and that the plugin does not apply. */
static const struct {
    const char *path;
    const char *why;
} unsupported_attrs[] = {
    { "devices/disk/@model", "transitional virtio models" },
    { "devices/disk/@rawio", "raw I/O" },
    { "devices/disk/@sgio", "SG_IO filtering" },
    { "devices/disk/driver/@error_policy", "disk error policies" },
    { "devices/disk/driver/@rerror_policy", "disk error policies" },
    { "devices/interface/@trustGuestRxFilters", "guest RX filters" },
    { "devices/memballoon/@autodeflate", "balloon auto-deflate" },
    { "devices/memballoon/@freePageReporting", "free page reporting" },
    { "devices/controller/@vectors", "MSI-X vector counts" },
    { "devices/graphics/@tlsPort", "TLS graphics" },
    { "devices/graphics/@websocket", "VNC websockets" },
    { "devices/graphics/@keymap", "VNC keymaps" },
    { "cpu/@migratable", "CPU migratability" },
};

static int check_attrs(qbuild *b)
{
    for (size_t a = 0; a < VKC_ARRAY_LEN(unsupported_attrs); a++) {
        const char *full = unsupported_attrs[a].path;
        const char *at = strrchr(full, '@');
        VK_AUTOFREE(char *) el = vkc_strndup(full, (size_t)(at - full - 1));
        size_t n = qemu_def_count(b->dom, el);
        for (size_t i = 0; i < n; i++) {
            const vkp_def *node = qemu_def_child(b->dom, el, i);
            if (qemu_def_str(node, at))
                return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                               "attribute %s (%s) is not supported by the qemu plugin", at,
                               unsupported_attrs[a].why);
        }
    }
    return 0;
}

static int sec_support(qbuild *b)
{
    if (check_subtree(b, b->dom, NULL) < 0)
        return -1;
    return check_attrs(b);
}

/* ---------------------------------------------------------- sections -- */

static int sec_identity(qbuild *b)
{
    const char *uuid = qemu_def_str(b->dom, "uuid");
    vkc_strv_add(&b->out->argv, b->ctx->caps->binary);
    VK_AUTOFREE(char *) name = qb_kv(b->name);
    qb_argf(b, "-name", "guest=%s,debug-threads=on", name);
    if (uuid)
        qb_arg(b, "-uuid", uuid);
    qb_arg(b, "-S", NULL);
    qb_arg(b, "-no-user-config", NULL);
    qb_arg(b, "-nodefaults", NULL);
    return 0;
}

static int sec_machine(qbuild *b)
{
    const qemu_caps *caps = b->ctx->caps;
    const char *os_type = qemu_def_str(b->dom, "os/type");
    if (os_type && !vkc_streq(os_type, "hvm"))
        return qb_fail(b, qemu_def_child(b->dom, "os/type", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "os type '%s' is not supported by qemu (only 'hvm')", os_type);
    const char *arch = qemu_def_str(b->dom, "os/type/@arch");
    if (arch && !vkc_streq(arch, caps->arch))
        return qb_fail(b, qemu_def_child(b->dom, "os/type", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "arch '%s' does not match emulator %s (%s)", arch, caps->binary,
                       caps->arch);
    const char *want = qemu_def_str(b->dom, "os/type/@machine");
    const qemu_machine *m = qemu_caps_machine(caps, want);
    if (!m)
        return qb_fail(b, qemu_def_child(b->dom, "os/type", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       want ? "machine type '%s' is not supported by %s"
                            : "%s%s has no default machine type; name one in os/type/@machine",
                       want ? want : "", caps->binary);
    b->machine = m->name;
    b->out->machine = vkc_strdup(m->name);
    b->q35 = qemu_machine_is_q35(m->name);
    b->pc = machine_is_pc(m->name);
    /* pc/q35 have ACPI unless told otherwise; libvirt turns it off when
     * <features><acpi/> is absent, and so do we (the shutdown op needs it). */
    bool acpi = qemu_def_has(b->dom, "features/acpi");
    vkc_buf mv = VKC_BUF_INIT;
    vkc_buf_addf(&mv, "%s,usb=off,dump-guest-core=off", m->name);
    if ((b->q35 || b->pc) && !acpi)
        vkc_buf_add(&mv, ",acpi=off");
    VK_AUTOFREE(char *) ms = vkc_buf_steal(&mv);
    qb_arg(b, "-machine", ms);
    if (qemu_def_has(b->dom, "features/hap"))
        return qb_fail(b, qemu_def_child(b->dom, "features/hap", 0),
                       VIRTKIT_ERR_CONFIG_UNSUPPORTED, "feature 'hap' applies to Xen, not qemu");
    qb_arg(b, "-accel", b->ctx->use_kvm ? "kvm" : "tcg");
    return 0;
}

/* <cpu>: mode, model, features (as -cpu properties). */
static int sec_cpu(qbuild *b)
{
    const vkp_def *cpu = qemu_def_child(b->dom, "cpu", 0);
    if (!cpu)
        return 0;
    const char *mode = qemu_def_str(cpu, "@mode");
    const char *model = qemu_def_str(cpu, "model");
    const char *name = NULL;
    if (!mode || vkc_streq(mode, "custom")) {
        if (!model)
            return 0; /* topology / numa only */
        if (!qemu_caps_has_cpu(b->ctx->caps, model))
            return qb_fail(b, cpu, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "CPU model '%s' is not known to %s", model, b->ctx->caps->binary);
        name = model;
    } else if (vkc_streq(mode, "host-passthrough")) {
        if (!b->ctx->use_kvm)
            return qb_fail(b, cpu, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "CPU mode 'host-passthrough' needs KVM; this domain runs on TCG");
        name = "host";
    } else if (vkc_streq(mode, "host-model")) {
        name = b->ctx->use_kvm ? "host" : "max";
    } else if (vkc_streq(mode, "maximum")) {
        name = "max";
    } else {
        return qb_fail(b, cpu, VIRTKIT_ERR_CONFIG_UNSUPPORTED, "CPU mode '%s' is not supported",
                       mode);
    }
    vkc_buf v = VKC_BUF_INIT;
    vkc_buf_add(&v, name);
    size_t nf = qemu_def_count(cpu, "feature");
    for (size_t i = 0; i < nf; i++) {
        const vkp_def *f = qemu_def_child(cpu, "feature", i);
        const char *fname = qemu_def_str(f, "@name");
        const char *policy = qemu_def_str(f, "@policy");
        static const struct {
            const char *policy;
            const char *value;
        } pol[] = { { "require", "on" }, { "force", "on" }, { "disable", "off" },
                    { "forbid", "off" } };
        const char *val = policy ? NULL : "on";
        for (size_t k = 0; k < VKC_ARRAY_LEN(pol) && !val; k++)
            if (vkc_streq(policy, pol[k].policy))
                val = pol[k].value;
        if (!fname || !val) {
            vkc_buf_clear(&v);
            return qb_fail(b, f, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "CPU feature policy '%s' is not supported (require, force, disable, "
                           "forbid)", policy ? policy : "");
        }
        vkc_buf_addf(&v, ",%s=%s", fname, val);
    }
    VK_AUTOFREE(char *) s = vkc_buf_steal(&v);
    qb_arg(b, "-cpu", s);
    return 0;
}

static int sec_memory(qbuild *b)
{
    uint64_t mem = 0, maxmem = 0, slots = 0;
    if (qemu_def_u64(b->dom, "memory", &mem) <= 0)
        return qb_fail(b, NULL, VIRTKIT_ERR_XML, "memory is missing");
    if (mem % 1024)
        return qb_fail(b, qemu_def_child(b->dom, "memory", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "memory %llu KiB is not a whole number of MiB, which qemu needs",
                       (unsigned long long)mem);
    int r = qemu_def_u64(b->dom, "maxMemory", &maxmem);
    if (r < 0 || qemu_def_u64(b->dom, "maxMemory/@slots", &slots) < 0)
        return -1;
    if (r > 0) {
        if (maxmem < mem || slots == 0)
            return qb_fail(b, qemu_def_child(b->dom, "maxMemory", 0),
                           VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "maxMemory needs slots and must not be below memory (%llu KiB)",
                           (unsigned long long)mem);
        qb_argf(b, "-m", "size=%lluk,slots=%llu,maxmem=%lluk", (unsigned long long)mem,
                (unsigned long long)slots, (unsigned long long)maxmem);
    } else {
        qb_argf(b, "-m", "size=%lluk", (unsigned long long)mem);
    }
    return 0;
}

static int sec_smp(qbuild *b)
{
    uint64_t n = 1, cur = 0;
    if (qemu_def_u64(b->dom, "vcpu", &n) < 0 || qemu_def_u64(b->dom, "vcpu/@current", &cur) < 0)
        return -1;
    const vkp_def *v = qemu_def_child(b->dom, "vcpu", 0);
    const char *placement = qemu_def_str(v, "@placement");
    if (vkc_streq(placement, "auto"))
        return qb_fail(b, v, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "vcpu placement='auto' (numad) is not supported by the qemu plugin; "
                       "name the CPUs with cpuset");
    const qemu_machine *mach = qemu_caps_machine(b->ctx->caps, b->machine);
    if (mach && mach->max_cpus > 0 && n > (uint64_t)mach->max_cpus)
        return qb_fail(b, v, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "%llu vcpus exceed the %d that machine %s supports",
                       (unsigned long long)n, mach->max_cpus, b->machine);
    vkc_buf s = VKC_BUF_INIT;
    if (cur && cur < n)
        vkc_buf_addf(&s, "%llu,maxcpus=%llu", (unsigned long long)cur, (unsigned long long)n);
    else
        vkc_buf_addf(&s, "%llu", (unsigned long long)n);
    const vkp_def *topo = qemu_def_child(b->dom, "cpu/topology", 0);
    uint64_t sockets = n, dies = 1, cores = 1, threads = 1;
    if (topo) {
        if (qemu_def_u64(topo, "@sockets", &sockets) < 0 || qemu_def_u64(topo, "@dies", &dies) < 0 ||
            qemu_def_u64(topo, "@cores", &cores) < 0 || qemu_def_u64(topo, "@threads", &threads) < 0) {
            vkc_buf_clear(&s);
            return -1;
        }
        if (!sockets || !dies || !cores || !threads || sockets * dies * cores * threads != n) {
            vkc_buf_clear(&s);
            return qb_fail(b, topo, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "topology %llu sockets x %llu dies x %llu cores x %llu threads does "
                           "not give the %llu vcpus",
                           (unsigned long long)sockets, (unsigned long long)dies,
                           (unsigned long long)cores, (unsigned long long)threads,
                           (unsigned long long)n);
        }
    }
    vkc_buf_addf(&s, ",sockets=%llu", (unsigned long long)sockets);
    if (dies > 1)
        vkc_buf_addf(&s, ",dies=%llu", (unsigned long long)dies);
    vkc_buf_addf(&s, ",cores=%llu,threads=%llu", (unsigned long long)cores,
                 (unsigned long long)threads);
    VK_AUTOFREE(char *) smp = vkc_buf_steal(&s);
    qb_arg(b, "-smp", smp);
    return 0;
}

/* <cpu><numa><cell id cpus memory/>: one RAM backend and -numa node each. */
static int sec_numa(qbuild *b)
{
    size_t n = qemu_def_count(b->dom, "cpu/numa/cell");
    if (!n)
        return 0;
    uint64_t mem = 0, total = 0;
    qemu_def_u64(b->dom, "memory", &mem);
    for (size_t i = 0; i < n; i++) {
        const vkp_def *cell = qemu_def_child(b->dom, "cpu/numa/cell", i);
        uint64_t id = i, kib = 0;
        if (qemu_def_u64(cell, "@id", &id) < 0 || qemu_def_u64(cell, "@memory", &kib) <= 0)
            return qb_fail(b, cell, VIRTKIT_ERR_CONFIG_UNSUPPORTED, "NUMA cell needs memory");
        const char *cpus = qemu_def_str(cell, "@cpus");
        if (!cpus)
            return qb_fail(b, cell, VIRTKIT_ERR_CONFIG_UNSUPPORTED, "NUMA cell needs cpus");
        total += kib;
        json_object *be = vkc_json_obj("qom-type", VKC_JS("memory-backend-ram"), "id", NULL,
                                       NULL);
        char id_s[32];
        snprintf(id_s, sizeof(id_s), "ram-node%llu", (unsigned long long)id);
        json_object_object_add(be, "id", VKC_JS(id_s));
        json_object_object_add(be, "size", VKC_JI(kib * 1024));
        qb_json(b, "-object", be);
        /* qemu takes one cpus= per range: "0-1,4" -> cpus=0-1,cpus=4 */
        vkc_buf v = VKC_BUF_INIT;
        vkc_buf_addf(&v, "node,nodeid=%llu", (unsigned long long)id);
        VK_AUTOFREE(char *) cp = vkc_strdup(cpus);
        char *save = NULL;
        for (char *t = strtok_r(cp, ",", &save); t; t = strtok_r(NULL, ",", &save))
            vkc_buf_addf(&v, ",cpus=%s", t);
        vkc_buf_addf(&v, ",memdev=%s", id_s);
        VK_AUTOFREE(char *) nv = vkc_buf_steal(&v);
        qb_arg(b, "-numa", nv);
    }
    if (total != mem)
        return qb_fail(b, qemu_def_child(b->dom, "cpu/numa", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "NUMA cells hold %llu KiB but the domain has %llu KiB of memory",
                       (unsigned long long)total, (unsigned long long)mem);
    return 0;
}

static int sec_firmware(qbuild *b)
{
    const vkp_def *loader = qemu_def_child(b->dom, "os/loader", 0);
    const char *fw = qemu_def_str(b->dom, "os/@firmware");
    if (vkc_streq(fw, "efi") && !loader)
        return qb_fail(b, qemu_def_child(b->dom, "os", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "firmware='efi' without a <loader> path is not supported; name the "
                       "OVMF code file in <loader type='pflash'>");
    if (!loader)
        return 0;
    const char *path = qemu_def_str(b->dom, "os/loader");
    const char *type = qemu_def_str(loader, "@type");
    if (!path)
        return qb_fail(b, loader, VIRTKIT_ERR_XML, "loader needs a path");
    VK_AUTOFREE(char *) p = qb_kv(path);
    if (!type || vkc_streq(type, "rom")) {
        qb_arg(b, "-bios", path);
        return 0;
    }
    bool ro = vkc_streq(qemu_def_str(loader, "@readonly"), "yes");
    qb_argf(b, "-drive", "if=pflash,format=raw,unit=0,file=%s%s", p, ro ? ",readonly=on" : "");
    const char *nvram = qemu_def_str(b->dom, "os/nvram");
    if (nvram) {
        VK_AUTOFREE(char *) n = qb_kv(nvram);
        qb_argf(b, "-drive", "if=pflash,format=raw,unit=1,file=%s", n);
    }
    return 0;
}

static int sec_display_monitor(qbuild *b)
{
    qb_arg(b, "-display", "none");
    qb_argf(b, "-chardev", "socket,id=charmonitor,fd=%d,server=on,wait=off", b->ctx->monitor_fd);
    qb_arg(b, "-mon", "chardev=charmonitor,id=monitor,mode=control");
    return 0;
}

static int sec_clock(qbuild *b)
{
    const vkp_def *clock = qemu_def_child(b->dom, "clock", 0);
    const char *offset = qemu_def_str(clock, "@offset");
    if (!offset || vkc_streq(offset, "utc")) {
        qb_arg(b, "-rtc", "base=utc");
    } else if (vkc_streq(offset, "localtime")) {
        qb_arg(b, "-rtc", "base=localtime");
    } else if (vkc_streq(offset, "variable")) {
        int64_t adj = 0;
        const char *a = qemu_def_str(clock, "@adjustment");
        int ai = 0;
        if (a && vkc_parse_int(a, &ai) < 0)
            return qb_fail(b, clock, VIRTKIT_ERR_XML, "adjustment '%s' is not a number", a);
        adj = ai;
        time_t t = (time_t)(b->ctx->now + adj);
        struct tm tm;
        gmtime_r(&t, &tm);
        char buf[64];
        strftime(buf, sizeof(buf), "base=%Y-%m-%dT%H:%M:%S", &tm);
        qb_arg(b, "-rtc", buf);
    } else {
        return qb_fail(b, clock, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "clock offset '%s' is not supported (utc, localtime, variable)", offset);
    }
    return 0;
}

/* qemu stops instead of exiting on guest power-off (-no-shutdown) so we
 * apply on_poweroff ourselves. Guest reboots reset as usual and on_reboot
 * is applied on qemu's RESET event: -no-reboot would also turn our own
 * resets (and SeaBIOS's second reset after a warm one) into shutdowns. */
static int sec_lifecycle(qbuild *b)
{
    static const char *const known[] = { "destroy", "restart", "preserve", NULL };
    static const char *const elems[] = { "on_poweroff", "on_reboot", "on_crash" };
    for (size_t i = 0; i < VKC_ARRAY_LEN(elems); i++) {
        const char *v = qemu_def_str(b->dom, elems[i]);
        bool ok = !v;
        for (size_t k = 0; known[k] && !ok; k++)
            ok = vkc_streq(v, known[k]);
        if (!ok)
            return qb_fail(b, qemu_def_child(b->dom, elems[i], 0),
                           VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                           "%s action '%s' is not supported (destroy, restart, preserve)",
                           elems[i], v);
    }
    qb_arg(b, "-no-shutdown", NULL);
    /* A guest panic pauses the guest and tells us (GUEST_PANICKED), so
     * on_crash decides, not qemu. */
    qb_arg(b, "-action", "panic=pause");
    return 0;
}

static bool any_device_boot(const vkp_def *dom)
{
    for (size_t i = 0;; i++) {
        const vkp_def *dev = qemu_def_child(dom, "devices", 0);
        const vkp_def *c = dev ? H->def->nth_child(dev, i) : NULL;
        if (!c)
            return false;
        if (qemu_def_has(c, "boot"))
            return true;
    }
}

static int sec_boot(qbuild *b)
{
    static const struct {
        const char *dev;
        char letter;
    } letters[] = { { "hd", 'c' }, { "cdrom", 'd' }, { "network", 'n' }, { "fd", 'a' } };
    size_t nboot = qemu_def_count(b->dom, "os/boot");
    b->os_boot = nboot > 0;
    b->dev_boot = any_device_boot(b->dom);
    if (b->os_boot && b->dev_boot)
        return qb_fail(b, qemu_def_child(b->dom, "os/boot", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "per-device <boot order> cannot be combined with <os><boot dev>");
    vkc_buf v = VKC_BUF_INIT;
    vkc_buf_add(&v, "strict=on");
    if (nboot) {
        vkc_buf_add(&v, ",order=");
        for (size_t i = 0; i < nboot; i++) {
            const char *dev = qemu_def_str(qemu_def_child(b->dom, "os/boot", i), "@dev");
            for (size_t k = 0; k < VKC_ARRAY_LEN(letters); k++)
                if (vkc_streq(dev, letters[k].dev))
                    vkc_buf_addc(&v, letters[k].letter);
        }
    }
    const vkp_def *menu = qemu_def_child(b->dom, "os/bootmenu", 0);
    if (menu && vkc_streq(qemu_def_str(menu, "@enable"), "yes")) {
        uint64_t timeout;
        vkc_buf_add(&v, ",menu=on");
        if (qemu_def_u64(menu, "@timeout", &timeout) > 0)
            vkc_buf_addf(&v, ",splash-time=%llu", (unsigned long long)timeout);
    }
    VK_AUTOFREE(char *) bs = vkc_buf_steal(&v);
    qb_arg(b, "-boot", bs);

    if (qemu_def_has(b->dom, "os/init") || qemu_def_has(b->dom, "os/initarg"))
        return qb_fail(b, qemu_def_child(b->dom, "os", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "<init> is for containers; qemu boots a kernel or firmware");
    const char *kernel = qemu_def_str(b->dom, "os/kernel");
    const char *initrd = qemu_def_str(b->dom, "os/initrd");
    const char *cmdline = qemu_def_str(b->dom, "os/cmdline");
    if ((initrd || cmdline) && !kernel)
        return qb_fail(b, qemu_def_child(b->dom, "os", 0), VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                       "<initrd> and <cmdline> need a <kernel>");
    if (kernel)
        qb_arg(b, "-kernel", kernel);
    if (initrd)
        qb_arg(b, "-initrd", initrd);
    if (cmdline)
        qb_arg(b, "-append", cmdline);
    return 0;
}

static const qb_device_kind *device_kind(const char *el)
{
    for (size_t i = 0; i < qb_n_device_kinds; i++)
        if (vkc_streq(qb_device_kinds[i].element, el))
            return &qb_device_kinds[i];
    return NULL;
}

/* Walk <devices> three times: scan (needs), controllers, the rest. */
static int sec_devices(qbuild *b)
{
    const vkp_def *devs = qemu_def_child(b->dom, "devices", 0);
    for (int pass = 0; pass <= 2; pass++) {
        size_t counts[64] = { 0 };
        for (size_t i = 0; devs; i++) {
            const vkp_def *node = H->def->nth_child(devs, i);
            if (!node)
                break;
            const char *el = H->def->element(node);
            const qb_device_kind *k = device_kind(el);
            if (!k)
                return qb_fail(b, node, VIRTKIT_ERR_CONFIG_UNSUPPORTED,
                               "device <%s> is not supported by the qemu plugin", el);
            size_t ki = (size_t)(k - qb_device_kinds);
            size_t idx = counts[ki]++;
            if (pass == 0 && k->scan && k->scan(b, node) < 0)
                return -1;
            if (pass > 0 && k->pass == pass && k->build && k->build(b, node, idx) < 0)
                return -1;
        }
        if (pass == 1 && qb_implicit_controllers(b) < 0)
            return -1;
    }
    return qb_implicit_devices(b);
}

static int sec_migration(qbuild *b)
{
    if (b->ctx->incoming)
        qb_arg(b, "-incoming", b->ctx->incoming);
    return 0;
}

static int sec_sandbox(qbuild *b)
{
    if (b->ctx->conf->sandbox && b->ctx->caps->sandbox)
        qb_arg(b, "-sandbox",
               "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
    qb_arg(b, "-msg", "timestamp=on");
    return 0;
}

/* The command line, in order. */
static const struct {
    const char *name;
    int (*fn)(qbuild *b);
} sections[] = {
    { "support", sec_support },
    { "identity", sec_identity },
    { "machine", sec_machine },
    { "cpu", sec_cpu },
    { "memory", sec_memory },
    { "smp", sec_smp },
    { "numa", sec_numa },
    { "firmware", sec_firmware },
    { "display and monitor", sec_display_monitor },
    { "clock", sec_clock },
    { "lifecycle", sec_lifecycle },
    { "boot", sec_boot },
    { "devices", sec_devices },
    { "migration", sec_migration },
    { "sandbox", sec_sandbox },
};

static void qbuild_init(qbuild *b, const vkp_def *def, const qemu_cmd_ctx *ctx, qemu_cmd *out)
{
    memset(b, 0, sizeof(*b));
    b->dom = def;
    b->ctx = ctx;
    b->out = out;
    b->name = qemu_def_str(def, "name");
    if (!b->name)
        b->name = "?";
}

int qemu_command_build(const vkp_def *def, const qemu_cmd_ctx *ctx, qemu_cmd *out)
{
    memset(out, 0, sizeof(*out));
    qbuild b;
    qbuild_init(&b, def, ctx, out);
    for (size_t i = 0; i < VKC_ARRAY_LEN(sections); i++) {
        if (sections[i].fn(&b) < 0) {
            qemu_cmd_clear(out);
            return -1;
        }
    }
    return 0;
}

void qemu_cmd_clear(qemu_cmd *c)
{
    vkc_strv_clear(&c->argv);
    for (size_t i = 0; i < c->naliases; i++) {
        free(c->aliases[i].element);
        free(c->aliases[i].alias);
    }
    free(c->aliases);
    vkc_strv_clear(&c->pty_chardevs);
    free(c->machine);
    memset(c, 0, sizeof(*c));
}

/* Quote for a POSIX shell when needed, so a logged command can be rerun. */
static void add_quoted(vkc_buf *b, const char *s)
{
    bool plain = *s != 0;
    for (const char *p = s; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "-_=,./:+@%", *p) != NULL;
    if (plain) {
        vkc_buf_add(b, s);
        return;
    }
    vkc_buf_addc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            vkc_buf_add(b, "'\\''");
        else
            vkc_buf_addc(b, *p);
    }
    vkc_buf_addc(b, '\'');
}

char *qemu_cmd_format(const qemu_cmd *c)
{
    vkc_buf b = VKC_BUF_INIT;
    for (size_t i = 0; i < c->argv.n; i++) {
        const char *a = c->argv.v[i];
        add_quoted(&b, a);
        /* option and its value on one line */
        bool opt = a[0] == '-' && i + 1 < c->argv.n && c->argv.v[i + 1][0] != '-';
        if (opt) {
            vkc_buf_addc(&b, ' ');
            add_quoted(&b, c->argv.v[++i]);
        }
        vkc_buf_add(&b, i + 1 < c->argv.n ? " \\\n" : "\n");
    }
    return vkc_buf_steal(&b);
}

/* ------------------------------------------------------------ hotplug -- */

/* Set up a builder for one device of an existing domain. */
static void qbuild_for_device(qbuild *b, const vkp_def *dom, const qemu_cmd_ctx *ctx,
                              qemu_cmd *scratch)
{
    memset(scratch, 0, sizeof(*scratch));
    qbuild_init(b, dom, ctx, scratch);
    const char *m = qemu_def_str(dom, "os/type/@machine");
    b->machine = m;
    b->q35 = qemu_machine_is_q35(m);
    b->pc = machine_is_pc(m);
}

int qemu_build_disk(const vkp_def *dom, const vkp_def *disk, size_t idx, const qemu_cmd_ctx *ctx,
                    const char *bus_override, json_object **file_node, json_object **fmt_node,
                    json_object **device, char **alias)
{
    qbuild b;
    qemu_cmd scratch;
    qbuild_for_device(&b, dom, ctx, &scratch);
    int r = qemu_disk_blockdevs(&b, disk, idx, bus_override, file_node, fmt_node, device, alias);
    qemu_cmd_clear(&scratch);
    return r;
}

int qemu_build_interface(const vkp_def *dom, const vkp_def *iface, size_t idx,
                         const qemu_cmd_ctx *ctx, const char *bus_override,
                         json_object **netdev, json_object **device, char **alias)
{
    qbuild b;
    qemu_cmd scratch;
    qbuild_for_device(&b, dom, ctx, &scratch);
    int r = qemu_iface_parts(&b, iface, idx, bus_override, netdev, device, alias);
    qemu_cmd_clear(&scratch);
    return r;
}
