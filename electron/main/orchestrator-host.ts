import { startOrchestrator, type OrchestratorOptions, type RunningOrchestrator } from '../node/orchestrator.ts';

// The one place the shell touches the orchestrator: the narrow part of its
// options and handle that the shell uses (URLs, token, who is mid-run, who waits
// for a person, live events, close).

export type ShellOrchestratorOptions = Pick<OrchestratorOptions, 'dataDir' | 'controlPort' | 'uiDir' | 'nativeBinding' | 'sealer'>;
export type ShellOrchestrator = RunningOrchestrator;

export async function startShellOrchestrator(opts: ShellOrchestratorOptions): Promise<ShellOrchestrator> {
  return startOrchestrator(opts);
}
