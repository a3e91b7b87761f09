import type { PartChangeView } from '../../../common/schema/api.ts';
import type { PartKind } from '../../../common/schema/coverage.ts';
import type { RunResult } from '../../../common/schema/run.ts';
import type { CoverageLine } from '../../../common/verdict.ts';

// The data one report is made of. Every field is a plain JSON value (no
// undefined, no Date) so the same object serialises to report.json and renders
// to report.html; docs/report-format.md describes each field. Stage results are
// carried as their stages' own summaries (schemas in common/stages) and drawn
// from those schemas, so this file never re-types a summary.

export type Verdict = 'PASS' | 'FAIL' | 'PASS WITH OVERRIDES' | 'INCOMPLETE';
export type Severity = 'critical' | 'warning' | 'info';

export interface ReportRun {
  id: number;
  profile: string;
  /** State as the report presents it: a run being reported reads as Completed. */
  state: string;
  result: RunResult | null;
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

/** The latest attempt's result of one stage: its summary as stored (checked against its schema) and what it covered. */
export interface ReportStageResult {
  stage: string;
  attempt: number;
  outcome: string | null;
  summary: unknown;
  coverage: CoverageLine[];
}

/**
 * One part of the host the run speaks about: every part a stage's coverage or
 * summary names, joined with what the inventory knows of it (serial, model).
 * The printed report lists the replaceable ones; the OCP export declares each
 * as a hardware info.
 */
export interface ReportPart {
  kind: PartKind;
  /** The identity the bench knows it by: disk serial / WWN / loop:FILE, NIC MAC, GPU serial or UUID, sensor name. */
  id: string;
  /** What a person reads: the device, slot or model. */
  label: string | null;
  serial: string | null;
  model: string | null;
  /** Where it sits: device path, PCI address, slot. */
  location: string | null;
  /** Other identities of the same part (a disk's WWN or loop:FILE beside its serial, a GPU's UUID). */
  aliases: string[];
}

/** What changed on one part a stage measured since its previous run: the API's PartChangeView. */
export type ReportPartChange = PartChangeView;

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

export interface ReportData {
  run: ReportRun;
  host: ReportHost;
  verdict: {
    value: Verdict;
    /** The run's result as stored, or as the Reporting stage is about to store it; null while it runs. */
    result: RunResult | null;
    /** False for demonstration profiles (smoke, selftest): their reports never certify a host. */
    certifies: boolean;
    reasons: string[];
    overrides: ReportOverride[];
    /** Every part each stage claims, with the checks on parts the host names (common/verdict.ts). */
    coverage: CoverageLine[];
  };
  stages: ReportStage[];
  attempts: ReportStageAttempt[];
  specDiffs: ReportSpecDiff[];
  /** One entry per stage that stored a summary, in stage order. */
  results: ReportStageResult[];
  /** Every part the stages and the inventory name, by kind then id. */
  parts: ReportPart[];
  /**
   * Each part known by a serial (disk, DIMM, NIC, GPU) that a result measured, with what
   * changed since that part's previous run on this bench (common/part-changes.ts).
   */
  partChanges: ReportPartChange[];
  measurements: { aggregates: ReportAggregate[]; series: ReportSeries[]; thermalCeilingC: number | null };
  artifacts: ReportArtifact[];
  transitions: ReportTransition[];
}
