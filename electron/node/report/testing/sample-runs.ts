import { createHash } from 'node:crypto';
import { notApplicable, notTested, tested, type CoverageEntry, type PartRef } from '../../../../common/schema/coverage.ts';
import type { RunResult } from '../../../../common/schema/run.ts';
import { STAGE_NAMES, STAGES, type AgentStageName } from '../../../../common/stages/index.ts';
import { minimalValue, stageResultBody } from '../../../../test/support/stage-results.ts';
import type { Db } from '../../store/db.ts';
import { captured } from '../../../../agent/parsers/test-fixtures.ts';
import { snapshotFrom } from '../../../../agent/stages/bmc/read.ts';

// Test data builders: rows inserted with plain SQL, the way the orchestrator
// would leave them, for report / janitor / notification tests. Times are fixed
// so rendered reports are comparable byte for byte. Every summary matches its
// stage's schema and every attempt says what it covered, as real stages do;
// each run stores the result common/verdict.ts gives for its rows (report.test.ts
// checks both, so these samples cannot drift from the rules).

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
  profile?: string;
  result?: RunResult | null;
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
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        hostId,
        o.profile ?? 'standard',
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
  coverage: readonly CoverageEntry[] | null = null,
): void {
  db.prepare(
    `INSERT INTO stages (run_id, name, attempt, passed, outcome, started_at, completed_at, summary_json, message, coverage_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    coverage === null ? null : JSON.stringify(coverage),
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
    { name: 'nvme0n1', path: '/dev/nvme0n1', serial: 'NV-001', wwn: 'eui.0025388b91b0a7c1', model: 'SAMSUNG MZQL23T8HCLS', sizeBytes: 3.84e12, transport: 'nvme' },
    { name: 'sda', path: '/dev/sda', serial: 'WD-A1', model: 'WDC WD40EFRX', sizeBytes: 4e12, rotational: true, transport: 'sata' },
  ],
  nics: [
    { name: 'eno1', mac: '3c:ec:ef:00:11:22', speedMbps: 1000, driver: 'igb' },
    { name: 'ens1f0', mac: '3c:ec:ef:00:11:23', speedMbps: 10000, driver: 'ixgbe' },
  ],
  gpus: [],
  missingTools: ['nvidia-smi'],
};

const NV: PartRef = { kind: 'disk', id: 'NV-001', label: 'NV-001 (/dev/nvme0n1)' };
const WD: PartRef = { kind: 'disk', id: 'WD-A1', label: 'WD-A1 (/dev/sda)' };
const SMART_CHECK = 'SMART health and counters';

const smartDisk = (disk: string, device: string, o: Record<string, unknown>) => ({
  disk,
  device,
  type: null,
  outcome: 'passed',
  smartAvailable: true,
  health: true,
  reallocated: null,
  pending: null,
  offlineUncorrectable: null,
  endToEndErrors: null,
  mediaErrors: null,
  criticalWarning: null,
  temperatureC: null,
  powerOnHours: null,
  exitCode: 0,
  reasons: [],
  ...o,
});

export const SMART_SUMMARY = {
  disks: [
    smartDisk('NV-001', '/dev/nvme0n1', { mediaErrors: 0, criticalWarning: 0, temperatureC: 38, powerOnHours: 1200 }),
    smartDisk('WD-A1', '/dev/sda', { reallocated: 0, pending: 0, offlineUncorrectable: 0, endToEndErrors: 0, temperatureC: 33, powerOnHours: 23000 }),
  ],
  missing: [],
  notes: [],
};
const SMART_COVERAGE = [tested(NV, SMART_CHECK), tested(WD, SMART_CHECK)];
export const SMART_FAILED_SUMMARY = {
  ...SMART_SUMMARY,
  disks: [
    SMART_SUMMARY.disks[0],
    { ...SMART_SUMMARY.disks[1], health: false, reallocated: 1872, pending: 24, outcome: 'failed', reasons: ['overall-health FAILED', 'reallocated sectors 1872 > 10'] },
  ],
};

const badblocks = (bytes: number, covered = bytes) => ({
  blockSize: 4096,
  firstBlock: 0,
  lastBlock: covered / 4096 - 1,
  badBlocks: 0,
  maxBadBlocks: 0,
  badRanges: [],
  coveredBytes: covered,
  diskBytes: bytes,
  counts: { read: 0, write: 0, corruption: 0 },
});
export const STORAGE_SUMMARY = {
  overridden: [] as { disk: string; device: string; found: string[] }[],
  disks: [
    { disk: 'NV-001', device: '/dev/nvme0n1', diskClass: 'nvme', outcome: 'passed', reasons: [], badblocks: badblocks(3.84e12), fio: { iops: 412345, readIops: 206000, writeIops: 206345, p99Ms: 0.41, ioError: null, minIops: 50000, maxP99Ms: 5 } },
    { disk: 'WD-A1', device: '/dev/sda', diskClass: 'hdd', outcome: 'passed', reasons: [], badblocks: badblocks(4e12), fio: { iops: 212, readIops: 106, writeIops: 106, p99Ms: 180.5, ioError: null, minIops: 100, maxP99Ms: 2000 } },
  ],
};
const STORAGE_COVERAGE = [
  tested(NV, 'surface scan', { extent: { done: 3.84e12, total: 3.84e12, unit: 'bytes' } }),
  tested(NV, 'random I/O'),
  tested(WD, 'surface scan', { extent: { done: 4e12, total: 4e12, unit: 'bytes' } }),
  tested(WD, 'random I/O'),
];
export const NETWORK_SUMMARY = {
  nics: [
    { nic: 'eno1', mac: '3c:ec:ef:00:11:22', address: '10.9.0.21', linkMbps: 1000, linkSpeedAssumed: false, floorMbps: 900, outcome: 'passed', goodputMbps: 941, retransmits: 0, reason: '941.0 Mbit/s ≥ floor 900.0 Mbit/s' },
    { nic: 'ens1f0', mac: '3c:ec:ef:00:11:23', address: '10.9.1.21', linkMbps: 10000, linkSpeedAssumed: false, floorMbps: 9000, outcome: 'passed', goodputMbps: 9410, retransmits: 3, reason: '9410.0 Mbit/s ≥ floor 9000.0 Mbit/s' },
  ],
  server: { host: '10.9.0.1', port: 5201 },
};
const NETWORK_COVERAGE = [
  tested({ kind: 'nic', id: '3c:ec:ef:00:11:22', label: 'eno1 (3c:ec:ef:00:11:22)' }, 'iperf3 throughput'),
  tested({ kind: 'nic', id: '3c:ec:ef:00:11:23', label: 'ens1f0 (3c:ec:ef:00:11:23)' }, 'iperf3 throughput'),
];
export const CPU_SUMMARY = {
  metrics: [
    { stressor: 'cpu', bogoOps: 1_234_567, bogoOpsPerSecReal: 10288.1 },
    { stressor: 'vm', bogoOps: 98_765, bogoOpsPerSecReal: 823 },
  ],
  cpuWorkers: 48,
  vmWorkers: 24,
  vmBytesTotal: 200 * 1024 ** 3,
  durationS: 120,
  exitCode: 0,
  ceilingC: 90,
  peaks: [
    { sensor: 'coretemp Package id 0', peakC: 81.5, ceilingC: 90 },
    { sensor: 'coretemp Package id 1', peakC: 79, ceilingC: 90 },
  ],
  thermalSamples: 120,
};
const CPU_COVERAGE = [
  tested({ kind: 'cpu', id: 'cpu', label: 'CPUs' }, 'stress-ng CPU load', { reason: '48 worker(s)' }),
  tested({ kind: 'memory', id: 'memory', label: 'memory' }, 'stress-ng vm --verify', { reason: '200 GiB under load', extent: { done: 200 * 1024 ** 3, total: 256 * 1024 ** 3, unit: 'bytes' } }),
  tested({ kind: 'sensor', id: 'thermal ceiling', label: 'temperature sensors' }, 'temperature under load', { required: false, reason: '3 sensor(s)' }),
];
export const MEMORY_SUMMARY = {
  tool: 'stressapptest',
  threads: 48,
  bytesTested: 230 * 1024 ** 3,
  memTotalBytes: 256 * 1024 ** 3,
  durationS: 300,
  elapsedS: 301.4,
  movedGB: 5923.1,
  bandwidthGBps: 19.65,
  miscompares: 0,
  exitCode: 0,
  edac: true,
  controllers: ['mc0 Skylake Socket#0 IMC#0', 'mc1 Skylake Socket#1 IMC#0'],
  maxCorrectedSinceBoot: 5,
  dimms: [
    { dimm: 'CPU_SrcID#0_MC#0_Chan#0_DIMM#0', location: 'mc0 channel 0 slot 0', serial: null, sizeBytes: 128 * 1024 ** 3, correctedBefore: 0, corrected: 0, maxCorrected: 0, uncorrected: 0, maxUncorrected: 0, outcome: 'passed' },
    { dimm: 'CPU_SrcID#1_MC#0_Chan#0_DIMM#0', location: 'mc1 channel 0 slot 0', serial: null, sizeBytes: 128 * 1024 ** 3, correctedBefore: 0, corrected: 0, maxCorrected: 0, uncorrected: 0, maxUncorrected: 0, outcome: 'passed' },
  ],
  machineChecks: [],
};
const MEMORY_COVERAGE = [
  tested({ kind: 'memory', id: 'memory', label: 'memory' }, 'pattern test under load', { reason: 'stressapptest over 230 GiB for 300 s', extent: { done: 230 * 1024 ** 3, total: 256 * 1024 ** 3, unit: 'bytes' } }),
  tested({ kind: 'dimm', id: 'mc0 CPU_SrcID#0_MC#0_Chan#0_DIMM#0', label: 'CPU_SrcID#0_MC#0_Chan#0_DIMM#0 (mc0 channel 0 slot 0)' }, 'ECC error counters under load'),
  tested({ kind: 'dimm', id: 'mc1 CPU_SrcID#1_MC#0_Chan#0_DIMM#0', label: 'CPU_SrcID#1_MC#0_Chan#0_DIMM#0 (mc1 channel 0 slot 0)' }, 'ECC error counters under load'),
  tested({ kind: 'system', id: 'machine-check log', label: 'machine checks (kernel log)' }, 'machine checks'),
];
export const PSU_SUMMARY = {
  telemetry: true,
  sensors: 2,
  rails: [
    { sensor: 'in0 12V', idleV: 12.05, minV: 11.91, dipFraction: 0.0116, maxDipFraction: 0.05 },
    { sensor: 'in1 5V', idleV: 5.02, minV: 4.98, dipFraction: 0.008, maxDipFraction: 0.05 },
  ],
  loads: [
    { load: 'cpu', ok: true, detail: 'stress-ng exit 0' },
    { load: 'disk', ok: true, detail: 'fio exit 0' },
  ],
};
const PSU_COVERAGE = [tested({ kind: 'psu', id: 'in0 12V', label: 'rail in0 12V' }, 'voltage under load'), tested({ kind: 'psu', id: 'in1 5V', label: 'rail in1 5V' }, 'voltage under load')];
// The emulated BMC's real sensors and an empty event log (agent/parsers/captured/qemu-selftest-bmc-2026-12/).
const bmcCapture = (f: string) => captured(`qemu-selftest-bmc-2026-12/${f}`);
export const BMC_SUMMARY = {
  bmc: snapshotFrom({ sdr: bmcCapture('ipmitool-sdr-elist.txt'), sel: bmcCapture('ipmitool-sel-elist-empty.txt'), selStderr: bmcCapture('ipmitool-sel-elist-empty.txt.stderr'), time: bmcCapture('ipmitool-sel-time-get.txt') }),
  baseline: 'inventory',
  duringRun: [],
  preExistingCritical: [],
};
export const BMC_COVERAGE = [tested({ kind: 'bmc', id: 'bmc', label: 'BMC (in band)' }, 'BMC event log during the run'), tested({ kind: 'bmc', id: 'bmc', label: 'BMC (in band)' }, 'BMC sensors read', { required: false })];
const GPU_NONE = { gpus: [] };
const GPU_COVERAGE = [notApplicable({ kind: 'gpu', id: 'gpus', label: 'GPUs' }, 'compute burn', 'no GPU in this host (nvidia-smi is not installed; no NVIDIA device on the PCI bus)')];
const SPEC_SUMMARY = { critical: 0, warning: 0, info: 1, compared: true };
const SPEC_COVERAGE = [tested({ kind: 'system', id: 'expected spec', label: 'hardware configuration' }, 'inventory against the expected spec')];

interface StageRowSpec {
  outcome: string | null;
  summary: unknown;
  coverage: CoverageEntry[] | null;
  message?: string | null;
}

/** What each stage of a clean standard run on the sample host leaves behind. */
function passingStages(): Record<string, StageRowSpec> {
  const known: Record<string, StageRowSpec> = {
    Inventory: { outcome: 'passed', summary: { inventory: INVENTORY }, coverage: [] },
    SpecValidate: { outcome: 'passed', summary: SPEC_SUMMARY, coverage: SPEC_COVERAGE },
    SMART: { outcome: 'passed', summary: SMART_SUMMARY, coverage: SMART_COVERAGE },
    CPUStress: { outcome: 'passed', summary: CPU_SUMMARY, coverage: CPU_COVERAGE },
    Memory: { outcome: 'passed', summary: MEMORY_SUMMARY, coverage: MEMORY_COVERAGE },
    Storage: { outcome: 'passed', summary: STORAGE_SUMMARY, coverage: STORAGE_COVERAGE },
    Network: { outcome: 'passed', summary: NETWORK_SUMMARY, coverage: NETWORK_COVERAGE },
    GPU: { outcome: 'skipped', summary: GPU_NONE, coverage: GPU_COVERAGE, message: 'no GPU to test: nvidia-smi is not installed' },
    PSU: { outcome: 'passed', summary: PSU_SUMMARY, coverage: PSU_COVERAGE },
    BMC: { outcome: 'passed', summary: BMC_SUMMARY, coverage: BMC_COVERAGE },
    Reporting: { outcome: 'passed', summary: null, coverage: [] },
  };
  // A stage added since these samples were written passes with the smallest summary its schema takes.
  for (const def of STAGES) known[def.name] ??= { outcome: 'passed', summary: minimalValue(def.summary), coverage: [] };
  return known;
}

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


/**
 * Every stage in order, one attempt each (3 minutes, CPUStress 30), with the
 * transitions the orchestrator writes. In state Reporting the last stage is
 * still open. Returns the time the last stage ended.
 */
function insertStages(db: Db, runId: number, start: number, stages: Record<string, StageRowSpec>, reporting: boolean): number {
  let t = start;
  let prev = 'WaitingForAgent';
  for (const name of STAGE_NAMES) {
    const s = stages[name];
    if (!s) break;
    const len = name === 'CPUStress' ? 30 * MIN : name === 'Reporting' ? 1000 : 3 * MIN;
    insertTransition(db, runId, prev, name, 'advance', 'orchestrator', t);
    if (name === 'Reporting' && reporting) insertStage(db, runId, name, 1, null, t, null);
    else insertStage(db, runId, name, 1, s.outcome, t, t + len, s.summary, s.message ?? null, s.coverage);
    prev = name;
    t += len;
  }
  return t;
}

/** A run that passed every stage and is in `state` (Completed, Released, or Reporting). */
export function makePassingRun(db: Db, hostId: number, state = 'Completed', start = T0): number {
  const end = start + 55 * MIN;
  const done = state !== 'Reporting';
  const runId = insertRun(db, hostId, { state, result: done ? 'pass' : null, start, completedAt: done ? end : null, bootMac: '3c:ec:ef:00:11:22', agentLastSeen: end });
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:alice', start - 60_000, 'bench slot 3');
  insertStages(db, runId, start, passingStages(), !done);
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

/** A run halted at FailedHolding after SMART failed on one disk (plus a spec warning recorded). */
export function makeFailedRun(db: Db, hostId: number, start = T0): number {
  const runId = insertRun(db, hostId, { state: 'FailedHolding', failedStage: 'SMART', holdReason: 'StageFailed', start, agentLastSeen: start + 10 * MIN });
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:bob', start - 60_000);
  insertTransition(db, runId, 'WaitingForAgent', 'Inventory', 'advance', 'orchestrator', start);
  insertStage(db, runId, 'Inventory', 1, 'passed', start, start + 2 * MIN, { inventory: INVENTORY }, null, []);
  insertTransition(db, runId, 'Inventory', 'SpecValidate', 'advance', 'orchestrator', start + 2 * MIN);
  insertStage(db, runId, 'SpecValidate', 1, 'passed', start + 2 * MIN, start + 2 * MIN + 500, { ...SPEC_SUMMARY, warning: 1, info: 0 }, null, SPEC_COVERAGE);
  insertTransition(db, runId, 'SpecValidate', 'SMART', 'advance', 'orchestrator', start + 2 * MIN + 500);
  insertStage(db, runId, 'SMART', 1, 'failed', start + 2 * MIN + 500, start + 4 * MIN, SMART_FAILED_SUMMARY, 'WD-A1: overall-health FAILED, 1872 reallocated sectors', SMART_COVERAGE);
  insertTransition(db, runId, 'SMART', 'FailedHolding', 'fail', 'orchestrator', start + 4 * MIN, 'SMART failed on WD-A1');
  db.prepare("INSERT INTO spec_diffs (run_id, field, expected, actual, severity, rule) VALUES (?, 'memory.totalBytes', '274877906944', '257698037760', 'warning', 'memory-size')").run(runId);
  insertMeasurements(db, runId, start, 4);
  return runId;
}

/**
 * A run that finished after a supervisor overrode the wipe-probe (Storage found
 * an LVM label on a disk): the first Storage attempt is 'overridden', an
 * 'override' transition carries who and why, and the second attempt passed,
 * overwriting the disk. Its result is pass-with-overrides; in state Reporting
 * it has none stored yet and the report draws it from the verdict rules.
 */
export function makeOverriddenRun(db: Db, hostId: number, start = T0, state: 'Completed' | 'Reporting' = 'Completed'): number {
  const end = start + 60 * MIN;
  const done = state === 'Completed';
  const runId = insertRun(db, hostId, { state, result: done ? 'pass-with-overrides' : null, start, completedAt: done ? end : null, wipeOverride: ['WD-A1'], agentLastSeen: end });
  const hit = { disk: 'WD-A1', device: '/dev/sda', found: ['LVM2_member'] };
  let t = start;
  let prev = 'WaitingForAgent';
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:carol', start - 60_000);
  const stages = passingStages();
  for (const name of STAGE_NAMES) {
    insertTransition(db, runId, prev, name, 'advance', 'orchestrator', t);
    if (name === 'Storage') {
      const why = 'the wipe-probe found data on WD-A1: nothing was written';
      insertStage(db, runId, 'Storage', 1, 'overridden', t, t + MIN, { stoppedAt: 'wipe-probe', unexpectedData: [hit], overridden: [] }, 'wipe-probe: LVM2_member on WD-A1', [
        notTested(NV, 'surface scan', why, true),
        notTested(WD, 'surface scan', why, true),
      ]);
      insertTransition(db, runId, 'Storage', 'FailedHolding', 'hold', 'orchestrator', t + MIN, 'UnexpectedData on WD-A1');
      insertTransition(db, runId, 'FailedHolding', 'Storage', 'override', 'supervisor:dana', t + 5 * MIN, 'disk is a replacement from stock; old LVM label is from the vendor burn-in', {
        stage: 'Storage',
        kind: 'wipe-probe',
        disks: ['WD-A1'],
      });
      t += 5 * MIN;
      insertStage(db, runId, 'Storage', 2, 'passed', t, t + 10 * MIN, { ...STORAGE_SUMMARY, overridden: [hit] }, null, STORAGE_COVERAGE);
      t += 10 * MIN;
    } else if (name === 'Reporting' && !done) {
      insertStage(db, runId, name, 1, null, t, null);
    } else {
      const s = stages[name]!;
      const len = name === 'Reporting' ? 1000 : 3 * MIN;
      insertStage(db, runId, name, 1, s.outcome, t, t + len, s.summary, s.message ?? null, s.coverage);
      t += len;
    }
    prev = name;
  }
  if (done) insertTransition(db, runId, 'Reporting', 'Completed', 'advance', 'orchestrator', end);
  insertMeasurements(db, runId, start, 30);
  return runId;
}

/**
 * A complete standard run whose result is incomplete: SMART could not be read
 * on the expected disk WD-A1 (smartctl failed), so that disk's health was
 * never judged, though every stage passed.
 */
export function makeIncompleteRun(db: Db, hostId: number, start = T0): number {
  const end = start + 55 * MIN;
  const runId = insertRun(db, hostId, { state: 'Completed', result: 'incomplete', start, completedAt: end, bootMac: '3c:ec:ef:00:11:22', agentLastSeen: end });
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:alice', start - 60_000);
  const why = 'smartctl could not run or its output was unreadable: exit status 2 (the device open failed)';
  const stages = passingStages();
  stages.SMART = {
    outcome: 'passed',
    summary: { ...SMART_SUMMARY, disks: [SMART_SUMMARY.disks[0], smartDisk('WD-A1', '/dev/sda', { outcome: 'not-tested', smartAvailable: false, health: null, exitCode: 2, reasons: [why] })] },
    coverage: [tested(NV, SMART_CHECK), notTested(WD, SMART_CHECK, why, true)],
    message: 'NV-001 passed; WD-A1 not tested: SMART unreadable',
  };
  insertStages(db, runId, start, stages, false);
  insertTransition(db, runId, 'Reporting', 'Completed', 'advance', 'orchestrator', end);
  insertMeasurements(db, runId, start, 10);
  return runId;
}

/** The smoke profile's surface scan: the first 16 MiB of each (64 MiB) disk. */
export const SMOKE_SCAN_BYTES = 16 * 1024 ** 2;
export const SMOKE_DISK_BYTES = 64 * 1024 ** 2;

/**
 * A completed smoke run on the host's expected disks, its stage results the
 * scripted agent's (test/support/stage-results.ts): everything passed, but the
 * surface scan read only the first 16 MiB of each 64 MiB disk and the profile
 * certifies nothing, so the result is incomplete.
 */
export function makeSmokeRun(db: Db, hostId: number, start = T0): number {
  const disks = (db.prepare('SELECT ident FROM host_disks WHERE host_id = ? ORDER BY position').all(hostId) as { ident: string }[]).map((r) => r.ident);
  const end = start + 5 * MIN;
  const runId = insertRun(db, hostId, { state: 'Completed', profile: 'smoke', result: 'incomplete', start, completedAt: end, agentLastSeen: end });
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:alice', start - 60_000);
  const stages: Record<string, StageRowSpec> = {};
  for (const name of STAGE_NAMES) {
    if (name === 'SpecValidate') stages[name] = { outcome: 'skipped', summary: { ...SPEC_SUMMARY, info: 0, compared: false }, coverage: [notApplicable(SPEC_COVERAGE[0]!.part, 'inventory against the expected spec', 'the host has no expected spec')] };
    else if (name === 'Reporting') stages[name] = { outcome: 'passed', summary: null, coverage: [] };
    // The sample host's own inventory, so the parts the stages name are the ones it lists.
    else if (name === 'Inventory') stages[name] = { outcome: 'passed', summary: { inventory: INVENTORY }, coverage: [] };
    else {
      const body = stageResultBody(name as AgentStageName, { disks, nicMac: INVENTORY.nics[0]!.mac });
      stages[name] = { outcome: body.outcome, summary: body.summary, coverage: body.coverage, message: body.message };
    }
  }
  // The scan stopped at 16 MiB: what the real Storage stage reports then (agent/stages/storage diskCoverage).
  const storage = stages.Storage!;
  const summary = storage.summary as { disks: { badblocks: { coveredBytes: number; diskBytes: number; lastBlock: number } }[] };
  for (const d of summary.disks) Object.assign(d.badblocks, { coveredBytes: SMOKE_SCAN_BYTES, diskBytes: SMOKE_DISK_BYTES, lastBlock: SMOKE_SCAN_BYTES / 4096 - 1 });
  storage.coverage = storage.coverage!.map((c) => {
    if (c.check !== 'surface scan') return c;
    const extent = { done: SMOKE_SCAN_BYTES, total: SMOKE_DISK_BYTES, unit: 'bytes' as const };
    return notTested(c.part, c.check, 'badblocks covered 16 MiB of 64 MiB (25 %)', true, extent);
  });
  insertStages(db, runId, start, stages, false);
  insertTransition(db, runId, 'Reporting', 'Completed', 'advance', 'orchestrator', end);
  return runId;
}
