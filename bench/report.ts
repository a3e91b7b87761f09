import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { STAGE_NAMES } from '../common/stages/index.ts';
import { writeRunReport } from '../electron/node/report/index.ts';
import { openDatabase } from '../electron/node/store/db.ts';
import { openStore, type Store } from '../electron/node/store/index.ts';
import { tempDir } from '../test/support/serve.ts';
import { median } from './stats.ts';
import type { Figure } from './table.ts';

// Benchmark 3: report.html for runs of 2, 12 and 72 hours (40 sensors at 5 s).

export function seedLongRun(store: Store, dataDir: string, hours: number, sensors = 40, stepS = 5): number {
  const hostId = store.hosts.add({ name: `long-${hours}h`, macs: [], profile: 'burn-in', disks: [] }).id;
  const runId = store.runs.insert(hostId, 'burn-in', 'Completed', `bench-${hours}-${sensors}`);
  const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
  const t1 = t0 + hours * 3600_000;
  const iso = (t: number) => new Date(t).toISOString();
  // Back-dated rows no store method writes (a run that happened hours ago), on a connection of its own.
  const db = openDatabase(dataDir);
  db.prepare("UPDATE runs SET result = 'pass', created_at = ?, started_at = ?, completed_at = ? WHERE id = ?").run(iso(t0), iso(t0), iso(t1), runId);
  const span = (t1 - t0) / STAGE_NAMES.length;
  const stage = db.prepare("INSERT INTO stages (run_id, name, attempt, passed, outcome, started_at, completed_at, summary_json, message) VALUES (?, ?, 1, 1, 'passed', ?, ?, '{}', 'ok')");
  STAGE_NAMES.forEach((name, i) => stage.run(runId, name, iso(t0 + i * span), iso(t0 + (i + 1) * span)));
  db.close();
  // Through the store's own writer, one batch per reading of every sensor, as an agent's samples are stored.
  store.transaction(() => {
    for (let t = t0; t < t1; t += stepS * 1000) {
      store.measurements.insertBatch(
        runId,
        Array.from({ length: sensors }, (_, s) => ({ kind: 'thermal' as const, sensor: `hwmon${s >> 3}/temp${(s & 7) + 1}`, value: 35 + 20 * Math.sin(t / 3.6e6 + s) + (s % 7), unit: '°C', ts: t })),
      );
    }
  });
  return runId;
}

interface ReportRound {
  hours: number;
  runId: number;
  samples: number;
  /** Median generation time, after a first generation that derived what the rollup had left open. */
  genMs: number;
  firstMs: number;
  readMs: number;
  sizeBytes: number;
  identical: boolean;
  verdictOk: boolean;
  seriesDrawn: number;
}

/**
 * One run of each length in one data directory; every sample of each read
 * once; then the reports written `repeats` times, the lengths taking turns,
 * so a busy moment on a shared machine weighs on all of them alike.
 */
function reportRounds(hours: number[], repeats: number): ReportRound[] {
  const tmp = tempDir('vetting-bench-report-');
  try {
    const store = openStore(tmp.path);
    const rounds: ReportRound[] = hours.map((h) => ({ hours: h, runId: seedLongRun(store, tmp.path, h), samples: 0, genMs: 0, firstMs: 0, readMs: 0, sizeBytes: 0, identical: false, verdictOk: false, seriesDrawn: 0 }));
    const db = openDatabase(tmp.path);
    for (const r of rounds) {
      r.samples = (db.prepare('SELECT COUNT(*) AS n FROM measurements WHERE run_id = ?').get(r.runId) as { n: number }).n;
      // Reading every sample of the run: what the report cost before it read the rollup (a reading, no target).
      const b0 = performance.now();
      const raw = db.prepare('SELECT sensor, ts, value FROM measurements WHERE run_id = ? ORDER BY sensor, ts').raw().all(r.runId);
      r.readMs = performance.now() - b0;
      if (raw.length !== r.samples) throw new Error('the reading read a different number of rows');
    }
    db.close();

    const firsts = rounds.map((r) => {
      // The first report after the run derives the rollup blocks its last minutes left open.
      const f0 = performance.now();
      const first = writeRunReport(store, tmp.path, r.runId);
      r.firstMs = performance.now() - f0;
      return { html: readFileSync(first.html), jsonSha256: first.jsonSha256, path: first.html };
    });
    const times = rounds.map(() => [] as number[]);
    const lasts = rounds.map(() => ({ html: '', jsonSha256: '' }));
    for (let i = 0; i < repeats; i++) {
      rounds.forEach((r, k) => {
        // Each generation reads the store again: no chart answer kept from the one before.
        store.measurements.forgetCharts();
        const t0 = performance.now();
        const w = writeRunReport(store, tmp.path, r.runId);
        times[k]!.push(performance.now() - t0);
        lasts[k] = { html: w.html, jsonSha256: w.jsonSha256 };
      });
    }
    rounds.forEach((r, k) => {
      const first = firsts[k]!;
      const last = lasts[k]!;
      r.genMs = median(times[k]!);
      r.identical = createHash('sha256').update(first.html).digest('hex') === createHash('sha256').update(readFileSync(last.html)).digest('hex') && first.jsonSha256 === last.jsonSha256;
      const text = first.html.toString();
      r.verdictOk = text.includes('PASS');
      // 40 sensors, the 12 hottest drawn: each must be a drawn line.
      r.seriesDrawn = (text.match(/<path d="M[^"]+L[^"]+" fill="none"/g) ?? []).length;
      r.sizeBytes = statSync(first.path).size;
    });
    store.close();
    return rounds;
  } finally {
    tmp.remove();
  }
}

/**
 * Benchmark 3: report.html for runs of each length in `hours` (the first is
 * the base the others are compared with: the report must cost about the same
 * however long the run was).
 */
export function benchReport(hours: number[], repeats: number): Figure[] {
  const rounds = reportRounds(hours, repeats);
  const base = rounds[0]!;
  const figures: Figure[] = [];
  for (const r of rounds) {
    const tag = `${r.hours} h × 40 sensors`;
    const ok = r.verdictOk && r.seriesDrawn === 12;
    const check = `${ok ? '' : 'WRONG: '}verdict ${r.verdictOk ? 'PASS present' : 'MISSING'}, ${r.seriesDrawn} of 12 series drawn; median of ${repeats}; first generation ${r.firstMs.toFixed(0)} ms`;
    const isBase = r === base;
    const ratio = r.genMs / base.genMs;
    const long = r.hours >= 72;
    figures.push({
      name: `report ${tag}: generation`,
      value: r.genMs,
      unit: 'ms',
      baseline: isBase ? null : base.genMs,
      baselineLabel: isBase ? null : `report of a ${base.hours} h run`,
      ratio: isBase ? null : ratio,
      target: long ? '< 2000 ms and ≤ 1.5 × baseline' : '< 2000 ms',
      met: ok && r.genMs < 2000 && (!long || ratio <= 1.5),
      check,
    });
    figures.push({ name: `report ${tag}: reading every sample (${r.samples}), for comparison`, value: r.readMs, unit: 'ms', baseline: null, baselineLabel: null, ratio: null, target: null, met: null });
    figures.push({ name: `report ${tag}: report.html size`, value: r.sizeBytes / 1024 ** 2, unit: 'MB', baseline: null, baselineLabel: null, ratio: null, target: '< 3 MB', met: r.sizeBytes < 3 * 1024 ** 2 });
    figures.push({ name: `report ${tag}: identical on regeneration`, value: r.identical ? 1 : 0, unit: 'bool', baseline: null, baselineLabel: null, ratio: null, target: '1', met: r.identical && ok });
  }
  return figures;
}
