import { describe, expect, it } from 'vitest';
import { parseLspciVmm } from './lspci.ts';
import { expectParseError, fixture } from './test-fixtures.ts';

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
    expect(parseLspciVmm(fixture('live-guest-agent/lspci.txt')).length).toBeGreaterThan(3);
  });

  it('rejects the non-vmm format and empty output', () => {
    expectParseError(() => parseLspciVmm(fixture('lspci-nnD.txt')), 'lspci', /not "Tag:<TAB>value"/);
    expectParseError(() => parseLspciVmm(''), 'lspci', /empty/);
    expectParseError(() => parseLspciVmm('Class:\tHost bridge\n'), 'lspci', /no Slot/);
  });
});
