import {
  Inventory,
  type BootStep,
  type BoardEntry,
  type BoardView,
  type Directive,
  type RunActionBody,
  type RunDetailView,
  type RunSummaryView,
  type SequencedAgentMessage,
  type StageResult,
  type Welcome,
  type WipeProbeHit,
  PROTOCOL_VERSION,
} from '../../../common/schema/index.ts';
import { PROFILES } from '../../../common/profiles.ts';
import { STAGE_NAMES, stageDefinition, type StageName } from '../../../common/stages.ts';
import { hashToken, newSecret } from '../auth/secrets.ts';
import type { EventBus } from '../events/bus.ts';
import { checkSpecYaml } from '../spec/spec-yaml.ts';
import { diffSpec, hasCritical } from '../spec/spec-diff.ts';
import type { Store } from '../store/index.ts';
import type { HostRecord } from '../store/hosts.ts';
import { stageView, type RunRow } from '../store/runs.ts';
import { notFound, UserError } from '../util/errors.ts';
import { nowIso } from '../util/time.ts';
import type { LiveState } from './live-state.ts';
import { afterStage, acceptsResultFor, IllegalTransition, isStageState, onAgentConnected, planAction, type StageEnd } from './state-machine.ts';

/** What the notification registry receives; delivery is its business. */
export interface NotificationEvent {
  type: 'SpecMismatch' | 'StageFailed' | 'UnexpectedData' | 'AgentLost' | 'RunCompleted' | 'ServiceDown';
  runId?: number;
  host?: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
}
export interface NotifierPort {
  emit(event: NotificationEvent): void;
}

/** Writes report.html/report.json for a run (the Reporting stage). */
export type Reporter = (runId: number) => { html: string; json: string; jsonSha256: string };

export interface RunServiceDeps {
  store: Store;
  bus: EventBus;
  live: LiveState;
  notifier: NotifierPort;
  reporter: Reporter;
  /** Checks a supervisor's credential (backoff, audit); throws a UserError when it does not hold. */
  supervisors: { check(name: string, secret: string, asker: string): Promise<void> };
  /** The bench listener's public data: where agents upload artifacts and find iperf3. */
  bench: () => { artifactBase: string; iperf: { host: string; port: number } | null };
}

const OPERATOR = 'operator';
const isFinished = (state: string) => state === 'Completed' || state === 'Abandoned' || state === 'Released';

/**
 * Applies everything that moves a run: agent messages, operator actions and
 * the orchestrator-owned stages. Each change happens inside one SQLite
 * transaction together with its audit row, before anything is acknowledged;
 * live events go out after the commit.
 */
export class RunService {
  private pending: (() => void)[] = [];
  private depth = 0;

  constructor(private readonly deps: RunServiceDeps) {}

  private get store() {
    return this.deps.store;
  }

  /**
   * Runs `fn` in a transaction (a savepoint when nested) and publishes the
   * events it queued once the outermost transaction has committed.
   */
  private tx<T>(fn: () => T): T {
    this.depth++;
    const mark = this.pending.length;
    let result: T;
    try {
      result = this.store.db.transaction(fn)();
    } catch (e) {
      // Whatever the rolled-back part queued must not be announced.
      this.pending.length = mark;
      throw e;
    } finally {
      this.depth--;
    }
    if (this.depth === 0) {
      const queued = this.pending;
      this.pending = [];
      for (const publish of queued) publish();
    }
    return result;
  }

  private afterCommit(fn: () => void) {
    this.pending.push(fn);
  }

  private changed(run: RunRow) {
    const host = this.store.hosts.byId(run.host_id).name;
    this.afterCommit(() => {
      const fresh = this.store.runs.get(run.id);
      if (!fresh) return;
      this.deps.bus.publish({ type: 'run-updated', runId: run.id, host, state: fresh.state });
      this.deps.bus.publish({ type: 'directive-changed', runId: run.id });
    });
  }

  get(runId: number): RunRow | null {
    return this.store.runs.get(runId);
  }

  // ---- starting runs ----

  startRun(hostName: string, profile?: string, actor = OPERATOR): { runId: number; token: string } {
    const token = newSecret();
    const runId = this.tx(() => {
      const host = this.store.hosts.require(hostName);
      const active = this.store.runs.activeForHost(host.id);
      if (active) throw new UserError(`host "${host.name}" already has run ${active.id} in state ${active.state}; abandon or finish it first`, 'run-active', 409);
      const chosen = profile ?? host.profile;
      if (!(chosen in PROFILES)) throw new UserError(`unknown profile "${chosen}"`, 'bad-profile');
      const id = this.store.runs.insert(host.id, chosen, 'WaitingForAgent', hashToken(token));
      this.store.runs.addTransition(id, null, 'WaitingForAgent', 'start', actor, null, { profile: chosen });
      // Its first network boot may fetch an agent token (auth/boot-tokens.ts).
      this.store.bootAttempts.arm(id, 'run-start', { mac: null, ip: null });
      this.changed(this.store.runs.require(id));
      this.afterCommit(() => this.deps.bus.publish({ type: 'host-updated', host: host.name }));
      return id;
    });
    return { runId, token };
  }

  /**
   * One step of a registered host's network boot (docs/pxe.md, "Boot progress"),
   * recorded against its open run so a person can see how far the boot got.
   * Ignored for a MAC with no open run, and for a held run (it boots nothing).
   */
  recordBootStep(mac: string, step: BootStep, detail: string | null): void {
    const host = this.store.hosts.byMac(mac);
    const run = host ? this.store.runs.activeForHost(host.id) : null;
    if (!host || !run || run.state === 'FailedHolding') return;
    const boot = this.tx(() => this.store.runs.addBootEvent(run.id, step, detail));
    // Its own event: the UI appends the step where it shows, instead of refetching all of the run.
    if (boot) this.deps.bus.publish({ type: 'boot-step', runId: run.id, host: host.name, boot });
  }

  // ---- the agent side ----

  /** The run an agent token belongs to, or a reason to refuse it. */
  authenticate(token: string): { run: RunRow } | { error: 'bad-token' | 'run-closed'; message: string } {
    const run = this.store.runs.byTokenHash(hashToken(token));
    if (!run) return { error: 'bad-token', message: 'unknown or expired agent token' };
    // The token dies at the verdict: a finished run accepts nothing more from any agent.
    if (isFinished(run.state)) return { error: 'run-closed', message: `run ${run.id} is ${run.state}; it accepts nothing more from an agent` };
    return { run };
  }

  /** Handles a validated hello: records who connected, starts the run if it was waiting. */
  agentHello(runId: number, hello: { session: string; bootMac?: string | null | undefined; dmiSerial?: string | null | undefined }): { welcome: Welcome; directive: Directive } {
    return this.tx(() => {
      const run = this.store.runs.require(runId);
      const sameSession = run.agent_session === hello.session;
      this.store.runs.update(runId, {
        agent_session: hello.session,
        last_seq: sameSession ? run.last_seq : 0,
        boot_mac: hello.bootMac?.toLowerCase() ?? run.boot_mac,
        dmi_serial: hello.dmiSerial ?? run.dmi_serial,
        agent_last_seen: nowIso(),
        agent_lost: 0,
      });
      const first = onAgentConnected(this.position(run));
      if (first) {
        this.store.runs.update(runId, { started_at: nowIso() });
        this.enterStage(runId, first, 'agent', 'agent-connected', null);
      } else {
        this.store.runs.addTransition(runId, run.state, run.state, sameSession ? 'agent-reconnected' : 'agent-restarted', 'agent', null, { session: hello.session });
        this.changed(run);
      }
      const fresh = this.store.runs.require(runId);
      return { welcome: this.welcome(fresh), directive: this.directive(fresh) };
    });
  }

  welcome(run: RunRow): Welcome {
    const host = this.store.hosts.byId(run.host_id);
    const profile = PROFILES[run.profile as keyof typeof PROFILES] ?? PROFILES.standard;
    const bench = this.deps.bench();
    return {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      run: run.id,
      host: host.name,
      profile: run.profile,
      params: profile,
      maxTempC: this.maxTempC(host, run),
      expectedDisks: host.disks,
      deviceAllowlist: this.store.settings.get().deviceAllowlist,
      iperf: bench.iperf,
      artifactUrl: `${bench.artifactBase}/runs/${run.id}/artifacts`,
      lastSeq: run.last_seq,
    };
  }

  maxTempC(host: HostRecord, run: RunRow): number {
    if (host.maxTempC) return host.maxTempC;
    const spec = host.specYaml ? checkSpecYaml(host.specYaml).spec : null;
    if (spec?.maxTempC) return spec.maxTempC;
    return (PROFILES[run.profile as keyof typeof PROFILES] ?? PROFILES.standard).thermal.maxTempC;
  }

  /** What the agent of this run should be doing now. */
  directive(run: RunRow): Directive {
    if (isStageState(run.state)) {
      const attempt = this.store.runs.latestAttempt(run.id, run.state);
      return { type: 'run-stage', stage: run.state, attempt: attempt?.attempt ?? 1, wipeOverride: run.state === 'Storage' ? (JSON.parse(run.wipe_override_json) as string[]) : [] };
    }
    if (run.state === 'FailedHolding') return { type: 'wait', reason: `held at ${run.failed_stage}: ${run.hold_reason} — waiting for a person to decide` };
    if (run.state === 'WaitingForAgent') return { type: 'wait', reason: 'run starting' };
    return { type: 'shutdown', action: 'poweroff', reason: `run ${run.id} is ${run.state}` };
  }

  /**
   * Applies many agent messages in one transaction (group commit): each in its
   * own savepoint, so a bad one is refused alone. Acknowledge only after this returns.
   */
  applyBatch(items: { runId: number; session: string; msg: SequencedAgentMessage }[]): ({ duplicate: boolean } | { error: unknown })[] {
    // Once a run's message is refused, its later ones in the batch are not applied
    // either: storing them would move last_seq past the refused one and lose it.
    const refused = new Map<number, unknown>();
    return this.tx(() =>
      items.map((item) => {
        if (refused.has(item.runId)) return { error: refused.get(item.runId) };
        try {
          return this.applyAgentMessage(item.runId, item.session, item.msg);
        } catch (error) {
          refused.set(item.runId, error);
          return { error };
        }
      }),
    );
  }

  /**
   * Applies one sequenced agent message exactly once: a sequence number at or
   * below the last one stored is acknowledged again but not applied.
   */
  applyAgentMessage(runId: number, session: string, msg: SequencedAgentMessage): { duplicate: boolean } {
    return this.tx(() => {
      const run = this.store.runs.require(runId);
      if (isFinished(run.state)) throw new UserError(`run ${runId} is ${run.state}; it accepts nothing more from an agent`, 'run-closed', 409);
      if (run.agent_session !== session) throw new UserError('this agent session was replaced by a newer connection', 'stale-session', 409);
      const wasLost = run.agent_lost === 1;
      if (msg.seq <= run.last_seq) {
        this.store.runs.update(runId, { agent_last_seen: nowIso(), agent_lost: 0 });
        return { duplicate: true };
      }
      this.store.runs.update(runId, { last_seq: msg.seq, agent_last_seen: nowIso(), agent_lost: 0 });
      if (wasLost) {
        this.store.runs.addTransition(runId, run.state, run.state, 'agent-back', 'agent', null);
        this.changed(run);
      }
      switch (msg.type) {
        case 'heartbeat':
          break;
        case 'sensor-batch':
          this.store.measurements.insertBatch(runId, msg.samples);
          this.afterCommit(() => this.deps.live.sensors(runId, msg.ts, msg.samples));
          break;
        case 'log':
          this.afterCommit(() => this.deps.live.log(runId, msg.source, msg.lines));
          break;
        case 'stage-started':
          this.afterCommit(() => this.deps.live.progress(runId, { stage: msg.stage, item: null, percent: 0, etaS: null, message: 'started', ts: msg.ts }));
          break;
        case 'stage-progress':
          this.afterCommit(() =>
            this.deps.live.progress(runId, { stage: msg.stage, item: msg.item ?? null, percent: msg.percent ?? null, etaS: msg.etaS ?? null, message: msg.message ?? null, ts: msg.ts }),
          );
          break;
        case 'stage-result':
          this.applyStageResult(run, msg);
          break;
      }
      return { duplicate: false };
    });
  }

  private applyStageResult(run: RunRow, msg: StageResult) {
    const attempt = this.store.runs.latestAttempt(run.id, msg.stage);
    if (!acceptsResultFor(this.position(run), msg.stage) || !attempt || attempt.attempt !== msg.attempt || attempt.completed_at) {
      // A late result for a stage the run has left (overridden, abandoned …): keep it in the audit trail only.
      this.store.runs.addTransition(run.id, run.state, run.state, 'stale-result', 'agent', null, { stage: msg.stage, attempt: msg.attempt, outcome: msg.outcome });
      return;
    }
    if (msg.measurements?.length) this.store.measurements.insertBatch(run.id, msg.measurements);
    const unexpected = msg.stage === 'Storage' && msg.outcome === 'failed' && (msg.unexpectedData?.length ?? 0) > 0;
    const summary = unexpected ? { ...msg.summary, unexpectedData: msg.unexpectedData } : msg.summary;
    this.store.runs.closeAttempt(attempt.id, msg.outcome, msg.outcome === 'passed' || msg.outcome === 'skipped', msg.message, summary);
    this.afterCommit(() => this.deps.live.clearProgress(run.id));
    this.followStageEnd(run.id, msg.stage, afterStage(msg.stage, msg.outcome, unexpected), msg.message, unexpected ? msg.unexpectedData : undefined);
  }

  private followStageEnd(runId: number, stage: StageName, end: StageEnd, message: string, hits?: WipeProbeHit[]) {
    const run = this.store.runs.require(runId);
    const host = this.store.hosts.byId(run.host_id);
    if (end.kind === 'advance') {
      if (end.to === 'Completed') this.complete(runId, 'orchestrator', 'stage-passed');
      else this.enterStage(runId, end.to, 'orchestrator', 'stage-passed', null);
      return;
    }
    this.store.runs.update(runId, { state: 'FailedHolding', hold_reason: end.holdReason, failed_stage: end.failedStage });
    this.store.runs.addTransition(runId, run.state, 'FailedHolding', end.holdReason === 'UnexpectedData' ? 'unexpected-data' : 'stage-failed', 'orchestrator', message, {
      stage,
      holdReason: end.holdReason,
      ...(hits ? { unexpectedData: hits } : {}),
    });
    if (end.holdReason === 'UnexpectedData') {
      const disks = (hits ?? []).map((h) => `${h.disk} (${h.device}): ${h.found.join(', ')}`).join('; ');
      this.deps.notifier.emit({ type: 'UnexpectedData', runId, host: host.name, title: `${host.name}: data found on disks — supervisor needed`, body: disks || message, data: { hits } });
    } else if (stage === 'SpecValidate') {
      this.deps.notifier.emit({ type: 'SpecMismatch', runId, host: host.name, title: `${host.name}: hardware does not match its spec`, body: message });
    } else {
      this.deps.notifier.emit({ type: 'StageFailed', runId, host: host.name, title: `${host.name}: ${stage} ${end.holdReason === 'StageError' ? 'could not run' : 'failed'}`, body: message });
    }
    this.changed(run);
  }

  /** Moves the run into `stage` with a new attempt; orchestrator-owned stages resolve right here. */
  private enterStage(runId: number, stage: StageName, actor: string, action: string, reason: string | null, detail?: unknown) {
    const run = this.store.runs.require(runId);
    this.store.runs.update(runId, { state: stage, hold_reason: null, failed_stage: null });
    const attempt = this.store.runs.openAttempt(runId, stage);
    this.store.runs.addTransition(runId, run.state, stage, action, actor, reason, { attempt: attempt.attempt, ...(detail && typeof detail === 'object' ? detail : {}) });
    this.changed(run);
    if (stageDefinition(stage).owner === 'orchestrator') this.resolveOwnStage(runId, stage, attempt.id);
  }

  /** The orchestrator-owned stages and how each resolves; adding one means adding its resolver here. */
  private readonly resolvers: Partial<Record<StageName, (runId: number, attemptId: number) => { outcome: 'passed' | 'failed' | 'error' | 'skipped'; message: string; summary: Record<string, unknown> }>> = {
    SpecValidate: (runId, attemptId) => this.resolveSpecValidate(runId, attemptId),
    Reporting: (runId) => this.resolveReporting(runId),
  };

  private resolveOwnStage(runId: number, stage: StageName, attemptId: number) {
    let outcome: 'passed' | 'failed' | 'error' | 'skipped';
    let message: string;
    let summary: Record<string, unknown>;
    try {
      const resolve = this.resolvers[stage];
      if (!resolve) throw new Error(`no orchestrator resolver is registered for ${stage}`);
      ({ outcome, message, summary } = resolve(runId, attemptId));
    } catch (e) {
      outcome = 'error';
      message = `${stage} could not complete: ${(e as Error).message}`;
      summary = {};
    }
    this.store.runs.closeAttempt(attemptId, outcome, outcome === 'passed' || outcome === 'skipped', message, summary);
    this.followStageEnd(runId, stage, afterStage(stage, outcome, false), message);
  }

  private resolveSpecValidate(runId: number, attemptId: number) {
    const run = this.store.runs.require(runId);
    const host = this.store.hosts.byId(run.host_id);
    const inventory = this.inventoryOf(runId);
    if (!inventory.ok) return { outcome: 'error' as const, message: inventory.message, summary: {} };
    if (!host.specYaml) {
      this.store.runs.replaceSpecDiffs(runId, attemptId, []);
      return { outcome: 'skipped' as const, message: 'no expected spec for this host: nothing to compare (capture one from this run)', summary: { diffs: 0 } };
    }
    const check = checkSpecYaml(host.specYaml);
    if (!check.spec) return { outcome: 'error' as const, message: `the host's expected spec is invalid: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, summary: {} };
    const diffs = diffSpec(check.spec, inventory.inventory);
    this.store.runs.replaceSpecDiffs(runId, attemptId, diffs);
    const counts = { critical: 0, warning: 0, info: 0 };
    for (const d of diffs) counts[d.severity]++;
    const critical = diffs.filter((d) => d.severity === 'critical');
    const message = hasCritical(diffs)
      ? `${critical.length} critical difference(s): ${critical.map((d) => `${d.field} expected ${d.expected ?? '—'}, found ${d.actual ?? '—'}`).join('; ')}`
      : `matches the expected spec (${counts.warning} warning(s), ${counts.info} info)`;
    return { outcome: hasCritical(diffs) ? ('failed' as const) : ('passed' as const), message, summary: { ...counts } };
  }

  /** The normalised inventory from the run's latest Inventory attempt (SpecValidate runs only after it passed or was overridden). */
  inventoryOf(runId: number): { ok: true; inventory: Inventory } | { ok: false; message: string } {
    const attempt = this.store.runs.latestAttempt(runId, 'Inventory');
    if (!attempt?.summary_json) return { ok: false, message: 'no inventory was reported for this run' };
    const parsed = Inventory.safeParse((JSON.parse(attempt.summary_json) as { inventory?: unknown }).inventory);
    if (!parsed.success) return { ok: false, message: `the reported inventory is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    return { ok: true, inventory: parsed.data };
  }

  private resolveReporting(runId: number) {
    const written = this.deps.reporter(runId);
    return { outcome: 'passed' as const, message: 'report.html and report.json written', summary: { reportJsonSha256: written.jsonSha256 } };
  }

  private complete(runId: number, actor: string, action: string) {
    const run = this.store.runs.require(runId);
    const host = this.store.hosts.byId(run.host_id);
    this.store.runs.update(runId, { state: 'Completed', result: 'pass', completed_at: nowIso(), hold_reason: null, failed_stage: null });
    this.store.runs.addTransition(runId, run.state, 'Completed', action, actor, null);
    const overridden = this.store.runs.stageAttempts(runId).some((s) => s.outcome === 'overridden');
    this.deps.notifier.emit({ type: 'RunCompleted', runId, host: host.name, title: `${host.name}: run ${runId} ${overridden ? 'passed with overrides' : 'passed'}`, body: `All stages finished for run ${runId}.` });
    this.changed(run);
  }

  // ---- operator actions ----

  /** `actor` comes from who is asking (the control session, the local CLI), never from the body. */
  async act(runId: number, body: RunActionBody, actor = OPERATOR): Promise<void> {
    const run = this.store.runs.require(runId);
    const plan = planAction(this.position(run), body.action);
    const reason = body.reason?.trim() || null;
    if (body.action === 'override' && !reason) throw new UserError('an override needs a reason, which goes into the audit trail and the report', 'reason-required');
    const needsSupervisor = plan.kind === 'enter-stage' && plan.needsSupervisor;
    if (needsSupervisor || body.supervisor) {
      if (!body.supervisor || !body.secret) {
        throw new UserError('data was found on the disks: only a supervisor can override the wipe-probe (give the supervisor name and credential)', 'supervisor-required', 400);
      }
      await this.deps.supervisors.check(body.supervisor, body.secret, actor);
      actor = `supervisor:${body.supervisor}`;
    }
    this.tx(() => {
      const current = this.store.runs.require(runId);
      if (current.state !== run.state || current.failed_stage !== run.failed_stage) throw new IllegalTransition(body.action, current.state, 'the run changed meanwhile; look again');
      if (plan.kind === 'finish') {
        if (plan.to === 'Completed') {
          this.markFailedAttemptOverridden(current);
          this.store.runs.addTransition(runId, current.state, current.state, 'override', actor, reason, { stage: current.failed_stage });
          this.complete(runId, actor, 'override');
          return;
        }
        this.store.runs.update(runId, {
          state: plan.to,
          result: plan.to === 'Abandoned' ? 'fail' : current.result,
          completed_at: current.completed_at ?? nowIso(),
        });
        this.store.runs.addTransition(runId, current.state, plan.to, body.action, actor, reason);
        this.changed(current);
        return;
      }
      const detail: Record<string, unknown> = { failedStage: current.failed_stage, holdReason: current.hold_reason };
      if (plan.markOverridden) this.markFailedAttemptOverridden(current);
      if (plan.wipeOverride) {
        const hits = this.lastWipeHits(runId);
        const disks = [...new Set([...(JSON.parse(current.wipe_override_json) as string[]), ...hits.map((h) => h.disk)])];
        this.store.runs.update(runId, { wipe_override_json: JSON.stringify(disks) });
        detail.wipeOverride = disks;
        detail.unexpectedData = hits;
      }
      this.enterStage(runId, plan.stage, actor, body.action, reason, detail);
    });
  }

  private markFailedAttemptOverridden(run: RunRow) {
    if (!run.failed_stage) return;
    const attempt = this.store.runs.latestAttempt(run.id, run.failed_stage);
    if (attempt) this.store.runs.markOverridden(attempt.id);
  }

  private lastWipeHits(runId: number): WipeProbeHit[] {
    const attempt = this.store.runs.latestAttempt(runId, 'Storage');
    if (!attempt?.summary_json) return [];
    return ((JSON.parse(attempt.summary_json) as { unexpectedData?: WipeProbeHit[] }).unexpectedData ?? []) as WipeProbeHit[];
  }

  recordArtifact(a: { runId: number; stage: string | null; kind: string; name: string; path: string; size: number; sha256: string }): void {
    this.store.runs.upsertArtifact(a);
    const run = this.store.runs.require(a.runId);
    this.deps.bus.publish({ type: 'run-updated', runId: run.id, host: this.store.hosts.byId(run.host_id).name, state: run.state });
  }

  // ---- agent liveness ----

  /** Marks agents that went quiet for longer than their profile allows; never fails a run by itself. */
  checkAgents(now = Date.now(), connected: (runId: number) => boolean = () => false): void {
    for (const run of this.store.runs.listActive()) {
      if (run.agent_lost || !run.agent_last_seen || !isStageState(run.state) && run.state !== 'FailedHolding') continue;
      const limitS = (PROFILES[run.profile as keyof typeof PROFILES] ?? PROFILES.standard).agentLostAfterS;
      if (now - Date.parse(run.agent_last_seen) <= limitS * 1000) continue;
      this.tx(() => {
        const host = this.store.hosts.byId(run.host_id);
        this.store.runs.update(run.id, { agent_lost: 1 });
        this.store.runs.addTransition(run.id, run.state, run.state, 'agent-lost', 'orchestrator', `no message from the agent for more than ${limitS} s`, { connected: connected(run.id) });
        this.deps.notifier.emit({ type: 'AgentLost', runId: run.id, host: host.name, title: `${host.name}: agent lost`, body: `No message from the agent of run ${run.id} for more than ${limitS} s (state ${run.state}).` });
        this.changed(run);
      });
    }
  }

  // ---- views ----

  private position(run: RunRow) {
    return { state: run.state, holdReason: run.hold_reason, failedStage: run.failed_stage };
  }

  summary(run: RunRow, connected = false): RunSummaryView {
    const host = this.store.hosts.byId(run.host_id);
    const overridden = this.store.db.prepare("SELECT 1 FROM stages WHERE run_id = ? AND outcome = 'overridden' LIMIT 1").get(run.id) !== undefined;
    return {
      id: run.id,
      host: host.name,
      profile: run.profile,
      state: run.state,
      holdReason: run.hold_reason,
      result: run.result,
      failedStage: run.failed_stage,
      createdAt: run.created_at,
      startedAt: run.started_at,
      completedAt: run.completed_at,
      agentLost: run.agent_lost === 1,
      agentConnected: connected,
      agentLastSeen: run.agent_last_seen,
      bootMac: run.boot_mac,
      dmiSerial: run.dmi_serial,
      overridden,
    };
  }

  detail(runId: number, connected = false): RunDetailView {
    const run = this.store.runs.get(runId);
    if (!run) throw notFound(`run ${runId}`);
    const attempts = this.store.runs.stageAttempts(runId).map(stageView);
    const latest = new Map<StageName, (typeof attempts)[number]>();
    for (const a of attempts) latest.set(a.name, a);
    const host = this.store.hosts.byId(run.host_id);
    const storage = latest.get('Storage');
    const unexpected = run.hold_reason === 'UnexpectedData' && storage?.summary ? ((storage.summary as { unexpectedData?: WipeProbeHit[] }).unexpectedData ?? []) : [];
    return {
      ...this.summary(run, connected),
      stages: STAGE_NAMES.flatMap((n) => (latest.has(n) ? [latest.get(n)!] : [])),
      attempts,
      specDiffs: this.store.runs.specDiffs(runId),
      transitions: this.store.runs.transitions(runId),
      boot: this.store.runs.bootEvents(runId),
      artifacts: this.store.runs.artifacts(runId).map(({ path: _path, ...a }) => a),
      wipeOverride: JSON.parse(run.wipe_override_json) as string[],
      unexpectedData: unexpected.map((h) => ({ disk: h.disk, device: h.device, found: h.found })),
      maxTempC: this.maxTempC(host, run),
    };
  }

  board(connected: (runId: number) => boolean): BoardView {
    const entries: BoardEntry[] = this.store.hosts.list().map((host) => {
      const run = this.store.runs.activeForHost(host.id) ?? this.store.runs.latestForHost(host.id);
      const showRun = run && run.state !== 'Released' ? run : null;
      const attempts = showRun ? this.store.runs.stageAttempts(showRun.id).map(stageView) : [];
      const latest = new Map(attempts.map((a) => [a.name, a]));
      const needsPerson = !showRun
        ? null
        : showRun.hold_reason === 'UnexpectedData' && showRun.state === 'FailedHolding'
          ? 'UnexpectedData'
          : showRun.state === 'FailedHolding'
            ? 'FailedHolding'
            : showRun.agent_lost
              ? 'AgentLost'
              : null;
      const { id: _id, ...hostView } = host;
      return {
        host: hostView,
        run: showRun ? this.summary(showRun, connected(showRun.id)) : null,
        stages: STAGE_NAMES.flatMap((n) => (latest.has(n) ? [latest.get(n)!] : [])),
        progress: showRun ? this.deps.live.progressOf(showRun.id) : [],
        hottest: showRun ? this.deps.store.measurements.hottestLatest(showRun.id) : null,
        boot: showRun?.state === 'WaitingForAgent' ? (this.store.runs.bootEvents(showRun.id).at(-1) ?? null) : null,
        needsPerson,
      };
    });
    const rank = { UnexpectedData: 0, FailedHolding: 1, AgentLost: 2 } as const;
    entries.sort((a, b) => (a.needsPerson ? rank[a.needsPerson] : 9) - (b.needsPerson ? rank[b.needsPerson] : 9) || a.host.name.localeCompare(b.host.name));
    return { entries, newHosts: this.store.seen.unadopted() };
  }
}
