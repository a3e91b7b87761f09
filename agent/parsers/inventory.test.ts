import { describe, expect, it } from 'vitest';
import { Inventory } from '../../common/schema/inventory.ts';
import { parseDmidecode } from './dmidecode.ts';
import { buildInventory } from './inventory.ts';
import { parseLsblkJson } from './lsblk.ts';
import { parseLscpuJson } from './lscpu.ts';
import { parseLspciVerbose, parseLspciVmm } from './lspci.ts';
import { parseLshwJson } from './lshw.ts';
import { ParseError } from './parse-error.ts';
import { parseSmartctlJson } from './smartctl.ts';
import { captured, fixture } from './test-fixtures.ts';

describe('buildInventory', () => {
  it('merges the QEMU guest tools, taking serials from smartctl where lsblk has none', () => {
    const inv = buildInventory({
      dmi: parseDmidecode(fixture('qemu-guest/dmidecode.txt')),
      cpu: parseLscpuJson(fixture('qemu-guest/lscpu.json')),
      blocks: parseLsblkJson(fixture('qemu-guest/lsblk.json')),
      smart: ['nvme0', 'sda', 'sdb'].map((d) => parseSmartctlJson(fixture(`qemu-guest/smartctl-j-a-${d}.json`), null)),
      missingTools: ['lshw', 'nvidia-smi'],
    });
    expect(Inventory.parse(inv)).toEqual(inv);
    expect(inv.bios.vendor).toBe('SeaBIOS');
    expect(inv.cpu).toEqual({ model: 'QEMU Virtual CPU version 2.5+', sockets: 1, cores: 1, threads: 1 });
    expect(inv.memory.totalBytes).toBe(1024 ** 3);
    expect(inv.disks.map((d) => [d.name, d.serial, d.model])).toEqual([
      ['sda', 'LABSCSI0001', 'QEMU HARDDISK'],
      ['sdb', 'LABSATA0001', 'LAB-SATA-DISK'],
      ['vda', null, null],
      ['nvme0n1', 'LABNVME0001', 'QEMU NVMe Ctrl'],
    ]);
    expect(inv.disks[3]).toMatchObject({ path: '/dev/nvme0n1', sizeBytes: 1073741824, rotational: false, transport: 'nvme', backingFile: null });
    expect(inv.nics).toEqual([]);
    expect(inv.missingTools).toEqual(['lshw', 'nvidia-smi']);
  });

  it('merges the live guest, NICs from lshw', () => {
    const inv = buildInventory({
      dmi: parseDmidecode(fixture('live-guest-agent/dmidecode.txt')),
      cpu: parseLscpuJson(fixture('live-guest-agent/lscpu.json')),
      lshw: parseLshwJson(fixture('live-guest-agent/lshw.json')),
      blocks: parseLsblkJson(fixture('live-guest-agent/lsblk.json')),
      smart: ['sda', 'nvme0'].map((d) => parseSmartctlJson(fixture(`live-guest-agent/smartctl-${d}.json`), null)),
      missingTools: [],
    });
    expect(inv.system).toEqual({ manufacturer: 'Dell Inc.', product: 'PowerEdge R740', serial: 'LIVESVC01', uuid: null });
    expect(inv.cpu).toEqual({ model: 'QEMU Virtual CPU version 2.5+', sockets: 1, cores: 2, threads: 2 });
    expect(inv.memory.totalBytes).toBe(2 * 1024 ** 3);
    expect(inv.disks.map((d) => d.serial)).toEqual([expect.any(String), 'LABNVME0001']);
    expect(inv.disks[0]!.serial).toBe(parseSmartctlJson(fixture('live-guest-agent/smartctl-sda.json'), null).serial);
    expect(inv.nics).toEqual([{ name: 'eth0', mac: '52:54:00:00:07:05', speedMbps: 1000, driver: 'e1000', link: true }]);
  });

  it('leaves out RAM disks, keeps loop devices with their backing file', () => {
    const inv = buildInventory({
      blocks: parseLsblkJson(fixture('lsblk.json')),
      missingTools: ['dmidecode'],
      loopBackingFiles: { loop0: '/var/tmp/disk0.img' },
      memTotalBytes: 4096,
    });
    expect(inv.disks.map((d) => d.name)).toEqual(['vda']);
    expect(inv.memory.totalBytes).toBe(4096);
    expect(inv.cpu).toEqual({ model: null, sockets: 0, cores: 0, threads: 0 });
  });

  it('takes RAM from the DRAM modules, lists them, leaves offline CPUs out of the threads and lists PCI devices with their links (QEMU lab guest)', () => {
    const lab = (f: string): string => captured(`qemu-lab-2026-12/${f}`);
    const memTotal = Number(/^MemTotal:\s+(\d+) kB/m.exec(lab('meminfo.txt'))![1]) * 1024;
    const inv = buildInventory({
      dmi: parseDmidecode(lab('dmidecode.txt')),
      cpu: parseLscpuJson(lab('lscpu-offline.json')),
      pci: parseLspciVmm(lab('lspci-vmmnnkD.txt')),
      pciVerbose: parseLspciVerbose(lab('lspci-vvnnD.txt')),
      memTotalBytes: memTotal,
      missingTools: [],
    });
    expect(Inventory.parse(inv)).toEqual(inv);
    expect(inv.system).toMatchObject({ manufacturer: 'Supermicro', product: 'SYS-2029U-TN24R4T', serial: 'LABQEMU21' });
    // The installed 1 GiB, not the kernel's MemTotal (a little less).
    expect(memTotal).toBeLessThan(1024 ** 3);
    expect(inv.memory).toMatchObject({ totalBytes: 1024 ** 3, source: 'dmi-modules' });
    expect(inv.memory.modules).toEqual([expect.objectContaining({ kind: 'dram', sizeBytes: 1024 ** 3, locator: 'DIMM 0' })]);
    expect(inv.cpu).toMatchObject({ sockets: 1, threads: 2, offlineCpus: [2, 3] });
    expect(inv.pci?.map((d) => d.address)).toContain('0000:01:00.0');
    expect(inv.pci?.find((d) => d.address === '0000:00:02.0')).toMatchObject({
      class: 'PCI bridge',
      vendor: 'Red Hat, Inc.',
      device: 'QEMU PCIe Root port',
      driver: 'pcieport',
      link: { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 2.5, width: 1 } },
    });
    expect(inv.pci?.find((d) => d.classId === '0106')).toMatchObject({ driver: 'ahci', vendorId: '8086', link: null });
  });

  it('falls back to /proc/meminfo when SMBIOS lists no module, and to lshw only without /proc', () => {
    const noModules = parseDmidecode(fixture('pxe-guest/dmidecode-system.txt'));
    expect(noModules.memoryTotalBytes).toBeNull();
    const lshw = parseLshwJson(fixture('live-guest-agent/lshw.json'));
    expect(buildInventory({ dmi: noModules, lshw, memTotalBytes: 982_944 * 1024, missingTools: [] }).memory).toEqual({ totalBytes: 982_944 * 1024, source: 'meminfo' });
    expect(buildInventory({ dmi: noModules, lshw, memTotalBytes: null, missingTools: [] }).memory).toEqual({ totalBytes: lshw.memoryBytes, source: 'lshw' });
    expect(buildInventory({ missingTools: [] }).memory).toEqual({ totalBytes: 0, source: 'none' });
  });

  it('lists PCI devices from lspci -vv alone when -vmm failed, and prefixes the domain lspci left out', () => {
    const vv = parseLspciVerbose(captured('host-lspci-vvnnD.txt'));
    const inv = buildInventory({ pciVerbose: vv, missingTools: ['lspci (exit 1)'] });
    expect(inv.pci).toHaveLength(vv.length);
    expect(inv.pci?.[0]).toMatchObject({ address: '0000:00:00.0', vendor: null, vendorId: '8086' });
    const plain = buildInventory({ pci: parseLspciVmm(fixture('lspci-vmm.txt')), missingTools: [] });
    expect(plain.pci?.[0]?.address).toBe('0000:00:00.0');
    expect(buildInventory({ missingTools: [] }).pci).toBeUndefined();
  });

  it('throws a ParseError naming the inventory when the merge is invalid', () => {
    const cpu = { ...parseLscpuJson(fixture('lscpu.json')), sockets: 1.5 };
    expect(() => buildInventory({ cpu, missingTools: [] })).toThrow(ParseError);
    expect(() => buildInventory({ cpu, missingTools: [] })).toThrow(/inventory: .*cpu\.sockets/);
  });
});
