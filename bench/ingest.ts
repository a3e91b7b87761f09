import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../common/schema/index.ts';
import { openStore } from '../electron/node/store/index.ts';
import { api, serve, tempDir } from '../test/support/serve.ts';
import type { Figure } from './table.ts';

// Benchmark 1: N simulated agents speaking the real protocol over real
// WebSockets against a real `vetting serve` and its SQLite store. Each agent
// keeps a small window of unacknowledged messages in flight (as the real agent's
// outbox allows), so the figure is the server's sustained ingest capacity.

const SENSORS = 40;
const WINDOW = 4;

interface AgentStats { sent: number; acked: number; latencies: number[] }

function sensorBatch(seq: number, ts: number): string {
  const samples = [];
  for (let i = 0; i < SENSORS; i++) samples.push({ kind: 'thermal', sensor: `hwmon${i >> 3}/temp${i & 7}`, value: 40 + ((seq + i) % 30), unit: '°C', ts });
  return JSON.stringify({ type: 'sensor-batch', seq, ts, samples });
}

async function runAgent(url: string, token: string, session: string, until: number, stats: AgentStats): Promise<void> {
  const ws = new WebSocket(url);
  await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
  let seq = 0;
  const sentAt = new Map<number, number>();
  let done: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const pump = () => {
    while (sentAt.size < WINDOW && Date.now() < until) {
      seq++;
      const now = Date.now();
      // Every tenth message is a heartbeat, as a real agent interleaves them.
      ws.send(seq % 10 === 0 ? JSON.stringify({ type: 'heartbeat', seq, ts: now }) : sensorBatch(seq, now));
      sentAt.set(seq, performance.now());
      stats.sent++;
    }
    if (sentAt.size === 0 && Date.now() >= until) done();
  };
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type: string; seq?: number };
    if (msg.type === 'welcome') return pump();
    if (msg.type !== 'ack' || msg.seq === undefined) return;
    const t = sentAt.get(msg.seq);
    if (t !== undefined) {
      stats.latencies.push(performance.now() - t);
      stats.acked++;
      sentAt.delete(msg.seq);
    }
    pump();
  });
  ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token, agentVersion: 'bench', session, bootMac: null }));
  const guard = setTimeout(() => done(), until - Date.now() + 30_000);
  await finished;
  clearTimeout(guard);
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
    const store = openStore(tmp.path);
    const hostId = Number(store.db.prepare("INSERT INTO hosts (name, created_at, updated_at) VALUES ('b', 'x', 'x')").run().lastInsertRowid);
    const runId = store.runs.insert(hostId, 'smoke', 'Inventory', 'h');
    const insert = store.db.prepare('INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, ?, ?, ?, ?, ?)');
    const batch = store.db.transaction((seq: number) => {
      for (let i = 0; i < SENSORS; i++) insert.run(runId, 'thermal', `hwmon${i >> 3}/temp${i & 7}`, 40 + ((seq + i) % 30), '°C', Date.now());
    });
    const t0 = performance.now();
    for (let b = 0; b < rows / SENSORS; b++) batch(b);
    const s = (performance.now() - t0) / 1000;
    store.close();
    return rows / s;
  } finally {
    tmp.remove();
  }
}

export async function benchIngest(agents: number, seconds: number): Promise<Figure[]> {
  const tmp = tempDir('vetting-bench-ingest-');
  const server = await serve(tmp.path);
  try {
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
    const stats: AgentStats[] = tokens.map(() => ({ sent: 0, acked: 0, latencies: [] }));
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, procStats(pid).rssBytes)), 200);
    const before = procStats(pid);
    const t0 = performance.now();
    const until = Date.now() + seconds * 1000;
    await Promise.all(tokens.map((t, i) => runAgent(url, t, `bench-session-${i}`, until, stats[i]!)));
    const wall = (performance.now() - t0) / 1000;
    clearInterval(rssTimer);
    const after = procStats(pid);
    peakRss = Math.max(peakRss, after.rssBytes);

    const sent = stats.reduce((n, s) => n + s.sent, 0);
    const acked = stats.reduce((n, s) => n + s.acked, 0);
    const batches = stats.reduce((n, s) => n + s.sent - Math.floor(s.sent / 10), 0);
    const latencies = stats.flatMap((s) => s.latencies);
    await server.stop('SIGTERM');
    // Count end to end: every acknowledged sample must be in the database.
    const store = openStore(tmp.path);
    const stored = (store.db.prepare('SELECT COUNT(*) AS n FROM measurements').get() as { n: number }).n;
    store.close();
    const expectedRows = batches * SENSORS;
    const lost = sent - acked + (expectedRows - stored);

    const rowsPerS = stored / wall;
    const base = baselineRowsPerSecond(Math.max(40_000, Math.min(stored, 400_000)));
    const tag = `N=${agents}`;
    return [
      { name: `ingest ${tag}: stored samples/s`, value: rowsPerS, unit: 'rows/s', baseline: base, baselineLabel: 'direct better-sqlite3 batch inserts', ratio: rowsPerS / base, target: agents >= 500 ? '≥ 0.5 × baseline' : null, met: agents >= 500 ? rowsPerS / base >= 0.5 : null },
      { name: `ingest ${tag}: ack latency p50`, value: pct(latencies, 50), unit: 'ms', baseline: null, baselineLabel: null, ratio: null, target: null, met: null },
      { name: `ingest ${tag}: ack latency p99`, value: pct(latencies, 99), unit: 'ms', baseline: null, baselineLabel: null, ratio: null, target: agents >= 500 ? '< 100 ms' : null, met: agents >= 500 ? pct(latencies, 99) < 100 : null },
      { name: `ingest ${tag}: server CPU`, value: (after.cpuS - before.cpuS) / wall, unit: 'cores', baseline: null, baselineLabel: null, ratio: null, target: null, met: null },
      { name: `ingest ${tag}: server peak RSS`, value: peakRss / 1024 ** 2, unit: 'MB', baseline: null, baselineLabel: null, ratio: null, target: agents >= 500 ? '< 400 MB' : null, met: agents >= 500 ? peakRss < 400 * 1024 ** 2 : null },
      { name: `ingest ${tag}: messages lost`, value: lost, unit: 'messages', baseline: null, baselineLabel: null, ratio: null, target: '0', met: lost === 0, check: `sent ${sent}, acked ${acked}, rows ${stored}/${expectedRows}` },
    ];
  } finally {
    await server.stop('SIGKILL');
    tmp.remove();
  }
}

export const ingestFile = join(import.meta.dirname, 'ingest.ts');
