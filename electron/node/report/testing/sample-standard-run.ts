import { createHash } from 'node:crypto';
import { notApplicable, tested, type CoverageEntry, type PartRef } from '../../../../common/schema/coverage.ts';
import { parseStageSummary, STAGE_NAMES, type StageName } from '../../../../common/stages/index.ts';
import type { Db } from '../../store/db.ts';
import { componentsOf } from '../../history/components.ts';
import { ComponentStore } from '../../store/components.ts';
import { BMC_COVERAGE, BMC_SUMMARY, insertRun, insertStage, insertTransition, T0 } from './sample-runs.ts';

// A standard run of a typical repaired node, as the page-count test prints it:
// two sockets with twelve DIMMs, four disks (two NVMe, two SATA hard disks), two NICs, fourteen
// temperature sensors and two PSU rails sampled every 5 s for 70 minutes, the
// messages and artifacts the real stages leave (one tool output per disk and
// NIC). Every summary is checked against its stage's schema here, so the
// report draws it as it would a real run's.

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

export const STANDARD_HOST = { name: 'pve-node-12', serial: 'S-8812-QK', macs: ['ac:1f:6b:20:31:40', 'ac:1f:6b:20:31:41'] };

const DISKS = [
  { id: 'S64ANS0T512345', name: 'nvme0n1', model: 'SAMSUNG MZQL23T8HCLS-00A07', bytes: 3.84e12, cls: 'nvme', wwn: 'eui.36344630528012340025384500000001' },
  { id: 'S64ANS0T512346', name: 'nvme1n1', model: 'SAMSUNG MZQL23T8HCLS-00A07', bytes: 3.84e12, cls: 'nvme', wwn: 'eui.36344630528012350025384500000001' },
  { id: 'WD-WX12D81ABCDE', name: 'sda', model: 'WDC WD80EFZZ-68BTXN0', bytes: 8e12, cls: 'hdd', wwn: '0x50014ee2b5c1a2b3' },
  { id: 'WD-WX12D81ABCDF', name: 'sdb', model: 'WDC WD80EFZZ-68BTXN0', bytes: 8e12, cls: 'hdd', wwn: '0x50014ee2b5c1a2b4' },
] as const;
const NICS = [
  { name: 'eno1', mac: STANDARD_HOST.macs[0]!, link: 1000, driver: 'igb', address: '10.9.0.31' },
  { name: 'ens2f0', mac: STANDARD_HOST.macs[1]!, link: 25000, driver: 'mlx5_core', address: '10.9.1.31' },
];
const SENSORS = [
  'coretemp-isa-0000/Package id 0',
  'coretemp-isa-0001/Package id 1',
  ...[0, 1, 2, 3, 4, 5].map((c) => `coretemp-isa-0000/Core ${c}`),
  ...[0, 1].map((c) => `coretemp-isa-0001/Core ${c}`),
  'nvme-pci-0100/Composite',
  'nvme-pci-0200/Composite',
  'mlx5-pci-3b00/sensor0',
  'acpitz-acpi-0/temp1',
];
const RAILS = ['nct6798-isa-0290/in0 12V', 'nct6798-isa-0290/in1 5V'];

/** Two sockets, six channels each, one 32 GiB RDIMM per channel: 384 GiB. */
const DIMMS = Array.from({ length: 12 }, (_, i) => {
  const socket = Math.floor(i / 6);
  const channel = i % 6;
  return { dimm: `CPU_SrcID#${socket}_MC#${Math.floor(channel / 3)}_Chan#${channel % 3}_DIMM#0`, location: `mc${socket * 2 + Math.floor(channel / 3)} channel ${channel % 3} slot 0`, serial: `36ASF4G72PZ-${(0x1a2b3c00 + i).toString(16).toUpperCase()}` };
});

const diskPart = (d: (typeof DISKS)[number]): PartRef => ({ kind: 'disk', id: d.id, label: `${d.id} (/dev/${d.name})` });
const nicPart = (n: (typeof NICS)[number]): PartRef => ({ kind: 'nic', id: n.mac, label: `${n.name} (${n.mac})` });

interface StageSpec {
  outcome: string;
  summary: unknown;
  coverage: CoverageEntry[];
  message: string;
  minutes: number;
}

/**
 * `earlier`: the same host a month before, as its previous visit to the bench left it: the
 * first NVMe disk then did 18 % more IOPS, the hard disks answered faster, every disk had
 * 720 fewer power-on hours.
 */
type Visit = 'now' | 'earlier';

function stages(visit: Visit = 'now'): Partial<Record<StageName, StageSpec>> {
  const floors = { nvme: { minIops: 50_000, maxP99Ms: 5 }, hdd: { minIops: 100, maxP99Ms: 2_000 } };
  const earlier = visit === 'earlier';
  const fio = (d: (typeof DISKS)[number], i: number) =>
    d.cls === 'nvme'
      ? { iops: earlier && i === 0 ? 489_305 : 401_234 + i * 977, readIops: 200_600, writeIops: 200_634, p99Ms: 0.43, ioError: null, ...floors.nvme }
      : { iops: 231 + i, readIops: 116, writeIops: 115, p99Ms: earlier ? 180.1 : 212.5, ioError: null, ...floors.hdd };
  const storageDisks = DISKS.map((d, i) => ({
    disk: d.id,
    device: `/dev/${d.name}`,
    diskClass: d.cls,
    outcome: 'passed',
    reasons: [`no bad blocks`, `IOPS ${fio(d, i).iops} ≥ ${fio(d, i).minIops}`, `p99 ${fio(d, i).p99Ms} ms ≤ ${fio(d, i).maxP99Ms} ms`],
    badblocks: { blockSize: 4096, firstBlock: 0, lastBlock: d.bytes / 4096 - 1, badBlocks: 0, maxBadBlocks: 0, badRanges: [], coveredBytes: d.bytes, diskBytes: d.bytes, counts: { read: 0, write: 0, corruption: 0 } },
    fio: fio(d, i),
  }));
  return {
    Inventory: {
      outcome: 'passed',
      minutes: 1,
      message: `Supermicro SYS-2029U-TR4, Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz × 2, 80 threads, 384 GiB RAM, ${DISKS.length} disk(s), ${NICS.length} NIC(s)`,
      summary: {
        inventory: {
          system: { manufacturer: 'Supermicro', product: 'SYS-2029U-TR4', serial: STANDARD_HOST.serial, uuid: '00000000-0000-0000-0000-0000000000c1' },
          bios: { vendor: 'American Megatrends Inc.', version: '3.8a', date: '2024-02-19' },
          bmc: { version: '1.73.12' },
          cpu: { model: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz', sockets: 2, cores: 40, threads: 80 },
          memory: { totalBytes: 384 * 1024 ** 3 },
          disks: DISKS.map((d) => ({ name: d.name, path: `/dev/${d.name}`, serial: d.id, wwn: d.wwn, model: d.model, sizeBytes: d.bytes, rotational: d.cls === 'hdd', removable: false, transport: d.cls === 'nvme' ? 'nvme' : 'sata' })),
          nics: NICS.map((n) => ({ name: n.name, mac: n.mac, speedMbps: n.link, driver: n.driver, link: true })),
          gpus: [],
          missingTools: ['nvidia-smi'],
        },
      },
      coverage: [],
    },
    SpecValidate: {
      outcome: 'passed',
      minutes: 0,
      message: 'matches the expected spec (1 informational difference)',
      summary: { critical: 0, warning: 0, info: 1, compared: true },
      coverage: [tested({ kind: 'system', id: 'expected spec', label: 'hardware configuration' }, 'inventory against the expected spec')],
    },
    SMART: {
      outcome: 'passed',
      minutes: 1,
      message: `${DISKS.length} disk(s) healthy: ${DISKS.map((d) => `${d.id} PASSED`).join(', ')}`,
      summary: {
        disks: DISKS.map((d, i) => ({
          disk: d.id,
          device: `/dev/${d.name}`,
          type: d.cls === 'nvme' ? 'nvme' : 'sat',
          outcome: 'passed',
          smartAvailable: true,
          health: true,
          reallocated: d.cls === 'hdd' ? 0 : null,
          pending: d.cls === 'hdd' ? 0 : null,
          offlineUncorrectable: d.cls === 'hdd' ? 0 : null,
          endToEndErrors: d.cls === 'hdd' ? 0 : null,
          mediaErrors: d.cls === 'nvme' ? 0 : null,
          criticalWarning: d.cls === 'nvme' ? 0 : null,
          temperatureC: 34 + i,
          powerOnHours: 18_000 + i * 1_234 - (earlier ? 720 : 0),
          exitCode: 0,
          reasons: ['SMART overall-health PASSED'],
        })),
        missing: [],
        notes: [],
      },
      coverage: DISKS.map((d) => tested(diskPart(d), 'SMART health and counters')),
    },
    CPUStress: {
      outcome: 'passed',
      minutes: 2,
      message: 'stress-ng completed successfully: 80 cpu worker(s), 40 vm worker(s) over 345 GiB, 120 s; hottest Package id 0 at 81.0 °C (ceiling 90 °C)',
      summary: {
        metrics: [
          { stressor: 'cpu', bogoOps: 9_876_543, bogoOpsPerSecReal: 82_304.5 },
          { stressor: 'vm', bogoOps: 345_678, bogoOpsPerSecReal: 2_880.6 },
        ],
        cpuWorkers: 80,
        vmWorkers: 40,
        vmBytesTotal: 345 * 1024 ** 3,
        durationS: 120,
        exitCode: 0,
        ceilingC: 90,
        peaks: SENSORS.slice(0, 4).map((s, i) => ({ sensor: s, peakC: 81 - i * 2, ceilingC: 90 })),
        thermalSamples: 24 * SENSORS.length,
      },
      coverage: [
        tested({ kind: 'cpu', id: 'cpu', label: 'CPUs' }, 'stress-ng CPU load', { reason: '80 worker(s)' }),
        tested({ kind: 'memory', id: 'memory', label: 'memory' }, 'stress-ng vm --verify', { reason: '345 GiB under load', extent: { done: 345 * 1024 ** 3, total: 384 * 1024 ** 3, unit: 'bytes' } }),
        tested({ kind: 'sensor', id: 'thermal ceiling', label: 'temperature sensors' }, 'temperature under load', { required: false, reason: `${SENSORS.length} sensor(s)` }),
      ],
    },
    Memory: {
      outcome: 'passed',
      minutes: 6,
      message: `stressapptest over 345 GiB for 300 s: 0 miscompares; ${DIMMS.length} DIMM(s), no corrected or uncorrected errors; no machine checks`,
      summary: {
        tool: 'stressapptest',
        threads: 80,
        bytesTested: 345 * 1024 ** 3,
        memTotalBytes: 384 * 1024 ** 3,
        durationS: 300,
        elapsedS: 301.2,
        movedGB: 8876.4,
        bandwidthGBps: 29.47,
        miscompares: 0,
        exitCode: 0,
        edac: true,
        controllers: ['mc0', 'mc1', 'mc2', 'mc3'].map((m, i) => `${m} Skylake Socket#${Math.floor(i / 2)} IMC#${i % 2}`),
        maxCorrectedSinceBoot: 5,
        dimms: DIMMS.map((d) => ({ ...d, sizeBytes: 32 * 1024 ** 3, correctedBefore: 0, corrected: 0, maxCorrected: 0, uncorrected: 0, maxUncorrected: 0, outcome: 'passed' })),
        machineChecks: [],
      },
      coverage: [
        tested({ kind: 'memory', id: 'memory', label: 'memory' }, 'pattern test under load', { reason: 'stressapptest over 345 GiB for 300 s', extent: { done: 345 * 1024 ** 3, total: 384 * 1024 ** 3, unit: 'bytes' } }),
        ...DIMMS.map((d) => tested({ kind: 'dimm', id: d.serial, label: `${d.dimm} (${d.location}, serial ${d.serial})` }, 'ECC error counters under load')),
        tested({ kind: 'system', id: 'machine-check log', label: 'machine checks (kernel log)' }, 'machine checks'),
      ],
    },
    Storage: {
      outcome: 'passed',
      minutes: 55,
      message: `${DISKS.length} disk(s) passed. ${storageDisks.map((d) => `${d.disk} (${d.device}): passed: ${d.reasons.join('; ')}`).join(' | ')}`,
      summary: { overridden: [], disks: storageDisks },
      coverage: DISKS.flatMap((d) => [tested(diskPart(d), 'surface scan', { extent: { done: d.bytes, total: d.bytes, unit: 'bytes' } }), tested(diskPart(d), 'random I/O')]),
    },
    Network: {
      outcome: 'passed',
      minutes: 1,
      message: NICS.map((n) => `${n.name}: ${(n.link * 0.94).toFixed(1)} Mbit/s ≥ floor ${(n.link * 0.9).toFixed(1)} Mbit/s (0.9 × ${n.link} Mbit/s link)`).join('; '),
      summary: {
        nics: NICS.map((n) => ({ nic: n.name, mac: n.mac, address: n.address, outcome: 'passed', linkMbps: n.link, linkSpeedAssumed: false, goodputMbps: n.link * 0.94, floorMbps: n.link * 0.9, retransmits: 2, reason: `${(n.link * 0.94).toFixed(1)} Mbit/s ≥ floor ${(n.link * 0.9).toFixed(1)} Mbit/s` })),
        server: { host: '10.9.0.1', port: 5201 },
      },
      coverage: NICS.map((n) => tested(nicPart(n), 'iperf3 throughput')),
    },
    GPU: {
      outcome: 'skipped',
      minutes: 0,
      message: 'no GPU to test: nvidia-smi is not installed',
      summary: { gpus: [] },
      coverage: [notApplicable({ kind: 'gpu', id: 'gpus', label: 'GPUs' }, 'compute burn', 'no GPU in this host (nvidia-smi is not installed; no NVIDIA device on the PCI bus)')],
    },
    PSU: {
      outcome: 'passed',
      minutes: 2,
      message: 'every rail within 5 % under combined CPU and disk load: 12V dipped 1.2 %, 5V 0.8 %',
      summary: {
        telemetry: true,
        sensors: RAILS.length,
        rails: RAILS.map((r, i) => ({ sensor: r, idleV: i ? 5.02 : 12.05, minV: i ? 4.98 : 11.91, dipFraction: i ? 0.008 : 0.0116, maxDipFraction: 0.05 })),
        loads: [
          { load: 'cpu', ok: true, detail: 'stress-ng exit 0' },
          { load: 'disk', ok: true, detail: 'fio exit 0' },
        ],
      },
      coverage: RAILS.map((r) => tested({ kind: 'psu', id: r, label: `rail ${r}` }, 'voltage under load')),
    },
    BMC: {
      outcome: 'passed',
      minutes: 0,
      message: 'no new event-log record during the run',
      summary: BMC_SUMMARY,
      coverage: BMC_COVERAGE,
    },
  };
}

function insertSamples(db: Db, runId: number, start: number, minutes: number, stressFrom: number, stressTo: number, psuFrom: number, psuTo: number): void {
  const ins = db.prepare('INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let t = 0; t <= minutes * MIN; t += 5000) {
      const load = t >= stressFrom && t < stressTo ? 1 : t >= psuFrom && t < psuTo ? 0.8 : 0;
      const s = t / 1000;
      SENSORS.forEach((sensor, k) => ins.run(runId, 'thermal', sensor, 36 + k * 0.7 + load * (40 - k * 2) + 2 * Math.sin(s / (30 + k)), '°C', start + t));
      if (t >= psuFrom && t < psuTo) RAILS.forEach((r, k) => ins.run(runId, 'psu', r, (k ? 5.02 : 12.05) * (1 - 0.01 * Math.abs(Math.sin(s / (20 + k)))), 'V', start + t));
    }
  })();
  // The figures stages report as measurements (one per disk and NIC), as the agent sends them.
  const end = start + minutes * MIN;
  DISKS.forEach((d, i) => {
    ins.run(runId, 'storage', `${d.id}/iops`, d.cls === 'nvme' ? 401_234 + i : 231 + i, 'IOPS', end - 10 * MIN);
    ins.run(runId, 'storage', `${d.id}/p99`, d.cls === 'nvme' ? 0.43 : 212.5, 'ms', end - 10 * MIN);
  });
  NICS.forEach((n) => ins.run(runId, 'network', `${n.name}/goodput`, n.link * 0.94, 'Mbit/s', end - 5 * MIN));
}

function insertArtifacts(db: Db, runId: number, at: number): void {
  const names = [
    ['Inventory', 'inventory.json'],
    ['Inventory', 'lshw.json'],
    ['Inventory', 'dmidecode.txt'],
    ['Inventory', 'lspci.txt'],
    ...DISKS.map((d) => ['SMART', `smartctl-${d.name}.json`]),
    ['CPUStress', 'stress-ng.yaml'],
    ['CPUStress', 'stress-ng.txt'],
    ...DISKS.flatMap((d) => [
      ['Storage', `badblocks-${d.name}.txt`],
      ['Storage', `fio-${d.name}.json`],
    ]),
    ...NICS.map((n) => ['Network', `iperf3-${n.name}.json`]),
    ['PSU', 'psu-samples.json'],
  ];
  const ins = db.prepare('INSERT INTO artifacts (run_id, stage, kind, name, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  names.forEach(([stage, name], i) => ins.run(runId, stage, 'tool-output', name, `artifacts/run-${runId}/agent/${name}`, 1_000 + i * 7_919, createHash('sha256').update(name!).digest('hex'), iso(at)));
}

/**
 * A completed, passing standard run of STANDARD_HOST (registered with its MACs and four
 * expected disks); returns the run id. With `history`, the host was on the bench a month
 * before (the `earlier` visit) and the component history holds both runs' parts, as the
 * orchestrator records them, so the report shows what changed since.
 */
export function makeStandardRun(db: Db, start = T0, opts: { history?: boolean } = {}): number {
  const at = iso(start - (opts.history ? 40 : 1) * 86_400_000);
  const hostId = Number(db.prepare('INSERT INTO hosts (name, profile, created_at, updated_at) VALUES (?, ?, ?, ?)').run(STANDARD_HOST.name, 'standard', at, at).lastInsertRowid);
  for (const mac of STANDARD_HOST.macs) db.prepare('INSERT INTO host_macs (host_id, mac) VALUES (?, ?)').run(hostId, mac);
  DISKS.forEach((d, i) => db.prepare('INSERT INTO host_disks (host_id, ident, kind, position) VALUES (?, ?, ?, ?)').run(hostId, d.id, 'serial', i));
  if (opts.history) recordHistory(db, insertStandardRun(db, hostId, start - 30 * 86_400_000, 'earlier'));
  const runId = insertStandardRun(db, hostId, start, 'now');
  if (opts.history) recordHistory(db, runId);
  return runId;
}

/** The parts each stored attempt of a run names, with their figures, recorded as the orchestrator does after each stage result. */
function recordHistory(db: Db, runId: number): void {
  const { host_id: hostId } = db.prepare('SELECT host_id FROM runs WHERE id = ?').get(runId) as { host_id: number };
  const components = new ComponentStore(db);
  const rows = db.prepare('SELECT id, name, attempt, outcome, completed_at, summary_json FROM stages WHERE run_id = ? AND summary_json IS NOT NULL ORDER BY id').all(runId) as {
    id: number;
    name: StageName;
    attempt: number;
    outcome: string;
    completed_at: string;
    summary_json: string;
  }[];
  for (const r of rows) {
    const mentions = componentsOf(r.name, JSON.parse(r.summary_json), hostId);
    if (mentions.length) components.record({ runId, stageId: r.id, stage: r.name, attempt: r.attempt, hostId, outcome: r.outcome, at: r.completed_at }, mentions);
  }
}

function insertStandardRun(db: Db, hostId: number, start: number, visit: Visit): number {
  const specs = stages(visit);
  let t = start;
  let prev = 'WaitingForAgent';
  const windows: Partial<Record<StageName, [number, number]>> = {};
  const runId = insertRun(db, hostId, { state: 'Completed', result: 'pass', start, bootMac: STANDARD_HOST.macs[0]!, agentLastSeen: start });
  insertTransition(db, runId, null, 'WaitingForAgent', 'start', 'operator:erin', start - MIN, 'bench slot 2, after PSU swap');
  insertTransition(db, runId, 'WaitingForAgent', 'Inventory', 'agent-connected', 'agent', start);
  for (const name of STAGE_NAMES) {
    if (name === 'Reporting') {
      insertStage(db, runId, name, 1, 'passed', t, t + 1000, null, null, []);
      insertTransition(db, runId, prev, name, 'stage-passed', 'orchestrator', t);
      break;
    }
    const s = specs[name];
    if (!s) throw new Error(`the standard sample has no result for ${name} (a stage added since: give it one here)`);
    const checked = parseStageSummary(name, s.outcome, s.summary);
    if (!checked.ok) throw new Error(`sample ${name} summary does not match its schema: ${checked.problems.join('; ')}`);
    if (name !== 'Inventory') insertTransition(db, runId, prev, name, 'stage-passed', 'orchestrator', t);
    insertStage(db, runId, name, 1, s.outcome, t, t + s.minutes * MIN, checked.summary, s.message, s.coverage);
    windows[name] = [t - start, t - start + s.minutes * MIN];
    prev = name;
    t += s.minutes * MIN;
  }
  const end = t + 1000;
  insertTransition(db, runId, 'Reporting', 'Completed', 'advance', 'orchestrator', end);
  db.prepare('UPDATE runs SET completed_at = ?, updated_at = ?, agent_last_seen = ?, dmi_serial = ? WHERE id = ?').run(iso(end), iso(end), iso(end), STANDARD_HOST.serial, runId);
  db.prepare("INSERT INTO spec_diffs (run_id, field, expected, actual, severity, rule) VALUES (?, 'bios.version', '3.8', '3.8a', 'info', 'bios-version')").run(runId);
  const minutes = Math.ceil((end - start) / MIN);
  insertSamples(db, runId, start, minutes, windows.CPUStress![0], windows.CPUStress![1], windows.PSU![0], windows.PSU![1]);
  insertArtifacts(db, runId, end);
  return runId;
}
