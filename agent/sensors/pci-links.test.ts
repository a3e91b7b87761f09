import { describe, expect, it } from 'vitest';
import { CAPTURED_PCI_SYSFS } from '../../test/support/fake-sysfs.ts';
import { parseLinkSpeedGTs, parseLinkWidth, readPciLinks } from './pci-links.ts';

describe('PCIe link state from sysfs', () => {
  it('reads a real kernel tree: topology, ids and both ends of each link', async () => {
    const devs = await readPciLinks(CAPTURED_PCI_SYSFS);
    expect(devs.map((d) => d.address)).toEqual([
      '0000:00:00.0', '0000:00:01.0', '0000:00:02.0', '0000:00:03.0', '0000:00:04.0', '0000:00:1f.0', '0000:00:1f.2', '0000:00:1f.3',
      '0000:01:00.0', '0000:02:00.0', '0000:03:00.0', '0000:04:00.0', '0000:05:00.0',
    ]);
    const by = new Map(devs.map((d) => [d.address, d]));
    // A root port: under the host bridge, reporting its own maximum beside what its x1 endpoint trained at.
    expect(by.get('0000:00:02.0')).toEqual({
      address: '0000:00:02.0', upstream: null, vendorId: '1b36', deviceId: '000c', classId: '0604',
      link: { current: { speedGTs: 2.5, width: 1 }, max: { speedGTs: 16, width: 16 } },
    });
    expect(by.get('0000:01:00.0')).toMatchObject({ upstream: '0000:00:02.0', vendorId: '8086', classId: '0200', link: { current: { speedGTs: 2.5, width: 1 }, max: { speedGTs: 2.5, width: 1 } } });
    // Behind a switch: root port → upstream port → downstream port ("Unknown" x0 maximum) → NVMe.
    expect(by.get('0000:05:00.0')).toMatchObject({ upstream: '0000:04:00.0', classId: '0108' });
    expect(by.get('0000:04:00.0')).toMatchObject({ upstream: '0000:03:00.0', link: { max: { speedGTs: null, width: 0 } } });
    expect(by.get('0000:03:00.0')?.upstream).toBe('0000:00:04.0');
    // Conventional PCI functions have no link attributes.
    expect(by.get('0000:00:1f.2')?.link).toBeNull();
  });

  it('parses both kernels’ speed formats and nothing else', () => {
    expect(parseLinkSpeedGTs('16.0 GT/s PCIe')).toBe(16);
    expect(parseLinkSpeedGTs('8 GT/s')).toBe(8);
    expect(parseLinkSpeedGTs('2.5 GT/s PCIe')).toBe(2.5);
    expect(parseLinkSpeedGTs('Unknown')).toBeNull();
    expect(parseLinkSpeedGTs(null)).toBeNull();
    expect(parseLinkWidth('16\n')).toBe(16);
    expect(parseLinkWidth('x16')).toBeNull();
  });

  it('finds nothing where there is no PCI bus', async () => {
    expect(await readPciLinks('/nonexistent-sysfs-root')).toEqual([]);
  });
});
