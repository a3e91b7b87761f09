import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cleanup, eioLoopDevice, isRoot, killPid, loopDevice, sh, spawnTracked, tempDir } from '../../agent/testing/host-fixtures.ts';
import { STAGE_NAMES } from '../../common/stages/index.ts';

// The real agent against the real orchestrator (`vetting serve`) on loopback,
// with the smoke profile, loop-device disks and a fake hwmon tree: a whole run
// through every stage, a wipe-probe hit that continues after a supervisor
// override, and an agent killed mid-stage that resumes without losing or
// duplicating results.

const execFileP = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const vettingBin = join(root, 'bin/vetting.js');

let cleanup: Cleanup;
let dir: string;
beforeEach(() => {
  cleanup = new Cleanup();
  dir = tempDir(cleanup, 'agent-run-');
});
afterEach(() => cleanup.run());

interface Serve {
  control: string;
  bench: string;
  token: string;
  proc: ChildProcess;
}

interface StageRow {
  name: string;
  outcome: string | null;
  message: string | null;
  attempt: number;
  startedAt: string | null;
  completedAt: string | null;
  coverage: { part: { kind: string; id: string }; check: string; status: string; reason?: string; required: boolean }[];
}

interface RunDetail {
  id: number;
  state: string;
  result: string | null;
  holdReason: string | null;
  failedStage: string | null;
  stages: StageRow[];
  attempts: StageRow[];
  unexpectedData: { disk: string; device: string; found: string[] }[];
  completedAt: string | null;
  etaAt?: string | null;
  eta?: { status: string; at: string | null; remainingS: number | null; firstAt: string | null };
  estimates?: { state: string; madeAt: string; etaAt: string | null }[];
}

async function vetting(args: string[], env: Record<string, string> = {}): Promise<unknown> {
  const { stdout } = await execFileP('node', [vettingBin, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** Running, not merely a zombie waiting for the (blocked) event loop to reap it. */
function pidAlive(pid: number | undefined): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function serve(dataDir: string, iperfPort: number): Promise<Serve> {
  const proc = spawn('node', [vettingBin, 'serve', '--data-dir', dataDir, '--control-port', '0', '--bench-address', '127.0.0.1', '--bench-port', '0', '--iperf-port', String(iperfPort), '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', openSync(join(dataDir, 'serve.err'), 'a')],
  });
  // SIGTERM first: the orchestrator stops the iperf3 server it supervises.
  cleanup.add(() => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    killPid(proc.pid, 'SIGTERM');
    for (let i = 0; i < 50 && pidAlive(proc.pid); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    killPid(proc.pid);
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    proc.on('exit', (code) => reject(new Error(`vetting serve exited ${code}`)));
  });
  return { ...(JSON.parse(line) as Omit<Serve, 'proc'>), proc };
}

async function api<T>(s: Serve, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${s.control}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
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

/**
 * A bench: data dir, orchestrator with its supervised iperf3 server on a free
 * loopback port, and a fake hwmon tree with a temperature and a steady rail.
 */
async function bench() {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const orch = await serve(dataDir, await freePort());
  const hw = join(dir, 'hw', 'class', 'hwmon', 'hwmon0');
  mkdirSync(hw, { recursive: true });
  writeFileSync(join(hw, 'name'), 'coretemp\n');
  writeFileSync(join(hw, 'temp1_input'), '47000\n');
  writeFileSync(join(hw, 'temp1_label'), 'Package id 0\n');
  writeFileSync(join(hw, 'in0_input'), '12000\n');
  writeFileSync(join(hw, 'in0_label'), '+12V\n');
  return { orch, dataDir, hwmonRoot: join(dir, 'hw') };
}

/** Starts `vetting agent …`, or with `bundle` the built out/agent/vetting-agent.mjs that hosts download. */
function startAgent(b: Awaited<ReturnType<typeof bench>>, orchestrator: string, token: string, pin: string, logName: string, opts: { bundle?: boolean } = {}): ChildProcess {
  const scratch = join(dir, 'tmp');
  mkdirSync(scratch, { recursive: true });
  // The pin lets the agent authenticate the orchestrator; without it Storage would be refused.
  const flags = ['--orchestrator', orchestrator, '--token', token, '--pin', pin, '--hwmon-root', b.hwmonRoot, '--state-dir', join(dir, 'agent-state')];
  const agent = spawn(
    'node',
    opts.bundle ? [join(root, 'out/agent/vetting-agent.mjs'), ...flags] : [vettingBin, 'agent', ...flags],
    // TMPDIR: the agent's scratch directory lands in this test's temp dir even when it is SIGKILLed.
    { cwd: root, stdio: ['ignore', 'ignore', openSync(join(dir, logName), 'a')], env: { ...process.env, TMPDIR: scratch } },
  );
  cleanup.add(() => {
    if (agent.exitCode === null) killPid(agent.pid);
  });
  return agent;
}

async function until(b: Awaited<ReturnType<typeof bench>>, run: number, pred: (r: RunDetail) => boolean, what: string, timeoutMs = 150_000): Promise<RunDetail> {
  const started = Date.now();
  for (;;) {
    const r = await api<RunDetail>(b.orch, `/api/runs/${run}`);
    if (pred(r)) return r;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}; run is ${r.state}: ${JSON.stringify(r.stages.map((s) => [s.name, s.outcome, s.message]))}`);
    await new Promise((res) => setTimeout(res, 300));
  }
}

const outcomes = (r: RunDetail) => Object.fromEntries(r.stages.map((s) => [s.name, s.outcome]));

describe.skipIf(!isRoot() && !process.env.CI)('the agent against the real orchestrator (smoke profile)', { timeout: 300_000 }, () => {
  it('runs every stage to Completed, and an agent killed mid-Storage resumes (as the bundle) without losing or duplicating results', async () => {
    const b = await bench();
    const disk = loopDevice(cleanup, dir, 'disk.img', 32);
    await vetting(['host', 'add', '--data-dir', b.dataDir, '--name', 'node1', '--profile', 'smoke', '--disk', `loop:${disk.file}`, '--max-temp', '85', '--json']);
    const started = (await vetting(['run', 'start', '--data-dir', b.dataDir, '--host', 'node1', '--json'])) as { run: number; orchestrator: string; token: string; pin: string };

    const first = startAgent(b, started.orchestrator, started.token, started.pin, 'agent-1.log');
    const inStorage = await until(b, started.run, (r) => r.stages.some((s) => s.name === 'Storage' && s.startedAt !== null && s.outcome === null), 'Storage to start');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // From the start the run has an estimated end; `run show --json` gives it as etaAt (docs/cli.md).
    expect(inStorage.eta).toMatchObject({ status: 'running', at: inStorage.etaAt });
    const shown = (await vetting(['run', 'show', String(started.run), '--data-dir', b.dataDir, '--json'])) as RunDetail;
    expect(Date.parse(shown.etaAt!)).toBeGreaterThan(Date.parse(inStorage.stages.find((s) => s.name === 'Storage')!.startedAt!));
    expect(shown.eta!.firstAt).toBe(shown.estimates![0]!.etaAt);
    // The second life is the bundle the live image runs: same session, same state file.
    await execFileP('node', [join(root, 'scripts/build-agent.js')], { cwd: root, timeout: 120_000 });
    const second = startAgent(b, started.orchestrator, started.token, started.pin, 'agent-2.log', { bundle: true });

    const done = await until(b, started.run, (r) => r.state === 'Completed' || r.state === 'FailedHolding', 'the run to finish');
    expect(done.state, JSON.stringify(done.stages.map((s) => [s.name, s.outcome, s.message]))).toBe('Completed');
    expect(outcomes(done)).toEqual({
      Inventory: 'passed',
      SpecValidate: 'skipped', // no expected spec registered for this host
      SMART: 'passed', // a loop device is a virtual disk: SMART does not apply to it
      CPUStress: 'passed',
      Storage: 'passed',
      Network: 'passed',
      GPU: 'skipped',
      PSU: 'passed',
      Reporting: 'passed',
    });
    // Every stage passed, yet the run certifies nothing: a smoke profile scans 16 MiB of the 32 MiB disk,
    // and its iperf3 ran on loopback. The result says so, and where.
    expect(done.result).toBe('incomplete');
    const coverage = (stage: string) => done.stages.find((s) => s.name === stage)!.coverage.map((c) => [c.check, c.status, c.reason ?? null]);
    expect(coverage('SMART')).toEqual([['SMART health and counters', 'not-applicable', expect.stringMatching(/virtual disk/)]]);
    expect(coverage('Storage')).toEqual([
      ['surface scan', 'not-tested', 'badblocks covered 16 MiB of 32 MiB (50 %)'],
      ['random I/O', 'tested', null],
    ]);
    expect(done.stages.find((s) => s.name === 'Storage')!.message).toMatch(/NOT FULLY SCANNED: badblocks covered 16 MiB of 32 MiB \(50 %\)/);
    expect(coverage('GPU')).toEqual([['compute burn', 'not-applicable', expect.stringMatching(/no GPU in this host/)]]);
    // One result per stage: the restarted agent's resend was applied once.
    expect(done.stages.map((s) => s.name)).toEqual([...STAGE_NAMES]);
    expect(done.stages.every((s) => s.attempt === 1)).toBe(true);
    expect(done.stages.find((s) => s.name === 'PSU')!.message).toMatch(/1 rail\(s\) stayed within/);
    const exit = await new Promise<number | null>((r) => (second.exitCode !== null ? r(second.exitCode) : second.once('exit', r)));
    expect(exit).toBe(0); // told to shut down after Reporting
    // Every state entered recorded its estimate of the end (the ETA benchmark's error rests on them), the end itself last.
    const recorded = (await api<RunDetail>(b.orch, `/api/runs/${started.run}`)).estimates!;
    expect(recorded.map((e) => e.state)).toEqual(['WaitingForAgent', ...STAGE_NAMES, 'Completed']);
    expect(recorded.slice(0, -1).every((e) => e.etaAt !== null && Date.parse(e.etaAt) > Date.parse(e.madeAt))).toBe(true);
    expect(recorded.at(-1)!.etaAt).toBe(done.completedAt);
  });

  it('halts a disk holding ext4 with UnexpectedData and continues after a supervisor override', async () => {
    const b = await bench();
    const disk = loopDevice(cleanup, dir, 'used.img', 32);
    sh('mkfs.ext4', ['-q', '-L', 'OLDDATA', disk.dev]);
    const id = `loop:${disk.file}`;
    await vetting(['host', 'add', '--data-dir', b.dataDir, '--name', 'node2', '--profile', 'smoke', '--disk', id, '--json']);
    const started = (await vetting(['run', 'start', '--data-dir', b.dataDir, '--host', 'node2', '--json'])) as { run: number; orchestrator: string; token: string; pin: string };
    startAgent(b, started.orchestrator, started.token, started.pin, 'agent.log');

    const held = await until(b, started.run, (r) => r.state === 'FailedHolding' || r.state === 'Completed', 'the wipe-probe hold');
    expect(held.state).toBe('FailedHolding');
    expect(held.holdReason).toBe('UnexpectedData');
    expect(held.failedStage).toBe('Storage');
    expect(held.unexpectedData).toHaveLength(1);
    expect(held.unexpectedData[0]).toMatchObject({ disk: id, device: disk.dev });
    expect(held.unexpectedData[0]!.found.join(' ')).toMatch(/ext4 filesystem .*OLDDATA/);
    expect(sh('blkid', ['-p', '-o', 'value', '-s', 'LABEL', disk.dev])).toBe('OLDDATA'); // nothing written
    // Held for a supervisor, the run says so instead of counting down.
    expect(held.eta).toMatchObject({ status: 'waiting-for-person', at: null });
    expect(held.etaAt).toBeNull();
    const text = await execFileP('node', [vettingBin, 'run', 'show', String(started.run), '--data-dir', b.dataDir], { cwd: root });
    expect(text.stdout).toMatch(/^waiting for a person \(about \d+ (s|min) of testing left once it continues\)/m);

    const secret = 'correct horse battery staple';
    await execFileP('node', [vettingBin, 'supervisor', 'add', '--data-dir', b.dataDir, '--name', 'sam'], { cwd: root, env: { ...process.env, VETTING_SUPERVISOR_SECRET: secret } });
    await vetting(['run', 'override', String(started.run), '--data-dir', b.dataDir, '--supervisor', 'sam', '--reason', 'disk is a known scratch disk', '--json'], { VETTING_SUPERVISOR_SECRET: secret });

    const done = await until(b, started.run, (r) => r.state === 'Completed' || (r.state === 'FailedHolding' && r.failedStage !== 'Storage'), 'the run to finish after the override');
    expect(done.state, JSON.stringify(done.stages.map((s) => [s.name, s.outcome, s.message]))).toBe('Completed');
    const storage = done.attempts.filter((s) => s.name === 'Storage');
    // The held attempt is recorded as overridden by the supervisor; the rerun passed.
    expect(storage.map((s) => s.outcome)).toEqual(['overridden', 'passed']);
    // Stored for anything that reads runs.result: never a plain pass (and smoke never certifies).
    expect(done.result).toBe('incomplete');
    const transitions = (await api<{ transitions: { action: string; detail: { result?: string; reasons?: string[] } | null }[] }>(b.orch, `/api/runs/${started.run}`)).transitions;
    const completion = transitions.find((t) => t.detail?.result)!;
    expect(completion.detail!.reasons!.join('\n')).toMatch(/a supervisor overrode the wipe-probe/);
    expect(sh('sh', ['-c', `blkid -p ${disk.dev} || true`])).toBe(''); // the override let badblocks overwrite it
  });

  it('holds the run at Storage when a disk has unreadable sectors, naming the bad range', async () => {
    const b = await bench();
    const MiB = 1024 * 1024;
    const bad = eioLoopDevice(cleanup, dir, 32 * MiB, 8 * MiB, 64 * 1024);
    await vetting(['host', 'add', '--data-dir', b.dataDir, '--name', 'node3', '--profile', 'smoke', '--disk', `loop:${bad.file}`, '--json']);
    const started = (await vetting(['run', 'start', '--data-dir', b.dataDir, '--host', 'node3', '--json'])) as { run: number; orchestrator: string; token: string; pin: string };
    startAgent(b, started.orchestrator, started.token, started.pin, 'agent.log');
    const held = await until(b, started.run, (r) => r.state === 'FailedHolding' || r.state === 'Completed', 'the Storage verdict');
    expect(held.state).toBe('FailedHolding');
    expect(held.failedStage).toBe('Storage');
    expect(held.holdReason).toBe('StageFailed');
    const storage = held.stages.find((s) => s.name === 'Storage')!;
    expect(storage.outcome).toBe('failed');
    expect(storage.message).toMatch(/64 bad block\(s\) on \/dev\/loop\d+: bytes 8388608-8454143 \(blocks 8192-8255 of 1024 B\)/);
  });
});
