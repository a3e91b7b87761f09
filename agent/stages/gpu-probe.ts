import type { InventoryGpu } from '../../common/schema/inventory.ts';
import type { StageContext } from './stage-types.ts';

// Reading NVIDIA GPUs through nvidia-smi's CSV query. The agent chooses the
// columns itself (GPU_QUERY_FIELDS), so each row is read by position.

export const GPU_QUERY_FIELDS = [
  'index',
  'name',
  'uuid',
  'serial',
  'pci.bus_id',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'ecc.mode.current',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'ecc.errors.uncorrected.aggregate.total',
  'retired_pages.pending',
] as const;

export interface GpuRow {
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

const NA = /^(\[?N\/A\]?|\[Not Supported\]|Not Supported|\[Unknown Error\])$/i;

function cell(v: string | undefined): string | null {
  const t = (v ?? '').trim();
  return t === '' || NA.test(t) ? null : t;
}

function numCell(v: string | undefined): number | null {
  const t = cell(v);
  if (t === null) return null;
  const n = Number(t.replace(/\s*(MiB|W|C)$/i, ''));
  return Number.isFinite(n) ? n : null;
}

/** Parses `--query-gpu=<GPU_QUERY_FIELDS> --format=csv,noheader,nounits`. */
export function parseGpuQuery(text: string): GpuRow[] {
  const rows: GpuRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const c = line.split(',');
    if (c.length < GPU_QUERY_FIELDS.length) throw new Error(`nvidia-smi query row has ${c.length} fields, expected ${GPU_QUERY_FIELDS.length}: "${line.slice(0, 200)}"`);
    const index = numCell(c[0]);
    const name = cell(c[1]);
    if (index === null || !name) throw new Error(`nvidia-smi query row without index or name: "${line.slice(0, 200)}"`);
    rows.push({
      index,
      name,
      uuid: cell(c[2]),
      serial: cell(c[3]),
      busId: cell(c[4]),
      memoryMiB: numCell(c[5]),
      temperatureC: numCell(c[6]),
      powerW: numCell(c[7]),
      eccMode: cell(c[8]),
      eccCorrectedVolatile: numCell(c[9]),
      eccUncorrectedVolatile: numCell(c[10]),
      eccUncorrectedAggregate: numCell(c[11]),
      retiredPagesPending: cell(c[12]),
    });
  }
  return rows;
}

export function gpuQueryArgs(): string[] {
  return [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
}

export async function queryGpus(ctx: StageContext): Promise<{ rows: GpuRow[]; raw: string; exitCode: number; stderr: string }> {
  const res = await ctx.runTool('nvidia-smi', gpuQueryArgs(), { timeoutMs: 60_000, signal: ctx.signal });
  if (res.exitCode !== 0) return { rows: [], raw: res.stdout, exitCode: res.exitCode, stderr: res.stderr };
  return { rows: parseGpuQuery(res.stdout), raw: res.stdout, exitCode: 0, stderr: res.stderr };
}

/** For the Inventory stage. */
export async function gpuInventory(ctx: StageContext): Promise<{ gpus: InventoryGpu[]; raw: string; command: string }> {
  const q = await queryGpus(ctx);
  return {
    command: `nvidia-smi ${gpuQueryArgs().join(' ')}`,
    raw: q.raw,
    gpus: q.rows.map((r) => ({ model: r.name, serial: r.serial, uuid: r.uuid, busId: r.busId, memoryMiB: r.memoryMiB })),
  };
}

/** Hottest GPU temperature and ECC counts from `nvidia-smi dmon` (columns named by its "# gpu …" header). */
export function parseDmonPeaks(text: string): { maxTempC: number | null; maxEccDbe: number | null; samples: number } {
  let header: string[] | null = null;
  let maxTempC: number | null = null;
  let maxEccDbe: number | null = null;
  let samples = 0;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    if (t.startsWith('#')) {
      if (!header) header = t.slice(1).trim().split(/\s+/);
      continue;
    }
    if (!header) continue;
    const cols = t.split(/\s+/);
    const val = (name: string) => {
      const i = header!.indexOf(name);
      const n = i >= 0 ? Number(cols[i]) : NaN;
      return Number.isFinite(n) ? n : null;
    };
    samples++;
    const temp = val('gtemp');
    if (temp !== null) maxTempC = Math.max(maxTempC ?? temp, temp);
    const dbe = val('dbecc');
    if (dbe !== null) maxEccDbe = Math.max(maxEccDbe ?? dbe, dbe);
  }
  return { maxTempC, maxEccDbe, samples };
}
