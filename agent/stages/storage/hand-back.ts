import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfCancelled, type ToolRunner } from '../../runtime/tool-runner.ts';
import { wipeProbe } from './wipe-probe.ts';
import type { ReadAt } from './bluestore-label.ts';

// A disk that passed its scan goes back to the cluster clean: discarded where
// the device supports discard (every block deallocated: the fastest way to a
// blank SSD, and no pattern left for anyone to mistake for data), otherwise
// left holding the scan's final pattern, which carries no signature. Then the
// wipe-probe runs again, so the report can say per disk that nothing a
// redeploy would trip over (filesystem, partition table, LVM, RAID, a Ceph
// BlueStore label at any of its copies) remains.

export interface HandBack {
  /** "blkdiscard" or "final scan pattern left (why)". */
  method: string;
  discarded: boolean;
  clean: boolean;
  found: string[];
}

export interface HandBackOptions {
  device: { name: string; path: string };
  /** Bytes [0, length) that the stage wrote (the scan's span and fio's region). */
  length: number;
  /** The whole disk was written: the discard may cover all of it. */
  wholeDisk: boolean;
  runTool: ToolRunner;
  signal: AbortSignal;
  sysRoot: string;
  readAt?: ReadAt;
  upload(name: string, body: string): void;
}

/** Whether the kernel offers discard for the device (queue/discard_max_bytes > 0). */
export async function supportsDiscard(sysRoot: string, name: string): Promise<boolean> {
  try {
    const text = await readFile(join(sysRoot, 'block', name, 'queue', 'discard_max_bytes'), 'utf8');
    return Number(text.trim()) > 0;
  } catch {
    return false;
  }
}

export async function handBack(o: HandBackOptions): Promise<HandBack> {
  let method: string;
  let discarded = false;
  const log: string[] = [];
  if (await supportsDiscard(o.sysRoot, o.device.name)) {
    // Only what the stage wrote: a partial (smoke) scan leaves the rest of the disk as it was.
    const args = o.wholeDisk ? [o.device.path] : ['--offset', '0', '--length', String(o.length), o.device.path];
    try {
      const res = await o.runTool('blkdiscard', args, { timeoutMs: 3600_000, signal: o.signal });
      log.push(`$ blkdiscard ${args.join(' ')}\nexit ${res.exitCode}\n${res.stderr}`);
      if (res.exitCode === 0) {
        method = o.wholeDisk ? 'blkdiscard' : `blkdiscard of the first ${o.length} bytes (the part the stage wrote)`;
        discarded = true;
      } else {
        method = `final scan pattern left (blkdiscard failed: ${res.stderr.trim().split('\n').pop()?.slice(0, 200) ?? `exit ${res.exitCode}`})`;
      }
    } catch (err) {
      throwIfCancelled(err);
      method = `final scan pattern left (blkdiscard could not run: ${err instanceof Error ? err.message : String(err)})`;
    }
  } else {
    method = 'final scan pattern left (the device does not support discard)';
  }
  const probe = await wipeProbe(o.device, { runTool: o.runTool, signal: o.signal, sysRoot: o.sysRoot, readAt: o.readAt });
  log.push(`${probe.raw.wipefsCommand}\n${probe.raw.wipefs}\n\nblkid -p -o export ${o.device.path} (exit ${probe.raw.blkidExit})\n${probe.raw.blkid}\n\n${probe.raw.labels}`);
  o.upload(`hand-back-${o.device.name}.txt`, `${method}\n\n${log.join('\n\n')}`);
  const found = probe.found.slice(0, 64).map((s) => s.slice(0, 512));
  return { method, discarded, clean: found.length === 0, found };
}
