import { checkSpecYaml } from '../spec/spec-yaml.ts';
import { diffSpec, hasCritical } from '../spec/spec-diff.ts';
import { inventoryOf } from '../runs/run-inventory.ts';
import type { OrchestratorStageResolver } from './resolver.ts';

/** SpecValidate: the run's reported inventory against the host's expected spec (docs/spec.md). */
export const resolveSpecValidate: OrchestratorStageResolver = ({ store }, runId, attemptId) => {
  const run = store.runs.require(runId);
  const host = store.hosts.byId(run.host_id);
  const inventory = inventoryOf(store, runId);
  if (!inventory.ok) return { outcome: 'error', message: inventory.message, summary: {} };
  if (!host.specYaml) {
    store.runs.replaceSpecDiffs(runId, attemptId, []);
    return { outcome: 'skipped', message: 'no expected spec for this host: nothing to compare (capture one from this run)', summary: { diffs: 0 } };
  }
  const check = checkSpecYaml(host.specYaml);
  if (!check.spec) return { outcome: 'error', message: `the host's expected spec is invalid: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, summary: {} };
  const diffs = diffSpec(check.spec, inventory.inventory);
  store.runs.replaceSpecDiffs(runId, attemptId, diffs);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const d of diffs) counts[d.severity]++;
  const critical = diffs.filter((d) => d.severity === 'critical');
  const message = hasCritical(diffs)
    ? `${critical.length} critical difference(s): ${critical.map((d) => `${d.field} expected ${d.expected ?? '—'}, found ${d.actual ?? '—'}`).join('; ')}`
    : `matches the expected spec (${counts.warning} warning(s), ${counts.info} info)`;
  return { outcome: hasCritical(diffs) ? 'failed' : 'passed', message, summary: { ...counts } };
};
