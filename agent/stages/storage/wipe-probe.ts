import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBlkidExport, blkidToSignatures, describeSignatures, parseWipefsJson } from '../../parsers/index.ts';
import type { ToolRunner } from '../../runtime/tool-runner.ts';

// The wipe-probe: before anything is written, look for data on the disk. Any
// filesystem, partition table, LVM physical volume or md-raid member (found by
// wipefs or blkid's low-level probe, or a partition the kernel already knows)
// means the disk may still hold someone's data, and the stage halts with
// UnexpectedData until a supervisor overrides it for that disk.

export interface WipeProbeResult {
  device: string;
  /** Human-readable findings, e.g. "ext4 filesystem (offset 0x438, UUID …)"; empty = blank. */
  found: string[];
  /** Raw outputs for the artifact. */
  raw: { wipefs: string; blkid: string; blkidExit: number };
}

export async function wipeProbe(
  device: { name: string; path: string },
  opts: { runTool: ToolRunner; signal: AbortSignal; sysRoot: string; timeoutMs?: number },
): Promise<WipeProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // -n: never write; without -a wipefs only lists what it would erase.
  const wipefs = await opts.runTool('wipefs', ['-J', '-n', device.path], { timeoutMs, signal: opts.signal });
  if (wipefs.exitCode !== 0) {
    throw new Error(`wipefs ${device.path} exited ${wipefs.exitCode}: ${wipefs.stderr.trim().slice(0, 300)}`);
  }
  // wipefs prints nothing at all for a blank device.
  const signatures = wipefs.stdout.trim() === '' ? [] : parseWipefsJson(wipefs.stdout);
  const blkid = await opts.runTool('blkid', ['-p', '-o', 'export', device.path], { timeoutMs, signal: opts.signal });
  const probed = blkidToSignatures(parseBlkidExport(blkid.stdout, blkid.exitCode));
  // blkid usually re-finds what wipefs found; keep wipefs' entry (it has the offset).
  const known = new Set(signatures.map((s) => s.type));
  const all = [...signatures, ...probed.filter((s) => !known.has(s.type))];

  const found = describeSignatures(all);
  // Partitions the kernel already sees (a partition table wipefs did not name,
  // e.g. a protective MBR variant) are findings too.
  for (const part of await kernelPartitions(opts.sysRoot, device.name)) {
    const text = `partition ${part}`;
    if (!found.includes(text)) found.push(text);
  }
  return { device: device.path, found, raw: { wipefs: wipefs.stdout, blkid: blkid.stdout, blkidExit: blkid.exitCode } };
}

async function kernelPartitions(sysRoot: string, name: string): Promise<string[]> {
  try {
    const entries = await readdir(join(sysRoot, 'block', name));
    return entries.filter((e) => e.startsWith(name) && e !== name).sort();
  } catch {
    return [];
  }
}
