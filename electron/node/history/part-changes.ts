import { compareFigures, measuredParts } from '../../../common/part-changes.ts';
import type { PartChangeView, RunPartChangesView } from '../../../common/schema/api.ts';
import { STAGES, stageDefinition } from '../../../common/stages/index.ts';
import { summaryView } from '../../../common/stages/summary-view.ts';
import type { Store } from '../store/index.ts';
import type { StageRow } from '../store/runs.ts';
import { notFound } from '../util/errors.ts';
import { componentScope } from './components.ts';

// What changed on each part a run measured since that part's previous run on this bench
// (any host: a disk moved between hosts keeps its history), for the run page, the printed
// report and the API. Only parts known by a serial (disks, DIMMs, NICs, GPUs) are compared:
// a rail or sensor name means nothing outside its host and changes every run a little.
// The figures and which way is worse come from the stage schemas (common/part-changes.ts).

/** The latest attempt of each stage that stored a summary, in stage order: what the run page and the report show. */
export function latestSummaries(attempts: readonly StageRow[]): StageRow[] {
  const out: StageRow[] = [];
  for (const def of STAGES) {
    const row = attempts.filter((a) => a.name === def.name && a.summary_json !== null).at(-1);
    if (row) out.push(row);
  }
  return out;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Every serial-identified part the run's latest attempts measured, with what changed since its previous run. */
export function partChangesOf(store: Store, runId: number): PartChangeView[] {
  const run = store.runs.get(runId);
  if (!run) throw notFound(`run ${runId}`);
  const out: PartChangeView[] = [];
  for (const attempt of latestSummaries(store.runs.stageAttempts(runId))) {
    const view = summaryView(stageDefinition(attempt.name).summary, parse(attempt.summary_json!));
    for (const part of measuredParts(view)) {
      const scope = componentScope(part.kind, run.host_id);
      if (scope !== '' || Object.keys(part.figures).length === 0) continue;
      const prev = store.components.previous(part.kind, scope, part.key, attempt.name, runId);
      const { changes, unchanged } = prev ? compareFigures(part.figures, prev.figures) : { changes: [], unchanged: 0 };
      out.push({
        stage: attempt.name,
        attempt: attempt.attempt,
        kind: part.kind,
        id: part.id,
        previous: prev ? { runId: prev.runId, host: prev.host, at: prev.at } : null,
        changes,
        unchanged,
      });
    }
  }
  return out;
}

export function runPartChanges(store: Store, runId: number): RunPartChangesView {
  return { runId, parts: partChangesOf(store, runId) };
}
