import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STAGE_NAMES } from '../../../common/stages/index.ts';
import type { Store } from '../store/index.ts';
import type { UpkeepRunRow } from '../store/upkeep.ts';
import { totalBytes, walkFiles } from './files.ts';
import { parseLeaseLine } from './leases.ts';

// The janitor: one pass tidies what a long-running bench accumulates
// (docs/janitor.md). Its first rule: nothing a run still needs is touched.
// Only runs in Released or Abandoned lose their artifacts; a run in progress,
// holding, or Completed-but-not-released keeps every file.

const DAY = 86_400_000;
/** Runs whose artifacts may be deleted. */
export const RETAINABLE_STATES = ['Released', 'Abandoned'] as const;
/** Run states in which an agent is expected to be talking. */
const AGENT_STATES: readonly string[] = STAGE_NAMES;
const TEMP_FILE = /(\.tmp|\.part|\.partial|\.upload)$|^\.upload-/;

export interface JanitorPolicy {
  maxAgeDays: number;
  maxTotalBytes: number;
  /** A run in a stage with no agent message for this long is stale, and its agent is marked lost. */
  staleAfterMs?: number;
  /** Measurement rows older than this are thinned to one per sensor per minute. */
  thinAfterDays?: number;
  /** Temp files younger than this are left alone (an upload may still be writing them). */
  tempMaxAgeMs?: number;
  /** Delivered / given-up notification outbox rows older than this are deleted. */
  outboxKeepDays?: number;
}

export const POLICY_DEFAULTS = { staleAfterMs: 15 * 60_000, thinAfterDays: 30, tempMaxAgeMs: 60 * 60_000, outboxKeepDays: 30 } as const;

export interface JanitorPassOptions {
  store: Store;
  dataDir: string;
  policy: JanitorPolicy;
  /** The pass's clock (epoch ms or Date): all age decisions are relative to it. */
  now: number | Date;
  /** dnsmasq lease file to prune; skipped when absent. */
  leasesFile?: string;
  /** Where orphaned temp files are looked for; default `<dataDir>/artifacts` and `<dataDir>/tmp`. */
  tempDirs?: string[];
  trigger?: string;
  /** Told about each agent this pass marks lost (e.g. to emit AgentLost). */
  onAgentLost?: (run: { runId: number; host: string }) => void;
  /** Told when this pass deleted samples (e.g. to drop chart answers read before). */
  onMeasurementsThinned?: () => void;
}

export interface PrunedRun {
  runId: number | null;
  dir: string;
  reason: 'age' | 'size' | 'orphan';
  files: number;
  bytes: number;
}

export interface JanitorReport {
  id: number | null;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  bytesReclaimed: number;
  retention: { pruned: PrunedRun[]; bytesBefore: number; bytesAfter: number; overBudget: boolean; artifactRowsDeleted: number };
  staleRuns: { runId: number; host: string; state: string; lastSeen: string | null; markedLost: boolean }[];
  agentsMarkedLost: number[];
  leases: { file: string; pruned: { mac: string; ip: string; hostname: string; reason: 'expired' | 'departed' }[]; kept: number } | null;
  tempFiles: { path: string; bytes: number }[];
  measurements: { rowsDeleted: number; olderThan: string };
  outbox: { rowsDeleted: number };
  sqlite: { walBytesBefore: number; walBytesAfter: number; checkpointBusy: boolean; optimized: boolean };
  errors: string[];
}

type RunInfo = UpkeepRunRow;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Runs one janitor pass and records it in janitor_passes. Never throws for a single failed step: errors are listed in the report. */
export function runJanitorPass(opts: JanitorPassOptions): JanitorReport {
  const { store, dataDir } = opts;
  const nowMs = typeof opts.now === 'number' ? opts.now : opts.now.getTime();
  const policy = { ...POLICY_DEFAULTS, ...opts.policy };
  const iso = (ms: number): string => new Date(ms).toISOString();
  const started = performance.now();
  const errors: string[] = [];
  const step = <T>(name: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
      return fallback;
    }
  };
  const runs = store.upkeep.runs();

  const retention = step('retention', () => pruneArtifacts(store, dataDir, runs, policy, nowMs), {
    pruned: [],
    bytesBefore: 0,
    bytesAfter: 0,
    overBudget: false,
    artifactRowsDeleted: 0,
  });
  const stale = step('stale runs', () => markStaleRuns(store, runs, policy.staleAfterMs, nowMs, opts.onAgentLost), []);
  const leases = opts.leasesFile ? step('leases', () => pruneLeases(store, opts.leasesFile as string, nowMs), null) : null;
  const tempFiles = step('temp files', () => removeTempFiles(opts.tempDirs ?? [join(dataDir, 'artifacts'), join(dataDir, 'tmp')], policy.tempMaxAgeMs, nowMs), []);
  const cutoff = nowMs - policy.thinAfterDays * DAY;
  const thinned = step('measurements', () => store.upkeep.thinMeasurements(cutoff), 0);
  if (thinned > 0) opts.onMeasurementsThinned?.();
  const outboxDeleted = step(
    'outbox',
    () => store.notifications.deleteFinishedBefore(iso(nowMs - policy.outboxKeepDays * DAY)),
    0,
  );
  const wal = join(dataDir, 'vetting.db-wal');
  const walBytesBefore = fileSize(wal);
  const sqlite = step(
    'sqlite',
    () => {
      const { checkpointBusy } = store.upkeep.optimizeAndTruncateWal();
      return { walBytesBefore, walBytesAfter: fileSize(wal), checkpointBusy, optimized: true };
    },
    { walBytesBefore, walBytesAfter: walBytesBefore, checkpointBusy: true, optimized: false },
  );

  const bytesReclaimed =
    retention.pruned.reduce((n, p) => n + p.bytes, 0) + tempFiles.reduce((n, f) => n + f.bytes, 0) + Math.max(0, sqlite.walBytesBefore - sqlite.walBytesAfter);
  const report: JanitorReport = {
    id: null,
    trigger: opts.trigger ?? 'manual',
    startedAt: iso(nowMs),
    finishedAt: iso(nowMs + Math.round(performance.now() - started)),
    bytesReclaimed,
    retention,
    staleRuns: stale,
    agentsMarkedLost: stale.filter((s) => s.markedLost).map((s) => s.runId),
    leases,
    tempFiles,
    measurements: { rowsDeleted: thinned, olderThan: iso(cutoff) },
    outbox: { rowsDeleted: outboxDeleted },
    sqlite,
    errors,
  };
  try {
    report.id = store.upkeep.recordJanitorPass({
      trigger: report.trigger,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      bytesReclaimed,
      reportJson: JSON.stringify(report),
    });
    // Keep the history bounded.
    store.upkeep.deleteJanitorPassesThrough(report.id - 500);
  } catch (e) {
    report.errors.push(`recording the pass: ${(e as Error).message}`);
  }
  return report;
}

function pruneArtifacts(store: Store, dataDir: string, runs: RunInfo[], policy: Required<JanitorPolicy>, nowMs: number): JanitorReport['retention'] {
  const root = join(dataDir, 'artifacts');
  const byId = new Map(runs.map((r) => [r.id, r]));
  const maxRunId = runs.reduce((m, r) => Math.max(m, r.id), 0);
  const dirs = walkDirs(root).map((name) => {
    const m = /^run-(\d+)$/.exec(name);
    const files = walkFiles(join(root, name));
    return { name, runId: m ? Number(m[1]) : null, files, bytes: totalBytes(files) };
  });
  const bytesBefore = totalBytes(walkFiles(root));
  let total = bytesBefore;
  const pruned: PrunedRun[] = [];
  let rowsDeleted = 0;
  const prune = (d: (typeof dirs)[number], reason: PrunedRun['reason']): void => {
    rmSync(join(root, d.name), { recursive: true, force: true });
    if (d.runId !== null && byId.has(d.runId)) rowsDeleted += store.upkeep.deleteArtifactRows(d.runId);
    total -= d.bytes;
    pruned.push({ runId: d.runId, dir: join('artifacts', d.name), reason, files: d.files.length, bytes: d.bytes });
  };

  // A run-N directory with no run row (the run was deleted) serves nobody. Ids
  // above the newest run are left alone: that run may be being created now.
  for (const d of dirs) if (d.runId !== null && !byId.has(d.runId) && d.runId <= maxRunId) prune(d, 'orphan');

  // Candidates: released / abandoned runs, oldest finish first.
  const candidates = dirs
    .filter((d) => d.runId !== null && (RETAINABLE_STATES as readonly string[]).includes(byId.get(d.runId)?.state ?? ''))
    .sort((a, b) => {
      const ra = byId.get(a.runId as number) as RunInfo;
      const rb = byId.get(b.runId as number) as RunInfo;
      return ra.finished.localeCompare(rb.finished) || ra.id - rb.id;
    });
  const ageCutoff = nowMs - policy.maxAgeDays * DAY;
  const remaining: typeof candidates = [];
  for (const d of candidates) {
    const finished = Date.parse((byId.get(d.runId as number) as RunInfo).finished);
    if (Number.isFinite(finished) && finished < ageCutoff) prune(d, 'age');
    else remaining.push(d);
  }
  for (const d of remaining) {
    if (total <= policy.maxTotalBytes) break;
    prune(d, 'size');
  }
  return { pruned, bytesBefore, bytesAfter: total, overBudget: total > policy.maxTotalBytes, artifactRowsDeleted: rowsDeleted };
}

function walkDirs(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^run-\d+$/.test(d.name))
      .map((d) => d.name);
  } catch {
    return [];
  }
  return names.sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
}

function markStaleRuns(
  store: Store,
  runs: RunInfo[],
  staleAfterMs: number,
  nowMs: number,
  onAgentLost: JanitorPassOptions['onAgentLost'],
): JanitorReport['staleRuns'] {
  const out: JanitorReport['staleRuns'] = [];
  for (const r of runs) {
    if (!AGENT_STATES.includes(r.state)) continue;
    const lastSeen = r.agent_last_seen ?? r.started_at ?? r.created_at;
    const t = Date.parse(lastSeen);
    if (!Number.isFinite(t) || nowMs - t <= staleAfterMs) continue;
    const markedLost = r.agent_lost === 0 && store.upkeep.markAgentLost(r.id, new Date(nowMs).toISOString());
    out.push({ runId: r.id, host: r.host, state: r.state, lastSeen: r.agent_last_seen, markedLost });
    if (markedLost && onAgentLost) {
      try {
        onAgentLost({ runId: r.id, host: r.host });
      } catch {
        /* a listener's failure must not stop the pass */
      }
    }
  }
  return out;
}

/**
 * Drops leases that expired, and leases of hosts that have left the bench
 * (their latest run is Released or Abandoned). Leases of unknown MACs are kept:
 * they may be new hosts waiting to be adopted.
 */
function pruneLeases(store: Store, file: string, nowMs: number): NonNullable<JanitorReport['leases']> {
  if (!existsSync(file)) return { file, pruned: [], kept: 0 };
  const latestState = new Map<string, string>();
  for (const r of store.upkeep.macRunStates()) {
    // Any active run on the MAC (through either path) keeps its lease.
    const prev = latestState.get(r.mac);
    if (prev === undefined || (RETAINABLE_STATES as readonly string[]).includes(prev)) latestState.set(r.mac, r.state);
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  const keep: string[] = [];
  const pruned: NonNullable<JanitorReport['leases']>['pruned'] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const lease = parseLeaseLine(line);
    if (!lease) {
      keep.push(line);
      continue;
    }
    const state = latestState.get(lease.mac);
    const reason = lease.expiry !== 0 && lease.expiry * 1000 < nowMs ? 'expired' : state && (RETAINABLE_STATES as readonly string[]).includes(state) ? 'departed' : null;
    if (reason) pruned.push({ mac: lease.mac, ip: lease.ip, hostname: lease.hostname, reason });
    else keep.push(line);
  }
  if (pruned.length) {
    const tmp = `${file}.janitor.tmp`;
    writeFileSync(tmp, keep.length ? `${keep.join('\n')}\n` : '');
    renameSync(tmp, file);
  }
  return { file, pruned, kept: keep.filter((l) => parseLeaseLine(l)).length };
}

function removeTempFiles(dirs: string[], maxAgeMs: number, nowMs: number): JanitorReport['tempFiles'] {
  const out: JanitorReport['tempFiles'] = [];
  for (const dir of dirs) {
    for (const f of walkFiles(dir)) {
      if (!TEMP_FILE.test(basename(f.path)) || nowMs - f.mtimeMs < maxAgeMs) continue;
      try {
        unlinkSync(f.path);
        out.push({ path: f.path, bytes: f.bytes });
      } catch {
        /* already gone */
      }
    }
  }
  return out;
}
