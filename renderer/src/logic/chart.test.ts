import { describe, expect, it } from 'vitest';
import type { StageView } from '../../../common/schema/api.ts';
import { chartWindows, groupByUnit, groupThousands, linePath, linearScale, nearestPoint, niceTicks, readMeasurementsView, seriesColor, seriesExtent, tenths, timeTickFormatter, timeTicks, valueTick } from './chart.ts';

const stage = (name: StageView['name'], startedAt: string | null, completedAt: string | null, attempt = 1): StageView => ({
  name,
  attempt,
  outcome: null,
  passed: null,
  message: null,
  startedAt,
  completedAt,
  summary: null,
  coverage: [],
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
  it('groups thousands without the locale machinery', () => {
    expect(groupThousands(345600)).toBe('345,600');
    expect(groupThousands(1234567.5)).toBe('1,234,567.5');
    expect(groupThousands(999)).toBe('999');
    expect(groupThousands(-1000)).toBe('-1,000');
    expect(groupThousands(0)).toBe('0');
  });
  it('keeps value labels short', () => {
    expect(valueTick(12.025)).toBe('12.03');
    expect(valueTick(300)).toBe('300');
    expect(valueTick(0.000123456)).toBe('0.0001235');
  });
  it('prints coordinates to a tenth exactly as rounding and printing the number would', () => {
    const samples = [0, -0, 0.04, -0.04, 0.05, -0.05, 0.96, -0.96, 9.95, -9.95, 12.34, -12.36, 1e6 + 0.07, -1234.56, 0.1 + 0.2];
    for (let i = 0; i < 2000; i++) samples.push((Math.random() - 0.5) * 4000);
    for (const v of samples) expect(tenths(v), String(v)).toBe(String(Math.round(v * 10) / 10));
  });
});

describe('drawing helpers', () => {
  const series = (sensor: string, points: [number, number][]) => ({ sensor, unit: '°C', rawCount: points.length, points });

  it('maps linearly and puts a flat domain in the middle', () => {
    const x = linearScale([100, 200], [0, 50]);
    expect(x(100)).toBe(0);
    expect(x(150)).toBe(25);
    expect(x(300)).toBe(100);
    expect(linearScale([5, 5], [10, 20])(5)).toBe(15);
  });

  it('finds the extent of every point', () => {
    expect(seriesExtent([series('a', [[10, 3], [20, -1]]), series('b', [[5, 7]])])).toEqual({ t: [5, 20], v: [-1, 7] });
    expect(seriesExtent([series('a', [])])).toBeNull();
  });

  it('picks round value ticks covering the data, widened to whole steps', () => {
    expect(niceTicks(31.2, 88.7, 5)).toEqual({ domain: [20, 100], ticks: [20, 40, 60, 80, 100] });
    expect(niceTicks(31.2, 88.7, 10)).toEqual({ domain: [30, 90], ticks: [30, 40, 50, 60, 70, 80, 90] });
    expect(niceTicks(0.1, 0.3, 2).ticks).toEqual([0.1, 0.2, 0.3]);
    const flat = niceTicks(12, 12);
    expect(flat.domain[0]).toBeLessThan(12);
    expect(flat.domain[1]).toBeGreaterThan(12);
    expect(niceTicks(NaN, 1)).toEqual({ domain: [0, 1], ticks: [0, 1] });
  });

  it('puts time ticks on round local clock times, no more than asked', () => {
    const from = new Date(2026, 10, 1, 8, 0, 0).getTime();
    const to = from + 12 * 3_600_000;
    const ticks = timeTicks(from + 7 * 60_000, to, 10);
    expect(ticks.length).toBeLessThanOrEqual(10);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const t of ticks) {
      const d = new Date(t);
      expect(d.getMinutes()).toBe(0);
      expect(d.getHours() % 2).toBe(0);
    }
    expect(ticks[0]).toBe(new Date(2026, 10, 1, 10, 0, 0).getTime());
    expect(timeTicks(from, from + 30_000, 4)).toEqual([from, from + 10_000, from + 20_000, from + 30_000]);
    expect(timeTicks(from, from, 4)).toEqual([from]);
  });

  it('draws one path through every point, to a tenth of a pixel', () => {
    const d = linePath([[0, 0], [1, 1], [2, 0.5]], (t) => t * 10.04, (v) => 100 - v * 33.333);
    expect(d).toBe('M0,100L10,66.7L20.1,83.3');
    expect(linePath([], (t) => t, (v) => v)).toBe('');
  });

  it('finds the drawn point nearest the pointer across series', () => {
    const s = [series('low', [[0, 10], [10, 10], [20, 10]]), series('high', [[0, 50], [10, 60], [20, 50]])];
    const x = linearScale([0, 20], [0, 200]);
    const y = linearScale([0, 100], [100, 0]);
    const tAt = linearScale([0, 200], [0, 20]);
    expect(nearestPoint(s, 98, 42, x, y, tAt)).toEqual({ index: 1, point: [10, 60] });
    expect(nearestPoint(s, 160, 88, x, y, tAt)).toEqual({ index: 0, point: [20, 10] });
    expect(nearestPoint(s, 500, 50, x, y, tAt)?.point[0]).toBe(20);
    expect(nearestPoint([], 1, 1, x, y, tAt)).toBeNull();
  });
});

describe('readMeasurementsView', () => {
  const good = { runId: 3, kind: 'thermal', from: null, to: 5, series: [{ sensor: 'a', unit: '°C', rawCount: 2, points: [[1, 40.5], [2, 41]] }] };
  it('accepts a well-formed answer as it is', () => {
    expect(readMeasurementsView(good)).toBe(good);
  });
  it('names the first field that is wrong', () => {
    const bad = (patch: (v: typeof good) => unknown) => () => readMeasurementsView(patch(structuredClone(good)));
    expect(bad(() => null)).toThrow('(root): expected an object');
    expect(bad((v) => ({ ...v, kind: 'smell' }))).toThrow(/kind: expected one of thermal/);
    expect(bad((v) => ({ ...v, from: '1' }))).toThrow('from: expected a number or null');
    expect(bad((v) => ({ ...v, series: {} }))).toThrow('series: expected an array');
    expect(bad((v) => ({ ...v, series: [{ ...v.series[0], sensor: 7 }] }))).toThrow('series.0.sensor: expected a string');
    expect(bad((v) => ({ ...v, series: [{ ...v.series[0], rawCount: null }] }))).toThrow('series.0.rawCount');
    expect(bad((v) => ({ ...v, series: [{ ...v.series[0], points: [[1, 2], [3]] }] }))).toThrow('series.0.points.1: expected [time, value]');
    expect(bad((v) => ({ ...v, series: [{ ...v.series[0], points: [[1, '2']] }] }))).toThrow('series.0.points.0');
  });
});
