import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BlockDeviceInfo } from './device-resolution.ts';
import type { DeviceFacts } from './safety.ts';

// Gathers what the kernel says about block devices, straight from sysfs and
// procfs (these work in a bare live image without udev, where lsblk's SERIAL
// and WWN columns are often empty). The stage enriches serial / WWN from
// lsblk and smartctl where sysfs has none.

async function readText(path: string): Promise<string | null> {
  try {
    const t = (await readFile(path, 'utf8')).trim();
    return t === '' ? null : t;
  } catch {
    return null;
  }
}

async function readFlag(path: string): Promise<boolean | null> {
  const t = await readText(path);
  return t === null ? null : t === '1';
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

/** Whole-disk block devices from <sysRoot>/block (ram and zram disks skipped). */
export async function listBlockDevices(sysRoot: string): Promise<BlockDeviceInfo[]> {
  const out: BlockDeviceInfo[] = [];
  for (const name of (await listDir(join(sysRoot, 'block'))).sort()) {
    if (/^(ram|zram)\d+$/.test(name)) continue;
    const dir = join(sysRoot, 'block', name);
    const sectors = Number(await readText(join(dir, 'size')));
    const serial = (await readText(join(dir, 'device', 'serial'))) ?? (await readText(join(dir, 'serial')));
    const wwn = (await readText(join(dir, 'wwid'))) ?? (await readText(join(dir, 'device', 'wwid')));
    out.push({
      name,
      path: `/dev/${name}`,
      serial,
      wwn,
      backingFile: await readText(join(dir, 'loop', 'backing_file')),
      sizeBytes: Number.isFinite(sectors) ? sectors * 512 : 0,
      rotational: await readFlag(join(dir, 'queue', 'rotational')),
      removable: await readFlag(join(dir, 'removable')),
      readOnly: await readFlag(join(dir, 'ro')),
      transport: /^nvme\d/.test(name) ? 'nvme' : null,
      model: await readText(join(dir, 'device', 'model')),
      logicalBlockSize: Number(await readText(join(dir, 'queue', 'logical_block_size'))) || null,
    });
  }
  return out;
}

/** major:minor of a device's partitions and holders, recursively (what sits "on" the disk). */
async function stackedDevices(sysRoot: string, name: string): Promise<{ partitions: string[]; holders: string[]; devs: Map<string, string> }> {
  const devs = new Map<string, string>(); // "maj:min" -> kernel name
  const partitions: string[] = [];
  const holders: string[] = [];
  const base = join(sysRoot, 'class', 'block');
  const visit = async (dev: string, depth: number) => {
    if (depth > 8) return;
    const dir = join(base, dev);
    const mm = await readText(join(dir, 'dev'));
    if (mm) devs.set(mm, dev);
    for (const h of await listDir(join(dir, 'holders'))) {
      if (!holders.includes(h)) holders.push(h);
      await visit(h, depth + 1);
    }
    if (depth === 0) {
      for (const child of await listDir(join(sysRoot, 'block', dev))) {
        if (child.startsWith(dev) && (await readText(join(sysRoot, 'block', dev, child, 'partition'))) !== null) {
          partitions.push(child);
          await visit(child, depth + 1);
        }
      }
    }
  };
  await visit(name, 0);
  return { partitions, holders, devs };
}

interface MountEntry {
  majMin: string;
  mountPoint: string;
  source: string;
}

/** Parses /proc/self/mountinfo (maj:min is field 3, mount point field 5, source after " - "). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    if (parts.length < 10) continue;
    const sep = parts.indexOf('-');
    out.push({
      majMin: parts[2]!,
      mountPoint: (parts[4] ?? '').replace(/\\040/g, ' '),
      source: sep >= 0 ? (parts[sep + 2] ?? '') : '',
    });
  }
  return out;
}

/** Mount points that identify where this system booted from. */
const BOOT_MOUNTS = new Set(['/', '/boot', '/boot/efi', '/efi', '/run/live/medium', '/lib/live/mount/medium', '/run/initramfs/live', '/cdrom']);

export interface FactsOptions {
  sysRoot: string;
  procRoot: string;
}

export async function deviceFacts(dev: Pick<BlockDeviceInfo, 'name' | 'path'>, opts: FactsOptions): Promise<DeviceFacts> {
  let isBlockDevice = false;
  try {
    isBlockDevice = (await stat(dev.path)).isBlockDevice();
  } catch {
    isBlockDevice = false;
  }
  const sysDir = join(opts.sysRoot, 'class', 'block', dev.name);
  const isPartition = (await readText(join(sysDir, 'partition'))) !== null;
  const removable = (await readFlag(join(opts.sysRoot, 'block', dev.name, 'removable'))) === true;
  const readOnly = (await readFlag(join(sysDir, 'ro'))) === true;
  const stack = await stackedDevices(opts.sysRoot, dev.name);
  const names = new Set([dev.name, ...stack.partitions, ...stack.holders]);

  const mounts = parseMountinfo((await readText(join(opts.procRoot, 'self', 'mountinfo'))) ?? '');
  const mountpoints: string[] = [];
  let bootMedium = false;
  for (const m of mounts) {
    const onIt = stack.devs.has(m.majMin) || (m.source.startsWith('/dev/') && names.has(basename(m.source)));
    if (!onIt) continue;
    mountpoints.push(m.mountPoint);
    if (BOOT_MOUNTS.has(m.mountPoint)) bootMedium = true;
  }
  if (!bootMedium) bootMedium = await cmdlineRootIsOn(opts.procRoot, names);

  const swaps: string[] = [];
  for (const line of ((await readText(join(opts.procRoot, 'swaps'))) ?? '').split('\n').slice(1)) {
    const src = line.split(/\s+/)[0];
    if (src && src.startsWith('/dev/') && names.has(basename(await realDevName(src)))) swaps.push(src);
  }
  return { path: dev.path, name: dev.name, isBlockDevice, isPartition, removable, readOnly, mountpoints, swaps, holders: stack.holders, bootMedium };
}

async function realDevName(path: string): Promise<string> {
  try {
    const target = await readlink(path);
    return basename(target);
  } catch {
    return basename(path);
  }
}

/** root=/dev/sdXN on the kernel command line names the boot disk even when nothing is mounted yet. */
async function cmdlineRootIsOn(procRoot: string, names: Set<string>): Promise<boolean> {
  const cmdline = (await readText(join(procRoot, 'cmdline'))) ?? '';
  for (const arg of cmdline.split(/\s+/)) {
    const m = /^root=\/dev\/(.+)$/.exec(arg);
    if (m && names.has(basename(m[1]!))) return true;
  }
  return false;
}
