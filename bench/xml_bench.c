/*
 * xml_bench.c: virtkit-xml-bench, the throughput of the definitions
 * engine on a typical domain (what virt-install writes for a q35 guest:
 * two disks, a NIC, console, agent channels, SPICE, sound, video, USB
 * redirection, balloon, RNG; about 2.5 KB). Prints "NAME VALUE UNIT":
 *
 *   xml_parse_per_s          parse with checks and defaults (what define does)
 *   xml_format_per_s         format the expanded definition
 *   xml_parse_format_per_s   both, one after the other
 *   xml_parse_mb_per_s       input bytes parsed per second
 *   xml_parse_noinput_check  parse without defaults, for comparison
 *
 * Each figure is the median of 5 runs of BENCH_SECONDS/5 each.
 *   virtkit-xml-bench [SECONDS]   (default 2)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "defs.h"
#include "error.h"

static const char typical[] =
    "<domain type='kvm'>\n"
    "  <name>fedora38</name>\n"
    "  <uuid>7a0ef5f4-2a4c-4b8e-9d56-2f1f2c6b1e11</uuid>\n"
    "  <metadata>\n"
    "    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n"
    "      <libosinfo:os id='http://fedoraproject.org/fedora/38'/>\n"
    "    </libosinfo:libosinfo>\n"
    "  </metadata>\n"
    "  <memory unit='KiB'>4194304</memory>\n"
    "  <currentMemory unit='KiB'>4194304</currentMemory>\n"
    "  <vcpu placement='static'>2</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='q35'>hvm</type>\n"
    "    <boot dev='hd'/>\n"
    "  </os>\n"
    "  <features>\n"
    "    <acpi/>\n"
    "    <apic/>\n"
    "    <vmport state='off'/>\n"
    "  </features>\n"
    "  <cpu mode='host-passthrough' check='none' migratable='on'/>\n"
    "  <clock offset='utc'>\n"
    "    <timer name='rtc' tickpolicy='catchup'/>\n"
    "    <timer name='pit' tickpolicy='delay'/>\n"
    "    <timer name='hpet' present='no'/>\n"
    "  </clock>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <on_reboot>restart</on_reboot>\n"
    "  <on_crash>destroy</on_crash>\n"
    "  <pm>\n"
    "    <suspend-to-mem enabled='no'/>\n"
    "    <suspend-to-disk enabled='no'/>\n"
    "  </pm>\n"
    "  <devices>\n"
    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "    <disk type='file' device='disk'>\n"
    "      <driver name='qemu' type='qcow2' discard='unmap'/>\n"
    "      <source file='/var/lib/libvirt/images/fedora38.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "    </disk>\n"
    "    <disk type='file' device='cdrom'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <target dev='sda' bus='sata'/>\n"
    "      <readonly/>\n"
    "    </disk>\n"
    "    <controller type='usb' model='qemu-xhci' ports='15'/>\n"
    "    <interface type='network'>\n"
    "      <mac address='52:54:00:6b:3c:58'/>\n"
    "      <source network='default'/>\n"
    "      <model type='virtio'/>\n"
    "    </interface>\n"
    "    <console type='pty'/>\n"
    "    <channel type='unix'>\n"
    "      <source mode='bind'/>\n"
    "      <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
    "    </channel>\n"
    "    <channel type='spicevmc'>\n"
    "      <target type='virtio' name='com.redhat.spice.0'/>\n"
    "    </channel>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "    <graphics type='spice' autoport='yes'>\n"
    "      <listen type='address'/>\n"
    "      <image compression='off'/>\n"
    "    </graphics>\n"
    "    <sound model='ich9'/>\n"
    "    <video>\n"
    "      <model type='virtio'/>\n"
    "    </video>\n"
    "    <redirdev bus='usb' type='spicevmc'/>\n"
    "    <redirdev bus='usb' type='spicevmc'/>\n"
    "    <memballoon model='virtio'/>\n"
    "    <rng model='virtio'>\n"
    "      <backend model='random'>/dev/urandom</backend>\n"
    "    </rng>\n"
    "  </devices>\n"
    "</domain>\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "virtkit-xml-bench: %s: %s\n", what, vk_error_message());
    exit(1);
}

typedef enum { OP_PARSE, OP_PARSE_NODEFAULTS, OP_FORMAT, OP_BOTH } op_kind;

/* One operation on the typical domain; `expanded` is the parsed one. */
static void run_op(op_kind op, const vk_xnode *expanded)
{
    vk_xnode *n = NULL;
    char *s = NULL;
    switch (op) {
    case OP_PARSE:
        n = vk_def_parse(VKP_DEF_DOMAIN, typical, 0);
        break;
    case OP_PARSE_NODEFAULTS:
        n = vk_def_parse(VKP_DEF_DOMAIN, typical, VKP_DEF_PARSE_NO_DEFAULTS);
        break;
    case OP_FORMAT:
        s = vk_def_format(expanded, 0);
        break;
    case OP_BOTH:
        n = vk_def_parse(VKP_DEF_DOMAIN, typical, 0);
        if (n)
            s = vk_def_format(n, 0);
        break;
    }
    if (!n && !s)
        die("operation failed");
    vk_xnode_free(n);
    free(s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Operations per second: median of 5 timed runs of `slice` seconds. */
static double measure(op_kind op, const vk_xnode *expanded, double slice)
{
    double rates[5];
    for (int r = 0; r < 5; r++) {
        long count = 0;
        double start = now_s(), t;
        do {
            for (int i = 0; i < 50; i++)
                run_op(op, expanded);
            count += 50;
            t = now_s() - start;
        } while (t < slice);
        rates[r] = (double)count / t;
    }
    qsort(rates, 5, sizeof(rates[0]), cmp_double);
    return rates[2];
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (seconds <= 0) {
        fprintf(stderr, "usage: virtkit-xml-bench [SECONDS]\n");
        return 2;
    }
    double slice = seconds / 5;
    vk_xnode *expanded = vk_def_parse(VKP_DEF_DOMAIN, typical, 0);
    if (!expanded)
        die("the typical domain does not parse");
    char *out = vk_def_format(expanded, 0);
    printf("# typical domain: %zu bytes in, %zu bytes expanded out\n", strlen(typical),
           strlen(out));
    for (int i = 0; i < 200; i++) /* warm-up */
        run_op(OP_BOTH, expanded);
    double parse = measure(OP_PARSE, expanded, slice);
    double parse_nd = measure(OP_PARSE_NODEFAULTS, expanded, slice);
    double format = measure(OP_FORMAT, expanded, slice);
    double both = measure(OP_BOTH, expanded, slice);
    printf("xml_parse_format_per_s %.0f docs/s\n", both);
    printf("xml_parse_per_s %.0f docs/s\n", parse);
    printf("xml_format_per_s %.0f docs/s\n", format);
    printf("xml_parse_mb_per_s %.2f MB/s\n", parse * (double)strlen(typical) / 1e6);
    printf("xml_format_mb_per_s %.2f MB/s\n", format * (double)strlen(out) / 1e6);
    printf("xml_parse_no_defaults_per_s %.0f docs/s\n", parse_nd);
    free(out);
    vk_xnode_free(expanded);
    return 0;
}
