import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { STAGE_NAMES } from '../common/stages/index.ts';
import { writeRunReport } from '../electron/node/report/index.ts';
import { openDatabase } from '../electron/node/store/db.ts';
import { openStore, type Store } from '../electron/node/store/index.ts';
import { tempDir } from '../test/support/serve.ts';
import type { Figure } from './table.ts';

// Benchmark 3: report.html for a long run (default 12 hours, 40 sensors at 5 s).

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

export function benchReport(hours: number): Figure[] {
  const tmp = tempDir('vetting-bench-report-');
  try {
    const store = openStore(tmp.path);
    const runId = seedLongRun(store, tmp.path, hours);
    const db = openDatabase(tmp.path);
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM measurements WHERE run_id = ?').get(runId) as { n: number }).n;
    // Baseline: just reading every sample of the run, the I/O any report must do.
    const b0 = performance.now();
    const raw = db.prepare('SELECT sensor, ts, value FROM measurements WHERE run_id = ? ORDER BY sensor, ts').raw().all(runId);
    const baseMs = performance.now() - b0;
    db.close();
    if (raw.length !== rows) throw new Error('baseline read a different number of rows');

    const t0 = performance.now();
    const first = writeRunReport(store, tmp.path, runId);
    const genMs = performance.now() - t0;
    const html1 = readFileSync(first.html);
    const second = writeRunReport(store, tmp.path, runId);
    const identical = createHash('sha256').update(html1).digest('hex') === createHash('sha256').update(readFileSync(second.html)).digest('hex') && first.jsonSha256 === second.jsonSha256;
    const size = statSync(first.html).size;
    const verdictOk = html1.toString().includes('PASS');
    store.close();
    const tag = `${hours} h × 40 sensors`;
    return [
      { name: `report ${tag}: generation`, value: genMs, unit: 'ms', baseline: baseMs, baselineLabel: `reading the run's ${rows} samples`, ratio: genMs / baseMs, target: '< 2000 ms', met: genMs < 2000, check: verdictOk ? 'verdict PASS present' : 'VERDICT MISSING' },
      { name: `report ${tag}: report.html size`, value: size / 1024 ** 2, unit: 'MB', baseline: null, baselineLabel: null, ratio: null, target: '< 3 MB', met: size < 3 * 1024 ** 2 },
      { name: `report ${tag}: identical on regeneration`, value: identical ? 1 : 0, unit: 'bool', baseline: null, baselineLabel: null, ratio: null, target: '1', met: identical && verdictOk },
    ];
  } finally {
    tmp.remove();
  }
}

