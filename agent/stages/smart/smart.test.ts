import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { captured, fixture } from '../../parsers/test-fixtures.ts';
import { combineSmart, judgeSmartDisk, smartArtifactName, smartctlArgs } from './index.ts';

describe('SMART targets', () => {
  it('passes -d megaraid,N for disks behind a RAID controller', () => {
    expect(smartctlArgs({ path: '/dev/bus/0', type: 'megaraid,5' })).toEqual(['-j', '-a', '-d', 'megaraid,5', '/dev/bus/0']);
    expect(smartctlArgs({ path: '/dev/nvme0n1', type: null }, '-i')).toEqual(['-j', '-i', '/dev/nvme0n1']);
    expect(smartArtifactName({ path: '/dev/bus/0', type: 'megaraid,5' })).toBe('smart-bus_0-megaraid_5.json');
    expect(smartArtifactName({ path: '/dev/nvme0n1', type: null })).toBe('smart-nvme0n1.json');
  });
});

describe('SMART judgement on real smartctl output', () => {
  const p = PROFILES.standard.smart;
  const out = (file: string, exitCode: number) => ({ stdout: fixture(file), exitCode });

  it('tests an ATA disk whose health is PASSED', () => {
    const j = judgeSmartDisk({ disk: 'LABSATA0001', path: '/dev/sdb', type: null }, out('qemu-guest/smartctl-j-a-sdb.json', 0), p);
    expect(j.row.outcome).toBe('passed');
    expect(j.coverage).toEqual([expect.objectContaining({ status: 'tested', part: expect.objectContaining({ kind: 'disk', id: 'LABSATA0001' }) })]);
  });

  it('fails an NVMe disk with a critical warning (smartctl exit 8), naming it', () => {
    const j = judgeSmartDisk({ disk: 'LABNVME0001', path: '/dev/nvme0', type: null }, out('qemu-guest-nvme-critwarn/smartctl-j-a-nvme0.json', 8), p);
    expect(j.row.outcome).toBe('failed');
    expect(j.row.reasons.join('; ')).toMatch(/critical warning/);
    expect(j.coverage.map((c) => c.status)).toEqual(['tested']);
  });

  it('does not pass a physical disk whose SMART cannot be read: it is not tested, and required', () => {
    const j = judgeSmartDisk({ disk: 'VIRTIO-0001', path: '/dev/vda', type: null }, out('smartctl-a-vda-virtio.json', 1), p);
    expect(j.row.outcome).toBe('not-tested');
    expect(j.coverage).toEqual([expect.objectContaining({ status: 'not-tested', required: true, reason: expect.stringMatching(/SMART is unavailable on \/dev\/vda/) })]);
  });

  it('says when a verdict rests on the overall health alone (a translation layer with no health log)', () => {
    // The real `smartctl -d scsi` report of a QEMU AHCI disk, given the answer such a layer gives: health PASSED, nothing else.
    const j = JSON.parse(captured('qemu-lab-2026-12/smartctl-j-a-d-scsi-sdd.json')) as Record<string, unknown>;
    j.smart_support = { available: true, enabled: true };
    j.smart_status = { passed: true };
    const judged = judgeSmartDisk({ disk: 'QHDSER01', path: '/dev/sdd', type: null }, { stdout: JSON.stringify(j), exitCode: 0 }, p);
    expect(judged.row.outcome).toBe('passed');
    expect(judged.coverage.map((c) => [c.check, c.status, c.required])).toEqual([
      ['SMART overall health', 'tested', true],
      ['SMART error counters', 'not-tested', false],
    ]);
    expect(judged.coverage[1]!.reason).toMatch(/overall health alone/);
  });

  it('treats a loop disk as virtual: SMART does not apply', () => {
    const j = judgeSmartDisk({ disk: 'loop:/var/tmp/d0.img', path: '/dev/loop0', type: null }, out('smartctl-a-loop.json', 1), p);
    expect(j.row.outcome).toBe('not-applicable');
    expect(j.coverage).toEqual([expect.objectContaining({ status: 'not-applicable', required: false })]);
  });

  it('fails the stage when one disk of two fails, and names the other that could not be read', () => {
    const ok = judgeSmartDisk({ disk: 'LABSATA0001', path: '/dev/sdb', type: null }, out('qemu-guest/smartctl-j-a-sdb.json', 0), p).row;
    const bad = judgeSmartDisk({ disk: 'LABNVME0001', path: '/dev/nvme0', type: null }, out('qemu-guest-nvme-critwarn/smartctl-j-a-nvme0.json', 8), p).row;
    expect(combineSmart([ok, bad], []).outcome).toBe('failed');
    expect(combineSmart([bad, ok], []).outcome).toBe('failed');
    const unread = judgeSmartDisk({ disk: 'VIRTIO-0001', path: '/dev/vda', type: null }, out('smartctl-a-vda-virtio.json', 1), p).row;
    const c = combineSmart([ok, unread], []);
    expect(c.outcome).toBe('passed');
    expect(c.message).toMatch(/NOT TESTED: SMART is unavailable on \/dev\/vda/);
    expect(c.message).toMatch(/1 disk\(s\) not tested/);
    expect(combineSmart([ok], ['MISSING-1'])).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/expected disk MISSING-1 not found/) });
  });
});

describe('SMART rows carry their limits', () => {
  it('so each count is judged where it is shown, and exported with its validator', async () => {
    const { summaryView } = await import('../../../common/stages/summary-view.ts');
    const { smartStage: def } = await import('../../../common/stages/smart.ts');
    const row = judgeSmartDisk({ disk: 'LABSATA0001', path: '/dev/sdb', type: null }, { stdout: fixture('qemu-guest/smartctl-j-a-sdb.json'), exitCode: 0 }, PROFILES.standard.smart).row;
    const view = summaryView(def.summary, { disks: [row], missing: [], notes: [] });
    const cell = view.tables[0]!.rows[0]!.cells.reallocated!;
    expect(cell).toMatchObject({ judged: 'good', limitKind: 'ceiling', limitValue: PROFILES.standard.smart.maxReallocated });
  });
});
