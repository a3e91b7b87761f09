import { PART_KINDS, type PartKind } from '../../../common/schema/coverage.ts';
import type { Inventory } from '../../../common/schema/inventory.ts';
import { sameId, type CoverageLine } from '../../../common/verdict.ts';
import { allTables, stageResultView } from './stage-view.ts';
import type { ReportPart, ReportStageResult } from './types.ts';

// The parts a run speaks about, one entry per part: what the stages' coverage
// claims and their summary tables (rows whose field is marked partId) name,
// joined with what the inventory knows of them. Parts are matched by identity
// (a disk's serial, WWN or loop:FILE, a NIC's MAC, a GPU's serial or UUID),
// never by a kernel name, which changes between boots.

function others(id: string, ids: (string | null | undefined)[]): string[] {
  return ids.filter((x): x is string => !!x && x !== id);
}

function inventoryParts(inv: Inventory | null): ReportPart[] {
  if (!inv) return [];
  const out: ReportPart[] = [];
  for (const d of inv.disks) {
    const loop = d.backingFile ? `loop:${d.backingFile}` : null;
    const id = d.serial ?? d.wwn ?? loop ?? d.path;
    out.push({ kind: 'disk', id, label: `${d.name} (${d.path})`, serial: d.serial ?? null, model: d.model ?? null, location: d.path, aliases: others(id, [d.serial, d.wwn, loop]) });
  }
  for (const n of inv.nics) out.push({ kind: 'nic', id: n.mac, label: n.name, serial: null, model: n.driver ?? null, location: null, aliases: [] });
  for (const g of inv.gpus) {
    const id = g.serial ?? g.uuid ?? g.busId ?? g.model;
    out.push({ kind: 'gpu', id, label: g.model, serial: g.serial ?? null, model: g.model, location: g.busId ?? null, aliases: others(id, [g.serial, g.uuid, g.busId]) });
  }
  return out;
}

/** The part named by kind and an identity (its own or an alias), matching ids the way the verdict does. */
export function findPart<P extends ReportPart>(parts: readonly P[], kind: PartKind, id: string): P | undefined {
  return parts.find((p) => p.kind === kind && (sameId(p.id, id) || p.aliases.some((a) => sameId(a, id))));
}

/** Every part the inventory, the coverage claims and the summary tables name, once each, by kind then id. */
export function collectParts(inventory: Inventory | null, results: readonly ReportStageResult[], coverage: readonly CoverageLine[]): ReportPart[] {
  const parts = inventoryParts(inventory);
  const add = (kind: PartKind, id: string, label: string | null) => {
    const known = findPart(parts, kind, id);
    if (known) {
      known.label ??= label;
      return;
    }
    parts.push({ kind, id, label, serial: null, model: null, location: null, aliases: [] });
  };
  for (const c of coverage) add(c.part.kind, c.part.id, c.part.label ?? null);
  for (const r of results) {
    for (const t of allTables(stageResultView(r).view)) {
      if (!t.part) continue;
      for (const row of t.rows) if (row.partId) add(t.part, row.partId, null);
    }
  }
  const kindOrder = (k: PartKind) => PART_KINDS.indexOf(k);
  // Plain code-unit order, not a locale's: the same parts give the same bytes on any machine.
  return parts.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
