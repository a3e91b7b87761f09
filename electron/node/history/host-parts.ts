import { PART_KINDS, type PartKind } from '../../../common/schema/coverage.ts';
import type { HostPartView, HostPartsView } from '../../../common/schema/api.ts';
import type { Store } from '../store/index.ts';

// A host's parts by serial, and what was swapped since its run before: what a repair shop
// wants to see after a repair. A part is in a run when any stage of that run named it
// (Inventory names every disk, NIC, GPU and DIMM it finds; a table of parts looked for
// and not found does not count, history/components.ts). The two runs compared are the
// host's newest two that named any such part, so a run still going counts as soon as its
// Inventory is in.

export function hostParts(store: Store, hostName: string): HostPartsView {
  const host = store.hosts.require(hostName);
  const [latestRun = null, previousRun = null] = store.components.hostRunsWithParts(host.id, 2);
  const rows = store.components.partsOfRuns([latestRun, previousRun].filter((r): r is number => r !== null));
  const id = (r: { kind: string; key: string }) => `${r.kind}|${r.key}`;
  const inLatest = new Set(rows.filter((r) => r.runId === latestRun).map(id));
  const inPrevious = new Set(rows.filter((r) => r.runId === previousRun).map(id));
  const parts = new Map<string, HostPartView>();
  // Newest run first: a part in both keeps where it sat in the latest.
  for (const r of rows) {
    if (parts.has(id(r))) continue;
    const change = previousRun === null ? null : !inPrevious.has(id(r)) ? 'appeared' : !inLatest.has(id(r)) ? 'gone' : null;
    parts.set(id(r), { kind: r.kind, id: r.ident, label: r.label, change, runId: r.runId, firstSeen: r.firstSeen, lastSeen: r.lastSeen });
  }
  // By kind, then where each sat, so a part swapped in a slot reads right after the one it replaced.
  const kindOrder = (k: PartKind) => PART_KINDS.indexOf(k);
  const changeOrder = (c: HostPartView['change']) => (c === 'gone' ? 0 : 1);
  const text = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const sorted = [...parts.values()].sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || text(a.label, b.label) || changeOrder(a.change) - changeOrder(b.change) || text(a.id, b.id));
  return { host: host.name, latestRun, previousRun, parts: sorted };
}
