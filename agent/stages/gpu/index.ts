import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notApplicable, notTested, tested, type CoverageEntry, type PartRef } from '../../../common/schema/coverage.ts';
import { dmonPeaks, parseNvidiaSmiDmon, parseNvidiaSmiQ, type GpuQueryRow, type NvidiaGpuHealth } from '../../parsers/nvidia-smi.ts';
import { errorText } from '../../runtime/logger.ts';
import { throwIfCancelled, toolExists, type ToolResult } from '../../runtime/tool-runner.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { queryGpus } from './probe.ts';

// GPU: nvidia-smi health plus a short compute burn. Without nvidia-smi or
// without a GPU the stage is skipped cleanly. The burn uses gpu-burn when the
// image has it, else stress-ng's GPU stressor when this stress-ng build has
// one; with neither, the stage only samples the idle GPU and says so. Pass:
// no ECC errors (corrected or not), every temperature below the profile ceiling,
// and the burn (when there was one) exited 0.

type BurnTool = { tool: string; args: (s: number) => string[] } | null;

async function chooseBurn(ctx: StageContext): Promise<BurnTool> {
  for (const tool of ['gpu-burn', 'gpu_burn']) {
    if (await toolExists(tool)) return { tool, args: (s) => [String(s)] };
  }
  if (await toolExists('stress-ng')) {
    try {
      const res = await ctx.runTool('stress-ng', ['--stressors'], { timeoutMs: 30_000, signal: ctx.signal });
      if (res.exitCode === 0 && /(^|\s)gpu(\s|$)/.test(res.stdout)) return { tool: 'stress-ng', args: (s) => ['--gpu', '1', '-t', `${s}s`, '--metrics-brief'] };
    } catch (err) {
      throwIfCancelled(err);
    }
  }
  return null;
}

function eccProblems(rows: GpuQueryRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const unc = Math.max(r.eccUncorrectedVolatile ?? 0, r.eccUncorrectedAggregate ?? 0);
    if (unc > 0) out.push(`GPU ${r.index} (${r.name}) has ${unc} uncorrectable ECC error(s)`);
    // The bench's rule is "no ECC errors": corrected ones during a burn are an early sign of failing memory.
    if ((r.eccCorrectedVolatile ?? 0) > 0) out.push(`GPU ${r.index} (${r.name}) corrected ${r.eccCorrectedVolatile} ECC error(s) since the driver loaded`);
  }
  return out;
}

const CHECK = 'compute burn';
const ALL_GPUS: PartRef = { kind: 'gpu', id: 'gpus', label: 'GPUs' };

/** NVIDIA display/3D controllers on the PCI bus (vendor 0x10de, class 0x03xx), seen without any NVIDIA tool. */
export async function nvidiaPciDevices(sysRoot: string): Promise<string[]> {
  const base = join(sysRoot, 'bus', 'pci', 'devices');
  const read = (p: string) => readFile(p, 'utf8').then((t) => t.trim(), () => '');
  const out: string[] = [];
  for (const addr of (await readdir(base).catch(() => [] as string[])).sort()) {
    const [vendor, cls] = await Promise.all([read(join(base, addr, 'vendor')), read(join(base, addr, 'class'))]);
    if (vendor === '0x10de' && /^0x03/.test(cls)) out.push(addr);
  }
  return out;
}

function gpuPart(r: GpuQueryRow): PartRef {
  return { kind: 'gpu', id: r.serial ?? r.uuid ?? r.busId ?? `gpu${r.index}`, label: `${r.name}${r.busId ? ` (${r.busId})` : ''}` };
}

/** When there is nothing to run the GPU stage on: no GPU at all, or GPUs this image cannot drive. */
async function noGpuResult(ctx: StageContext, why: string): Promise<StageOutcomeReport<'GPU'>> {
  const pci = await nvidiaPciDevices(ctx.paths.sysRoot);
  if (pci.length > 0) {
    const reason = `${pci.length} NVIDIA GPU(s) on the PCI bus (${pci.join(', ')}) but ${why}: boot the GPU image flavour to test them`;
    return { outcome: 'skipped', message: `GPUs not tested: ${reason}`, summary: { gpus: [] }, coverage: pci.map((a) => notTested({ kind: 'gpu', id: a, label: `NVIDIA GPU (${a})` }, CHECK, reason, true)) };
  }
  return { outcome: 'skipped', message: `no GPU to test: ${why}`, summary: { gpus: [] }, coverage: [notApplicable(ALL_GPUS, CHECK, `no GPU in this host (${why}; no NVIDIA device on the PCI bus)`)] };
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'GPU'>> {
  const p = ctx.params.gpu;
  if (!(await toolExists('nvidia-smi'))) return noGpuResult(ctx, 'nvidia-smi is not installed');
  const before = await queryGpus(ctx);
  if (before.exitCode !== 0 || before.rows.length === 0) {
    const why = (before.stderr || before.raw).trim().split('\n')[0] ?? '';
    return noGpuResult(ctx, `nvidia-smi found none${why ? ` (${why.slice(0, 200)})` : ''}`);
  }
  await ctx.artifact('nvidia-smi-query-before.csv', before.raw);
  // -q adds what the CSV query cannot say: row-remapping failures and pending remaps.
  let health: NvidiaGpuHealth[] = [];
  try {
    const q = await ctx.runTool('nvidia-smi', ['-q'], { timeoutMs: 120_000, signal: ctx.signal });
    await ctx.artifact('nvidia-smi-q.txt', q.stdout || q.stderr);
    if (q.exitCode === 0) health = parseNvidiaSmiQ(q.stdout);
  } catch (err) {
    throwIfCancelled(err);
    ctx.log.warn('nvidia-smi -q failed or was unreadable', { err: errorText(err) });
  }

  const burnS = Math.max(1, Math.round(p.burnS));
  const burn = await chooseBurn(ctx);
  const timeoutMs = p.timeoutS * 1000;
  const dmonP = ctx.runTool('nvidia-smi', ['dmon', '-s', 'pucvmet', '-d', '1', '-c', String(burnS)], { timeoutMs, signal: ctx.signal });
  let burnRes: ToolResult | null = null;
  let burnError: string | null = null;
  const started = Date.now();
  const ticker = setInterval(() => {
    const el = (Date.now() - started) / 1000;
    ctx.progress({ percent: Math.min(99, (el / burnS) * 100), etaS: Math.max(0, burnS - el), message: burn ? `${burn.tool} burn` : 'sampling only (no burn tool)' });
  }, 1000);
  try {
    if (burn) {
      burnRes = await ctx.runTool(burn.tool, burn.args(burnS), { timeoutMs, signal: ctx.signal });
      await ctx.artifact(`gpu-${burn.tool}.txt`, `exit ${burnRes.exitCode}\n--- stdout ---\n${burnRes.stdout}\n--- stderr ---\n${burnRes.stderr}`);
    }
  } catch (err) {
    throwIfCancelled(err);
    burnError = errorText(err);
  } finally {
    clearInterval(ticker);
  }
  let dmonText = '';
  try {
    const dmon = await dmonP;
    dmonText = dmon.stdout;
    await ctx.artifact('nvidia-smi-dmon.txt', dmon.stdout || dmon.stderr);
  } catch (err) {
    throwIfCancelled(err);
    ctx.log.warn('nvidia-smi dmon failed', { err: errorText(err) });
  }
  const after = await queryGpus(ctx);
  await ctx.artifact('nvidia-smi-query-after.csv', after.raw);

  let peaks: ReturnType<typeof dmonPeaks> = { maxTempC: null, maxEccDbe: null, samples: 0 };
  try {
    if (dmonText.trim()) peaks = dmonPeaks(parseNvidiaSmiDmon(dmonText));
  } catch (err) {
    ctx.log.warn('nvidia-smi dmon output unreadable', { err: errorText(err) });
  }
  const rows = after.rows.length > 0 ? after.rows : before.rows;
  const temps = [...rows.map((r) => r.temperatureC), ...before.rows.map((r) => r.temperatureC), peaks.maxTempC].filter((t): t is number => t !== null);
  const maxTemp = temps.length ? Math.max(...temps) : null;
  const problems = [...eccProblems(rows)];
  if (peaks.maxEccDbe !== null && peaks.maxEccDbe > 0) problems.push(`nvidia-smi dmon saw ${peaks.maxEccDbe} double-bit ECC error(s)`);
  if (maxTemp !== null && maxTemp >= p.maxTempC) problems.push(`GPU temperature reached ${maxTemp} °C (limit ${p.maxTempC} °C)`);
  if (burnRes && burnRes.exitCode !== 0) problems.push(`${burn!.tool} exited ${burnRes.exitCode}`);
  for (const h of health) {
    if (h.remappingFailure) problems.push(`GPU ${h.busId}: row remapping failed (memory cannot be repaired)`);
  }
  const notes = health.filter((h) => h.remappedRowsPending).map((h) => `GPU ${h.busId}: row remapping pending (needs a GPU reset)`);

  const summary = {
    gpus: rows.map((r) => ({ index: r.index, name: r.name, serial: r.serial, uuid: r.uuid, busId: r.busId, temperatureC: r.temperatureC, eccUncorrected: r.eccUncorrectedVolatile, eccMode: r.eccMode })),
    burnTool: burn?.tool ?? null,
    burnS,
    burnExit: burnRes?.exitCode ?? null,
    maxTempC: maxTemp,
    limitC: p.maxTempC,
    dmonSamples: peaks.samples,
    notes,
  };
  // A GPU counts as tested only when a compute burn ran on it to the end; watching an idle GPU tests nothing.
  const untested = !burn ? 'no compute burn tool in this image (neither gpu-burn nor stress-ng --gpu): only the idle GPU was watched' : burnError ? `the burn could not run: ${burnError}` : null;
  const coverage: CoverageEntry[] = rows.map((r) => (untested ? notTested(gpuPart(r), CHECK, untested, true) : tested(gpuPart(r), CHECK, { reason: `${burn!.tool} for ${burnS} s` })));
  const measurements = rows
    .filter((r) => r.temperatureC !== null)
    .map((r) => ({ kind: 'gpu' as const, sensor: `gpu${r.index}/temp`, value: r.temperatureC!, unit: '°C', ts: Date.now() }));
  if (problems.length > 0) return { outcome: 'failed', message: problems.join('; '), summary, coverage, measurements };
  if (burnError) return { outcome: 'error', message: `GPU burn could not run: ${burnError}`, summary, coverage, measurements };
  const how = burn ? `${burn.tool} burn for ${burnS} s exited 0` : `NOT TESTED: no compute burn tool in this image (neither gpu-burn nor stress-ng --gpu), the idle GPU was only watched for ${burnS} s`;
  return {
    outcome: 'passed',
    message: `${rows.length} GPU(s): ${how}; no ECC errors; peak ${maxTemp ?? '?'} °C (limit ${p.maxTempC} °C)${notes.length ? `; ${notes.join('; ')}` : ''}`,
    summary,
    coverage,
    measurements,
  };
}

export const gpuStage: StageModule<'GPU'> = { name: 'GPU', run };
