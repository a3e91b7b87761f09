import type { InventoryGpu } from '../../common/schema/inventory.ts';
import { ParseError } from './parse-error.ts';

// nvidia-smi (driver 580, captured on an H100: fixtures/tool-outputs/gpu-h100, made by
// scripts/capture-gpu-fixtures.sh). Three forms:
//  - `nvidia-smi --query-gpu=<NVIDIA_SMI_QUERY_FIELDS> --format=csv,noheader,nounits`
//  - `nvidia-smi dmon -s pucvmet -d 1` (two "#" header lines, then one row per GPU per tick)
//  - `nvidia-smi -q` / `-q -d ECC,TEMPERATURE,POWER,PAGE_RETIREMENT,ROW_REMAPPER`
//    (an indented "Key : Value" tree, one "GPU <bus id>" section per GPU)
// "[N/A]", "N/A" and "[Not Supported]" become null.

const TOOL = 'nvidia-smi';

/** The --query-gpu field list the GPU stage uses (the one the H100 fixture was captured with). */
export const NVIDIA_SMI_QUERY_FIELDS = [
  'index', 'name', 'uuid', 'serial', 'pci.bus_id', 'driver_version', 'vbios_version', 'memory.total',
  'temperature.gpu', 'temperature.memory', 'power.draw', 'power.limit', 'utilization.gpu', 'clocks.sm',
  'ecc.mode.current', 'ecc.errors.corrected.volatile.total', 'ecc.errors.uncorrected.volatile.total',
  'ecc.errors.uncorrected.aggregate.total', 'retired_pages.pending', 'clocks_throttle_reasons.active',
] as const;
export const NVIDIA_SMI_QUERY_ARGS = [`--query-gpu=${NVIDIA_SMI_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];

function nullish(v: string): string | null {
  const t = v.trim();
  if (t === '' || /^\[?(N\/A|Not Supported|Unknown Error|Insufficient Permissions)\]?$/i.test(t)) return null;
  return t;
}

/** One record per GPU, keyed by the requested field names; values are strings or null. */
export function parseNvidiaSmiQueryCsv(text: string, fields: readonly string[]): Record<string, string | null>[] {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (fields.length === 0) throw new ParseError(TOOL, 'no query fields given');
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (rows.length === 0) throw new ParseError(TOOL, 'query output is empty');
  return rows.map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== fields.length) {
      throw new ParseError(TOOL, `query row ${i + 1} has ${cells.length} values for ${fields.length} fields: "${line.slice(0, 160)}"`);
    }
    const rec: Record<string, string | null> = {};
    fields.forEach((f, j) => {
      rec[f] = nullish(cells[j] ?? '');
    });
    return rec;
  });
}

/** A numeric query value, or null ("[N/A]", missing, not a number). */
export function queryNumber(rec: Record<string, string | null>, field: string): number | null {
  const v = rec[field];
  if (v == null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** One GPU from the query: the columns the agent reads, typed. */
export interface GpuQueryRow {
  index: number;
  name: string;
  uuid: string | null;
  serial: string | null;
  busId: string | null;
  memoryMiB: number | null;
  temperatureC: number | null;
  powerW: number | null;
  eccMode: string | null;
  eccCorrectedVolatile: number | null;
  eccUncorrectedVolatile: number | null;
  eccUncorrectedAggregate: number | null;
  retiredPagesPending: string | null;
}

/** Parses `nvidia-smi ${NVIDIA_SMI_QUERY_ARGS}` into typed rows; empty output means no GPU. */
export function parseGpuQuery(text: string): GpuQueryRow[] {
  if (typeof text === 'string' && !text.trim()) return [];
  return parseNvidiaSmiQueryCsv(text, NVIDIA_SMI_QUERY_FIELDS).map((r, i) => {
    const index = queryNumber(r, 'index');
    const name = r.name ?? null;
    if (index === null || !name) throw new ParseError(TOOL, `query row ${i + 1} has no index or name`);
    return {
      index,
      name,
      uuid: r.uuid ?? null,
      serial: r.serial ?? null,
      busId: r['pci.bus_id'] ?? null,
      memoryMiB: queryNumber(r, 'memory.total'),
      temperatureC: queryNumber(r, 'temperature.gpu'),
      powerW: queryNumber(r, 'power.draw'),
      eccMode: r['ecc.mode.current'] ?? null,
      eccCorrectedVolatile: queryNumber(r, 'ecc.errors.corrected.volatile.total'),
      eccUncorrectedVolatile: queryNumber(r, 'ecc.errors.uncorrected.volatile.total'),
      eccUncorrectedAggregate: queryNumber(r, 'ecc.errors.uncorrected.aggregate.total'),
      retiredPagesPending: r['retired_pages.pending'] ?? null,
    };
  });
}

/** Inventory entry from a query row. */
export function gpuFromQueryRow(row: GpuQueryRow): InventoryGpu {
  return { model: row.name, serial: row.serial, uuid: row.uuid, busId: row.busId, memoryMiB: row.memoryMiB };
}

export interface DmonSample {
  /** Column name → value (MHz, W, °C, %, MB …, per the units line); "-" → null. */
  [column: string]: number | null;
}

export interface DmonResult {
  columns: string[];
  units: string[];
  samples: DmonSample[];
}

export function parseNvidiaSmiDmon(text: string): DmonResult {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  let columns: string[] = [];
  let units: string[] = [];
  const samples: DmonSample[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const cells = line.slice(1).trim().split(/\s+/);
      // dmon repeats its two header lines; the first names columns, the second gives units.
      if (cells[0] === 'gpu') columns = cells;
      else if (cells[0] === 'Idx') units = cells;
      continue;
    }
    if (columns.length === 0) throw new ParseError(TOOL, `dmon line ${i + 1} comes before the "# gpu …" header`);
    const cells = line.split(/\s+/);
    if (cells.length !== columns.length) {
      throw new ParseError(TOOL, `dmon line ${i + 1} has ${cells.length} values for ${columns.length} columns (truncated?)`);
    }
    const sample: DmonSample = {};
    columns.forEach((c, j) => {
      const v = cells[j] ?? '-';
      const n = Number(v);
      sample[c] = v === '-' || !Number.isFinite(n) ? null : n;
    });
    samples.push(sample);
  }
  if (columns.length === 0) throw new ParseError(TOOL, 'dmon output has no "# gpu …" header');
  return { columns, units, samples };
}

/** The hottest GPU temperature and the most double-bit ECC errors any dmon sample showed. */
export function dmonPeaks(d: DmonResult): { maxTempC: number | null; maxEccDbe: number | null; samples: number } {
  let maxTempC: number | null = null;
  let maxEccDbe: number | null = null;
  for (const s of d.samples) {
    const t = s.gtemp ?? null;
    if (t !== null) maxTempC = Math.max(maxTempC ?? t, t);
    const dbe = s.dbecc ?? null;
    if (dbe !== null) maxEccDbe = Math.max(maxEccDbe ?? dbe, dbe);
  }
  return { maxTempC, maxEccDbe, samples: d.samples.length };
}

/** The -q text as a tree: leaves are strings, sections are nested objects. */
export interface SmiTree {
  [key: string]: string | SmiTree;
}

export function parseNvidiaSmiQTree(text: string): SmiTree {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  const root: SmiTree = {};
  const stack: { indent: number; node: SmiTree }[] = [{ indent: -1, node: root }];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || /^=+NVSMI LOG=+$/.test(raw.trim())) continue;
    const indent = raw.length - raw.trimStart().length;
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!.node;
    const body = raw.trim();
    const leaf = /^(.*?)\s+:\s?(.*)$/.exec(body);
    if (leaf?.[1]) {
      parent[leaf[1]] = (leaf[2] ?? '').trim();
    } else {
      const node: SmiTree = {};
      parent[body] = node;
      stack.push({ indent, node });
    }
  }
  return root;
}

export interface NvidiaGpuHealth {
  busId: string;
  productName: string | null;
  serial: string | null;
  uuid: string | null;
  eccMode: string | null;
  volatileUncorrectable: number | null;
  aggregateUncorrectable: number | null;
  volatileCorrectable: number | null;
  aggregateCorrectable: number | null;
  remappedRowsPending: boolean | null;
  remappingFailure: boolean | null;
  /** Retired pages pending (pre-Ampere GPUs; Hopper reports N/A and uses row remapping). */
  retiredPagesPending: boolean | null;
  tempC: number | null;
  memTempC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
  memoryTotalMiB: number | null;
}

function sect(t: SmiTree | undefined, ...path: string[]): SmiTree | undefined {
  let cur: SmiTree | undefined = t;
  for (const p of path) {
    const next: string | SmiTree | undefined = cur?.[p];
    cur = typeof next === 'object' ? next : undefined;
  }
  return cur;
}
function leaf(t: SmiTree | undefined, key: string): string | null {
  const v = t?.[key];
  return typeof v === 'string' ? nullish(v) : null;
}
/** "48 C" / "203.17 W" / "81559 MiB" / "0" → number. */
function leadingNumber(v: string | null): number | null {
  const m = v ? /^(-?\d+(?:\.\d+)?)/.exec(v) : null;
  return m?.[1] ? Number(m[1]) : null;
}
function yesNo(v: string | null): boolean | null {
  if (v === null) return null;
  if (/^yes$/i.test(v)) return true;
  if (/^no$/i.test(v)) return false;
  return null;
}
/** Sums counters in an ECC section whose names say (un)correctable; pre-Hopper layouts
 *  ("Single Bit"/"Double Bit" → "Total") are handled too. */
function eccSum(t: SmiTree | undefined, kind: 'Uncorrectable' | 'Correctable'): number | null {
  if (!t) return null;
  const legacy = kind === 'Uncorrectable' ? sect(t, 'Double Bit') : sect(t, 'Single Bit');
  if (legacy) return leadingNumber(leaf(legacy, 'Total'));
  let sum: number | null = null;
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'string') continue;
    const isUnc = /uncorrectable/i.test(k);
    const isCorr = !isUnc && /correctable/i.test(k);
    if ((kind === 'Uncorrectable' && isUnc) || (kind === 'Correctable' && isCorr)) {
      const n = leadingNumber(nullish(v));
      if (n !== null) sum = (sum ?? 0) + n;
    }
  }
  return sum;
}

/** Per-GPU health from `nvidia-smi -q` (full or -d ECC,TEMPERATURE,POWER,…). */
export function parseNvidiaSmiQ(text: string): NvidiaGpuHealth[] {
  const tree = parseNvidiaSmiQTree(text);
  const gpus = Object.entries(tree).filter(([k, v]) => /^GPU [0-9A-Fa-f:.]+$/.test(k) && typeof v === 'object');
  if (gpus.length === 0) {
    const first = text.trim().split(/\r?\n/)[0] ?? '';
    throw new ParseError(TOOL, `-q output has no "GPU <bus id>" section${first ? ` (first line: "${first.slice(0, 160)}")` : ''}`);
  }
  const attached = leadingNumber(typeof tree['Attached GPUs'] === 'string' ? tree['Attached GPUs'] : null);
  if (attached !== null && attached !== gpus.length) {
    throw new ParseError(TOOL, `-q output lists ${gpus.length} GPU sections but says ${attached} are attached (truncated?)`);
  }
  return gpus.map(([k, v]) => {
    const g = v as SmiTree;
    const ecc = sect(g, 'ECC Errors');
    const temp = sect(g, 'Temperature');
    const power = sect(g, 'GPU Power Readings') ?? sect(g, 'Power Readings');
    const remap = sect(g, 'Remapped Rows');
    return {
      busId: k.slice(4),
      productName: leaf(g, 'Product Name'),
      serial: leaf(g, 'Serial Number'),
      uuid: leaf(g, 'GPU UUID'),
      eccMode: leaf(sect(g, 'ECC Mode'), 'Current'),
      volatileUncorrectable: eccSum(sect(ecc, 'Volatile'), 'Uncorrectable'),
      aggregateUncorrectable: eccSum(sect(ecc, 'Aggregate'), 'Uncorrectable'),
      volatileCorrectable: eccSum(sect(ecc, 'Volatile'), 'Correctable'),
      aggregateCorrectable: eccSum(sect(ecc, 'Aggregate'), 'Correctable'),
      remappedRowsPending: yesNo(leaf(remap, 'Pending')),
      remappingFailure: yesNo(leaf(remap, 'Remapping Failure Occurred')),
      retiredPagesPending: yesNo(leaf(sect(g, 'Retired Pages'), 'Pending Page Blacklist') ?? leaf(sect(g, 'Retired Pages'), 'Pending')),
      tempC: leadingNumber(leaf(temp, 'GPU Current Temp')),
      memTempC: leadingNumber(leaf(temp, 'Memory Current Temp')),
      powerDrawW: leadingNumber(leaf(power, 'Instantaneous Power Draw') ?? leaf(power, 'Power Draw') ?? leaf(power, 'Average Power Draw')),
      powerLimitW: leadingNumber(leaf(power, 'Current Power Limit') ?? leaf(power, 'Power Limit')),
      memoryTotalMiB: leadingNumber(leaf(sect(g, 'FB Memory Usage'), 'Total')),
    };
  });
}

/** Inventory entry from one `nvidia-smi -q` GPU section. */
export function gpuFromHealth(h: NvidiaGpuHealth): InventoryGpu {
  return { model: h.productName ?? 'unknown GPU', serial: h.serial, uuid: h.uuid, busId: h.busId, memoryMiB: h.memoryTotalMiB };
}
