import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../common/schema/index.ts';
import { openDatabase } from '../electron/node/store/db.ts';
import { api, serve, tempDir } from '../test/support/serve.ts';
import type { Figure } from './table.ts';

// Benchmark 1: N simulated agents speaking the real protocol over real
// WebSockets against a real `vetting serve` and its SQLite store. Each agent
// sends what a real agent sends — a 40-sensor batch, heartbeats and stage
// progress — on a fixed cadence 5 times faster than the real 5 s, whether or
// not earlier messages were acknowledged (the real agent's outbox does the same).

const SENSORS = 40;
export const BATCH_INTERVAL_MS = 1000;

interface AgentStats { sent: number; batches: number; acked: number; latencies: number[] }

function sensorBatch(seq: number, ts: number): string {
  const samples = [];
  for (let i = 0; i < SENSORS; i++) samples.push({ kind: 'thermal', sensor: `hwmon${i >> 3}/temp${i & 7}`, value: 40 + ((seq + i) % 30), unit: '°C', ts });
  return JSON.stringify({ type: 'sensor-batch', seq, ts, samples });
}

type Load = { mode: 'cadence'; until: number } | { mode: 'flood'; until: number; window: number };

async function runAgent(url: string, token: string, session: string, load: Load, stats: AgentStats): Promise<void> {
  const until = load.until;
  const ws = new WebSocket(url);
  await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
  let seq = 0;
  const sentAt = new Map<number, number>();
  const send = (frame: (seq: number, ts: number) => string) => {
    seq++;
    ws.send(frame(seq, Date.now()));
    sentAt.set(seq, performance.now());
    stats.sent++;
  };
  let tick = 0;
  const timers: NodeJS.Timeout[] = [];
  const welcomed = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { type: string; seq?: number };
      if (msg.type === 'welcome') return resolve();
      if (msg.type !== 'ack' || msg.seq === undefined) return;
      const t = sentAt.get(msg.seq);
      if (t !== undefined) {
        stats.latencies.push(performance.now() - t);
        stats.acked++;
        sentAt.delete(msg.seq);
      }
      if (load.mode === 'flood') pumpFlood();
    });
  });
  const pumpFlood = () => {
    while (load.mode === 'flood' && sentAt.size < load.window && Date.now() < until) {
      send(sensorBatch);
      stats.batches++;
    }
  };
  ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token, agentVersion: 'bench', session, bootMac: null }));
  await welcomed;
  if (load.mode === 'flood') pumpFlood();
  // Stagger agents across the interval so the load is steady rather than bursty.
  await new Promise((r) => setTimeout(r, Math.random() * BATCH_INTERVAL_MS));
  if (load.mode === 'cadence') timers.push(
    setInterval(() => {
      if (Date.now() >= until) return;
      tick++;
      send(sensorBatch);
      stats.batches++;
      if (tick % 4 === 0) send((s, ts) => JSON.stringify({ type: 'heartbeat', seq: s, ts }));
      if (tick % 8 === 0) send((s, ts) => JSON.stringify({ type: 'stage-progress', seq: s, ts, stage: 'CPUStress', attempt: 1, percent: (tick / 8) % 100 }));
    }, BATCH_INTERVAL_MS),
  );
  // After the load window, wait for the outstanding acks (bounded).
  await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
  const deadline = Date.now() + 30_000;
  while (sentAt.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const t of timers) clearInterval(t);
  ws.close();
}

function procStats(pid: number): { cpuS: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuS: ticks / 100, rssBytes: rssKb * 1024 };
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** The baseline: the same rows inserted straight into better-sqlite3, one transaction per 40-row batch. */
function baselineRowsPerSecond(rows: number): number {
  const tmp = tempDir('vetting-bench-base-');
  try {
    // A bare connection (the store's own pragmas and schema, none of its code).
    const db = openDatabase(tmp.path);
    const hostId = Number(db.prepare("INSERT INTO hosts (name, created_at, updated_at) VALUES ('b', 'x', 'x')").run().lastInsertRowid);
    const runId = Number(db.prepare("INSERT INTO runs (host_id, profile, state, agent_token_hash, created_at, updated_at) VALUES (?, 'smoke', 'Inventory', 'h', 'x', 'x')").run(hostId).lastInsertRowid);
    const insert = db.prepare('INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, ?, ?, ?, ?, ?)');
    const batch = db.transaction((seq: number) => {
      for (let i = 0; i < SENSORS; i++) insert.run(runId, 'thermal', `hwmon${i >> 3}/temp${i & 7}`, 40 + ((seq + i) % 30), '°C', Date.now());
    });
    const t0 = performance.now();
    for (let b = 0; b < rows / SENSORS; b++) batch(b);
    const s = (performance.now() - t0) / 1000;
    db.close();
    return rows / s;
  } finally {
    tmp.remove();
  }
}

export async function benchIngest(agents: number, seconds: number): Promise<Figure[]> {
  const tmp = tempDir('vetting-bench-ingest-');
  let server: Awaited<ReturnType<typeof serve>> | null = null;
  try {
    server = await serve(tmp.path);
    const pid = server.child.pid!;
    const tokens: string[] = [];
    for (let i = 0; i < agents; i++) {
      const name = `bench-${i}`;
      const add = await api(server, 'POST', '/api/hosts', { name, profile: 'standard' });
      if (add.status !== 200) throw new Error(`could not add host: ${JSON.stringify(add.body)}`);
      const start = await api<{ token: string }>(server, 'POST', '/api/runs', { host: name });
      tokens.push(start.body.token);
    }
    const url = `${server.bench.replace(/^http/, 'ws')}/agent`;
    const phase = async (load: (i: number) => Load, label: string) => {
      const stats: AgentStats[] = tokens.map(() => ({ sent: 0, batches: 0, acked: 0, latencies: [] }));
      const t0 = performance.now();
      await Promise.all(tokens.map((t, i) => runAgent(url, t, `bench-${label}-${i}`, load(i), stats[i]!)));
      return { stats, wall: (performance.now() - t0) / 1000 };
    };
    const rowsNow = () => {
      const db = openDatabase(tmp.path);
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM measurements').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };

    // Phase 1, latency and footprint: every agent on the accelerated cadence.
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, procStats(pid).rssBytes)), 200);
    const before = procStats(pid);
    const cadence = await phase(() => ({ mode: 'cadence', until: Date.now() + seconds * 1000 }), 'cadence');
    const after = procStats(pid);
    clearInterval(rssTimer);
    peakRss = Math.max(peakRss, after.rssBytes);
    const rowsAfterCadence = rowsNow();

    // Phase 2, capacity: every agent keeps 4 batches in flight for half as long.
    const flood = await phase(() => ({ mode: 'flood', until: Date.now() + (seconds * 1000) / 2, window: 4 }), 'flood');
    const floodRows = rowsNow() - rowsAfterCadence;

    await server.stop('SIGTERM');
    const all = [...cadence.stats, ...flood.stats];
    const sent = all.reduce((n, s) => n + s.sent, 0);
    const acked = all.reduce((n, s) => n + s.acked, 0);
    const expectedRows = all.reduce((n, s) => n + s.batches, 0) * SENSORS;
    // Counted end to end: every message acknowledged, every sample of every batch in the database.
    const stored = rowsNow();
    const lost = sent - acked + (expectedRows - stored);
    const latencies = cadence.stats.flatMap((s) => s.latencies);
    const wall = cadence.wall;
    const rowsPerS = floodRows / flood.wall;
    const base = baselineRowsPerSecond(Math.max(40_000, Math.min(floodRows, 400_000)));
    const tag = `N=${agents}`;
    return [
      { name: `ingest ${tag}: sustained stored samples/s (4 batches in flight per agent)`, value: rowsPerS, unit: 'rows/s', baseline: base, baselineLabel: 'direct better-sqlite3 batch inserts', ratio: rowsPerS / base, target: agents >= 500 ? '≥ 0.5 × baseline' : null, met: agents >= 500 ? rowsPerS / base >= 0.5 : null },
      { name: `ingest ${tag}: ack latency p50 (batch every ${BATCH_INTERVAL_MS} ms per agent)`, value: pct(latencies, 50), unit: 'ms', baseline: null, baselineLabel: null, ratio: null, target: null, met: null },
      { name: `ingest ${tag}: ack latency p99 (batch every ${BATCH_INTERVAL_MS} ms per agent)`, value: pct(latencies, 99), unit: 'ms', baseline: null, baselineLabel: null, ratio: null, target: agents >= 500 ? '< 100 ms' : null, met: agents >= 500 ? pct(latencies, 99) < 100 : null },
      { name: `ingest ${tag}: server CPU at that cadence`, value: (after.cpuS - before.cpuS) / wall, unit: 'cores', baseline: null, baselineLabel: null, ratio: null, target: null, met: null },
      { name: `ingest ${tag}: server peak RSS`, value: peakRss / 1024 ** 2, unit: 'MB', baseline: null, baselineLabel: null, ratio: null, target: agents >= 500 ? '< 400 MB' : null, met: agents >= 500 ? peakRss < 400 * 1024 ** 2 : null },
      { name: `ingest ${tag}: messages lost`, value: lost, unit: 'messages', baseline: null, baselineLabel: null, ratio: null, target: '0', met: lost === 0, check: `sent ${sent}, acked ${acked}, rows ${stored}/${expectedRows}` },
    ];
  } finally {
    await server?.stop('SIGKILL');
    tmp.remove();
  }
}

