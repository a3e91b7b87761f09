import { describe, expect, it } from 'vitest';
import type { StageView } from '../../../common/schema/api.ts';
import { notApplicable, notTested, tested, type CoverageEntry } from '../../../common/schema/coverage.ts';
import { coverageByStage, coverageCounts, coverageDetail, coverageLine, isRequiredGap } from './coverage.ts';

const MiB = 1024 ** 2;
const disk = { kind: 'disk' as const, id: 'E2E-DISK-A', label: 'E2E-DISK-A (/dev/sdb)' };

const stage = (name: StageView['name'], coverage: CoverageEntry[], attempt = 1): StageView => ({
  name,
  attempt,
  outcome: 'passed',
  passed: true,
  message: null,
  startedAt: null,
  completedAt: null,
  summary: null,
  coverage,
});

describe('coverage', () => {
  const scan = tested(disk, 'surface scan', { extent: { done: 16 * MiB, total: 64 * MiB, unit: 'bytes' }, reason: 'the smoke profile scans the first 16 MiB' });
  const smartGap = notTested(disk, 'SMART health and counters', 'SMART could not be read', true);
  const gpu = notApplicable({ kind: 'gpu', id: 'gpus' }, 'compute burn', 'no GPU in the spec and none found');
  const optionalGap = notTested({ kind: 'psu', id: 'psu' }, 'voltage under load', 'no voltage sensor', false);

  it('counts each status and the required gaps', () => {
    const counts = coverageCounts([scan, smartGap, gpu, optionalGap, tested(disk, 'random I/O')]);
    expect(counts).toEqual({ tested: 2, notApplicable: 1, notTested: 2, requiredGaps: 1 });
    expect(coverageLine(counts)).toBe('2 tested · 1 not applicable · 2 not tested');
    expect(coverageLine(coverageCounts([]))).toBe('nothing reported');
    expect(isRequiredGap(smartGap)).toBe(true);
    expect(isRequiredGap(optionalGap)).toBe(false);
  });

  it('says why, and how much of a part a check reached', () => {
    expect(coverageDetail(scan)).toBe('the smoke profile scans the first 16 MiB · surface scan covered 16 MiB of 64 MiB (25 %)');
    expect(coverageDetail(smartGap)).toBe('SMART could not be read');
    const partial = notTested(disk, 'surface scan', 'badblocks covered 16 MiB of 64 MiB (25 %)', true, { done: 16 * MiB, total: 64 * MiB, unit: 'bytes' });
    expect(coverageDetail(partial)).toBe('badblocks covered 16 MiB of 64 MiB (25 %)');
    expect(coverageDetail(tested(disk, 'random I/O'))).toBe('');
  });

  it('groups the verdict’s claims by stage in the order given, leaving out stages with none', () => {
    const lines = [{ ...gpu, stage: 'GPU' as const }, { ...smartGap, stage: 'SMART' as const }];
    const grouped = coverageByStage([stage('Inventory', []), stage('SMART', [smartGap], 2), stage('GPU', [gpu])], lines);
    expect(grouped.map((g) => [g.stage, g.attempt, g.entries.length])).toEqual([
      ['SMART', 2, 1],
      ['GPU', 1, 1],
    ]);
  });
});
