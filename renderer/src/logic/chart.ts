import type { MeasurementsView, StageView } from '../../../common/schema/api.ts';
import { MEASUREMENT_KINDS } from '../../../common/schema/protocol.ts';
import { parseTime } from './format.ts';

// Chart helpers: stage windows to zoom to, series grouped by unit, colours.

export interface TimeWindow {
  from: number;
  to: number;
}

/** One zoom window per stage that started: its latest attempt, up to its completion or now. */
export function chartWindows(stages: readonly StageView[], now: number): (TimeWindow & { stage: string })[] {
  const latest = new Map<string, StageView>();
  for (const s of stages) {
    const prev = latest.get(s.name);
    if (!prev || s.attempt >= prev.attempt) latest.set(s.name, s);
  }
  const out: (TimeWindow & { stage: string })[] = [];
  for (const s of latest.values()) {
    const from = parseTime(s.startedAt);
    if (from === null) continue;
    const to = parseTime(s.completedAt) ?? now;
    // A stage that took no time still gets a window a person can see.
    out.push({ stage: s.name, from, to: Math.max(to, from + 1000) });
  }
  return out.sort((a, b) => a.from - b.from);
}

export function groupByUnit(series: MeasurementsView['series']): { unit: string; series: MeasurementsView['series'] }[] {
  const groups = new Map<string, MeasurementsView['series']>();
  for (const s of series) {
    const unit = s.unit || '';
    groups.set(unit, [...(groups.get(unit) ?? []), s]);
  }
  return [...groups.entries()].map(([unit, list]) => ({ unit, series: list }));
}

// Ten colours that stay apart for most colour vision; lines past ten are dashed too.
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Time-axis labels fit for the span shown: tenths of seconds for a burst, dates for days. */
export function timeTickFormatter(spanMs: number): (t: number) => string {
  return (t: number) => {
    const d = new Date(t);
    const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    if (spanMs < 20_000) return `${pad(d.getMinutes())}:${pad(d.getSeconds())}.${Math.floor(d.getMilliseconds() / 100)}`;
    if (spanMs > 36 * 3_600_000) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
    if (spanMs > 3 * 3_600_000) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return hms;
  };
}

/**
 * 345600 → "345,600". Not toLocaleString: its first call in a page loads the
 * locale data, tens of milliseconds spent just as the chart is about to paint.
 */
export function groupThousands(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** Value-axis labels: four significant digits at most, no trailing zeros. */
export function valueTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  return String(Number(v.toPrecision(4)));
}

// ---- drawing: scales, ticks, paths and hover lookup for the SVG chart ----

/** A linear map from a data interval onto a pixel interval (a zero-width domain maps to the middle). */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v: number) => r0 + (v - d0) * k;
}

/** Smallest and largest time and value over every point (null when there are none). */
export function seriesExtent(series: MeasurementsView['series']): { t: [number, number]; v: [number, number] } | null {
  let t0 = Infinity;
  let t1 = -Infinity;
  let v0 = Infinity;
  let v1 = -Infinity;
  // An indexed loop: it runs once per chart on cold (not yet optimised) code, where
  // destructuring each point through the iterator protocol costs milliseconds.
  for (const s of series) {
    const pts = s.points;
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!;
      const t = p[0];
      const v = p[1];
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
  }
  return t0 <= t1 ? { t: [t0, t1], v: [v0, v1] } : null;
}

/**
 * About `count` round value ticks (steps of 1, 2 or 5 × 10^n) covering
 * [min, max], and the domain widened to the outer ticks so the lines never
 * touch the frame.
 */
export function niceTicks(min: number, max: number, count = 5): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { domain: [0, 1], ticks: [0, 1] };
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.05 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's precision so 0.1 + 0.2 prints as 0.3.
  for (let i = 0; lo + i * step <= hi + step / 2; i++) ticks.push(Number((lo + i * step).toPrecision(12)));
  return { domain: [lo, hi], ticks };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TIME_STEPS = [1, 2, 5, 10, 15, 30].map((s) => s * SECOND).concat([1, 2, 5, 10, 15, 30].map((m) => m * MINUTE), [1, 2, 3, 6, 12, 24, 48].map((h) => h * HOUR));

/**
 * Time ticks at round local-clock instants (every 5 min, 1 h, 6 h…), at most
 * `maxCount` of them across [from, to].
 */
export function timeTicks(from: number, to: number, maxCount: number): number[] {
  if (!(to > from) || maxCount < 1) return Number.isFinite(from) ? [from] : [];
  const step = TIME_STEPS.find((s) => (to - from) / s <= maxCount) ?? Math.ceil((to - from) / maxCount / HOUR) * HOUR;
  // Align to the local clock: a tick every 6 h falls on 00, 06, 12, 18 local time.
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((from - offset) / step) * step + offset;
  const out: number[] = [];
  for (let t = first; t <= to; t += step) out.push(t);
  return out;
}

/**
 * A pixel coordinate to a tenth, as text: `Math.round(v * 10) / 10` printed,
 * but through integers, which print several times faster than a fraction
 * (a long run's lines print tens of thousands of them on a cold page).
 */
export function tenths(v: number): string {
  const n = Math.round(v * 10);
  const a = n < 0 ? -n : n;
  const whole = Math.floor(a / 10);
  const tenth = a - whole * 10;
  return (n < 0 ? '-' : '') + whole + (tenth ? '.' + tenth : '');
}

/** An SVG path through the points (pixel coordinates to a tenth of a pixel). */
export function linePath(points: readonly (readonly [number, number])[], x: (t: number) => number, y: (v: number) => number): string {
  if (points.length === 0) return '';
  let d = '';
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    d += (i === 0 ? 'M' : 'L') + tenths(x(p[0])) + ',' + tenths(y(p[1]));
  }
  return d;
}

/**
 * The drawn point closest to the pointer (in pixels) over every series: each
 * series is searched by time (its points are in time order) and only the
 * points either side of the pointer's time are compared.
 */
export function nearestPoint(
  series: MeasurementsView['series'],
  px: number,
  py: number,
  x: (t: number) => number,
  y: (v: number) => number,
  tAt: (px: number) => number,
): { index: number; point: [number, number] } | null {
  const t = tAt(px);
  let best: { index: number; point: [number, number] } | null = null;
  let bestD = Infinity;
  for (let index = 0; index < series.length; index++) {
    const pts = series[index]!.points;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]![0] < t) lo = mid + 1;
      else hi = mid;
    }
    for (const i of [lo - 1, lo]) {
      const p = pts[i];
      if (!p) continue;
      const d = (x(p[0]) - px) ** 2 + (y(p[1]) - py) ** 2;
      if (d < bestD) (bestD = d), (best = { index, point: p });
    }
  }
  return best;
}

/**
 * Checks a measurements answer against the MeasurementsView shape, as
 * strictly as its zod schema but in one plain pass: a chart's answer holds
 * tens of thousands of [time, value] pairs (hundreds of thousands unreduced),
 * and the generic validator costs more than drawing them. Throws naming the
 * first field that is wrong.
 */
export function readMeasurementsView(data: unknown): MeasurementsView {
  const fail = (where: string, what: string): never => {
    throw new Error(`Unexpected measurements answer: ${where}: ${what}`);
  };
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('(root)', 'expected an object');
  const d = data as Record<string, unknown>;
  if (!isNum(d.runId)) fail('runId', 'expected a number');
  if (typeof d.kind !== 'string' || !(MEASUREMENT_KINDS as readonly string[]).includes(d.kind)) fail('kind', `expected one of ${MEASUREMENT_KINDS.join(', ')}`);
  for (const k of ['from', 'to'] as const) if (d[k] !== null && !isNum(d[k])) fail(k, 'expected a number or null');
  if (!Array.isArray(d.series)) return fail('series', 'expected an array');
  d.series.forEach((s: unknown, i) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return fail(`series.${i}`, 'expected an object');
    const r = s as Record<string, unknown>;
    if (typeof r.sensor !== 'string') fail(`series.${i}.sensor`, 'expected a string');
    if (typeof r.unit !== 'string') fail(`series.${i}.unit`, 'expected a string');
    if (!isNum(r.rawCount)) fail(`series.${i}.rawCount`, 'expected a number');
    if (!Array.isArray(r.points)) return fail(`series.${i}.points`, 'expected an array');
    const pts = r.points as unknown[];
    for (let j = 0; j < pts.length; j++) {
      const p = pts[j];
      if (!Array.isArray(p) || p.length !== 2 || !isNum(p[0]) || !isNum(p[1])) fail(`series.${i}.points.${j}`, 'expected [time, value], two numbers');
    }
  });
  return data as MeasurementsView;
}
