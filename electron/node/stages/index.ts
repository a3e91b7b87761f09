import type { StageName } from '../../../common/stages/index.ts';
import { resolveReporting } from './reporting.ts';
import type { OrchestratorStageResolver } from './resolver.ts';
import { resolveSpecValidate } from './spec-validate.ts';

export type { OrchestratorStageResolver, ResolverDeps, StageResolution } from './resolver.ts';

/**
 * The stages the orchestrator resolves itself. common/stages/index.ts types each
 * stage's owner as a plain string, so this union cannot be derived from it at
 * compile time; stages.test.ts checks that it names exactly the stages
 * common/stages/index.ts marks orchestrator-owned.
 */
export type OrchestratorStageName = StageNamed<'SpecValidate' | 'Reporting'>;
/** Only names of real stages fit (a renamed stage breaks the build here). */
type StageNamed<T extends StageName> = T;

/** One resolver per orchestrator-owned stage: leaving one out does not compile. */
export const ORCHESTRATOR_RESOLVERS: Record<OrchestratorStageName, OrchestratorStageResolver> = {
  SpecValidate: resolveSpecValidate,
  Reporting: resolveReporting,
};

export function isOrchestratorStage(stage: StageName): stage is OrchestratorStageName {
  return Object.hasOwn(ORCHESTRATOR_RESOLVERS, stage);
}
