import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../common/schema/index.ts';
import { openDatabase, type Db } from './db.ts';
import { HostStore } from './hosts.ts';
import { MeasurementStore, minMaxEnvelope, type MinuteRow } from './measurements.ts';
import { RunStore } from './runs.ts';
import { MIGRATIONS } from './migrations/index.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
const dirs: string[] = [];
/**
 * The parts of the store these tests use, with the connection itself in reach:
 * rows written around MeasurementStore (as another writer or the janitor would)
 * are what several tests are about.
 */
interface Store {
  db: Db;
  hosts: HostStore;
  runs: RunStore;
  measurements: MeasurementStore;
  close(): void;
}
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vetting-measurements-'));
  dirs.push(d);
  return d;
}

function open(dir = tempDir()): Store {
  const db = openDatabase(dir);
  const s: Store = { db, hosts: new HostStore(db), runs: new RunStore(db), measurements: new MeasurementStore(db), close: () => db.close() };
  stores.push(s);
  return s;
}

function newRun(store: Store, name = 'h1'): number {
  const hostId = store.hosts.add({ name, macs: [], profile: 'burn-in', disks: [] }).id;
  return store.runs.insert(hostId, 'burn-in', 'Completed', `tok-${name}`);
}

/** `hours` of `sensors` thermal sensors every `stepS` seconds, as the agent sends them: one batch per instant. */
function ingest(store: Store, runId: number, hours: number, sensors: number, stepS: number, value: (t: number, s: number) => number): void {
  store.db.transaction(() => {
    for (let t = T0; t < T0 + hours * 3_600_000; t += stepS * 1000) {
      const batch: Sample[] = [];
      for (let s = 0; s < sensors; s++) batch.push({ kind: 'thermal', sensor: `temp${s + 1}`, unit: '°C', ts: t, value: value(t, s) });
      store.measurements.insertBatch(runId, batch);
    }
  })();
}

type RollupRow = { sensor: string; minute: number; min_value: number; min_ts: number; max_value: number; max_ts: number; sum_value: number; n: number; unit: string };
/** The rollup's rows unpacked to one per sensor and minute, sorted like expectedRollup's. */
function rollup(store: Store, runId: number): RollupRow[] {
  const rows = store.db.prepare('SELECT minute, sensors FROM measurements_minute WHERE run_id = ? ORDER BY minute').all(runId) as { minute: number; sensors: string }[];
  const out: RollupRow[] = [];
  for (const { minute, sensors } of rows) {
    for (const [sensor, [min_value, min_at, max_value, max_at, sum_value, n, unit]] of Object.entries(JSON.parse(sensors) as Record<string, [number, number, number, number, number, number, string]>)) {
      expect(min_at >= 0 && min_at < MIN && max_at >= 0 && max_at < MIN).toBe(true); // times within the minute
      out.push({ sensor, minute, min_value, min_ts: minute * MIN + min_at, max_value, max_ts: minute * MIN + max_at, sum_value, n, unit });
    }
  }
  return out.sort((a, b) => (a.sensor < b.sensor ? -1 : a.sensor > b.sensor ? 1 : a.minute - b.minute));
}

/** The rollup recomputed from raw rows in plain JS, the earliest sample winning ties. */
function expectedRollup(store: Store, runId: number): RollupRow[] {
  const rows = store.db.prepare('SELECT sensor, ts, value, unit FROM measurements WHERE run_id = ? ORDER BY sensor, ts').all(runId) as { sensor: string; ts: number; value: number; unit: string }[];
  const out: RollupRow[] = [];
  for (const r of rows) {
    const minute = Math.floor(r.ts / MIN);
    const last = out[out.length - 1];
    if (!last || last.sensor !== r.sensor || last.minute !== minute) {
      out.push({ sensor: r.sensor, minute, min_value: r.value, min_ts: r.ts, max_value: r.value, max_ts: r.ts, sum_value: r.value, n: 1, unit: r.unit });
      continue;
    }
    last.n++;
    last.sum_value += r.value;
    if (r.value < last.min_value) (last.min_value = r.value), (last.min_ts = r.ts);
    if (r.value > last.max_value) (last.max_value = r.value), (last.max_ts = r.ts);
  }
  return out;
}

describe('the per-minute rollup', () => {
  it('matches the raw samples after batches that split minutes and revisit them', () => {
    const store = open();
    const runId = newRun(store);
    // Uneven batches: several instants per batch, minutes split across batches, one minute revisited late.
    const samples: Sample[] = [];
    for (let i = 0; i < 100; i++) for (const sensor of ['a', 'b']) samples.push({ kind: 'thermal', sensor, unit: '°C', ts: T0 + i * 7_000, value: 40 + ((i * 37 + sensor.length) % 23) });
    samples.push({ kind: 'thermal', sensor: 'a', unit: '°C', ts: T0 + 30_000 + 1, value: 99 }); // late, into minute 0
    samples.push({ kind: 'thermal', sensor: 'a', unit: '°C', ts: T0 + 45_000 + 1, value: 1 });
    for (let i = 0; i < samples.length; i += 13) store.measurements.insertBatch(runId, samples.slice(i, i + 13));
    const got = rollup(store, runId);
    const want = expectedRollup(store, runId);
    expect(got.map(({ sum_value, ...r }) => r)).toEqual(want.map(({ sum_value, ...r }) => r));
    got.forEach((r, i) => expect(r.sum_value).toBeCloseTo(want[i]!.sum_value, 9));
    expect(got.find((r) => r.sensor === 'a' && r.minute === T0 / MIN)).toMatchObject({ max_value: 99, max_ts: T0 + 30_001, min_value: 1, min_ts: T0 + 45_001 });
  });

  it('is rebuilt from raw rows written around insertBatch, identically', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 1, 3, 5, (t, s) => 30 + s + ((t / 5000) % 11));
    const maintained = rollup(store, runId);
    store.measurements.rebuildRollup(runId);
    expect(rollup(store, runId)).toEqual(maintained);
    store.measurements.rebuildRollup(runId, 'thermal');
    expect(rollup(store, runId)).toEqual(maintained);
  });

  it('is filled by migration 4 for runs stored before it', () => {
    const dir = tempDir();
    // A data directory as the previous version left it: migrations 1–3, samples, no rollup.
    const old = new Database(join(dir, 'vetting.db'));
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
    const now = new Date().toISOString();
    old.prepare("INSERT INTO hosts (id, name, created_at, updated_at) VALUES (1, 'old', ?, ?)").run(now, now);
    old.prepare("INSERT INTO runs (id, host_id, profile, state, agent_token_hash, created_at, updated_at) VALUES (7, 1, 'standard', 'Completed', 'x', ?, ?)").run(now, now);
    const ins = old.prepare("INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (7, 'thermal', ?, ?, '°C', ?)");
    old.transaction(() => {
      for (let i = 0; i < 600; i++) for (const s of ['x', 'y']) ins.run(s, 40 + ((i * 13) % 17) + (s === 'y' ? 0.5 : 0), T0 + i * 5000);
    })();
    old.close();

    const store = open(dir);
    const want = expectedRollup(store, 7);
    expect(want).toHaveLength(2 * 50);
    const got = rollup(store, 7);
    expect(got.map(({ sum_value, ...r }) => r)).toEqual(want.map(({ sum_value, ...r }) => r));
    // …and the old run charts from it.
    const s = store.measurements.chartSeries(7, 'thermal', { points: 40 });
    expect(s.get('x')).toMatchObject({ source: 'rollup', rawCount: 600 });
  });

  it('keeps sensors whose names are object keywords', () => {
    const store = open();
    const runId = newRun(store);
    for (let i = 0; i < 3; i++) {
      store.measurements.insertBatch(runId, ['__proto__', 'constructor', 'toString'].map((sensor, k) => ({ kind: 'thermal' as const, sensor, unit: '°C', ts: T0 + i * 5000, value: 40 + k + i })));
    }
    expect(rollup(store, runId)).toEqual(expectedRollup(store, runId));
    expect([...store.measurements.chartSeries(runId, 'thermal', { points: 10 }).keys()]).toEqual(['__proto__', 'constructor', 'toString']);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('goes with its run', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 0.1, 2, 5, () => 40);
    expect(rollup(store, runId).length).toBeGreaterThan(0);
    store.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    expect(rollup(store, runId)).toEqual([]);
  });
});

describe('chartSeries', () => {
  it('keeps a one-minute 95 °C spike in a 12-hour series downsampled to 400 points', () => {
    const store = open();
    const runId = newRun(store);
    const spikeAt = T0 + 7 * 3_600_000 + 13 * MIN;
    ingest(store, runId, 12, 2, 5, (t, s) => (s === 0 && t >= spikeAt && t < spikeAt + MIN ? 95 : 40 + Math.sin(t / 3.6e6 + s) * 3));
    const series = store.measurements.chartSeries(runId, 'thermal', { points: 400 });
    const hot = series.get('temp1')!;
    expect(hot.source).toBe('rollup');
    expect(hot.rawCount).toBe(12 * 720);
    expect(hot.points.length).toBeLessThanOrEqual(400);
    expect(hot.points.length).toBeGreaterThan(200);
    const peak = hot.points.reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(peak[1]).toBe(95);
    expect(peak[0]).toBe(spikeAt); // a real sample, at its own time
    expect(Math.max(...series.get('temp2')!.points.map((p) => p[1]))).toBeLessThan(44);
    // Points stay in time order, for the path and the hover search.
    for (const s of series.values()) for (let i = 1; i < s.points.length; i++) expect(s.points[i]![0]).toBeGreaterThan(s.points[i - 1]![0]);
  });

  it('keeps a single-sample dip too', () => {
    const store = open();
    const runId = newRun(store);
    const dipAt = T0 + 5 * 3_600_000 + 35_000;
    ingest(store, runId, 12, 1, 5, (t) => (t === dipAt ? 2 : 50));
    const pts = store.measurements.chartSeries(runId, 'thermal', { points: 400 }).get('temp1')!.points;
    expect(pts).toContainEqual([dipAt, 2]);
  });

  it('answers short windows from raw rows, every sample', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 12, 2, 5, (t, s) => 40 + s + ((t / 5000) % 3));
    const from = T0 + 3_600_000 + 12_345;
    const to = from + 20 * MIN;
    const s = store.measurements.chartSeries(runId, 'thermal', { from, to, points: 400 }).get('temp1')!;
    expect(s.source).toBe('raw');
    const raw = store.measurements.series(runId, 'thermal', from, to).get('temp1')!.points;
    expect(s.points).toEqual(raw);
    expect(s.rawCount).toBe(raw.length);
  });

  it('counts and bounds a long window with partial minutes at both edges exactly', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 12, 1, 5, (t) => 40 + ((t / 5000) % 7));
    // Mid-minute edges; a spike in the head's partial minute, inside the window, and one just before it.
    const from = T0 + 2 * 3_600_000 + 42_500;
    const to = from + 8 * 3_600_000 + 17_000;
    store.measurements.insertBatch(runId, [
      { kind: 'thermal', sensor: 'temp1', unit: '°C', ts: from + 1_000, value: 90 },
      { kind: 'thermal', sensor: 'temp1', unit: '°C', ts: from - 1_000, value: 120 },
    ]);
    const s = store.measurements.chartSeries(runId, 'thermal', { from, to, points: 300 }).get('temp1')!;
    const raw = store.measurements.series(runId, 'thermal', from, to).get('temp1')!.points;
    expect(s.source).toBe('rollup');
    expect(s.rawCount).toBe(raw.length);
    expect(s.points.length).toBeLessThanOrEqual(300);
    expect(s.points.every(([t]) => t >= from && t <= to)).toBe(true);
    expect(Math.max(...s.points.map((p) => p[1]))).toBe(90);
    expect(Math.min(...s.points.map((p) => p[1]))).toBe(Math.min(...raw.map((p) => p[1])));
  });

  it('rebuilds a missing rollup for samples written around insertBatch, and falls back to raw for sparse ones', () => {
    const store = open();
    const runId = newRun(store);
    const ins = store.db.prepare("INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, 'thermal', 's', ?, '°C', ?)");
    store.db.transaction(() => {
      for (let i = 0; i < 8640; i++) ins.run(runId, i === 4000 ? 97 : 45, T0 + i * 5000);
    })();
    expect(rollup(store, runId)).toEqual([]);
    const s = store.measurements.chartSeries(runId, 'thermal', { points: 400 }).get('s')!;
    expect(s).toMatchObject({ source: 'rollup', rawCount: 8640 });
    expect(s.points).toContainEqual([T0 + 4000 * 5000, 97]);
    expect(rollup(store, runId)).toHaveLength(720);
    expect(store.db.prepare('SELECT COUNT(*) FROM measurements_minute WHERE run_id = ?').pluck().get(runId)).toBe(720);

    const sparse = newRun(store, 'h2');
    store.measurements.insertBatch(sparse, [{ kind: 'psu', sensor: 'in0', unit: 'V', ts: T0, value: 12 }, { kind: 'psu', sensor: 'in0', unit: 'V', ts: T0 + 9 * 3_600_000, value: 11.9 }]);
    expect(store.measurements.chartSeries(sparse, 'psu', { points: 400 }).get('in0')).toMatchObject({ source: 'raw', rawCount: 2, points: [[T0, 12], [T0 + 9 * 3_600_000, 11.9]] });
    expect(store.measurements.chartSeries(sparse, 'thermal', { points: 400 }).size).toBe(0);
  });

  it('reads a 4 Hz burst packed into a few minutes from raw rows', () => {
    const store = open();
    const runId = newRun(store);
    const burst: Sample[] = [];
    for (let i = 0; i < 4 * 60 * 5; i++) burst.push({ kind: 'psu', sensor: 'power1', unit: 'W', ts: T0 + i * 250, value: 180 + (i % 40) });
    store.measurements.insertBatch(runId, burst);
    const s = store.measurements.chartSeries(runId, 'psu', { points: 400 }).get('power1')!;
    expect(s.source).toBe('raw');
    expect(s.rawCount).toBe(1200);
  });
});

describe('chartSeries answers kept for unchanged runs', () => {
  const WINDOW = { points: 400 };

  it('reuses an answer while the run takes no samples, and reads again after a batch', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 2, 3, 5, (t, s) => 40 + s);
    const first = store.measurements.chartSeries(runId, 'thermal', WINDOW);
    expect(store.measurements.chartSeries(runId, 'thermal', WINDOW)).toBe(first);
    expect(store.measurements.chartSeries(runId, 'thermal', { points: 200 })).not.toBe(first); // another window, its own answer

    const late = T0 + 2 * 3_600_000 + 5_000;
    store.measurements.insertBatch(runId, [{ kind: 'thermal', sensor: 'temp1', unit: '°C', ts: late, value: 97 }]);
    const after = store.measurements.chartSeries(runId, 'thermal', WINDOW).get('temp1')!;
    expect(after.rawCount).toBe(first.get('temp1')!.rawCount + 1);
    expect(Math.max(...after.points.map((p) => p[1]))).toBe(97);
  });

  it('thins a raw window with more samples than points, and keeps that answer too', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 2, 40, 5, (t, s) => 40 + s + Math.sin(t / 600_000)); // 1,440 samples a sensor: under the rollup's threshold
    const answer = store.measurements.chartSeries(runId, 'thermal', WINDOW);
    const s = answer.get('temp1')!;
    expect(s).toMatchObject({ source: 'raw', rawCount: 1440 });
    expect(s.points).toHaveLength(400);
    const raw = store.measurements.series(runId, 'thermal').get('temp1')!.points;
    expect([s.points[0], s.points.at(-1)]).toEqual([raw[0], raw.at(-1)]);
    expect(store.measurements.chartSeries(runId, 'thermal', WINDOW)).toBe(answer); // 16,000 points: kept
  });

  it('notices samples another connection committed, and deletes it is told of', () => {
    const dir = tempDir();
    const store = open(dir);
    const runId = newRun(store);
    ingest(store, runId, 1, 1, 60, () => 40);
    const window = { from: T0, to: T0 + 10 * MIN, points: 400 }; // short: raw rows
    expect(store.measurements.chartSeries(runId, 'thermal', window).get('temp1')!.rawCount).toBe(11);

    const other = new Database(join(dir, 'vetting.db'));
    try {
      other.prepare("INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, 'thermal', 'temp1', 99, '°C', ?)").run(runId, T0 + 30_000);
    } finally {
      other.close();
    }
    expect(store.measurements.chartSeries(runId, 'thermal', window).get('temp1')!.rawCount).toBe(12);

    // On the store's own connection, around it (as the janitor thins): seen once told.
    store.db.prepare('DELETE FROM measurements WHERE run_id = ? AND value = 99').run(runId);
    expect(store.measurements.chartSeries(runId, 'thermal', window).get('temp1')!.rawCount).toBe(12);
    store.measurements.forgetCharts();
    expect(store.measurements.chartSeries(runId, 'thermal', window).get('temp1')!.rawCount).toBe(11);
  });
});

describe('minMaxEnvelope', () => {
  const row = (minute: number, minValue: number, minTs: number, maxValue: number, maxTs: number): MinuteRow => ({ minute, minValue, minTs, maxValue, maxTs, n: 12 });
  it('gives each bucket its low and high in time order, one point when they are one sample', () => {
    const m = 1000;
    const rows = [row(m, 10, m * MIN + 5, 20, m * MIN + 1), row(m + 1, 5, (m + 1) * MIN + 9, 15, (m + 1) * MIN + 2), row(m + 2, 7, (m + 2) * MIN, 7, (m + 2) * MIN)];
    expect(minMaxEnvelope(rows, m, 2)).toEqual([
      [m * MIN + 1, 20],
      [(m + 1) * MIN + 9, 5],
      [(m + 2) * MIN, 7],
    ]);
    expect(minMaxEnvelope(rows, m, 1)).toHaveLength(5);
    expect(minMaxEnvelope([], m, 3)).toEqual([]);
  });
});

type BlockEntry = [number, number, number, number, number, number, string];
/** Every block of a run, with each entry checked against the minute rows it covers (merged here in plain JS). */
function checkBlocks(store: Store, runId: number): number {
  const blocks = store.db.prepare('SELECT kind, level, block, sensors FROM measurements_block WHERE run_id = ?').all(runId) as { kind: string; level: number; block: number; sensors: string }[];
  const minutes = store.db.prepare('SELECT minute, sensors FROM measurements_minute WHERE run_id = ? AND kind = ? AND minute BETWEEN ? AND ? ORDER BY minute');
  for (const b of blocks) {
    const span = 4 ** b.level;
    const want = new Map<string, BlockEntry>();
    for (const { minute, sensors } of minutes.all(runId, b.kind, b.block * span, (b.block + 1) * span - 1) as { minute: number; sensors: string }[]) {
      for (const [sensor, [min, minAt, max, maxAt, sum, n, unit]] of Object.entries(JSON.parse(sensors) as Record<string, BlockEntry>)) {
        const at = (minute - b.block * span) * MIN;
        const w = want.get(sensor);
        if (!w) want.set(sensor, [min, at + minAt, max, at + maxAt, sum, n, unit]);
        else {
          if (min < w[0]) (w[0] = min), (w[1] = at + minAt);
          if (max > w[2]) (w[2] = max), (w[3] = at + maxAt);
          w[4] += sum;
          w[5] += n;
        }
      }
    }
    const got = JSON.parse(b.sensors) as Record<string, BlockEntry>;
    expect(Object.keys(got).sort(), `level ${b.level} block ${b.block}`).toEqual([...want.keys()].sort());
    for (const [sensor, w] of want) {
      const g = got[sensor]!;
      expect([g[0], g[1], g[2], g[3], g[5], g[6]], `${sensor} in level ${b.level} block ${b.block}`).toEqual([w[0], w[1], w[2], w[3], w[5], w[6]]);
      expect(g[4]).toBeCloseTo(w[4], 6);
    }
  }
  return blocks.length;
}

/** What seriesSummaries must say, straight from the raw rows. */
function rawSummaries(store: Store, runId: number) {
  return store.db
    .prepare(
      `SELECT kind, sensor, unit, COUNT(*) AS count, MIN(value) AS min, MAX(value) AS max, AVG(value) AS avg,
         (SELECT json_array(ts, value) FROM measurements x WHERE x.run_id = m.run_id AND x.kind = m.kind AND x.sensor = m.sensor ORDER BY ts LIMIT 1) AS first,
         (SELECT json_array(ts, value) FROM measurements x WHERE x.run_id = m.run_id AND x.kind = m.kind AND x.sensor = m.sensor ORDER BY ts DESC LIMIT 1) AS last
       FROM measurements m WHERE run_id = ? GROUP BY kind, sensor, unit ORDER BY kind, sensor, unit`,
    )
    .all(runId)
    .map((r) => {
      const row = r as { kind: string; sensor: string; unit: string; count: number; min: number; max: number; avg: number; first: string; last: string };
      return { ...row, first: JSON.parse(row.first) as [number, number], last: JSON.parse(row.last) as [number, number] };
    });
}

describe('the rollup’s coarser blocks', () => {
  it('hold exactly what the minute rows they cover hold, sealed as the writes move on and derived by readers for the rest', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 20, 3, 20, (t, s) => 30 + s + ((t / 20_000) % 17) + (t % 7_000 === 0 ? 9 : 0));
    // The writer sealed every block its writes moved past: all but the last of each level.
    const sealed = checkBlocks(store, runId);
    expect(sealed).toBeGreaterThan(1200 / 4);
    // A whole-run read derives the rest (the blocks still open at the end).
    store.measurements.seriesSummaries(runId);
    const all = checkBlocks(store, runId);
    expect(all).toBeGreaterThan(sealed);
    const levels = store.db.prepare('SELECT level, COUNT(*) AS n FROM measurements_block WHERE run_id = ? GROUP BY level ORDER BY level').all(runId);
    expect(levels).toEqual([{ level: 1, n: 300 }, { level: 2, n: 75 }, { level: 3, n: 19 }, { level: 4, n: 5 }, { level: 5, n: 1 }]);
  });

  it('drop the blocks holding a minute that takes a late sample, and a reader derives them again', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 6, 2, 30, (t, s) => 40 + s);
    store.measurements.seriesSummaries(runId);
    const late = T0 + 65 * MIN + 7_000;
    store.measurements.insertBatch(runId, [{ kind: 'thermal', sensor: 'temp1', unit: '°C', ts: late, value: 150 }]);
    const holding = store.db.prepare('SELECT COUNT(*) FROM measurements_block WHERE run_id = ? AND block * (1 << (2 * level)) <= ? AND (block + 1) * (1 << (2 * level)) > ?').pluck();
    const minute = Math.floor(late / MIN);
    expect(holding.get(runId, minute, minute)).toBe(0);
    const temp1 = store.measurements.seriesSummaries(runId).find((s) => s.sensor === 'temp1')!;
    expect(temp1).toMatchObject({ max: 150, count: 6 * 120 + 1 });
    expect(holding.get(runId, minute, minute)).toBeGreaterThan(0); // derived again, with it (checked next)
    checkBlocks(store, runId);
    expect(store.measurements.chartSeries(runId, 'thermal', { points: 100 }).get('temp1')!.points).toContainEqual([late, 150]);
  });

  it('give the same chart answers as the minute rows alone (a store that has never sealed one)', () => {
    const dir = tempDir();
    const store = open(dir);
    const runId = newRun(store);
    ingest(store, runId, 30, 2, 30, (t, s) => 40 + s + Math.sin(t / 3.6e6 + s) * 5 + (t === T0 + 17 * 3_600_000 ? 40 : 0));
    const windows = [{ points: 400 }, { points: 240 }, { from: T0 + 3_600_000 + 12_345, to: T0 + 29 * 3_600_000 + 5_432, points: 300 }];
    const withBlocks = windows.map((w) => store.measurements.chartSeries(runId, 'thermal', w));
    store.db.prepare('DELETE FROM measurements_block').run();
    const fresh = new MeasurementStore(store.db); // as after a restart, blocks missing
    windows.forEach((w, i) => expect(fresh.chartSeries(runId, 'thermal', w), JSON.stringify(w)).toEqual(withBlocks[i]));
    checkBlocks(store, runId);
  });

  it('keep a whole run’s chart a few hundred rows long: a 72-hour window is read as blocks, its spike kept', () => {
    const store = open();
    const runId = newRun(store);
    const spikeAt = T0 + 51 * 3_600_000 + 7 * MIN + 30_000;
    ingest(store, runId, 72, 1, 30, (t) => (t === spikeAt ? 99 : 40 + Math.sin(t / 3.6e6) * 5));
    const read: number[] = [];
    const prepare = store.db.prepare.bind(store.db);
    // Count the rollup rows each statement of a fresh store hands back.
    const spy = Object.assign(Object.create(Object.getPrototypeOf(store.db) as object) as Db, store.db, {
      prepare: (sql: string) => {
        const stmt = prepare(sql);
        if (!/FROM measurements_(minute|block)/.test(sql) || !/SELECT (minute|block), sensors/.test(sql)) return stmt;
        const all = stmt.all.bind(stmt);
        return Object.assign(stmt, { all: (...args: unknown[]) => ((rows) => (read.push(rows.length), rows))(all(...args)) });
      },
    });
    const fresh = new MeasurementStore(spy);
    const s = fresh.chartSeries(runId, 'thermal', { points: 240 }).get('temp1')!;
    expect(s).toMatchObject({ source: 'rollup', rawCount: 72 * 120 });
    expect(s.points.length).toBeLessThanOrEqual(240);
    expect(s.points.length).toBeGreaterThan(120);
    expect(s.points).toContainEqual([spikeAt, 99]);
    const rows = read.reduce((a, b) => a + b, 0);
    expect(rows).toBeLessThan(400); // of 4,320 minute rows
  });
});

describe('seriesSummaries', () => {
  it('says what the raw rows say: count, min, max, mean, first and last sample', () => {
    const store = open();
    const runId = newRun(store);
    ingest(store, runId, 9, 3, 5, (t, s) => 20 + s * 3 + ((t / 5000) % 13) * 0.37 + (t === T0 + 5 * 3_600_000 ? 60 : 0));
    store.measurements.insertBatch(runId, [{ kind: 'psu', sensor: 'in0', unit: 'V', ts: T0 + 60_000, value: 12.1 }, { kind: 'psu', sensor: 'in0', unit: 'V', ts: T0 + 61_000, value: 11.8 }]);
    const got = store.measurements.seriesSummaries(runId);
    const want = rawSummaries(store, runId);
    expect(got.map(({ avg, ...g }) => g)).toEqual(want.map(({ avg, ...w }) => w));
    got.forEach((g, i) => expect(g.avg).toBeCloseTo(want[i]!.avg, 9));
  });

  it('rebuilds the rollup of samples written around the store, and still counts samples the janitor thinned since', () => {
    const store = open();
    const runId = newRun(store);
    const ins = store.db.prepare("INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, 'thermal', 'x', ?, '°C', ?)");
    store.db.transaction(() => {
      for (let i = 0; i < 2000; i++) ins.run(runId, 30 + (i % 50) / 7, T0 + i * 5000);
    })();
    const want = rawSummaries(store, runId);
    const before = store.measurements.seriesSummaries(runId);
    expect(before.map(({ avg, ...g }) => g)).toEqual(want.map(({ avg, ...w }) => w));
    // Thinning keeps the first sample of each minute; the rollup remembers them all (the last sample is the last one kept).
    store.db.prepare('DELETE FROM measurements WHERE run_id = ? AND id NOT IN (SELECT MIN(id) FROM measurements WHERE run_id = ? GROUP BY ts / 60000)').run(runId, runId);
    expect(rawSummaries(store, runId)[0]!.count).toBe(167);
    expect(store.measurements.seriesSummaries(runId)).toEqual([{ ...before[0], last: rawSummaries(store, runId)[0]!.last }]);
  });
});
