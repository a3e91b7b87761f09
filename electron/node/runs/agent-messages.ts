import { isTerminal } from '../../../common/schema/run.ts';
import type { Directive, SequencedAgentMessage, Welcome } from '../../../common/schema/index.ts';
import { UserError } from '../util/errors.ts';
import { nowIso } from '../util/time.ts';
import type { AgentFacing } from './agent-facing.ts';
import { positionOf, type RunContext } from './run-context.ts';
import type { StageFlow } from './stage-flow.ts';
import { onAgentConnected } from './state-machine.ts';

/**
 * Applies what an agent says: its hello, then each sequenced message exactly
 * once, stored before it is acknowledged.
 */
export class AgentMessages {
  constructor(
    private readonly ctx: RunContext,
    private readonly flow: StageFlow,
    private readonly agent: AgentFacing,
  ) {}

  private get store() {
    return this.ctx.store;
  }

  /** Handles a validated hello: records who connected, starts the run if it was waiting. */
  agentHello(runId: number, hello: { session: string; bootMac?: string | null | undefined; dmiSerial?: string | null | undefined }): { welcome: Welcome; directive: Directive } {
    return this.ctx.tx(() => {
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
      const first = onAgentConnected(positionOf(run));
      if (first) {
        this.store.runs.update(runId, { started_at: nowIso() });
        this.flow.enterStage(runId, first, 'agent', 'agent-connected', null);
      } else {
        this.store.runs.addTransition(runId, run.state, run.state, sameSession ? 'agent-reconnected' : 'agent-restarted', 'agent', null, { session: hello.session });
        this.ctx.changed(run);
      }
      const fresh = this.store.runs.require(runId);
      return { welcome: this.agent.welcome(fresh), directive: this.agent.directive(fresh) };
    });
  }

  /**
   * Applies many agent messages in one transaction (group commit): each in its
   * own savepoint, so a bad one is refused alone. Acknowledge only after this returns.
   */
  applyBatch(items: { runId: number; session: string; msg: SequencedAgentMessage }[]): ({ duplicate: boolean } | { error: unknown })[] {
    // Once a run's message is refused, its later ones in the batch are not applied
    // either: storing them would move last_seq past the refused one and lose it.
    const refused = new Map<number, unknown>();
    return this.ctx.tx(() =>
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
    const live = this.ctx.deps.live;
    return this.ctx.tx(() => {
      const run = this.store.runs.require(runId);
      if (isTerminal(run.state)) throw new UserError(`run ${runId} is ${run.state}; it accepts nothing more from an agent`, 'run-closed', 409);
      if (run.agent_session !== session) throw new UserError('this agent session was replaced by a newer connection', 'stale-session', 409);
      const wasLost = run.agent_lost === 1;
      if (msg.seq <= run.last_seq) {
        this.store.runs.update(runId, { agent_last_seen: nowIso(), agent_lost: 0 });
        return { duplicate: true };
      }
      this.store.runs.update(runId, { last_seq: msg.seq, agent_last_seen: nowIso(), agent_lost: 0 });
      if (wasLost) {
        this.store.runs.addTransition(runId, run.state, run.state, 'agent-back', 'agent', null);
        this.ctx.changed(run);
      }
      switch (msg.type) {
        case 'heartbeat':
          break;
        case 'sensor-batch':
          this.store.measurements.insertBatch(runId, msg.samples);
          this.ctx.afterCommit(() => live.sensors(runId, msg.ts, msg.samples));
          break;
        case 'log':
          this.ctx.afterCommit(() => live.log(runId, msg.source, msg.lines));
          break;
        case 'stage-started':
          this.ctx.afterCommit(() => live.progress(runId, { stage: msg.stage, item: null, percent: 0, etaS: null, message: 'started', ts: msg.ts }));
          break;
        case 'stage-progress':
          this.ctx.afterCommit(() =>
            live.progress(runId, { stage: msg.stage, item: msg.item ?? null, percent: msg.percent ?? null, etaS: msg.etaS ?? null, message: msg.message ?? null, ts: msg.ts }),
          );
          break;
        case 'stage-result':
          this.flow.applyStageResult(run, msg);
          break;
      }
      return { duplicate: false };
    });
  }
}
