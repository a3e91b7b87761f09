import type { RunActionBody, WipeProbeHit } from '../../../common/schema/index.ts';
import type { RunRow } from '../store/runs.ts';
import { UserError } from '../util/errors.ts';
import { nowIso } from '../util/time.ts';
import { verdictOf } from './run-verdict.ts';
import { OPERATOR, positionOf, type RunContext } from './run-context.ts';
import type { RunPower } from './run-power.ts';
import type { StageFlow } from './stage-flow.ts';
import { IllegalTransition, planAction } from './state-machine.ts';

/** A person's decision on a run (retry, override, abandon, release), with the supervisor check a wipe-probe hit needs. */
export class OperatorActions {
  constructor(
    private readonly ctx: RunContext,
    private readonly flow: StageFlow,
    private readonly power: RunPower | null = null,
  ) {}

  private get store() {
    return this.ctx.store;
  }

  /** `actor` comes from who is asking (the control session, the local CLI), never from the body. */
  async act(runId: number, body: RunActionBody, actor = OPERATOR): Promise<void> {
    const run = this.store.runs.require(runId);
    const plan = planAction(positionOf(run), body.action);
    const reason = body.reason?.trim() || null;
    if (body.action === 'override' && !reason) throw new UserError('an override needs a reason, which goes into the audit trail and the report', 'reason-required');
    if (body.powerOff && body.action !== 'abandon') throw new UserError('only abandoning a run can also power its host off', 'bad-request');
    const needsSupervisor = plan.kind === 'enter-stage' && plan.needsSupervisor;
    if (needsSupervisor || body.supervisor) {
      if (!body.supervisor || !body.secret) {
        throw new UserError('data was found on the disks: only a supervisor can override the wipe-probe (give the supervisor name and credential)', 'supervisor-required', 400);
      }
      await this.ctx.deps.supervisors.check(body.supervisor, body.secret, actor);
      actor = `supervisor:${body.supervisor}`;
    }
    this.ctx.tx(() => {
      const current = this.store.runs.require(runId);
      if (current.state !== run.state || current.failed_stage !== run.failed_stage) throw new IllegalTransition(body.action, current.state, 'the run changed meanwhile; look again');
      if (plan.kind === 'finish') {
        if (plan.to === 'Completed') {
          this.markFailedAttemptOverridden(current);
          this.store.runs.addTransition(runId, current.state, current.state, 'override', actor, reason, { stage: current.failed_stage });
          this.flow.complete(runId, actor, 'override');
          return;
        }
        // Abandoning draws the verdict from what was covered so far: fail on an unwaived failure,
        // incomplete otherwise (found data, or stopped early). Releasing keeps the result it had.
        const result = plan.to === 'Abandoned' ? (verdictOf(this.store, runId, 'Abandoned').result ?? 'incomplete') : current.result;
        this.store.runs.update(runId, { state: plan.to, result, completed_at: current.completed_at ?? nowIso() });
        this.store.runs.addTransition(runId, current.state, plan.to, body.action, actor, reason);
        this.ctx.changed(current);
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
      this.flow.enterStage(runId, plan.stage, actor, body.action, reason, detail);
    });
    // Abandoned for good: the host goes off too when the person asked (after the commit; the run stays abandoned either way).
    if (body.action === 'abandon' && body.powerOff) {
      if (!this.power) throw new UserError(`run ${runId} was abandoned, but this bench cannot drive power; power the host off by hand`, 'no-power', 409);
      await this.power.afterAbandon(runId, actor);
    }
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
}
