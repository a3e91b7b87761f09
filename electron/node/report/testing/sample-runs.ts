import { createHash } from 'node:crypto';
import { STAGE_NAMES } from '../../../../common/stages/index.ts';
import type { Db } from '../../store/db.ts';

// Test data builders: rows inserted with plain SQL, the way the orchestrator
// would leave them, for report / janitor / notification tests. Times are fixed
// so rendered reports are comparable byte for byte.

export const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

let tokenCounter = 0;

export function insertHost(db: Db, name: string, macs: string[] = [], disks: string[] = []): number {
  const at = iso(T0 - 86_400_000);
  const id = Number(
    db.prepare('INSERT INTO hosts (name, profile, max_temp_c, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(name, 'standard', 90, at, at).lastInsertRowid,
  );
  for (const mac of macs) db.prepare('INSERT INTO host_macs (host_id, mac) VALUES (?, ?)').run(id, mac);
  disks.forEach((d, i) => db.prepare('INSERT INTO host_disks (host_id, ident, kind, position) VALUES (?, ?, ?, ?)').run(id, d, 'serial', i));
  return id;
}

export interface RunOptions {
  state: string;
  result?: 'pass' | 'fail' | null;
  failedStage?: string | null;
  holdReason?: string | null;
  start?: number;
  completedAt?: number | null;
  agentLastSeen?: number | null;
  agentLost?: boolean;
  bootMac?: string | null;
  wipeOverride?: string[];
}

export function insertRun(db: Db, hostId: number, o: RunOptions): number {
  const start = o.start ?? T0;
  tokenCounter += 1;
  const token = createHash('sha256').update(`token-${tokenCounter}-${Math.random()}`).digest('hex');
  return Number(
    db
      .prepare(
        `INSERT INTO runs (host_id, profile, state, hold_reason, result, failed_stage, wipe_override_json, agent_token_hash, agent_last_seen,
           agent_lost, boot_mac, dmi_serial, created_at, started_at, completed_at, updated_at)
         VALUES (?, 'standard', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        hostId,
        o.state,
        o.holdReason ?? null,
        o.result ?? null,
        o.failedStage ?? null,
        JSON.stringify(o.wipeOverride ?? []),
        token,
        o.agentLastSeen === undefined || o.agentLastSeen === null ? null : iso(o.agentLastSeen),
        o.agentLost ? 1 : 0,
        o.bootMac ?? null,
        null,
        iso(start - 60_000),
        iso(start),
        o.completedAt ? iso(o.completedAt) : null,
        iso(o.completedAt ?? start),
      ).lastInsertRowid,
  );
}

export function insertStage(
  db: Db,
  runId: number,
  name: string,
  attempt: number,
  outcome: string | null,
  startMs: number,
  endMs: number | null,
  summary: unknown = null,
  message: string | null = null,
): void {
  db.prepare(
    `INSERT INTO stages (run_id, name, attempt, passed, outcome, started_at, completed_at, summary_json, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    name,
    attempt,
    outcome === null ? null : outcome === 'passed' || outcome === 'skipped' || outcome === 'overridden' ? 1 : 0,
    outcome,
    iso(startMs),
    endMs === null ? null : iso(endMs),
    summary === null ? null : JSON.stringify(summary),
    message,
  );
}

export function insertTransition(db: Db, runId: number, from: string | null, to: string, action: string, actor: string, atMs: number, reason: string | null = null, detail: unknown = null): void {
  db.prepare('INSERT INTO transitions (run_id, from_state, to_state, action, actor, reason, detail_json, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    runId,
    from,
    to,
    action,
    actor,
    reason,
    detail === null ? null : JSON.stringify(detail),
    iso(atMs),
  );
}

export const INVENTORY = {
  system: { manufacturer: 'Supermicro', product: 'SYS-1029U-TRT', serial: 'S-4471-ZX', uuid: '00000000-0000-0000-0000-000000000001' },
  bios: { vendor: 'American Megatrends Inc.', version: '3.4', date: '2023-05-11' },
  cpu: { model: 'Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz', sockets: 2, cores: 24, threads: 48 },
  memory: { totalBytes: 256 * 1024 ** 3 },
  disks: [
    { name: 'nvme0n1', path: '/dev/nvme0n1', serial: 'NV-001', model: 'SAMSUNG MZQL23T8HCLS', sizeBytes: 3.84e12 },
    { name: 'sda', path: '/dev/sda', serial: 'WD-A1', model: 'WDC WD40EFRX', sizeBytes: 4e12 },
  ],
  nics: [
    { name: 'eno1', mac: '3c:ec:ef:00:11:22', speedMbps: 1000 },
    { name: 'ens1f0', mac: '3c:ec:ef:00:11:23', speedMbps: 10000 },
  ],
  gpus: [],
  missingTools: ['nvidia-smi'],
};

export const SMART_SUMMARY = {
  disks: [
    { disk: 'NV-001', device: '/dev/nvme0', type: 'nvme', outcome: 'passed', smartAvailable: true, health: true, reallocated: null, pending: null, offlineUncorrectable: null, mediaErrors: 0, criticalWarning: 0, temperatureC: 38, powerOnHours: 1200, exitCode: 0, reasons: [] },
    { disk: 'WD-A1', device: '/dev/sda', type: 'sat', outcome: 'passed', smartAvailable: true, health: true, reallocated: 0, pending: 0, offlineUncorrectable: 0, mediaErrors: null, criticalWarning: null, temperatureC: 33, powerOnHours: 23000, exitCode: 0, reasons: [] },
  ],
};
export const SMART_FAILED_SUMMARY = {
  disks: [
    SMART_SUMMARY.disks[0],
    { ...SMART_SUMMARY.disks[1], health: false, reallocated: 1872, pending: 24, outcome: 'failed', reasons: ['overall-health FAILED', 'reallocated sectors 1872 ≥ threshold 10'] },
  ],
};
export const STORAGE_SUMMARY = {
  disks: [
    { disk: 'NV-001', device: '/dev/nvme0n1', diskClass: 'nvme', outcome: 'passed', reasons: [], badblocks: { blockSize: 4096, firstBlock: 0, lastBlock: 937684565, badBlocks: 0, badRanges: [] }, fio: { iops: 412345, readIops: 206000, writeIops: 206345, p99Ms: 0.41, minIops: 100000, maxP99Ms: 2 } },
    { disk: 'WD-A1', device: '/dev/sda', diskClass: 'hdd', outcome: 'passed', reasons: [], badblocks: { blockSize: 4096, firstBlock: 0, lastBlock: 976754645, badBlocks: 0, badRanges: [] }, fio: { iops: 212, readIops: 106, writeIops: 106, p99Ms: 180.5, minIops: 100, maxP99Ms: 500 } },
  ],
};
export const NETWORK_SUMMARY = {
  nics: [
    { nic: 'eno1', address: '10.9.0.21', linkMbps: 1000, linkSpeedAssumed: false, floorMbps: 900, outcome: 'passed', goodputMbps: 941, retransmits: 0, reason: '941.0 Mbit/s ≥ floor 900.0 Mbit/s' },
    { nic: 'ens1f0', address: '10.9.1.21', linkMbps: 10000, linkSpeedAssumed: false, floorMbps: 9000, outcome: 'passed', goodputMbps: 9410, retransmits: 3, reason: '9410.0 Mbit/s ≥ floor 9000.0 Mbit/s' },
  ],
};
export const CPU_SUMMARY = { metrics: [], cpuWorkers: 64, vmWorkers: 32, vmBytesTotal: 200 * 1024 ** 3, durationS: 120, exitCode: 0, maxTempC: 90, peakTempsC: { 'coretemp/Package id 0': 81.5, 'coretemp/Package id 1': 79 }, thermalSamples: 120 };
export const PSU_SUMMARY = {
  rails: [
    { sensor: 'in0 12V', idle: 12.05, min: 11.91, dipFraction: 0.0116 },
    { sensor: 'in1 5V', idle: 5.02, min: 4.98, dipFraction: 0.008 },
  ],
};

const MIN = 60_000;

/** Thermal + PSU samples every 5 s over `minutes`, deterministic (no randomness). */
export function insertMeasurements(db: Db, runId: number, start: number, minutes: number): void {
  const ins = db.prepare('INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let t = 0; t <= minutes * MIN; t += 5000) {
      const load = t > 10 * MIN && t < 40 * MIN ? 1 : 0;
      const s = t / 1000;
      ins.run(runId, 'thermal', 'coretemp Package id 0', 40 + load * 38 + 3 * Math.sin(s / 40), '°C', start + t);
      ins.run(runId, 'thermal', 'coretemp Package id 1', 38 + load * 35 + 3 * Math.cos(s / 50), '°C', start + t);
      ins.run(runId, 'thermal', 'nvme Composite', 33 + load * 12 + Math.sin(s / 90), '°C', start + t);
      if (t > 40 * MIN && t < 50 * MIN) {
        ins.run(runId, 'psu', 'in0 12V', 12.05 - 0.12 * Math.abs(Math.sin(s / 30)), 'V', start + t);
        ins.run(runId, 'psu', 'in1 5V', 5.02 - 0.04 * Math.abs(Math.sin(s / 25)), 'V', start + t);
      }
    }
  })();
}

/** A run that passed every stage and is in `state` (Completed, Released, or Reporting). */
export function makePassingRun(db: Db, hostId: number, state = 'Completed', start = T0): number {
  const end = start + 55 * MIN;
  const done = state !== 'Reporting';
  const runId = insertRun(db, hostId, { state, result: done ? 'pass' : null, start, completedAt: done ? end : null, bootMac: '3c:ec:ef:00:11:22', agentLastSeen: end });
  const summaries: Record<string, unknown> = {
    Inventory: { inventory: INVENTORY },
    SpecValidate: { critical: 0, warning: 0, info: 1 },
    SMART: SMART_SUMMARY,
    CPUStress: CPU_SUMMARY,
    Storage: STORAGE_SUMMARY,
    Network: NETWORK_SUMMARY,
    GPU: null,
    PSU: PSU_SUMMARY,
  };
  let t = start;
  let prev: string = 'WaitingForAgent';
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:alice', start - 60_000, 'bench slot 3');
  for (const name of STAGE_NAMES) {
    const len = name === 'CPUStress' ? 30 * MIN : name === 'Reporting' ? 1000 : 3 * MIN;
    insertTransition(db, runId, prev, name, 'advance', 'orchestrator', t);
    if (name === 'Reporting' && !done) {
      insertStage(db, runId, name, 1, null, t, null);
    } else {
      insertStage(db, runId, name, 1, name === 'GPU' ? 'skipped' : 'passed', t, t + len, summaries[name] ?? null, name === 'GPU' ? 'no GPU present' : null);
    }
    prev = name;
    t += len;
  }
  if (done) insertTransition(db, runId, 'Reporting', 'Completed', 'advance', 'orchestrator', end);
  if (state === 'Released') insertTransition(db, runId, 'Completed', 'Released', 'release', 'operator:alice', end + MIN);
  db.prepare("INSERT INTO spec_diffs (run_id, field, expected, actual, severity, rule) VALUES (?, 'bios.version', '3.3', '3.4', 'info', 'bios-version')").run(runId);
  insertMeasurements(db, runId, start, 55);
  db.prepare("INSERT INTO artifacts (run_id, stage, kind, name, path, size, sha256, created_at) VALUES (?, 'Inventory', 'inventory', 'inventory.json', ?, 1234, ?, ?)").run(
    runId,
    `artifacts/run-${runId}/inventory.json`,
    'a'.repeat(64),
    iso(start + 3 * MIN),
  );
  return runId;
}

/** A run halted at FailedHolding after SMART failed on one disk (plus a critical spec diff recorded). */
export function makeFailedRun(db: Db, hostId: number, start = T0): number {
  const runId = insertRun(db, hostId, { state: 'FailedHolding', failedStage: 'SMART', holdReason: 'StageFailed', start, agentLastSeen: start + 10 * MIN });
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:bob', start - 60_000);
  insertTransition(db, runId, 'WaitingForAgent', 'Inventory', 'advance', 'orchestrator', start);
  insertStage(db, runId, 'Inventory', 1, 'passed', start, start + 2 * MIN, { inventory: INVENTORY });
  insertTransition(db, runId, 'Inventory', 'SpecValidate', 'advance', 'orchestrator', start + 2 * MIN);
  insertStage(db, runId, 'SpecValidate', 1, 'passed', start + 2 * MIN, start + 2 * MIN + 500, { critical: 0, warning: 1, info: 0 });
  insertTransition(db, runId, 'SpecValidate', 'SMART', 'advance', 'orchestrator', start + 2 * MIN + 500);
  insertStage(db, runId, 'SMART', 1, 'failed', start + 2 * MIN + 500, start + 4 * MIN, SMART_FAILED_SUMMARY, 'WD-A1: overall-health FAILED, 1872 reallocated sectors');
  insertTransition(db, runId, 'SMART', 'FailedHolding', 'fail', 'orchestrator', start + 4 * MIN, 'SMART failed on WD-A1');
  db.prepare("INSERT INTO spec_diffs (run_id, field, expected, actual, severity, rule) VALUES (?, 'memory.totalBytes', '274877906944', '257698037760', 'warning', 'memory-size')").run(runId);
  insertMeasurements(db, runId, start, 4);
  return runId;
}

/**
 * A run that passed after a supervisor overrode the wipe-probe (Storage found
 * an LVM label on a disk): the first Storage attempt is 'overridden' and an
 * 'override' transition carries who and why.
 */
export function makeOverriddenRun(db: Db, hostId: number, start = T0): number {
  const end = start + 60 * MIN;
  const runId = insertRun(db, hostId, { state: 'Completed', result: 'pass', start, completedAt: end, wipeOverride: ['WD-A1'], agentLastSeen: end });
  let t = start;
  let prev = 'WaitingForAgent';
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:carol', start - 60_000);
  for (const name of STAGE_NAMES) {
    insertTransition(db, runId, prev, name, 'advance', 'orchestrator', t);
    if (name === 'Storage') {
      insertStage(db, runId, 'Storage', 1, 'overridden', t, t + MIN, { unexpectedData: [{ disk: 'WD-A1', device: '/dev/sda', found: ['LVM2_member'] }] }, 'wipe-probe: LVM2_member on WD-A1');
      insertTransition(db, runId, 'Storage', 'FailedHolding', 'hold', 'orchestrator', t + MIN, 'UnexpectedData on WD-A1');
      insertTransition(db, runId, 'FailedHolding', 'Storage', 'override', 'supervisor:dana', t + 5 * MIN, 'disk is a replacement from stock; old LVM label is from the vendor burn-in', {
        stage: 'Storage',
        kind: 'wipe-probe',
        disks: ['WD-A1'],
      });
      t += 5 * MIN;
      insertStage(db, runId, 'Storage', 2, 'passed', t, t + 10 * MIN, STORAGE_SUMMARY);
      t += 10 * MIN;
    } else {
      const len = name === 'Reporting' ? 1000 : 3 * MIN;
      insertStage(db, runId, name, 1, name === 'GPU' ? 'skipped' : 'passed', t, t + len, name === 'Inventory' ? { inventory: INVENTORY } : name === 'SMART' ? SMART_SUMMARY : name === 'Network' ? NETWORK_SUMMARY : null);
      t += len;
    }
    prev = name;
  }
  insertTransition(db, runId, 'Reporting', 'Completed', 'advance', 'orchestrator', end);
  insertMeasurements(db, runId, start, 30);
  return runId;
}
