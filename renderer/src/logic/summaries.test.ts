import { describe, expect, it } from 'vitest';
import { STAGES, stageDefinition } from '../../../common/stages/index.ts';
import { hasSummary, stageSummaryView } from './summaries.ts';

// Summaries are drawn from their stage's schema; these are built in each
// schema's shape and parsed by it first, so a schema change shows up here.

const storage = stageDefinition('Storage').summary.parse({
  overridden: [],
  disks: [
    {
      disk: 'S1',
      device: '/dev/sda',
      diskClass: 'ssd',
      outcome: 'failed',
      reasons: ['IOPS 900 below the floor 10000'],
      badblocks: { blockSize: 4096, firstBlock: 0, lastBlock: 4095, badBlocks: 0, badRanges: [], coveredBytes: 16 * 1024 ** 2, diskBytes: 64 * 1024 ** 2, counts: null },
      fio: { iops: 900, readIops: 450, writeIops: 450, p99Ms: 1.5, minIops: 10_000, maxP99Ms: 20 },
    },
  ],
});

describe('stageSummaryView', () => {
  it('draws a stage summary from its schema: titled columns, cells judged against the row’s own limits', () => {
    const view = stageSummaryView({ name: 'Storage', outcome: 'failed', summary: storage });
    const disks = view.tables.find((t) => t.key === 'disks')!;
    expect(disks.title).toBe('Disks');
    const iops = disks.columns.find((c) => c.label === 'IOPS')!;
    const p99 = disks.columns.find((c) => c.label === 'p99')!;
    const row = disks.rows[0]!;
    expect(row.partId).toBe('S1');
    expect(row.cells[iops.key]).toMatchObject({ judged: 'bad', limit: '≥ 10,000', text: '900' });
    expect(row.cells[p99.key]).toMatchObject({ judged: 'good', limit: '≤ 20 ms', text: '1.5 ms' });
    // Hidden fields stay in the raw JSON only.
    expect(disks.columns.some((c) => c.label === 'Read IOPS')).toBe(false);
  });

  it('draws an error attempt’s infrastructure summary from its own schema, without the refused summary', () => {
    const view = stageSummaryView({
      name: 'SMART',
      outcome: 'error',
      summary: { infraError: 'summary-refused', problems: ['disks: expected array'], rejectedSummary: { disks: 'nope' } },
    });
    expect(view.facts.map((f) => [f.label, f.cell.text])).toEqual([['Infra error', 'summary-refused']]);
    expect(view.lists).toEqual([{ key: 'problems', title: 'Problems', items: ['disks: expected array'] }]);
  });

  it('never throws on what it cannot read, for every stage of the list', () => {
    for (const def of STAGES) {
      for (const summary of [null, {}, [1, 2], 'text', { unknownField: { deep: [1] } }]) {
        for (const outcome of ['passed', 'error', null] as const) {
          expect(() => stageSummaryView({ name: def.name, outcome, summary })).not.toThrow();
        }
      }
    }
  });
});

describe('hasSummary', () => {
  it('counts a summary with something in it', () => {
    expect(hasSummary({ summary: storage })).toBe(true);
    expect(hasSummary({ summary: null })).toBe(false);
    expect(hasSummary({ summary: {} })).toBe(false);
  });
});
