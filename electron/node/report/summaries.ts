import type {
  ReportCpuStress,
  ReportNic,
  ReportPsuRail,
  ReportSmartDisk,
  ReportStorageDisk,
} from './types.ts';

// Defensive readers of the agent's stage summaries (shapes in docs/stages.md).
// Summaries come from outside, so every reader accepts "anything" and returns
// null when the shape is not the one it knows; the report then shows the
// summary as a plain key/value table instead of dropping it.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}
function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}
/** A stage's per-item verdict: the agent writes `outcome`. */
function outcomePassed(d: Obj): boolean | null {
  return typeof d.outcome === 'string' ? d.outcome === 'passed' : null;
}
/** The array under `key`, if every element is an object; else null. */
function objArray(v: unknown, key: string): Obj[] | null {
  if (!isObj(v)) return null;
  const arr = v[key];
  if (!Array.isArray(arr) || !arr.every(isObj)) return null;
  return arr;
}

export function readSmart(summary: unknown): ReportSmartDisk[] | null {
  const disks = objArray(summary, 'disks');
  if (!disks) return null;
  return disks.map((d, i) => ({
    disk: str(d.disk) ?? str(d.serial) ?? `disk ${i + 1}`,
    device: str(d.device),
    model: str(d.model),
    serial: str(d.serial),
    healthPassed: bool(d.health) ?? bool(d.healthPassed),
    reallocated: num(d.reallocated),
    pending: num(d.pending),
    offlineUncorrectable: num(d.offlineUncorrectable),
    mediaErrors: num(d.mediaErrors),
    criticalWarning: num(d.criticalWarning),
    temperatureC: num(d.temperatureC),
    passed: outcomePassed(d),
    reasons: Array.isArray(d.reasons) ? d.reasons.map((r) => str(r) ?? JSON.stringify(r)).slice(0, 50) : [],
  }));
}

export function readStorage(summary: unknown): ReportStorageDisk[] | null {
  const disks = objArray(summary, 'disks');
  if (!disks) return null;
  return disks.map((d, i) => {
    const bb = isObj(d.badblocks) ? d.badblocks : {};
    const fio = isObj(d.fio) ? d.fio : {};
    return {
      disk: str(d.disk) ?? `disk ${i + 1}`,
      device: str(d.device),
      class: str(d.diskClass),
      badBlocks: num(bb.badBlocks),
      iops: num(fio.iops),
      p99Ms: num(fio.p99Ms),
      minIops: num(fio.minIops),
      maxP99Ms: num(fio.maxP99Ms),
      passed: outcomePassed(d),
    };
  });
}

export function readNetwork(summary: unknown): ReportNic[] | null {
  const nics = objArray(summary, 'nics');
  if (!nics) return null;
  const bps = (mbps: number | null) => (mbps === null ? null : mbps * 1e6);
  return nics.map((n, i) => ({
    nic: str(n.nic) ?? `nic ${i + 1}`,
    bps: bps(num(n.goodputMbps)),
    floorBps: bps(num(n.floorMbps)),
    linkMbps: num(n.linkMbps),
    passed: outcomePassed(n),
  }));
}

export function readCpuStress(summary: unknown): ReportCpuStress | null {
  if (!isObj(summary)) return null;
  // The agent reports the ceiling as maxTempC and the hottest reading per sensor in peakTempsC.
  const peaks = isObj(summary.peakTempsC) ? Object.values(summary.peakTempsC).map(num).filter((v): v is number => v !== null) : [];
  const out = { maxTempC: peaks.length ? Math.max(...peaks) : null, ceilingC: num(summary.maxTempC), exitCode: num(summary.exitCode) };
  // Nothing recognisable: let the caller show it as key/value pairs.
  if (out.maxTempC === null && out.ceilingC === null && out.exitCode === null) return null;
  return out;
}

export function readPsu(summary: unknown): ReportPsuRail[] | null {
  const rails = objArray(summary, 'rails');
  if (!rails) return null;
  return rails.map((r, i) => ({
    sensor: str(r.sensor) ?? `rail ${i + 1}`,
    baseline: num(r.idle),
    min: num(r.min),
    dipFraction: num(r.dipFraction),
  }));
}

const MAX_ENTRIES = 80;
const MAX_VALUE_CHARS = 200;

/**
 * Flattens any JSON value to sorted-by-path key/value pairs (dotted paths,
 * array indexes in brackets), capped so a huge summary cannot swamp the page.
 */
export function flattenSummary(value: unknown): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= MAX_ENTRIES) return;
    if (depth < 4 && isObj(v) && Object.keys(v).length > 0) {
      for (const k of Object.keys(v)) walk(v[k], path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    if (depth < 4 && Array.isArray(v) && v.length > 0 && v.length <= 20) {
      v.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
      return;
    }
    let text = typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
    if (text.length > MAX_VALUE_CHARS) text = `${text.slice(0, MAX_VALUE_CHARS - 1)}…`;
    out.push([path || '(value)', text]);
  };
  walk(value, '', 0);
  if (out.length >= MAX_ENTRIES) out.push(['…', 'truncated; see report.json / the stage artifacts']);
  return out;
}
