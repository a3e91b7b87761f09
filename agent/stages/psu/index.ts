import { mkdir, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../../common/schema/protocol.ts';
import { readBmcPowerSamples } from '../../sensors/bmc-power.ts';
import { readPowerRails } from '../../sensors/hwmon.ts';
import { errorText } from '../../runtime/logger.ts';
import { throwIfCancelled, toolExists, type ToolResult } from '../../runtime/tool-runner.ts';
import { bmcAccess } from '../bmc/read.ts';
import { notTested, tested, type CoverageEntry } from '../../../common/schema/coverage.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { sleepUnlessAborted } from '../../runtime/sleep.ts';

// PSU: read hwmon voltages (in*_input) and power (power*_average) at idle,
// then during a burst of CPU + disk + network load, and fail if any voltage
// rail sags more than the profile's fraction below its idle value. Power
// readings are recorded (the envelope) but rise under load by design, so only
// voltages are judged. Where hwmon shows no voltage or power sensor (most
// servers: their rails are wired to the BMC), the BMC's own sensors are read
// instead (ipmitool sdr elist). A host with neither is not tested, and says so.

export interface RailDip {
  sensor: string;
  idle: number;
  min: number;
  dipFraction: number;
}

/** Idle value per voltage rail: the mean of the idle samples. */
export function idleBaseline(samples: readonly Sample[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const s of samples) {
    if (s.unit !== 'V') continue;
    const e = sums.get(s.sensor) ?? { sum: 0, n: 0 };
    e.sum += s.value;
    e.n += 1;
    sums.set(s.sensor, e);
  }
  return new Map([...sums].map(([k, v]) => [k, v.sum / v.n]));
}

/** Every rail's idle value and its lowest value under load (the envelope the report shows). */
export function railEnvelopes(baseline: Map<string, number>, loaded: readonly Sample[]): RailDip[] {
  const mins = new Map<string, number>();
  for (const s of loaded) {
    if (s.unit !== 'V' || !baseline.has(s.sensor)) continue;
    mins.set(s.sensor, Math.min(mins.get(s.sensor) ?? Number.POSITIVE_INFINITY, s.value));
  }
  const rails: RailDip[] = [];
  for (const [sensor, min] of mins) {
    const idle = baseline.get(sensor)!;
    if (idle <= 0) continue; // a rail reading 0 V at idle tells nothing about sag
    rails.push({ sensor, idle, min, dipFraction: (idle - min) / idle });
  }
  return rails;
}

/** Rails whose lowest loaded value is more than maxDipFraction below idle. */
export function findDips(baseline: Map<string, number>, loaded: readonly Sample[], maxDipFraction: number): RailDip[] {
  return railEnvelopes(baseline, loaded).filter((r) => r.dipFraction > maxDipFraction);
}

const IDLE_SAMPLES = 3;

const CHECK = 'voltage under load';

/** Where the rails are read: hwmon, else the BMC's sensors; null when neither shows one (and why). */
async function telemetrySource(ctx: StageContext): Promise<{ source: 'hwmon' | 'bmc'; read: () => Promise<Sample[]> } | { source: null; why: string }> {
  const root = ctx.paths.sysfsRoot;
  if ((await readPowerRails(root)).length > 0) return { source: 'hwmon', read: () => readPowerRails(root) };
  const reach = await bmcAccess(ctx);
  if (!reach.ok) return { source: null, why: `this host exposes no voltage or power sensor through hwmon, and ${reach.why.replace(/^this host has no BMC/, 'it has no BMC')}` };
  if (!(await toolExists('ipmitool'))) return { source: null, why: 'this host exposes no voltage or power sensor through hwmon, and ipmitool (to read the BMC\'s) is not installed' };
  const read = async (): Promise<Sample[]> => {
    try {
      return await readBmcPowerSamples(ctx.runTool, { timeoutMs: ctx.params.bmc.toolTimeoutS * 1000, signal: ctx.signal });
    } catch (err) {
      throwIfCancelled(err);
      ctx.log.warn(`PSU: reading the BMC's sensors failed: ${errorText(err)}`);
      return [];
    }
  };
  if ((await read()).length > 0) return { source: 'bmc', read };
  return { source: null, why: 'this host exposes no voltage or power sensor, neither through hwmon nor among its BMC\'s sensors' };
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'PSU'>> {
  const p = ctx.params.psu;
  const telemetry = await telemetrySource(ctx);
  const idle: Sample[] = [];
  if (telemetry.source !== null) {
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      idle.push(...(await telemetry.read()));
      if (i < IDLE_SAMPLES - 1) await sleepUnlessAborted(Math.min(p.sampleIntervalMs, 500), ctx.signal);
    }
  }
  if (telemetry.source === null || idle.length === 0) {
    const why = `${telemetry.source === null ? telemetry.why : 'no reading came back'}, so nothing could be measured`;
    return {
      outcome: 'skipped',
      message: `PSU not tested: ${why}`,
      summary: { telemetry: false },
      coverage: [notTested({ kind: 'psu', id: 'psu', label: 'power supplies' }, CHECK, why, false)],
    };
  }
  const baseline = idleBaseline(idle);

  // The burst: every load runs for burstS; a failing load is noted, not fatal.
  await mkdir(ctx.paths.workDir, { recursive: true });
  const scratch = join(ctx.paths.workDir, `psu-scratch-${process.pid}.bin`);
  const burst = Math.max(1, Math.round(p.burstS));
  const timeoutMs = (burst * 3 + 60) * 1000;
  const loads: Promise<{ name: string; result?: ToolResult; error?: string }>[] = [];
  const start = (name: string, tool: string, args: string[]) =>
    loads.push(
      ctx.runTool(tool, args, { timeoutMs, signal: ctx.signal }).then(
        (result) => ({ name, result }),
        (err: unknown) => {
          throwIfCancelled(err);
          return { name, error: errorText(err) };
        },
      ),
    );
  start('cpu', 'stress-ng', ['--cpu', String(cpus().length), '-t', `${burst}s`]);
  // Buffered I/O on a scratch file: tmpfs (the live image's /tmp) has no O_DIRECT.
  start('disk', 'fio', ['--name=psu-burst', `--filename=${scratch}`, '--rw=randrw', '--bs=64k', '--size=32M', '--ioengine=psync', `--runtime=${burst}`, '--time_based', '--output-format=json']);
  const iperf = ctx.welcome.iperf;
  if (iperf) start('network', 'iperf3', ['-c', iperf.host, '-p', String(iperf.port), '-t', String(burst), '-J']);

  const loaded: Sample[] = [];
  let settled = false;
  const all = Promise.all(loads).finally(() => {
    settled = true;
  });
  const startedAt = Date.now();
  while (!settled) {
    loaded.push(...(await telemetry.read()));
    const elapsed = (Date.now() - startedAt) / 1000;
    ctx.progress({ percent: Math.min(99, (elapsed / burst) * 100), etaS: Math.max(0, burst - elapsed), message: 'PSU load burst' });
    await Promise.race([sleepUnlessAborted(p.sampleIntervalMs, ctx.signal), all.catch(() => undefined)]);
  }
  loaded.push(...(await telemetry.read()));
  const loadResults = await all;
  await rm(scratch, { force: true });

  const loadSummary = loadResults.map((l) => ({
    load: l.name,
    ok: !l.error && l.result?.exitCode === 0,
    detail: l.error ?? (l.result ? `exit ${l.result.exitCode}` : ''),
  }));
  const dips = findDips(baseline, loaded, p.maxDipFraction);
  const measurements = [...idle, ...loaded];
  const rails = railEnvelopes(baseline, loaded);
  const summary = {
    telemetry: true,
    source: telemetry.source,
    sensors: new Set(measurements.map((s) => s.sensor)).size,
    rails: rails.map((r) => ({ sensor: r.sensor, idleV: r.idle, minV: r.min, dipFraction: r.dipFraction, maxDipFraction: p.maxDipFraction })),
    loads: loadSummary,
  };
  const notRun = loadSummary.filter((l) => !l.ok).map((l) => `${l.load} load ${l.detail}`);
  const loadApplied = loadSummary.some((l) => l.ok);
  const coverage: CoverageEntry[] = rails.map((r) =>
    loadApplied ? tested({ kind: 'psu', id: r.sensor, label: `rail ${r.sensor}` }, CHECK) : notTested({ kind: 'psu', id: r.sensor, label: `rail ${r.sensor}` }, CHECK, `no load could be applied: ${notRun.join('; ')}`, true),
  );
  if (rails.length === 0) coverage.push(notTested({ kind: 'psu', id: 'psu', label: 'power supplies' }, CHECK, 'only power readings, no voltage rail: a sag cannot be judged', false));
  if (dips.length > 0) {
    const text = dips.map((d) => `${d.sensor} fell from ${d.idle.toFixed(3)} V to ${d.min.toFixed(3)} V (${(d.dipFraction * 100).toFixed(1)}%)`).join('; ');
    return { outcome: 'failed', message: `voltage sag under load beyond ${(p.maxDipFraction * 100).toFixed(1)}%: ${text}`, summary, coverage, measurements };
  }
  if (!loadApplied) {
    return { outcome: 'error', message: `no load could be applied: ${notRun.join('; ')}`, summary, coverage, measurements };
  }
  return {
    outcome: 'passed',
    message: `${summary.rails.length} rail(s) stayed within ${(p.maxDipFraction * 100).toFixed(1)}% of idle over a ${burst} s burst${notRun.length ? ` (not applied: ${notRun.join('; ')})` : ''}`.slice(0, 4096),
    summary,
    coverage,
    measurements,
  };
}

export const psuStage: StageModule<'PSU'> = { name: 'PSU', run };
