import type { FigureChangeView } from './schema/api.ts';
import type { PartKind } from './schema/coverage.ts';
import { formatNumber, type SummaryView, type ViewCell, type ViewRow, type ViewTable } from './stages/summary-view.ts';
import { partIdKey } from './verdict.ts';

// What changed on a part since its previous run on this bench, figure by figure, from the
// stage schemas alone: the figures are the fields marked `measure: true`, and which way
// is worse is said only where the schema says which way is better (a floor: higher, a
// ceiling: lower, or an explicit `better`); anything else is shown as a plain change.
// The run page, the printed report and the API all word a change with this module.

/** A figure a part has now: the summary view's cell and its column's label. */
export interface FigureNow {
  label: string;
  cell: ViewCell;
}

/** A figure as the component history keeps it (electron/node/store/components.ts StoredFigure). */
export interface FigureBefore {
  value: number | boolean;
  label: string;
  unit?: string;
}

/** One part named in a summary's tables, with the figures measured on it. */
export interface MeasuredPart {
  kind: PartKind;
  /** The id as the stage named it. */
  id: string;
  /** The id as compared (common/verdict.ts partIdKey). */
  key: string;
  figures: Record<string, FigureNow>;
}

/** Every table of a view that names parts it found (not those it looked for and missed), nested sections' too. */
export function partTables(view: SummaryView): ViewTable[] {
  return [...view.tables.filter((t) => t.part && !t.absent), ...view.sections.flatMap((s) => partTables(s.view))];
}

/** The figures a row holds: its measured numbers and yes/no values, keyed as the history keys them. */
export function rowFigures(table: ViewTable, row: ViewRow): Record<string, FigureNow> {
  const labels = new Map(table.columns.map((c) => [c.key, c.label]));
  const out: Record<string, FigureNow> = {};
  for (const [key, cell] of Object.entries(row.cells)) {
    if (!cell.measure || (typeof cell.value !== 'number' && typeof cell.value !== 'boolean')) continue;
    out[key] = { label: labels.get(key) ?? key, cell };
  }
  return out;
}

/** The parts a summary view names, once each (a part in two tables of one summary: its figures together). */
export function measuredParts(view: SummaryView): MeasuredPart[] {
  const out = new Map<string, MeasuredPart>();
  for (const table of partTables(view)) {
    for (const row of table.rows) {
      const id = row.partId?.trim();
      if (!id) continue;
      const key = partIdKey(id);
      const at = `${table.part}|${key}`;
      const figures = rowFigures(table, row);
      const seen = out.get(at);
      if (seen) Object.assign(seen.figures, figures);
      else out.set(at, { kind: table.part!, id, key, figures });
    }
  }
  return [...out.values()];
}

/** −18 %, +4.2 %, −0.35 %: a true minus sign, as many digits as say something. */
export function percentText(p: number): string {
  const abs = Math.abs(p);
  const digits = abs >= 10 ? abs.toFixed(0) : abs >= 1 ? abs.toFixed(1) : abs.toFixed(2);
  return `${p < 0 ? '−' : '+'}${digits} %`;
}

function valueText(v: number | boolean, cell: ViewCell): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  // The unit is printed once, after both values; a format carries its own.
  return formatNumber(v, cell.format ? { format: cell.format } : {});
}

/** One figure's change, or null when it is the same. */
export function figureChange(key: string, now: FigureNow, before: FigureBefore): FigureChangeView | null {
  const after = now.cell.value;
  if ((typeof after !== 'number' && typeof after !== 'boolean') || typeof after !== typeof before.value || after === before.value) return null;
  const unit = now.cell.unit ?? before.unit;
  const arrow = `${valueText(before.value, now.cell)} → ${valueText(after, now.cell)}${unit && !now.cell.format ? ` ${unit}` : ''}`;
  const numbers = typeof after === 'number' && typeof before.value === 'number';
  const delta = numbers ? (after as number) - (before.value as number) : null;
  // A performance figure judged against a limit (IOPS, p99, goodput) reads best as a relative change;
  // a count (reallocated sectors, bad blocks) as the two counts.
  const percent = numbers && now.cell.better && !now.cell.integer && before.value !== 0 ? (delta! / Math.abs(before.value as number)) * 100 : null;
  const direction = numbers && now.cell.better ? ((delta! > 0) === (now.cell.better === 'higher') ? 'better' : 'worse') : null;
  const text = percent !== null ? `${now.label} ${percentText(percent)}` : `${now.label} ${arrow}`;
  const detail = `${now.label} ${arrow}${percent !== null ? ` (${percentText(percent)})` : ''}`;
  return { key, label: now.label, ...(unit ? { unit } : {}), before: before.value, after, delta, percent, direction, text, detail };
}

/** The figures measured both now and before: those that changed (in the schema's order) and how many did not. */
export function compareFigures(now: Record<string, FigureNow>, before: Record<string, FigureBefore>): { changes: FigureChangeView[]; unchanged: number } {
  const changes: FigureChangeView[] = [];
  let unchanged = 0;
  for (const [key, figure] of Object.entries(now)) {
    const prior = before[key];
    if (!prior) continue;
    const change = figureChange(key, figure, prior);
    if (change) changes.push(change);
    else if (typeof figure.cell.value === typeof prior.value) unchanged++;
  }
  return { changes, unchanged };
}

/** Where a part's change is found: its stage, kind and compared id. */
export function partChangeKey(stage: string, kind: string, id: string): string {
  return `${stage}|${kind}|${partIdKey(id)}`;
}
