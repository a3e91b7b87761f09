import { readFile } from 'node:fs/promises';
import { takeOutputFile } from '../../runtime/take-output-file.ts';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ToolInfraError } from '../../runtime/tool-runner.ts';
import type { ProfileParams } from '../../../common/schema/profile.ts';
import { notTested, tested, type CoverageEntry } from '../../../common/schema/coverage.ts';
import { formatBytes } from '../../../common/format.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { parseStressNgYaml } from './stress-ng.ts';
import { judgeTemperatures, ThermalWatch } from './thermal-watch.ts';
import { meminfoBytes } from '../../parsers/meminfo.ts';

// CPUStress: stress-ng loads every logical CPU plus about half as many memory
// (vm) workers, with --verify so a memory fault under load shows up as a
// failed stressor. It passes when stress-ng exits 0 and no temperature reached
// the host's ceiling during the run. The vm size leaves headroom so the live
// image itself is not OOM-killed (which would be an infrastructure error, not a
// verdict on the hardware).

const MiB = 1024 * 1024;
/** Below this per worker the vm stressor does not exercise much; use fewer workers. */
const MIN_VM_BYTES_PER_WORKER = 16 * MiB;

export interface VmPlan {
  cpuWorkers: number;
  vmWorkers: number;
  /** Total bytes for --vm-bytes (stress-ng splits it across the vm workers). */
  vmBytesTotal: number;
}

/** Parses MemAvailable from /proc/meminfo, in bytes; null when absent. */
/**
 * N = logical CPUs, M = max(1, round(N/2)); the vm total is the profile's share
 * of available memory but never more than available minus the headroom.
 */
export function planCpuStress(logicalCpus: number, memAvailable: number, p: ProfileParams['cpuStress']): VmPlan {
  const cpuWorkers = Math.max(1, Math.floor(logicalCpus));
  let vmWorkers = Math.max(1, Math.round(cpuWorkers / 2));
  const share = Math.floor((memAvailable * p.vmBytesPercent) / 100);
  const afterHeadroom = memAvailable - p.memoryHeadroomMiB * MiB;
  const total = Math.max(0, Math.min(share, afterHeadroom));
  if (total < MIN_VM_BYTES_PER_WORKER) return { cpuWorkers, vmWorkers: 0, vmBytesTotal: 0 };
  vmWorkers = Math.min(vmWorkers, Math.floor(total / MIN_VM_BYTES_PER_WORKER));
  // Whole pages, so stress-ng gets exactly what was planned.
  return { cpuWorkers, vmWorkers, vmBytesTotal: Math.floor(total / 4096) * 4096 };
}

/** stress-ng 0.15 exit statuses (stress-ng(1), "EXIT STATUS"). */
export function stressNgExitMeaning(code: number): { verdict: 'passed' | 'failed' | 'error'; text: string } {
  switch (code) {
    case 0:
      return { verdict: 'passed', text: 'stress-ng completed successfully' };
    case 2:
      return { verdict: 'failed', text: 'a stressor failed (verification error under load)' };
    case 1:
      return { verdict: 'error', text: 'stress-ng reported an error (bad options or setup failure)' };
    case 3:
      return { verdict: 'error', text: 'a stressor could not get resources (out of memory?)' };
    case 4:
      return { verdict: 'error', text: 'a stressor is not implemented on this system' };
    case 5:
      return { verdict: 'error', text: 'a stressor was killed by a signal (OOM killer?)' };
    case 6:
      return { verdict: 'error', text: 'a stressor exited unexpectedly' };
    case 7:
      return { verdict: 'error', text: 'stress-ng metrics were untrustworthy' };
    default:
      return { verdict: 'error', text: `stress-ng exited with unexpected status ${code}` };
  }
}

const CPU = { kind: 'cpu', id: 'cpu', label: 'CPUs' } as const;
const MEMORY = { kind: 'memory', id: 'memory', label: 'memory' } as const;
const THERMAL = { kind: 'sensor', id: 'thermal ceiling', label: 'temperature sensors' } as const;

/**
 * What the attempt exercised. A run that stress-ng could not finish tested
 * nothing; the thermal ceiling is checked only where the host shows a sensor,
 * and a host without one is not failed for it, only told.
 */
function stressCoverage(plan: VmPlan, memTotal: number | null, ran: boolean, why: string, sensors: number): CoverageEntry[] {
  const out: CoverageEntry[] = [];
  if (!ran) {
    out.push(notTested(CPU, 'stress-ng CPU load', why, true), notTested(MEMORY, 'stress-ng vm --verify', why, true));
  } else {
    out.push(tested(CPU, 'stress-ng CPU load', { reason: `${plan.cpuWorkers} worker(s)` }));
    if (plan.vmWorkers > 0) {
      const extent = memTotal && memTotal >= plan.vmBytesTotal ? { done: plan.vmBytesTotal, total: memTotal, unit: 'bytes' as const } : undefined;
      out.push(tested(MEMORY, 'stress-ng vm --verify', { reason: `${formatBytes(plan.vmBytesTotal)} under load`, ...(extent ? { extent } : {}) }));
    } else {
      out.push(notTested(MEMORY, 'stress-ng vm --verify', 'too little free memory for a memory workload beside the live image', true));
    }
  }
  if (sensors === 0) out.push(notTested(THERMAL, 'temperature under load', 'the host exposes no temperature sensor (hwmon): the ceiling could not be checked', false));
  else out.push(tested(THERMAL, 'temperature under load', { required: false, reason: `${sensors} sensor(s)` }));
  return out;
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'CPUStress'>> {
  const p = ctx.params.cpuStress;
  const meminfo = await readFile(join(ctx.paths.procRoot, 'meminfo'), 'utf8').catch(() => '');
  const avail = meminfoBytes(meminfo, 'MemAvailable');
  const memTotal = meminfoBytes(meminfo, 'MemTotal');
  if (avail === null) {
    const why = 'cannot read MemAvailable from /proc/meminfo';
    return { outcome: 'error', message: why, summary: { infraError: 'meminfo', problems: [why] }, coverage: stressCoverage({ cpuWorkers: 0, vmWorkers: 0, vmBytesTotal: 0 }, null, false, why, 0) };
  }
  const plan = planCpuStress(cpus().length, avail, p);
  const maxTempC = ctx.welcome.maxTempC;
  const yamlFile = join(ctx.paths.workDir, `stress-ng-${process.pid}-${Date.now()}.yaml`);
  await import('node:fs/promises').then((fs) => fs.mkdir(ctx.paths.workDir, { recursive: true }));

  const args = ['--cpu', String(plan.cpuWorkers)];
  if (plan.vmWorkers > 0) args.push('--vm', String(plan.vmWorkers), '--vm-bytes', `${plan.vmBytesTotal}`, '--verify');
  args.push('-t', `${Math.max(1, Math.round(p.durationS))}s`, '--metrics-brief', '--yaml', yamlFile);

  // Overheating ends the load early: there is no point cooking a host that has
  // already failed, and it protects the hardware.
  const load = new AbortController();
  const onOuterAbort = () => load.abort();
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  let overheated = false;
  const watch = new ThermalWatch(ctx.paths.sysfsRoot, Math.min(ctx.params.thermal.intervalS, 1) * 1000, (batch) => {
    if (batch.some((s) => s.value >= maxTempC) && !overheated) {
      overheated = true;
      ctx.log.warn('temperature ceiling reached; stopping stress-ng', { maxTempC });
      load.abort();
    }
  });
  const started = Date.now();
  const ticker = setInterval(() => {
    const elapsed = (Date.now() - started) / 1000;
    ctx.progress({ percent: Math.min(99, (elapsed / p.durationS) * 100), etaS: Math.max(0, p.durationS - elapsed), message: `stress-ng ${args.slice(0, 6).join(' ')}` });
  }, 1000);
  watch.start();
  let exitCode: number | null = null;
  let stderr = '';
  let infra: ToolInfraError | null = null;
  try {
    const res = await ctx.runTool('stress-ng', args, { timeoutMs: (p.durationS * 2 + 120) * 1000, signal: load.signal });
    exitCode = res.exitCode;
    stderr = res.stderr;
    await ctx.artifact('stress-ng.txt', `$ stress-ng ${args.join(' ')}\nexit ${res.exitCode}\n--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`);
  } catch (err) {
    if (!(err instanceof ToolInfraError)) throw err;
    if (err.kind === 'cancelled' && ctx.signal.aborted) throw err;
    if (!(err.kind === 'cancelled' && overheated)) infra = err;
    stderr = err.stderr;
    // What stress-ng printed before it was stopped (overheat, timeout, OOM kill) is the evidence.
    const why = overheated ? 'stopped: temperature ceiling reached' : `stopped: ${err.kind} (${err.message})`;
    await ctx.artifact('stress-ng.txt', `$ stress-ng ${args.join(' ')}
${why}
--- stdout ---
${err.stdout}
--- stderr ---
${err.stderr}`);
  } finally {
    clearInterval(ticker);
    ctx.signal.removeEventListener('abort', onOuterAbort);
  }
  const samples = await watch.stop();
  const yaml = await takeOutputFile(yamlFile);
  if (yaml) await ctx.artifact('stress-ng.yaml', yaml);

  const thermal = judgeTemperatures(samples, maxTempC);
  let metrics: { stressor: string; bogoOps: number; bogoOpsPerSecReal: number | null }[] = [];
  try {
    if (yaml) metrics = parseStressNgYaml(yaml).metrics.map((m) => ({ stressor: m.stressor, bogoOps: m.bogoOps, bogoOpsPerSecReal: m.bogoOpsPerSecReal }));
  } catch (err) {
    ctx.log.warn('stress-ng metrics unreadable', { err: err instanceof Error ? err.message : String(err) });
  }
  const sensors = Object.keys(thermal.peaks).length;
  const summary = {
    metrics,
    cpuWorkers: plan.cpuWorkers,
    vmWorkers: plan.vmWorkers,
    vmBytesTotal: plan.vmBytesTotal,
    durationS: p.durationS,
    exitCode,
    ceilingC: maxTempC,
    peaks: Object.entries(thermal.peaks).map(([sensor, peakC]) => ({ sensor, peakC, ceilingC: maxTempC })),
    thermalSamples: thermal.sampleCount,
  };
  if (thermal.overLimit.length > 0) {
    const first = thermal.overLimit[0]!;
    return {
      outcome: 'failed',
      message: `temperature ceiling reached: ${first.sensor} at ${first.value} °C (limit ${maxTempC} °C)${overheated ? '; load stopped early' : ''}`,
      summary: { ...summary, overLimit: thermal.overLimit.map((s) => ({ sensor: s.sensor, valueC: s.value })) },
      coverage: stressCoverage(plan, memTotal, true, '', sensors),
    };
  }
  if (infra) {
    return { outcome: 'error', message: infra.message, summary: { ...summary, infraError: infra.kind }, coverage: stressCoverage(plan, memTotal, false, `stress-ng did not finish: ${infra.message}`, sensors) };
  }
  const meaning = stressNgExitMeaning(exitCode ?? -1);
  const tail = stderr.trim().split('\n').filter((l) => /fail|error|killed/i.test(l)).slice(-3).join(' | ');
  const hottest = Object.entries(thermal.peaks).sort((a, b) => b[1] - a[1])[0];
  const thermalText = sensors === 0 ? 'no temperature sensors exposed' : `hottest ${hottest![0]} ${hottest![1]} °C (limit ${maxTempC} °C)`;
  const memText = plan.vmWorkers > 0 ? `${plan.vmWorkers} vm worker(s) over ${Math.round(plan.vmBytesTotal / MiB)} MiB` : 'no vm workers (too little free memory)';
  return {
    outcome: meaning.verdict,
    message: `${meaning.text}: ${plan.cpuWorkers} cpu worker(s), ${memText}, ${p.durationS} s; ${thermalText}${tail && meaning.verdict !== 'passed' ? `; ${tail}` : ''}`.slice(0, 4096),
    summary,
    coverage: stressCoverage(plan, memTotal, meaning.verdict !== 'error', `stress-ng could not run: ${meaning.text}`, sensors),
  };
}

export const cpuStressStage: StageModule<'CPUStress'> = { name: 'CPUStress', run };
