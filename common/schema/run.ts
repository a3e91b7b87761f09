import { z } from 'zod';
import { STAGE_NAMES } from '../stages/index.ts';

// Run states: before the stages, one per stage, and after. Spelled as the seed
// spells them, since scripts and acceptance checks read them.
export const PRE_STAGE_STATES = ['WaitingForAgent'] as const;
export const TERMINAL_STATES = ['Completed', 'Abandoned', 'Released'] as const;
export const RUN_STATES = [...PRE_STAGE_STATES, ...STAGE_NAMES, 'FailedHolding', ...TERMINAL_STATES] as const;
export const RunState = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunState>;

/** Why a run holds: a failed check, an infrastructure error, or data found on a disk. */
export const HOLD_REASONS = ['StageFailed', 'StageError', 'UnexpectedData'] as const;
export const HoldReason = z.enum(HOLD_REASONS);
export type HoldReason = z.infer<typeof HoldReason>;

export const STAGE_OUTCOMES = ['passed', 'failed', 'error', 'skipped', 'overridden'] as const;
export const StageOutcome = z.enum(STAGE_OUTCOMES);
export type StageOutcome = z.infer<typeof StageOutcome>;

/**
 * A finished run's verdict (common/verdict.ts): `pass` only when every part the
 * verdict depends on was exercised and passed; `pass-with-overrides` when a person
 * waived a failure; `incomplete` when something was not tested (or the profile
 * does not certify); `fail` when the run ended on a failure.
 */
export const RUN_RESULTS = ['pass', 'pass-with-overrides', 'fail', 'incomplete'] as const;
export const RunResult = z.enum(RUN_RESULTS);
export type RunResult = z.infer<typeof RunResult>;

export const OPERATOR_ACTIONS = ['retry', 'override', 'abandon', 'release'] as const;
export const OperatorAction = z.enum(OPERATOR_ACTIONS);
export type OperatorAction = z.infer<typeof OperatorAction>;

export function isTerminal(state: RunState): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}
