import { readdir, readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../../common/schema/protocol.ts';
import { ParseError } from '../../parsers/index.ts';
import { ToolInfraError, throwIfCancelled } from '../../runtime/tool-runner.ts';
import { notTested, tested, type CoverageEntry, type PartRef } from '../../../common/schema/coverage.ts';
import type { StageSummaryInput } from '../../../common/stages/index.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { counterClass, counterGrowth, judgeLink, parseEthtoolLink, parseEthtoolStats, type CounterGrowth, type EthtoolLink } from './ethtool.ts';
import { parseIperf3Json, type Iperf3Result } from './iperf3.ts';
import { readNetStatistics } from './net-statistics.ts';

// Network: iperf3 from each connected NIC to the orchestrator's iperf3 server,
// with several parallel streams. The floor is a profile fraction of the NIC's
// negotiated link speed (TCP goodput never reaches line rate); NICs that do not
// report a speed (virtual ones) are held to the profile's assumed speed. iperf3
// -J exits 0 even when it could not connect, so its JSON "error" is an
// infrastructure error. Around each iperf3 the stage reads the link (ethtool:
// negotiated speed and duplex against what both ends support) and the error
// counters (ethtool -S and the kernel's statistics): a link below what both
// ends offer, half duplex, or an error counter that grew beyond its allowance
// while traffic ran fails the NIC and names the counter.

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
const LINK_CHECK = 'link speed and error counters';
/** iperf3 -s serves one test at a time and answers others "the server is busy"; wait this long between tries. */
const BUSY_RETRY_MS = 3000;

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
  const grown: NonNullable<StageSummaryInput<'Network'>['counters']> = [];
  const measurements: Sample[] = [];
  for (const nic of nics) {
    const floor = floorMbps(nic.speedMbps, p);
    const args = ['-c', iperf.host, '-p', String(iperf.port), '-t', String(Math.max(1, Math.round(p.durationS))), '-P', String(p.streams), '-J'];
    // Bind only when there is a choice to make; a lone NIC routes by itself.
    if (nics.length > 1 && nic.address) args.push('-B', nic.address);
    ctx.progress({ item: nic.name, percent: 0, etaS: p.durationS, message: `iperf3 to ${iperf.host}:${iperf.port}` });
    const entry = { nic: nic.name, mac: nic.mac, address: nic.address || null, linkMbps: floor.linkMbps, linkSpeedAssumed: floor.assumed, floorMbps: floor.floorMbps, streams: p.streams };
    const part = nicPart(nic);
    // Traffic to a server on this very machine never reaches a card: no link or counters to judge.
    const health = loopback ? null : await nicHealthBefore(ctx, nic.name);
    try {
      const res = await iperfUntilServed(ctx, args, p.timeoutS);
      await ctx.artifact(`iperf3-${nic.name}.json`, res.stdout || res.stderr);
      const parsed = parseIperf3Json(res.stdout);
      if (parsed.error) {
        results.push({ ...entry, outcome: 'error', reason: `iperf3 error: ${parsed.error}` });
        coverage.push(notTested(part, CHECK, `iperf3 error: ${parsed.error}`, true));
        continue;
      }
      const judged = health ? await nicHealthAfter(ctx, nic.name, health, p) : null;
      const mbps = goodputMbps(parsed);
      measurements.push({ kind: 'network', sensor: `${nic.name}/goodput`, value: mbps, unit: 'Mbit/s', ts: Date.now() });
      const ok = mbps >= floor.floorMbps;
      const faults = judged?.faults ?? [];
      const floorText = `${mbps.toFixed(1)} Mbit/s ${ok ? '≥' : '<'} floor ${floor.floorMbps.toFixed(1)} Mbit/s (${p.floorFraction} × ${floor.linkMbps} Mbit/s${floor.assumed ? ' assumed' : ''} link, ${p.streams} stream(s))`;
      results.push({
        ...entry,
        outcome: ok && faults.length === 0 ? 'passed' : 'failed',
        goodputMbps: mbps,
        retransmits: parsed.retransmits,
        ...(judged ? judged.row : {}),
        reason: [floorText, ...faults, ...(judged?.notes ?? [])].join('; ').slice(0, 1000),
      });
      if (judged) grown.push(...judged.grown.map((g) => ({ nic: nic.name, ...g })));
      ctx.progress({ item: nic.name, percent: 100, message: `${mbps.toFixed(1)} Mbit/s` });
      if (loopback) {
        coverage.push(notTested({ kind: 'nic', id: 'lo', label: 'loopback' }, CHECK, 'the iperf3 server is on this machine (loopback): no network card was exercised', false));
      } else {
        coverage.push(tested(part, CHECK));
        coverage.push(judged?.coverage(part) ?? notTested(part, LINK_CHECK, 'the link could not be read', false));
      }
    } catch (err) {
      throwIfCancelled(err);
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
    summary: { nics: [...results, ...idleRows], ...(grown.length ? { counters: grown } : {}), server: iperf },
    coverage,
    measurements,
  };
}

/** Receiver-side goodput summed over the streams (the figure to hold against the floor). */
function goodputMbps(r: Iperf3Result): number {
  return (r.receivedBps ?? r.sentBps ?? 0) / 1e6;
}

/**
 * iperf3 until the server takes the test: a bench server serves one test at a
 * time, and another host's test (or a late one from a retried stage) makes it
 * answer "busy". Waits and tries again within the NIC's timeout.
 */
async function iperfUntilServed(ctx: StageContext, args: string[], timeoutS: number) {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const left = Math.max(1000, deadline - Date.now());
    const res = await ctx.runTool('iperf3', args, { timeoutMs: left, signal: ctx.signal });
    if (!/server is busy/i.test(res.stdout) || Date.now() + BUSY_RETRY_MS >= deadline) return res;
    ctx.log.info('iperf3 server busy; trying again', { args: args.slice(0, 4) });
    await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
    if (ctx.signal.aborted) return res;
  }
}

interface HealthBefore {
  link: EthtoolLink | null;
  linkProblem: string | null;
  counters: Map<string, number>;
  /** Where counters came from (ethtool -S, statistics/), for the coverage reason. */
  sources: string[];
}

/** ethtool, ethtool -S and the kernel's statistics before traffic; what cannot be read is said, not fatal. */
async function nicHealthBefore(ctx: StageContext, nic: string): Promise<HealthBefore> {
  let link: EthtoolLink | null = null;
  let linkProblem: string | null = null;
  try {
    const res = await ctx.runTool('ethtool', [nic], { timeoutMs: 30_000, signal: ctx.signal });
    await ctx.artifact(`ethtool-${nic}.txt`, `${res.stdout}${res.stderr}`);
    link = res.exitCode === 0 ? parseEthtoolLink(res.stdout) : null;
    if (!link) linkProblem = `ethtool ${nic} exited ${res.exitCode}: ${res.stderr.trim().split('\n')[0] ?? ''}`.trim();
  } catch (err) {
    throwIfCancelled(err);
    if (!(err instanceof ToolInfraError || err instanceof ParseError)) throw err;
    linkProblem = err.message;
  }
  const { counters, sources } = await readCounters(ctx, nic, 'before');
  return { link, linkProblem, counters, sources };
}

async function readCounters(ctx: StageContext, nic: string, when: 'before' | 'after'): Promise<{ counters: Map<string, number>; sources: string[] }> {
  const counters = new Map<string, number>();
  const sources: string[] = [];
  try {
    const res = await ctx.runTool('ethtool', ['-S', nic], { timeoutMs: 30_000, signal: ctx.signal });
    await ctx.artifact(`ethtool-S-${nic}-${when}.txt`, `${res.stdout}${res.stderr}`);
    // Exit 94 with "no stats available": the driver keeps none of its own.
    if (res.exitCode === 0) {
      for (const [k, v] of parseEthtoolStats(res.stdout)) counters.set(k, v);
      sources.push('ethtool -S');
    }
  } catch (err) {
    throwIfCancelled(err);
    if (!(err instanceof ToolInfraError || err instanceof ParseError)) throw err;
  }
  const kernel = await readNetStatistics(ctx.paths.sysfsRoot, nic);
  if (kernel && kernel.size > 0) {
    for (const [k, v] of kernel) counters.set(k, v);
    sources.push('kernel statistics');
  }
  return { counters, sources };
}

/** The link's judgement and the counters' growth once traffic has run. */
async function nicHealthAfter(ctx: StageContext, nic: string, before: HealthBefore, p: StageContext['params']['network']) {
  const after = await readCounters(ctx, nic, 'after');
  const allGrown: CounterGrowth[] = counterGrowth(before.counters, after.counters);
  const limitOf = (g: CounterGrowth) => (g.class === 'error' ? p.maxErrorCounterGrowth : p.maxDropCounterGrowth);
  const over = allGrown.filter((g) => g.growth > limitOf(g));
  const judged = before.link ? judgeLink(before.link) : null;
  const faults = [
    ...(judged?.faults ?? []),
    ...over.map((g) => `${g.counter} grew by ${g.growth} during iperf3 (allowed ${limitOf(g)})`),
  ];
  const errorCounters = [...before.counters.keys()].filter((k) => after.counters.has(k) && counterClass(k) !== null).length;
  const readable = before.link !== null || errorCounters > 0;
  return {
    faults,
    notes: [...(judged?.notes ?? []), ...(before.linkProblem ? [`link not read: ${before.linkProblem}`] : [])],
    grown: allGrown.map((g) => ({ counter: g.counter, class: g.class, before: g.before, after: g.after, growth: g.growth, limit: limitOf(g) })),
    row: {
      negotiatedMbps: before.link?.speedMbps ?? null,
      fastestMbps: judged?.fastestMbps ?? null,
      bestCommonMbps: judged?.bestCommonMbps ?? null,
      duplex: before.link?.duplex ?? null,
      errorCounters,
    },
    coverage: (part: PartRef): CoverageEntry =>
      readable
        ? tested(part, LINK_CHECK, { reason: `${before.link ? 'ethtool link' : 'no ethtool link'}; ${errorCounters} counter(s) from ${after.sources.join(' and ') || 'nowhere'}` })
        : notTested(part, LINK_CHECK, before.linkProblem ?? 'the NIC exposes neither its link settings nor error counters', false),
  };
}

export const networkStage: StageModule<'Network'> = { name: 'Network', run };
