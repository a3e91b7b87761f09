import { partChangeKey } from '../../../common/part-changes.ts';
import type { ComponentHistoryView, HostPartsView, PartChangeView, RunPartChangesView } from '../../../common/schema/api.ts';
import { STAGE_NAMES } from '../../../common/stages/index.ts';

// History per part as the UI shows it: a run's changes found by the row that names the
// part, a part's figures as one trend per figure, and a host's swapped parts in words.
// The server words each change (common/part-changes.ts); nothing here judges a figure.

/** Finds a stage's part change by the part a summary row names (ids compared like the verdict compares them). */
export type PartChangeLookup = (stage: string, kind: string, partId: string) => PartChangeView | undefined;

export function partChangeLookup(view: RunPartChangesView | undefined): PartChangeLookup {
  const byKey = new Map((view?.parts ?? []).map((p) => [partChangeKey(p.stage, p.kind, p.id), p]));
  return (stage, kind, partId) => byKey.get(partChangeKey(stage, kind, partId));
}

/** The line a part's change cell leads with when no figure changed. */
export function noChangeText(change: PartChangeView): string | null {
  if (!change.previous) return 'not measured here before';
  if (change.changes.length === 0) return `no change since run ${change.previous.runId}`;
  return null;
}

export interface TrendPoint {
  runId: number;
  at: string;
  value: number;
}

/** One figure of one stage across the part's runs, oldest first. */
export interface TrendSeries {
  id: string;
  stage: string;
  key: string;
  label: string;
  unit: string | null;
  points: TrendPoint[];
}

/**
 * A trend per numeric figure, stage by stage: each run's
 * latest attempt of the stage gives one point (a retry replaces the attempt before it).
 */
export function trendSeries(history: ComponentHistoryView): TrendSeries[] {
  const series = new Map<string, TrendSeries>();
  const seen = new Set<string>();
  // Entries come newest first, the latest attempt of a run's stage before its earlier ones.
  for (const e of history.entries) {
    const attempt = `${e.runId}|${e.stage}`;
    if (seen.has(attempt)) continue;
    seen.add(attempt);
    for (const f of e.figures) {
      if (typeof f.value !== 'number') continue;
      const id = `${e.stage}|${f.key}`;
      let s = series.get(id);
      if (!s) series.set(id, (s = { id, stage: e.stage, key: f.key, label: f.label, unit: f.unit ?? null, points: [] }));
      s.points.push({ runId: e.runId, at: e.at, value: f.value });
    }
  }
  // Stage by stage in run order, each stage's figures in its schema's order.
  const order = (stage: string) => STAGE_NAMES.indexOf(stage as (typeof STAGE_NAMES)[number]);
  return [...series.values()].map((s) => ({ ...s, points: s.points.reverse() })).sort((a, b) => order(a.stage) - order(b.stage));
}

/** One run per row of a part's page: its stages' figures side by side, newest run first. */
export interface PartRunRow {
  runId: number;
  host: string;
  at: string;
  runResult: ComponentHistoryView['entries'][number]['runResult'];
  label: string | null;
  stages: { stage: string; attempt: number; outcome: string | null }[];
}

export function partRuns(history: ComponentHistoryView): PartRunRow[] {
  const rows = new Map<number, PartRunRow>();
  for (const e of history.entries) {
    let row = rows.get(e.runId);
    if (!row) rows.set(e.runId, (row = { runId: e.runId, host: e.host, at: e.at, runResult: e.runResult, label: e.label, stages: [] }));
    row.label ??= e.label;
    // Entries of a run come latest stage first: the run's rows read in stage order.
    if (!row.stages.some((s) => s.stage === e.stage)) row.stages.unshift({ stage: e.stage, attempt: e.attempt, outcome: e.outcome });
  }
  return [...rows.values()];
}

/** "Run 12 against run 9: parts swapped — 1 appeared, 1 gone." */
export function swapSummary(view: HostPartsView): string {
  if (view.latestRun === null) return 'No run of this host has named its parts yet.';
  if (view.previousRun === null) return `As run ${view.latestRun} found them; there is no earlier run of this host to compare with.`;
  const appeared = view.parts.filter((p) => p.change === 'appeared').length;
  const gone = view.parts.filter((p) => p.change === 'gone').length;
  const against = `Run ${view.latestRun} against run ${view.previousRun}`;
  if (appeared === 0 && gone === 0) return `${against}: the same parts, none swapped.`;
  const words = [appeared ? `${appeared} appeared` : null, gone ? `${gone} gone` : null].filter(Boolean);
  return `${against}: parts swapped — ${words.join(', ')}.`;
}

/** A part kind as a heading names it. */
export const PART_NAMES: Record<string, string> = {
  system: 'System',
  cpu: 'CPU',
  memory: 'Memory',
  dimm: 'DIMM',
  disk: 'Disk',
  nic: 'NIC',
  gpu: 'GPU',
  psu: 'PSU rail',
  sensor: 'Sensor',
  bmc: 'BMC',
  pci: 'PCI function',
};
