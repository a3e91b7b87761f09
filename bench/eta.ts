import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Cleanup, isRoot, killPid, loopDevice, tempDir } from '../agent/testing/host-fixtures.ts';
import { api, CLI, cli, ROOT, serve } from '../test/support/serve.ts';
import { median } from './stats.ts';
import type { Figure } from './table.ts';

// Benchmark 7: how far the run's estimated end was from its real end. Whole
// smoke runs on loop-device disks against a real `vetting serve` and the real
// agent (as test/integration/agent-run.test.ts runs them), one after another
// on the same bench; each run's recorded estimates (the first, made when the
// run was started, and one at each state it entered) are compared with the
// moment it completed. The error is (estimated end − real end) ÷ the run's
// length (start to real end): +10 % means it said "done" a tenth of the run
// too late.

interface Estimate {
  state: string;
  madeAt: string;
  etaAt: string | null;
}

interface RunDetail {
  id: number;
  state: string;
  createdAt: string;
  completedAt: string | null;
  etaAt?: string | null;
  stages: { name: string; outcome: string | null; startedAt: string | null; completedAt: string | null; message: string | null }[];
  estimates?: Estimate[];
}

export interface EtaRun {
  run: number;
  lengthS: number;
  /** Seconds each state lasted, in order (boot wait and every stage). */
  phases: [string, number][];
  /** Error of the estimate recorded on entering each state, as a fraction of the run's length. */
  errors: Map<string, number>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Whole smoke runs of one host with `disks` loop disks of `diskMiB`, one after another. */
export async function etaRuns(runs: number, disks: number, diskMiB: number): Promise<EtaRun[]> {
  if (!isRoot()) throw new Error('the ETA benchmark needs root (loop devices)');
  const cleanup = new Cleanup();
  try {
    const tmp = { path: tempDir(cleanup, 'vetting-bench-eta-') };
    const dataDir = join(tmp.path, 'data');
    mkdirSync(dataDir);
    const orch = await serve(dataDir, ['--iperf-port', String(await freePort())]);
    cleanup.add(() => void orch.stop());
    // A fake hwmon tree: one temperature, one rail (so PSU has something to judge).
    const hw = join(tmp.path, 'hw', 'class', 'hwmon', 'hwmon0');
    mkdirSync(hw, { recursive: true });
    for (const [f, v] of [['name', 'coretemp'], ['temp1_input', '47000'], ['temp1_label', 'Package id 0'], ['in0_input', '12000'], ['in0_label', '+12V']]) writeFileSync(join(hw, f!), `${v}\n`);
    const ids = Array.from({ length: disks }, (_, i) => `loop:${loopDevice(cleanup, tmp.path, `disk${i}.img`, diskMiB).file}`);
    const added = await cli(['host', 'add', '--data-dir', dataDir, '--name', 'eta-node', '--profile', 'smoke', ...ids.flatMap((d) => ['--disk', d]), '--json']);
    if (added.code !== 0) throw new Error(`host add: ${added.stderr}`);

    const out: EtaRun[] = [];
    for (let i = 0; i < runs; i++) {
      const started = await cli(['run', 'start', '--data-dir', dataDir, '--host', 'eta-node', '--json']);
      if (started.code !== 0) throw new Error(`run start: ${started.stderr}`);
      const s = JSON.parse(started.stdout.trim().split('\n').at(-1)!) as { run: number; orchestrator: string; token: string; pin: string };
      const scratch = join(tmp.path, `tmp-${i}`);
      mkdirSync(scratch);
      const agent = spawn(
        process.execPath,
        [CLI, 'agent', '--orchestrator', s.orchestrator, '--token', s.token, '--pin', s.pin, '--hwmon-root', join(tmp.path, 'hw'), '--state-dir', join(tmp.path, `agent-state-${i}`)],
        { cwd: ROOT, stdio: ['ignore', 'ignore', openSync(join(tmp.path, `agent-${i}.log`), 'a')], env: { ...process.env, TMPDIR: scratch } },
      );
      cleanup.add(() => {
        if (agent.exitCode === null) killPid(agent.pid);
      });
      let detail: RunDetail;
      const deadline = Date.now() + 300_000;
      for (;;) {
        detail = (await api<RunDetail>(orch, 'GET', `/api/runs/${s.run}`)).body;
        if (detail.state === 'Completed' || detail.state === 'FailedHolding') break;
        if (Date.now() > deadline) throw new Error(`run ${s.run} still ${detail.state} after 5 minutes`);
        await new Promise((r) => setTimeout(r, 250));
      }
      if (detail.state !== 'Completed' || !detail.completedAt) throw new Error(`run ${s.run} held: ${JSON.stringify(detail.stages.map((st) => [st.name, st.outcome, st.message]))}`);
      await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once('exit', r)));
      const t0 = Date.parse(detail.createdAt);
      const end = Date.parse(detail.completedAt);
      const marks: [string, number][] = [['WaitingForAgent', t0], ...detail.stages.flatMap((st) => (st.startedAt ? [[st.name, Date.parse(st.startedAt)] as [string, number]] : []))];
      const phases = marks.map(([name, at], k) => [name, ((marks[k + 1]?.[1] ?? end) - at) / 1000] as [string, number]);
      const errors = new Map<string, number>();
      for (const e of detail.estimates ?? []) if (e.etaAt) errors.set(e.state, (Date.parse(e.etaAt) - end) / (end - t0));
      out.push({ run: s.run, lengthS: (end - t0) / 1000, phases, errors });
    }
    return out;
  } finally {
    cleanup.run();
  }
}

/**
 * The figures: the error of the estimate made at the start, at the agent's
 * hello and when Storage started; for the first run on the fresh bench (the
 * stages' own models, a boot time assumed) and, worst of them, for the runs
 * after it (what this host's last run took).
 */
export async function benchEta(runs: number): Promise<Figure[]> {
  const all = await etaRuns(Math.max(2, runs), 2, 64);
  const figures: Figure[] = [];
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
  const phases = (r: EtaRun) => r.phases.map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(', ');
  for (const [state, label, target] of [
    ['WaitingForAgent', 'the first estimate (run started)', null],
    ['Inventory', 'the estimate at the agent’s hello', null],
    ['Storage', 'the estimate when Storage started', '±15 %'],
  ] as const) {
    const err = (r: EtaRun) => {
      const e = r.errors.get(state);
      if (e === undefined) throw new Error(`run ${r.run} recorded no estimate on entering ${state}`);
      return e;
    };
    const [first, ...later] = all;
    const worst = later.map(err).reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
    for (const [who, e, rs] of [
      ['first run on a fresh bench (stage models)', err(first!), [first!]],
      [`worst of ${later.length} later runs (this host's last run)`, worst, later],
    ] as const) {
      figures.push({
        name: `eta smoke run, 2 loop disks: error of ${label}, ${who}`,
        value: e * 100,
        unit: '% of run',
        baseline: median(rs.map((r) => r.lengthS)),
        baselineLabel: 's, the run’s length',
        ratio: null,
        target,
        met: target ? Math.abs(e) <= 0.15 : null,
        check: `${rs.map((r) => `run ${r.run}: ${pct(err(r))} of ${r.lengthS.toFixed(1)} s`).join('; ')}; phases of run ${rs.at(-1)!.run}: ${phases(rs.at(-1)!)}`,
      });
    }
  }
  return figures;
}
