import { parseNvidiaSmiQ, type NvidiaGpuHealth } from '../parsers/index.ts';
import { errorText } from '../runtime/logger.ts';
import { ToolInfraError, toolExists, type ToolResult } from '../runtime/tool-runner.ts';
import { parseDmonPeaks, queryGpus, type GpuRow } from './gpu-probe.ts';
import type { StageContext, StageModule, StageOutcomeReport } from './stage-types.ts';

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
      if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
    }
  }
  return null;
}

function eccProblems(rows: GpuRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const unc = Math.max(r.eccUncorrectedVolatile ?? 0, r.eccUncorrectedAggregate ?? 0);
    if (unc > 0) out.push(`GPU ${r.index} (${r.name}) has ${unc} uncorrectable ECC error(s)`);
    // The bench's rule is "no ECC errors": corrected ones during a burn are an early sign of failing memory.
    if ((r.eccCorrectedVolatile ?? 0) > 0) out.push(`GPU ${r.index} (${r.name}) corrected ${r.eccCorrectedVolatile} ECC error(s) since the driver loaded`);
  }
  return out;
}

async function run(ctx: StageContext): Promise<StageOutcomeReport> {
  const p = ctx.params.gpu;
  if (!(await toolExists('nvidia-smi'))) {
    return { outcome: 'skipped', message: 'no GPU to test: nvidia-smi is not installed', summary: { gpus: [] } };
  }
  const before = await queryGpus(ctx);
  if (before.exitCode !== 0 || before.rows.length === 0) {
    const why = (before.stderr || before.raw).trim().split('\n')[0] ?? '';
    return { outcome: 'skipped', message: `no GPU to test: nvidia-smi found none${why ? ` (${why.slice(0, 200)})` : ''}`, summary: { gpus: [] } };
  }
  await ctx.artifact('nvidia-smi-query-before.csv', before.raw);
  // -q adds what the CSV query cannot say: row-remapping failures and pending remaps.
  let health: NvidiaGpuHealth[] = [];
  try {
    const q = await ctx.runTool('nvidia-smi', ['-q'], { timeoutMs: 120_000, signal: ctx.signal });
    await ctx.artifact('nvidia-smi-q.txt', q.stdout || q.stderr);
    if (q.exitCode === 0) health = parseNvidiaSmiQ(q.stdout);
  } catch (err) {
    if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
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
    if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
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
    if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
    ctx.log.warn('nvidia-smi dmon failed', { err: errorText(err) });
  }
  const after = await queryGpus(ctx);
  await ctx.artifact('nvidia-smi-query-after.csv', after.raw);

  const peaks = parseDmonPeaks(dmonText);
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
    dmonSamples: peaks.samples,
    notes,
  };
  const measurements = rows
    .filter((r) => r.temperatureC !== null)
    .map((r) => ({ kind: 'gpu' as const, sensor: `gpu${r.index}/temp`, value: r.temperatureC!, unit: '°C', ts: Date.now() }));
  if (problems.length > 0) return { outcome: 'failed', message: problems.join('; '), summary, measurements };
  if (burnError) return { outcome: 'error', message: `GPU burn could not run: ${burnError}`, summary, measurements };
  const how = burn ? `${burn.tool} burn for ${burnS} s exited 0` : `no burn tool in this image (neither gpu-burn nor stress-ng --gpu): sampled for ${burnS} s only`;
  return {
    outcome: 'passed',
    message: `${rows.length} GPU(s): ${how}; no ECC errors; peak ${maxTemp ?? '?'} °C (limit ${p.maxTempC} °C)${notes.length ? `; ${notes.join('; ')}` : ''}`,
    summary,
    measurements,
  };
}

export const gpuStage: StageModule = { name: 'GPU', run };
