import { readdir, readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../common/schema/protocol.ts';
import { parseIperf3Json, ParseError } from '../parsers/index.ts';
import { ToolInfraError } from '../runtime/tool-runner.ts';
import type { StageContext, StageModule, StageOutcomeReport } from './stage-types.ts';

// Network: iperf3 from each connected NIC to the orchestrator's iperf3 server.
// The floor is a profile fraction of the NIC's negotiated link speed (TCP
// goodput never reaches line rate); NICs that do not report a speed (virtual
// ones) are held to the profile's assumed speed. iperf3 -J exits 0 even when it
// could not connect, so its JSON "error" is an infrastructure error.

export interface NicInfo {
  name: string;
  address: string;
  /** Negotiated link speed from sysfs, Mbit/s; null when the NIC does not say. */
  speedMbps: number | null;
}

/** sysfs speed: Mbit/s, or -1 / unreadable for virtual and link-down NICs. */
export function parseLinkSpeed(text: string | null): number | null {
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n > 0 ? n : null;
}

export function floorMbps(speedMbps: number | null, p: { floorFraction: number; assumedLinkMbps: number }): { floorMbps: number; linkMbps: number; assumed: boolean } {
  const assumed = speedMbps === null;
  const linkMbps = speedMbps ?? p.assumedLinkMbps;
  return { floorMbps: linkMbps * p.floorFraction, linkMbps, assumed };
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Connected NICs: up, with carrier and an IPv4 address; physical ones preferred. */
export async function connectedNics(sysRoot: string): Promise<NicInfo[]> {
  const ifaces = networkInterfaces();
  const read = (p: string) => readFile(p, 'utf8').then((t) => t.trim(), () => null);
  const names = await readdir(join(sysRoot, 'class', 'net')).catch(() => Object.keys(ifaces));
  const all: (NicInfo & { physical: boolean })[] = [];
  for (const name of names.sort()) {
    if (name === 'lo') continue;
    const v4 = (ifaces[name] ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (!v4) continue;
    const dir = join(sysRoot, 'class', 'net', name);
    const carrier = await read(join(dir, 'carrier'));
    if (carrier !== null && carrier !== '1') continue;
    const physical = await readdir(join(dir, 'device')).then(() => true, () => false);
    all.push({ name, address: v4.address, speedMbps: parseLinkSpeed(await read(join(dir, 'speed'))), physical });
  }
  const physical = all.filter((n) => n.physical);
  return (physical.length > 0 ? physical : all).map(({ physical: _p, ...n }) => n);
}

async function run(ctx: StageContext): Promise<StageOutcomeReport> {
  const iperf = ctx.welcome.iperf;
  const p = ctx.params.network;
  if (!iperf) return { outcome: 'error', message: 'the orchestrator offered no iperf3 server to test against', summary: {} };

  let nics: NicInfo[];
  if (isLoopbackHost(iperf.host)) nics = [{ name: 'lo', address: '', speedMbps: null }];
  else nics = await connectedNics(ctx.paths.sysRoot);
  if (nics.length === 0) return { outcome: 'failed', message: 'no connected network interface with an IPv4 address', summary: { nics: [] } };

  const results: ({ nic: string; outcome: 'passed' | 'failed' | 'error'; reason: string } & Record<string, unknown>)[] = [];
  const measurements: Sample[] = [];
  for (const nic of nics) {
    const floor = floorMbps(nic.speedMbps, p);
    const args = ['-c', iperf.host, '-p', String(iperf.port), '-t', String(Math.max(1, Math.round(p.durationS))), '-J'];
    // Bind only when there is a choice to make; a lone NIC routes by itself.
    if (nics.length > 1 && nic.address) args.push('-B', nic.address);
    ctx.progress({ item: nic.name, percent: 0, etaS: p.durationS, message: `iperf3 to ${iperf.host}:${iperf.port}` });
    const entry = { nic: nic.name, address: nic.address || null, linkMbps: floor.linkMbps, linkSpeedAssumed: floor.assumed, floorMbps: floor.floorMbps };
    try {
      const res = await ctx.runTool('iperf3', args, { timeoutMs: p.timeoutS * 1000, signal: ctx.signal });
      await ctx.artifact(`iperf3-${nic.name}.json`, res.stdout || res.stderr);
      const parsed = parseIperf3Json(res.stdout);
      if (parsed.error) {
        results.push({ ...entry, outcome: 'error', reason: `iperf3 error: ${parsed.error}` });
        continue;
      }
      const mbps = (parsed.receivedBps ?? parsed.sentBps ?? 0) / 1e6;
      measurements.push({ kind: 'network', sensor: `${nic.name}/goodput`, value: mbps, unit: 'Mbit/s', ts: Date.now() });
      const ok = mbps >= floor.floorMbps;
      results.push({
        ...entry,
        outcome: ok ? 'passed' : 'failed',
        goodputMbps: mbps,
        retransmits: parsed.retransmits,
        reason: `${mbps.toFixed(1)} Mbit/s ${ok ? '≥' : '<'} floor ${floor.floorMbps.toFixed(1)} Mbit/s (${p.floorFraction} × ${floor.linkMbps} Mbit/s${floor.assumed ? ' assumed' : ''} link)`,
      });
      ctx.progress({ item: nic.name, percent: 100, message: `${mbps.toFixed(1)} Mbit/s` });
    } catch (err) {
      if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
      if (!(err instanceof ToolInfraError || err instanceof ParseError)) throw err;
      results.push({ ...entry, outcome: 'error', reason: err.message });
    }
  }
  const failed = results.filter((r) => r.outcome === 'failed');
  const errored = results.filter((r) => r.outcome === 'error');
  const outcome = failed.length > 0 ? 'failed' : errored.length > 0 ? 'error' : 'passed';
  return {
    outcome,
    message: results.map((r) => `${r.nic}: ${r.reason}`).join('; ').slice(0, 4096),
    summary: { nics: results, server: iperf },
    measurements,
  };
}

export const networkStage: StageModule = { name: 'Network', run };
