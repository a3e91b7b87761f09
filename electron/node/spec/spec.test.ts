import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../common/schema/index.ts';
import { qemuGuestInventory } from '../../../test/support/fixture-inventory.ts';
import { captureSpec } from './capture.ts';
import { diffSpec, hasCritical } from './spec-diff.ts';
import { checkSpecYaml, specToYaml } from './spec-yaml.ts';

const inv: Inventory = qemuGuestInventory();

describe('spec YAML', () => {
  it('accepts a full spec', () => {
    const check = checkSpecYaml(`
version: 1
system: { manufacturer: QEMU, product: "Standard PC (Q35 + ICH9, 2009)" }
cpu: { sockets: 1, cores: 1, threads: 1 }
memory: { totalGiB: 1 }
disks: [{ serial: LABNVME0001, sizeGB: 1.07 }]
nics: [{ mac: "52-54-00-AA-BB-01", speedMbps: 1000 }]
firmware: { bios: 1.16.2-debian-1.16.2-1 }
maxTempC: 80
extras: { rack: B4 }
`);
    expect(check.issues).toEqual([]);
    expect(check.spec!.nics![0]!.mac).toBe('52:54:00:aa:bb:01');
    expect(check.spec!.memory!.toleranceGiB).toBe(1);
  });

  it('names each problem with its path and line', () => {
    const check = checkSpecYaml('cpu:\n  sockets: two\ndisks:\n  - model: X\nwhatever: 1\n');
    expect(check.ok).toBe(false);
    expect(check.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'cpu.sockets', line: 2 }),
        expect.objectContaining({ path: 'disks.0', message: 'each disk needs a serial or a wwn', line: 4 }),
        expect.objectContaining({ message: expect.stringMatching(/whatever/) }),
      ]),
    );
  });

  it('reports YAML syntax errors with a line instead of throwing', () => {
    const check = checkSpecYaml('cpu: [unclosed\n  sockets: 1\n');
    expect(check.ok).toBe(false);
    expect(check.issues[0]!.path).toBe('(yaml)');
    expect(check.issues[0]!.line).toBeGreaterThan(0);
  });
});

describe('diff engine', () => {
  it('finds no difference between an inventory and the spec captured from it', () => {
    const spec = captureSpec(inv);
    // Only the virtio disk, which has neither serial nor WWN, cannot be named in a spec.
    expect(diffSpec(spec, inv)).toEqual([expect.objectContaining({ rule: 'disk-extra', severity: 'info', actual: 'vda' })]);
    // The captured spec survives a YAML round trip.
    expect(checkSpecYaml(specToYaml(spec, 'captured')).spec).toEqual(spec);
  });

  it('classifies divergences by the documented rules', () => {
    const diffs = diffSpec(
      {
        version: 1,
        system: { manufacturer: 'Dell Inc.', product: 'PowerEdge R650', serial: 'ABC' },
        cpu: { model: 'Xeon', sockets: 2 },
        memory: { totalGiB: 64, toleranceGiB: 1 },
        disks: [{ serial: 'LABNVME0001', model: 'Other', sizeGB: 2000 }, { serial: 'GONE' }],
        nics: [{ mac: '52:54:00:00:00:09' }],
        gpus: [{ model: 'H100', count: 1 }],
        firmware: { bios: '9.9' },
      },
      inv,
    );
    const by = Object.fromEntries(diffs.map((d) => [`${d.rule}:${d.field}`, d.severity]));
    expect(by).toMatchObject({
      'system-serial:system.serial': 'critical',
      'system-product:system.product': 'critical',
      'system-manufacturer:system.manufacturer': 'warning',
      'cpu-model:cpu.model': 'critical',
      'cpu-count:cpu.sockets': 'critical',
      'memory-short:memory.totalGiB': 'critical',
      'disk-model:disks[LABNVME0001].model': 'warning',
      'disk-size:disks[LABNVME0001].sizeGB': 'warning',
      'disk-missing:disks[GONE]': 'critical',
      'nic-missing:nics[52:54:00:00:00:09]': 'critical',
      'gpu-missing:gpus[H100].count': 'critical',
      'firmware-version:firmware.bios': 'warning',
      'disk-extra:disks[LABSATA0001]': 'info',
    });
    expect(hasCritical(diffs)).toBe(true);
  });

  it('passes with only warnings and info', () => {
    const diffs = diffSpec({ version: 1, memory: { totalGiB: 0.5, toleranceGiB: 0.1 } }, inv);
    expect(diffs).toEqual([expect.objectContaining({ rule: 'memory-extra', severity: 'warning' })]);
    expect(hasCritical(diffs)).toBe(false);
  });
});
