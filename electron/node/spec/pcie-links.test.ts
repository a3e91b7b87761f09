import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExpectedSpec } from '../../../common/schema/index.ts';
import { pciLabInventory } from '../../../test/support/fixture-inventory.ts';
import { copyCapturedPciTree } from '../../../test/support/fake-sysfs.ts';
import { checkPcieLinks } from './pcie-links.ts';

// The links of a real kernel's PCI tree (QEMU q35: root ports, a switch, an e1000e and
// two NVMe drives), as captured, and with one link changed in a copy of it.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the captured tree with some of a function's link files rewritten. */
function degraded(address: string, devPath: string, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pcie-'));
  dirs.push(root);
  copyCapturedPciTree(root);
  for (const [f, v] of Object.entries(files)) writeFileSync(join(root, 'devices', devPath, address, f), `${v}\n`);
  return root;
}

describe('PCIe links', () => {
  it('finds nothing wrong on the captured tree, though its root ports read x1 of x16', async () => {
    const r = checkPcieLinks(await pciLabInventory());
    expect(r.diffs).toEqual([]);
    // One row per physical link, at its lower end; the switch's internal link (04:00.0) is not judged.
    expect(r.rows.map((x) => [x.address, x.width, x.expectedWidth, x.speedGTs, x.expectedSpeedGTs, x.outcome])).toEqual([
      ['0000:01:00.0', 1, 1, 2.5, 2.5, 'ok'],
      ['0000:02:00.0', 1, 1, 2.5, 2.5, 'ok'],
      ['0000:03:00.0', 1, 1, 2.5, 2.5, 'ok'],
      ['0000:05:00.0', 1, 1, 2.5, 2.5, 'ok'],
    ]);
    expect(r.rows[0]!.device).toBe('Intel Corporation 82574L Gigabit Network Connection');
  });

  it('names a card trained at x4 of x16, with its address and lspci name', async () => {
    // The e1000e made a x16 Gen4 card in the x16 Gen4 root port, trained at x4.
    const root = degraded('0000:01:00.0', 'pci0000:00/0000:00:02.0', { max_link_width: '16', max_link_speed: '16.0 GT/s PCIe', current_link_width: '4', current_link_speed: '16.0 GT/s PCIe' });
    const r = checkPcieLinks(await pciLabInventory(root));
    expect(r.diffs).toEqual([
      { field: 'pcie[0000:01:00.0].width', expected: 'x16', actual: 'x4 of x16 (Intel Corporation 82574L Gigabit Network Connection)', severity: 'critical', rule: 'pcie-link-degraded' },
    ]);
    expect(r.rows.find((x) => x.address === '0000:01:00.0')).toMatchObject({ outcome: 'degraded', width: 4, expectedWidth: 16 });
  });

  it('names a link at a lower speed, judged against the smaller of the two ends', async () => {
    // A Gen4 x4 NVMe in the Gen3 x4 root port 00:03.0: Gen3 is all it can get (fine); at 5 GT/s it is degraded.
    const atGen3 = degraded('0000:02:00.0', 'pci0000:00/0000:00:03.0', { max_link_width: '4', max_link_speed: '16.0 GT/s PCIe', current_link_width: '4', current_link_speed: '8.0 GT/s PCIe' });
    expect(checkPcieLinks(await pciLabInventory(atGen3)).diffs).toEqual([]);
    const atGen2 = degraded('0000:02:00.0', 'pci0000:00/0000:00:03.0', { max_link_width: '4', max_link_speed: '16.0 GT/s PCIe', current_link_width: '4', current_link_speed: '5.0 GT/s PCIe' });
    expect(checkPcieLinks(await pciLabInventory(atGen2)).diffs).toEqual([
      { field: 'pcie[0000:02:00.0].speed', expected: '8.0 GT/s', actual: '5.0 of 8.0 GT/s (Red Hat, Inc. QEMU NVM Express Controller)', severity: 'critical', rule: 'pcie-link-degraded' },
    ]);
  });

  it('holds a pinned slot to the spec instead, and names a pinned slot that is empty', async () => {
    const spec = ExpectedSpec.parse({ pcie: [{ address: '02:00.0', width: 4 }, { address: '0000:3b:00.0', width: 16, speedGTs: 16 }] });
    expect(spec.pcie![0]!.address).toBe('0000:02:00.0');
    const r = checkPcieLinks(await pciLabInventory(), spec.pcie);
    expect(r.diffs).toEqual([
      { field: 'pcie[0000:02:00.0].width', expected: 'x4', actual: 'x1 of x4 (Red Hat, Inc. QEMU NVM Express Controller)', severity: 'critical', rule: 'pcie-link-pinned' },
      { field: 'pcie[0000:3b:00.0]', expected: 'x16 16.0 GT/s', actual: null, severity: 'critical', rule: 'pcie-missing' },
    ]);
    expect(r.rows.find((x) => x.address === '0000:3b:00.0')).toMatchObject({ basis: 'spec', outcome: 'missing' });
  });

  it('names a pinned function that has no link at all, with the width pinned or just "a link"', async () => {
    // The q35 host bridge (00:00.0) is in lspci but has no PCIe link in sysfs.
    const spec = ExpectedSpec.parse({ pcie: [{ address: '00:00.0', width: 4 }, { address: '00:1f.0', speedGTs: 8 }] });
    const r = checkPcieLinks(await pciLabInventory(), spec.pcie);
    expect(r.diffs).toEqual([
      { field: 'pcie[0000:00:00.0].width', expected: 'x4', actual: expect.stringMatching(/^no link \(.+\)$/), severity: 'critical', rule: 'pcie-link-pinned' },
      { field: 'pcie[0000:00:1f.0].width', expected: 'a link', actual: expect.stringMatching(/^no link \(.+\)$/), severity: 'critical', rule: 'pcie-link-pinned' },
    ]);
    expect(r.rows.filter((x) => x.basis === 'spec').map((x) => [x.address, x.outcome])).toEqual([
      ['0000:00:00.0', 'degraded'],
      ['0000:00:1f.0', 'degraded'],
    ]);
  });

  it('a GPU at idle: its lower speed is said as a warning, while its width, or a speed the spec pins, still fails', async () => {
    // The captured e1000e's function made a display controller (class 03xx) in the x16 Gen4 root port.
    const gpuAt = async (current: { speedGTs: number; width: number }) => {
      const inv = structuredClone(await pciLabInventory());
      const d = inv.pci!.find((x) => x.address === '0000:01:00.0')!;
      d.classId = '0302';
      d.link = { capable: { speedGTs: 16, width: 16 }, current };
      inv.pci!.find((x) => x.address === '0000:00:02.0')!.link = { capable: { speedGTs: 16, width: 16 }, current: { speedGTs: 16, width: 16 } };
      return inv;
    };
    const idle = checkPcieLinks(await gpuAt({ speedGTs: 2.5, width: 16 }));
    expect(idle.diffs).toEqual([
      { field: 'pcie[0000:01:00.0].speed', expected: '16.0 GT/s', actual: expect.stringMatching(/^2\.5 of 16\.0 GT\/s, a GPU at idle may lower its speed/), severity: 'warning', rule: 'pcie-gpu-idle-speed' },
    ]);
    expect(idle.rows.find((x) => x.address === '0000:01:00.0')!.outcome).toBe('ok');
    const narrow = checkPcieLinks(await gpuAt({ speedGTs: 2.5, width: 8 }));
    expect(narrow.diffs.map((x) => [x.field, x.severity])).toEqual([
      ['pcie[0000:01:00.0].width', 'critical'],
      ['pcie[0000:01:00.0].speed', 'warning'],
    ]);
    expect(narrow.rows.find((x) => x.address === '0000:01:00.0')!.outcome).toBe('degraded');
    const pinned = checkPcieLinks(await gpuAt({ speedGTs: 2.5, width: 16 }), ExpectedSpec.parse({ pcie: [{ address: '01:00.0', speedGTs: 16 }] }).pcie);
    expect(pinned.diffs).toEqual([{ field: 'pcie[0000:01:00.0].speed', expected: '16.0 GT/s', actual: expect.stringMatching(/^2\.5 of 16\.0 GT\/s \(/), severity: 'critical', rule: 'pcie-link-pinned' }]);
    expect(pinned.rows.find((x) => x.address === '0000:01:00.0')!.outcome).toBe('degraded');
  });

  it('judges each physical link once: not a switch’s internal link, not a link lspci alone reported, and an endpoint on the root complex against its own maximum', async () => {
    const inv = structuredClone(await pciLabInventory());
    const at = (address: string) => inv.pci!.find((x) => x.address === address)!;
    // The switch (03:00.0 upstream, 04:00.0 downstream) made Gen3 x4 throughout; its internal link trained at x1.
    at('0000:03:00.0').link = { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 8, width: 4 } };
    at('0000:04:00.0').link = { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 2.5, width: 1 } };
    // The NVMe behind it, x4 capable at x1, but known only from lspci (no topology to judge by).
    at('0000:05:00.0').link = { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 8, width: 1 } };
    at('0000:05:00.0').linkSource = 'lspci';
    // The SATA controller on the root complex itself (depth 0, not a bridge) given a x4 link trained at x1.
    at('0000:00:1f.2').link = { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 8, width: 1 } };
    at('0000:00:1f.2').linkSource = 'sysfs';
    const r = checkPcieLinks(inv);
    expect(r.diffs.map((x) => [x.field, x.expected, x.severity])).toEqual([['pcie[0000:00:1f.2].width', 'x4', 'critical']]);
    expect(r.rows.map((x) => x.address)).not.toContain('0000:04:00.0');
    expect(r.rows.map((x) => x.address)).not.toContain('0000:05:00.0');
  });

  it('does not judge an endpoint on a switch\'s internal bus: its link is inside the switch', async () => {
    // The captured switch made Gen3 x4, with a management endpoint (class 0580) beside its downstream port on
    // the internal bus 04, as some switches have; the internal link reads x1 at 2.5 GT/s while nothing is wrong.
    const inv = structuredClone(await pciLabInventory());
    const at = (address: string) => inv.pci!.find((x) => x.address === address)!;
    at('0000:03:00.0').link = { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 8, width: 4 } };
    inv.pci!.push({ ...structuredClone(at('0000:04:00.0')), address: '0000:04:00.1', classId: '0580', link: { capable: { speedGTs: 8, width: 4 }, current: { speedGTs: 2.5, width: 1 } }, linkSource: 'sysfs', upstream: '0000:03:00.0' });
    const r = checkPcieLinks(inv);
    expect(r.diffs).toEqual([]);
    expect(r.rows.map((x) => x.address)).not.toContain('0000:04:00.1');
  });

  it('names a pinned slot whose link is down (the kernel reads width 0, speed Unknown)', async () => {
    // The root port 00:03.0 of the captured tree as the kernel shows a port whose link did not train.
    const down = degraded('0000:00:03.0', 'pci0000:00', { current_link_width: '0', current_link_speed: 'Unknown' });
    const spec = ExpectedSpec.parse({ pcie: [{ address: '00:03.0', width: 4 }] });
    const r = checkPcieLinks(await pciLabInventory(down), spec.pcie);
    expect(r.diffs).toEqual([{ field: 'pcie[0000:00:03.0].width', expected: 'x4', actual: expect.stringMatching(/^no link \(.+\)$/), severity: 'critical', rule: 'pcie-link-pinned' }]);
    expect(r.rows.find((x) => x.address === '0000:00:03.0')).toMatchObject({ basis: 'spec', width: 0, outcome: 'degraded' });
  });

  it('says what a pin for an empty slot expected, width or speed alone', async () => {
    const spec = ExpectedSpec.parse({ pcie: [{ address: '0000:3b:00.0', width: 16 }, { address: '0000:5e:00.0', speedGTs: 16 }] });
    expect(checkPcieLinks(await pciLabInventory(), spec.pcie).diffs.map((x) => [x.field, x.expected])).toEqual([
      ['pcie[0000:3b:00.0]', 'x16'],
      ['pcie[0000:5e:00.0]', '16.0 GT/s'],
    ]);
  });

  it('refuses a pin that is not a PCI address or says nothing', () => {
    expect(ExpectedSpec.safeParse({ pcie: [{ address: 'slot 3', width: 16 }] }).success).toBe(false);
    expect(ExpectedSpec.safeParse({ pcie: [{ address: '0000:3b:00.0' }] }).success).toBe(false);
  });
});
