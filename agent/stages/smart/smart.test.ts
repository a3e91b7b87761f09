import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { captured, fixture, truncated } from '../../parsers/test-fixtures.ts';
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

// What the stage says, word for word, from each disk's real smartctl output (mutation
// testing, issue 23: each of these once changed without a test noticing).
describe('SMART stage: the outcome and message a person reads', () => {
  const p = PROFILES.standard.smart;
  const sdb = { disk: 'LABSATA0001', path: '/dev/sdb', type: null };
  const judge = (t: typeof sdb, file: string, exitCode: number, stdout = fixture(file)) => judgeSmartDisk(t, { stdout, exitCode }, p);
  const ok = () => judge(sdb, 'qemu-guest/smartctl-j-a-sdb.json', 0).row;
  const unread = () => judge({ disk: 'VIRTIO-0001', path: '/dev/vda', type: null }, 'smartctl-a-vda-virtio.json', 1).row;
  const failing = () => judge({ disk: 'LABNVME0001', path: '/dev/nvme0', type: null }, 'qemu-guest-nvme-critwarn/smartctl-j-a-nvme0.json', 8).row;
  const cut = () => judge(sdb, '', 0, truncated(fixture('qemu-guest/smartctl-j-a-sdb.json')));

  it('a disk whose smartctl output is cut off is an error, not tested and required, with the parser\'s words', () => {
    const j = cut();
    expect(j.row).toMatchObject({ disk: 'LABSATA0001', outcome: 'error', reasons: [expect.stringMatching(/^smartctl: cannot parse output: .*truncated/)] });
    expect(j.coverage).toEqual([expect.objectContaining({ status: 'not-tested', required: true, reason: `smartctl's output was unreadable: ${j.row.reasons[0]}` })]);
    const c = combineSmart([ok(), j.row], []);
    expect(c).toEqual({ outcome: 'error', message: j.row.reasons[0] });
  });

  it('names a disk as smartctl does, and keeps the decoded exit status', () => {
    // The same disk reached through another path: the reasons use smartctl's own device name.
    const j = judge({ disk: 'LABSATA0001', path: '/dev/disk/by-id/ata-QEMU_HARDDISK_LABSATA0001', type: null }, 'qemu-guest/smartctl-j-a-sdb.json', 0);
    expect(j.row.reasons).toEqual(['/dev/sdb: SMART health PASSED, counts within thresholds']);
    expect(failing().exitBits).toMatchObject({ diskFailing: true, commandFailed: false });
  });

  it('says why a loop device is not applicable, and which counters a partly judged disk lacks', () => {
    const loop = judge({ disk: 'loop:/var/tmp/d0.img', path: '/dev/loop0', type: null }, 'smartctl-a-loop.json', 1);
    expect(loop.coverage[0]!.reason).toBe('a loop device is a virtual disk: it has no SMART (SMART is unavailable on /dev/loop0 (error: /dev/loop0: Unable to detect device type))');
    expect(judge(sdb, 'qemu-guest/smartctl-j-a-sdb.json', 0).coverage[0]!.reason).toBe('the disk reports no pending sectors, offline uncorrectable sectors, end-to-end errors');
    // A fully judged disk (the lab NVMe reports both of its counters) gets no such note.
    const nvme = judgeSmartDisk({ disk: 'LABNVME0003', path: '/dev/nvme1', type: null }, { stdout: captured('qemu-lab-2026-12/smartctl-j-a-nvme1.json'), exitCode: 0 }, p);
    expect(nvme.coverage).toEqual([expect.objectContaining({ status: 'tested', required: true })]);
    expect(nvme.coverage[0]!.reason).toBeUndefined();
    // Nor does an ATA disk judged in full that lacks only an optional counter (the AHCI disk's
    // real report with attribute 197 added: ATA 184 is still missing).
    const with197 = JSON.parse(fixture('qemu-guest/smartctl-j-a-sdb.json')) as { ata_smart_attributes: { table: unknown[] } };
    with197.ata_smart_attributes.table.push({ id: 197, name: 'Current_Pending_Sector', value: 100, worst: 100, thresh: 0, when_failed: '', flags: { value: 50, string: 'PO--CK ', prefailure: true }, raw: { value: 0, string: '0' } });
    const full = judge(sdb, '', 0, JSON.stringify(with197));
    expect(full.coverage).toEqual([expect.objectContaining({ status: 'tested', required: true })]);
    expect(full.coverage[0]!.reason).toBeUndefined();
  });

  it('a passing stage lists each disk\'s words and counts the disks it could not read', () => {
    expect(combineSmart([ok()], [])).toEqual({ outcome: 'passed', message: '/dev/sdb: SMART health PASSED, counts within thresholds' });
    expect(combineSmart([ok(), unread()], [])).toEqual({
      outcome: 'passed',
      message: '/dev/sdb: SMART health PASSED, counts within thresholds | NOT TESTED: SMART is unavailable on /dev/vda (error: /dev/vda: Unable to detect device type) (1 disk(s) not tested: SMART unreadable)',
    });
    expect(combineSmart([], [])).toEqual({ outcome: 'passed', message: '0 disk(s) checked' });
    // A disk that passes with something to tell (exit bits 5 and 6): all of it, in order.
    const told = judge(sdb, 'qemu-guest/smartctl-j-a-sdb.json', 32 | 64).row;
    expect(combineSmart([told], [])).toEqual({ outcome: 'passed', message: '/dev/sdb: some attributes were at threshold in the past; /dev/sdb: the device error log has entries' });
  });

  it('a failing stage names only what failed, and no unread count', () => {
    expect(combineSmart([ok(), failing(), unread()], [])).toEqual({ outcome: 'failed', message: failing().reasons.join('; ') });
    expect(failing().reasons.join('; ')).toMatch(/^\/dev\/nvme0: SMART overall health is FAILED; \/dev\/nvme0: NVMe critical warning/);
    expect(combineSmart([failing()], ['MISSING-1'])).toEqual({ outcome: 'failed', message: `expected disk MISSING-1 not found | ${failing().reasons.join('; ')}` });
  });

  it('keeps the message within 4096 characters however many disks are missing', () => {
    const missing = Array.from({ length: 300 }, (_, i) => `MISSING-${String(i).padStart(4, '0')}`);
    const c = combineSmart([ok()], missing);
    expect(c.outcome).toBe('failed');
    expect(c.message).toHaveLength(4096);
    expect(c.message.startsWith('expected disk MISSING-0000 not found | expected disk MISSING-0001 not found')).toBe(true);
  });
});
