import type { InventoryGpu } from '../../common/schema/inventory.ts';
import { parseNvidiaSmiQueryCsv, queryNumber } from '../parsers/nvidia-smi.ts';
import type { StageContext } from './stage-types.ts';

// Reading NVIDIA GPUs through nvidia-smi's CSV query. The agent chooses the
// columns itself (GPU_QUERY_FIELDS); the shared parser reads the cells by name.

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

/** Parses `--query-gpu=<GPU_QUERY_FIELDS> --format=csv,noheader,nounits` (cells read by the shared parser). */
export function parseGpuQuery(text: string): GpuRow[] {
  if (!text.trim()) return [];
  return parseNvidiaSmiQueryCsv(text, GPU_QUERY_FIELDS).map((r) => {
    const index = queryNumber(r, 'index');
    const name = r.name ?? null;
    if (index === null || !name) throw new Error(`nvidia-smi query row without index or name: ${JSON.stringify(r).slice(0, 200)}`);
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
