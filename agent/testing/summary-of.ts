import type { StageDefinition } from '../../common/stages/define.ts';
import { stageDefinition, type AgentStageName, type StageSummary } from '../../common/stages/index.ts';
import type { StageOutcomeReport } from '../stages/types.ts';

/**
 * A stage report's summary as its stage's schema reads it: what the
 * orchestrator would store. Throws (naming the fields) when the agent produced
 * a shape the orchestrator would refuse, so every test that reads a summary
 * also checks it.
 */
export function summaryOf<N extends AgentStageName>(stage: N, report: Pick<StageOutcomeReport<N>, 'summary'>): StageSummary<N> {
  const def: StageDefinition = stageDefinition(stage as AgentStageName);
  return def.summary.parse(report.summary) as StageSummary<N>;
}
