import { describe, expect, it } from 'vitest';
import { Inventory } from '../../common/schema/inventory.ts';
import { parseDmidecode } from './dmidecode.ts';
import { buildInventory } from './inventory.ts';
import { parseLsblkJson } from './lsblk.ts';
import { parseLscpuJson } from './lscpu.ts';
import { parseLshwJson } from './lshw.ts';
import { ParseError } from './parse-error.ts';
import { parseSmartctlJson } from './smartctl.ts';
import { fixture } from './test-fixtures.ts';

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

  it('throws a ParseError naming the inventory when the merge is invalid', () => {
    const cpu = { ...parseLscpuJson(fixture('lscpu.json')), sockets: 1.5 };
    expect(() => buildInventory({ cpu, missingTools: [] })).toThrow(ParseError);
    expect(() => buildInventory({ cpu, missingTools: [] })).toThrow(/inventory: .*cpu\.sockets/);
  });
});
