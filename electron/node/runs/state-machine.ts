import { isTerminal, type HoldReason, type OperatorAction, type RunState } from '../../../common/schema/index.ts';
import { FIRST_STAGE, isStageName, nextStage, stageDefinition, type StageName } from '../../../common/stages/index.ts';

// The run state machine as pure decisions: given where a run stands and what
// happened, say where it goes. stage-flow.ts, agent-messages.ts and
// operator-actions.ts persist and act on them.
//
//   WaitingForAgent --agent hello--> Inventory -> SpecValidate -> … -> Reporting -> Completed -> Released
//   any stage --failed/error--> FailedHolding --retry--> same stage (new attempt)
//                                              --override--> next stage (or Storage again for UnexpectedData)
//   any non-terminal --abandon--> Abandoned --release--> Released

export interface RunPosition {
  state: RunState;
  holdReason: HoldReason | null;
  failedStage: StageName | null;
}

export class IllegalTransition extends Error {
  constructor(
    readonly action: string,
    readonly state: RunState,
    detail?: string,
  ) {
    super(`cannot ${action} a run in state ${state}${detail ? `: ${detail}` : ''}`);
    this.name = 'IllegalTransition';
  }
}

export function isStageState(state: RunState): state is StageName {
  return isStageName(state);
}

/** Where an agent-owned or orchestrator-owned stage leads when it ends. */
export type StageEnd =
  | { kind: 'advance'; to: StageName | 'Completed' }
  | { kind: 'hold'; holdReason: HoldReason; failedStage: StageName };

export function afterStage(stage: StageName, outcome: 'passed' | 'skipped' | 'failed' | 'error', unexpectedData: boolean): StageEnd {
  if (outcome === 'passed' || outcome === 'skipped') return { kind: 'advance', to: nextStage(stage) ?? 'Completed' };
  if (outcome === 'error') return { kind: 'hold', holdReason: 'StageError', failedStage: stage };
  return { kind: 'hold', holdReason: unexpectedData ? 'UnexpectedData' : 'StageFailed', failedStage: stage };
}

/** The first stage once an agent has said hello to a run waiting for it. */
export function onAgentConnected(pos: RunPosition): StageName | null {
  return pos.state === 'WaitingForAgent' ? FIRST_STAGE : null;
}

/** A stage result must be for the stage the run is in; anything else is stale. */
export function acceptsResultFor(pos: RunPosition, stage: StageName): boolean {
  return pos.state === stage && stageDefinition(stage).owner === 'agent';
}

export type ActionPlan =
  | { kind: 'enter-stage'; stage: StageName; markOverridden: boolean; wipeOverride: boolean; needsSupervisor: boolean }
  | { kind: 'finish'; to: 'Abandoned' | 'Released' | 'Completed' };

/** Which operator actions each state allows (the documented table in docs/state-machine.md). */
export function allowedActions(pos: RunPosition): OperatorAction[] {
  if (pos.state === 'FailedHolding') return ['retry', 'override', 'abandon'];
  if (pos.state === 'Completed' || pos.state === 'Abandoned') return ['release'];
  if (pos.state === 'Released') return [];
  return ['abandon'];
}

/**
 * Plans an operator action or throws IllegalTransition naming the state and the
 * action. Overriding an UnexpectedData hold re-runs Storage with the wipe-probe
 * waived for the disks it hit (and needs a supervisor); any other override
 * records the decision and continues with the next stage.
 */
export function planAction(pos: RunPosition, action: OperatorAction): ActionPlan {
  if (!allowedActions(pos).includes(action)) throw new IllegalTransition(action, pos.state);
  switch (action) {
    case 'abandon':
      return { kind: 'finish', to: 'Abandoned' };
    case 'release':
      return { kind: 'finish', to: 'Released' };
    case 'retry': {
      const stage = requireFailedStage(pos, action);
      return { kind: 'enter-stage', stage, markOverridden: false, wipeOverride: false, needsSupervisor: false };
    }
    case 'override': {
      const stage = requireFailedStage(pos, action);
      if (pos.holdReason === 'UnexpectedData') {
        return { kind: 'enter-stage', stage, markOverridden: true, wipeOverride: true, needsSupervisor: true };
      }
      const next = nextStage(stage);
      if (!next) return { kind: 'finish', to: 'Completed' };
      return { kind: 'enter-stage', stage: next, markOverridden: true, wipeOverride: false, needsSupervisor: false };
    }
  }
}

function requireFailedStage(pos: RunPosition, action: string): StageName {
  if (!pos.failedStage) throw new IllegalTransition(action, pos.state, 'the run records no failed stage');
  return pos.failedStage;
}

export { isTerminal };
