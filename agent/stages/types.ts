import type { CoverageEntry } from '../../common/schema/coverage.ts';
import type { AgentOutcome, Sample, WipeProbeHit, Welcome } from '../../common/schema/protocol.ts';
import type { ProfileParams } from '../../common/schema/profile.ts';
import type { AgentStageName, StageErrorSummary, StageName, StageSummaryInput } from '../../common/stages/index.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ToolRunner } from '../runtime/tool-runner.ts';

// What a stage's agent code receives and returns. A stage never talks to the
// socket itself: it reports progress and artifacts through the context and
// returns one outcome, which the runtime turns into a `stage-result` message.
// The summary's type is the stage's own schema (common/stages/<stage>.ts), so
// the agent cannot send a shape the orchestrator would refuse.

export interface StageProgressUpdate {
  /** Per-disk / per-NIC progress names its item. */
  item?: string;
  percent?: number;
  etaS?: number;
  message?: string;
}

/** Host paths a stage reads; tests point them at fake trees. */
export interface HostPaths {
  /**
   * Where every sensor and health read comes from (`--sysfs-root`, default /sys):
   * class/hwmon, devices/system/edac, bus/pci/devices (link state),
   * class/net/<nic>/statistics. Tests feed fake trees here.
   */
  sysfsRoot: string;
  /**
   * The real sysfs (default /sys): disk identity, NIC and GPU discovery. Never a
   * fake tree from the command line, so a fake tree can never point a
   * destructive test at a disk.
   */
  sysRoot: string;
  /** procfs; default /proc. */
  procRoot: string;
  /** Scratch directory for tool output files. */
  workDir: string;
}

/** The part of the welcome message stages use. */
export type StageWelcome = Pick<Welcome, 'params' | 'maxTempC' | 'expectedDisks' | 'deviceAllowlist' | 'iperf'>;

export interface StageContext {
  stage: StageName;
  attempt: number;
  welcome: StageWelcome;
  params: ProfileParams;
  /** Disk ids whose wipe-probe findings a supervisor overrode for this attempt. */
  wipeOverride: readonly string[];
  signal: AbortSignal;
  runTool: ToolRunner;
  progress(update: StageProgressUpdate): void;
  /** Stores an artifact (uploaded to the orchestrator); never throws. */
  artifact(name: string, body: string | Uint8Array): Promise<void>;
  log: Logger;
  paths: HostPaths;
}

export interface StageOutcomeReport<N extends AgentStageName = AgentStageName> {
  outcome: AgentOutcome;
  message: string;
  /** The stage's summary; an `error` that never got that far may send a StageErrorSummary. */
  summary: StageSummaryInput<N> | StageErrorSummary;
  /** What the attempt covered, per part (common/schema/coverage.ts). */
  coverage: CoverageEntry[];
  unexpectedData?: WipeProbeHit[];
  measurements?: Sample[];
}

export interface StageModule<N extends AgentStageName = AgentStageName> {
  name: N;
  run(ctx: StageContext): Promise<StageOutcomeReport<N>>;
}
