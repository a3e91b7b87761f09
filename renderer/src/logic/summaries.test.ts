import { describe, expect, it } from 'vitest';
import { judgedColumns, meetsLimit, readSummary } from './summaries.ts';

describe('readSummary', () => {
  it('turns arrays of records into tables and scalars into facts', () => {
    const r = readSummary({
      disks: [
        { disk: 'S1', iops: 120000, p99Ms: 0.8, floor: { minIops: 50000, maxP99Ms: 5 }, passed: true },
        { disk: 'S2', iops: 900, p99Ms: 12, floor: { minIops: 50000, maxP99Ms: 5 }, passed: false, extra: 'x' },
      ],
      durationS: 61,
    });
    expect(r.facts).toEqual([['durationS', 61]]);
    expect(r.tables).toHaveLength(1);
    expect(r.tables[0]!.columns).toEqual(['disk', 'iops', 'p99Ms', 'floor.minIops', 'floor.maxP99Ms', 'passed', 'extra']);
  });

  it('reads maps of records as tables keyed by name', () => {
    const r = readSummary({ nics: { eth0: { mbps: 940, floorMbps: 900 } } });
    expect(r.tables[0]).toEqual({ title: 'nics', columns: ['name', 'mbps', 'floorMbps'], rows: [{ name: 'eth0', mbps: 940, floorMbps: 900 }] });
  });

  it('survives shapes it does not know', () => {
    expect(readSummary(null)).toEqual({ facts: [], tables: [] });
    expect(readSummary([1, 2])).toEqual({ facts: [], tables: [] });
    expect(readSummary({ deep: { a: { b: { c: 1 } } }, list: [1, 2] }).tables).toHaveLength(1);
  });
});

describe('floors', () => {
  it('pairs values with their floor and ceiling columns', () => {
    const j = judgedColumns(['disk', 'iops', 'p99Ms', 'floor.minIops', 'floor.maxP99Ms', 'mbps', 'floorMbps']);
    expect(j).toEqual(
      expect.arrayContaining([
        { column: 'iops', limitColumn: 'floor.minIops', kind: 'floor' },
        { column: 'p99Ms', limitColumn: 'floor.maxP99Ms', kind: 'ceiling' },
        { column: 'mbps', limitColumn: 'floorMbps', kind: 'floor' },
      ]),
    );
  });
  it('judges numbers only', () => {
    expect(meetsLimit(10, 5, 'floor')).toBe(true);
    expect(meetsLimit(10, 5, 'ceiling')).toBe(false);
    expect(meetsLimit('10', 5, 'floor')).toBeNull();
  });
});
