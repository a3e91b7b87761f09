import type { Db } from './db.ts';

// Coarser levels of the per-minute rollup (migration 11). A block of level k
// spans 4^k minutes (4, 16, 64, 256, 1,024) and holds, per sensor, what a
// minute row holds — lowest and highest sample with their times, sum, count,
// unit — its times in ms after the block's start. A long window is read as a
// few hundred blocks instead of a row per minute (a 72-hour run with 40
// sensors has 4,320 minute rows of 3.5 kB each), so what a chart or a report
// of a whole run costs does not grow with the run (docs/performance.md).
//
// Blocks are derived from the level below: by the writer as soon as its
// samples move past a block, and by a reader for any block it needs that is
// missing (one still filling, or one a restarted server never sealed). A
// sample written into a minute drops every block holding that minute, so no
// block ever misses a sample.

export const MINUTE_MS = 60_000;
/** The coarsest level: blocks of 1,024 minutes (about 17 hours). */
export const TOP_LEVEL = 5;
const FANOUT = 4;

/** Minutes in a block of `level` (level 0: one minute row). */
export function spanOf(level: number): number {
  return FANOUT ** level;
}

/**
 * One sensor's samples in a minute or a block: [min, minAt, max, maxAt, sum, n, unit],
 * the times in ms after the row's start.
 */
export type Entry = [min: number, minAt: number, max: number, maxAt: number, sum: number, n: number, unit: string];

/**
 * Folds `e` into `into`, `e`'s times being `shift` ms after `into`'s start.
 * The earlier sample keeps a tied extreme; the unit of the later entry wins.
 */
export function mergeEntry(into: Entry | undefined, e: Entry, shift: number): Entry {
  const minAt = e[1] + shift;
  const maxAt = e[3] + shift;
  if (!into) return [e[0], minAt, e[2], maxAt, e[4], e[5], e[6]];
  if (e[0] < into[0] || (e[0] === into[0] && minAt < into[1])) (into[0] = e[0]), (into[1] = minAt);
  if (e[2] > into[2] || (e[2] === into[2] && maxAt < into[3])) (into[2] = e[2]), (into[3] = maxAt);
  into[4] += e[4];
  into[5] += e[5];
  into[6] = e[6];
  return into;
}

/** A rollup row as read: the minute it starts at, how many minutes it spans, and its sensors' entries (JSON). */
export type RollupRow = [startMinute: number, spanMinutes: number, sensors: string];

export class RollupBlocks {
  private readonly minuteRowsStmt;
  private readonly blockRowsStmt;
  private readonly presentStmt;
  private readonly withDataStmt;
  private readonly insertStmt;
  private readonly dropStmt;
  private readonly dropRunStmt;
  private readonly dropKindStmt;
  /** Per run and kind: the newest minute this process wrote, to seal the blocks its writes move past. */
  private readonly newestMinute = new Map<string, number>();

  constructor(db: Db) {
    this.minuteRowsStmt = db.prepare('SELECT minute, sensors FROM measurements_minute WHERE run_id = ? AND kind = ? AND minute BETWEEN ? AND ? ORDER BY minute').raw();
    this.blockRowsStmt = db.prepare('SELECT block, sensors FROM measurements_block WHERE run_id = ? AND kind = ? AND level = ? AND block BETWEEN ? AND ? ORDER BY block').raw();
    this.presentStmt = db.prepare('SELECT block FROM measurements_block WHERE run_id = ? AND kind = ? AND level = ? AND block BETWEEN ? AND ?').pluck();
    // Keys only (the primary key's index): which blocks of a level have minutes with samples.
    // CAST: better-sqlite3 binds a JS number as REAL, and minute / 4.0 is no block number.
    this.withDataStmt = db.prepare('SELECT DISTINCT minute / CAST(? AS INTEGER) FROM measurements_minute WHERE run_id = ? AND kind = ? AND minute BETWEEN ? AND ?').pluck();
    this.insertStmt = db.prepare('INSERT OR REPLACE INTO measurements_block (run_id, kind, level, block, sensors) VALUES (?, ?, ?, ?, ?)');
    // One seek a level: an OR of (level, block) pairs in one statement would scan every block of the run.
    this.dropStmt = db.prepare('DELETE FROM measurements_block WHERE run_id = ? AND kind = ? AND level = ? AND block = ?');
    this.dropRunStmt = db.prepare('DELETE FROM measurements_block WHERE run_id = ?');
    this.dropKindStmt = db.prepare('DELETE FROM measurements_block WHERE run_id = ? AND kind = ?');
  }

  /**
   * Samples were written into `minute` (in the writer's transaction, after
   * its minute row): the blocks holding it are out of date. Writes moving on
   * to a later block seal the blocks just left, so readers find them ready.
   */
  wrote(runId: number, kind: string, minute: number): void {
    for (let level = 1; level <= TOP_LEVEL; level++) this.dropStmt.run(runId, kind, level, Math.floor(minute / spanOf(level)));
    const key = `${runId}\u0000${kind}`;
    const prev = this.newestMinute.get(key);
    if (prev !== undefined && minute <= prev) return; // a late sample: readers derive its blocks again
    this.newestMinute.set(key, minute);
    if (prev === undefined) return;
    for (let level = 1; level <= TOP_LEVEL; level++) {
      const left = Math.floor(prev / spanOf(level));
      if (left === Math.floor(minute / spanOf(level))) break; // still in the same block, and so in every coarser one
      this.ensure(runId, kind, level, left, left);
    }
  }

  /** Drops a run's blocks (of one kind), for a rollup rebuilt from raw rows. */
  forget(runId: number, kind?: string): void {
    if (kind === undefined) this.dropRunStmt.run(runId);
    else this.dropKindStmt.run(runId, kind);
    for (const key of this.newestMinute.keys()) if (key.startsWith(`${runId}\u0000`) && (kind === undefined || key === `${runId}\u0000${kind}`)) this.newestMinute.delete(key);
  }

  /**
   * Rows covering minutes [lo, hi] in time order, each as coarse as
   * `maxLevel` allows while lying wholly inside the range (finer ones at
   * the unaligned ends), deriving missing blocks first. Every row therefore
   * lies inside one aligned span of `spanOf(maxLevel)` minutes.
   */
  cover(runId: number, kind: string, lo: number, hi: number, maxLevel: number): RollupRow[] {
    if (lo > hi) return [];
    for (let level = Math.min(maxLevel, TOP_LEVEL); level >= 1; level--) {
      const span = spanOf(level);
      const b0 = Math.ceil(lo / span);
      const b1 = Math.floor((hi + 1) / span) - 1;
      if (b0 > b1) continue;
      this.ensure(runId, kind, level, b0, b1);
      return [...this.cover(runId, kind, lo, b0 * span - 1, level - 1), ...this.read(runId, kind, level, b0, b1), ...this.cover(runId, kind, (b1 + 1) * span, hi, level - 1)];
    }
    return this.read(runId, kind, 0, lo, hi);
  }

  private read(runId: number, kind: string, level: number, b0: number, b1: number): RollupRow[] {
    const span = spanOf(level);
    const rows = (level === 0 ? this.minuteRowsStmt.all(runId, kind, b0, b1) : this.blockRowsStmt.all(runId, kind, level, b0, b1)) as [number, string][];
    return rows.map(([b, json]) => [b * span, span, json]);
  }

  /** Derives the blocks of `level` numbered b0..b1 that hold samples and are missing, from the level below. */
  private ensure(runId: number, kind: string, level: number, b0: number, b1: number): void {
    if (level === 0) return;
    const span = spanOf(level);
    const present = new Set(this.presentStmt.all(runId, kind, level, b0, b1) as number[]);
    const missing = (this.withDataStmt.all(span, runId, kind, b0 * span, (b1 + 1) * span - 1) as number[]).filter((b) => !present.has(b)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    const want = new Set(missing);
    const c0 = missing[0]! * FANOUT;
    const c1 = missing[missing.length - 1]! * FANOUT + FANOUT - 1;
    this.ensure(runId, kind, level - 1, c0, c1);
    let block = -1;
    let row: Record<string, Entry> = Object.create(null);
    const flush = () => {
      if (block >= 0) this.insertStmt.run(runId, kind, level, block, JSON.stringify(row));
    };
    for (const [start, , json] of this.read(runId, kind, level - 1, c0, c1)) {
      const parent = Math.floor(start / span);
      if (!want.has(parent)) continue;
      if (parent !== block) {
        flush();
        block = parent;
        // No prototype: a sensor named "constructor" or "__proto__" is just a key.
        row = Object.create(null);
      }
      const shift = (start - parent * span) * MINUTE_MS;
      const entries = JSON.parse(json) as Record<string, Entry>;
      for (const sensor of Object.keys(entries)) row[sensor] = mergeEntry(row[sensor], entries[sensor]!, shift);
    }
    flush();
  }
}
