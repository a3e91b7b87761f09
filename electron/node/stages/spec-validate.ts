import { checkSpecYaml } from '../spec/spec-yaml.ts';
import { diffSpec, hasCritical } from '../spec/spec-diff.ts';
import { inventoryOf } from '../runs/run-inventory.ts';
import { notApplicable, notTested, tested } from '../../../common/schema/coverage.ts';
import type { OrchestratorStageResolver } from './resolver.ts';

const SPEC = { kind: 'system', id: 'expected spec', label: 'hardware configuration' } as const;
const CHECK = 'inventory against the expected spec';

/** SpecValidate: the run's reported inventory against the host's expected spec (docs/spec.md). */
export const resolveSpecValidate: OrchestratorStageResolver<'SpecValidate'> = ({ store }, runId, attemptId) => {
  const run = store.runs.require(runId);
  const host = store.hosts.byId(run.host_id);
  const inventory = inventoryOf(store, runId);
  if (!inventory.ok) return { outcome: 'error', message: inventory.message, summary: { infraError: 'inventory', problems: [inventory.message] }, coverage: [notTested(SPEC, CHECK, inventory.message, true)] };
  if (!host.specYaml) {
    store.runs.replaceSpecDiffs(runId, attemptId, []);
    const why = 'the host has no expected spec, so there was nothing to compare the hardware with (capture one from this run)';
    return { outcome: 'skipped', message: 'no expected spec for this host: nothing to compare (capture one from this run)', summary: { critical: 0, warning: 0, info: 0, compared: false }, coverage: [notApplicable(SPEC, CHECK, why)] };
  }
  const check = checkSpecYaml(host.specYaml);
  if (!check.spec) {
    const message = `the host's expected spec is invalid: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
    return { outcome: 'error', message, summary: { infraError: 'spec', problems: [message] }, coverage: [notTested(SPEC, CHECK, message, true)] };
  }
  const diffs = diffSpec(check.spec, inventory.inventory);
  store.runs.replaceSpecDiffs(runId, attemptId, diffs);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const d of diffs) counts[d.severity]++;
  const critical = diffs.filter((d) => d.severity === 'critical');
  const message = hasCritical(diffs)
    ? `${critical.length} critical difference(s): ${critical.map((d) => `${d.field} expected ${d.expected ?? '—'}, found ${d.actual ?? '—'}`).join('; ')}`
    : `matches the expected spec (${counts.warning} warning(s), ${counts.info} info)`;
  return { outcome: hasCritical(diffs) ? 'failed' : 'passed', message, summary: { ...counts, compared: true }, coverage: [tested(SPEC, CHECK)] };
};
