import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { fixture } from '../../parsers/test-fixtures.ts';
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
    expect(j.coverage).toMatchObject({ status: 'tested', part: { kind: 'disk', id: 'LABSATA0001' } });
  });

  it('fails an NVMe disk with a critical warning (smartctl exit 8), naming it', () => {
    const j = judgeSmartDisk({ disk: 'LABNVME0001', path: '/dev/nvme0', type: null }, out('qemu-guest-nvme-critwarn/smartctl-j-a-nvme0.json', 8), p);
    expect(j.row.outcome).toBe('failed');
    expect(j.row.reasons.join('; ')).toMatch(/critical warning/);
    expect(j.coverage.status).toBe('tested');
  });

  it('does not pass a physical disk whose SMART cannot be read: it is not tested, and required', () => {
    const j = judgeSmartDisk({ disk: 'VIRTIO-0001', path: '/dev/vda', type: null }, out('smartctl-a-vda-virtio.json', 1), p);
    expect(j.row.outcome).toBe('not-tested');
    expect(j.coverage).toMatchObject({ status: 'not-tested', required: true });
    expect(j.coverage.reason).toMatch(/SMART is unavailable on \/dev\/vda/);
  });

  it('treats a loop disk as virtual: SMART does not apply', () => {
    const j = judgeSmartDisk({ disk: 'loop:/var/tmp/d0.img', path: '/dev/loop0', type: null }, out('smartctl-a-loop.json', 1), p);
    expect(j.row.outcome).toBe('not-applicable');
    expect(j.coverage).toMatchObject({ status: 'not-applicable', required: false });
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
