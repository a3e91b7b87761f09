// Stage summaries are stage-specific JSON (docs/stages.md). The UI reads them
// defensively: every array of records becomes a table (SMART per disk, fio per
// disk, iperf3 per NIC …), scalar fields become a key/value list, and anything
// else is left to the raw-JSON view. Floors are recognised by name so a value can
// be shown against the limit it had to meet.

export type Scalar = string | number | boolean | null;

export interface SummaryTable {
  title: string;
  columns: string[];
  rows: Record<string, Scalar>[];
}

export interface ReadSummary {
  facts: [string, Scalar][];
  tables: SummaryTable[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** Flattens one level of nesting: {floor: {minIops: 5}} → {"floor.minIops": 5}. Deeper values are skipped. */
export function flattenRecord(record: Record<string, unknown>): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(record)) {
    if (isScalar(v)) out[k] = v;
    else if (isRecord(v)) {
      for (const [k2, v2] of Object.entries(v)) if (isScalar(v2)) out[`${k}.${k2}`] = v2;
    } else if (Array.isArray(v) && v.every(isScalar) && v.length <= 8) out[k] = v.join(', ');
  }
  return out;
}

export function readSummary(summary: unknown): ReadSummary {
  if (!isRecord(summary)) return { facts: [], tables: [] };
  const facts: [string, Scalar][] = [];
  const tables: SummaryTable[] = [];
  for (const [key, value] of Object.entries(summary)) {
    if (isScalar(value)) facts.push([key, value]);
    else if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
      const rows = value.map(flattenRecord);
      const columns: string[] = [];
      for (const row of rows) for (const c of Object.keys(row)) if (!columns.includes(c)) columns.push(c);
      tables.push({ title: key, columns, rows });
    } else if (isRecord(value)) {
      // A map keyed by disk/NIC name whose values are records is a table too.
      const entries = Object.entries(value);
      if (entries.length > 0 && entries.every(([, v]) => isRecord(v))) {
        const rows = entries.map(([name, v]) => ({ name, ...flattenRecord(v as Record<string, unknown>) }));
        const columns: string[] = [];
        for (const row of rows) for (const c of Object.keys(row)) if (!columns.includes(c)) columns.push(c);
        tables.push({ title: key, columns, rows });
      } else {
        for (const [k2, v2] of entries) if (isScalar(v2)) facts.push([`${key}.${k2}`, v2]);
      }
    }
  }
  return { facts, tables };
}

/** A value against its floor or ceiling when a row names one: minIops/iops, maxP99Ms/p99Ms, floorMbps/mbps. */
export interface Judged {
  column: string;
  limitColumn: string;
  kind: 'floor' | 'ceiling';
}

const LIMIT_PREFIXES: [RegExp, 'floor' | 'ceiling'][] = [
  [/^(?:floor\.)?(?:min|floor)(.+)$/i, 'floor'],
  [/^(?:floor\.|ceiling\.)?(?:max|ceiling)(.+)$/i, 'ceiling'],
];

/** Finds column pairs like (iops, minIops) or (p99Ms, floor.maxP99Ms) in a table. */
export function judgedColumns(columns: readonly string[]): Judged[] {
  const found: Judged[] = [];
  for (const limitColumn of columns) {
    for (const [re, kind] of LIMIT_PREFIXES) {
      const m = re.exec(limitColumn.replace(/^floors?\./i, 'floor.'));
      if (!m?.[1]) continue;
      const base = m[1].toLowerCase();
      const column = columns.find((c) => c !== limitColumn && c.toLowerCase().replace(/^.*\./, '') === base);
      if (column) found.push({ column, limitColumn, kind });
    }
  }
  return found;
}

export function meetsLimit(value: Scalar | undefined, limit: Scalar | undefined, kind: 'floor' | 'ceiling'): boolean | null {
  if (typeof value !== 'number' || typeof limit !== 'number') return null;
  return kind === 'floor' ? value >= limit : value <= limit;
}
