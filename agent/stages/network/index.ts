import { readdir, readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../../common/schema/protocol.ts';
import { ParseError } from '../../parsers/index.ts';
import { ToolInfraError } from '../../runtime/tool-runner.ts';
import { notTested, tested, type CoverageEntry, type PartRef } from '../../../common/schema/coverage.ts';
import type { StageSummaryInput } from '../../../common/stages/index.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { parseIperf3Json } from './iperf3.ts';

// Network: iperf3 from each connected NIC to the orchestrator's iperf3 server.
// The floor is a profile fraction of the NIC's negotiated link speed (TCP
// goodput never reaches line rate); NICs that do not report a speed (virtual
// ones) are held to the profile's assumed speed. iperf3 -J exits 0 even when it
// could not connect, so its JSON "error" is an infrastructure error.

export interface NicInfo {
  name: string;
  mac: string | null;
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

/** A NIC that cannot be tested, and why (no link, no address). */
export interface IdleNic {
  name: string;
  mac: string | null;
  reason: string;
}

/**
 * The host's NICs, split into those iperf3 can use (up, with carrier and an IPv4
 * address) and those it cannot, with the reason; physical NICs are preferred
 * when there are any, so bridges and virtual links do not count.
 */
export async function nicsForTest(sysRoot: string): Promise<{ connected: NicInfo[]; idle: IdleNic[] }> {
  const ifaces = networkInterfaces();
  const read = (p: string) => readFile(p, 'utf8').then((t) => t.trim(), () => null);
  const names = await readdir(join(sysRoot, 'class', 'net')).catch(() => Object.keys(ifaces));
  const all: ((NicInfo & { ok: true }) | (IdleNic & { ok: false }))[] = [];
  const physicalNames = new Set<string>();
  for (const name of names.sort()) {
    if (name === 'lo') continue;
    const dir = join(sysRoot, 'class', 'net', name);
    if (await readdir(join(dir, 'device')).then(() => true, () => false)) physicalNames.add(name);
    const mac = await read(join(dir, 'address'));
    const carrier = await read(join(dir, 'carrier'));
    if (carrier !== null && carrier !== '1') {
      all.push({ ok: false, name, mac, reason: 'no link (no cable, or the switch port is down)' });
      continue;
    }
    const v4 = (ifaces[name] ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (!v4) {
      all.push({ ok: false, name, mac, reason: 'no IPv4 address (DHCP gave none)' });
      continue;
    }
    all.push({ ok: true, name, mac, address: v4.address, speedMbps: parseLinkSpeed(await read(join(dir, 'speed'))) });
  }
  const chosen = physicalNames.size > 0 ? all.filter((n) => physicalNames.has(n.name)) : all;
  return {
    connected: chosen.flatMap((n) => (n.ok ? [{ name: n.name, mac: n.mac, address: n.address, speedMbps: n.speedMbps }] : [])),
    idle: chosen.flatMap((n) => (n.ok ? [] : [{ name: n.name, mac: n.mac, reason: n.reason }])),
  };
}

const CHECK = 'iperf3 throughput';

function nicPart(n: { name: string; mac: string | null }): PartRef {
  return { kind: 'nic', id: n.mac ?? n.name, label: n.mac ? `${n.name} (${n.mac})` : n.name };
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'Network'>> {
  const iperf = ctx.welcome.iperf;
  const p = ctx.params.network;
  if (!iperf) {
    const why = 'the orchestrator offered no iperf3 server to test against';
    return { outcome: 'error', message: why, summary: { infraError: 'no-iperf-server', problems: [why] }, coverage: [notTested({ kind: 'nic', id: 'nics', label: 'network cards' }, CHECK, why, true)] };
  }

  // Against a server on this very machine (self-tests) traffic never leaves it: no card is exercised.
  const loopback = isLoopbackHost(iperf.host);
  const { connected: nics, idle } = loopback ? { connected: [{ name: 'lo', mac: null, address: '', speedMbps: null }], idle: [] } : await nicsForTest(ctx.paths.sysRoot);
  const idleRows = idle.map((n) => ({ nic: n.name, mac: n.mac, address: null, outcome: 'not-tested' as const, linkMbps: null, linkSpeedAssumed: false, floorMbps: null, reason: n.reason }));
  const coverage: CoverageEntry[] = idle.map((n) => notTested(nicPart(n), CHECK, n.reason, false));
  if (nics.length === 0) {
    coverage.push(notTested({ kind: 'nic', id: 'nics', label: 'network cards' }, CHECK, 'no network interface had a link and an IPv4 address', true));
    return { outcome: 'failed', message: 'no connected network interface with an IPv4 address', summary: { nics: idleRows, server: iperf }, coverage };
  }

  const results: StageSummaryInput<'Network'>['nics'] = [];
  const measurements: Sample[] = [];
  for (const nic of nics) {
    const floor = floorMbps(nic.speedMbps, p);
    const args = ['-c', iperf.host, '-p', String(iperf.port), '-t', String(Math.max(1, Math.round(p.durationS))), '-J'];
    // Bind only when there is a choice to make; a lone NIC routes by itself.
    if (nics.length > 1 && nic.address) args.push('-B', nic.address);
    ctx.progress({ item: nic.name, percent: 0, etaS: p.durationS, message: `iperf3 to ${iperf.host}:${iperf.port}` });
    const entry = { nic: nic.name, mac: nic.mac, address: nic.address || null, linkMbps: floor.linkMbps, linkSpeedAssumed: floor.assumed, floorMbps: floor.floorMbps };
    const part = nicPart(nic);
    try {
      const res = await ctx.runTool('iperf3', args, { timeoutMs: p.timeoutS * 1000, signal: ctx.signal });
      await ctx.artifact(`iperf3-${nic.name}.json`, res.stdout || res.stderr);
      const parsed = parseIperf3Json(res.stdout);
      if (parsed.error) {
        results.push({ ...entry, outcome: 'error', reason: `iperf3 error: ${parsed.error}` });
        coverage.push(notTested(part, CHECK, `iperf3 error: ${parsed.error}`, true));
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
      coverage.push(
        loopback
          ? notTested({ kind: 'nic', id: 'lo', label: 'loopback' }, CHECK, 'the iperf3 server is on this machine (loopback): no network card was exercised', false)
          : tested(part, CHECK),
      );
    } catch (err) {
      if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
      if (!(err instanceof ToolInfraError || err instanceof ParseError)) throw err;
      results.push({ ...entry, outcome: 'error', reason: err.message });
      coverage.push(notTested(part, CHECK, err.message, true));
    }
  }
  const failed = results.filter((r) => r.outcome === 'failed');
  const errored = results.filter((r) => r.outcome === 'error');
  const outcome = failed.length > 0 ? 'failed' : errored.length > 0 ? 'error' : 'passed';
  return {
    outcome,
    message: [...results.map((r) => `${r.nic}: ${r.reason}`), ...idle.map((n) => `${n.name}: not tested, ${n.reason}`)].join('; ').slice(0, 4096),
    summary: { nics: [...results, ...idleRows], server: iperf },
    coverage,
    measurements,
  };
}

export const networkStage: StageModule<'Network'> = { name: 'Network', run };
