// The data one report is made of. Every field is a plain JSON value (no
// undefined, no Date) so the same object serialises to report.json and renders
// to report.html; docs/report-format.md describes each field.

export type Verdict = 'PASS' | 'FAIL' | 'PASS WITH OVERRIDES' | 'INCOMPLETE';
export type Severity = 'critical' | 'warning' | 'info';

export interface ReportRun {
  id: number;
  profile: string;
  /** State as the report presents it: a run being reported reads as Completed. */
  state: string;
  result: 'pass' | 'fail' | null;
  holdReason: string | null;
  failedStage: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  agentLost: boolean;
  wipeOverride: string[];
}

export interface ReportHost {
  name: string;
  serial: string | null;
  manufacturer: string | null;
  model: string | null;
  macs: string[];
  bootMac: string | null;
  expectedDisks: string[];
  cpu: string | null;
  memoryBytes: number | null;
  bios: string | null;
}

export interface ReportOverride {
  stage: string | null;
  actor: string;
  reason: string | null;
  at: string | null;
  detail: unknown;
}

export interface ReportStageAttempt {
  name: string;
  attempt: number;
  outcome: string | null;
  message: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
}

export interface ReportStage extends ReportStageAttempt {
  owner: 'agent' | 'orchestrator';
  /** Number of attempts made; 0 when the run never reached the stage. */
  attempts: number;
}

export interface ReportSpecDiff {
  field: string;
  expected: string | null;
  actual: string | null;
  severity: Severity;
  rule: string;
}

export interface ReportSmartDisk {
  disk: string;
  device: string | null;
  model: string | null;
  serial: string | null;
  healthPassed: boolean | null;
  reallocated: number | null;
  pending: number | null;
  offlineUncorrectable: number | null;
  mediaErrors: number | null;
  criticalWarning: number | null;
  temperatureC: number | null;
  passed: boolean | null;
  reasons: string[];
}

export interface ReportStorageDisk {
  disk: string;
  device: string | null;
  class: string | null;
  badBlocks: number | null;
  iops: number | null;
  p99Ms: number | null;
  minIops: number | null;
  maxP99Ms: number | null;
  passed: boolean | null;
}

export interface ReportNic {
  nic: string;
  bps: number | null;
  floorBps: number | null;
  linkMbps: number | null;
  passed: boolean | null;
}

export interface ReportCpuStress {
  maxTempC: number | null;
  ceilingC: number | null;
  exitCode: number | null;
}

export interface ReportPsuRail {
  sensor: string;
  baseline: number | null;
  min: number | null;
  dipFraction: number | null;
}

/** A stage summary whose shape the report does not know, flattened to key/value pairs. */
export interface ReportOtherSummary {
  stage: string;
  attempt: number;
  entries: [string, string][];
}

export interface ReportAggregate {
  kind: string;
  sensor: string;
  unit: string;
  count: number;
  min: number;
  max: number;
  avg: number;
  firstTs: number;
  lastTs: number;
}

export interface ReportSeries {
  kind: string;
  sensor: string;
  unit: string;
  /** Downsampled (LTTB) [epoch ms, value] pairs. */
  points: [number, number][];
}

export interface ReportArtifact {
  name: string;
  kind: string;
  stage: string | null;
  size: number;
  sha256: string;
  createdAt: string;
}

export interface ReportTransition {
  from: string | null;
  to: string;
  action: string;
  actor: string;
  reason: string | null;
  detail: unknown;
  at: string;
}

/** The live image the run booted (its manifest, kept with the run; electron/node/report/image.ts). */
export interface ReportImage {
  id: string;
  flavour: string;
  builtAt: string | null;
  kernel: string;
  packages: { name: string; version: string }[];
  firmwarePackages: { name: string; version: string }[];
  firmwareFiles: number;
  firmwareUnavailable: number;
}

export interface ReportData {
  run: ReportRun;
  host: ReportHost;
  verdict: { value: Verdict; reasons: string[]; overrides: ReportOverride[] };
  stages: ReportStage[];
  attempts: ReportStageAttempt[];
  specDiffs: ReportSpecDiff[];
  smart: ReportSmartDisk[];
  storage: ReportStorageDisk[];
  network: ReportNic[];
  cpuStress: ReportCpuStress | null;
  psu: ReportPsuRail[];
  otherSummaries: ReportOtherSummary[];
  measurements: { aggregates: ReportAggregate[]; series: ReportSeries[]; thermalCeilingC: number | null };
  artifacts: ReportArtifact[];
  transitions: ReportTransition[];
  /** The live image the host booted for this run; absent or null when none was recorded. */
  image?: ReportImage | null;
}
