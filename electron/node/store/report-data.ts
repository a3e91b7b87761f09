import type { Db } from './db.ts';
import type { ChartSeries, MeasurementStore, SeriesSummary } from './measurements.ts';
import type { RunRow, StageRow } from './runs.ts';

// The reads a run's report is built from (report/gather.ts), and the rows of
// the report files it writes. Every read has a stable ORDER BY: the same rows
// must always give the same report bytes.

export interface ReportHostRow {
  id: number;
  name: string;
  max_temp_c: number | null;
}

export interface ReportTransitionRow {
  from_state: string | null;
  to_state: string;
  action: string;
  actor: string;
  reason: string | null;
  /** Raw text: the report shows text it cannot parse instead of dropping it. */
  detail_json: string | null;
  at: string;
}

export interface ReportSpecDiffRow {
  field: string;
  expected: string | null;
  actual: string | null;
  severity: 'critical' | 'warning' | 'info';
  rule: string;
}

export interface ReportArtifactRow {
  name: string;
  kind: string;
  stage: string | null;
  size: number;
  sha256: string;
  createdAt: string;
}

/** One file the report wrote, as its artifact row records it (path relative to the data directory). */
export interface ReportFileRow {
  kind: string;
  name: string;
  path: string;
  size: number;
  sha256: string;
}

export class ReportDataStore {
  constructor(
    private readonly db: Db,
    private readonly measurements: MeasurementStore,
  ) {}

  /** The run's columns the report uses (the rest of RunRow is left out). */
  run(runId: number): RunRow | null {
    return (
      (this.db
        .prepare(
          `SELECT id, host_id, profile, state, hold_reason, result, failed_stage, wipe_override_json, agent_lost,
                  boot_mac, dmi_serial, created_at, started_at, completed_at FROM runs WHERE id = ?`,
        )
        .get(runId) as RunRow | undefined) ?? null
    );
  }

  host(hostId: number): ReportHostRow {
    return this.db.prepare('SELECT id, name, max_temp_c FROM hosts WHERE id = ?').get(hostId) as ReportHostRow;
  }

  registeredMacs(hostId: number): string[] {
    return (this.db.prepare('SELECT mac FROM host_macs WHERE host_id = ? ORDER BY mac').all(hostId) as { mac: string }[]).map((r) => r.mac);
  }

  expectedDisks(hostId: number): string[] {
    return (this.db.prepare('SELECT ident FROM host_disks WHERE host_id = ? ORDER BY position, ident').all(hostId) as { ident: string }[]).map((r) => r.ident);
  }

  /** Every stage attempt of the run, in the order they were opened (the columns the report uses). */
  stageRows(runId: number): StageRow[] {
    return this.db
      .prepare('SELECT name, attempt, outcome, message, started_at, completed_at, summary_json FROM stages WHERE run_id = ? ORDER BY id')
      .all(runId) as StageRow[];
  }

  transitionRows(runId: number): ReportTransitionRow[] {
    return this.db
      .prepare('SELECT from_state, to_state, action, actor, reason, detail_json, at FROM transitions WHERE run_id = ? ORDER BY id')
      .all(runId) as ReportTransitionRow[];
  }

  specDiffs(runId: number): ReportSpecDiffRow[] {
    return this.db.prepare('SELECT field, expected, actual, severity, rule FROM spec_diffs WHERE run_id = ? ORDER BY id').all(runId) as ReportSpecDiffRow[];
  }

  /**
   * Count, min, max, average and time span per measured series of the run,
   * from the per-minute rollup: the cost follows the run's minutes, not its samples.
   */
  measurementAggregates(runId: number): SeriesSummary[] {
    return this.measurements.seriesSummaries(runId);
  }

  /**
   * One kind's series for a printed chart, at most `points` points each: as the
   * run page's chart reads them (MeasurementStore.chartSeries), raw samples for
   * short runs and the rollup's min/max envelope for long ones. The answer is
   * shared with other readers: copy before changing it.
   */
  chartSeries(runId: number, kind: string, points: number): ReadonlyMap<string, Readonly<ChartSeries>> {
    return this.measurements.chartSeries(runId, kind, { points });
  }

  /** The run's artifacts by name, leaving out the given kinds. */
  artifactsExcept(runId: number, kinds: readonly string[]): ReportArtifactRow[] {
    return this.db
      .prepare(
        `SELECT name, kind, stage, size, sha256, created_at AS createdAt FROM artifacts
         WHERE run_id = ? AND kind NOT IN (${kinds.map(() => '?').join(',')}) ORDER BY name`,
      )
      .all(runId, ...kinds) as ReportArtifactRow[];
  }

  /** Records the report's files as artifacts of stage Reporting, all at once, replacing earlier rows of the same names. */
  saveReportFiles(runId: number, files: ReportFileRow[], at: string): void {
    const upsert = this.db.prepare(
      `INSERT INTO artifacts (run_id, stage, kind, name, path, size, sha256, created_at) VALUES (?, 'Reporting', ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, name) DO UPDATE SET stage = excluded.stage, kind = excluded.kind, path = excluded.path,
         size = excluded.size, sha256 = excluded.sha256, created_at = excluded.created_at`,
    );
    this.db.transaction(() => {
      for (const f of files) upsert.run(runId, f.kind, f.name, f.path, f.size, f.sha256, at);
    })();
  }
}
