import { decodeSmartExit, evaluateSmart, parseSmartctlJson, parseSmartctlScan, ParseError } from '../parsers/index.ts';
import { errorText } from '../runtime/logger.ts';
import { ToolInfraError } from '../runtime/tool-runner.ts';
import { normaliseSerial, normaliseWwn, resolveExpectedDisks } from './storage/device-resolution.ts';
import { discoverDisks } from './storage/identify.ts';
import type { StageContext, StageModule, StageOutcomeReport } from './stage-types.ts';

// SMART: smartctl -j -a on every expected disk. Disks behind a MegaRAID
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
    if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
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
      if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
      notes.push(`${entry.name} ${entry.type}: ${errorText(err)}`);
    }
  }
  return { targets, notes };
}

async function run(ctx: StageContext): Promise<StageOutcomeReport> {
  const expected = ctx.welcome.expectedDisks;
  if (expected.length === 0) return { outcome: 'skipped', message: 'the host has no expected disks', summary: { disks: [] } };
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

  const disks = [];
  for (const [i, t] of targets.entries()) {
    ctx.progress({ item: t.disk, percent: (i / targets.length) * 100, message: `smartctl ${smartctlArgs(t).join(' ')}` });
    const args = smartctlArgs(t);
    try {
      const res = await ctx.runTool('smartctl', args, { timeoutMs: p.timeoutS * 1000, signal: ctx.signal });
      await ctx.artifact(smartArtifactName(t), res.stdout || res.stderr);
      const report = parseSmartctlJson(res.stdout, res.exitCode);
      const verdict = evaluateSmart({ ...report, device: report.device ?? t.path }, p);
      disks.push({
        disk: t.disk,
        device: t.path,
        type: t.type,
        outcome: verdict.passed ? 'passed' : 'failed',
        smartAvailable: verdict.smartAvailable,
        reasons: verdict.reasons,
        health: report.healthPassed,
        reallocated: report.reallocated,
        pending: report.pending,
        offlineUncorrectable: report.offlineUncorrectable,
        endToEndErrors: report.endToEndErrors,
        mediaErrors: report.mediaErrors,
        criticalWarning: report.criticalWarning,
        temperatureC: report.temperatureC,
        powerOnHours: report.powerOnHours,
        exitCode: res.exitCode,
        exitBits: decodeSmartExit(res.exitCode),
      });
    } catch (err) {
      if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
      if (!(err instanceof ToolInfraError || err instanceof ParseError)) throw err;
      disks.push({ disk: t.disk, device: t.path, type: t.type, outcome: 'error', reasons: [err.message] });
    }
  }
  const failed = disks.filter((d) => d.outcome === 'failed');
  const errored = disks.filter((d) => d.outcome === 'error');
  const missingText = missing.map((id) => `expected disk ${id} not found`);
  const outcome = failed.length > 0 || missing.length > 0 ? 'failed' : errored.length > 0 ? 'error' : 'passed';
  const detail =
    outcome === 'passed'
      ? disks.map((d) => d.reasons.join('; '))
      : [...missingText, ...[...failed, ...errored].map((d) => d.reasons.filter((r) => !/within thresholds/.test(r)).join('; '))];
  return {
    outcome,
    message: detail.join(' | ').slice(0, 4096) || `${disks.length} disk(s) checked`,
    summary: { disks, missing, notes },
  };
}

export const smartStage: StageModule = { name: 'SMART', run };
