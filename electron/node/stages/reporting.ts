import type { OrchestratorStageResolver } from './resolver.ts';

/** Reporting: writes report.html and report.json (and the OCP export) for the run. */
export const resolveReporting: OrchestratorStageResolver<'Reporting'> = ({ reporter }, runId) => {
  const written = reporter(runId);
  return { outcome: 'passed', message: 'report.html and report.json written', summary: { reportJsonSha256: written.jsonSha256 }, coverage: [] };
};
