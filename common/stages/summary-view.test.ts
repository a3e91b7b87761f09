import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STAGES, parseStageSummary } from './index.ts';
import { storageStage } from './storage.ts';
import { formatNumber, humanize, isEmptyView, summaryView } from './summary-view.ts';

const storageSummary = {
  overridden: [],
  disks: [
    {
      disk: 'S1',
      device: '/dev/sda',
      diskClass: 'ssd' as const,
      outcome: 'failed' as const,
      reasons: ['fio 900 IOPS below the floor of 10000 (ssd)'],
      badblocks: { blockSize: 4096, firstBlock: 0, lastBlock: 4095, badBlocks: 0, badRanges: [], coveredBytes: 16 * 1024 ** 2, diskBytes: 64 * 1024 ** 2, counts: null },
      fio: { iops: 900, readIops: 450, writeIops: 450, p99Ms: 2.5, minIops: 10_000, maxP99Ms: 20 },
    },
  ],
};

describe('summaryView', () => {
  it('draws an array of records as a table, nested records as columns, judged against their limits', () => {
    const v = summaryView(storageStage.summary, storageSummary);
    const t = v.tables.find((x) => x.key === 'disks')!;
    expect(t.title).toBe('Disks');
    expect(t.part).toBe('disk');
    expect(t.columns.map((c) => c.key)).toContain('fio.iops');
    // Hidden fields stay out of tables.
    expect(t.columns.map((c) => c.key)).not.toContain('fio.readIops');
    const row = t.rows[0]!;
    expect(row.partId).toBe('S1');
    expect(row.cells['fio.iops']).toMatchObject({ text: '900', judged: 'bad', limit: '≥ 10,000', measure: true });
    expect(row.cells['fio.p99Ms']).toMatchObject({ text: '2.5 ms', judged: 'good', limit: '≤ 20 ms' });
    expect(row.cells['badblocks.coveredBytes']!.text).toBe('16 MiB');
    // The empty "overridden" list draws nothing.
    expect(v.tables.map((x) => x.key)).toEqual(['disks']);
  });

  it('judges a temperature at its ceiling as over it: the stage fails on reaching max_temp_c, and the cell says so', () => {
    const gpu = STAGES.find((d) => d.name === 'GPU')!;
    const cpu = STAGES.find((d) => d.name === 'CPUStress')!;
    const gpuCell = (maxTempC: number) => summaryView(gpu.summary, { gpus: [], maxTempC, limitC: 62 }).facts.find((f) => f.key === 'maxTempC')?.cell;
    expect(gpuCell(62)).toMatchObject({ judged: 'bad', limit: '< 62 °C', limitKind: 'below' });
    expect(gpuCell(61)).toMatchObject({ judged: 'good', limit: '< 62 °C' });
    const peaks = (peakC: number) => summaryView(cpu.summary, { ceilingC: 85, peaks: [{ sensor: 'Package id 0', peakC, ceilingC: 85 }] }).tables.find((t) => t.key === 'peaks')!.rows[0]!.cells.peakC;
    expect(peaks(85)).toMatchObject({ judged: 'bad', limit: '< 85 °C' });
    expect(peaks(84.5)).toMatchObject({ judged: 'good' });
  });

  it('turns scalars into facts and scalar arrays into lists, with units and formats', () => {
    const S = z.object({
      durationS: z.number().meta({ title: 'Duration', format: 'seconds' }),
      share: z.number().meta({ format: 'fraction-percent' }),
      ok: z.boolean(),
      notes: z.array(z.string()).meta({ title: 'Notes' }),
      secret: z.string().meta({ hidden: true }),
    });
    const v = summaryView(S, { durationS: 120, share: 0.0512, ok: true, notes: ['a', 'b'], secret: 'x' });
    expect(v.facts.map((f) => [f.label, f.cell.text])).toEqual([
      ['Duration', '120 s'],
      ['Share', '5.1 %'],
      ['Ok', 'yes'],
    ]);
    expect(v.lists).toEqual([{ key: 'notes', title: 'Notes', items: ['a', 'b'] }]);
  });

  it('shows what matches of a summary that does not match its schema, and nothing for a non-object', () => {
    const v = summaryView(storageStage.summary, { disks: [{ disk: 'old', iops: 5 }], legacy: true });
    expect(v.tables[0]!.rows[0]!.cells.disk!.text).toBe('old');
    expect(isEmptyView(summaryView(storageStage.summary, 'garbage'))).toBe(true);
  });

  it('formats numbers for people, the same on every side', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(3.14159, { unit: 'ms' })).toBe('3.14 ms');
    expect(formatNumber(64 * 1024 ** 3, { format: 'bytes' })).toBe('64 GiB');
    expect(humanize('peakTempsC')).toBe('Peak temps c');
  });
});

describe('stage definitions', () => {
  it('name each stage once, in order, with orchestrator stages at the edges the state machine expects', () => {
    const names = STAGES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe('Inventory');
    expect(names.at(-1)).toBe('Reporting');
  });

  it('keep every summary schema drawable: each one is an object schema with annotated tables', () => {
    for (const s of STAGES) {
      expect(s.summary.def.type, s.name).toBe('object');
      expect(s.tools.every((t) => t.binary && t.debianPackage && t.why), s.name).toBe(true);
    }
  });

  it('accept an error summary for an error, and refuse a summary of the wrong shape naming the field', () => {
    expect(parseStageSummary('Storage', 'error', { infraError: 'missing', tool: 'fio' }).ok).toBe(true);
    const bad = parseStageSummary('Storage', 'passed', { disks: 'none' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join('; ')).toMatch(/overridden|disks/);
  });
});
