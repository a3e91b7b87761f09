import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { blkidToSignatures, parseBlkidExport } from './parsers/blkid.ts';
import { describeBlueStoreLabel, describeOffset, findBlueStoreLabels, readDevice, type ReadAt } from './bluestore-label.ts';
import { describeSignatures, parseWipefsEntries, type Signature } from './parsers/wipefs.ts';
import { throwIfCancelled, type ToolRunner } from '../../runtime/tool-runner.ts';

// The wipe-probe: before anything is written, look for data on the disk. Any
// filesystem, partition table, LVM physical volume or md-raid member (found by
// wipefs or blkid's low-level probe, or a partition the kernel already knows),
// or a Ceph BlueStore label at any of the offsets BlueStore keeps copies at
// (bluestore-label.ts: wipefs and blkid look at offset 0 only), means the disk
// may still hold someone's data, and the stage halts with UnexpectedData until
// a supervisor overrides it for that disk. The same probe runs again after a
// passing scan, to record that the disk is handed back with nothing on it.
//
// Both tools only read (wipefs -n, blkid -p), so they run at the same time.
// Starting processes is most of the probe's cost on a small machine, so for
// several disks one wipefs lists them all (it takes many devices and names the
// device in each signature); blkid -p cannot do the same, as it stops at the
// first device on which it finds nothing. When the shared wipefs fails or a
// signature cannot be tied to exactly one disk, every disk is probed with its
// own wipefs, so a disk that cannot be read is named, as with one disk.

export interface WipeProbeResult {
  device: string;
  /** Human-readable findings, e.g. "ext4 filesystem (offset 0x438, UUID …)"; empty = blank. */
  found: string[];
  /** Raw outputs for the artifact; `wipefsCommand` is the wipefs command line that produced `wipefs`. */
  raw: { wipefsCommand: string; wipefs: string; blkid: string; blkidExit: number; labels: string };
}

export interface WipeProbeOptions {
  runTool: ToolRunner;
  signal: AbortSignal;
  sysRoot: string;
  timeoutMs?: number;
  /** How the BlueStore label offsets are read (default: from the device). */
  readAt?: ReadAt;
}

type Device = { name: string; path: string };

/** What wipefs said about one disk: its signatures and the raw text kept for the artifact. */
interface WipefsListing {
  command: string;
  raw: string;
  signatures: Signature[];
}

const WIPEFS_ARGS = ['-J', '-n'];
const DEFAULT_TIMEOUT_MS = 60_000;

export async function wipeProbe(device: Device, opts: WipeProbeOptions): Promise<WipeProbeResult> {
  // Both settle before the verdict, so no probe is left running behind a failure.
  const [listing, rest] = await Promise.allSettled([wipefsOne(device, opts), blkidAndPartitions(device, opts)]);
  // A cancellation wins over the other probe's failure: the stage is stopping, not failing.
  for (const r of [listing, rest]) if (r.status === 'rejected') throwIfCancelled(r.reason);
  if (listing.status === 'rejected') throw listing.reason;
  if (rest.status === 'rejected') throw rest.reason;
  return combine(device, listing.value, rest.value);
}

/**
 * Probes every disk at once. Each entry is the disk's result, or the reason it
 * could not be probed; cancellation is thrown.
 */
export async function wipeProbeAll(devices: readonly Device[], opts: WipeProbeOptions): Promise<(WipeProbeResult | { error: string })[]> {
  if (devices.length <= 1) return Promise.all(devices.map((d) => wipeProbe(d, opts).catch(probeError)));
  // The shared wipefs has the most to read, so it starts first.
  const listed = wipefsShared(devices, opts).then((shared) => shared ?? Promise.all(devices.map((d) => wipefsOne(d, opts).catch(probeError))));
  const others = devices.map((d) => blkidAndPartitions(d, opts).then((r) => ({ ok: r }), (err: unknown) => ({ err })));
  // Everything settles before the verdict (or the cancellation), so no probe is left running.
  const [wipefs, settled] = await Promise.all([listed.then((ok) => ({ ok }), (err: unknown) => ({ err })), Promise.all(others)]);
  if ('err' in wipefs) throw wipefs.err;
  const blkidFailures = settled.map((r) => ('err' in r ? probeError(r.err) : null)); // throws a cancellation
  return devices.map((d, i) => {
    const listing = wipefs.ok[i]!;
    if ('error' in listing) return listing;
    const rest = settled[i]!;
    return 'ok' in rest ? combine(d, listing, rest.ok) : blkidFailures[i]!;
  });
}

/** A failed probe becomes its reason; cancellation stays an exception. */
function probeError(err: unknown): { error: string } {
  throwIfCancelled(err);
  return { error: err instanceof Error ? err.message : String(err) };
}

async function wipefsOne(device: Device, opts: WipeProbeOptions): Promise<WipefsListing> {
  const args = [...WIPEFS_ARGS, device.path];
  const res = await opts.runTool('wipefs', args, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: opts.signal });
  if (res.exitCode !== 0) {
    throw new Error(`wipefs ${device.path} exited ${res.exitCode}: ${res.stderr.trim().slice(0, 300)}`);
  }
  return { command: `wipefs ${args.join(' ')}`, raw: res.stdout, signatures: readListing(res.stdout).map((e) => e.signature) };
}

/**
 * wipefs' signatures, each with the entry it was read from (kept as written for
 * the artifact). wipefs prints nothing at all for a blank device; any other
 * output that is not its JSON listing (even a lone newline) fails the probe
 * rather than passing for blank.
 */
function readListing(stdout: string): { signature: Signature; entry: unknown }[] {
  return stdout === '' ? [] : parseWipefsEntries(stdout);
}

/**
 * One wipefs over every disk, its signatures split by the device each names.
 * null when that cannot be trusted for every disk (then each gets its own run).
 */
async function wipefsShared(devices: readonly Device[], opts: WipeProbeOptions): Promise<WipefsListing[] | null> {
  const paths = [...new Set(devices.map((d) => d.path))];
  const args = [...WIPEFS_ARGS, ...paths];
  let listing: { signature: Signature; entry: unknown }[];
  try {
    const res = await opts.runTool('wipefs', args, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: opts.signal });
    if (res.exitCode !== 0) return null;
    listing = readListing(res.stdout);
  } catch (err) {
    throwIfCancelled(err);
    return null;
  }
  // Which disk each signature belongs to. wipefs names a device by the last
  // component of the path it was given (util-linux 2.38: "loop1" for
  // /dev/loop1, "byid-link" for a symlink of that name), so that is what is
  // matched; a name two disks share, or none has, is not trusted.
  const owner = listing.map(({ signature }): string | null => {
    const named = signature.device;
    if (!named) return null;
    const owners = devices.filter((d) => basename(d.path) === basename(named));
    return owners.length === 1 ? owners[0]!.path : null;
  });
  if (owner.some((o) => o === null)) return null;
  const command = `wipefs ${args.join(' ')}`;
  return devices.map((d) => {
    const mine = listing.filter((_, i) => owner[i] === d.path);
    return {
      command: `${command} (one run for ${paths.length} disks; the entries for ${d.path})`,
      raw: JSON.stringify({ signatures: mine.map((m) => m.entry) }, null, 2),
      signatures: mine.map((m) => m.signature),
    };
  });
}

async function blkidAndPartitions(device: Device, opts: WipeProbeOptions) {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const [blkid, partitions, labels] = await Promise.all([
    opts.runTool('blkid', ['-p', '-o', 'export', device.path], { timeoutMs, signal: opts.signal }),
    kernelPartitions(opts.sysRoot, device.name),
    findBlueStoreLabels(device.path, opts.readAt ?? readDevice),
  ]);
  return { blkid, probed: blkidToSignatures(parseBlkidExport(blkid.stdout, blkid.exitCode)), partitions, labels };
}

function combine(device: Device, listing: WipefsListing, rest: Awaited<ReturnType<typeof blkidAndPartitions>>): WipeProbeResult {
  // blkid usually re-finds what wipefs found; keep wipefs' entry (it has the offset).
  const known = new Set(listing.signatures.map((s) => s.type));
  let all = [...listing.signatures, ...rest.probed.filter((s) => !known.has(s.type))];
  // A label at offset 0 is also wipefs' and blkid's ceph_bluestore: name it once, with its offset and OSD.
  const { hits, checked } = rest.labels;
  if (hits.some((h) => h.offset === 0)) all = all.filter((s) => s.type !== 'ceph_bluestore');
  const found = [...describeSignatures(all), ...hits.map(describeBlueStoreLabel)];
  // Partitions the kernel already sees (a partition table wipefs did not name,
  // e.g. a protective MBR variant) are findings too.
  for (const part of rest.partitions) {
    const text = `partition ${part}`;
    if (!found.includes(text)) found.push(text);
  }
  return {
    device: device.path,
    found,
    raw: {
      wipefsCommand: listing.command,
      wipefs: listing.raw,
      blkid: rest.blkid.stdout,
      blkidExit: rest.blkid.exitCode,
      labels: `Ceph BlueStore label looked for at ${checked.map(describeOffset).join(', ') || 'no offset (device too small)'}: ${hits.length ? hits.map(describeBlueStoreLabel).join('; ') : 'none found'}`,
    },
  };
}

async function kernelPartitions(sysRoot: string, name: string): Promise<string[]> {
  try {
    const entries = await readdir(join(sysRoot, 'block', name));
    // In the order a person counts them (p2 before p10), not readdir's.
    return entries.filter((e) => e.startsWith(name) && e !== name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}
