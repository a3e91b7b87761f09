import { GROWTH_COUNTERS, type SmartDiskResult } from '../../../../common/stages/smart.ts';
import { partIdKey } from '../../../../common/verdict.ts';
import { componentScope } from '../../history/components.ts';
import { runParams } from '../../runs/run-params.ts';
import type { AgentResultReview } from './index.ts';

// SMART against the same disk's previous run: a disk back from repair (or moved from another
// host) whose reallocated, pending, offline-uncorrectable, end-to-end or media error counts
// grew since it was last on the bench is wearing out, even when every count is still under
// the absolute thresholds. The previous figures are the component history's (the newest
// earlier run that reported the disk, on any host); the growth each counter may show is the
// profile's smart.maxGrowthSincePrevious (0: none).

const LABEL: Record<(typeof GROWTH_COUNTERS)[number], string> = {
  reallocated: 'reallocated',
  pending: 'pending',
  offlineUncorrectable: 'offline uncorrectable',
  endToEndErrors: 'end-to-end errors',
  mediaErrors: 'media errors',
};

export const reviewSmartHistory: AgentResultReview<'SMART'> = (ctx, result) => {
  const limits = runParams(ctx.run).smart.maxGrowthSincePrevious;
  const failedDisks: string[] = [];
  const disks: SmartDiskResult[] = result.summary.disks.map((row) => {
    if (row.outcome !== 'passed' && row.outcome !== 'failed') return row;
    const prev = ctx.store.components.previous('disk', componentScope('disk', ctx.run.host_id), partIdKey(row.disk), 'SMART', ctx.run.id);
    if (!prev) return { ...row, sincePrevious: null };
    const grew: string[] = [];
    const over: string[] = [];
    const figures: Record<string, number | null> = {};
    for (const c of GROWTH_COUNTERS) {
      const before = prev.figures[c]?.value;
      const now = row[c];
      figures[c] = typeof before === 'number' ? before : null;
      if (typeof before !== 'number' || typeof now !== 'number' || now <= before) continue;
      const text = `${LABEL[c]} ${before} → ${now} (+${now - before}, allowed +${limits[c]})`;
      grew.push(text);
      if (now - before > limits[c]) over.push(text);
    }
    const sincePrevious = { run: prev.runId, at: prev.at, host: prev.host, figures, grew };
    if (over.length === 0) return { ...row, sincePrevious };
    const reason = `grew since run ${prev.runId} (${prev.at.slice(0, 10)}, host ${prev.host}): ${over.join('; ')}`;
    failedDisks.push(`${row.disk} (${row.device}): ${reason}`);
    return { ...row, outcome: 'failed' as const, sincePrevious, reasons: [...row.reasons.filter((r) => !/within thresholds/.test(r)), reason] };
  });
  if (failedDisks.length === 0) return { ...result, summary: { ...result.summary, disks } };
  const message = `${failedDisks.join(' | ')}${result.outcome === 'failed' ? ` | ${result.message}` : ''}`;
  return { ...result, outcome: 'failed', message, summary: { ...result.summary, disks } };
};
