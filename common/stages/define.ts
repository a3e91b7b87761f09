import type { z } from 'zod';
import type { PartKind } from '../schema/coverage.ts';

// What one stage declares about itself, in one place, importable by every side
// (agent, orchestrator, UI, report, CLI). Like a MAAS testing script's metadata:
// the orchestrator schedules from it, the profile schema is built from its
// parameters, stored summaries are checked against its summary schema, and the
// report, the UI and the OCP output draw the summary from that schema's
// annotations (see summary-view.ts), so a new stage needs no code there.

export type StageOwner = 'agent' | 'orchestrator';

/** A program the stage runs and the Debian package that ships it (the live image installs it). */
export interface StageTool {
  binary: string;
  debianPackage: string;
  /** The stage still says something useful without it (and reports what it could not test). */
  optional?: boolean;
  /** Why the stage needs it, for docs and `selftest --install-tools`. */
  why: string;
}

/**
 * How a summary field is presented, attached with zod's `.meta()`. Everything
 * is optional: an unannotated field is shown under its own name.
 */
export interface SummaryFieldMeta {
  /** Column or label text. */
  title?: string;
  /** Unit printed after the value: "IOPS", "ms", "°C", "Mbit/s", "V". */
  unit?: string;
  /** How to print a number ('plain': no digit grouping, for ports and ids). */
  format?: 'bytes' | 'percent' | 'fraction-percent' | 'seconds' | 'plain';
  /** Name of a sibling field holding the floor this value had to reach (≥). */
  floor?: string;
  /** Name of a sibling field holding the ceiling this value had to stay under (≤). */
  ceiling?: string;
  /**
   * The value had to stay strictly below its ceiling (<): reaching it already fails the
   * stage, as a temperature reaching max_temp_c does.
   */
  below?: boolean;
  /** Kept in report.json and the raw view, not drawn in tables. */
  hidden?: boolean;
  /** The field that identifies the row's part (for history, OCP hardware ids). */
  partId?: boolean;
  /** The field that says where the part sits on this host (a DIMM's slot, a disk's device), kept with its history. */
  partLabel?: boolean;
  /** A figure worth exporting as a measurement (OCP) and charting over a part's history. */
  measure?: boolean;
  /**
   * Which way a figure is better, where no floor or ceiling says so (a floor means higher,
   * a ceiling lower): a change since the part's previous run is then called worse or better.
   */
  better?: 'higher' | 'lower';
  /**
   * The sibling field (a row's result) this text explains: where it says `passed`, the
   * judged cells beside it already say why, so a printout may leave the text out.
   */
  explains?: string;
}

/** Annotations on an array of records (drawn as one table). */
export interface SummaryTableMeta {
  title?: string;
  /** The kind of part each row describes. */
  part?: PartKind;
  /** The rows name parts that were looked for and not found: no sign the part was there. */
  absent?: boolean;
  /**
   * Rows whose `field` holds one of `values` are routine: the printed report counts them
   * instead of listing each (a server's BMC reads a hundred sensors, nearly all "ok");
   * the run page and report.json keep every row.
   */
  routine?: { field: string; values: string[] };
}

/**
 * What the estimate of a run's end knows of the host under test: from this
 * run's inventory once it has one, before that from the host's spec and its
 * last inventory, or only what the host's registration says.
 */
export interface EstimateHost {
  /** The disks the destructive stages test (the host's expected disks): size and class where known. */
  disks: readonly {
    bytes: number | null;
    diskClass: 'nvme' | 'ssd' | 'hdd' | null;
    /** Whether the disk speaks SMART and so runs a self-test (a loop device does not; null: not known, counted as yes). */
    smart: boolean | null;
  }[];
  /** Every disk the host shows (Inventory asks each for its identity). */
  allDisks: number;
  /** Network cards the Network stage will test, one after another (at least one). */
  nics: number;
  /** GPUs to burn (null: not known; counted as none). */
  gpus: number | null;
  /** Whether the host reports voltage or power sensors, which the PSU stage judges (null: not known). */
  psuTelemetry: boolean | null;
  memoryBytes: number | null;
  /**
   * Whether the agent reaches a BMC in band (Inventory and the BMC stage read it). Null: not
   * known, counted as no (the reads cost seconds of a run that lasts hours on a real server,
   * and most of a smoke run on a bench without one).
   */
  bmc: boolean | null;
}

/** One item's latest progress report in a running attempt (stage-progress, docs/protocol.md). */
export interface EstimateProgress {
  item: string | null;
  percent: number | null;
  /** Seconds left as the agent said, `ageS` ago. */
  etaS: number | null;
  message: string | null;
  ageS: number;
}

export interface StageDefinition<
  N extends string = string,
  K extends string | null = string | null,
  P extends z.ZodObject | null = z.ZodObject | null,
  S extends z.ZodObject = z.ZodObject,
  O extends StageOwner = StageOwner,
> {
  name: N;
  owner: O;
  /** Destroys data on the host's disks; gated by identity, allowlist and wipe-probe. */
  destructive: boolean;
  /** One line for the UI and the report. */
  title: string;
  /** The profile section holding this stage's parameters (null: none). */
  paramsKey: K;
  params: P;
  /**
   * The longest the stage may take with these parameters, in seconds, before the
   * orchestrator treats it as stuck; also the basis of the run's ETA.
   */
  timeoutS: (params: P extends z.ZodObject ? z.infer<P> : null) => number;
  /**
   * How long the stage should take with these parameters on this host, in
   * seconds: the run's estimated end is drawn from it (default: the timeout).
   */
  expectedS?: (params: P extends z.ZodObject ? z.infer<P> : null, host: EstimateHost) => number;
  /**
   * Seconds left in a running attempt, from what its progress reports say
   * (null: nothing yet). Without it, the longest etaS of its items, or what
   * their percentages say of the time spent so far.
   */
  remainingS?: (params: P extends z.ZodObject ? z.infer<P> : null, host: EstimateHost, progress: readonly EstimateProgress[], elapsedS: number) => number | null;
  tools: readonly StageTool[];
  /** The kinds of part its coverage speaks for (the orchestrator checks named parts against them). */
  covers: readonly PartKind[];
  /** The result summary of a passed, failed or skipped attempt (an `error` may carry StageErrorSummary instead). */
  summary: S;
}

/** Identity function that keeps the literal types of a definition (name, key, schemas). */
export function defineStage<const N extends string, const K extends string | null, P extends z.ZodObject | null, S extends z.ZodObject, const O extends StageOwner>(
  def: StageDefinition<N, K, P, S, O>,
): StageDefinition<N, K, P, S, O> {
  return def;
}
