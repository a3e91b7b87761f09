import { AgentFacing } from './agent-facing.ts';
import { AgentMessages } from './agent-messages.ts';
import { AgentWatchdog } from './agent-watchdog.ts';
import { OperatorActions } from './operator-actions.ts';
import { RunCommands } from './run-commands.ts';
import { RunContext, type RunDeps } from './run-context.ts';
import { RunPower } from './run-power.ts';
import { RunViews } from './run-views.ts';
import { StageFlow } from './stage-flow.ts';

export type { NotificationEvent, NotifierPort, Reporter, RunDeps } from './run-context.ts';
export { inventoryOf } from './run-inventory.ts';
export type { PowerPort } from './run-power.ts';
export { AgentFacing, AgentMessages, AgentWatchdog, OperatorActions, RunCommands, RunPower, RunViews };

/** The pieces that act on runs, wired to one shared RunContext (one transaction queue per store). */
export interface RunServices {
  commands: RunCommands;
  agent: AgentFacing;
  messages: AgentMessages;
  actions: OperatorActions;
  watchdog: AgentWatchdog;
  views: RunViews;
  /** Starting runs with the host's BMC, and power-off after the verdict; null without deps.power. */
  power: RunPower | null;
}

/** Builds every run piece over one RunContext; callers take the pieces they need. */
export function createRunServices(deps: RunDeps): RunServices {
  const ctx = new RunContext(deps);
  const flow = new StageFlow(ctx);
  const agent = new AgentFacing(deps.store, deps.bench);
  const commands = new RunCommands(ctx);
  const power = deps.power ? new RunPower(ctx, commands, deps.power) : null;
  if (power) ctx.onVerdict = (runId) => void power.afterVerdict(runId);
  return {
    commands,
    agent,
    messages: new AgentMessages(ctx, flow, agent),
    actions: new OperatorActions(ctx, flow, power),
    watchdog: new AgentWatchdog(ctx),
    views: new RunViews(deps.store, deps.live),
    power,
  };
}
