import { checkSpecYaml } from '../spec/spec-yaml.ts';
import { diffSpec, hasCritical } from '../spec/spec-diff.ts';
import { checkPcieLinks, type PcieLinkRow } from '../spec/pcie-links.ts';
import { inventoryOf } from '../runs/run-inventory.ts';
import { notApplicable, notTested, tested, type CoverageEntry } from '../../../common/schema/coverage.ts';
import type { ExpectedSpec, SpecDiff } from '../../../common/schema/index.ts';
import type { OrchestratorStageResolver } from './resolver.ts';

const SPEC = { kind: 'system', id: 'expected spec', label: 'hardware configuration' } as const;
const CHECK = 'inventory against the expected spec';
const LINK_CHECK = 'PCIe link width and speed';

/** One line per difference: "pcie[0000:3b:00.0].width expected x16, found x4 of x16 (Mellanox …)". */
function diffText(d: SpecDiff): string {
  return `${d.field} expected ${d.expected ?? '—'}, found ${d.actual ?? '—'}`;
}

function linkCoverage(rows: readonly PcieLinkRow[]): CoverageEntry[] {
  return rows.map((r) => {
    const part = { kind: 'pci' as const, id: r.address, label: r.device ? `${r.address} ${r.device}`.slice(0, 256) : r.address };
    return r.outcome === 'missing' ? notTested(part, LINK_CHECK, 'the spec names this PCIe slot, but no device is there', true) : tested(part, LINK_CHECK);
  });
}

/**
 * SpecValidate: the run's reported inventory against the host's expected spec
 * (docs/spec.md), and every PCIe link against what its two ends can do (or the
 * speed and width the spec pins), with or without a spec.
 */
export const resolveSpecValidate: OrchestratorStageResolver<'SpecValidate'> = ({ store }, runId, attemptId) => {
  const run = store.runs.require(runId);
  const host = store.hosts.byId(run.host_id);
  const inventory = inventoryOf(store, runId);
  if (!inventory.ok) return { outcome: 'error', message: inventory.message, summary: { infraError: 'inventory', problems: [inventory.message] }, coverage: [notTested(SPEC, CHECK, inventory.message, true)] };
  let spec: ExpectedSpec | null = null;
  if (host.specYaml) {
    const check = checkSpecYaml(host.specYaml);
    if (!check.spec) {
      const message = `the host's expected spec is invalid: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
      return { outcome: 'error', message, summary: { infraError: 'spec', problems: [message] }, coverage: [notTested(SPEC, CHECK, message, true)] };
    }
    spec = check.spec;
  }
  const links = checkPcieLinks(inventory.inventory, spec?.pcie);
  const diffs = [...(spec ? diffSpec(spec, inventory.inventory) : []), ...links.diffs];
  store.runs.replaceSpecDiffs(runId, attemptId, diffs);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const d of diffs) counts[d.severity]++;
  const summary = { ...counts, compared: spec !== null, ...(links.rows.length ? { links: links.rows } : {}) };
  const coverage = [
    spec ? tested(SPEC, CHECK) : notApplicable(SPEC, CHECK, 'the host has no expected spec, so there was nothing to compare the hardware with (capture one from this run)'),
    ...linkCoverage(links.rows),
  ];
  const critical = diffs.filter((d) => d.severity === 'critical');
  if (hasCritical(diffs)) {
    return { outcome: 'failed', message: `${critical.length} critical difference(s): ${critical.map(diffText).join('; ')}`.slice(0, 4096), summary, coverage };
  }
  const linkWarnings = links.diffs.filter((d) => d.severity === 'warning');
  const linkText = links.rows.length ? `${links.rows.length} PCIe link(s) checked, none degraded${linkWarnings.length ? ` (${linkWarnings.map(diffText).join('; ')})` : ''}` : null;
  if (!spec && !linkText) return { outcome: 'skipped', message: 'no expected spec for this host: nothing to compare (capture one from this run)', summary, coverage };
  const specText = spec ? `matches the expected spec (${counts.warning} warning(s), ${counts.info} info)` : 'no expected spec for this host (capture one from this run)';
  return { outcome: 'passed', message: [specText, linkText].filter(Boolean).join('; '), summary, coverage };
};
