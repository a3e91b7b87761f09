import { LTTB } from 'downsample';
import type { Sample } from '../../../common/schema/index.ts';
import type { Db } from './db.ts';
import { ChartCache } from './chart-cache.ts';
import { rollupInsertSql } from './migrations/0004-minute-rollup.ts';
import { MINUTE_MS, RollupBlocks, TOP_LEVEL, mergeEntry, spanOf, type Entry } from './rollup-blocks.ts';

/**
 * A window is charted from the per-minute rollup once its busiest series holds
 * more than this many raw samples per point asked for; below that, reading the
 * raw rows is cheap and gives the finer shape.
 */
const ROLLUP_ABOVE_SAMPLES_PER_POINT = 4;

/** One sensor's samples in one minute (or one bucket of minutes). */
export interface MinuteRow {
  minute: number;
  minValue: number;
  minTs: number;
  maxValue: number;
  maxTs: number;
  n: number;
}

export interface ChartSeries {
  unit: string;
  /** Samples recorded in the window. */
  rawCount: number;
  /** Raw samples (short windows; LTTB-thinned to the points asked for), or the min/max envelope of the rollup (long ones). */
  points: [number, number][];
  source: 'raw' | 'rollup';
}

/** What a run recorded of one series, from the rollup: see MeasurementStore.seriesSummaries. */
export interface SeriesSummary {
  kind: string;
  sensor: string;
  unit: string;
  /** Samples recorded (the rollup keeps the count of samples the janitor has thinned since). */
  count: number;
  min: number;
  max: number;
  /** Unrounded mean: the rollup's sum ÷ count. */
  avg: number;
  /** The series' first and last sample, [epoch ms, value] (the earliest stored row wins a tie). */
  first: [number, number];
  last: [number, number];
}

/** Folds one sample (`at` ms into its minute) into a sensor's entry; ties keep the earlier sample. */
function fold(e: Entry | undefined, at: number, value: number, unit: string): Entry {
  if (!e) return [value, at, value, at, value, 1, unit];
  if (value < e[0] || (value === e[0] && at < e[1])) (e[0] = value), (e[1] = at);
  if (value > e[2] || (value === e[2] && at < e[3])) (e[2] = value), (e[3] = at);
  e[4] += value;
  e[5] += 1;
  e[6] = unit;
  return e;
}

/**
 * Reduces one series' minute rows (in minute order) to at most `points`
 * points: the minutes are grouped into equal buckets counted from
 * `baseMinute`, and each bucket gives its lowest and its highest sample, in
 * the order they happened (one point when they are the same sample). A spike
 * shorter than a bucket therefore still shows at its full height.
 */
export function minMaxEnvelope(rows: readonly MinuteRow[], baseMinute: number, bucketMinutes: number): [number, number][] {
  const out: [number, number][] = [];
  let bucket = -1;
  let lo: MinuteRow | null = null; // the row holding the bucket's lowest sample so far
  let hi: MinuteRow | null = null;
  const flush = () => {
    if (lo && hi) pushExtremes(out, lo.minTs, lo.minValue, hi.maxTs, hi.maxValue);
  };
  for (const r of rows) {
    const b = Math.floor((r.minute - baseMinute) / bucketMinutes);
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = r;
      hi = r;
      continue;
    }
    if (r.minValue < lo!.minValue) lo = r;
    if (r.maxValue > hi!.maxValue) hi = r;
  }
  flush();
  return out;
}

/** Folds raw samples (in time order) into minute rows: the partial minutes at a window's edges. */
function foldMinutes(samples: readonly [number, number][]): MinuteRow[] {
  const out: MinuteRow[] = [];
  for (const [ts, value] of samples) {
    const minute = Math.floor(ts / MINUTE_MS);
    const last = out[out.length - 1];
    if (!last || last.minute !== minute) {
      out.push({ minute, minValue: value, minTs: ts, maxValue: value, maxTs: ts, n: 1 });
      continue;
    }
    last.n++;
    if (value < last.minValue) (last.minValue = value), (last.minTs = ts);
    if (value > last.maxValue) (last.maxValue = value), (last.maxTs = ts);
  }
  return out;
}

/** Appends a bucket's lowest and highest sample in time order (one point when they are the same sample). */
function pushExtremes(out: [number, number][], loT: number, loV: number, hiT: number, hiV: number): void {
  if (loT === hiT) out.push([loT, loV]);
  else if (loT < hiT) out.push([loT, loV], [hiT, hiV]);
  else out.push([hiT, hiV], [loT, loV]);
}

/** One series' min/max envelope, built while its minutes are read in order. */
class Reducer {
  /** Samples in every minute read, partial edge minutes included (to choose raw or rollup). */
  seen = 0;
  /** Samples in the minutes folded in. */
  counted = 0;
  private readonly out: [number, number][] = [];
  private bucket = -1;
  private loV = 0;
  private loT = 0;
  private hiV = 0;
  private hiT = 0;

  constructor(readonly unit: string) {}

  add(bucket: number, n: number, minV: number, minT: number, maxV: number, maxT: number): void {
    this.counted += n;
    if (bucket !== this.bucket) {
      if (this.bucket >= 0) pushExtremes(this.out, this.loT, this.loV, this.hiT, this.hiV);
      this.bucket = bucket;
      (this.loV = minV), (this.loT = minT), (this.hiV = maxV), (this.hiT = maxT);
      return;
    }
    if (minV < this.loV) (this.loV = minV), (this.loT = minT);
    if (maxV > this.hiV) (this.hiV = maxV), (this.hiT = maxT);
  }

  finish(): [number, number][] {
    if (this.bucket >= 0) pushExtremes(this.out, this.loT, this.loV, this.hiT, this.hiV);
    this.bucket = -1;
    return this.out;
  }
}

/** The sensors named in some rollup rows, sorted, with a unit each. */
function sensorsOf(rows: readonly [number, string][]): { sensor: string; unit: string }[] {
  const units = new Map<string, string>();
  for (const [, json] of rows) for (const [sensor, e] of Object.entries(JSON.parse(json) as Record<string, Entry>)) if (!units.has(sensor)) units.set(sensor, e[6]);
  return [...units.keys()].sort().map((sensor) => ({ sensor, unit: units.get(sensor)! }));
}

/**
 * Time series storage. Writes come in batches, each batch in the caller's
 * transaction; every batch also updates the per-minute rollup (migration 4)
 * that long chart windows are read from.
 */
export class MeasurementStore {
  private readonly insertStmt;
  private readonly minuteStmt;
  private readonly upsertMinuteStmt;
  private readonly minutesStmt;
  private readonly spanStmt;
  private readonly hasRollupStmt;
  private readonly hasRawStmt;
  private readonly lastMinuteStmt;
  private readonly latestOfSensorStmt;
  private readonly rawSensorStmt;
  private readonly rawRowsStmt;
  private readonly dataVersionStmt;
  private readonly kindsStmt;
  private readonly firstOfSensorStmt;
  private readonly lastOfSensorStmt;
  /** The rollup's coarser levels, for long windows. */
  private readonly blocks: RollupBlocks;
  /** (run, kind) pairs known to have rollup rows: skips two lookups per chart read. */
  private readonly rolledUp = new Set<string>();
  /** Writes through this store per run: a chart answer is reused only while its run's count stands. */
  private readonly writes = new Map<number, number>();
  private readonly charts = new ChartCache<ReadonlyMap<string, ChartSeries>>();
  /** SQLite's data_version when the cache was last checked: it moves when another connection commits. */
  private seenDataVersion: unknown = null;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, ?, ?, ?, ?, ?)');
    this.minuteStmt = db.prepare('SELECT sensors FROM measurements_minute WHERE run_id = ? AND kind = ? AND minute = ?').pluck();
    this.upsertMinuteStmt = db.prepare(
      'INSERT INTO measurements_minute (run_id, kind, minute, sensors) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, kind, minute) DO UPDATE SET sensors = excluded.sensors',
    );
    this.minutesStmt = db.prepare('SELECT minute, sensors FROM measurements_minute WHERE run_id = ? AND kind = ? AND minute BETWEEN ? AND ? ORDER BY minute').raw();
    this.spanStmt = db.prepare('SELECT MIN(minute), MAX(minute) FROM measurements_minute WHERE run_id = ? AND kind = ? AND minute BETWEEN ? AND ?').raw();
    this.hasRollupStmt = db.prepare('SELECT 1 FROM measurements_minute WHERE run_id = ? AND kind = ? LIMIT 1').pluck();
    this.hasRawStmt = db.prepare('SELECT 1 FROM measurements WHERE run_id = ? AND kind = ? LIMIT 1').pluck();
    this.lastMinuteStmt = db.prepare('SELECT sensors FROM measurements_minute WHERE run_id = ? AND kind = ? ORDER BY minute DESC LIMIT 1').pluck();
    this.latestOfSensorStmt = db.prepare(
      `SELECT MAX(value) AS value, MAX(ts) AS ts FROM measurements WHERE run_id = ? AND kind = 'thermal' AND sensor = ?
       AND ts = (SELECT MAX(ts) FROM measurements WHERE run_id = ? AND kind = 'thermal' AND sensor = ?)`,
    );
    this.rawSensorStmt = db.prepare('SELECT ts, value FROM measurements WHERE run_id = ? AND kind = ? AND sensor = ? AND ts BETWEEN ? AND ? ORDER BY ts').raw();
    this.rawRowsStmt = db.prepare('SELECT sensor, unit, ts, value FROM measurements WHERE run_id = ? AND kind = ? AND ts >= ? AND ts <= ? ORDER BY sensor, ts').raw();
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
    // The kinds a run has raw rows of, by one index seek per kind (a loose index scan): DISTINCT would read every row.
    this.kindsStmt = db
      .prepare(
        `WITH RECURSIVE k(kind) AS (
           SELECT MIN(kind) FROM measurements WHERE run_id = @run
           UNION ALL SELECT (SELECT MIN(kind) FROM measurements WHERE run_id = @run AND kind > k.kind) FROM k WHERE k.kind IS NOT NULL)
         SELECT kind FROM k WHERE kind IS NOT NULL`,
      )
      .pluck();
    // One end of the series index each, however long the run.
    this.firstOfSensorStmt = db.prepare('SELECT ts, value FROM measurements WHERE run_id = ? AND kind = ? AND sensor = ? ORDER BY ts LIMIT 1').raw();
    this.lastOfSensorStmt = db.prepare('SELECT ts, value FROM measurements WHERE run_id = ? AND kind = ? AND sensor = ? ORDER BY ts DESC LIMIT 1').raw();
    this.blocks = new RollupBlocks(db);
  }

  /**
   * Forgets every kept chart answer: for writers that change samples around
   * this store on its own connection (the janitor thinning old samples).
   * Writes through insertBatch and rebuildRollup, and commits by any other
   * connection (another process), are noticed without it.
   */
  forgetCharts(): void {
    this.charts.clear();
  }

  private wrote(runId: number): void {
    this.writes.set(runId, (this.writes.get(runId) ?? 0) + 1);
  }

  /**
   * Stores a batch and folds it into the rollup: the batch is aggregated here
   * first, then each (kind, minute) it touches — one for an agent's batch —
   * costs one read and one write of its rollup row, however many sensors.
   */
  insertBatch(runId: number, samples: readonly Sample[]): void {
    this.wrote(runId);
    type Touched = { kind: string; minute: number; sensors: Map<string, Entry> };
    const touched = new Map<string, Touched>();
    let current: Touched | undefined; // an agent's batch is one kind and one minute: skip the map lookup
    for (const s of samples) {
      this.insertStmt.run(runId, s.kind, s.sensor, s.value, s.unit, s.ts);
      const minute = Math.floor(s.ts / MINUTE_MS);
      if (!current || current.minute !== minute || current.kind !== s.kind) {
        const key = `${minute}\u0000${s.kind}`;
        current = touched.get(key);
        if (!current) touched.set(key, (current = { kind: s.kind, minute, sensors: new Map() }));
      }
      current.sensors.set(s.sensor, fold(current.sensors.get(s.sensor), s.ts - minute * MINUTE_MS, s.value, s.unit));
    }
    for (const { kind, minute, sensors } of touched.values()) {
      const stored = this.minuteStmt.get(runId, kind, minute) as string | undefined;
      // No prototype: a sensor named "constructor" or "__proto__" is just a key.
      const row: Record<string, Entry> = Object.create(null);
      if (stored) Object.assign(row, JSON.parse(stored));
      // Merge the batch's entry into the stored one: the earlier sample wins a tie.
      for (const [sensor, e] of sensors) row[sensor] = mergeEntry(row[sensor], e, 0);
      this.upsertMinuteStmt.run(runId, kind, minute, JSON.stringify(row));
      this.blocks.wrote(runId, kind, minute);
    }
  }

  /**
   * Recomputes a run's rollup from its raw samples: for samples written around
   * insertBatch (imports, seeded test data). Runs stored before the rollup
   * existed were filled by migration 4.
   */
  rebuildRollup(runId: number, kind?: string): void {
    this.wrote(runId);
    this.db.transaction(() => {
      this.blocks.forget(runId, kind);
      if (kind === undefined) {
        this.db.prepare('DELETE FROM measurements_minute WHERE run_id = ?').run(runId);
        this.db.prepare(rollupInsertSql('m.run_id = ?')).run(runId);
      } else {
        this.db.prepare('DELETE FROM measurements_minute WHERE run_id = ? AND kind = ?').run(runId, kind);
        this.db.prepare(rollupInsertSql('m.run_id = ? AND m.kind = ?')).run(runId, kind);
      }
    })();
  }

  /** Every sample of one kind for a run, grouped by sensor, in time order (uses the series index). */
  series(runId: number, kind: string, from?: number, to?: number): Map<string, { unit: string; points: [number, number][] }> {
    const rows = this.rawRowsStmt.all(runId, kind, from ?? 0, to ?? Number.MAX_SAFE_INTEGER) as [string, string, number, number][];
    const out = new Map<string, { unit: string; points: [number, number][] }>();
    for (const [sensor, unit, ts, value] of rows) {
      let s = out.get(sensor);
      if (!s) out.set(sensor, (s = { unit, points: [] }));
      s.points.push([ts, value]);
    }
    return out;
  }

  /**
   * One kind's series for a chart of at most `points` points each. A short
   * window gives its raw samples, thinned with LTTB when there are more; a
   * long one — when the busiest series holds more than a few raw samples per
   * point — gives, from the rollup, each series' min/max envelope in at most
   * `points` points, so its cost follows the window's minutes, not its
   * samples. The partial minutes at a window's edges are read raw, so counts
   * and extremes are exact. A rollup missing for samples written around
   * insertBatch is rebuilt first.
   *
   * Answers are kept (ChartCache) while their run takes no new samples, so a
   * finished run's page opened again is not read again; the answer is shared,
   * hence read-only.
   */
  chartSeries(runId: number, kind: string, window: { from?: number | undefined; to?: number | undefined; points: number }): ReadonlyMap<string, Readonly<ChartSeries>> {
    const dataVersion = this.dataVersionStmt.get();
    if (dataVersion !== this.seenDataVersion) {
      this.charts.clear();
      this.seenDataVersion = dataVersion;
    }
    const key = `${runId}\u0000${kind}\u0000${window.from ?? ''}\u0000${window.to ?? ''}\u0000${window.points}`;
    const kept = this.charts.get(key, this.writes.get(runId) ?? 0);
    if (kept) return kept;
    const answer = this.readChartSeries(runId, kind, window);
    // Raw windows with more samples than asked for (a 2-hour run) are thinned here, so every
    // answer is the size the chart draws: small enough to keep, and not thinned again per request.
    const limit = Math.max(2, Math.floor(window.points));
    for (const s of answer.values()) if (s.points.length > limit) s.points = LTTB(s.points, limit) as [number, number][];
    // Stamped after the read: a rollup rebuilt by the read counts as a write before it.
    let points = 0;
    for (const s of answer.values()) points += s.points.length;
    this.charts.set(key, this.writes.get(runId) ?? 0, answer, points);
    return answer;
  }

  private readChartSeries(runId: number, kind: string, window: { from?: number | undefined; to?: number | undefined; points: number }): Map<string, ChartSeries> {
    const lo = window.from ?? 0;
    const hi = window.to ?? Number.MAX_SAFE_INTEGER;
    const points = Math.max(2, Math.floor(window.points));
    if (hi < lo) return new Map();
    this.ensureRollup(runId, kind);
    const loMinute = Math.floor(lo / MINUTE_MS);
    const hiMinute = Math.floor(hi / MINUTE_MS);
    const headPartial = lo > loMinute * MINUTE_MS;
    const tailPartial = hi < (hiMinute + 1) * MINUTE_MS - 1;
    const [first, last] = this.spanStmt.get(runId, kind, loMinute, hiMinute) as [number | null, number | null];
    if (first === null || last === null) return this.rawSeries(runId, kind, lo, hi, null); // nothing rolled up here: only raw rows can tell
    const minutes = last - first + 1;
    // Samples packed into too few minutes (a 4 Hz burst): the raw rows say more.
    if (minutes < Math.max(2, points / 4)) return this.rawSeries(runId, kind, lo, hi, sensorsOf(this.minutesStmt.all(runId, kind, loMinute, hiMinute) as [number, string][]));

    // Buckets of whole rollup rows, aligned to multiples of their size: two points per bucket
    // at most, two for each partial edge minute that has samples (read raw), and, for buckets
    // of several minutes, room for the alignment to split the window into one bucket more; so
    // `points` at most. A minute a bucket when that fits (a 2-hour run in 240 points).
    const edgePoints = 2 * (Number(headPartial && first === loMinute) + Number(tailPartial && last === hiMinute && hiMinute > loMinute));
    const wanted = 2 * minutes <= points - edgePoints ? 1 : Math.max(2, Math.ceil((2 * minutes) / Math.max(2, points - edgePoints - 2)));
    // Buckets are whole blocks: the coarsest level whose blocks fit a bucket, unless rounding the
    // bucket up to its blocks would cost more than a third of the points (then the level below).
    let level = 0;
    while (level < TOP_LEVEL && spanOf(level + 1) <= wanted) level++;
    const roundedUp = (l: number) => Math.ceil(wanted / spanOf(l)) * spanOf(l);
    if (level > 0 && roundedUp(level) > 1.5 * wanted) level--;
    const bucketMinutes = roundedUp(level);
    // The window's whole minutes: read as the coarsest blocks that fit, so a long window costs a few hundred rows.
    const wholeLo = Math.max(first, headPartial ? loMinute + 1 : loMinute);
    const wholeHi = Math.min(last, tailPartial ? hiMinute - 1 : hiMinute);
    const acc = new Map<string, Reducer>();
    const reducer = (sensor: string, unit: string) => {
      let r = acc.get(sensor);
      if (!r) acc.set(sensor, (r = new Reducer(unit)));
      return r;
    };
    for (const [start, , json] of this.blocks.cover(runId, kind, wholeLo, wholeHi, level)) {
      const base = start * MINUTE_MS;
      const bucket = Math.floor(start / bucketMinutes);
      const entries = JSON.parse(json) as Record<string, Entry>;
      for (const sensor of Object.keys(entries)) {
        const e = entries[sensor]!;
        const r = reducer(sensor, e[6]);
        r.seen += e[5];
        r.add(bucket, e[5], e[0], base + e[1], e[2], base + e[3]);
      }
    }
    // The partial edge minutes count towards choosing raw or rollup; their samples are read raw below.
    const edges = [...(headPartial ? [loMinute] : []), ...(tailPartial && hiMinute > loMinute ? [hiMinute] : [])];
    for (const minute of edges) {
      const json = this.minuteStmt.get(runId, kind, minute) as string | undefined;
      if (json === undefined) continue;
      const entries = JSON.parse(json) as Record<string, Entry>;
      for (const sensor of Object.keys(entries)) reducer(sensor, entries[sensor]![6]).seen += entries[sensor]![5];
    }
    const sensors = [...acc.keys()].sort();
    let busiest = 0;
    for (const r of acc.values()) busiest = Math.max(busiest, r.seen);
    // Few samples: every one of them is cheap to read and says more.
    if (busiest <= ROLLUP_ABOVE_SAMPLES_PER_POINT * points) return this.rawSeries(runId, kind, lo, hi, sensors.map((sensor) => ({ sensor, unit: acc.get(sensor)!.unit })));

    const out = new Map<string, ChartSeries>();
    for (const sensor of sensors) {
      const r = acc.get(sensor)!;
      const head = headPartial ? foldMinutes(this.rawSensorStmt.all(runId, kind, sensor, lo, Math.min(hi, (loMinute + 1) * MINUTE_MS - 1)) as [number, number][]) : [];
      const tail = tailPartial && hiMinute > loMinute ? foldMinutes(this.rawSensorStmt.all(runId, kind, sensor, hiMinute * MINUTE_MS, hi) as [number, number][]) : [];
      const body = r.finish();
      if (head.length + body.length + tail.length === 0) continue;
      const rawCount = r.counted + [...head, ...tail].reduce((n, m) => n + m.n, 0);
      out.set(sensor, { unit: r.unit, rawCount, points: [...minMaxEnvelope(head, loMinute, 1), ...body, ...minMaxEnvelope(tail, hiMinute, 1)], source: 'rollup' });
    }
    return out;
  }

  /** Raw samples of a window; per sensor when the sensors are known, so each read is one index range. */
  private rawSeries(runId: number, kind: string, lo: number, hi: number, sensors: { sensor: string; unit: string }[] | null): Map<string, ChartSeries> {
    const out = new Map<string, ChartSeries>();
    if (sensors === null) {
      for (const [sensor, s] of this.series(runId, kind, lo, hi)) out.set(sensor, { unit: s.unit, rawCount: s.points.length, points: s.points, source: 'raw' });
      return out;
    }
    for (const { sensor, unit } of sensors) {
      const points = this.rawSensorStmt.all(runId, kind, sensor, lo, hi) as [number, number][];
      if (points.length > 0) out.set(sensor, { unit, rawCount: points.length, points, source: 'raw' });
    }
    return out;
  }

  /**
   * Per series of a run — sorted by kind, sensor, unit — the samples it
   * recorded, its lowest, highest and mean value and its first and last sample.
   * Read from the rollup's coarsest blocks that cover the run (a few dozen
   * rows however long it ran); the first and last samples are one index seek
   * each. Samples the janitor has thinned since still count: the rollup
   * remembers them.
   */
  seriesSummaries(runId: number): SeriesSummary[] {
    const out: SeriesSummary[] = [];
    for (const kind of this.kindsStmt.all({ run: runId }) as string[]) {
      this.ensureRollup(runId, kind);
      const [first, last] = this.spanStmt.get(runId, kind, 0, Number.MAX_SAFE_INTEGER) as [number | null, number | null];
      if (first === null || last === null) continue;
      type Acc = { unit: string; count: number; min: number; max: number; sum: number };
      const acc = new Map<string, Acc>();
      for (const [, , json] of this.blocks.cover(runId, kind, first, last, TOP_LEVEL)) {
        const entries = JSON.parse(json) as Record<string, Entry>;
        for (const sensor of Object.keys(entries)) {
          const [min, , max, , sum, n, unit] = entries[sensor]!;
          const a = acc.get(sensor);
          if (!a) {
            acc.set(sensor, { unit, count: n, min, max, sum });
            continue;
          }
          a.count += n;
          a.sum += sum;
          a.unit = unit; // rows come in time order: the latest unit, as in a minute row
          if (min < a.min) a.min = min;
          if (max > a.max) a.max = max;
        }
      }
      for (const [sensor, a] of acc) {
        const avg = a.sum / a.count;
        // Raw rows gone altogether (deleted by hand): the rollup's span, at the mean.
        const firstRow = (this.firstOfSensorStmt.get(runId, kind, sensor) as [number, number] | undefined) ?? [first * MINUTE_MS, avg];
        const lastRow = (this.lastOfSensorStmt.get(runId, kind, sensor) as [number, number] | undefined) ?? [last * MINUTE_MS + MINUTE_MS - 1, avg];
        out.push({ kind, sensor, unit: a.unit, count: a.count, min: a.min, max: a.max, avg, first: firstRow, last: lastRow });
      }
    }
    // The order SQLite's ORDER BY kind, sensor, unit gave (binary collation: code units, not the locale's).
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    return out.sort((x, y) => cmp(x.kind, y.kind) || cmp(x.sensor, y.sensor) || cmp(x.unit, y.unit));
  }

  private ensureRollup(runId: number, kind: string): void {
    const key = `${runId}\u0000${kind}`;
    if (this.rolledUp.has(key)) return;
    if (this.hasRollupStmt.get(runId, kind) === undefined && this.hasRawStmt.get(runId, kind) !== undefined) this.rebuildRollup(runId, kind);
    if (this.hasRollupStmt.get(runId, kind) !== undefined) this.rolledUp.add(key);
  }

  /**
   * The hottest thermal reading in the latest batch of a run (for the board
   * tile). The rollup's last minute names the sensors that reported last; each
   * is then one index seek, instead of a scan of every sample for the latest time.
   */
  hottestLatest(runId: number): { sensor: string; value: number; ts: number } | null {
    this.ensureRollup(runId, 'thermal');
    const last = this.lastMinuteStmt.get(runId, 'thermal') as string | undefined;
    if (last === undefined) {
      const row = this.db
        .prepare(
          `SELECT sensor, value, ts FROM measurements WHERE run_id = ? AND kind = 'thermal'
           AND ts = (SELECT MAX(ts) FROM measurements WHERE run_id = ? AND kind = 'thermal') ORDER BY value DESC LIMIT 1`,
        )
        .get(runId, runId) as { sensor: string; value: number; ts: number } | undefined;
      return row ?? null;
    }
    let best: { sensor: string; value: number; ts: number } | null = null;
    for (const sensor of Object.keys(JSON.parse(last) as Record<string, Entry>).sort()) {
      const row = this.latestOfSensorStmt.get(runId, sensor, runId, sensor) as { value: number | null; ts: number | null };
      if (row.ts === null || row.value === null) continue;
      if (!best || row.ts > best.ts || (row.ts === best.ts && row.value > best.value)) best = { sensor, value: row.value, ts: row.ts };
    }
    return best;
  }

  maxBetween(runId: number, kind: string, from: number, to: number): { sensor: string; value: number } | null {
    const row = this.db
      .prepare('SELECT sensor, value FROM measurements WHERE run_id = ? AND kind = ? AND ts BETWEEN ? AND ? ORDER BY value DESC LIMIT 1')
      .get(runId, kind, from, to) as { sensor: string; value: number } | undefined;
    return row ?? null;
  }
}
