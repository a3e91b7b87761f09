import type { RunDetailView } from '../../../common/schema/api.ts';
import type { OperatorAction } from '../../../common/schema/run.ts';
import { nextStage } from '../../../common/stages/index.ts';

// Which operator actions a run offers, and the words of their confirmations:
// each says exactly what will happen. The server still has the last word.

export function actionsFor(run: Pick<RunDetailView, 'state'>): OperatorAction[] {
  switch (run.state) {
    case 'FailedHolding':
      return ['retry', 'override', 'abandon'];
    case 'Completed':
      return ['release'];
    case 'Released':
    case 'Abandoned':
      return [];
    default:
      return ['abandon'];
  }
}

export const ACTION_LABEL: Record<OperatorAction, string> = { retry: 'Retry stage', override: 'Override', abandon: 'Abandon run', release: 'Release host' };

export interface ActionText {
  title: string;
  /** What will happen, in one paragraph. */
  effect: string;
  submitLabel: string;
  /** A wipe-probe override: a supervisor must approve, and the dialog lists each disk. */
  supervisor: boolean;
}

type RunForText = Pick<RunDetailView, 'id' | 'host' | 'state' | 'holdReason' | 'failedStage' | 'attempts'>;

export function describeAction(run: RunForText, action: OperatorAction): ActionText {
  const stage = run.failedStage;
  const stageName = stage ?? 'the failed stage';
  switch (action) {
    case 'retry': {
      const attempt = stage ? Math.max(0, ...run.attempts.filter((a) => a.name === stage).map((a) => a.attempt)) + 1 : null;
      return {
        title: `Retry ${stageName} on ${run.host}?`,
        effect: `Run ${run.id} leaves FailedHolding and the agent runs ${stageName} again${attempt ? ` (attempt ${attempt})` : ''}. If it passes, the stages after it follow as usual. Fix the cause first (reseat, swap, recable).`,
        submitLabel: ACTION_LABEL.retry,
        supervisor: false,
      };
    }
    case 'override': {
      if (run.holdReason === 'UnexpectedData') {
        return {
          title: `Supervisor override: wipe the disks of ${run.host}?`,
          effect: 'The wipe-probe found data on these disks. Approving lets the Storage stage run again and destroy everything on them.',
          submitLabel: 'Approve override',
          supervisor: true,
        };
      }
      const after = stage ? nextStage(stage) : null;
      return {
        title: `Override ${stageName} on ${run.host}?`,
        effect: `${stage ?? 'The failed stage'} is recorded as overridden with your reason, and run ${run.id} continues with ${after ?? 'the next stage'}. The failure stays in the audit trail; a passing run is reported as PASS WITH OVERRIDES.`,
        submitLabel: ACTION_LABEL.override,
        supervisor: false,
      };
    }
    case 'abandon':
      return {
        title: `Abandon run ${run.id} on ${run.host}?`,
        effect: `Run ${run.id} stops for good: stages not yet run will not run, the agent is told to stop, and the run cannot be resumed. Its results so far stay in the history. A new run can be started afterwards.`,
        submitLabel: ACTION_LABEL.abandon,
        supervisor: false,
      };
    case 'release':
      return {
        title: `Release ${run.host} back to the cluster?`,
        effect: `Run ${run.id} becomes Released and can no longer change. Print the report first if it must go with the machine.`,
        submitLabel: ACTION_LABEL.release,
        supervisor: false,
      };
  }
}
