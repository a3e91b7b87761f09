import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';

// A long-running helper process (dnsmasq, iperf3 -s) that the orchestrator keeps
// alive: start it, keep the tail of what it prints for the UI, restart it with
// exponential backoff when it dies, and stop it by PID. The supervisor never
// throws at its caller: whatever goes wrong ends up in `lastError`, phrased so
// the operator knows what to do about it.

export type SupervisedState = 'starting' | 'running' | 'failed' | 'stopped';

export interface SupervisedProcessOptions {
  /** Service name as the UI shows it ("dnsmasq", "iperf3"). */
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  cwd?: string;
  /**
   * Runs before every (re)start. Returns an actionable message when the process
   * cannot work (missing binary, missing privileges, busy port); the attempt then
   * counts as a failure and is retried on the backoff schedule, because the
   * operator may fix the cause (setcap, stop the other server) while we wait.
   */
  preflight?: () => Promise<string | null> | string | null;
  /** Turns an exit plus the log tail into an actionable message (null: use the generic one). */
  explainExit?: (exit: ExitInfo, tail: readonly string[]) => string | null;
  /** Every output line, e.g. for the dnsmasq log → host-seen parser. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Lines of output kept for the UI. Default 200. */
  logLines?: number;
  /** First restart delay; doubles per consecutive failure. Default 1000 ms. */
  backoffBaseMs?: number;
  /** Longest restart delay. Default 30 s. */
  backoffCapMs?: number;
  /** A process that stayed up this long counts as healthy: the backoff starts over. Default 10 s. */
  stableAfterMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 3 s. */
  killGraceMs?: number;
  /**
   * Start the process under `setpriv --pdeathsig SIGTERM`, so it dies with the
   * orchestrator even when that is SIGKILLed or crashes (a dnsmasq orphaned on
   * the bench network would hold port 67 against the next start). setpriv execs
   * the command, so the PID is still the command's. Default true where util-linux's
   * setpriv exists.
   */
  dieWithParent?: boolean;
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (ENOENT, EACCES…). */
  spawnError: string | null;
}

export interface SupervisedView {
  name: string;
  state: SupervisedState;
  /** Human summary: pid and uptime, or when the next restart is due. */
  detail: string | null;
  lastError: string | null;
  logTail: string[];
  pid: number | null;
  restarts: number;
}

export class SupervisedProcess extends EventEmitter {
  readonly name: string;
  private readonly opts: SupervisedProcessOptions;
  private readonly maxLines: number;
  private stateValue: SupervisedState = 'stopped';
  private lastErrorValue: string | null = null;
  private tail: string[] = [];
  private child: ResultPromise | null = null;
  private childPid: number | null = null;
  private childExited: Promise<void> | null = null;
  private startedAt = 0;
  private failures = 0;
  private restartCount = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private nextRestartAt = 0;
  private wanted = false;

  constructor(opts: SupervisedProcessOptions) {
    super();
    this.name = opts.name;
    this.opts = opts;
    this.maxLines = opts.logLines ?? 200;
  }

  get state(): SupervisedState {
    return this.stateValue;
  }
  get lastError(): string | null {
    return this.lastErrorValue;
  }
  get pid(): number | null {
    return this.childPid;
  }
  get restarts(): number {
    return this.restartCount;
  }
  get logTail(): string[] {
    return [...this.tail];
  }

  view(): SupervisedView {
    let detail: string | null = null;
    if (this.stateValue === 'running' && this.childPid !== null) {
      detail = `pid ${this.childPid}, up ${Math.round((Date.now() - this.startedAt) / 1000)} s`;
    } else if (this.stateValue === 'failed' && this.restartTimer) {
      detail = `restarting in ${Math.max(0, Math.round((this.nextRestartAt - Date.now()) / 1000))} s`;
    }
    return { name: this.name, state: this.stateValue, detail, lastError: this.lastErrorValue, logTail: this.logTail, pid: this.childPid, restarts: this.restartCount };
  }

  /** Starts the process (no-op when already wanted). Returns at once; watch `state`/'state' events. */
  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.failures = 0;
    void this.launch();
  }

  /** Stops the process and any pending restart; resolves once it has exited. */
  async stop(): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const pid = this.childPid;
    const exited = this.childExited;
    if (pid !== null && exited) {
      signalPid(pid, 'SIGTERM');
      const grace = this.opts.killGraceMs ?? 3000;
      const timedOut = await Promise.race([exited.then(() => false), delay(grace).then(() => true)]);
      if (timedOut) {
        signalPid(pid, 'SIGKILL');
        await exited;
      }
    }
    this.setState('stopped');
  }

  /** Waits until the state satisfies `pred` (for callers and tests that need "it is up now"). */
  waitFor(pred: (s: SupervisedState) => boolean, timeoutMs: number): Promise<SupervisedState> {
    if (pred(this.stateValue)) return Promise.resolve(this.stateValue);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', onState);
        reject(new Error(`${this.name}: still ${this.stateValue} after ${timeoutMs} ms${this.lastErrorValue ? ` (${this.lastErrorValue})` : ''}`));
      }, timeoutMs);
      const onState = (s: SupervisedState): void => {
        if (!pred(s)) return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve(s);
      };
      this.on('state', onState);
    });
  }

  private setState(s: SupervisedState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    this.emit('state', s);
  }

  private pushLine(line: string, stream: 'stdout' | 'stderr'): void {
    this.tail.push(line);
    if (this.tail.length > this.maxLines) this.tail.splice(0, this.tail.length - this.maxLines);
    try {
      this.opts.onLine?.(line, stream);
    } catch (err) {
      // A faulty consumer must not take the supervisor down with it.
      this.tail.push(`[supervisor] line handler failed: ${(err as Error).message}`);
    }
  }

  private async launch(): Promise<void> {
    this.restartTimer = null;
    if (!this.wanted) return;
    this.setState('starting');
    let preflightError: string | null = null;
    try {
      preflightError = (await this.opts.preflight?.()) ?? null;
    } catch (err) {
      preflightError = `preflight check failed: ${(err as Error).message}`;
    }
    if (!this.wanted) return;
    if (preflightError) {
      this.fail(preflightError);
      return;
    }

    const viaSetpriv = this.opts.dieWithParent !== false && SETPRIV !== null;
    const command = viaSetpriv ? SETPRIV! : this.opts.command;
    const args = viaSetpriv ? ['--pdeathsig', 'SIGTERM', '--', this.opts.command, ...this.opts.args] : [...this.opts.args];
    const child = execa(command, args, {
      reject: false,
      buffer: false,
      stdin: 'ignore',
      cleanup: true,
      env: this.opts.env,
      cwd: this.opts.cwd,
    });
    this.child = child;
    let spawned = false;
    child.once('spawn', () => {
      spawned = true;
      this.childPid = child.pid ?? null;
      this.startedAt = Date.now();
      this.setState('running');
    });
    for (const [stream, name] of [
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ] as const) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (l) => this.pushLine(l, name));
    }
    let resolveExit!: () => void;
    this.childExited = new Promise((r) => (resolveExit = r));
    const result = await child;
    const errCode = (result as { code?: unknown }).code;
    // Let readline flush the last lines before we explain the exit.
    await delay(20);
    const exit: ExitInfo = {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      spawnError: !spawned ? (typeof errCode === 'string' ? errCode : (result as { originalMessage?: string }).originalMessage ?? 'spawn failed') : null,
    };
    // Under setpriv a missing command is setpriv's exec failure (status 127), not a spawn error.
    if (viaSetpriv && exit.exitCode === 127 && this.tail.slice(-3).some((l) => /^setpriv: failed to execute .*No such file/.test(l))) {
      exit.spawnError = 'ENOENT';
    }
    this.child = null;
    this.childPid = null;
    resolveExit();
    this.childExited = null;
    if (!this.wanted) return;
    const uptime = spawned ? Date.now() - this.startedAt : 0;
    if (uptime >= (this.opts.stableAfterMs ?? 10_000)) this.failures = 0;
    this.fail(this.describeExit(exit));
  }

  private describeExit(exit: ExitInfo): string {
    const explained = this.opts.explainExit?.(exit, this.tail) ?? null;
    if (explained) return explained;
    if (exit.spawnError === 'ENOENT') return `${this.opts.command} is not installed or not on PATH`;
    if (exit.spawnError) return `${this.opts.command} could not be started: ${exit.spawnError}`;
    // A killed process did not get to say why; its last line would mislead.
    if (exit.signal) return `${this.name} was killed by ${exit.signal}`;
    const last = [...this.tail].reverse().find((l) => l.trim() !== '');
    return `${this.name} exited with status ${exit.exitCode}${last ? `: ${last.trim()}` : ''}`;
  }

  private fail(message: string): void {
    this.lastErrorValue = message;
    this.setState('failed');
    if (!this.wanted) return;
    const base = this.opts.backoffBaseMs ?? 1000;
    const cap = this.opts.backoffCapMs ?? 30_000;
    const wait = Math.min(cap, base * 2 ** Math.min(this.failures, 20));
    this.failures += 1;
    this.nextRestartAt = Date.now() + wait;
    this.restartTimer = setTimeout(() => {
      this.restartCount += 1;
      void this.launch();
    }, wait);
    this.restartTimer.unref?.();
    this.emit('failed', message);
  }
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone: nothing to do.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
