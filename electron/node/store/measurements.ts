import type { Sample } from '../../../common/schema/index.ts';
import type { Db } from './db.ts';

/** Time series storage. Writes come in batches, each batch in the caller's transaction. */
export class MeasurementStore {
  private readonly insertStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, ?, ?, ?, ?, ?)');
  }

  insertBatch(runId: number, samples: readonly Sample[]): void {
    for (const s of samples) this.insertStmt.run(runId, s.kind, s.sensor, s.value, s.unit, s.ts);
  }

  /** Every sample of one kind for a run, grouped by sensor, in time order (uses the chart index). */
  series(runId: number, kind: string, from?: number, to?: number): Map<string, { unit: string; points: [number, number][] }> {
    const rows = this.db
      .prepare('SELECT sensor, unit, ts, value FROM measurements WHERE run_id = ? AND kind = ? AND ts >= ? AND ts <= ? ORDER BY sensor, ts')
      .raw()
      .all(runId, kind, from ?? 0, to ?? Number.MAX_SAFE_INTEGER) as [string, string, number, number][];
    const out = new Map<string, { unit: string; points: [number, number][] }>();
    for (const [sensor, unit, ts, value] of rows) {
      let s = out.get(sensor);
      if (!s) out.set(sensor, (s = { unit, points: [] }));
      s.points.push([ts, value]);
    }
    return out;
  }

  /** The hottest thermal reading in the latest batch of a run (for the board tile). */
  hottestLatest(runId: number): { sensor: string; value: number; ts: number } | null {
    const row = this.db
      .prepare(
        `SELECT sensor, value, ts FROM measurements WHERE run_id = ? AND kind = 'thermal'
         AND ts = (SELECT MAX(ts) FROM measurements WHERE run_id = ? AND kind = 'thermal') ORDER BY value DESC LIMIT 1`,
      )
      .get(runId, runId) as { sensor: string; value: number; ts: number } | undefined;
    return row ?? null;
  }

  maxBetween(runId: number, kind: string, from: number, to: number): { sensor: string; value: number } | null {
    const row = this.db
      .prepare('SELECT sensor, value FROM measurements WHERE run_id = ? AND kind = ? AND ts BETWEEN ? AND ? ORDER BY value DESC LIMIT 1')
      .get(runId, kind, from, to) as { sensor: string; value: number } | undefined;
    return row ?? null;
  }
}
