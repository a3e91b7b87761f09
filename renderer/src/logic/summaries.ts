import type { StageView } from '../../../common/schema/api.ts';
import { StageErrorSummary, stageDefinition } from '../../../common/stages/index.ts';
import { summaryView, type SummaryView } from '../../../common/stages/summary-view.ts';

// A stage attempt's summary as the run page draws it: the stage's own summary
// schema (common/stages) turns it into facts, lists, judged tables and
// sections — the same view model the printed report draws — so the UI knows
// no stage by name and a new stage's results appear without code here.

// The summary an agent sent and the orchestrator refused is kept for people
// (the raw JSON view shows it); drawn as a fact it would be one long line.
const ErrorSummaryShown = StageErrorSummary.omit({ rejectedSummary: true });

/**
 * The view of one attempt's summary. An `error` attempt may carry the
 * infrastructure-error summary instead of its stage's own: that one is drawn
 * from its own schema. Anything the schema does not describe stays in the raw
 * JSON view (summaryView shows a value as far as it matches, never throws).
 */
export function stageSummaryView(stage: Pick<StageView, 'name' | 'outcome' | 'summary'>): SummaryView {
  const schema = stageDefinition(stage.name).summary;
  if (stage.outcome === 'error' && !schema.safeParse(stage.summary).success && StageErrorSummary.safeParse(stage.summary).success) {
    return summaryView(ErrorSummaryShown, stage.summary);
  }
  return summaryView(schema, stage.summary);
}

/** An attempt has a summary worth a results entry (an empty object from an older agent is not one). */
export function hasSummary(stage: Pick<StageView, 'summary'>): boolean {
  const s = stage.summary;
  return s !== null && s !== undefined && !(typeof s === 'object' && !Array.isArray(s) && Object.keys(s).length === 0);
}
