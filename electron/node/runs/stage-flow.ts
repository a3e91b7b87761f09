import { isAgentStageName, parseStageSummary, stageDefinition, type StageName } from '../../../common/stages/index.ts';
import type { CoverageEntry, StageOutcome, StageResult, WipeProbeHit } from '../../../common/schema/index.ts';
import { RESULT_TEXT } from '../../../common/verdict.ts';
import { recordComponents } from '../history/components.ts';
import { ORCHESTRATOR_RESOLVERS, isOrchestratorStage } from '../stages/index.ts';
import { reviewAgentResult } from '../stages/reviews/index.ts';
import type { RunRow, StageRow } from '../store/runs.ts';
import { nowIso } from '../util/time.ts';
import { positionOf, type RunContext } from './run-context.ts';
import { verdictOf } from './run-verdict.ts';
import { afterStage, acceptsResultFor, type StageEnd } from './state-machine.ts';

/**
 * Moves a run from stage to stage: stores a stage's result, enters the next
 * stage (resolving orchestrator-owned ones inline), holds the run on a failure
 * and completes it after the last stage. Always called inside a RunContext
 * transaction.
 */
export class StageFlow {
  constructor(private readonly ctx: RunContext) {}

  private get store() {
    return this.ctx.store;
  }

  /** An agent's stage-result for the run's current attempt; a late one is only kept in the audit trail. */
  applyStageResult(run: RunRow, msg: StageResult): void {
    const attempt = this.store.runs.latestAttempt(run.id, msg.stage);
    if (!acceptsResultFor(positionOf(run), msg.stage) || !attempt || attempt.attempt !== msg.attempt || attempt.completed_at) {
      // A late result for a stage the run has left (overridden, abandoned …): keep it in the audit trail only.
      this.store.runs.addTransition(run.id, run.state, run.state, 'stale-result', 'agent', null, { stage: msg.stage, attempt: msg.attempt, outcome: msg.outcome });
      return;
    }
    if (msg.measurements?.length) this.store.measurements.insertBatch(run.id, msg.measurements);
    // The summary must have its stage's shape before anything reads it as such. One that does not is
    // kept as it came (nothing is lost) and the attempt becomes an error a person sees, never a pass.
    const checked = parseStageSummary(msg.stage, msg.outcome, msg.summary);
    let { outcome, message } = msg;
    let summary: Record<string, unknown>;
    let coverage: readonly CoverageEntry[] = msg.coverage;
    if (checked.ok) {
      summary = checked.summary;
      // Checks only the orchestrator can make (a disk's previous run, when a BMC record was logged).
      if (isAgentStageName(msg.stage)) ({ outcome, message, summary, coverage } = reviewAgentResult({ store: this.store, run, attempt, now: Date.now() }, msg.stage, { outcome, message, summary, coverage }));
    } else {
      outcome = 'error';
      message = `the agent's ${msg.stage} summary does not match the stage's schema (${checked.problems.join('; ')}); its result was not accepted. The agent said: ${msg.outcome}: ${msg.message}`.slice(0, 4096);
      summary = { infraError: 'summary-rejected', problems: checked.problems, rejectedSummary: msg.summary };
      coverage = [];
    }
    const unexpected = msg.stage === 'Storage' && outcome === 'failed' && (msg.unexpectedData?.length ?? 0) > 0;
    if (unexpected) summary = { ...summary, unexpectedData: msg.unexpectedData };
    this.store.runs.closeAttempt(attempt.id, outcome, outcome === 'passed' || outcome === 'skipped', message, summary, coverage);
    if (checked.ok) this.rememberParts(run, { ...attempt, completed_at: nowIso() }, summary, outcome);
    this.ctx.afterCommit(() => this.ctx.deps.live.clearProgress(run.id));
    this.followStageEnd(run.id, msg.stage, afterStage(msg.stage, outcome, unexpected), message, unexpected ? msg.unexpectedData : undefined);
  }

  /** Moves the run into `stage` with a new attempt; orchestrator-owned stages resolve right here. */
  enterStage(runId: number, stage: StageName, actor: string, action: string, reason: string | null, detail?: unknown): void {
    const run = this.store.runs.require(runId);
    this.store.runs.update(runId, { state: stage, hold_reason: null, failed_stage: null });
    const attempt = this.store.runs.openAttempt(runId, stage);
    this.store.runs.addTransition(runId, run.state, stage, action, actor, reason, { attempt: attempt.attempt, ...(detail && typeof detail === 'object' ? detail : {}) });
    this.ctx.changed(run);
    if (stageDefinition(stage).owner === 'orchestrator') this.resolveOwnStage(runId, stage, attempt.id);
  }

  /**
   * The run passed its last stage, or a person overrode the last hold. Its result
   * is what its stages covered (common/verdict.ts), not merely that it got here.
   */
  complete(runId: number, actor: string, action: string): void {
    const run = this.store.runs.require(runId);
    const host = this.store.hosts.byId(run.host_id);
    const verdict = verdictOf(this.store, runId, 'Completed');
    const result = verdict.result ?? 'incomplete';
    this.store.runs.update(runId, { state: 'Completed', result, completed_at: nowIso(), hold_reason: null, failed_stage: null });
    this.store.runs.addTransition(runId, run.state, 'Completed', action, actor, null, { result, reasons: verdict.reasons.slice(0, 20) });
    this.ctx.deps.notifier.emit({
      type: 'RunCompleted',
      runId,
      host: host.name,
      title: `${host.name}: run ${runId} ${RESULT_TEXT[result]}`,
      body: `All stages finished for run ${runId}: ${RESULT_TEXT[result]}. ${verdict.reasons.slice(0, 5).join('; ')}`.slice(0, 2000),
      data: { result },
    });
    this.ctx.changed(run);
    this.ctx.afterCommit(() => this.ctx.onVerdict(runId));
  }

  /**
   * Adds the attempt's parts and figures to the component history. A failure here must not
   * cost the stage result it belongs to: it is noted in the audit trail instead.
   */
  private rememberParts(run: RunRow, attempt: StageRow, summary: unknown, outcome: StageOutcome): void {
    try {
      this.store.transaction(() => recordComponents(this.store, run, attempt, summary, outcome));
    } catch (e) {
      this.store.runs.addTransition(run.id, run.state, run.state, 'history-not-recorded', 'orchestrator', (e as Error).message.slice(0, 1000), { stage: attempt.name, attempt: attempt.attempt });
    }
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
    const notifier = this.ctx.deps.notifier;
    if (end.holdReason === 'UnexpectedData') {
      const disks = (hits ?? []).map((h) => `${h.disk} (${h.device}): ${h.found.join(', ')}`).join('; ');
      notifier.emit({ type: 'UnexpectedData', runId, host: host.name, title: `${host.name}: data found on disks — supervisor needed`, body: disks || message, data: { hits } });
    } else if (stage === 'SpecValidate') {
      notifier.emit({ type: 'SpecMismatch', runId, host: host.name, title: `${host.name}: hardware does not match its spec`, body: message });
    } else {
      notifier.emit({ type: 'StageFailed', runId, host: host.name, title: `${host.name}: ${stage} ${end.holdReason === 'StageError' ? 'could not run' : 'failed'}`, body: message });
    }
    this.ctx.changed(run);
  }

  private resolveOwnStage(runId: number, stage: StageName, attemptId: number) {
    let outcome: 'passed' | 'failed' | 'error' | 'skipped';
    let message: string;
    let summary: unknown;
    let coverage: CoverageEntry[];
    try {
      // Reached only if common/stages marks a stage orchestrator-owned that stages/index.ts does not list (stages.test.ts catches that).
      if (!isOrchestratorStage(stage)) throw new Error(`no orchestrator resolver is registered for ${stage}`);
      const resolve = ORCHESTRATOR_RESOLVERS[stage] as (typeof ORCHESTRATOR_RESOLVERS)[typeof stage];
      ({ outcome, message, summary, coverage } = resolve({ store: this.store, reporter: this.ctx.deps.reporter }, runId, attemptId));
    } catch (e) {
      outcome = 'error';
      message = `${stage} could not complete: ${(e as Error).message}`;
      summary = { infraError: 'exception', problems: [(e as Error).message] };
      coverage = [];
    }
    this.store.runs.closeAttempt(attemptId, outcome, outcome === 'passed' || outcome === 'skipped', message, summary, coverage);
    const attempt = this.store.runs.latestAttempt(runId, stage);
    if (attempt && attempt.id === attemptId) this.rememberParts(this.store.runs.require(runId), attempt, summary, outcome);
    this.followStageEnd(runId, stage, afterStage(stage, outcome, false), message);
  }
}
