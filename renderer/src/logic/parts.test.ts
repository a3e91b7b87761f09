import { describe, expect, it } from 'vitest';
import type { ComponentHistoryView, HostPartsView, PartChangeView } from '../../../common/schema/api.ts';
import { noChangeText, partChangeLookup, partRuns, swapSummary, trendSeries } from './parts.ts';

const change = (over: Partial<PartChangeView>): PartChangeView => ({ stage: 'SMART', attempt: 1, kind: 'disk', id: 'WD-1', previous: { runId: 3, host: 'n1', at: '2026-01-01T00:00:00Z' }, changes: [], unchanged: 4, ...over });

describe('a run\'s part changes', () => {
  it('are found by the row\'s part id, compared the way the verdict compares ids', () => {
    const lookup = partChangeLookup({ runId: 5, parts: [change({ id: 'AC:1F:6B:00:00:01', kind: 'nic', stage: 'Network' })] });
    expect(lookup('Network', 'nic', 'ac1f6b000001')?.id).toBe('AC:1F:6B:00:00:01');
    expect(lookup('Inventory', 'nic', 'ac1f6b000001')).toBeUndefined();
    expect(partChangeLookup(undefined)('SMART', 'disk', 'x')).toBeUndefined();
  });

  it('say when nothing changed or nothing was measured before', () => {
    expect(noChangeText(change({}))).toBe('no change since run 3');
    expect(noChangeText(change({ previous: null }))).toBe('not measured here before');
    expect(noChangeText(change({ changes: [{ key: 'reallocated', label: 'Reallocated', before: 0, after: 2, delta: 2, percent: null, direction: 'worse', text: 'Reallocated 0 → 2', detail: 'Reallocated 0 → 2' }] }))).toBeNull();
  });
});

const entry = (runId: number, stage: ComponentHistoryView['entries'][number]['stage'], attempt: number, figures: [string, number | boolean][], label: string | null = '/dev/sdb') => ({
  runId,
  host: 'node-7',
  stage,
  attempt,
  outcome: 'passed',
  runResult: 'pass' as const,
  at: `2026-01-0${runId}T00:00:00Z`,
  label,
  figures: figures.map(([key, value]) => ({ key, label: key === 'fio.iops' ? 'IOPS' : key, value, ...(key === 'fio.p99Ms' ? { unit: 'ms' } : {}) })),
});

// As the API sends it: newest run first, a run's latest stage (and attempt) first.
const history: ComponentHistoryView = {
  kind: 'disk',
  id: 'WD-1',
  host: null,
  label: '/dev/sdb',
  firstSeen: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-02T00:00:00Z',
  entries: [
    entry(2, 'Storage', 1, [['fio.iops', 16_400], ['fio.p99Ms', 1.2]]),
    entry(2, 'SMART', 2, [['reallocated', 2], ['smartAvailable', true]]),
    entry(2, 'SMART', 1, [['reallocated', 9]]),
    entry(2, 'Inventory', 1, []),
    entry(1, 'Storage', 1, [['fio.iops', 20_000], ['fio.p99Ms', 1.5]]),
    entry(1, 'SMART', 1, [['reallocated', 0]]),
    entry(1, 'Inventory', 1, [], null),
  ],
};

describe('a part\'s page', () => {
  it('draws one trend per numeric figure, stage by stage, oldest run first, a run\'s latest attempt only', () => {
    expect(trendSeries(history).map((s) => [s.stage, s.label, s.unit, s.points.map((p) => [p.runId, p.value])])).toEqual([
      ['SMART', 'reallocated', null, [[1, 0], [2, 2]]],
      ['Storage', 'IOPS', null, [[1, 20_000], [2, 16_400]]],
      ['Storage', 'fio.p99Ms', 'ms', [[1, 1.5], [2, 1.2]]],
    ]);
  });

  it('lists its runs newest first, each with its stages in run order', () => {
    expect(partRuns(history).map((r) => [r.runId, r.label, r.stages.map((s) => `${s.stage}#${s.attempt}`)])).toEqual([
      [2, '/dev/sdb', ['Inventory#1', 'SMART#2', 'Storage#1']],
      [1, '/dev/sdb', ['Inventory#1', 'SMART#1', 'Storage#1']],
    ]);
  });
});

describe('a host\'s swapped parts', () => {
  const part = (id: string, change: 'appeared' | 'gone' | null) => ({ kind: 'disk' as const, id, label: '/dev/sdb', change, runId: 2, firstSeen: '', lastSeen: '' });
  const view = (parts: HostPartsView['parts'], previousRun: number | null = 1): HostPartsView => ({ host: 'n', latestRun: 2, previousRun, parts });
  it('are said in one line', () => {
    expect(swapSummary(view([part('A', null), part('B', 'gone'), part('C', 'appeared')]))).toBe('Run 2 against run 1: parts swapped — 1 appeared, 1 gone.');
    expect(swapSummary(view([part('A', null)]))).toBe('Run 2 against run 1: the same parts, none swapped.');
    expect(swapSummary(view([part('A', null)], null))).toMatch(/no earlier run/);
    expect(swapSummary({ host: 'n', latestRun: null, previousRun: null, parts: [] })).toMatch(/No run/);
  });
});
