import { LTTB } from 'downsample';
import { Inventory } from '../../../common/schema/inventory.ts';
import { STAGES, isStageName, parseStageSummary } from '../../../common/stages/index.ts';
import { RESULT_TEXT } from '../../../common/verdict.ts';
import { partChangesOf } from '../history/part-changes.ts';
import { runParams } from '../runs/run-params.ts';
import { verdictOf } from '../runs/run-verdict.ts';
import type { Store } from '../store/index.ts';
import type { ReportTransitionRow } from '../store/report-data.ts';
import { collectParts } from './parts.ts';
import type { RunRow } from '../store/runs.ts';
import type {
  ReportAggregate,
  ReportArtifact,
  ReportData,
  ReportOverride,
  ReportSeries,
  ReportSpecDiff,
  ReportStage,
  ReportStageAttempt,
  ReportStageResult,
  ReportTransition,
  Severity,
  Verdict,
} from './types.ts';
import type { RunResult } from '../../../common/schema/run.ts';

/** Points kept per chart series; enough for a printed chart, small in report.json. */
export const SERIES_POINTS = 240;
/** Measurement kinds drawn as charts in the report. */
export const CHART_KINDS = ['thermal', 'psu', 'power'] as const;
/** Artifacts the report writes itself; never listed in the report (it would change on every write). */
const REPORT_ARTIFACT_KINDS = ['report_html', 'report_json', 'report_ocptv'];
const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

type TransitionRow = ReportTransitionRow;

export class ReportError extends Error {}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Kept visible rather than dropped: the report shows the raw text.
    return { unparsed: text.length > 500 ? `${text.slice(0, 499)}…` : text };
  }
}

function durationMs(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? b - a : null;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Reads everything the report shows about one run from the store. Pure read:
 * the same rows always give the same object (stable ORDER BYs, no clock).
 * A run in the Reporting state is presented as completed, since the report is
 * exactly what that stage produces.
 */
export function gatherReportData(store: Store, runId: number): ReportData {
  const reads = store.report;
  const run = reads.run(runId);
  if (!run) throw new ReportError(`run ${runId} does not exist`);
  const host = reads.host(run.host_id);
  const registeredMacs = reads.registeredMacs(host.id);
  const expectedDisks = reads.expectedDisks(host.id);
  const stageRows = reads.stageRows(runId);
  const transitionRows = reads.transitionRows(runId);

  const reporting = run.state === 'Reporting';
  const state = reporting ? 'Completed' : run.state;

  // ---- stages: every attempt, and the latest attempt per stage in stage order ----
  const attempts: ReportStageAttempt[] = stageRows
    .map((s) => {
      let outcome = s.outcome;
      let completedAt = s.completed_at;
      if (reporting && s.name === 'Reporting' && outcome === null) {
        outcome = 'passed';
        completedAt = s.started_at;
      }
      return { name: s.name, attempt: s.attempt, outcome, message: s.message, startedAt: s.started_at, completedAt, durationMs: durationMs(s.started_at, completedAt) };
    })
    .sort((a, b) => stageOrder(a.name) - stageOrder(b.name) || a.attempt - b.attempt);
  const latest = new Map<string, ReportStageAttempt>();
  for (const a of attempts) latest.set(a.name, a);
  const stages: ReportStage[] = STAGES.map((def) => {
    const last = latest.get(def.name);
    const count = attempts.filter((a) => a.name === def.name).length;
    if (last) return { ...last, owner: def.owner, attempts: count };
    // The Reporting stage is this very report: a run being reported has done it.
    const done = def.name === 'Reporting' && (reporting || state === 'Completed' || state === 'Released');
    return {
      name: def.name,
      attempt: 0,
      outcome: done ? 'passed' : null,
      message: null,
      startedAt: null,
      completedAt: null,
      durationMs: null,
      owner: def.owner,
      attempts: 0,
    };
  });

  // ---- inventory → host identity ----
  const inventoryRow = [...stageRows].reverse().find((s) => s.name === 'Inventory' && s.summary_json);
  const invSummary = inventoryRow ? parseJson(inventoryRow.summary_json) : null;
  const invParsed = Inventory.safeParse(isRecord(invSummary) && 'inventory' in invSummary ? invSummary.inventory : invSummary);
  const inv = invParsed.success ? invParsed.data : null;
  const macs = new Set(registeredMacs.map((m) => m.toLowerCase()));
  for (const nic of inv?.nics ?? []) if (nic.mac) macs.add(nic.mac.toLowerCase());

  // ---- verdict: what the stages covered, judged by the rules the stored result was drawn by ----
  const verdict = verdictOf(store, runId, reporting ? 'Completed' : undefined);

  // ---- stage results: the latest attempt of each stage that stored a summary ----
  const results: ReportStageResult[] = [];
  for (const def of STAGES) {
    const row = [...stageRows].reverse().find((r) => r.name === def.name && r.summary_json !== null);
    if (!row) continue;
    const raw = parseJson(row.summary_json);
    // Summaries are checked where they are stored; one from before that (or altered since) is shown as it is.
    const checked = parseStageSummary(def.name, row.outcome, raw);
    results.push({
      stage: def.name,
      attempt: row.attempt,
      outcome: row.outcome,
      summary: checked.ok ? checked.summary : raw,
      coverage: verdict.coverage.filter((c) => c.stage === def.name),
    });
  }

  // ---- spec diffs, by severity ----
  const specDiffs: ReportSpecDiff[] = reads.specDiffs(runId).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);

  // ---- measurements: from the per-minute rollup, so a week-long run costs what a short one does ----
  const summaries = reads.measurementAggregates(runId);
  const aggregates: ReportAggregate[] = summaries.map((a) => ({
    kind: a.kind,
    sensor: a.sensor,
    unit: a.unit,
    count: a.count,
    min: a.min,
    max: a.max,
    avg: round3(a.avg),
    firstTs: a.first[0],
    lastTs: a.last[0],
  }));
  const series: ReportSeries[] = [];
  // In the aggregates' order (by kind, then sensor), as report.json has always listed them.
  const kinds = [...new Set(summaries.map((a) => a.kind))].filter((k) => (CHART_KINDS as readonly string[]).includes(k));
  for (const kind of kinds) {
    const mine = summaries.filter((a) => a.kind === kind);
    const drawn = reads.chartSeries(runId, kind, SERIES_POINTS);
    for (const a of mine) {
      const s = drawn.get(a.sensor);
      if (!s || s.unit !== a.unit) continue;
      series.push({ kind: a.kind, sensor: a.sensor, unit: a.unit, points: withEnds(s.points, a.first, a.last) });
    }
  }

  // ---- artifacts and audit trail ----
  const artifacts: ReportArtifact[] = reads.artifactsExcept(runId, REPORT_ARTIFACT_KINDS);
  const transitions: ReportTransition[] = transitionRows.map((t) => ({
    from: t.from_state,
    to: t.to_state,
    action: t.action,
    actor: t.actor,
    reason: t.reason,
    detail: parseJson(t.detail_json),
    at: t.at,
  }));

  // ---- overrides and verdict ----
  const overrides = collectOverrides(transitionRows, attempts, run.failed_stage);
  const wipeOverride = parseStringArray(run.wipe_override_json);
  const { value, reasons } = presentVerdict(run, verdict.result, verdict.reasons);
  const cpuStress = results.find((r) => r.stage === 'CPUStress')?.summary;
  const ceilingC = isRecord(cpuStress) && typeof cpuStress.ceilingC === 'number' ? cpuStress.ceilingC : null;

  const finishedAt = run.completed_at ?? (reporting ? (latest.get('Reporting')?.startedAt ?? null) : null);
  const model = inv ? [inv.system.product].filter(Boolean).join(' ') || null : null;
  return {
    run: {
      id: run.id,
      profile: run.profile,
      state,
      result: run.result ?? verdict.result,
      holdReason: run.hold_reason,
      failedStage: run.failed_stage,
      createdAt: run.created_at,
      startedAt: run.started_at,
      finishedAt,
      durationMs: durationMs(run.started_at ?? run.created_at, finishedAt),
      agentLost: run.agent_lost === 1,
      wipeOverride,
    },
    host: {
      name: host.name,
      serial: inv?.system.serial ?? run.dmi_serial ?? null,
      manufacturer: inv?.system.manufacturer ?? null,
      model,
      macs: [...macs].sort(),
      bootMac: run.boot_mac,
      expectedDisks,
      cpu: inv ? `${inv.cpu.model ?? 'unknown CPU'} (${inv.cpu.sockets} socket, ${inv.cpu.cores} cores, ${inv.cpu.threads} threads)` : null,
      memoryBytes: inv?.memory.totalBytes ?? null,
      bios: inv ? [inv.bios.vendor, inv.bios.version, inv.bios.date].filter(Boolean).join(' ') || null : null,
    },
    verdict: {
      value,
      result: run.result ?? verdict.result,
      certifies: runParams(run).certifies,
      reasons,
      overrides,
      coverage: verdict.coverage,
    },
    stages,
    attempts,
    specDiffs,
    results,
    parts: collectParts(inv, results, verdict.coverage),
    partChanges: partChangesOf(store, runId),
    measurements: { aggregates, series, thermalCeilingC: ceilingC ?? host.max_temp_c ?? null },
    artifacts,
    transitions,
  };
}

/**
 * A series drawn from its first sample to its last, as it was when the report
 * thinned raw samples with LTTB (which keeps both ends): the rollup's envelope
 * starts at the first bucket's lowest or highest sample instead, and the PSU
 * chart takes a rail's first point as its baseline.
 */
function withEnds(points: readonly (readonly [number, number])[], first: [number, number], last: [number, number]): [number, number][] {
  const out = points.map((p) => [p[0], p[1]] as [number, number]);
  if (out.length === 0) return out;
  if (out[0]![0] > first[0]) out.unshift([first[0], first[1]]);
  if (out[out.length - 1]![0] < last[0]) out.push([last[0], last[1]]);
  // An envelope of a whole run leaves room for both ends; should one ever not, LTTB keeps them.
  return out.length > SERIES_POINTS ? (LTTB(out, SERIES_POINTS) as [number, number][]) : out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stageOrder(name: string): number {
  return isStageName(name) ? STAGES.findIndex((s) => s.name === name) : STAGES.length;
}

function parseStringArray(text: string): string[] {
  const v = parseJson(text);
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
}

/**
 * Who overrode what and why: every 'override' transition (the audit row the
 * supervisor's or operator's action wrote), plus any attempt marked overridden
 * that no transition explains (kept visible rather than silently trusted).
 */
function collectOverrides(transitions: TransitionRow[], attempts: ReportStageAttempt[], failedStage: string | null): ReportOverride[] {
  const out: ReportOverride[] = [];
  for (const t of transitions) {
    if (t.action !== 'override') continue;
    const detail = parseJson(t.detail_json);
    // The overridden stage is in the audit row's detail: `stage` when the override finished the run,
    // `failedStage` when the run went on to the next stage (then to_state is that next stage, not the one overridden).
    const named = isRecord(detail) ? [detail.stage, detail.failedStage].find((v): v is string => typeof v === 'string') : undefined;
    const fromDetail = named ?? null;
    const stage = fromDetail ?? (isStageName(t.to_state) ? t.to_state : isStageName(t.from_state ?? '') ? t.from_state : failedStage);
    out.push({ stage, actor: t.actor, reason: t.reason, at: t.at, detail });
  }
  for (const a of attempts) {
    if (a.outcome === 'overridden' && !out.some((o) => o.stage === a.name)) {
      out.push({ stage: a.name, actor: 'unknown (no audit row)', reason: a.message, at: a.completedAt, detail: null });
    }
  }
  return out;
}

/**
 * The headline: the stored (or about-to-be-stored) result in words. A run that
 * has none yet is held (a failure waiting for a person) or still going.
 */
function presentVerdict(run: RunRow, result: RunResult | null, reasons: string[]): { value: Verdict; reasons: string[] } {
  const stored = run.result ?? result;
  if (stored) return { value: RESULT_TEXT[stored] as Verdict, reasons };
  if (run.state === 'FailedHolding') return { value: 'FAIL', reasons: [`held at ${run.failed_stage ?? 'a stage'}${run.hold_reason ? ` (${run.hold_reason})` : ''}: waiting for a person to decide`, ...reasons] };
  return { value: 'INCOMPLETE', reasons: [`the run is still in ${run.state}`, ...reasons] };
}
