import type { z } from 'zod';
import { formatBytes } from '../format.ts';
import type { PartKind } from '../schema/coverage.ts';
import type { SummaryFieldMeta, SummaryTableMeta } from './define.ts';

// A stage summary as something to draw: facts (label: value), tables (one per
// array of records, one row per part) and nested sections, built by walking the
// stage's summary schema beside the value. The report's HTML, the UI and the OCP
// export all draw from this, so a new stage's results appear everywhere without
// code of their own. Values the schema does not describe are left to the raw
// JSON view; a value that does not match (an older agent's summary) is shown as
// far as it matches, never thrown on.

export type Scalar = string | number | boolean | null;

export interface ViewCell {
  text: string;
  value: Scalar;
  /** Judged against a floor or ceiling the row carries. */
  judged?: 'good' | 'bad';
  /** "≥ 10000", "≤ 5 ms", "< 85 °C": the limit it was judged against. */
  limit?: string;
  /** The same limit as a number and a direction, for exports that carry validators (OCP). */
  limitValue?: number;
  limitKind?: 'floor' | 'ceiling' | 'below';
  unit?: string;
  /** The field is a figure worth exporting and charting (SummaryFieldMeta.measure). */
  measure?: boolean;
  /** A figure's better direction, from its floor, ceiling or `better` mark (measures only). */
  better?: 'higher' | 'lower';
  /** A figure the schema declares a whole number: a count (measures only). */
  integer?: boolean;
  /** How the figure is printed (SummaryFieldMeta.format; measures only). */
  format?: SummaryFieldMeta['format'];
}

export interface ViewColumn {
  key: string;
  label: string;
  unit?: string;
  /** The column of the result this text explains (SummaryFieldMeta.explains). */
  explains?: string;
}

export interface ViewRow {
  cells: Record<string, ViewCell>;
  /** The row's part identity, from the field marked partId. */
  partId?: string;
  /** Where the part sits, from the field marked partLabel. */
  partLabel?: string;
}

export interface ViewTable {
  key: string;
  title: string;
  part?: PartKind;
  /** The rows name parts looked for and not found (SummaryTableMeta.absent). */
  absent?: boolean;
  /** Rows a printout counts instead of listing (SummaryTableMeta.routine). */
  routine?: { field: string; values: string[] };
  columns: ViewColumn[];
  rows: ViewRow[];
}

export interface ViewFact {
  key: string;
  label: string;
  cell: ViewCell;
}

export interface ViewList {
  key: string;
  title: string;
  items: string[];
}

export interface SummaryView {
  facts: ViewFact[];
  lists: ViewList[];
  tables: ViewTable[];
  sections: { key: string; title: string; view: SummaryView }[];
}

type Meta = SummaryFieldMeta & SummaryTableMeta;
type AnySchema = z.ZodType;

interface Unwrapped {
  schema: AnySchema;
  meta: Meta;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function defOf(s: AnySchema): { type: string; [k: string]: unknown } {
  return (s as unknown as { _zod: { def: { type: string; [k: string]: unknown } } })._zod.def;
}

function metaOf(s: AnySchema): Meta {
  return ((s as unknown as { meta?: () => unknown }).meta?.() as Meta | undefined) ?? {};
}

/** Strips optional/nullable/default wrappers (and picks a union's matching branch), merging their annotations, outer first. */
function unwrap(schema: AnySchema, value: unknown): Unwrapped {
  let s = schema;
  let meta: Meta = {};
  for (let i = 0; i < 16; i++) {
    meta = { ...metaOf(s), ...meta };
    const def = defOf(s);
    if (WRAPPERS.has(def.type)) s = def.innerType as AnySchema;
    else if (def.type === 'pipe') s = def.out as AnySchema;
    else if (def.type === 'union') {
      const options = def.options as AnySchema[];
      s = options.find((o) => o.safeParse(value).success) ?? options.find((o) => defOf(o).type === 'object') ?? options[0]!;
    } else break;
  }
  return { schema: s, meta };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "peakTempsC" → "Peak temps C": a readable label for an unannotated field. */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function groupThousands(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

export function formatNumber(n: number, meta: Pick<Meta, 'format' | 'unit'> = {}): string {
  if (!Number.isFinite(n)) return String(n);
  switch (meta.format) {
    case 'bytes':
      return formatBytes(n);
    case 'percent':
      return `${n.toFixed(1)} %`;
    case 'fraction-percent':
      return `${(n * 100).toFixed(1)} %`;
    case 'seconds':
      return `${groupThousands(Math.round(n * 10) / 10)} s`;
    case 'plain':
      return String(n);
  }
  const text = Number.isInteger(n) ? groupThousands(n) : Math.abs(n) >= 100 ? groupThousands(Math.round(n)) : groupThousands(Number(n.toFixed(2)));
  return meta.unit ? `${text} ${meta.unit}` : text;
}

function scalarText(v: unknown, meta: Meta): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return formatNumber(v, meta);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map((x) => (isRecord(x) ? JSON.stringify(x) : scalarText(x, {}))).join('; ');
  return JSON.stringify(v);
}

function asScalar(v: unknown): Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === undefined ? null : JSON.stringify(v);
}

/** A cell for `value`, judged against the floor / ceiling its sibling `row` holds. */
function cellFor(value: unknown, meta: Meta, row: Record<string, unknown>, schema?: AnySchema): ViewCell {
  const cell: ViewCell = { text: scalarText(value, meta), value: asScalar(value) };
  if (meta.unit) cell.unit = meta.unit;
  if (meta.measure) {
    cell.measure = true;
    // What a change since the part's previous run means (common/part-changes.ts).
    const better = meta.better ?? (meta.floor ? 'higher' : meta.ceiling ? 'lower' : undefined);
    if (better) cell.better = better;
    if (schema && (schema as unknown as { isInt?: boolean }).isInt === true) cell.integer = true;
    if (meta.format) cell.format = meta.format;
  }
  const limitKey = meta.floor ?? meta.ceiling;
  const limit = limitKey ? row[limitKey] : undefined;
  if (typeof value === 'number' && typeof limit === 'number') {
    const floor = meta.floor !== undefined;
    const below = !floor && meta.below === true;
    cell.judged = (floor ? value >= limit : below ? value < limit : value <= limit) ? 'good' : 'bad';
    cell.limit = `${floor ? '≥' : below ? '<' : '≤'} ${formatNumber(limit, meta)}`;
    cell.limitValue = limit;
    cell.limitKind = floor ? 'floor' : below ? 'below' : 'ceiling';
  }
  return cell;
}

function kindOf(schema: AnySchema): string {
  return defOf(schema).type;
}

function objectShape(schema: AnySchema): Record<string, AnySchema> | null {
  return kindOf(schema) === 'object' ? ((schema as unknown as { shape: Record<string, AnySchema> }).shape ?? null) : null;
}

function elementOf(schema: AnySchema): AnySchema | null {
  return kindOf(schema) === 'array' ? ((defOf(schema).element as AnySchema | undefined) ?? null) : null;
}

/** One table from an array of records: scalar fields become columns, a nested record's scalar fields too. */
function tableFor(key: string, meta: Meta, element: AnySchema, rows: unknown[]): ViewTable {
  const columns: ViewColumn[] = [];
  const viewRows: ViewRow[] = rows.filter(isRecord).map(() => ({ cells: {} }));
  const records = rows.filter(isRecord);
  const addColumns = (shape: Record<string, AnySchema>, path: string[], prefix: string) => {
    for (const [field, fieldSchema] of Object.entries(shape)) {
      const sample = records.map((r) => path.reduce<unknown>((o, p) => (isRecord(o) ? o[p] : undefined), r)).find(isRecord);
      const { schema, meta: m } = unwrap(fieldSchema, sample?.[field]);
      if (m.hidden) continue;
      const inner = objectShape(schema);
      if (inner && path.length === 0) {
        addColumns(inner, [field], m.title ?? humanize(field));
        continue;
      }
      if (inner) continue; // deeper than one level: raw JSON only
      const columnKey = [...path, field].join('.');
      const label = m.title ?? humanize(field);
      let any = false;
      records.forEach((r, i) => {
        const holder = path.reduce<unknown>((o, p) => (isRecord(o) ? o[p] : undefined), r);
        if (!isRecord(holder)) return;
        const v = holder[field];
        if (v !== undefined) any = true;
        viewRows[i]!.cells[columnKey] = cellFor(v, m, holder, schema);
        if (m.partId && typeof v === 'string') viewRows[i]!.partId = v;
        if (m.partLabel && typeof v === 'string') viewRows[i]!.partLabel = v;
      });
      const explains = m.explains ? [...path, m.explains].join('.') : undefined;
      if (any) columns.push({ key: columnKey, label: prefix && columns.some((c) => c.label === label) ? `${prefix}: ${label}` : label, ...(m.unit ? { unit: m.unit } : {}), ...(explains ? { explains } : {}) });
    }
  };
  const shape = objectShape(unwrap(element, records[0]).schema);
  if (shape) addColumns(shape, [], '');
  return { key, title: meta.title ?? humanize(key), ...(meta.part ? { part: meta.part } : {}), ...(meta.absent ? { absent: true } : {}), ...(meta.routine ? { routine: meta.routine } : {}), columns, rows: viewRows };
}

export function summaryView(schema: AnySchema, value: unknown): SummaryView {
  const view: SummaryView = { facts: [], lists: [], tables: [], sections: [] };
  const { schema: root } = unwrap(schema, value);
  const shape = objectShape(root);
  if (!shape || !isRecord(value)) return view;
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const v = value[key];
    if (v === undefined) continue;
    const { schema: s, meta } = unwrap(fieldSchema, v);
    if (meta.hidden) continue;
    const title = meta.title ?? humanize(key);
    const element = elementOf(s);
    if (element && Array.isArray(v)) {
      const elementKind = kindOf(unwrap(element, v[0]).schema);
      if (elementKind === 'object') {
        if (v.length > 0) view.tables.push(tableFor(key, meta, element, v));
      } else if (v.length > 0) {
        view.lists.push({ key, title, items: v.map((x) => scalarText(x, meta)) });
      }
      continue;
    }
    if (objectShape(s) && isRecord(v)) {
      view.sections.push({ key, title, view: summaryView(s, v) });
      continue;
    }
    if (kindOf(s) === 'record' && isRecord(v)) {
      view.sections.push({ key, title, view: { facts: Object.entries(v).map(([k, x]) => ({ key: `${key}.${k}`, label: k, cell: cellFor(x, meta, {}) })), lists: [], tables: [], sections: [] } });
      continue;
    }
    view.facts.push({ key, label: title, cell: cellFor(v, meta, value, s) });
  }
  return view;
}

/** Whether a view has anything to draw. */
export function isEmptyView(v: SummaryView): boolean {
  return v.facts.length === 0 && v.lists.length === 0 && v.tables.length === 0 && v.sections.every((s) => isEmptyView(s.view));
}
