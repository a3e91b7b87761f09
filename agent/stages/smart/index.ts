import { decodeSmartExit, evaluateSmart, parseSmartctlJson, parseSmartctlScan, ParseError, type SmartReport, type SmartThresholds } from '../../parsers/index.ts';
import { errorText } from '../../runtime/logger.ts';
import { ToolInfraError, throwIfCancelled } from '../../runtime/tool-runner.ts';
import { isLoopId, normaliseSerial, normaliseWwn, resolveExpectedDisks } from '../storage/device-resolution.ts';
import { discoverDisks } from '../storage/identify.ts';
import { notApplicable, notTested, tested, type CoverageEntry, type PartRef } from '../../../common/schema/coverage.ts';
import type { SmartDiskResult } from '../../../common/stages/smart.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { runSelfTests, selfTestCoverage, selfTestFailure, type SelfTestTarget } from './self-test.ts';

// SMART: smartctl -j -a on every expected disk, then the drive's own self-test
// (short or long, per the profile) on every disk whose SMART answered, all at
// once (self-test.ts); a failed self-test fails the disk. Disks behind a MegaRAID
// controller have no block device of their own; smartctl reaches them as
// `-d megaraid,N` through the controller's device, so a target is a device
// path plus an optional -d type. smartctl's exit status is a bit mask and is
// decoded, not compared with zero.

export interface SmartTarget {
  disk: string;
  path: string;
  /** smartctl -d type (megaraid,N …); null lets smartctl detect it. */
  type: string | null;
}

export function smartctlArgs(t: Pick<SmartTarget, 'path' | 'type'>, mode: '-a' | '-i' = '-a'): string[] {
  return ['-j', mode, ...(t.type ? ['-d', t.type] : []), t.path];
}

/** Artifact name: smart-<device>[-<type>].json */
export function smartArtifactName(t: Pick<SmartTarget, 'path' | 'type'>): string {
  const dev = t.path.replace(/^\/dev\//, '').replace(/\//g, '_');
  return `smart-${dev}${t.type ? `-${t.type.replace(/,/g, '_')}` : ''}.json`;
}

/** Finds disks behind RAID controllers (smartctl --scan-open lists them as megaraid,N). */
async function raidTargets(ctx: StageContext, ids: string[]): Promise<{ targets: SmartTarget[]; notes: string[] }> {
  const notes: string[] = [];
  const targets: SmartTarget[] = [];
  let scan;
  try {
    const res = await ctx.runTool('smartctl', ['-j', '--scan-open'], { timeoutMs: 60_000, signal: ctx.signal });
    scan = parseSmartctlScan(res.stdout);
  } catch (err) {
    throwIfCancelled(err);
    notes.push(`smartctl --scan-open: ${errorText(err)}`);
    return { targets, notes };
  }
  for (const entry of scan.filter((d) => d.type && /^(megaraid|sat\+megaraid|cciss|aacraid|areca)/.test(d.type))) {
    try {
      const res = await ctx.runTool('smartctl', smartctlArgs({ path: entry.name, type: entry.type }, '-i'), { timeoutMs: 60_000, signal: ctx.signal });
      const rep = parseSmartctlJson(res.stdout, res.exitCode);
      const id = ids.find(
        (i) => (rep.serial && normaliseSerial(rep.serial) === normaliseSerial(i)) || (rep.wwn && normaliseWwn(rep.wwn) === normaliseWwn(i)),
      );
      if (id) targets.push({ disk: id, path: entry.name, type: entry.type });
    } catch (err) {
      throwIfCancelled(err);
      notes.push(`${entry.name} ${entry.type}: ${errorText(err)}`);
    }
  }
  return { targets, notes };
}

const CHECK = 'SMART health and counters';

function diskPart(id: string, device: string | null): PartRef {
  return { kind: 'disk', id, label: device ? `${id} (${device})` : id };
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'SMART'>> {
  const expected = ctx.welcome.expectedDisks;
  if (expected.length === 0) {
    return {
      outcome: 'skipped',
      message: 'no disk was checked: the host lists no expected disks (add them to the host to have their SMART read)',
      summary: { disks: [], missing: [], notes: [] },
      coverage: [notTested({ kind: 'disk', id: 'expected disks', label: 'the host’s disks' }, CHECK, 'the host lists no expected disks, so no disk’s SMART was read', true)],
    };
  }
  const p = ctx.params.smart;
  const matches = resolveExpectedDisks(expected, await discoverDisks(ctx, expected));
  const targets: SmartTarget[] = matches.flatMap((m) => (m.status === 'found' ? [{ disk: m.id, path: m.device.path, type: null }] : []));
  const unresolved = matches.filter((m) => m.status !== 'found').map((m) => m.id);
  let notes: string[] = [];
  if (unresolved.length > 0) {
    const raid = await raidTargets(ctx, unresolved);
    targets.push(...raid.targets);
    notes = raid.notes;
  }
  const missing = unresolved.filter((id) => !targets.some((t) => t.disk === id));

  const disks: SmartDiskResult[] = [];
  const coverage: CoverageEntry[] = missing.map((id) => notTested(diskPart(id, null), CHECK, `expected disk ${id} was not found`, true));
  const selfTestTargets: SelfTestTarget[] = [];
  for (const [i, t] of targets.entries()) {
    ctx.progress({ item: t.disk, percent: (i / targets.length) * 100, message: `smartctl ${smartctlArgs(t).join(' ')}` });
    try {
      const res = await ctx.runTool('smartctl', smartctlArgs(t), { timeoutMs: p.timeoutS * 1000, signal: ctx.signal });
      await ctx.artifact(smartArtifactName(t), res.stdout || res.stderr);
      const judged = judgeSmartDisk(t, res, p);
      disks.push(judged.row);
      coverage.push(...judged.coverage);
      // Only a disk whose SMART answered can be asked for a self-test.
      if (judged.row.outcome === 'passed' || judged.row.outcome === 'failed') selfTestTargets.push({ ...t, protocol: judged.protocol });
    } catch (err) {
      throwIfCancelled(err);
      if (!(err instanceof ToolInfraError)) throw err;
      disks.push({ disk: t.disk, device: t.path, type: t.type, outcome: 'error', reasons: [err.message] });
      coverage.push(notTested(diskPart(t.disk, t.path), CHECK, `smartctl could not run: ${err.message}`, true));
    }
  }
  if (selfTestTargets.length > 0) {
    const selfTests = await runSelfTests(ctx, selfTestTargets, p);
    for (const row of disks) {
      const st = selfTests.get(row.disk);
      if (!st) continue;
      row.selfTest = st;
      coverage.push(selfTestCoverage(diskPart(row.disk, row.device), st));
      const failure = selfTestFailure(st);
      if (failure) {
        row.outcome = 'failed';
        row.reasons = [...row.reasons.filter((r) => !/within thresholds/.test(r)), failure];
      }
    }
  }
  return { ...combineSmart(disks, missing), summary: { disks, missing, notes }, coverage };
}

/**
 * One disk's verdict from smartctl's JSON and exit status. A disk whose SMART
 * cannot be read was not checked, whatever else it is: never a pass. A loop
 * device is a virtual disk, for which SMART does not apply.
 */
export function judgeSmartDisk(t: SmartTarget, res: { stdout: string; exitCode: number }, p: SmartThresholds): { row: SmartDiskResult; coverage: CoverageEntry[]; protocol: SmartReport['protocol'] } {
  const part = diskPart(t.disk, t.path);
  let report;
  try {
    report = parseSmartctlJson(res.stdout, res.exitCode);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return { row: { disk: t.disk, device: t.path, type: t.type, outcome: 'error', reasons: [err.message] }, coverage: [notTested(part, CHECK, `smartctl's output was unreadable: ${err.message}`, true)], protocol: 'unknown' };
  }
  const verdict = evaluateSmart({ ...report, device: report.device ?? t.path }, p);
  const outcome: SmartDiskResult['outcome'] = !verdict.smartAvailable ? (isLoopId(t.disk) ? 'not-applicable' : 'not-tested') : verdict.passed ? 'passed' : 'failed';
  const row: SmartDiskResult = {
    disk: t.disk,
    device: t.path,
    type: t.type,
    outcome,
    smartAvailable: verdict.smartAvailable,
    reasons: verdict.reasons,
    health: report.healthPassed,
    reallocated: report.reallocated,
    pending: report.pending,
    offlineUncorrectable: report.offlineUncorrectable,
    endToEndErrors: report.endToEndErrors,
    mediaErrors: report.mediaErrors,
    maxReallocated: p.maxReallocated,
    maxPending: p.maxPending,
    maxOfflineUncorrectable: p.maxOfflineUncorrectable,
    maxEndToEndErrors: p.maxEndToEndErrors,
    maxMediaErrors: p.maxMediaErrors,
    criticalWarning: report.criticalWarning,
    temperatureC: report.temperatureC,
    powerOnHours: report.powerOnHours,
    exitCode: res.exitCode,
    exitBits: { ...decodeSmartExit(res.exitCode) },
  };
  const why = verdict.reasons.join('; ');
  const protocol = report.protocol;
  if (outcome === 'not-applicable') return { row, coverage: [notApplicable(part, CHECK, `a loop device is a virtual disk: it has no SMART (${why})`)], protocol };
  if (outcome === 'not-tested') return { row, coverage: [notTested(part, CHECK, why, true)], protocol };
  // A verdict resting on the overall health alone (an NVMe disk behind a SCSI translation layer has
  // no health log) is said as such: the health was read, the error counters were not.
  if (verdict.basis === 'overall-health-only') {
    return { row, coverage: [tested(part, 'SMART overall health'), notTested(part, 'SMART error counters', verdict.basisReason, false)], protocol };
  }
  const partly = verdict.basis === 'partial' && verdict.countersNotRead.length > 0 ? { reason: `the disk reports no ${verdict.countersNotRead.join(', ')}` } : {};
  return { row, coverage: [tested(part, CHECK, partly)], protocol };
}

/**
 * The stage's outcome and message from its disks: any failed or missing disk
 * fails it; otherwise an unreadable one makes it an error; a disk whose SMART
 * could not be read does not fail the stage but is named as not tested (the
 * run's verdict counts it).
 */
export function combineSmart(disks: readonly SmartDiskResult[], missing: readonly string[]): { outcome: 'passed' | 'failed' | 'error'; message: string } {
  const failed = disks.filter((d) => d.outcome === 'failed');
  const errored = disks.filter((d) => d.outcome === 'error');
  const unread = disks.filter((d) => d.outcome === 'not-tested');
  const missingText = missing.map((id) => `expected disk ${id} not found`);
  const outcome = failed.length > 0 || missing.length > 0 ? 'failed' : errored.length > 0 ? 'error' : 'passed';
  const detail =
    outcome === 'passed'
      ? disks.map((d) => `${d.outcome === 'not-tested' ? 'NOT TESTED: ' : ''}${d.reasons.join('; ')}`)
      : [...missingText, ...[...failed, ...errored].map((d) => d.reasons.filter((r) => !/within thresholds/.test(r)).join('; '))];
  const unreadText = outcome === 'passed' && unread.length > 0 ? ` (${unread.length} disk(s) not tested: SMART unreadable)` : '';
  return { outcome, message: (detail.join(' | ') + unreadText).slice(0, 4096) || `${disks.length} disk(s) checked` };
}

export const smartStage: StageModule<'SMART'> = { name: 'SMART', run };
