import type { StageName } from '../../../common/stages/index.ts';
import type { Db } from './db.ts';

// What a run's estimated end is recorded and drawn from (migration 11,
// runs/run-eta.ts): the estimate made as the run entered each state, and what
// earlier runs on this bench took.

export interface EstimateRow {
  /** The state the run entered (WaitingForAgent: the first estimate, made as it started). */
  state: string;
  madeAt: string;
  /** The end estimated then; for the row of the state it ended in, the real end. Null while a person had to decide. */
  etaAt: string | null;
}

export class RunEstimateStore {
  private readonly recordStmt;
  private readonly listStmt;
  private readonly firstStmt;
  private readonly bootsOfHostStmt;
  private readonly bootsStmt;
  private readonly pastStagesStmt;
  private readonly hasKindStmt;

  constructor(db: Db) {
    // The first entry into a state is what counts: a retried stage keeps the estimate made when it was first reached.
    this.recordStmt = db.prepare('INSERT OR IGNORE INTO run_estimates (run_id, state, made_at, eta_at) VALUES (?, ?, ?, ?)');
    this.listStmt = db.prepare('SELECT state, made_at AS madeAt, eta_at AS etaAt FROM run_estimates WHERE run_id = ? ORDER BY made_at, rowid');
    this.firstStmt = db.prepare("SELECT eta_at FROM run_estimates WHERE run_id = ? AND state = 'WaitingForAgent'").pluck();
    this.bootsOfHostStmt = db.prepare('SELECT created_at, started_at FROM runs WHERE host_id = ? AND id < ? AND started_at IS NOT NULL ORDER BY id DESC LIMIT ?').raw();
    this.bootsStmt = db.prepare('SELECT created_at, started_at FROM runs WHERE id < ? AND started_at IS NOT NULL ORDER BY id DESC LIMIT ?').raw();
    // Stages that went through (passed or skipped) in this host's last few runs under the same profile, newest first.
    this.pastStagesStmt = db
      .prepare(
        `SELECT s.name, s.started_at, s.completed_at FROM stages s
         WHERE s.run_id IN (SELECT id FROM runs WHERE host_id = ? AND profile = ? AND id < ? ORDER BY id DESC LIMIT 3)
           AND s.outcome IN ('passed', 'skipped') AND s.completed_at IS NOT NULL
         ORDER BY s.id DESC`,
      )
      .raw();
    this.hasKindStmt = db.prepare('SELECT 1 FROM measurements WHERE run_id = ? AND kind = ? LIMIT 1').pluck();
  }

  record(runId: number, state: string, madeAt: string, etaAt: string | null): void {
    this.recordStmt.run(runId, state, madeAt, etaAt);
  }

  list(runId: number): EstimateRow[] {
    return this.listStmt.all(runId) as EstimateRow[];
  }

  /** The end estimated when the run started (null: none recorded, or it waited for a person). */
  firstEtaAt(runId: number): string | null {
    return (this.firstStmt.get(runId) as string | null | undefined) ?? null;
  }

  /** Seconds from start to agent hello of the host's (else the bench's) latest runs before `beforeRunId`, newest first. */
  pastBootSeconds(hostId: number, beforeRunId: number, limit: number): { host: number[]; bench: number[] } {
    const seconds = (rows: [string, string][]) => rows.map(([c, s]) => (Date.parse(s) - Date.parse(c)) / 1000).filter((x) => Number.isFinite(x) && x >= 0);
    return { host: seconds(this.bootsOfHostStmt.all(hostId, beforeRunId, limit) as [string, string][]), bench: seconds(this.bootsStmt.all(beforeRunId, limit) as [string, string][]) };
  }

  /** How long each stage took the last time it went through in this host's recent runs under `profile`. */
  pastStageSeconds(hostId: number, profile: string, beforeRunId: number): Partial<Record<StageName, number>> {
    const out: Partial<Record<StageName, number>> = {};
    for (const [name, started, completed] of this.pastStagesStmt.all(hostId, profile, beforeRunId) as [StageName, string, string][]) {
      if (out[name] !== undefined) continue;
      const s = (Date.parse(completed) - Date.parse(started)) / 1000;
      if (Number.isFinite(s) && s >= 0) out[name] = s;
    }
    return out;
  }

  /** Whether the run stored any sample of `kind` (one index seek). */
  hasSamples(runId: number, kind: string): boolean {
    return this.hasKindStmt.get(runId, kind) !== undefined;
  }
}
