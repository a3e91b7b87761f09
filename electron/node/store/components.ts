import type { PartKind } from '../../../common/schema/coverage.ts';
import type { RunResult } from '../../../common/schema/run.ts';
import type { StageName } from '../../../common/stages/index.ts';
import type { Db } from './db.ts';

// Parts remembered across runs and what each stage attempt measured on them (migration
// 0009). Which parts and figures a summary holds is decided in history/components.ts from
// the stage's schema; this module only keeps and reads them.

/** A figure as stored: its value and how the stage's schema labels it. */
export interface StoredFigure {
  value: number | boolean;
  label: string;
  unit?: string;
}

export interface ComponentMentionRow {
  kind: PartKind;
  /** '' for parts with a global identity, `host:<id>` for host-local ones. */
  scope: string;
  /** The normalised id the part is found by (common/verdict.ts partIdKey). */
  key: string;
  /** The id as the stage named it. */
  ident: string;
  label: string | null;
  figures: Record<string, StoredFigure>;
}

export interface ComponentAttempt {
  runId: number;
  stageId: number;
  stage: StageName;
  attempt: number;
  hostId: number;
  outcome: string | null;
  at: string;
}

export interface ComponentRecord {
  id: number;
  kind: PartKind;
  scope: string;
  ident: string;
  label: string | null;
  firstSeen: string;
  lastSeen: string;
}

export interface ComponentEntryRecord {
  runId: number;
  host: string;
  hostId: number;
  stage: StageName;
  attempt: number;
  outcome: string | null;
  runResult: RunResult | null;
  at: string;
  label: string | null;
  figures: Record<string, StoredFigure>;
}

export class ComponentStore {
  constructor(private readonly db: Db) {}

  /** Records what one stage attempt said about each part it named (again for the same attempt: replaced). */
  record(attempt: ComponentAttempt, mentions: readonly ComponentMentionRow[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO components (kind, scope, key, ident, label, first_seen, last_seen) VALUES (@kind, @scope, @key, @ident, @label, @at, @at)
       ON CONFLICT (kind, scope, key) DO UPDATE SET last_seen = excluded.last_seen, ident = excluded.ident, label = COALESCE(excluded.label, components.label)
       RETURNING id`,
    );
    const figures = this.db.prepare(
      `INSERT INTO component_figures (component_id, run_id, stage_id, stage, attempt, host_id, outcome, label, figures_json, at)
       VALUES (@componentId, @runId, @stageId, @stage, @attempt, @hostId, @outcome, @label, @figures, @at)
       ON CONFLICT (component_id, stage_id) DO UPDATE SET outcome = excluded.outcome, label = excluded.label, figures_json = excluded.figures_json, at = excluded.at`,
    );
    for (const m of mentions) {
      const { id } = upsert.get({ kind: m.kind, scope: m.scope, key: m.key, ident: m.ident, label: m.label, at: attempt.at }) as { id: number };
      figures.run({ componentId: id, ...attempt, label: m.label, figures: JSON.stringify(m.figures) });
    }
  }

  /**
   * The part's figures from `stage` in the newest run before `beforeRunId` that reported it
   * (that run's latest attempt), or null when no earlier run did.
   */
  previous(kind: PartKind, scope: string, key: string, stage: StageName, beforeRunId: number): (ComponentEntryRecord & { figures: Record<string, StoredFigure> }) | null {
    const row = this.db
      .prepare(
        `SELECT f.run_id, f.stage, f.attempt, f.outcome, f.at, f.label, f.figures_json, f.host_id, h.name AS host, r.result AS run_result
         FROM component_figures f JOIN components c ON c.id = f.component_id JOIN hosts h ON h.id = f.host_id JOIN runs r ON r.id = f.run_id
         WHERE c.kind = ? AND c.scope = ? AND c.key = ? AND f.stage = ? AND f.run_id < ?
         ORDER BY f.run_id DESC, f.stage_id DESC LIMIT 1`,
      )
      .get(kind, scope, key, stage, beforeRunId) as EntryRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** The part and what each attempt reported about it, newest first; null when it was never seen. */
  history(kind: PartKind, scope: string, key: string, limit: number): { component: ComponentRecord; entries: ComponentEntryRecord[] } | null {
    const c = this.db.prepare('SELECT * FROM components WHERE kind = ? AND scope = ? AND key = ?').get(kind, scope, key) as
      | { id: number; kind: PartKind; scope: string; ident: string; label: string | null; first_seen: string; last_seen: string }
      | undefined;
    if (!c) return null;
    const rows = this.db
      .prepare(
        `SELECT f.run_id, f.stage, f.attempt, f.outcome, f.at, f.label, f.figures_json, f.host_id, h.name AS host, r.result AS run_result
         FROM component_figures f JOIN hosts h ON h.id = f.host_id JOIN runs r ON r.id = f.run_id
         WHERE f.component_id = ? ORDER BY f.run_id DESC, f.stage_id DESC LIMIT ?`,
      )
      .all(c.id, limit) as EntryRow[];
    return {
      component: { id: c.id, kind: c.kind, scope: c.scope, ident: c.ident, label: c.label, firstSeen: c.first_seen, lastSeen: c.last_seen },
      entries: rows.map(toEntry),
    };
  }

  /** The host's newest runs that named a part with a global identity (a disk, DIMM, NIC or GPU serial), newest first. */
  hostRunsWithParts(hostId: number, limit: number): number[] {
    const rows = this.db
      .prepare(
        `SELECT r.id FROM runs r WHERE r.host_id = ?
           AND EXISTS (SELECT 1 FROM component_figures f JOIN components c ON c.id = f.component_id WHERE f.run_id = r.id AND c.scope = '')
         ORDER BY r.id DESC LIMIT ?`,
      )
      .all(hostId, limit) as { id: number }[];
    return rows.map((r) => r.id);
  }

  /** The parts with a global identity each of these runs named, once per run and part, by run (newest first), kind and id. */
  partsOfRuns(runIds: readonly number[]): RunPartRecord[] {
    if (runIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT f.run_id, c.id AS component_id, c.kind, c.ident, c.key, c.first_seen, c.last_seen, f.label
         FROM component_figures f JOIN components c ON c.id = f.component_id
         WHERE f.run_id IN (${runIds.map(() => '?').join(', ')}) AND c.scope = ''
         ORDER BY f.run_id DESC, c.kind, c.key, f.stage_id`,
      )
      .all(...runIds) as { run_id: number; component_id: number; kind: PartKind; ident: string; key: string; first_seen: string; last_seen: string; label: string | null }[];
    const out = new Map<string, RunPartRecord>();
    for (const r of rows) {
      const at = `${r.run_id}|${r.component_id}`;
      const seen = out.get(at);
      if (seen) seen.label ??= r.label;
      else out.set(at, { runId: r.run_id, kind: r.kind, ident: r.ident, key: r.key, label: r.label, firstSeen: r.first_seen, lastSeen: r.last_seen });
    }
    return [...out.values()];
  }
}

/** A part with a global identity one run of a host named. */
export interface RunPartRecord {
  runId: number;
  kind: PartKind;
  ident: string;
  key: string;
  /** Where it sat in that run (the first label its stages gave, in the order they ran). */
  label: string | null;
  firstSeen: string;
  lastSeen: string;
}

interface EntryRow {
  run_id: number;
  stage: StageName;
  attempt: number;
  outcome: string | null;
  at: string;
  label: string | null;
  figures_json: string;
  host_id: number;
  host: string;
  run_result: RunResult | null;
}

function toEntry(r: EntryRow): ComponentEntryRecord {
  let figures: Record<string, StoredFigure> = {};
  try {
    figures = JSON.parse(r.figures_json) as Record<string, StoredFigure>;
  } catch {
    // an unreadable row keeps its place in the history, without figures
  }
  return { runId: r.run_id, host: r.host, hostId: r.host_id, stage: r.stage, attempt: r.attempt, outcome: r.outcome, runResult: r.run_result, at: r.at, label: r.label, figures };
}
