import { notTested, tested, type CoverageEntry, type PartRef } from '../../../common/schema/coverage.ts';
import type { SmartSelfTest } from '../../../common/stages/smart.ts';
import { nvmeStatusText, parseNvmeIdCtrl, parseNvmeSelfTestLog, type NvmeSelfTestEntry } from '../../parsers/nvme.ts';
import { parseSmartctlSelfTestLog, parseSmartctlSelfTestStatus, parseSmartctlTestStart, type SelfTestLogEntry, type SelfTestResult } from '../../parsers/smartctl-selftest.ts';
import { errorText } from '../../runtime/logger.ts';
import { ToolInfraError } from '../../runtime/tool-runner.ts';
import type { StageContext } from '../types.ts';

// The drive's own self-test: the drive reads (and for some tests seeks and checks) itself
// and logs a verdict, which catches a failing head or surface that counters have not
// recorded yet. Every disk's test is started first and then all are polled together, so a
// host with 24 disks waits for the slowest, not the sum. ATA drives go through smartctl,
// NVMe through nvme-cli (smartctl 7.3 cannot start an NVMe self-test). A drive that does not
// support self-tests, a SCSI/SAS drive (not run by this version) or a profile that asks for
// none is "not tested" with its reason; a test that was aborted or outlived the profile's
// wait is not tested either, and required: the drive could have been tested.

export type SelfTestKind = 'short' | 'long';

export interface SelfTestTarget {
  disk: string;
  path: string;
  /** smartctl -d type behind a RAID controller, null otherwise. */
  type: string | null;
  protocol: 'ATA' | 'NVMe' | 'SCSI' | 'unknown';
}

export interface SelfTestParams {
  selfTest: 'none' | SelfTestKind;
  selfTestMaxS: number;
  selfTestPollS: number;
  timeoutS: number;
}

interface Progress {
  running: boolean;
  remainingPercent: number | null;
}

/** What one protocol needs to start, follow and read a self-test. */
interface Driver {
  /** Null when the drive can run the test; else why not (unsupported / could not ask). */
  prepare(): Promise<null | Pick<SmartSelfTest, 'status' | 'detail'>>;
  start(): Promise<null | string>;
  poll(): Promise<Progress>;
  /** The drive's verdict on the test just run, or null when it logged none. */
  result(sawRunning: boolean): Promise<Pick<SmartSelfTest, 'status' | 'detail' | 'lba' | 'powerOnHours'> | null>;
  abort(): Promise<void>;
}

type Run = (tool: string, args: string[]) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

function statusOf(result: SelfTestResult): SmartSelfTest['status'] {
  return result === 'passed' ? 'passed' : result === 'failed' ? 'failed' : result === 'aborted' ? 'aborted' : 'unknown';
}

function sameEntry(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function ataDriver(t: SelfTestTarget, kind: SelfTestKind, run: Run): Driver {
  const dev = [...(t.type ? ['-d', t.type] : []), t.path];
  let before: { count: number; newest: SelfTestLogEntry | null } = { count: 0, newest: null };
  const readLog = async () => parseSmartctlSelfTestLog((await run('smartctl', ['-j', '-l', 'selftest', ...dev])).stdout);
  return {
    async prepare() {
      const status = parseSmartctlSelfTestStatus((await run('smartctl', ['-j', '-c', ...dev])).stdout);
      if (status.supported === false) return { status: 'unsupported', detail: 'the drive does not support SMART self-tests' };
      const log = await readLog().catch(() => ({ count: 0, entries: [] }));
      before = { count: log.count, newest: log.entries[0] ?? null };
      return null;
    },
    async start() {
      // "-t force" restarts a test already running (one a previous attempt left behind).
      const res = await run('smartctl', ['-t', kind, '-t', 'force', ...dev]);
      const started = parseSmartctlTestStart(res.stdout, res.exitCode);
      return started.started ? null : `smartctl -t ${kind}: ${started.message}`;
    },
    async poll() {
      const s = parseSmartctlSelfTestStatus((await run('smartctl', ['-j', '-c', ...dev])).stdout);
      return { running: s.result === 'in-progress', remainingPercent: s.remainingPercent };
    },
    async result(sawRunning) {
      const log = await readLog();
      const newest = log.entries[0];
      if (!newest) return null;
      const isNew = log.count > before.count || !sameEntry(newest, before.newest) || (sawRunning && newest.kind === kind);
      if (!isNew) return null;
      return { status: statusOf(newest.result), detail: `${newest.type}: ${newest.statusText}`, lba: newest.lba, powerOnHours: newest.lifetimeHours };
    },
    async abort() {
      await run('smartctl', ['-X', ...dev]).catch(() => undefined);
    },
  };
}

/** nvme-cli talks to the controller (/dev/nvme0), which owns the self-test. */
export function nvmeController(path: string): string {
  return path.replace(/^(\/dev\/nvme\d+)n\d+$/, '$1');
}

function nvmeDriver(t: SelfTestTarget, kind: SelfTestKind, run: Run): Driver {
  const dev = nvmeController(t.path);
  let before: { count: number; newest: NvmeSelfTestEntry | null } = { count: 0, newest: null };
  const readLog = async () => {
    const res = await run('nvme', ['self-test-log', dev, '-o', 'json']);
    if (res.exitCode !== 0) throw new Error(`nvme self-test-log: ${nvmeStatusText(res.stdout, res.stderr) ?? `exit ${res.exitCode}`}`);
    return parseNvmeSelfTestLog(res.stdout);
  };
  return {
    async prepare() {
      const res = await run('nvme', ['id-ctrl', dev, '-o', 'json']);
      if (res.exitCode !== 0) return { status: 'not-started', detail: `nvme id-ctrl: ${nvmeStatusText(res.stdout, res.stderr) ?? `exit ${res.exitCode}`}` };
      const ctrl = parseNvmeIdCtrl(res.stdout);
      if (!ctrl.selfTestSupported) return { status: 'unsupported', detail: `the controller does not support the Device Self-test command (OACS 0x${(ctrl.oacs ?? 0).toString(16)}, bit 4 clear)` };
      const log = await readLog();
      if (log.currentOperation !== 0) await run('nvme', ['device-self-test', dev, '-s', '0xf']);
      before = { count: log.entries.length, newest: log.entries[0] ?? null };
      return null;
    },
    async start() {
      const res = await run('nvme', ['device-self-test', dev, '-n', '0xffffffff', '-s', kind === 'short' ? '1' : '2']);
      return res.exitCode === 0 ? null : `nvme device-self-test: ${nvmeStatusText(res.stdout, res.stderr) ?? `exit ${res.exitCode}`}`;
    },
    async poll() {
      const log = await readLog();
      return { running: log.currentOperation !== 0, remainingPercent: log.completionPercent === null ? null : 100 - log.completionPercent };
    },
    async result(sawRunning) {
      const log = await readLog();
      const newest = log.entries[0];
      if (!newest) return null;
      const isNew = log.entries.length > before.count || !sameEntry(newest, before.newest) || (sawRunning && newest.kind === kind);
      if (!isNew) return null;
      const where = newest.segment ? ` (segment ${newest.segment})` : '';
      return { status: statusOf(newest.result), detail: `${kind === 'short' ? 'short' : 'extended'} device self-test: ${newest.resultText}${where}`, lba: newest.failingLba, powerOnHours: newest.powerOnHours };
    },
    async abort() {
      await run('nvme', ['device-self-test', dev, '-s', '0xf']).catch(() => undefined);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

interface Running {
  target: SelfTestTarget;
  driver: Driver;
  startedAt: number;
  sawRunning: boolean;
  remainingPercent: number | null;
  done: SmartSelfTest | null;
}

/**
 * Runs the profile's self-test on every target at once and returns each disk's result. Tool
 * failures become a result that says so (never a throw), except cancellation.
 */
export async function runSelfTests(ctx: StageContext, targets: readonly SelfTestTarget[], p: SelfTestParams): Promise<Map<string, SmartSelfTest>> {
  const results = new Map<string, SmartSelfTest>();
  if (p.selfTest === 'none') {
    for (const t of targets) results.set(t.disk, { kind: 'short', status: 'not-run', detail: 'the profile runs no self-test', lba: null, durationS: null, powerOnHours: null });
    return results;
  }
  const kind = p.selfTest;
  const toolMs = p.timeoutS * 1000;
  // One transcript per device (every command and its answer, in order), re-uploaded as it grows.
  const transcripts = new Map<string, string>();
  const run: Run = async (tool, args) => {
    const res = await ctx.runTool(tool, args, { timeoutMs: toolMs, signal: ctx.signal });
    const dev = (args.find((a) => a.startsWith('/dev/')) ?? 'device').slice(5).replace(/\//g, '_');
    const text = `${transcripts.get(dev) ?? ''}$ ${tool} ${args.join(' ')}\n# exit ${res.exitCode}\n${res.stdout}${res.stderr ? `\n# stderr\n${res.stderr}` : ''}\n`;
    transcripts.set(dev, text);
    await ctx.artifact(`selftest-${dev}.txt`, text);
    return res;
  };
  const finish = (r: Running, fields: Partial<SmartSelfTest> & Pick<SmartSelfTest, 'status' | 'detail'>) => {
    const ran = !['unsupported', 'not-started', 'not-run'].includes(fields.status);
    r.done = { kind, lba: null, powerOnHours: null, durationS: ran ? Math.round((Date.now() - r.startedAt) / 1000) : null, ...fields };
  };
  /** Runs one step; a tool problem ends that disk's test with the reason (cancellation propagates). */
  const step = async (r: Running, what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
      finish(r, { status: 'not-started', detail: `${what}: ${errorText(err)}`.slice(0, 1000) });
    }
  };

  const running: Running[] = [];
  for (const t of targets) {
    const r: Running = { target: t, driver: ataDriver(t, kind, run), startedAt: Date.now(), sawRunning: false, remainingPercent: 100, done: null };
    running.push(r);
    if (t.protocol === 'NVMe') r.driver = nvmeDriver(t, kind, run);
    else if (t.protocol !== 'ATA') {
      finish(r, { status: 'unsupported', detail: `self-tests of ${t.protocol === 'SCSI' ? 'SCSI/SAS' : 'these'} drives are not run by this version of the bench` });
      continue;
    }
    ctx.progress({ item: t.disk, message: `starting the ${kind} self-test on ${t.path}` });
    await step(r, 'checking self-test support', async () => {
      const why = await r.driver.prepare();
      if (why) finish(r, why);
    });
    if (r.done) continue;
    await step(r, 'starting the self-test', async () => {
      const refused = await r.driver.start();
      if (refused) finish(r, { status: 'not-started', detail: refused });
    });
    r.startedAt = Date.now();
  }

  const deadline = Date.now() + p.selfTestMaxS * 1000;
  while (running.some((r) => !r.done) && !ctx.signal.aborted) {
    for (const r of running.filter((x) => !x.done)) {
      await step(r, 'following the self-test', async () => {
        const s = await r.driver.poll();
        r.sawRunning ||= s.running;
        r.remainingPercent = s.running ? s.remainingPercent : 0;
        if (s.running) return;
        const verdict = await r.driver.result(r.sawRunning);
        if (verdict) finish(r, verdict);
        else finish(r, { status: 'unknown', detail: 'the test ended but the drive logged no result for it' });
      });
    }
    const open = running.filter((r) => !r.done);
    if (open.length === 0) break;
    const left = open.reduce((sum, r) => sum + (r.remainingPercent ?? 100), 0) / open.length;
    const doneShare = (running.length - open.length + open.reduce((s, r) => s + (100 - (r.remainingPercent ?? 100)) / 100, 0)) / running.length;
    ctx.progress({ percent: Math.min(99, doneShare * 100), etaS: Math.max(0, Math.round((deadline - Date.now()) / 1000)), message: `${kind} self-test: ${open.length} disk(s) running, ${Math.round(left)} % left on average` });
    if (Date.now() >= deadline) {
      for (const r of open) {
        await r.driver.abort();
        finish(r, { status: 'timed-out', detail: `the ${kind} self-test had not finished after ${p.selfTestMaxS} s (the profile's wait); it was aborted` });
      }
      break;
    }
    await sleep(p.selfTestPollS * 1000, ctx.signal);
  }
  if (ctx.signal.aborted) throw new ToolInfraError('cancelled', 'smartctl', 'the SMART stage was cancelled while self-tests ran');
  for (const r of running) results.set(r.target.disk, r.done!);
  return results;
}

/** The coverage line a disk's self-test result makes. */
export function selfTestCoverage(part: PartRef, st: SmartSelfTest): CoverageEntry {
  const check = st.status === 'not-run' ? 'SMART self-test' : `SMART ${st.kind} self-test`;
  if (st.status === 'passed' || st.status === 'failed') return tested(part, check);
  // The profile asked for none, or the drive cannot run one: nothing the bench could have done.
  const required = st.status !== 'unsupported' && st.status !== 'not-run';
  return notTested(part, check, st.detail, required);
}

/** The reason a failed self-test adds to the disk's row (null when it did not fail). */
export function selfTestFailure(st: SmartSelfTest): string | null {
  if (st.status !== 'failed') return null;
  return `${st.kind} self-test failed: ${st.detail}${st.lba !== null ? ` (first failing LBA ${st.lba})` : ''}`;
}
