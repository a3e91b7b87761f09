import type { ArtifactView, BootEventView, BootStep, HoldReason, RunResult, RunState, SpecDiff, StageOutcome, StageView, TransitionView } from '../../../common/schema/index.ts';
import { Coverage, type CoverageEntry } from '../../../common/schema/coverage.ts';
import type { StageName } from '../../../common/stages/index.ts';
import { notFound } from '../util/errors.ts';
import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';

export interface RunRow {
  id: number;
  host_id: number;
  profile: string;
  state: RunState;
  hold_reason: HoldReason | null;
  result: RunResult | null;
  failed_stage: StageName | null;
  wipe_override_json: string;
  agent_token_hash: string;
  agent_session: string | null;
  last_seq: number;
  agent_last_seen: string | null;
  agent_lost: number;
  boot_mac: string | null;
  dmi_serial: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  /** The parameters the run was started with (ProfileParams as JSON); null for runs stored before schema version 10. */
  params_json: string | null;
}

export interface StageRow {
  id: number;
  run_id: number;
  name: StageName;
  attempt: number;
  passed: number | null;
  outcome: StageOutcome | null;
  started_at: string;
  completed_at: string | null;
  summary_json: string | null;
  /** What the attempt covered per part (CoverageEntry[] as JSON); null before schema version 6. */
  coverage_json: string | null;
  message: string | null;
}

/** What runs can be searched by (the API's run list query); every field but the limit is optional. */
export interface RunFilter {
  host?: string | undefined;
  result?: RunResult | undefined;
  state?: RunState | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** A DMI serial, or a disk serial in the run's inventory. */
  serial?: string | undefined;
  limit: number;
}

export const ACTIVE_RUN_SQL = "state NOT IN ('Completed', 'Abandoned', 'Released')";

/** Row-level access to runs and everything that hangs off a run. No policy here: see runs/. */
export class RunStore {
  constructor(private readonly db: Db) {}

  get(id: number): RunRow | null {
    return (this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined) ?? null;
  }

  require(id: number): RunRow {
    const run = this.get(id);
    if (!run) throw notFound(`run ${id}`);
    return run;
  }

  byTokenHash(hash: string): RunRow | null {
    return (this.db.prepare('SELECT * FROM runs WHERE agent_token_hash = ?').get(hash) as RunRow | undefined) ?? null;
  }

  activeForHost(hostId: number): RunRow | null {
    return (this.db.prepare(`SELECT * FROM runs WHERE host_id = ? AND ${ACTIVE_RUN_SQL} ORDER BY id DESC LIMIT 1`).get(hostId) as RunRow | undefined) ?? null;
  }

  latestForHost(hostId: number): RunRow | null {
    return (this.db.prepare('SELECT * FROM runs WHERE host_id = ? ORDER BY id DESC LIMIT 1').get(hostId) as RunRow | undefined) ?? null;
  }

  listActive(): RunRow[] {
    return this.db.prepare(`SELECT * FROM runs WHERE ${ACTIVE_RUN_SQL} ORDER BY id`).all() as RunRow[];
  }

  /** Runs matching the filter, newest first (docs/api.md, GET /api/runs). */
  search(q: RunFilter): RunRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.host) where.push('h.name = ?'), args.push(q.host);
    if (q.result) where.push('r.result = ?'), args.push(q.result);
    if (q.state) where.push('r.state = ?'), args.push(q.state);
    if (q.from) where.push('r.created_at >= ?'), args.push(q.from);
    if (q.to) where.push('r.created_at <= ?'), args.push(q.to);
    if (q.serial) {
      // The DMI serial the agent reported, or a disk serial from the run's inventory.
      where.push("(r.dmi_serial = ? OR EXISTS (SELECT 1 FROM stages s WHERE s.run_id = r.id AND s.name = 'Inventory' AND s.summary_json LIKE ?))");
      args.push(q.serial, `%"${q.serial.replace(/[%_"\\]/g, '')}"%`);
    }
    const sql = `SELECT r.* FROM runs r JOIN hosts h ON h.id = r.host_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, q.limit) as RunRow[];
  }

  /** The host's newest run whose Inventory passed (or was overridden): where a spec can be captured from. */
  latestWithInventory(hostId: number): RunRow | null {
    return (
      (this.db
        .prepare(`SELECT * FROM runs WHERE host_id = ? AND EXISTS (SELECT 1 FROM stages WHERE run_id = runs.id AND name = 'Inventory' AND outcome IN ('passed','overridden')) ORDER BY id DESC LIMIT 1`)
        .get(hostId) as RunRow | undefined) ?? null
    );
  }

  /** `params`: the resolved profile the run keeps for good (see runs/run-params.ts). */
  insert(hostId: number, profile: string, state: RunState, tokenHash: string, params: unknown = null): number {
    const now = nowIso();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO runs (host_id, profile, state, agent_token_hash, created_at, updated_at, params_json) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(hostId, profile, state, tokenHash, now, now, params === null ? null : JSON.stringify(params));
    return Number(lastInsertRowid);
  }

  update(id: number, fields: Partial<Omit<RunRow, 'id' | 'host_id' | 'created_at'>>): void {
    const entries = Object.entries({ ...fields, updated_at: nowIso() });
    const set = entries.map(([k]) => `${k} = ?`).join(', ');
    this.db.prepare(`UPDATE runs SET ${set} WHERE id = ?`).run(...entries.map(([, v]) => v as unknown), id);
  }

  // ---- stages (one row per attempt) ----

  stageAttempts(runId: number): StageRow[] {
    return this.db.prepare('SELECT * FROM stages WHERE run_id = ? ORDER BY id').all(runId) as StageRow[];
  }

  hasOverriddenStage(runId: number): boolean {
    return this.db.prepare("SELECT 1 FROM stages WHERE run_id = ? AND outcome = 'overridden' LIMIT 1").get(runId) !== undefined;
  }

  latestAttempt(runId: number, stage: StageName): StageRow | null {
    return (this.db.prepare('SELECT * FROM stages WHERE run_id = ? AND name = ? ORDER BY attempt DESC LIMIT 1').get(runId, stage) as StageRow | undefined) ?? null;
  }

  openAttempt(runId: number, stage: StageName): StageRow {
    const previous = this.latestAttempt(runId, stage);
    const attempt = (previous?.attempt ?? 0) + 1;
    const { lastInsertRowid } = this.db.prepare('INSERT INTO stages (run_id, name, attempt, started_at) VALUES (?, ?, ?, ?)').run(runId, stage, attempt, nowIso());
    return this.db.prepare('SELECT * FROM stages WHERE id = ?').get(Number(lastInsertRowid)) as StageRow;
  }

  closeAttempt(stageId: number, outcome: StageOutcome, passed: boolean, message: string, summary: unknown, coverage: readonly CoverageEntry[]): void {
    this.db
      .prepare('UPDATE stages SET outcome = ?, passed = ?, message = ?, summary_json = ?, coverage_json = ?, completed_at = ? WHERE id = ?')
      .run(outcome, passed ? 1 : 0, message, JSON.stringify(summary ?? null), JSON.stringify(coverage), nowIso(), stageId);
  }

  markOverridden(stageId: number): void {
    this.db.prepare("UPDATE stages SET outcome = 'overridden' WHERE id = ?").run(stageId);
  }

  // ---- audit trail ----

  addTransition(runId: number, from: string | null, to: string, action: string, actor: string, reason: string | null, detail?: unknown): void {
    this.db
      .prepare('INSERT INTO transitions (run_id, from_state, to_state, action, actor, reason, detail_json, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(runId, from, to, action, actor, reason, detail === undefined ? null : JSON.stringify(detail), nowIso());
  }

  transitions(runId: number): TransitionView[] {
    const rows = this.db.prepare('SELECT * FROM transitions WHERE run_id = ? ORDER BY id').all(runId) as {
      id: number; from_state: string | null; to_state: string; action: string; actor: string; reason: string | null; detail_json: string | null; at: string;
    }[];
    return rows.map((r) => ({ id: r.id, from: r.from_state, to: r.to_state, action: r.action, actor: r.actor, reason: r.reason, detail: r.detail_json ? JSON.parse(r.detail_json) : null, at: r.at }));
  }

  // ---- boot progress ----

  /**
   * Records one step of the host's network boot and returns it. A step repeated
   * with the same detail (DHCP retries, a firmware asking twice) is kept once:
   * the first time counts, and a repeat returns null.
   */
  addBootEvent(runId: number, step: BootStep, detail: string | null): BootEventView | null {
    const last = this.db.prepare('SELECT step, detail FROM boot_events WHERE run_id = ? ORDER BY id DESC LIMIT 1').get(runId) as { step: string; detail: string | null } | undefined;
    if (last && last.step === step && last.detail === detail) return null;
    const at = nowIso();
    this.db.prepare('INSERT INTO boot_events (run_id, step, detail, at) VALUES (?, ?, ?, ?)').run(runId, step, detail, at);
    return { step, detail, at };
  }

  bootEvents(runId: number): BootEventView[] {
    return this.db.prepare('SELECT step, detail, at FROM boot_events WHERE run_id = ? ORDER BY id').all(runId) as BootEventView[];
  }

  // ---- spec diffs ----

  replaceSpecDiffs(runId: number, stageId: number, diffs: SpecDiff[]): void {
    this.db.prepare('DELETE FROM spec_diffs WHERE run_id = ?').run(runId);
    const insert = this.db.prepare('INSERT INTO spec_diffs (run_id, stage_id, field, expected, actual, severity, rule) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const d of diffs) insert.run(runId, stageId, d.field, d.expected, d.actual, d.severity, d.rule);
  }

  specDiffs(runId: number): SpecDiff[] {
    return this.db
      .prepare("SELECT field, expected, actual, severity, rule FROM spec_diffs WHERE run_id = ? ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, id")
      .all(runId) as SpecDiff[];
  }

  // ---- artifacts ----

  upsertArtifact(a: { runId: number; stage: string | null; kind: string; name: string; path: string; size: number; sha256: string }): void {
    this.db
      .prepare(
        `INSERT INTO artifacts (run_id, stage, kind, name, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, name) DO UPDATE SET stage = excluded.stage, kind = excluded.kind, path = excluded.path, size = excluded.size, sha256 = excluded.sha256, created_at = excluded.created_at`,
      )
      .run(a.runId, a.stage, a.kind, a.name, a.path, a.size, a.sha256, nowIso());
  }

  artifacts(runId: number): (ArtifactView & { path: string })[] {
    return this.db
      .prepare('SELECT name, kind, stage, size, sha256, created_at AS createdAt, path FROM artifacts WHERE run_id = ? ORDER BY id')
      .all(runId) as (ArtifactView & { path: string })[];
  }

  /** Bytes of a run's agent uploads (not its reports), leaving out `except` (an upload about to replace it). */
  agentArtifactBytes(runId: number, except: string): number {
    return (this.db.prepare("SELECT COALESCE(SUM(size), 0) AS n FROM artifacts WHERE run_id = ? AND kind NOT LIKE 'report\\_%' ESCAPE '\\' AND name <> ?").get(runId, except) as { n: number }).n;
  }

  artifact(runId: number, name: string): (ArtifactView & { path: string }) | null {
    return (this.db.prepare('SELECT name, kind, stage, size, sha256, created_at AS createdAt, path FROM artifacts WHERE run_id = ? AND name = ?').get(runId, name) as
      | (ArtifactView & { path: string })
      | undefined) ?? null;
  }
}

export function stageView(row: StageRow): StageView {
  return {
    name: row.name,
    attempt: row.attempt,
    outcome: row.outcome,
    passed: row.passed === null ? null : row.passed === 1,
    message: row.message,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    summary: row.summary_json ? JSON.parse(row.summary_json) : null,
    coverage: parseCoverage(row.coverage_json),
  };
}

/** Stored coverage; rows from before coverage was kept (or unreadable ones) have none. */
export function parseCoverage(json: string | null): CoverageEntry[] {
  if (!json) return [];
  try {
    const parsed = Coverage.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
