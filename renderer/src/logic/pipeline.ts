import type { ProgressView, RunSummaryView, StageView } from '../../../common/schema/api.ts';
import { STAGE_NAMES, type StageName } from '../../../common/stages/index.ts';
import { isTerminal } from '../../../common/schema/run.ts';

// The nine-stage pipeline as the board and the run page draw it: each stage's
// status (with the percent of a running one), derived from the stages reached
// so far, the live progress reports and the run's state.

export type CellStatus = 'pending' | 'running' | 'passed' | 'failed' | 'error' | 'skipped' | 'overridden';

export interface PipelineCell {
  stage: StageName;
  status: CellStatus;
  /** 0–100 for a running stage that reported progress, else null. */
  percent: number | null;
  /** Longest ETA reported by the stage's items, in seconds. */
  etaS: number | null;
  message: string | null;
  attempt: number | null;
}

/** Text shown with the icon and colour, so state never rests on colour alone. */
export const STATUS_TEXT: Record<CellStatus, string> = {
  pending: 'pending',
  running: 'running',
  passed: 'passed',
  failed: 'failed',
  error: 'error',
  skipped: 'skipped',
  overridden: 'overridden',
};

export const STATUS_ICON: Record<CellStatus, string> = {
  pending: '○',
  running: '▶',
  passed: '✓',
  failed: '✗',
  error: '!',
  skipped: '–',
  overridden: '⚑',
};

/** Combined percent of a stage: the mean over its items, or its single report. */
export function stagePercent(progress: readonly ProgressView[], stage: StageName): { percent: number | null; etaS: number | null; message: string | null } {
  const own = progress.filter((p) => p.stage === stage);
  if (own.length === 0) return { percent: null, etaS: null, message: null };
  const withPercent = own.filter((p) => typeof p.percent === 'number' && Number.isFinite(p.percent));
  const percent =
    withPercent.length === 0 ? null : Math.max(0, Math.min(100, withPercent.reduce((sum, p) => sum + (p.percent ?? 0), 0) / withPercent.length));
  const etas = own.map((p) => p.etaS).filter((e): e is number => typeof e === 'number' && Number.isFinite(e));
  const latest = [...own].sort((a, b) => b.ts - a.ts)[0];
  return { percent, etaS: etas.length ? Math.max(...etas) : null, message: latest?.message ?? null };
}

export function derivePipeline(stages: readonly StageView[], progress: readonly ProgressView[], run: Pick<RunSummaryView, 'state'> | null): PipelineCell[] {
  const latest = new Map<StageName, StageView>();
  for (const s of stages) {
    const prev = latest.get(s.name);
    if (!prev || s.attempt >= prev.attempt) latest.set(s.name, s);
  }
  const runOver = run ? isTerminal(run.state) : false;
  return STAGE_NAMES.map((stage): PipelineCell => {
    const row = latest.get(stage);
    const live = stagePercent(progress, stage);
    if (row?.outcome) {
      return { stage, status: row.outcome, percent: null, etaS: null, message: row.message, attempt: row.attempt };
    }
    const started = Boolean(row?.startedAt) || run?.state === stage;
    if (started && !runOver) {
      return { stage, status: 'running', percent: live.percent, etaS: live.etaS, message: live.message ?? row?.message ?? null, attempt: row?.attempt ?? null };
    }
    return { stage, status: 'pending', percent: null, etaS: null, message: row?.message ?? null, attempt: row?.attempt ?? null };
  });
}

/** The stage a person would call "where it is now": the running one, else the last one reached. */
export function currentCell(cells: readonly PipelineCell[]): PipelineCell | null {
  const running = cells.find((c) => c.status === 'running');
  if (running) return running;
  const reached = cells.filter((c) => c.status !== 'pending');
  return reached[reached.length - 1] ?? null;
}
