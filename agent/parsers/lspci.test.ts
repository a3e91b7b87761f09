import { describe, expect, it } from 'vitest';
import { parseLspciVerbose, parseLspciVmm } from './lspci.ts';
import { captured, expectParseError, fixture } from './test-fixtures.ts';

describe('parseLspciVmm', () => {
  it('reads -vmmnnk with ids, drivers and modules (QEMU guest)', () => {
    const devs = parseLspciVmm(fixture('qemu-guest/lspci-vmmnnk.txt'));
    const nic = devs.find((d) => d.slot === '00:02.0')!;
    expect(nic).toMatchObject({
      class: 'Ethernet controller',
      classId: '0200',
      vendor: 'Intel Corporation',
      vendorId: '8086',
      device: '82574L Gigabit Network Connection',
      deviceId: '10d3',
      sdeviceId: '0000',
      driver: 'e1000e',
      module: 'e1000e',
      rev: null,
    });
    expect(devs.find((d) => d.classId === '0108')).toMatchObject({ driver: 'nvme', vendorId: '1b36', deviceId: '0010', rev: '02' });
  });

  it('reads plain -vmm (names only) and the host -vmmnnk', () => {
    const plain = parseLspciVmm(fixture('lspci-vmm.txt'));
    expect(plain[0]).toMatchObject({ slot: '00:00.0', class: 'Host bridge', classId: null, device: 'Device 0d57', vendorId: null });
    expect(plain[1]).toMatchObject({ class: 'Unassigned class', classId: 'ffff', rev: '01' });
    const nn = parseLspciVmm(fixture('lspci-vmmnnk.txt'));
    expect(nn.map((d) => d.slot)).toEqual(plain.map((d) => d.slot));
    expect(nn[1]).toMatchObject({ vendorId: '1af4', deviceId: '1045', driver: 'virtio-pci' });
    // An id pci.ids does not name: -nn prints "Device [0d57]", which leaves the name unknown.
    expect(nn[0]).toMatchObject({ device: null, deviceId: '0d57', vendor: 'Intel Corporation' });
    expect(parseLspciVmm(fixture('live-guest-agent/lspci.txt')).length).toBeGreaterThan(3);
  });

  it('rejects the non-vmm format and empty output', () => {
    expectParseError(() => parseLspciVmm(fixture('lspci-nnD.txt')), 'lspci', /not "Tag:<TAB>value"/);
    expectParseError(() => parseLspciVmm(''), 'lspci', /empty/);
    expectParseError(() => parseLspciVmm('Class:\tHost bridge\n'), 'lspci', /no Slot/);
  });
});

describe('parseLspciVerbose', () => {
  it('reads slots, ids, drivers and PCIe links from lspci -vv -nn -D (QEMU guest)', () => {
    const devs = parseLspciVerbose(captured('qemu-lab-2026-12/lspci-vvnnD.txt'));
    expect(devs.map((d) => d.slot)).toEqual(parseLspciVmm(captured('qemu-lab-2026-12/lspci-vmmnnkD.txt')).map((d) => d.slot));
    // The root port can do 8 GT/s x4; the x1 2.5 GT/s NVMe behind it trained the link down.
    expect(devs.find((d) => d.slot === '0000:00:02.0')).toMatchObject({
      className: 'PCI bridge',
      classId: '0604',
      vendorId: '1b36',
      deviceId: '000c',
      driver: 'pcieport',
      link: { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 2.5, width: 1 } },
    });
    expect(devs.find((d) => d.slot === '0000:01:00.0')).toMatchObject({ driver: 'nvme', rev: '02', link: { capable: { speedGTs: 2.5, width: 1 } } });
    // Conventional PCI functions on the root bus (the host bridge) have no Express link.
    expect(devs.find((d) => d.slot === '0000:00:00.0')!.link).toBeNull();
  });

  it('reads the host, where no device has an Express capability', () => {
    const devs = parseLspciVerbose(captured('host-lspci-vvnnD.txt'));
    expect(devs).toHaveLength(parseLspciVmm(captured('host-lspci-vmmnnkD.txt')).length);
    expect(devs.every((d) => d.link === null)).toBe(true);
    expect(devs.find((d) => d.classId === '0180')).toMatchObject({ vendorId: '1af4', deviceId: '1042', driver: 'virtio-pci' });
  });

  it('rejects the -vmm form, empty output and details before any header', () => {
    expectParseError(() => parseLspciVerbose(fixture('lspci-vmm.txt')), 'lspci', /neither a device header/);
    expectParseError(() => parseLspciVerbose(''), 'lspci', /empty/);
    expectParseError(() => parseLspciVerbose('\tLnkSta:\tSpeed 8GT/s, Width x4\n'), 'lspci', /before any device header/);
    expectParseError(() => parseLspciVerbose('lspci: Unable to load libkmod resources: error -2\n'), 'lspci', /no device records/);
  });
});
