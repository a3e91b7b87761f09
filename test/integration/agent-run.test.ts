import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cleanup, eioLoopDevice, isRoot, killPid, loopDevice, sh, spawnTracked, tempDir } from '../../agent/testing/host-fixtures.ts';
import { STAGE_NAMES } from '../../common/stages/index.ts';
import { writeEdacController, writeHwmon, writePciFunction } from '../support/fake-sysfs.ts';

// The real agent against the real orchestrator (`vetting serve`) on loopback,
// with the smoke profile, loop-device disks and a fake sysfs tree for its sensor
// and health reads (--sysfs-root): a whole run through every stage, a wipe-probe
// hit that continues after a supervisor override, an agent killed mid-stage that
// resumes without losing or duplicating results, and faults the tree plants (a
// DIMM with an uncorrected error, a PCIe card trained at x4 of x16).

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
 * loopback port, and a fake sysfs tree with a temperature and a steady rail
 * (the test may plant more in it before the agent starts).
 */
async function bench() {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const orch = await serve(dataDir, await freePort());
  const sysfsRoot = join(dir, 'sys');
  writeHwmon(sysfsRoot, { tempC: 47, volts: 12 });
  return { orch, dataDir, sysfsRoot };
}

/** Starts `vetting agent …`, or with `bundle` the built out/agent/vetting-agent.mjs that hosts download. */
function startAgent(b: Awaited<ReturnType<typeof bench>>, orchestrator: string, token: string, pin: string, logName: string, opts: { bundle?: boolean } = {}): ChildProcess {
  const scratch = join(dir, 'tmp');
  mkdirSync(scratch, { recursive: true });
  // The pin lets the agent authenticate the orchestrator; without it Storage would be refused.
  const flags = ['--orchestrator', orchestrator, '--token', token, '--pin', pin, '--sysfs-root', b.sysfsRoot, '--state-dir', join(dir, 'agent-state')];
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
    await until(b, started.run, (r) => r.stages.some((s) => s.name === 'Storage' && s.startedAt !== null && s.outcome === null), 'Storage to start');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
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
      Memory: 'passed', // stressapptest passed; this machine has no EDAC driver, so ECC is not tested (below)
      Storage: 'passed',
      Network: 'passed',
      GPU: 'skipped',
      PSU: 'passed',
      BMC: 'skipped', // this machine has no BMC: not tested, and the run is not held for it
      Reporting: 'passed',
    });
    // Every stage passed, yet the run certifies nothing: a smoke profile scans 16 MiB of the 32 MiB disk,
    // and its iperf3 ran on loopback. The result says so, and where.
    expect(done.result).toBe('incomplete');
    const coverage = (stage: string) => done.stages.find((s) => s.name === stage)!.coverage.map((c) => [c.check, c.status, c.reason ?? null]);
    expect(coverage('SMART')).toEqual([['SMART health and counters', 'not-applicable', expect.stringMatching(/virtual disk/)]]);
    expect(coverage('Storage')).toEqual([
      ['surface scan', 'not-tested', 'the verified scan covered 16 MiB of 32 MiB (50 %)'],
      ['random I/O', 'tested', null],
    ]);
    expect(done.stages.find((s) => s.name === 'Storage')!.message).toMatch(/NOT FULLY SCANNED: the verified scan covered 16 MiB of 32 MiB \(50 %\)/);
    expect(coverage('GPU')).toEqual([['compute burn', 'not-applicable', expect.stringMatching(/no GPU in this host/)]]);
    expect(coverage('Memory')).toEqual([
      ['pattern test under load', 'tested', expect.stringMatching(/^stressapptest over /)],
      ['ECC error counters under load', 'not-tested', expect.stringMatching(/no EDAC driver is loaded/)],
      ['machine checks', 'tested', null],
    ]);
    // One result per stage: the restarted agent's resend was applied once.
    expect(done.stages.map((s) => s.name)).toEqual([...STAGE_NAMES]);
    expect(done.stages.every((s) => s.attempt === 1)).toBe(true);
    expect(done.stages.find((s) => s.name === 'PSU')!.message).toMatch(/1 rail\(s\) stayed within/);
    const exit = await new Promise<number | null>((r) => (second.exitCode !== null ? r(second.exitCode) : second.once('exit', r)));
    expect(exit).toBe(0); // told to shut down after Reporting
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
    expect(sh('sh', ['-c', `blkid -p ${disk.dev} || true`])).toBe(''); // the override let the scan overwrite it
  });

  it('holds a disk whose only Ceph BlueStore label is its copy at 1 GiB, naming the offset, and writes nothing', async () => {
    const b = await bench();
    const disk = loopDevice(cleanup, dir, 'osd.img', 1024 + 32);
    // A real label (util-linux's BlueStore test image) where BlueStore keeps its first copy; wipefs and blkid look at 0 only.
    const label = join(root, 'agent/stages/storage/parsers/captured/bluestore-util-linux.img');
    sh('dd', [`if=${label}`, `of=${disk.file}`, 'bs=4096', `seek=${1024 ** 3 / 4096}`, 'conv=notrunc', 'status=none']);
    const untouched = () => sh('stat', ['-c', '%b %Y', disk.file]);
    const before = untouched();
    const id = `loop:${disk.file}`;
    await vetting(['host', 'add', '--data-dir', b.dataDir, '--name', 'node4', '--profile', 'smoke', '--disk', id, '--json']);
    const started = (await vetting(['run', 'start', '--data-dir', b.dataDir, '--host', 'node4', '--json'])) as { run: number; orchestrator: string; token: string; pin: string };
    startAgent(b, started.orchestrator, started.token, started.pin, 'agent.log');
    const held = await until(b, started.run, (r) => r.state === 'FailedHolding' || r.state === 'Completed', 'the wipe-probe hold');
    expect(held.state).toBe('FailedHolding');
    expect(held.holdReason).toBe('UnexpectedData');
    expect(held.failedStage).toBe('Storage');
    expect(held.unexpectedData).toEqual([{ disk: id, device: disk.dev, found: ['Ceph BlueStore label (OSD 2f538ea4-e252-4b61-a363-0a1e470dd2a9) at offset 1 GiB (byte 1073741824)'] }]);
    expect(untouched()).toBe(before); // a write would have allocated blocks in the sparse file and moved its time
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
    expect(storage.message).toMatch(/found 128 bad logical block\(s\) on \/dev\/loop\d+: bytes 8388608-8454143 \(logical blocks 16384-16511 of 512 B\): unreadable \(I\/O error\)/);
  });

  it('holds the run at Memory when a DIMM has an uncorrected error, naming the DIMM', async () => {
    const b = await bench();
    writeEdacController(b.sysfsRoot, 0, [
      { label: 'CPU_SrcID#0_MC#0_Chan#0_DIMM#0', location: 'channel 0 slot 0', sizeMiB: 32768, ce: 0, ue: 0 },
      { label: 'CPU_SrcID#0_MC#0_Chan#1_DIMM#0', location: 'channel 1 slot 0', sizeMiB: 32768, ce: 2, ue: 1 },
    ]);
    await vetting(['host', 'add', '--data-dir', b.dataDir, '--name', 'node4', '--profile', 'smoke', '--json']);
    const started = (await vetting(['run', 'start', '--data-dir', b.dataDir, '--host', 'node4', '--json'])) as { run: number; orchestrator: string; token: string; pin: string };
    startAgent(b, started.orchestrator, started.token, started.pin, 'agent.log');
    const held = await until(b, started.run, (r) => r.state === 'FailedHolding' || r.state === 'Completed', 'the Memory verdict');
    expect(held.state).toBe('FailedHolding');
    expect(held.failedStage).toBe('Memory');
    expect(held.holdReason).toBe('StageFailed');
    const memory = held.stages.find((s) => s.name === 'Memory')!;
    expect(memory.message).toMatch(/^DIMM CPU_SrcID#0_MC#0_Chan#1_DIMM#0 \(mc0 channel 1 slot 0\): 1 uncorrected ECC error\(s\) since boot/);
    expect(memory.message).not.toMatch(/Chan#0_DIMM#0/);
    expect(memory.coverage.filter((c) => c.part.kind === 'dimm').map((c) => c.status)).toEqual(['tested', 'tested']);
  });

  it('holds the run at SpecValidate when a PCIe card trained at x4 of x16, naming its address (no spec needed)', async () => {
    const b = await bench();
    // A Gen4 x16 root port with a Gen4 x16 NIC (ConnectX-5 ids) that trained at x4.
    writePciFunction(b.sysfsRoot, { address: '0000:3a:00.0', path: [], vendor: '8086', device: '347a', classCode: '060400', current: { speedGTs: 16, width: 4 }, max: { speedGTs: 16, width: 16 } });
    writePciFunction(b.sysfsRoot, { address: '0000:3b:00.0', path: ['0000:3a:00.0'], vendor: '15b3', device: '1017', classCode: '020000', current: { speedGTs: 16, width: 4 }, max: { speedGTs: 16, width: 16 } });
    await vetting(['host', 'add', '--data-dir', b.dataDir, '--name', 'node5', '--profile', 'smoke', '--json']);
    const started = (await vetting(['run', 'start', '--data-dir', b.dataDir, '--host', 'node5', '--json'])) as { run: number; orchestrator: string; token: string; pin: string };
    startAgent(b, started.orchestrator, started.token, started.pin, 'agent.log');
    const held = await until(b, started.run, (r) => r.state === 'FailedHolding' || r.state === 'Completed', 'the SpecValidate verdict');
    expect(held.state).toBe('FailedHolding');
    expect(held.failedStage).toBe('SpecValidate');
    const spec = held.stages.find((s) => s.name === 'SpecValidate')!;
    expect(spec.outcome).toBe('failed');
    // lspci reads the real /sys, so the planted card is named by its ids.
    expect(spec.message).toBe('1 critical difference(s): pcie[0000:3b:00.0].width expected x16, found x4 of x16 (PCI device [15b3:1017])');
    expect(spec.coverage.filter((c) => c.part.kind === 'pci').map((c) => [c.part.id, c.status])).toEqual([['0000:3b:00.0', 'tested']]);
  });
});
