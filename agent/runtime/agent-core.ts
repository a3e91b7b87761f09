import { StageResult, type Directive, type ProtocolError, type Sample, type Welcome } from '../../common/schema/protocol.ts';
import type { RunStage } from '../../common/schema/protocol.ts';
import { isAgentStageName, stageDefinition, type AgentStageName, type StageName } from '../../common/stages/index.ts';
import { ThermalSidecar } from '../sensors/thermal-sidecar.ts';
import type { HostPaths, StageContext, StageModule, StageOutcomeReport, StageProgressUpdate } from '../stages/types.ts';
import { attemptArtifactName, createArtifactUploader } from './artifacts.ts';
import { AgentConnection, type HelloInfo } from './connection.ts';
import { errorText, type Logger } from './logger.ts';
import { Outbox } from './outbox.ts';
import { loadState, saveState, stateBinding } from './state-file.ts';
import { ToolInfraError, type ToolRunner } from './tool-runner.ts';

// The directive loop: owns the connection, the heartbeat and thermal timers,
// and at most one running stage. The orchestrator decides what happens next;
// the agent only obeys run-stage / wait / shutdown and reports.

export interface AgentCoreOptions {
  orchestrator: string;
  /** "sha256:<hex>" of the orchestrator's key (vetting.pin=): without it, destructive stages are refused. */
  pin?: string | null;
  hello: HelloInfo;
  stateDir: string;
  paths: HostPaths;
  stages: { readonly [N in AgentStageName]: StageModule<N> };
  runTool: ToolRunner;
  log: Logger;
  /** Resolve run() on a shutdown directive (default true). */
  exitOnShutdown: boolean;
  /** Called for poweroff / reboot when the live image allows it. */
  powerAction?: (action: 'poweroff' | 'reboot') => Promise<void>;
  signal?: AbortSignal;
}

interface RunningStage {
  stage: StageName;
  attempt: number;
  controller: AbortController;
  done: Promise<void>;
}

/** Leaves room under the protocol's 1 MiB frame limit for the envelope. */
const RESULT_BUDGET_BYTES = 900 * 1024;
const PROGRESS_MIN_INTERVAL_MS = 1000;

export class AgentCore {
  private readonly outbox: Outbox;
  private readonly binding: string;
  private readonly conn: AgentConnection;
  private welcome: Welcome | null = null;
  private running: RunningStage | null = null;
  private lastDone: Promise<void> = Promise.resolve();
  private finished = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private heartbeatS = 0;
  private sidecar: ThermalSidecar | null = null;
  private resolveExit: ((code: number) => void) | null = null;
  private exiting = false;
  private shuttingDown = false;
  private closed = false;
  private logBuffer: string[] = [];
  private logTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(private opts: AgentCoreOptions) {
    this.log = this.forwardingLogger(opts.log);
    opts = { ...opts, log: this.log };
    this.opts = opts;
    this.binding = stateBinding(opts.orchestrator, opts.hello.token);
    const loaded = loadState(opts.stateDir, this.binding);
    if (loaded.problem) opts.log.warn(loaded.problem);
    this.outbox = new Outbox(loaded.state ?? undefined);
    if (loaded.state) {
      opts.log.info('resuming agent session from state file', {
        session: this.outbox.session,
        nextSeq: this.outbox.nextSeq,
        pending: this.outbox.pending.length,
      });
    }
    this.persist();
    this.conn = new AgentConnection(
      opts.orchestrator,
      opts.hello,
      this.outbox,
      {
        onWelcome: (w) => this.onWelcome(w),
        onDirective: (d) => this.onDirective(d),
        onFatal: (e) => this.onFatal(e),
        onOutboxChange: () => this.persist(),
      },
      opts.log,
      opts.pin ?? null,
    );
  }

  /**
   * Tees info and above to the orchestrator as `log` messages (batched once a
   * second), so the bench can see what the agent is doing without a console.
   */
  private forwardingLogger(inner: Logger): Logger {
    const forward = (level: string, msg: string, fields?: Record<string, unknown>) => {
      if (this.exiting) return;
      let line = `${level}: ${msg}`;
      if (fields && Object.keys(fields).length > 0) {
        try {
          line += ` ${JSON.stringify(fields)}`;
        } catch {
          // unserialisable fields: the message alone will do
        }
      }
      this.logBuffer.push(line.slice(0, 4096));
      if (this.logBuffer.length > 500) this.logBuffer.splice(0, this.logBuffer.length - 500);
      if (!this.logTimer) {
        this.logTimer = setTimeout(() => this.flushLogs(), 1000);
        this.logTimer.unref?.();
      }
    };
    return {
      debug: (m, f) => inner.debug(m, f),
      info: (m, f) => (inner.info(m, f), forward('info', m, f)),
      warn: (m, f) => (inner.warn(m, f), forward('warn', m, f)),
      error: (m, f) => (inner.error(m, f), forward('error', m, f)),
    };
  }

  private flushLogs(): void {
    this.logTimer = null;
    // Before the first welcome there is no run to attach lines to; keep them.
    if (!this.welcome || this.logBuffer.length === 0) {
      if (this.logBuffer.length > 0 && !this.exiting) {
        this.logTimer = setTimeout(() => this.flushLogs(), 1000);
        this.logTimer.unref?.();
      }
      return;
    }
    const lines = this.logBuffer.splice(0, 500);
    this.conn.send({ type: 'log', stage: this.running?.stage ?? null, source: 'agent', lines });
  }

  get session(): string {
    return this.outbox.session;
  }

  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.resolveExit = resolve;
      if (this.opts.signal?.aborted) return void this.finish(0);
      this.opts.signal?.addEventListener('abort', () => void this.finish(0), { once: true });
      this.conn.start();
    });
  }

  private persist(): void {
    // After the final write a late event (a sensor read finishing) must not recreate the file.
    if (this.closed) return;
    try {
      saveState(this.opts.stateDir, this.binding, this.outbox.snapshot());
    } catch (err) {
      // Losing persistence only weakens restart recovery; keep working.
      this.opts.log.warn('cannot write state file', { dir: this.opts.stateDir, err: errorText(err) });
    }
  }

  private onWelcome(w: Welcome): void {
    this.welcome = w;
    if (this.heartbeatS !== w.params.heartbeatIntervalS) {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeatS = w.params.heartbeatIntervalS;
      this.heartbeat = setInterval(() => {
        if (this.conn.connected) this.conn.send({ type: 'heartbeat', stage: this.running?.stage ?? null });
      }, w.params.heartbeatIntervalS * 1000);
    }
    if (!this.sidecar) {
      this.sidecar = new ThermalSidecar({
        hwmonRoot: this.opts.paths.sysfsRoot,
        intervalS: w.params.thermal.intervalS,
        send: (samples) => this.conn.send({ type: 'sensor-batch', samples }),
        log: this.opts.log,
      });
      this.sidecar.start();
    } else {
      this.sidecar.setInterval(w.params.thermal.intervalS);
    }
  }

  private onFatal(e: ProtocolError): void {
    if (e.code === 'run-closed') {
      // The run has its verdict: nothing more to do here, as after a shutdown directive.
      this.opts.log.info('the run is closed; shutting down', { message: e.message });
      void this.shutdown('poweroff');
      return;
    }
    this.opts.log.error('orchestrator refused this agent; exiting', { code: e.code });
    void this.finish(2);
  }

  private onDirective(d: Directive): void {
    switch (d.type) {
      case 'run-stage':
        this.onRunStage(d);
        return;
      case 'wait':
        this.opts.log.info('waiting', { reason: d.reason });
        if (this.running) this.cancelRunning(`orchestrator asked to wait: ${d.reason}`);
        return;
      case 'shutdown':
        this.opts.log.info('shutdown requested', { action: d.action, reason: d.reason });
        void this.shutdown(d.action);
        return;
    }
  }

  private onRunStage(d: RunStage): void {
    const key = `${d.stage}#${d.attempt}`;
    if (this.running && this.running.stage === d.stage && this.running.attempt === d.attempt) return;
    if (this.finished.has(key) || this.outbox.hasPendingResult(d.stage, d.attempt)) {
      this.opts.log.debug('directive for a stage already reported; ignored', { stage: d.stage, attempt: d.attempt });
      return;
    }
    if (!this.conn.authenticated && (stageDefinition(d.stage).destructive || d.wipeOverride.length > 0)) {
      // Whoever sent this has not proved to be the orchestrator (no pinned key): write nothing.
      this.finished.add(key);
      const message = `refused: ${d.stage} writes to disks, and this agent could not authenticate the orchestrator (no pinned key: boot argument vetting.pin= or --pin)`;
      this.opts.log.error(message);
      this.conn.send(buildResult(d, { outcome: 'error', message, summary: { infraError: 'orchestrator-not-authenticated', problems: [message] }, coverage: [] }));
      return;
    }
    if (this.running) this.cancelRunning(`superseded by ${d.stage} attempt ${d.attempt}`);
    const controller = new AbortController();
    const previous = this.lastDone;
    const entry: RunningStage = { stage: d.stage, attempt: d.attempt, controller, done: Promise.resolve() };
    entry.done = previous.then(() => this.executeStage(d, entry)).catch((err) => {
      this.opts.log.error('stage runner crashed', { stage: d.stage, err: errorText(err) });
    });
    this.running = entry;
    this.lastDone = entry.done;
  }

  private cancelRunning(reason: string): void {
    const r = this.running;
    if (!r) return;
    this.opts.log.info('cancelling stage', { stage: r.stage, attempt: r.attempt, reason });
    r.controller.abort(new Error(reason));
    this.running = null;
  }

  private async executeStage(d: RunStage, entry: RunningStage): Promise<void> {
    const signal = entry.controller.signal;
    if (signal.aborted || !this.welcome) return;
    const welcome = this.welcome;
    this.conn.send({ type: 'stage-started', stage: d.stage, attempt: d.attempt });
    // Orchestrator-owned stages never come here from a sound orchestrator; refuse them plainly.
    const mod = isAgentStageName(d.stage) ? (this.opts.stages[d.stage] as StageModule) : undefined;
    let report: StageOutcomeReport;
    if (!mod) {
      report = { outcome: 'error', message: `${d.stage} is not a stage this agent runs`, summary: { infraError: 'not-an-agent-stage' }, coverage: [] };
    } else {
      const ctx = this.makeContext(d, welcome, signal);
      try {
        report = await mod.run(ctx);
      } catch (err) {
        report = errorReport(err);
      }
    }
    if (signal.aborted) {
      this.opts.log.info('stage cancelled; no result sent', { stage: d.stage, attempt: d.attempt });
      return;
    }
    this.finished.add(`${d.stage}#${d.attempt}`);
    if (this.running === entry) this.running = null;
    this.conn.send(buildResult(d, report));
    this.opts.log.info('stage finished', { stage: d.stage, attempt: d.attempt, outcome: report.outcome, message: report.message });
  }

  private makeContext(d: RunStage, welcome: Welcome, signal: AbortSignal): StageContext {
    const uploader = createArtifactUploader({ baseUrl: () => this.welcome?.artifactUrl ?? null, token: this.opts.hello.token, pin: this.opts.pin ?? null, log: this.opts.log });
    const lastSent = new Map<string, number>();
    return {
      stage: d.stage,
      attempt: d.attempt,
      welcome,
      params: welcome.params,
      wipeOverride: d.wipeOverride,
      signal,
      runTool: this.opts.runTool,
      log: this.opts.log,
      paths: this.opts.paths,
      progress: (u: StageProgressUpdate) => {
        if (signal.aborted) return;
        const item = u.item ?? '';
        const now = Date.now();
        const final = u.percent !== undefined && u.percent >= 100;
        if (!final && now - (lastSent.get(item) ?? 0) < PROGRESS_MIN_INTERVAL_MS) return;
        lastSent.set(item, now);
        this.conn.send({
          type: 'stage-progress',
          stage: d.stage,
          attempt: d.attempt,
          ...(u.item !== undefined ? { item: u.item.slice(0, 256) } : {}),
          ...(u.percent !== undefined && Number.isFinite(u.percent) ? { percent: Math.min(100, Math.max(0, u.percent)) } : {}),
          ...(u.etaS !== undefined && Number.isFinite(u.etaS) && u.etaS >= 0 ? { etaS: u.etaS } : {}),
          ...(u.message !== undefined ? { message: u.message.slice(0, 4096) } : {}),
        });
      },
      artifact: async (name, body) => {
        await uploader.upload(attemptArtifactName(name, d.attempt), body, d.stage).catch(() => false);
      },
    };
  }

  private async shutdown(action: 'poweroff' | 'reboot' | 'exit'): Promise<void> {
    // A shutdown directive and the run-closed answer to a late message can both arrive: act once.
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.running) this.cancelRunning('shutdown');
    await Promise.race([this.lastDone, sleep(10_000)]);
    await this.conn.drain(5000);
    if (!this.opts.exitOnShutdown && action !== 'exit') {
      this.opts.log.info('shutdown ignored (exitOnShutdown is off); staying idle');
      return;
    }
    // Before run() resolves: the caller exits the process as soon as it does.
    if (action !== 'exit' && this.opts.powerAction) {
      try {
        await this.opts.powerAction(action);
      } catch (err) {
        this.opts.log.error('power action failed', { action, err: errorText(err) });
      }
    }
    await this.finish(0);
  }

  private async finish(code: number): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    if (this.running) this.cancelRunning('agent exiting');
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.logTimer) clearTimeout(this.logTimer);
    this.sidecar?.stop();
    this.conn.stop();
    this.persist();
    this.closed = true;
    this.resolveExit?.(code);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref?.());
}

/** Turns an exception out of a stage into an `error` outcome naming the cause. */
export function errorReport(err: unknown): StageOutcomeReport {
  // Nothing was exercised to the end: the orchestrator holds the run on the error anyway.
  if (err instanceof ToolInfraError) {
    return { outcome: 'error', message: err.message, summary: { infraError: err.kind, tool: err.tool }, coverage: [] };
  }
  const name = err instanceof Error ? err.name : 'Error';
  return { outcome: 'error', message: `${name}: ${errorText(err)}`.slice(0, 4096), summary: { infraError: 'exception' }, coverage: [] };
}

/** Builds a valid stage-result body, thinning measurements so it fits one frame. */
export function buildResult(d: Pick<RunStage, 'stage' | 'attempt'>, report: StageOutcomeReport) {
  let measurements: Sample[] | undefined = report.measurements?.filter((s) => Number.isFinite(s.value));
  if (measurements && measurements.length > 20_000) measurements = thin(measurements, 20_000);
  const body = {
    type: 'stage-result' as const,
    stage: d.stage,
    attempt: d.attempt,
    outcome: report.outcome,
    message: (report.message || report.outcome).slice(0, 4096),
    summary: report.summary as Record<string, unknown>,
    coverage: report.coverage,
    ...(report.unexpectedData && report.unexpectedData.length > 0 ? { unexpectedData: report.unexpectedData.slice(0, 256) } : {}),
    ...(measurements && measurements.length > 0 ? { measurements } : {}),
  };
  while (body.measurements && Buffer.byteLength(JSON.stringify(body)) > RESULT_BUDGET_BYTES && body.measurements.length > 1) {
    body.measurements = thin(body.measurements, Math.floor(body.measurements.length / 2));
  }
  const check = StageResult.safeParse({ ...body, seq: 1, ts: 0 });
  if (!check.success) {
    const problem = check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return {
      type: 'stage-result' as const,
      stage: d.stage,
      attempt: d.attempt,
      outcome: 'error' as const,
      message: `agent produced an invalid result (${problem})`.slice(0, 4096),
      summary: { infraError: 'invalid-result', problems: [problem.slice(0, 4096)] },
      coverage: [],
    };
  }
  return body;
}

/** Keeps `n` evenly spaced samples (and the last one). */
function thin(samples: Sample[], n: number): Sample[] {
  if (samples.length <= n) return samples;
  const step = samples.length / n;
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) out.push(samples[Math.floor(i * step)]!);
  out[out.length - 1] = samples[samples.length - 1]!;
  return out;
}
