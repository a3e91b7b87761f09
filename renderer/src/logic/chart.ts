import type { MeasurementsView, StageView } from '../../../common/schema/api.ts';
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

/** Value-axis labels: four significant digits at most, no trailing zeros. */
export function valueTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  return String(Number(v.toPrecision(4)));
}

/** Time span covered by the series (or the zoom window when one is chosen). */
export function seriesSpan(series: MeasurementsView['series'], zoom: TimeWindow | null): number {
  if (zoom) return zoom.to - zoom.from;
  let min = Infinity;
  let max = -Infinity;
  for (const s of series)
    for (const [t] of s.points) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
  return max > min ? max - min : 0;
}
