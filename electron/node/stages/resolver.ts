import type { CoverageEntry } from '../../../common/schema/coverage.ts';
import type { OrchestratorStageName, StageSummaryInput } from '../../../common/stages/index.ts';
import type { Reporter } from '../runs/run-context.ts';
import type { Store } from '../store/index.ts';

/** How an orchestrator-owned stage ended; stored on its attempt like an agent's stage-result. */
export interface StageResolution<N extends OrchestratorStageName = OrchestratorStageName> {
  outcome: 'passed' | 'failed' | 'error' | 'skipped';
  message: string;
  /** The stage's own summary (its schema in common/stages); an error may carry a StageErrorSummary. */
  summary: StageSummaryInput<N> | { infraError?: string; problems?: string[] };
  coverage: CoverageEntry[];
}

/** What a resolver may use: the store (inside the run's transaction) and the report writer. */
export interface ResolverDeps {
  store: Store;
  reporter: Reporter;
}

/**
 * Resolves an orchestrator-owned stage inline, inside the transaction that
 * entered it. A throw is stored as the stage's error, never lost.
 */
export type OrchestratorStageResolver<N extends OrchestratorStageName = OrchestratorStageName> = (deps: ResolverDeps, runId: number, attemptId: number) => StageResolution<N>;
