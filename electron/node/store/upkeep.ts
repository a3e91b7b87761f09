import type { Db } from './db.ts';

// What the janitor (janitor/janitor.ts) reads and deletes: the policy lives
// there, the SQL here.

/** A run as the janitor judges it: when it finished (or last changed) and when its agent last spoke. */
export interface UpkeepRunRow {
  id: number;
  state: string;
  host: string;
  host_id: number;
  finished: string;
  agent_last_seen: string | null;
  agent_lost: number;
  started_at: string | null;
  created_at: string;
}

export interface JanitorPassRow {
  id: number;
  trigger: string;
  started_at: string;
  finished_at: string;
  bytes_reclaimed: number;
  report_json: string;
}

export class UpkeepStore {
  constructor(private readonly db: Db) {}

  runs(): UpkeepRunRow[] {
    return this.db
      .prepare(
        `SELECT r.id, r.state, h.name AS host, r.host_id, COALESCE(r.completed_at, r.updated_at) AS finished, r.agent_last_seen, r.agent_lost,
                r.started_at, r.created_at
         FROM runs r JOIN hosts h ON h.id = r.host_id ORDER BY r.id`,
      )
      .all() as UpkeepRunRow[];
  }

  /** Forgets a run's artifact rows (its files were deleted); returns how many. */
  deleteArtifactRows(runId: number): number {
    return this.db.prepare('DELETE FROM artifacts WHERE run_id = ?').run(runId).changes;
  }

  /** Flags the run's agent lost unless it already was; true when this call flagged it. */
  markAgentLost(runId: number, at: string): boolean {
    return this.db.prepare('UPDATE runs SET agent_lost = 1, updated_at = ? WHERE id = ? AND agent_lost = 0').run(at, runId).changes === 1;
  }

  /** For each MAC a run knows (registered or booted from), the state of the latest run through that path. */
  macRunStates(): { mac: string; state: string }[] {
    return this.db
      .prepare(
        `SELECT lower(m.mac) AS mac, r.state FROM host_macs m
         JOIN runs r ON r.id = (SELECT MAX(id) FROM runs WHERE host_id = m.host_id)
         UNION ALL
         SELECT lower(r.boot_mac), r.state FROM runs r
         WHERE r.boot_mac IS NOT NULL AND r.id = (SELECT MAX(id) FROM runs r2 WHERE r2.boot_mac = r.boot_mac)`,
      )
      .all() as { mac: string; state: string }[];
  }

  /** Keeps the first sample per run, kind, sensor and minute among rows older than the cutoff; returns how many were deleted. */
  thinMeasurements(cutoffMs: number): number {
    return this.db
      .prepare(
        `DELETE FROM measurements WHERE ts < @cutoff AND id NOT IN (
           SELECT MIN(id) FROM measurements WHERE ts < @cutoff GROUP BY run_id, kind, sensor, ts / 60000)`,
      )
      .run({ cutoff: cutoffMs }).changes;
  }

  /** Refreshes the query planner's statistics, then folds the WAL into the database and truncates it. */
  optimizeAndTruncateWal(): { checkpointBusy: boolean } {
    // optimize first: it may write statistics, which the checkpoint then folds in.
    this.db.pragma('optimize');
    const [cp] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return { checkpointBusy: (cp?.busy ?? 0) !== 0 };
  }

  /** Records a janitor pass; returns its id. */
  recordJanitorPass(p: { trigger: string; startedAt: string; finishedAt: string; bytesReclaimed: number; reportJson: string }): number {
    return Number(
      this.db
        .prepare('INSERT INTO janitor_passes (trigger, started_at, finished_at, bytes_reclaimed, report_json) VALUES (?, ?, ?, ?, ?)')
        .run(p.trigger, p.startedAt, p.finishedAt, p.bytesReclaimed, p.reportJson).lastInsertRowid,
    );
  }

  /** Deletes the passes with ids up to `lastId` (the history is kept bounded). */
  deleteJanitorPassesThrough(lastId: number): void {
    this.db.prepare('DELETE FROM janitor_passes WHERE id <= ?').run(lastId);
  }

  lastJanitorPass(): JanitorPassRow | null {
    return (
      (this.db.prepare('SELECT id, trigger, started_at, finished_at, bytes_reclaimed, report_json FROM janitor_passes ORDER BY id DESC LIMIT 1').get() as
        | JanitorPassRow
        | undefined) ?? null
    );
  }
}
