import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { z } from 'zod';
import type { PartChangeView, RunDetailView, StageView } from '../../../../common/schema/api.ts';
import { notApplicable, notTested, tested } from '../../../../common/schema/coverage.ts';
import { summaryView } from '../../../../common/stages/summary-view.ts';
import { CoveragePanel } from './Coverage.tsx';
import { SummaryBlock } from './SummaryBlock.tsx';

// Rendered to static HTML in node: what a person (and a screen reader) gets.

// A stage this UI has never heard of: its schema alone decides how it is drawn.
const MemoryTestSummary = z.object({
  passes: z.number().meta({ title: 'Passes' }),
  dimms: z
    .array(
      z.object({
        slot: z.string().meta({ title: 'Slot', partId: true }),
        errors: z.number().meta({ title: 'Errors', ceiling: 'maxErrors' }),
        maxErrors: z.number().meta({ hidden: true }),
        bandwidthMBs: z.number().meta({ title: 'Bandwidth', unit: 'MB/s', floor: 'minMBs' }),
        minMBs: z.number().meta({ hidden: true }),
      }),
    )
    .meta({ title: 'DIMMs', part: 'dimm' }),
  notes: z.array(z.string()).meta({ title: 'Notes' }),
  tool: z.object({ name: z.string().meta({ title: 'Name' }), version: z.string().meta({ title: 'Version' }) }).meta({ title: 'Tool' }),
});

describe('<SummaryBlock>', () => {
  const view = summaryView(MemoryTestSummary, {
    passes: 2,
    dimms: [
      { slot: 'DIMM_A1', errors: 0, maxErrors: 0, bandwidthMBs: 21000, minMBs: 15000 },
      { slot: 'DIMM_B1', errors: 3, maxErrors: 0, bandwidthMBs: 9000, minMBs: 15000 },
    ],
    notes: ['ran with ECC scrubbing off'],
    tool: { name: 'memtester', version: '4.6.0' },
  });
  const html = renderToStaticMarkup(<SummaryBlock view={view} level={4} />);

  it('draws facts, lists, a table per array of records and nested sections', () => {
    expect(html).toContain('<dt>Passes</dt><dd>2</dd>');
    expect(html).toContain('<h4 class="summary-head">Notes</h4><ul><li>ran with ECC scrubbing off</li></ul>');
    expect(html).toContain('<caption>DIMMs</caption>');
    expect(html).toContain('<th scope="col">Slot</th><th scope="col">Errors</th><th scope="col">Bandwidth</th>');
    expect(html).toContain('<th scope="row">DIMM_A1</th>');
    expect(html).toMatch(/<section class="summary-section" aria-label="Tool"><h4 class="summary-head">Tool<\/h4><dl class="kv">.*<dd>memtester<\/dd>/);
  });

  it('marks judged cells in words as well as colour, with the limit a missed value had', () => {
    expect(html).toContain('<td class="good" title="limit ≥ 15,000 MB/s"><span aria-hidden="true">✓ </span>21,000 MB/s<span class="sr-only">, meets ≥ 15,000 MB/s</span></td>');
    expect(html).toContain('<td class="bad" title="limit ≤ 0"><span aria-hidden="true">✗ </span>3<span class="limit"> (limit ≤ 0)</span></td>');
  });
});

describe('<SummaryBlock> with part changes', () => {
  const Summary = z.object({
    disks: z
      .array(z.object({ disk: z.string().meta({ title: 'Disk', partId: true }), device: z.string().meta({ title: 'Device' }), reallocated: z.number().int().meta({ title: 'Reallocated', measure: true, better: 'lower' }) }))
      .meta({ title: 'Disks', part: 'disk' }),
    found: z.array(z.object({ disk: z.string().meta({ title: 'Disk', partId: true }), what: z.string().meta({ title: 'Found' }) })).meta({ title: 'Data found', part: 'disk' }),
  });
  const view = summaryView(Summary, { disks: [{ disk: 'WD-1', device: '/dev/sda', reallocated: 2 }, { disk: 'WD-2', device: '/dev/sdb', reallocated: 0 }], found: [{ disk: 'WD-1', what: 'ext4' }] });
  const changes = (kind: string, id: string): PartChangeView | undefined =>
    kind !== 'disk'
      ? undefined
      : id === 'WD-1'
        ? { stage: 'SMART', attempt: 1, kind: 'disk', id, previous: { runId: 3, host: 'n1', at: '' }, unchanged: 0, changes: [{ key: 'reallocated', label: 'Reallocated', before: 0, after: 2, delta: 2, percent: null, direction: 'worse', text: 'Reallocated 0 → 2', detail: 'Reallocated 0 → 2' }] }
        : { stage: 'SMART', attempt: 1, kind: 'disk', id, previous: null, unchanged: 0, changes: [] };
  const html = renderToStaticMarkup(<SummaryBlock view={view} level={4} changes={changes} />);

  it('puts what changed beside each measured part, worse said in a word, with links to the earlier run and the part\'s history', () => {
    expect(html).toContain('<th scope="col">Disk</th><th scope="col">Since last run</th><th scope="col">Device</th>');
    expect(html).toContain('<li class="change-worse" title="Reallocated 0 → 2">Reallocated 0 → 2<span class="change-word"> · worse</span></li>');
    expect(html).toContain('vs <a href="#/runs/3">run 3</a>');
    expect(html).toContain('href="#/parts/disk/WD-1"');
    expect(html).toContain('<div class="muted">not measured here before</div>');
  });

  it('leaves tables without figures (data found on a disk) as they are', () => {
    expect(html).toContain('<caption>Data found</caption><thead><tr><th scope="col">Disk</th><th scope="col">Found</th></tr>');
  });
});

const stage = (name: StageView['name'], coverage: StageView['coverage']): StageView => ({
  name,
  attempt: 1,
  outcome: 'passed',
  passed: true,
  message: null,
  startedAt: null,
  completedAt: null,
  summary: null,
  coverage,
});

describe('<CoveragePanel>', () => {
  const disk = { kind: 'disk' as const, id: 'E2E-DISK-A', label: 'E2E-DISK-A (/dev/sdb)' };
  const stages = [
    stage('SMART', [notTested(disk, 'SMART health and counters', 'SMART could not be read on /dev/sdb', true)]),
    stage('Storage', [tested(disk, 'surface scan', { extent: { done: 16 * 1024 ** 2, total: 64 * 1024 ** 2, unit: 'bytes' } })]),
    stage('GPU', [notApplicable({ kind: 'gpu', id: 'gpus' }, 'compute burn', 'no GPU in this host')]),
  ];
  // The verdict's claims are the stages' own (no named part was left out here).
  const run = { stages, verdict: { reasons: [], coverage: stages.flatMap((s) => s.coverage.map((c) => ({ ...c, stage: s.name }))) } } as unknown as RunDetailView;
  const html = renderToStaticMarkup(<CoveragePanel run={run} />);

  it('sums the run up in one line and names the required gaps', () => {
    expect(html).toContain('Coverage: 1 tested · 1 not applicable · 1 not tested<strong class="bad"> — 1 required part was not tested</strong>');
  });

  it('lists each stage’s parts with status, reason and extent; a required gap stands out as a row', () => {
    expect(html).toContain('<caption>SMART</caption>');
    expect(html).toMatch(/<tr class="row-gap"><th scope="row" title="disk E2E-DISK-A">E2E-DISK-A \(\/dev\/sdb\)<\/th><td>SMART health and counters<\/td><td class="bad"><span aria-hidden="true">! <\/span>not tested<strong> — required<\/strong><\/td><td>SMART could not be read on \/dev\/sdb<\/td><\/tr>/);
    expect(html).toContain('surface scan covered 16 MiB of 64 MiB (25 %)');
    expect(html).toContain('not applicable</td><td>no GPU in this host</td>');
  });
});
