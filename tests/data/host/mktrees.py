#!/usr/bin/env python3
"""mktrees.py: writes the recorded sysfs/proc trees the host tests read.

The trees are minimal: only the files virtkit reads, laid out exactly as
the kernel does (relative symlinks from /sys/bus and /sys/class into
/sys/devices), with values modelled on three real machines:

  laptop   1 socket, 4 cores / 8 threads (Intel i7-8565U), 1 NUMA cell,
           PCI (GPU, xHCI, wifi, NVMe behind a root port, ethernet),
           USB receiver with two HID interfaces, pci.ids and usb.ids.
  server   2 sockets x 4 cores x 2 threads (Xeon E5-2623 v4), 2 NUMA
           cells with distances and 2 MiB + 1 GiB huge page pools per
           cell, SAS HBA with a disk, 10G NIC with SR-IOV (2 VFs on
           vfio-pci), non-contiguous core ids.
  offline  a VM with 8 vCPUs of which 6 and 7 are offline (no topology),
           no /sys/devices/system/node (one implied cell), no DMI (UUID
           from /etc/machine-id), virtio NIC/disk/SCSI cdrom without media.

Run: ./mktrees.py [OUTDIR]  (writes OUTDIR/laptop, server, offline; default
next to this script). The build runs it into the build tree before the host
tests: the trees are not committed, because their symlink loops (like the
kernel's) cannot go through `make dist`, which dereferences symlinks.
The output is deterministic; the golden files pin what it must produce.
"""
import os
import shutil

import sys

HERE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else \
    os.path.dirname(os.path.abspath(__file__))


class Tree:
    def __init__(self, name):
        self.root = os.path.join(HERE, name)
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)

    def p(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def w(self, path, content):
        full = self.p(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write(content if content.endswith('\n') or content == '' else content + '\n')

    def d(self, path):
        os.makedirs(self.p(path), exist_ok=True)

    def ln(self, path, target):
        """A relative symlink at path pointing to target (both tree paths)."""
        full = self.p(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        rel = os.path.relpath(self.p(target), os.path.dirname(full))
        os.symlink(rel, full)

    # ---- building blocks -------------------------------------------------

    def cpus(self, present, online, topo, node_of=None, possible=None):
        """topo: {cpu: (socket, die, core, siblings)} for online CPUs."""
        base = '/sys/devices/system/cpu'
        self.w(base + '/present', present)
        self.w(base + '/online', online)
        self.w(base + '/possible', possible or present)
        for cpu, (sock, die, core, sib) in topo.items():
            t = '%s/cpu%d/topology' % (base, cpu)
            self.w(t + '/physical_package_id', str(sock))
            self.w(t + '/die_id', str(die))
            self.w(t + '/core_id', str(core))
            self.w(t + '/thread_siblings_list', sib)
        for cpu, node in (node_of or {}).items():
            self.d('%s/cpu%d' % (base, cpu))
            self.ln('%s/cpu%d/node%d' % (base, cpu, node), '/sys/devices/system/node/node%d' % node)

    def cache(self, cpu, index, level, ctype, size, shared, cid):
        c = '/sys/devices/system/cpu/cpu%d/cache/index%d' % (cpu, index)
        self.w(c + '/level', str(level))
        if level < 2:
            return  # virtkit stops at the level of L1 caches
        self.w(c + '/type', ctype)
        self.w(c + '/size', size)
        self.w(c + '/shared_cpu_list', shared)
        self.w(c + '/id', str(cid))

    def pools(self, base, pools):
        for size, (total, free) in pools.items():
            self.w('%s/hugepages-%dkB/nr_hugepages' % (base, size), str(total))
            self.w('%s/hugepages-%dkB/free_hugepages' % (base, size), str(free))

    def node(self, n, cpulist, total, free, distance, pools):
        b = '/sys/devices/system/node/node%d' % n
        self.w(b + '/cpulist', cpulist)
        self.w(b + '/distance', distance)
        self.w(b + '/meminfo', meminfo_node(n, total, free))
        self.pools(b + '/hugepages', pools)

    def driver(self, bus, devdir, drv):
        self.w('/sys/bus/%s/drivers/%s/uevent' % (bus, drv), '')
        self.ln(devdir + '/driver', '/sys/bus/%s/drivers/%s' % (bus, drv))

    def pci(self, devdir, vendor, device, cls, driver=None, group=None, numa=-1, link=None,
            sriov=None, physfn=None):
        bdf = os.path.basename(devdir)
        self.w(devdir + '/vendor', '0x%04x' % vendor)
        self.w(devdir + '/device', '0x%04x' % device)
        self.w(devdir + '/class', '0x%06x' % cls)
        self.w(devdir + '/numa_node', str(numa))
        if driver:
            self.driver('pci', devdir, driver)
        if group is not None:
            g = '/sys/kernel/iommu_groups/%d' % group
            self.ln(g + '/devices/' + bdf, devdir)
            self.ln(devdir + '/iommu_group', g)
        if link:
            (ms, mw), (cs, cw) = link
            self.w(devdir + '/max_link_speed', ms)
            self.w(devdir + '/max_link_width', str(mw))
            self.w(devdir + '/current_link_speed', cs)
            self.w(devdir + '/current_link_width', str(cw))
        if sriov:
            total, vfs = sriov
            self.w(devdir + '/sriov_totalvfs', str(total))
            for i, vf in enumerate(vfs):
                self.ln('%s/virtfn%d' % (devdir, i), vf)
        if physfn:
            self.ln(devdir + '/physfn', physfn)
        self.ln('/sys/bus/pci/devices/' + bdf, devdir)

    def usb_device(self, devdir, bus, dev, vid, pid, manufacturer, product):
        self.w(devdir + '/busnum', str(bus))
        self.w(devdir + '/devnum', str(dev))
        self.w(devdir + '/idVendor', '%04x' % vid)
        self.w(devdir + '/idProduct', '%04x' % pid)
        self.w(devdir + '/manufacturer', manufacturer)
        self.w(devdir + '/product', product)
        self.driver('usb', devdir, 'usb')
        self.ln('/sys/bus/usb/devices/' + os.path.basename(devdir), devdir)

    def usb_interface(self, devdir, num, cls, sub, proto, driver):
        self.w(devdir + '/bInterfaceNumber', '%02x' % num)
        self.w(devdir + '/bInterfaceClass', '%02x' % cls)
        self.w(devdir + '/bInterfaceSubClass', '%02x' % sub)
        self.w(devdir + '/bInterfaceProtocol', '%02x' % proto)
        self.driver('usb', devdir, driver)
        self.ln('/sys/bus/usb/devices/' + os.path.basename(devdir), devdir)

    def net(self, devdir, mac, oper, speed=None, arptype=1, wireless=False):
        self.w(devdir + '/address', mac)
        self.w(devdir + '/addr_len', '6')
        self.w(devdir + '/type', str(arptype))
        self.w(devdir + '/operstate', oper)
        if speed is not None:
            self.w(devdir + '/speed', str(speed))
        if wireless:
            phy = os.path.dirname(os.path.dirname(devdir)) + '/ieee80211/phy0'
            self.w(phy + '/name', 'phy0')
            self.ln(devdir + '/phy80211', phy)
        self.ln('/sys/class/net/' + os.path.basename(devdir), devdir)

    def disk(self, devdir, sectors, removable=0, lbs=512, serial=None):
        self.w(devdir + '/size', str(sectors))
        self.w(devdir + '/removable', str(removable))
        self.w(devdir + '/queue/logical_block_size', str(lbs))
        if serial is not None:
            self.w(devdir + '/serial', serial)
        self.ln('/sys/block/' + os.path.basename(devdir), devdir)

    def scsi(self, hostdir, target, lun, scsi_type, vendor, model, unique_id):
        host = os.path.basename(hostdir)
        self.w('%s/scsi_host/%s/unique_id' % (hostdir, host), str(unique_id))
        self.ln('/sys/bus/scsi/devices/' + host, hostdir)
        tdir = hostdir + '/' + target
        self.w(tdir + '/uevent', 'DEVTYPE=scsi_target')
        self.ln('/sys/bus/scsi/devices/' + target, tdir)
        ldir = tdir + '/' + lun
        self.w(ldir + '/type', str(scsi_type))
        self.w(ldir + '/vendor', vendor)
        self.w(ldir + '/model', model)
        self.driver('scsi', ldir, 'sr' if scsi_type == 5 else 'sd')
        self.ln('/sys/bus/scsi/devices/' + lun, ldir)
        return ldir

    def dmi(self, **kv):
        for k, v in kv.items():
            self.w('/sys/class/dmi/id/' + k, v)

    def proc(self, meminfo, cpuinfo, stat, arch='x86_64'):
        self.w('/proc/meminfo', meminfo)
        self.w('/proc/cpuinfo', cpuinfo)
        self.w('/proc/stat', stat)
        self.w('/proc/sys/kernel/arch', arch)


def meminfo(total, free, buffers, cached, huge=None):
    lines = ['MemTotal:       %8d kB' % total, 'MemFree:        %8d kB' % free,
             'MemAvailable:   %8d kB' % (free + cached), 'Buffers:        %8d kB' % buffers,
             'Cached:         %8d kB' % cached, 'SwapCached:            0 kB',
             'SwapTotal:             0 kB', 'SwapFree:              0 kB']
    if huge:
        lines += ['HugePages_Total:   %5d' % huge[0], 'HugePages_Free:    %5d' % huge[1],
                  'Hugepagesize:       2048 kB']
    return '\n'.join(lines)


def meminfo_node(n, total, free):
    rows = [('MemTotal', total), ('MemFree', free), ('MemUsed', total - free),
            ('FilePages', 1048576)]
    return '\n'.join('Node %d %-15s %8d kB' % (n, k + ':', v) for k, v in rows)


def cpuinfo(n, fields, flags):
    out = []
    for i in range(n):
        out.append('processor\t: %d' % i)
        for k, v in fields:
            out.append('%s\t: %s' % (k, v))
        out.append('flags\t\t: ' + flags)
        out.append('')
    return '\n'.join(out)


def stat(cpus):
    """cpus: {id: (user, nice, system, idle, iowait, irq, softirq)}; sums as the node line."""
    tot = [sum(v[i] for v in cpus.values()) for i in range(7)]
    lines = ['cpu  %s 0 0 0' % ' '.join(str(x) for x in tot)]
    for c in sorted(cpus):
        lines.append('cpu%d %s 0 0 0' % (c, ' '.join(str(x) for x in cpus[c])))
    lines += ['intr 123456789 0 0', 'ctxt 987654321', 'btime 1700000000', 'processes 123456',
              'procs_running 2', 'procs_blocked 0']
    return '\n'.join(lines)


INTEL_FLAGS = ('fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush '
               'mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon '
               'nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx est tm2 ssse3 '
               'fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand '
               'lahf_lm abm 3dnowprefetch ept vpid fsgsbase bmi1 avx2 smep bmi2 erms invpcid')


def laptop():
    t = Tree('laptop')
    topo = {c: (0, 0, c % 4, '%d,%d' % (c % 4, c % 4 + 4)) for c in range(8)}
    t.cpus('0-7', '0-7', topo, {c: 0 for c in range(8)})
    t.w('/sys/devices/system/cpu/cpu0/cpufreq/base_frequency', '1800000')
    t.w('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', '4600000')
    for c in range(8):
        core = c % 4
        t.cache(c, 0, 1, 'Data', '32K', '%d,%d' % (core, core + 4), core)
        t.cache(c, 1, 1, 'Instruction', '32K', '%d,%d' % (core, core + 4), core)
        t.cache(c, 2, 2, 'Unified', '256K', '%d,%d' % (core, core + 4), core)
        t.cache(c, 3, 3, 'Unified', '8192K', '0-7', 0)
    t.w('/sys/devices/system/node/online', '0')
    t.node(0, '0-7', 16184472, 9438212, '10', {2048: (0, 0), 1048576: (0, 0)})
    t.pools('/sys/kernel/mm/hugepages', {2048: (0, 0), 1048576: (0, 0)})
    t.w('/sys/power/state', 'freeze mem disk')
    t.w('/sys/power/disk', '[platform] shutdown reboot suspend test_resume')
    t.dmi(product_uuid='2f8c1b6e-3d4a-11eb-8a21-c85b76a1b2c3', sys_vendor='LENOVO',
          product_name='20N2CTO1WW', product_version='ThinkPad T490', product_serial='PF1ABCDE',
          bios_vendor='LENOVO', bios_version='N2IET98W (1.76 )', bios_date='03/22/2023')
    t.w('/etc/machine-id', '0d5f6c8f0a7e4b2c9a1d3e5f7b9c1d2e')

    r = '/sys/devices/pci0000:00/'
    t.pci(r + '0000:00:00.0', 0x8086, 0x3e34, 0x060000, 'skl_uncore', 0)
    t.pci(r + '0000:00:02.0', 0x8086, 0x3ea0, 0x030000, 'i915', 1)
    t.pci(r + '0000:00:14.0', 0x8086, 0x9ded, 0x0c0330, 'xhci_hcd', 2)
    t.pci(r + '0000:00:14.3', 0x8086, 0x9df0, 0x028000, 'iwlwifi', 2)
    t.pci(r + '0000:00:1d.0', 0x8086, 0x9db0, 0x060400, 'pcieport', 3,
          link=(('8.0 GT/s PCIe', 4), ('8.0 GT/s PCIe', 4)))
    nvme = r + '0000:00:1d.0/0000:3d:00.0'
    t.pci(nvme, 0x144d, 0xa808, 0x010802, 'nvme', 4,
          link=(('8.0 GT/s PCIe', 4), ('8.0 GT/s PCIe', 4)))
    t.pci(r + '0000:00:1f.6', 0x8086, 0x15be, 0x020000, 'e1000e', 5)

    x = r + '0000:00:14.0/'
    t.usb_device(x + 'usb1', 1, 1, 0x1d6b, 0x0002, 'Linux 6.1.0-18-amd64 xhci-hcd',
                 'xHCI Host Controller')
    t.usb_interface(x + 'usb1/1-0:1.0', 0, 9, 0, 0, 'hub')
    t.usb_device(x + 'usb1/1-1', 1, 2, 0x046d, 0xc52b, 'Logitech', 'USB Receiver')
    t.usb_interface(x + 'usb1/1-1/1-1:1.0', 0, 3, 1, 1, 'usbhid')
    t.usb_interface(x + 'usb1/1-1/1-1:1.1', 1, 3, 1, 2, 'usbhid')
    t.usb_device(x + 'usb2', 2, 1, 0x1d6b, 0x0003, 'Linux 6.1.0-18-amd64 xhci-hcd',
                 'xHCI Host Controller')
    t.usb_interface(x + 'usb2/2-0:1.0', 0, 9, 0, 0, 'hub')

    t.net(r + '0000:00:1f.6/net/enp0s31f6', '54:e1:ad:3c:12:7f', 'up', 1000)
    t.net(r + '0000:00:14.3/net/wlp0s20f3', '9c:fc:e8:a1:5e:20', 'up', wireless=True)
    t.net('/sys/devices/virtual/net/lo', '00:00:00:00:00:00', 'unknown', arptype=772)

    ctrl = nvme + '/nvme/nvme0'
    t.w(ctrl + '/model', 'SAMSUNG MZVLB512HBJQ-000L7')
    t.w(ctrl + '/serial', 'S4ENNX0N123456      ')
    t.disk(ctrl + '/nvme0n1', 1000215216)
    t.ln(ctrl + '/nvme0n1/device', ctrl)
    # partitions live inside the disk; /sys/block lists whole disks only
    t.w(ctrl + '/nvme0n1/nvme0n1p1/partition', '1')

    t.w('/usr/share/misc/pci.ids', '\n'.join([
        '# subset of pci.ids for the laptop tree',
        '8086  Intel Corporation',
        '\t15be  Ethernet Connection (6) I219-V',
        '\t3e34  Coffee Lake HOST and DRAM Controller',
        '\t3ea0  WhiskeyLake-U GT2 [UHD Graphics 620]',
        '\t9db0  Cannon Point-LP PCI Express Root Port #9',
        '\t9ded  Cannon Point-LP USB 3.1 xHCI Controller',
        '\t9df0  Cannon Point-LP CNVi [Wireless-AC]',
        '\t\t8086 0034  Wireless-AC 9560',
        '144d  Samsung Electronics Co Ltd',
        '\ta808  NVMe SSD Controller SM981/PM981/PM983',
        '',
        '# List of known device classes',
        'C 00  Unclassified device',
        '\t00  Non-VGA unclassified device',
    ]))
    t.w('/usr/share/misc/usb.ids', '\n'.join([
        '# subset of usb.ids for the laptop tree',
        '046d  Logitech, Inc.',
        '\tc52b  Unifying Receiver',
        '1d6b  Linux Foundation',
        '\t0002  2.0 root hub',
        '\t0003  3.0 root hub',
        '',
        'C 00  (Defined at Interface level)',
    ]))
    t.proc(meminfo(16184472, 9438212, 412376, 3567432),
           cpuinfo(8, [('vendor_id', 'GenuineIntel'), ('cpu family', '6'), ('model', '142'),
                       ('model name', 'Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz'),
                       ('stepping', '12'), ('microcode', '0xf6'), ('cpu MHz', '3221.884'),
                       ('cache size', '8192 KB'), ('physical id', '0'), ('siblings', '8'),
                       ('cpu cores', '4'), ('address sizes', '39 bits physical, 48 bits virtual')],
                   INTEL_FLAGS),
           stat({c: (100000 + c, 500 + c, 40000 + c, 2000000 + c, 3000 + c, 0, 800 + c)
                 for c in range(8)}))


def server():
    t = Tree('server')
    cores = [0, 2, 8, 10]  # E5 v4 dies number their cores with holes
    topo, node_of = {}, {}
    for c in range(16):
        sock = (c // 4) % 2
        core = cores[c % 4]
        first = c % 8
        topo[c] = (sock, 0, core, '%d,%d' % (first, first + 8))
        node_of[c] = sock
    t.cpus('0-15', '0-15', topo, node_of)
    t.w('/sys/devices/system/cpu/cpu0/cpufreq/base_frequency', '2600000')
    t.w('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', '3000000')
    for c in range(16):
        first = c % 8
        sock = (c // 4) % 2
        l3 = '0-3,8-11' if sock == 0 else '4-7,12-15'
        t.cache(c, 0, 1, 'Data', '32K', '%d,%d' % (first, first + 8), first)
        t.cache(c, 1, 1, 'Instruction', '32K', '%d,%d' % (first, first + 8), first)
        t.cache(c, 2, 2, 'Unified', '256K', '%d,%d' % (first, first + 8), first)
        t.cache(c, 3, 3, 'Unified', '10240K', l3, sock)
    t.w('/sys/devices/system/node/online', '0-1')
    t.node(0, '0-3,8-11', 65857024, 50331648, '10 21', {2048: (512, 500), 1048576: (2, 2)})
    t.node(1, '4-7,12-15', 66060288, 61865984, '21 10', {2048: (512, 500), 1048576: (2, 1)})
    t.pools('/sys/kernel/mm/hugepages', {2048: (1024, 1000), 1048576: (4, 3)})
    t.w('/sys/power/state', 'freeze mem disk')
    t.w('/sys/power/disk', '[platform] shutdown reboot suspend test_resume')
    t.dmi(product_uuid='4c4c4544-0044-3910-8035-b4c04f4d3532', sys_vendor='Dell Inc.',
          product_name='PowerEdge R730', product_serial='4D95MX2', bios_vendor='Dell Inc.',
          bios_version='2.17.0', bios_date='06/13/2023')

    r0, r1 = '/sys/devices/pci0000:00/', '/sys/devices/pci0000:80/'
    t.pci(r0 + '0000:00:00.0', 0x8086, 0x6f00, 0x060000, None, 0, numa=0)
    t.pci(r0 + '0000:00:01.0', 0x8086, 0x6f02, 0x060400, 'pcieport', 1, numa=0,
          link=(('8.0 GT/s PCIe', 8), ('8.0 GT/s PCIe', 8)))
    hba = r0 + '0000:00:01.0/0000:03:00.0'
    t.pci(hba, 0x1000, 0x0097, 0x010700, 'mpt3sas', 2, numa=0,
          link=(('8.0 GT/s PCIe', 8), ('8.0 GT/s PCIe', 8)))
    t.pci(r1 + '0000:80:02.0', 0x8086, 0x6f04, 0x060400, 'pcieport', 10, numa=1,
          link=(('8.0 GT/s PCIe', 8), ('5.0 GT/s PCIe', 8)))
    nic = r1 + '0000:80:02.0/'
    vf0, vf1 = nic + '0000:81:10.0', nic + '0000:81:10.2'
    t.pci(nic + '0000:81:00.0', 0x8086, 0x10fb, 0x020000, 'ixgbe', 11, numa=1,
          link=(('5.0 GT/s PCIe', 8), ('5.0 GT/s PCIe', 8)), sriov=(63, [vf0, vf1]))
    t.pci(nic + '0000:81:00.1', 0x8086, 0x10fb, 0x020000, 'ixgbe', 12, numa=1,
          link=(('5.0 GT/s PCIe', 8), ('5.0 GT/s PCIe', 8)), sriov=(63, []))
    t.pci(vf0, 0x8086, 0x10ed, 0x020000, 'vfio-pci', 13, numa=1, physfn=nic + '0000:81:00.0')
    t.pci(vf1, 0x8086, 0x10ed, 0x020000, 'vfio-pci', 14, numa=1, physfn=nic + '0000:81:00.0')

    t.net(nic + '0000:81:00.0/net/ens1f0', 'a0:36:9f:8e:12:30', 'up', 10000)
    t.net(nic + '0000:81:00.1/net/ens1f1', 'a0:36:9f:8e:12:32', 'down', -1)
    t.net('/sys/devices/virtual/net/lo', '00:00:00:00:00:00', 'unknown', arptype=772)

    lun = t.scsi(hba + '/host0', 'target0:0:0', '0:0:0:0', 0, 'SEAGATE ', 'ST4000NM0023    ', 1)
    t.disk(lun + '/block/sda', 7814037168)
    t.ln(lun + '/block/sda/device', lun)

    t.proc(meminfo(131917312, 112197632, 1052672, 8388608, (1024, 1000)),
           cpuinfo(16, [('vendor_id', 'GenuineIntel'), ('cpu family', '6'), ('model', '79'),
                        ('model name', 'Intel(R) Xeon(R) CPU E5-2623 v4 @ 2.60GHz'),
                        ('stepping', '1'), ('microcode', '0xb000040'), ('cpu MHz', '1200.073'),
                        ('address sizes', '46 bits physical, 48 bits virtual')],
                   INTEL_FLAGS + ' cat_l3 cdp_l3 rdt_a'),
           stat({c: (7000000 + 11 * c, 1200, 900000 + c, 80000000 + c, 4500 + c, 120, 3300)
                 for c in range(16)}))


def offline():
    t = Tree('offline')
    topo = {c: (0, 0, c % 4, '%d,%d' % (c % 4, c % 4 + 4) if c % 4 < 2 else str(c))
            for c in range(6)}
    t.cpus('0-7', '0-5', topo)
    for c in (6, 7):  # offline: the kernel dropped their topology
        t.w('/sys/devices/system/cpu/cpu%d/online' % c, '0')
    t.w('/sys/devices/system/cpu/offline', '6-7')
    t.pools('/sys/kernel/mm/hugepages', {2048: (16, 16)})
    t.w('/sys/power/state', 'freeze')
    t.w('/etc/machine-id', '9b2e3c1d4f5a46b7a8c9d0e1f2a3b4c5')

    r = '/sys/devices/pci0000:00/'
    t.pci(r + '0000:00:00.0', 0x8086, 0x29c0, 0x060000)
    t.pci(r + '0000:00:01.0', 0x1af4, 0x1041, 0x020000, 'virtio-pci')
    t.pci(r + '0000:00:02.0', 0x1af4, 0x1042, 0x010000, 'virtio-pci')
    t.pci(r + '0000:00:03.0', 0x1af4, 0x1048, 0x010000, 'virtio-pci')
    t.net(r + '0000:00:01.0/virtio0/net/eth0', '52:54:00:12:34:56', 'up', -1)
    t.net('/sys/devices/virtual/net/lo', '00:00:00:00:00:00', 'unknown', arptype=772)
    t.disk(r + '0000:00:02.0/virtio1/block/vda', 41943040, serial='vm-root-disk')
    lun = t.scsi(r + '0000:00:03.0/virtio2/host0', 'target0:0:0', '0:0:0:0', 5, 'QEMU    ',
                 'QEMU CD-ROM     ', 0)
    t.disk(lun + '/block/sr0', 0, removable=1, lbs=2048)
    t.ln(lun + '/block/sr0/device', lun)
    t.disk('/sys/devices/virtual/block/loop0', 0)  # unbound: not a node device

    t.proc(meminfo(4025880, 3211264, 65536, 409600),
           cpuinfo(6, [('vendor_id', 'AuthenticAMD'), ('cpu family', '23'), ('model', '49'),
                       ('model name', 'AMD EPYC 7502P 32-Core Processor'), ('stepping', '0'),
                       ('microcode', '0x1000065'), ('cpu MHz', '2994.375'),
                       ('address sizes', '40 bits physical, 48 bits virtual')],
                   'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 '
                   'clflush mmx fxsr sse sse2 syscall nx mmxext pdpe1gb rdtscp lm rep_good '
                   'nopl constant_tsc nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma '
                   'cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor '
                   'lahf_lm svm abm sse4a'),
           stat({c: (50000 + c, 0, 20000 + c, 900000 + c, 100 + c, 0, 50) for c in range(6)}))


if __name__ == '__main__':
    laptop()
    server()
    offline()
