import { notTested, tested, type CoverageEntry } from '../../../common/schema/coverage.ts';
import type { BmcSnapshot } from '../../../common/stages/bmc.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { readBmcSnapshot } from './read.ts';

// BMC: read the BMC's event log and sensors after every load has run. The agent only reads
// and reports; whether a record logged since the start of the run fails it, and in which
// stage it appeared, is the orchestrator's judgement (it holds Inventory's reading from the
// start of the run and the stage attempts' times): electron/node/stages/reviews/bmc-events.ts.

export const BMC_PART = { kind: 'bmc' as const, id: 'bmc', label: 'BMC (in band)' };
export const CHECK = 'BMC event log during the run';

/** The stage's report from the end-of-run snapshot. */
export function bmcReport(snap: BmcSnapshot): StageOutcomeReport<'BMC'> {
  if (!snap.present) {
    const why = snap.why ?? 'no BMC could be reached';
    return { outcome: 'skipped', message: `BMC not tested: ${why}`, summary: { bmc: snap }, coverage: [notTested(BMC_PART, CHECK, why, false)] };
  }
  const coverage: CoverageEntry[] = [];
  if (snap.sel) coverage.push(tested(BMC_PART, CHECK));
  else coverage.push(notTested(BMC_PART, CHECK, `the event log could not be read: ${(snap.problems ?? []).join('; ') || 'no answer'}`, false));
  if (snap.sdr) coverage.push(tested(BMC_PART, 'BMC sensors read', { required: false }));
  const sel = snap.sel ?? [];
  const critical = sel.filter((r) => r.critical).length;
  const sensors = (snap.sdr ?? []).filter((s) => s.value !== null).length;
  const message = snap.sel
    ? `BMC event log read: ${sel.length} record(s), ${critical} critical in all; ${sensors} sensor reading(s). The orchestrator compares it with the start of the run.`
    : `the BMC answered but its event log could not be read: ${(snap.problems ?? []).join('; ')}`;
  // An unreadable event log is not a hardware failure; the coverage says it was not tested.
  return { outcome: 'passed', message: message.slice(0, 4096), summary: { bmc: snap }, coverage };
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'BMC'>> {
  ctx.progress({ percent: 0, message: 'reading the BMC (ipmitool sdr elist, sel elist)' });
  const snap = await readBmcSnapshot(ctx, { timeoutMs: ctx.params.bmc.toolTimeoutS * 1000, artifactPrefix: 'bmc-end' });
  ctx.progress({ percent: 100, message: 'BMC read' });
  return bmcReport(snap);
}

export const bmcStage: StageModule<'BMC'> = { name: 'BMC', run };
