import type { OrchestratorStageName, StageName } from '../../../common/stages/index.ts';
import { resolveReporting } from './reporting.ts';
import type { OrchestratorStageResolver } from './resolver.ts';
import { resolveSpecValidate } from './spec-validate.ts';

export type { OrchestratorStageResolver, ResolverDeps, StageResolution } from './resolver.ts';

export type { OrchestratorStageName };

/** One resolver per stage common/stages marks orchestrator-owned: leaving one out does not compile. */
export const ORCHESTRATOR_RESOLVERS: { [N in OrchestratorStageName]: OrchestratorStageResolver<N> } = {
  SpecValidate: resolveSpecValidate,
  Reporting: resolveReporting,
};

export function isOrchestratorStage(stage: StageName): stage is OrchestratorStageName {
  return Object.hasOwn(ORCHESTRATOR_RESOLVERS, stage);
}
