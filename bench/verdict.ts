import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { cli, ROOT, tempDir } from '../test/support/serve.ts';
import { median } from './stats.ts';
import type { Figure } from './table.ts';

// Benchmark 5: time to verdict. A whole run on this machine through
// `vetting selftest` (the smoke profile's durations, every stage, harmless:
// fio on a scratch file, no badblocks), read back with `vetting run show`.
// Compared: the run's wall time against the sum of the tools' own running
// times as the tools themselves report them in their artifacts — what is left
// is orchestration (agent start, stage hand-offs, uploads, the report).
// With --lab, also the PXE lab's per-phase times from power-on
// (scripts/test-lab.sh prints them).

interface RunShow {
  id: number;
  state: string;
  result: string | null;
  createdAt: string;
  completedAt: string | null;
  stages: { name: string; outcome: string | null; startedAt: string | null; completedAt: string | null }[];
}

/** Seconds each heavy tool says it ran, from the run's artifacts. */
function toolSeconds(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), 'utf8');
    if (name === 'stress-ng.yaml') {
      const y = parseYaml(text) as { metrics?: { 'wall-clock-time'?: number }[] };
      out['stress-ng'] = Math.max(...(y.metrics ?? []).map((m) => Number(m['wall-clock-time'] ?? 0)));
    } else if (/^fio-.*\.json$/.test(name)) {
      const j = JSON.parse(text) as { jobs: { job_runtime: number }[] };
      out[name.replace(/\.json$/, '')] = Math.max(...j.jobs.map((x) => x.job_runtime)) / 1000;
    } else if (/^iperf3-.*\.json$/.test(name)) {
      const j = JSON.parse(text) as { end?: { sum_sent?: { seconds?: number } } };
      out[name.replace(/\.json$/, '')] = Number(j.end?.sum_sent?.seconds ?? NaN);
    }
  }
  return out;
}

async function oneRun(): Promise<{ cliS: number; runS: number; toolS: number; tools: Record<string, number>; check: string }> {
  const tmp = tempDir('vetting-bench-verdict-');
  try {
    const t0 = performance.now();
    const res = await cli(['selftest', '--data-dir', tmp.path, '--json']);
    const cliS = (performance.now() - t0) / 1000;
    if (res.code !== 0) throw new Error(`vetting selftest exited ${res.code}: ${res.stderr.slice(-1000)}`);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { run: number; result: string };
    const show = await cli(['run', 'show', String(out.run), '--data-dir', tmp.path, '--json']);
    if (show.code !== 0) throw new Error(`vetting run show exited ${show.code}: ${show.stderr.slice(-1000)}`);
    const run = JSON.parse(show.stdout) as RunShow;
    // Correctness: a completed, passing run whose every stage ran to a verdict.
    const unfinished = run.stages.filter((s) => !['passed', 'skipped'].includes(s.outcome ?? ''));
    if (run.state !== 'Completed' || run.result !== 'pass' || unfinished.length || !run.completedAt) {
      throw new Error(`selftest run ${run.id} ended ${run.state}/${run.result}; stages not passed: ${unfinished.map((s) => `${s.name}=${s.outcome}`).join(', ')}`);
    }
    const tools = toolSeconds(join(tmp.path, 'artifacts', `run-${run.id}`));
    for (const t of ['stress-ng', 'fio', 'iperf3']) if (!Object.keys(tools).some((k) => k.startsWith(t))) throw new Error(`selftest run ${run.id} has no ${t} artifact`);
    const toolS = Object.values(tools).reduce((a, b) => a + b, 0);
    if (!Number.isFinite(toolS)) throw new Error(`unreadable tool durations: ${JSON.stringify(tools)}`);
    const runS = (Date.parse(run.completedAt) - Date.parse(run.createdAt)) / 1000;
    return { cliS, runS, toolS, tools, check: `verdict pass, ${run.stages.length} stages, tools: ${Object.entries(tools).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')}` };
  } finally {
    tmp.remove();
  }
}

/** Runs the PXE lab and reads its "phase times from power-on" blocks. */
async function labPhases(): Promise<Figure[]> {
  const child = spawn('bash', [join(ROOT, 'scripts', 'test-lab.sh'), '-t', 'full run'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  const figures = parseLabPhases(text, code);
  if (!figures.length || code !== 0) {
    figures.push({ name: 'lab: PXE lab run', value: code, unit: 'exit', baseline: null, baselineLabel: null, ratio: null, target: '0', met: false, check: figures.length ? 'lab test failed' : `no phase times printed: ${text.slice(-300)}` });
  }
  return figures;
}

/** One figure per phase of each "[lab NAME] phase times from power-on" block the lab test prints. */
export function parseLabPhases(text: string, code: number): Figure[] {
  const figures: Figure[] = [];
  const block = /\[lab ([^\]]+)\] phase times from power-on \(setup took ([\d.]+) s\):\n((?:.*\+\s*-?[\d.]+ s\n?)+)/g;
  for (const m of text.matchAll(block)) {
    for (const line of m[3]!.split('\n')) {
      const p = /^(.*?)\s+\+\s*(-?[\d.]+) s$/.exec(line.trim());
      if (!p || p[1] === 'power on' || Number(p[2]) < 0) continue;
      figures.push({ name: `lab ${m[1]}: power-on → ${p[1]}`, value: Number(p[2]), unit: 's', baseline: null, baselineLabel: null, ratio: null, target: null, met: null, check: `lab exit ${code}` });
    }
  }
  return figures;
}

export async function benchVerdict(repeats: number, opts: { lab: boolean }): Promise<Figure[]> {
  const runs = [];
  for (let i = 0; i < repeats; i++) runs.push(await oneRun());
  const runS = median(runs.map((r) => r.runS));
  const cliS = median(runs.map((r) => r.cliS));
  const toolS = median(runs.map((r) => r.toolS));
  const figures: Figure[] = [
    { name: 'verdict: selftest run, created → verdict', value: runS, unit: 's', baseline: toolS, baselineLabel: "sum of the tools' own run times", ratio: runS / toolS, target: null, met: null, check: `${runs[0]!.check}; median of ${repeats}` },
    { name: 'verdict: `vetting selftest` command, start → exit', value: cliS, unit: 's', baseline: toolS, baselineLabel: "sum of the tools' own run times", ratio: cliS / toolS, target: null, met: null },
  ];
  if (opts.lab) figures.push(...(await labPhases()));
  return figures;
}
