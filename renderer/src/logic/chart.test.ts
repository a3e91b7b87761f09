import { describe, expect, it } from 'vitest';
import type { StageView } from '../../../common/schema/api.ts';
import { chartWindows, groupByUnit, seriesColor, seriesSpan, timeTickFormatter, valueTick } from './chart.ts';

const stage = (name: StageView['name'], startedAt: string | null, completedAt: string | null, attempt = 1): StageView => ({
  name,
  attempt,
  outcome: null,
  passed: null,
  message: null,
  startedAt,
  completedAt,
  summary: null,
});

describe('chartWindows', () => {
  it('gives each started stage its window, the running one up to now, in time order', () => {
    const now = Date.parse('2026-11-27T02:00:00Z');
    const w = chartWindows(
      [stage('CPUStress', '2026-11-27T01:10:00Z', null), stage('Inventory', '2026-11-27T01:00:00Z', '2026-11-27T01:02:00Z'), stage('SMART', null, null)],
      now,
    );
    expect(w).toEqual([
      { stage: 'Inventory', from: Date.parse('2026-11-27T01:00:00Z'), to: Date.parse('2026-11-27T01:02:00Z') },
      { stage: 'CPUStress', from: Date.parse('2026-11-27T01:10:00Z'), to: now },
    ]);
  });
  it('uses the latest attempt and widens instant stages to a second', () => {
    const w = chartWindows([stage('SMART', '2026-11-27T01:00:00Z', '2026-11-27T01:01:00Z', 1), stage('SMART', '2026-11-27T01:05:00Z', '2026-11-27T01:05:00Z', 2)], 0);
    expect(w).toHaveLength(1);
    expect(w[0]!.to - w[0]!.from).toBe(1000);
  });
});

describe('groupByUnit', () => {
  it('splits volts from watts', () => {
    const s = (sensor: string, unit: string) => ({ sensor, unit, points: [] as [number, number][], rawCount: 0 });
    const g = groupByUnit([s('in0', 'V'), s('power1', 'W'), s('in1', 'V')]);
    expect(g.map((x) => [x.unit, x.series.map((y) => y.sensor)])).toEqual([
      ['V', ['in0', 'in1']],
      ['W', ['power1']],
    ]);
  });
  it('cycles colours', () => {
    expect(seriesColor(0)).toBe(seriesColor(10));
  });
});

describe('axis labels', () => {
  const t = new Date(2026, 10, 27, 9, 5, 7, 250).getTime();
  it('shows tenths for bursts, seconds for minutes, dates for days', () => {
    expect(timeTickFormatter(5_000)(t)).toBe('05:07.2');
    expect(timeTickFormatter(10 * 60_000)(t)).toBe('09:05:07');
    expect(timeTickFormatter(12 * 3_600_000)(t)).toBe('09:05');
    expect(timeTickFormatter(3 * 86_400_000)(t)).toBe('11-27 09:05');
  });
  it('keeps value labels short', () => {
    expect(valueTick(12.025)).toBe('12.03');
    expect(valueTick(300)).toBe('300');
    expect(valueTick(0.000123456)).toBe('0.0001235');
  });
  it('measures the span of the data or the zoom', () => {
    const s = [{ sensor: 'a', unit: 'V', rawCount: 2, points: [[10, 1], [50, 2]] as [number, number][] }, { sensor: 'b', unit: 'V', rawCount: 1, points: [[5, 1]] as [number, number][] }];
    expect(seriesSpan(s, null)).toBe(45);
    expect(seriesSpan(s, { from: 0, to: 1000 })).toBe(1000);
    expect(seriesSpan([], null)).toBe(0);
  });
});
