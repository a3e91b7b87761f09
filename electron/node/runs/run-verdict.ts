import { isStageName } from '../../../common/stages/index.ts';
import { runVerdict, type NamedParts, type RunVerdict, type VerdictStage } from '../../../common/verdict.ts';
import { checkSpecYaml } from '../spec/spec-yaml.ts';
import type { Store } from '../store/index.ts';
import { parseCoverage, type RunRow } from '../store/runs.ts';
import { runParams } from './run-params.ts';

// The orchestrator's side of the verdict: gathers what common/verdict.ts judges
// (each stage's latest attempt with its coverage, the parts the host names, the
// profile) from the store. The same facts give the stored result and the
// report's first page, so the two cannot disagree.

/** Parts the run cannot pass without: the host's expected disks and what its spec names. */
export function namedParts(store: Store, run: RunRow): NamedParts {
  const host = store.hosts.byId(run.host_id);
  const spec = host.specYaml ? checkSpecYaml(host.specYaml).spec : null;
  // A spec disk the expected list already names (by its serial or its WWN) is the same disk.
  const specOnly = (spec?.disks ?? []).filter((d) => !host.disks.some((id) => id === d.serial || id === d.wwn)).map((d) => d.serial ?? d.wwn ?? '');
  return {
    disks: [...host.disks, ...specOnly.filter(Boolean)],
    nics: (spec?.nics ?? []).map((n) => n.mac),
    gpus: (spec?.gpus ?? []).map((g) => ({ model: g.model, count: g.count })),
  };
}

/**
 * The verdict for a run as it stands. `asState` lets the Reporting stage judge
 * the run it is about to complete as completed.
 */
export function verdictOf(store: Store, runId: number, asState?: RunRow['state']): RunVerdict {
  const run = store.runs.require(runId);
  const latest = new Map<string, VerdictStage>();
  for (const a of store.runs.stageAttempts(runId)) {
    if (!isStageName(a.name)) continue;
    latest.set(a.name, { name: a.name, outcome: a.outcome, coverage: parseCoverage(a.coverage_json) });
  }
  return runVerdict({
    state: asState ?? run.state,
    profile: run.profile,
    certifies: runParams(run).certifies,
    stages: [...latest.values()],
    named: namedParts(store, run),
    wipeOverride: (JSON.parse(run.wipe_override_json) as string[]).length > 0,
    holdReason: run.hold_reason,
  });
}
