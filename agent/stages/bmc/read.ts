import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { selCriticality } from '../../../common/bmc-events.ts';
import type { BmcSnapshot, SdrSensor, SelRecord } from '../../../common/stages/bmc.ts';
import { parseSdrElist, parseSelElist, parseSelTime, type SdrReading, type SelEntry } from '../../parsers/ipmitool.ts';
import { errorText } from '../../runtime/logger.ts';
import { throwIfCancelled, toolExists } from '../../runtime/tool-runner.ts';
import type { StageContext } from '../types.ts';
import { sleepUnlessAborted } from '../../runtime/sleep.ts';

// Reaching the host's BMC in band and reading it. The kernel exposes a BMC as /dev/ipmi0
// once ipmi_si (the KCS/SMIC/BT system interface) and ipmi_devintf (the device node) are
// loaded. The live image loads drivers by modalias, which ipmi_devintf has none of, so when
// the node is missing but the firmware declares a BMC (an SMBIOS type 38 "IPMI Device"
// record, or the ACPI IPI0001 device) both modules are loaded here. Without such a
// declaration nothing is probed: the host has no BMC to read.
//
// A snapshot reads the SDR first and the SEL last, and the BMC's clock right after the SEL,
// so the clock and the log are read within a moment of each other (the orchestrator places
// the log's records in time from that pair).

/** Where ipmitool looks for the device node (its open interface, device 0). */
const DEVICE_NODES = ['/dev/ipmi0', '/dev/ipmi/0', '/dev/ipmidev/0'];

export type BmcAccess = { ok: true; device: string; loaded: string[] } | { ok: false; why: string };

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function firstNode(nodes: readonly string[]): Promise<string | null> {
  for (const n of nodes) if (await exists(n)) return n;
  return null;
}

/** What the firmware says about a BMC: the SMBIOS record or ACPI device naming one, or null. */
export async function firmwareDeclaresBmc(sysRoot: string): Promise<string | null> {
  if (await exists(join(sysRoot, 'firmware', 'dmi', 'entries', '38-0'))) return 'SMBIOS type 38 (IPMI Device Information)';
  if (await exists(join(sysRoot, 'bus', 'acpi', 'devices', 'IPI0001:00'))) return 'ACPI device IPI0001';
  return null;
}

/** Finds /dev/ipmi0, loading the IPMI drivers when the firmware declares a BMC. `nodes` is for tests. */
export async function bmcAccess(ctx: Pick<StageContext, 'runTool' | 'signal' | 'paths'>, nodes: readonly string[] = DEVICE_NODES): Promise<BmcAccess> {
  const present = await firstNode(nodes);
  if (present) return { ok: true, device: present, loaded: [] };
  const declared = await firmwareDeclaresBmc(ctx.paths.sysRoot);
  if (!declared) return { ok: false, why: 'this host has no BMC: /dev/ipmi0 does not exist and the firmware declares no IPMI device (no SMBIOS type 38 record, no ACPI IPI0001)' };
  const loaded: string[] = [];
  const problems: string[] = [];
  for (const mod of ['ipmi_devintf', 'ipmi_si']) {
    try {
      const res = await ctx.runTool('modprobe', [mod], { timeoutMs: 60_000, signal: ctx.signal });
      if (res.exitCode === 0) loaded.push(mod);
      else problems.push(`modprobe ${mod}: exit ${res.exitCode} ${res.stderr.trim().slice(0, 200)}`);
    } catch (err) {
      throwIfCancelled(err);
      problems.push(`modprobe ${mod}: ${errorText(err)}`);
    }
  }
  // devtmpfs creates the node once ipmi_si has found the interface.
  for (let i = 0; i < 20 && !ctx.signal.aborted; i++) {
    const node = await firstNode(nodes);
    if (node) return { ok: true, device: node, loaded };
    await sleepUnlessAborted(500, ctx.signal);
  }
  return { ok: false, why: `the firmware declares a BMC (${declared}) but /dev/ipmi0 did not appear after loading ipmi_devintf and ipmi_si${problems.length ? ` (${problems.join('; ')})` : ''}` };
}

export function selRecord(e: SelEntry): SelRecord {
  return {
    id: e.id,
    when: e.when.slice(0, 64),
    bmcTime: e.bmcTime,
    sensorType: e.sensorType,
    sensor: e.sensor.slice(0, 200),
    event: e.event.slice(0, 500),
    direction: e.direction,
    detail: e.detail?.slice(0, 500) ?? null,
    critical: selCriticality(e) !== null,
  };
}

export function sdrSensor(r: SdrReading): SdrSensor {
  return { name: r.name.slice(0, 64), sensorId: r.sensorId, status: r.status.slice(0, 16), value: r.value, unit: r.unit?.slice(0, 32) ?? null, reading: r.reading.slice(0, 200) };
}

/** The tools' outputs as one snapshot; a part that could not be read (null) is named in problems. */
export function snapshotFrom(out: { sdr: string | null; sel: string | null; selStderr?: string; time: string | null }, problems: string[] = []): BmcSnapshot {
  const snap: BmcSnapshot = { present: true, problems: [...problems] };
  const attempt = <T>(what: string, text: string | null, fn: (t: string) => T): T | undefined => {
    if (text === null) return undefined;
    try {
      return fn(text);
    } catch (err) {
      snap.problems!.push(`${what}: ${errorText(err)}`.slice(0, 1000));
      return undefined;
    }
  };
  const sdr = attempt('sdr elist', out.sdr, parseSdrElist);
  if (sdr) snap.sdr = sdr.slice(0, 2048).map(sdrSensor);
  const sel = attempt('sel elist', out.sel, (t) => parseSelElist(t, out.selStderr ?? ''));
  if (sel) {
    snap.selRecords = sel.length;
    snap.sel = sel.slice(-4096).map(selRecord);
  }
  const clockTime = attempt('sel time get', out.time, parseSelTime);
  snap.clock = out.time?.trim().split('\n')[0]?.slice(0, 64) ?? null;
  snap.clockTime = clockTime ?? null;
  if (snap.problems!.length === 0) delete snap.problems;
  else snap.problems = snap.problems!.slice(0, 20);
  return snap;
}

/**
 * Reads the BMC's SDR, SEL and clock (in that order). ipmitool runs with TZ=UTC so its
 * timestamps read the same way everywhere. Never throws but for cancellation: a BMC that
 * cannot be reached is a snapshot with `present: false` and the reason.
 */
export async function readBmcSnapshot(ctx: Pick<StageContext, 'runTool' | 'signal' | 'paths' | 'artifact'>, opts: { timeoutMs: number; artifactPrefix: string }): Promise<BmcSnapshot> {
  const reach = await bmcAccess(ctx);
  if (!reach.ok) return { present: false, why: reach.why };
  if (!(await toolExists('ipmitool'))) return { present: false, why: `the host has a BMC (${reach.device}) but ipmitool is not installed (Debian package ipmitool)` };
  const problems: string[] = [];
  const stderrOf: Record<string, string> = {};
  const ipmitool = async (what: string, args: string[]): Promise<string | null> => {
    try {
      const res = await ctx.runTool('ipmitool', ['-I', 'open', ...args], { timeoutMs: opts.timeoutMs, signal: ctx.signal, env: { TZ: 'UTC' } });
      await ctx.artifact(`${opts.artifactPrefix}-${what.replace(/\s+/g, '-')}.txt`, `$ ipmitool -I open ${args.join(' ')}\n# exit ${res.exitCode}\n${res.stdout}${res.stderr ? `\n# stderr\n${res.stderr}` : ''}`);
      stderrOf[what] = res.stderr;
      if (res.exitCode !== 0) {
        problems.push(`ipmitool ${what}: exit ${res.exitCode}: ${res.stderr.replace(/IANA PEN registry open failed[^\n]*\n?/g, '').trim().slice(0, 300)}`);
        return null;
      }
      return res.stdout;
    } catch (err) {
      throwIfCancelled(err);
      problems.push(`ipmitool ${what}: ${errorText(err)}`);
      return null;
    }
  };
  const sdr = await ipmitool('sdr elist', ['sdr', 'elist']);
  const sel = await ipmitool('sel elist', ['sel', 'elist']);
  const time = await ipmitool('sel time get', ['sel', 'time', 'get']);
  if (sdr === null && sel === null) return { present: false, why: `the BMC at ${reach.device} did not answer: ${problems.join('; ')}`.slice(0, 1000) };
  return snapshotFrom({ sdr, sel, selStderr: stderrOf['sel elist'] ?? '', time }, problems);
}
