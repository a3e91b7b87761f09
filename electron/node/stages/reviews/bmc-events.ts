import { selCriticality, selRecordText } from '../../../../common/bmc-events.ts';
import { tested, type CoverageEntry } from '../../../../common/schema/coverage.ts';
import { BmcSnapshot, type SelRecord, type SelRunEvent } from '../../../../common/stages/bmc.ts';
import type { AgentResultReview } from './index.ts';

// The BMC's log at the end of the run against its log at the start (Inventory's bmcLog):
// every record that is new is placed in time on the bench's clock and attributed to the
// stage attempt that was running then; a critical one fails the run, naming that stage.
//
// Placing: ipmitool printed the BMC's clock right after the log, and the result was sent
// right after that, so bench time ≈ BMC time + (arrival − BMC clock). How far off that can
// be is the BMC attempt's own length (the read happened somewhere in it), reported as the
// placement's uncertainty. Without a start-of-run log (no BMC reading then), a record is
// new when its placed time is after the run started.

function recordKey(r: Pick<SelRecord, 'id' | 'when' | 'sensor' | 'event' | 'direction'>): string {
  return [r.id, r.when, r.sensor, r.event, r.direction].join('|');
}

function hhmmss(iso: string): string {
  return iso.slice(11, 19);
}

export const reviewBmcEvents: AgentResultReview<'BMC'> = (ctx, result) => {
  const snap = result.summary.bmc;
  if (!snap.present || !snap.sel) return result;
  const inventory = ctx.store.runs.latestAttempt(ctx.run.id, 'Inventory');
  const startLog = inventory?.summary_json ? BmcSnapshot.safeParse((JSON.parse(inventory.summary_json) as { bmcLog?: unknown }).bmcLog) : null;
  const baseline = startLog?.success && startLog.data.present && startLog.data.sel ? startLog.data.sel : null;
  const attempts = ctx.store.runs.stageAttempts(ctx.run.id);
  const runStart = Date.parse(ctx.run.started_at ?? attempts[0]?.started_at ?? ctx.run.created_at);
  const offsetS = typeof snap.clockTime === 'number' ? ctx.now / 1000 - snap.clockTime : null;
  const uncertaintyS = Math.max(0, (ctx.now - Date.parse(ctx.attempt.started_at)) / 1000);
  const known = new Set((baseline ?? []).map(recordKey));

  const duringRun: SelRunEvent[] = [];
  for (const r of snap.sel) {
    const atMs = offsetS !== null && r.bmcTime !== null ? (r.bmcTime + offsetS) * 1000 : null;
    const isNew = baseline ? !known.has(recordKey(r)) : atMs !== null && atMs >= runStart;
    if (!isNew) continue;
    const during = atMs === null ? undefined : attempts.find((a) => Date.parse(a.started_at) <= atMs && atMs <= (a.completed_at ? Date.parse(a.completed_at) : ctx.now));
    duringRun.push({
      ...r,
      critical: selCriticality(r) !== null,
      stage: during?.name ?? null,
      attempt: during?.attempt ?? null,
      at: atMs === null ? null : new Date(atMs).toISOString(),
    });
  }
  const preExistingCritical = (baseline ?? []).filter((r) => selCriticality(r) !== null).map((r) => ({ ...r, critical: true }));
  const summary = {
    ...result.summary,
    baseline: baseline ? ('inventory' as const) : ('none' as const),
    duringRun,
    preExistingCritical,
    ...(offsetS !== null ? { placement: { offsetS: Math.round(offsetS), uncertaintyS: Math.round(uncertaintyS) } } : {}),
  };
  const critical = duringRun.filter((r) => r.critical);
  const before = preExistingCritical.length ? `; ${preExistingCritical.length} critical record(s) were already in the log when the run started (listed, not judged)` : '';
  const basis = baseline ? '' : ' (no log from the start of the run: records were judged new by their time)';
  if (critical.length === 0) {
    const message = `the BMC logged ${duringRun.length} record(s) during the run, none critical${before}${basis}`;
    return { ...result, message, summary };
  }
  const where = (r: SelRunEvent) => (r.stage ? `during ${r.stage} (attempt ${r.attempt}) at ${hhmmss(r.at!)}` : r.at ? `between stages at ${hhmmss(r.at)}` : `at an unknown time (${r.when})`);
  const lines = critical.map((r) => `${selCriticality(r)!.category}: ${selRecordText(r)} ${where(r)}`);
  const coverage: CoverageEntry[] = [
    ...result.coverage,
    ...critical.map((r) => {
      const c = selCriticality(r)!;
      return tested({ kind: c.part, id: r.sensor.slice(0, 256), label: `${r.sensor} (BMC)`.slice(0, 256) }, `BMC events ${r.stage ? `during ${r.stage}` : 'during the run'}`.slice(0, 120));
    }),
  ];
  const message = `the BMC logged ${critical.length} critical record(s) during the run: ${lines.join(' | ')}${before}${basis}`;
  return { ...result, outcome: 'failed', message, summary, coverage };
};
