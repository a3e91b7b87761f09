import { StageErrorSummary, isStageName, stageDefinition } from '../../../common/stages/index.ts';
import { summaryView, type SummaryView, type ViewTable } from '../../../common/stages/summary-view.ts';
import type { ReportStageResult } from './types.ts';

// A stored stage result as something to draw, from the stage's own summary
// schema (common/stages): the printed report, the OCP export and the part list
// all read stage results through this, so a new stage is reported without a
// line of code here.

export interface StageResultView {
  view: SummaryView;
  /**
   * own: the summary matches its stage's schema; error: an `error` attempt's
   * StageErrorSummary; partial: it matches neither (an older agent, an altered
   * row) and only what matches is drawn (report.json keeps all of it).
   */
  match: 'own' | 'error' | 'partial';
}

/** The error summary without the agent's rejected summary: that is raw data, kept in report.json only. */
const ErrorSummaryView = StageErrorSummary.omit({ rejectedSummary: true });

export function stageResultView(r: ReportStageResult): StageResultView {
  // A stage this build does not know (a row from a newer or older version): nothing to draw it by.
  if (!isStageName(r.stage)) return { view: { facts: [], lists: [], tables: [], sections: [] }, match: 'partial' };
  const schema = stageDefinition(r.stage).summary;
  if (schema.safeParse(r.summary).success) return { view: summaryView(schema, r.summary), match: 'own' };
  if (r.outcome === 'error' && StageErrorSummary.safeParse(r.summary).success) return { view: summaryView(ErrorSummaryView, r.summary), match: 'error' };
  return { view: summaryView(schema, r.summary), match: 'partial' };
}

/** Every table of a view, its nested sections' too, in drawing order. */
export function allTables(view: SummaryView): ViewTable[] {
  return [...view.tables, ...view.sections.flatMap((s) => allTables(s.view))];
}
