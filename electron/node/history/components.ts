import type { PartKind } from '../../../common/schema/coverage.ts';
import type { StageOutcome } from '../../../common/schema/run.ts';
import type { StageDefinition } from '../../../common/stages/define.ts';
import { stageDefinition, type StageName } from '../../../common/stages/index.ts';
import { summaryView, type SummaryView } from '../../../common/stages/summary-view.ts';
import { partIdKey } from '../../../common/verdict.ts';
import type { ComponentMentionRow, StoredFigure } from '../store/components.ts';
import type { Store } from '../store/index.ts';
import type { RunRow, StageRow } from '../store/runs.ts';

// History per component, read from the stage schemas alone: every table a summary schema
// marks with a part kind (`part`) names a part per row (the field marked `partId`), where it
// sits (`partLabel`), and its key figures (the fields marked `measure: true`). So a new
// stage's figures are remembered as soon as its schema marks them, with no code here.

/** Kinds whose ids only mean something inside one host: a rail or sensor name, a PCI address. */
const HOST_LOCAL: ReadonlySet<PartKind> = new Set<PartKind>(['sensor', 'psu', 'pci', 'cpu', 'memory', 'system', 'bmc']);

/** Ids firmware prints when it has none: never a part's identity. */
const NO_ID = /^(0+|n\/?a|none|null|unknown|not specified|not available|not provided|to be filled by o\.?e\.?m\.?|no dimm|default string|serial ?number|[-.\s]+)$/i;

/** Where a part's history is kept: '' when its id is global, the host otherwise. */
export function componentScope(kind: PartKind, hostId: number): string {
  return HOST_LOCAL.has(kind) ? `host:${hostId}` : '';
}

/** The parts a summary names, with their figures, as the stage's schema describes them. */
export function componentsOf(stage: StageName, summary: unknown, hostId: number): ComponentMentionRow[] {
  const def: StageDefinition = stageDefinition(stage);
  const out = new Map<string, ComponentMentionRow>();
  const walk = (view: SummaryView) => {
    for (const table of view.tables) {
      // A table of parts looked for and not found (an expected disk missing) is no sign the part was there.
      if (!table.part || table.absent) continue;
      const columns = new Map(table.columns.map((c) => [c.key, c]));
      for (const row of table.rows) {
        const ident = row.partId?.trim();
        if (!ident || NO_ID.test(ident)) continue;
        const figures: Record<string, StoredFigure> = {};
        for (const [key, cell] of Object.entries(row.cells)) {
          if (!cell.measure || (typeof cell.value !== 'number' && typeof cell.value !== 'boolean')) continue;
          const col = columns.get(key);
          figures[key] = { value: cell.value, label: col?.label ?? key, ...(cell.unit ? { unit: cell.unit } : {}) };
        }
        const scope = componentScope(table.part, hostId);
        const key = partIdKey(ident);
        const id = `${table.part}|${scope}|${key}`;
        // The same part in two tables of one summary (a disk listed twice): its figures together.
        const seen = out.get(id);
        if (seen) Object.assign(seen.figures, figures);
        else out.set(id, { kind: table.part, scope, key, ident: ident.slice(0, 256), label: row.partLabel?.slice(0, 256) ?? null, figures });
      }
    }
    for (const s of view.sections) walk(s.view);
  };
  walk(summaryView(def.summary, summary));
  return [...out.values()];
}

/** Remembers the parts a closed attempt named. */
export function recordComponents(store: Store, run: RunRow, attempt: StageRow, summary: unknown, outcome: StageOutcome): void {
  const mentions = componentsOf(attempt.name, summary, run.host_id);
  if (mentions.length === 0) return;
  store.components.record(
    { runId: run.id, stageId: attempt.id, stage: attempt.name, attempt: attempt.attempt, hostId: run.host_id, outcome, at: attempt.completed_at ?? attempt.started_at },
    mentions,
  );
}
