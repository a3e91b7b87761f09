import { describe, expect, it } from 'vitest';
import { CoverageEntry, extentText, notApplicable, notTested, tested } from './coverage.ts';

// A coverage claim as the orchestrator receives it (the schema that refuses a bad
// one) and as people read its extent (messages, the report's coverage table).

const disk = { kind: 'disk' as const, id: 'S3Z1NB0K123456' };

describe('a coverage claim', () => {
  it('needs a reason unless the part was tested, and says so at the reason', () => {
    const refused = CoverageEntry.safeParse({ part: disk, check: 'surface scan', status: 'not-tested', required: true });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues).toEqual([expect.objectContaining({ path: ['reason'], message: 'a part that was not tested or not applicable needs a reason' })]);
    expect(CoverageEntry.safeParse({ part: disk, check: 'SMART', status: 'not-applicable', required: false }).success).toBe(false);
    expect(CoverageEntry.safeParse({ part: disk, check: 'random I/O', status: 'tested', required: true }).success).toBe(true);
  });

  it('is built by the helpers in the shape the schema accepts', () => {
    for (const c of [
      tested(disk, 'random I/O'),
      tested(disk, 'surface scan', { reason: 'first 64 MiB', extent: { done: 64, total: 64, unit: 'bytes' }, required: false }),
      notTested(disk, 'surface scan', 'badblocks stopped', true, { done: 1, total: 4, unit: 'bytes' }),
      notApplicable(disk, 'SMART', 'a loop device is a virtual disk'),
    ]) {
      expect(CoverageEntry.parse(c)).toEqual(c);
    }
    expect(tested(disk, 'random I/O')).toEqual({ part: disk, check: 'random I/O', status: 'tested', required: true });
    expect(notApplicable(disk, 'SMART', 'virtual')).toEqual({ part: disk, check: 'SMART', status: 'not-applicable', reason: 'virtual', required: false });
  });
});

describe('extentText', () => {
  const MiB = 1024 ** 2;
  it('says how much of a part a check reached, in whole percent', () => {
    expect(extentText({ done: 16 * MiB, total: 64 * MiB, unit: 'bytes' })).toBe('16 MiB of 64 MiB (25 %)');
    expect(extentText({ done: 0, total: 64 * MiB, unit: 'bytes' })).toBe('0 B of 64 MiB (0 %)');
    expect(extentText({ done: 64 * MiB, total: 64 * MiB, unit: 'bytes' })).toBe('64 MiB of 64 MiB (100 %)');
  });

  it('shows a scan under 1 % with two decimals, and one from 99 % to under 100 % with one', () => {
    // 16 MiB of a 4 TiB disk, as a smoke scan leaves it
    expect(extentText({ done: 16 * MiB, total: 4 * 1024 ** 4, unit: 'bytes' })).toMatch(/\(0\.00 %\)$/);
    expect(extentText({ done: 1 * MiB, total: 256 * MiB, unit: 'bytes' })).toMatch(/\(0\.39 %\)$/);
    expect(extentText({ done: 995 * MiB, total: 1000 * MiB, unit: 'bytes' })).toMatch(/\(99\.5 %\)$/);
  });

  it('shows exactly 1 % as a whole percent, like any percent from 1 to 99', () => {
    expect(extentText({ done: 1 * MiB, total: 100 * MiB, unit: 'bytes' })).toBe('1 MiB of 100 MiB (1 %)');
    // Only above 99 % does a decimal keep a scan that fell short from reading as 100 %.
    expect(extentText({ done: 99 * MiB, total: 100 * MiB, unit: 'bytes' })).toBe('99 MiB of 100 MiB (99 %)');
  });
});
