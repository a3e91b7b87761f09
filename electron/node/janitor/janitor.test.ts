import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { insertHost, insertRun } from '../report/testing/sample-runs.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { openStore, type Store } from '../store/index.ts';
import { createJanitor, parseLeaseLine, runJanitorPass } from './index.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const dirs: string[] = [];
// Rows are seeded (back-dated) on a bare connection of the test's own; the janitor works through the store.
const dbs: Db[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const store of stores.splice(0)) store.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes `bytes` bytes into artifacts/run-N/name and records an artifact row when the run exists. */
function artifact(db: Db, dataDir: string, runId: number, name: string, bytes: number, row = true): string {
  const dir = join(dataDir, 'artifacts', `run-${runId}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(bytes, 1));
  if (row) {
    db.prepare("INSERT INTO artifacts (run_id, stage, kind, name, path, size, sha256, created_at) VALUES (?, NULL, 'log', ?, ?, ?, ?, ?)").run(
      runId,
      name,
      `artifacts/run-${runId}/${name}`,
      bytes,
      '0'.repeat(64),
      new Date(NOW).toISOString(),
    );
  }
  return path;
}

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'vetting-janitor-'));
  dirs.push(dataDir);
  const db = openDatabase(dataDir);
  dbs.push(db);
  const macs = ['52:54:00:00:00:01', '52:54:00:00:00:02', '52:54:00:00:00:03', '52:54:00:00:00:04', '52:54:00:00:00:05', '52:54:00:00:00:06', '52:54:00:00:00:07', '52:54:00:00:00:08'];
  const hosts = macs.map((m, i) => insertHost(db, `pve-${i + 1}`, [m]));
  const ago = (days: number): number => NOW - days * DAY;
  const run = (i: number, state: string, finishedDaysAgo: number | null, extra: Parameters<typeof insertRun>[2] extends infer O ? Partial<O> : never = {}) =>
    insertRun(db, hosts[i] as number, {
      state,
      start: ago((finishedDaysAgo ?? 0) + 1),
      completedAt: finishedDaysAgo === null ? null : ago(finishedDaysAgo),
      agentLastSeen: NOW - 60_000,
      ...extra,
    });
  const r = {
    oldReleased: run(0, 'Released', 400),
    abandoned: run(1, 'Abandoned', 100),
    deleted: run(2, 'Released', 90),
    released50: run(3, 'Released', 50),
    completedOld: run(4, 'Completed', 500), // finished long ago but never released: keeps everything
    holding: run(5, 'FailedHolding', null, { start: ago(600), failedStage: 'SMART' }),
    live: run(6, 'CPUStress', null, { start: NOW - 2 * 3600_000, agentLastSeen: NOW - 3600_000 }),
    released10: run(7, 'Released', 10),
  };
  artifact(db, dataDir, r.oldReleased, 'fio-sda.json', 3000);
  artifact(db, dataDir, r.abandoned, 'smart-sda.txt', 5000);
  artifact(db, dataDir, r.deleted, 'report.html', 500);
  db.prepare('DELETE FROM runs WHERE id = ?').run(r.deleted); // its directory is now an orphan
  artifact(db, dataDir, r.released50, 'report.html', 4000);
  artifact(db, dataDir, r.completedOld, 'report.html', 8000);
  artifact(db, dataDir, r.holding, 'smart-sdb.txt', 2000);
  artifact(db, dataDir, r.live, 'inventory.json', 1000);
  artifact(db, dataDir, r.released10, 'report.json', 3000);
  // Temp files: an abandoned partial upload (2 h old) and one being written now.
  const stalePart = artifact(db, dataDir, r.live, 'iperf-eno1.json.part', 700, false);
  utimesSync(stalePart, new Date(NOW - 2 * 3600_000), new Date(NOW - 2 * 3600_000));
  const freshPart = artifact(db, dataDir, r.live, 'fio-sdb.json.part', 300, false);
  const store = openStore(dataDir);
  stores.push(store);
  return { dataDir, db, store, r, macs, ago };
}

describe('janitor retention', () => {
  it('removes exactly what the policy says, oldest first, and nothing an unreleased run needs', () => {
    const { dataDir, db, store, r } = setup();
    const report = runJanitorPass({ store, dataDir, policy: { maxAgeDays: 365, maxTotalBytes: 15_000 }, now: NOW, trigger: 'test' });
    expect(report.errors).toEqual([]);
    expect(report.retention.pruned.map((p) => [p.runId, p.reason, p.bytes])).toEqual([
      [r.deleted, 'orphan', 500],
      [r.oldReleased, 'age', 3000],
      [r.abandoned, 'size', 5000], // oldest remaining candidate first…
      [r.released50, 'size', 4000], // …until the total fits
    ]);
    expect(report.retention.bytesBefore).toBe(3000 + 5000 + 500 + 4000 + 8000 + 2000 + 1000 + 3000 + 700 + 300);
    expect(report.retention.bytesAfter).toBeLessThanOrEqual(15_000);
    expect(report.retention.overBudget).toBe(false);
    for (const id of [r.deleted, r.oldReleased, r.abandoned, r.released50]) expect(existsSync(join(dataDir, 'artifacts', `run-${id}`))).toBe(false);
    // Released 10 days ago: within age, not needed for size.
    expect(existsSync(join(dataDir, 'artifacts', `run-${r.released10}`, 'report.json'))).toBe(true);
    // Never touched: completed-not-released, holding, in progress.
    expect(existsSync(join(dataDir, 'artifacts', `run-${r.completedOld}`, 'report.html'))).toBe(true);
    expect(existsSync(join(dataDir, 'artifacts', `run-${r.holding}`, 'smart-sdb.txt'))).toBe(true);
    expect(existsSync(join(dataDir, 'artifacts', `run-${r.live}`, 'inventory.json'))).toBe(true);
    expect(db.prepare('SELECT run_id FROM artifacts ORDER BY run_id').all().map((x) => (x as { run_id: number }).run_id)).toEqual([
      r.completedOld,
      r.holding,
      r.live,
      r.released10,
    ]);
    // Temp files: the stale partial goes, the one still being written stays.
    expect(report.tempFiles.map((f) => [f.path.split('/').slice(-2).join('/'), f.bytes])).toEqual([[`run-${r.live}/iperf-eno1.json.part`, 700]]);
    expect(existsSync(join(dataDir, 'artifacts', `run-${r.live}`, 'fio-sdb.json.part'))).toBe(true);
    expect(report.bytesReclaimed).toBeGreaterThanOrEqual(500 + 3000 + 5000 + 4000 + 700);
  });

  it('reports over budget instead of touching protected runs when nothing else can go', () => {
    const { dataDir, store, r } = setup();
    const report = runJanitorPass({ store, dataDir, policy: { maxAgeDays: 3650, maxTotalBytes: 1 }, now: NOW });
    expect(report.retention.overBudget).toBe(true);
    expect(report.retention.pruned.map((p) => p.runId).sort()).toEqual([r.oldReleased, r.abandoned, r.deleted, r.released50, r.released10].sort());
    for (const id of [r.completedOld, r.holding, r.live]) expect(existsSync(join(dataDir, 'artifacts', `run-${id}`))).toBe(true);
  });
});

describe('janitor housekeeping', () => {
  it('marks stale runs lost once, prunes leases of departed hosts, thins old series, trims the outbox, records the pass', () => {
    const { dataDir, db, store, r, macs, ago } = setup();
    // Leases: departed (latest run released), expired, unknown-but-valid, live host, and a DHCPv6 duid line.
    const leasesFile = join(dataDir, 'dnsmasq.leases');
    const future = Math.floor((NOW + 3600_000) / 1000);
    writeFileSync(
      leasesFile,
      [
        `${future} ${macs[0]} 10.9.0.11 pve-1 01:${macs[0]}`,
        `${Math.floor((NOW - 60_000) / 1000)} aa:bb:cc:dd:ee:ff 10.9.0.50 * *`,
        `${future} 02:00:00:00:00:99 10.9.0.51 newbox *`,
        `${future} ${macs[6]?.toUpperCase()} 10.9.0.17 pve-7 *`,
        `0 ${macs[4]} 10.9.0.15 pve-5 *`,
        'duid 00:01:00:01:2c:aa:bb:cc:52:54:00:00:00:01',
      ].join('\n') + '\n',
    );
    // Old measurements (40 days ago, every 5 s for 10 min) and recent ones.
    const ins = db.prepare("INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, 'thermal', ?, ?, '°C', ?)");
    const oldStart = Math.floor(ago(40) / 60_000) * 60_000;
    for (let t = 0; t < 10 * 60_000; t += 5000) {
      ins.run(r.completedOld, 'cpu', 50 + t / 60_000, oldStart + t);
      ins.run(r.completedOld, 'nvme', 30, oldStart + t);
      ins.run(r.live, 'cpu', 60, NOW - 10 * 60_000 + t);
    }
    // Outbox: an old delivered row goes, an old pending one stays.
    const ob = db.prepare("INSERT INTO notification_outbox (channel_id, event_type, payload_json, status, next_attempt_at_ms, created_at) VALUES ('c', 'AgentLost', '{}', ?, 0, ?)");
    ob.run('delivered', new Date(ago(60)).toISOString());
    ob.run('pending', new Date(ago(60)).toISOString());

    const lost: { runId: number; host: string }[] = [];
    let thinnedCalls = 0;
    const report = runJanitorPass({
      store,
      dataDir,
      policy: { maxAgeDays: 3650, maxTotalBytes: 10 ** 12, staleAfterMs: 30 * 60_000 },
      now: NOW,
      leasesFile,
      onAgentLost: (x) => lost.push(x),
      onMeasurementsThinned: () => thinnedCalls++,
    });
    expect(report.errors).toEqual([]);
    expect(report.staleRuns).toEqual([{ runId: r.live, host: 'pve-7', state: 'CPUStress', lastSeen: new Date(NOW - 3600_000).toISOString(), markedLost: true }]);
    expect(report.agentsMarkedLost).toEqual([r.live]);
    expect(lost).toEqual([{ runId: r.live, host: 'pve-7' }]);
    expect(db.prepare('SELECT agent_lost FROM runs WHERE id = ?').get(r.live)).toEqual({ agent_lost: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs WHERE agent_lost = 1').get()).toEqual({ n: 1 });

    expect(report.leases?.pruned).toEqual([
      { mac: macs[0], ip: '10.9.0.11', hostname: 'pve-1', reason: 'departed' },
      { mac: 'aa:bb:cc:dd:ee:ff', ip: '10.9.0.50', hostname: '*', reason: 'expired' },
    ]);
    const left = readFileSync(leasesFile, 'utf8').trim().split('\n');
    expect(left).toHaveLength(4);
    expect(left.filter((l) => parseLeaseLine(l)).map((l) => parseLeaseLine(l)?.hostname)).toEqual(['newbox', 'pve-7', 'pve-5']);
    expect(left.at(-1)).toMatch(/^duid /);

    // 120 old rows per sensor → 10 (one per minute); recent rows untouched.
    expect(report.measurements.rowsDeleted).toBe(2 * (120 - 10));
    expect(thinnedCalls).toBe(1); // the chart cache is told
    expect(db.prepare('SELECT sensor, COUNT(*) AS n FROM measurements GROUP BY run_id, sensor ORDER BY run_id, sensor').all()).toEqual([
      { sensor: 'cpu', n: 10 },
      { sensor: 'nvme', n: 10 },
      { sensor: 'cpu', n: 120 },
    ]);
    expect(report.outbox.rowsDeleted).toBe(1);
    expect(report.sqlite).toMatchObject({ optimized: true, checkpointBusy: false, walBytesAfter: 0 });

    // A second pass does not mark (or announce) the same agent again.
    const again = runJanitorPass({ store, dataDir, policy: { maxAgeDays: 3650, maxTotalBytes: 10 ** 12, staleAfterMs: 30 * 60_000 }, now: NOW, leasesFile, onMeasurementsThinned: () => thinnedCalls++ });
    expect(thinnedCalls).toBe(1); // nothing left to thin: not told again
    expect(again.agentsMarkedLost).toEqual([]);
    expect(again.staleRuns[0]).toMatchObject({ runId: r.live, markedLost: false });
    expect(lost).toHaveLength(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM janitor_passes').get()).toEqual({ n: 2 });
  });

  it('createJanitor runs passes on demand and remembers the last one across reopen', async () => {
    const { dataDir, db, store } = setup();
    const lines: string[] = [];
    const j = createJanitor({ store, dataDir, getPolicy: () => ({ maxAgeDays: 365, maxTotalBytes: 15_000 }), intervalMs: 3600_000, log: (l) => lines.push(l), now: () => NOW });
    expect(j.lastPass()).toBeNull();
    j.start();
    const [a, b] = await Promise.all([j.runNow(), j.runNow()]);
    expect(a).toBe(b); // one pass at a time
    await j.stop();
    expect(lines[0]).toMatch(/^janitor pass 1 \(manual\): reclaimed \d+ bytes, pruned 4 run dir\(s\)/);
    db.close();
    store.close();
    stores.splice(stores.indexOf(store), 1);
    const reopened = openStore(dataDir);
    stores.push(reopened);
    const last = createJanitor({ store: reopened, dataDir, getPolicy: () => ({ maxAgeDays: 1, maxTotalBytes: 1 }), intervalMs: 1000 }).lastPass();
    expect(last).toMatchObject({ id: 1, trigger: 'manual', bytesReclaimed: a.bytesReclaimed });
    expect(last?.report.retention.pruned).toHaveLength(4);
  });
});
