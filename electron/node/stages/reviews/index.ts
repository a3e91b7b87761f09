import type { CoverageEntry } from '../../../../common/schema/coverage.ts';
import type { AgentOutcome } from '../../../../common/schema/protocol.ts';
import { parseStageSummary, type AgentStageName, type StageSummary } from '../../../../common/stages/index.ts';
import type { Store } from '../../store/index.ts';
import type { RunRow, StageRow } from '../../store/runs.ts';
import { reviewBmcEvents } from './bmc-events.ts';
import { reviewSmartHistory } from './smart-history.ts';

// The orchestrator's own judgement of an agent's stage result, for checks the agent cannot
// make because it holds no history: the same disk's previous run (SMART), and where in the
// run's stage windows a BMC record falls (BMC). A review runs inside the transaction that
// stores the result, before it is stored, and may turn a pass into a failure (never the
// reverse), adding what it found to the summary (fields the stage's schema defines) and
// to the message and coverage.

export interface ReviewedResult<N extends AgentStageName = AgentStageName> {
  outcome: AgentOutcome;
  message: string;
  summary: StageSummary<N>;
  coverage: CoverageEntry[];
}

export interface ReviewContext {
  store: Store;
  run: RunRow;
  /** The open attempt the result belongs to. */
  attempt: StageRow;
  /** When the result arrived (ms). */
  now: number;
}

export type AgentResultReview<N extends AgentStageName> = (ctx: ReviewContext, result: ReviewedResult<N>) => ReviewedResult<N>;

export const AGENT_RESULT_REVIEWS: { [N in AgentStageName]?: AgentResultReview<N> } = {
  SMART: reviewSmartHistory,
  BMC: reviewBmcEvents,
};

/**
 * The result after the orchestrator's review of its stage, if the stage has one. A result
 * the agent already marked as an error is left as it is. A review that throws, or returns a
 * summary its stage's schema refuses, makes the attempt an error that says so: it is never
 * passed on unjudged.
 */
export function reviewAgentResult(ctx: ReviewContext, stage: AgentStageName, result: { outcome: AgentOutcome; message: string; summary: Record<string, unknown>; coverage: readonly CoverageEntry[] }): {
  outcome: AgentOutcome;
  message: string;
  summary: Record<string, unknown>;
  coverage: readonly CoverageEntry[];
} {
  const review = AGENT_RESULT_REVIEWS[stage] as AgentResultReview<AgentStageName> | undefined;
  if (!review || result.outcome === 'error') return result;
  try {
    const reviewed = review(ctx, { ...result, summary: result.summary as StageSummary<AgentStageName>, coverage: [...result.coverage] });
    const checked = parseStageSummary(stage, reviewed.outcome, reviewed.summary);
    if (!checked.ok) throw new Error(`its summary no longer matches the stage's schema (${checked.problems.join('; ')})`);
    return { ...reviewed, summary: checked.summary, message: reviewed.message.slice(0, 4096) };
  } catch (e) {
    return { ...result, outcome: 'error', message: `the orchestrator could not judge this ${stage} result: ${(e as Error).message}. The agent said: ${result.outcome}: ${result.message}`.slice(0, 4096) };
  }
}
