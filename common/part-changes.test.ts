import { describe, expect, it } from 'vitest';
import { compareFigures, measuredParts, partChangeKey, percentText, type FigureBefore } from './part-changes.ts';
import { stageDefinition } from './stages/index.ts';
import { summaryView } from './stages/summary-view.ts';

// Changes since a part's previous run, worded from the stage schemas: counts as two
// counts, figures judged against a floor or ceiling as a percentage, worse or better
// only where the schema says which way is better.

const smartDisk = (disk: string, counters: Record<string, number | null>) => ({
  disk,
  device: '/dev/sdb',
  type: null,
  outcome: 'passed',
  reasons: [],
  reallocated: 0,
  pending: 0,
  temperatureC: 34,
  powerOnHours: 1200,
  ...counters,
});

const storageDisk = (disk: string, iops: number, p99Ms: number, badBlocks = 0) => ({
  disk,
  device: '/dev/sdb',
  diskClass: 'ssd',
  outcome: 'passed',
  reasons: [],
  badblocks: { blockSize: 4096, firstBlock: 0, lastBlock: 10, badBlocks, badRanges: [], coveredBytes: 1, diskBytes: 1, counts: null },
  fio: { iops, readIops: iops / 2, writeIops: iops / 2, p99Ms, minIops: 100, maxP99Ms: 1000 },
});

function partsOf(stage: 'SMART' | 'Storage' | 'Network' | 'Inventory', summary: unknown) {
  return measuredParts(summaryView(stageDefinition(stage).summary, summary));
}

/** What the component history kept from an earlier summary of the same stage. */
function stored(stage: 'SMART' | 'Storage' | 'Network' | 'Inventory', summary: unknown): Record<string, FigureBefore> {
  const [part] = partsOf(stage, summary);
  return Object.fromEntries(Object.entries(part!.figures).map(([k, f]) => [k, { value: f.cell.value as number | boolean, label: f.label, ...(f.cell.unit ? { unit: f.cell.unit } : {}) }]));
}

describe('changes since a part\'s previous run', () => {
  it('words a grown SMART counter as its two counts, worse because the schema marks it better lower', () => {
    const before = stored('SMART', { disks: [smartDisk('WD-1', {})], missing: [], notes: [] });
    const [now] = partsOf('SMART', { disks: [smartDisk('WD-1', { reallocated: 2, temperatureC: 41 })], missing: [], notes: [] });
    const { changes, unchanged } = compareFigures(now!.figures, before);
    expect(changes.map((c) => [c.key, c.text, c.direction])).toEqual([
      ['reallocated', 'Reallocated 0 → 2', 'worse'],
      // A temperature has no better direction in its schema: just the change.
      ['temperatureC', 'Temperature 34 → 41 °C', null],
    ]);
    expect(changes[0]).toMatchObject({ before: 0, after: 2, delta: 2, percent: null, detail: 'Reallocated 0 → 2' });
    expect(unchanged).toBe(2); // pending, power-on hours
  });

  it('words IOPS and p99 (judged against a floor and a ceiling) as a percentage, worse or better by that limit', () => {
    const before = stored('Storage', { overridden: [], disks: [storageDisk('WD-1', 20_000.5, 1.5)] });
    const [now] = partsOf('Storage', { overridden: [], disks: [storageDisk('WD-1', 16_400.41, 1.2, 3)] });
    const changes = compareFigures(now!.figures, before).changes;
    expect(changes.map((c) => [c.key, c.text, c.direction])).toEqual([
      // Bad blocks are a count with a ceiling: two counts, worse.
      ['badblocks.badBlocks', 'Bad blocks 0 → 3', 'worse'],
      ['fio.iops', 'IOPS −18 %', 'worse'],
      ['fio.p99Ms', 'p99 −20 %', 'better'],
    ]);
    expect(changes[1]!.detail).toBe('IOPS 20,001 → 16,400 (−18 %)');
    expect(changes[2]!.detail).toBe('p99 1.5 → 1.2 ms (−20 %)');
    expect(changes[1]!.percent).toBeCloseTo(-18, 0);
  });

  it('says nothing changed when nothing did, and compares only what was measured both times', () => {
    const before = stored('Storage', { overridden: [], disks: [storageDisk('WD-1', 20_000, 1.5)] });
    const [now] = partsOf('Storage', { overridden: [], disks: [{ ...storageDisk('WD-1', 20_000, 1.5), badblocks: null }] });
    expect(compareFigures(now!.figures, before)).toEqual({ changes: [], unchanged: 2 });
  });

  it('reads parts from every table that names one, but not from a table of parts looked for and not found', () => {
    const parts = partsOf('Storage', { unresolved: [{ disk: 'MISSING-1', problem: 'not found' }], overridden: [], disks: [storageDisk('WD-1', 1, 1)] });
    expect(parts.map((p) => [p.kind, p.id])).toEqual([['disk', 'WD-1']]);
    // A NIC's link speed from Inventory is a figure without a limit: a plain change.
    const nic = (speedMbps: number) => ({ inventory: { system: {}, bios: {}, cpu: { sockets: 1, cores: 1, threads: 1 }, memory: { totalBytes: 1 }, disks: [], nics: [{ name: 'eno1', mac: 'AC:1F:6B:00:00:01', speedMbps }], gpus: [], missingTools: [] } });
    const [now] = partsOf('Inventory', nic(10_000));
    expect(now).toMatchObject({ kind: 'nic', id: 'AC:1F:6B:00:00:01', key: 'ac1f6b000001' });
    expect(compareFigures(now!.figures, stored('Inventory', nic(1000))).changes.map((c) => [c.text, c.direction])).toEqual([['Speed 1,000 → 10,000 Mbit/s', null]]);
  });

  it('prints percentages with a true minus and as many digits as say something', () => {
    expect([percentText(-18.2), percentText(4.25), percentText(-0.354), percentText(250)]).toEqual(['−18 %', '+4.3 %', '−0.35 %', '+250 %']);
    expect(partChangeKey('SMART', 'disk', ' WD-1 ')).toBe(partChangeKey('SMART', 'disk', 'wd1'));
  });
});
