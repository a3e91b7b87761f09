import type { RunContext } from './run-context.ts';
import { runParams } from './run-params.ts';
import { isStageState } from './state-machine.ts';

/** Notices agents that went quiet: flags the run and tells a person, never fails it. */
export class AgentWatchdog {
  constructor(private readonly ctx: RunContext) {}

  /** Marks agents that went quiet for longer than their profile allows; never fails a run by itself. */
  checkAgents(now = Date.now(), connected: (runId: number) => boolean = () => false): void {
    const store = this.ctx.store;
    for (const run of store.runs.listActive()) {
      if (run.agent_lost || !run.agent_last_seen || !isStageState(run.state) && run.state !== 'FailedHolding') continue;
      const limitS = runParams(run).agentLostAfterS;
      if (now - Date.parse(run.agent_last_seen) <= limitS * 1000) continue;
      this.ctx.tx(() => {
        const host = store.hosts.byId(run.host_id);
        store.runs.update(run.id, { agent_lost: 1 });
        store.runs.addTransition(run.id, run.state, run.state, 'agent-lost', 'orchestrator', `no message from the agent for more than ${limitS} s`, { connected: connected(run.id) });
        this.ctx.deps.notifier.emit({ type: 'AgentLost', runId: run.id, host: host.name, title: `${host.name}: agent lost`, body: `No message from the agent of run ${run.id} for more than ${limitS} s (state ${run.state}).` });
        this.ctx.changed(run);
      });
    }
  }
}
