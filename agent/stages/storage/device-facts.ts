import { close, open, read } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BlockDeviceInfo } from './device-resolution.ts';
import type { DeviceFacts } from './safety.ts';

// Gathers what the kernel says about block devices, straight from sysfs and
// procfs (these work in a bare live image without udev, where lsblk's SERIAL
// and WWN columns are often empty). The stage enriches serial / WWN from
// lsblk and smartctl where sysfs has none.

/** A sysfs attribute, trimmed; null when absent or empty. */
async function readText(path: string): Promise<string | null> {
  try {
    const t = (await readSmall(path)).trim();
    return t === '' ? null : t;
  } catch {
    return null;
  }
}

/** A procfs table (mountinfo, swaps), which can be longer than one read returns. */
async function readTable(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

const ONE_READ = 4096;

/**
 * A sysfs attribute in one read: open, read, close. The kernel hands over an
 * attribute whole in one read when the buffer can hold it, so a short read is
 * the whole value; a full buffer falls back to reading the file to its end.
 * (Not for procfs tables: their reads stop at record boundaries.)
 * fs.promises.readFile also stats and reads once more to find the end, and the
 * gates read a few hundred such files before any disk may be tested.
 */
function readSmall(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (openErr, fd) => {
      if (openErr) return reject(openErr);
      const buf = Buffer.allocUnsafe(ONE_READ);
      read(fd, buf, 0, ONE_READ, 0, (readErr, n) => {
        close(fd, () => {
          if (readErr) reject(readErr);
          else if (n < ONE_READ) resolve(buf.toString('utf8', 0, n));
          else readFile(path, 'utf8').then(resolve, reject);
        });
      });
    });
  });
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
  const names = (await listDir(join(sysRoot, 'block'))).sort().filter((name) => !/^(ram|zram)\d+$/.test(name));
  // Every attribute of every device is read at once: these are a dozen small
  // sysfs files per device, and reading them one after another kept the
  // Storage stage's gates waiting on the thread pool for tens of ms.
  return Promise.all(names.map((name) => readBlockDevice(sysRoot, name)));
}

async function readBlockDevice(sysRoot: string, name: string): Promise<BlockDeviceInfo> {
  const dir = join(sysRoot, 'block', name);
  const [sectors, devSerial, serial, wwid, devWwid, backingFile, rotational, removable, readOnly, model, lbs] = await Promise.all([
    readText(join(dir, 'size')),
    readText(join(dir, 'device', 'serial')),
    readText(join(dir, 'serial')),
    readText(join(dir, 'wwid')),
    readText(join(dir, 'device', 'wwid')),
    readText(join(dir, 'loop', 'backing_file')),
    readFlag(join(dir, 'queue', 'rotational')),
    readFlag(join(dir, 'removable')),
    readFlag(join(dir, 'ro')),
    readText(join(dir, 'device', 'model')),
    readText(join(dir, 'queue', 'logical_block_size')),
  ]);
  const sectorCount = Number(sectors);
  return {
    name,
    path: `/dev/${name}`,
    serial: devSerial ?? serial,
    wwn: wwid ?? devWwid,
    backingFile,
    sizeBytes: Number.isFinite(sectorCount) ? sectorCount * 512 : 0,
    rotational,
    removable,
    readOnly,
    transport: /^nvme\d/.test(name) ? 'nvme' : null,
    model,
    logicalBlockSize: Number(lbs) || null,
  };
}

/** major:minor of a device's partitions and holders, recursively (what sits "on" the disk). */
async function stackedDevices(sysRoot: string, name: string): Promise<{ partitions: string[]; holders: string[]; devs: Map<string, string> }> {
  const devs = new Map<string, string>(); // "maj:min" -> kernel name
  const partitions: string[] = [];
  const holders: string[] = [];
  const base = join(sysRoot, 'class', 'block');
  const visit = async (dev: string, depth: number): Promise<void> => {
    if (depth > 8) return;
    const dir = join(base, dev);
    const [mm, held, children] = await Promise.all([
      readText(join(dir, 'dev')),
      listDir(join(dir, 'holders')),
      depth === 0 ? listDir(join(sysRoot, 'block', dev)) : Promise.resolve([]),
    ]);
    if (mm) devs.set(mm, dev);
    const next: string[] = [];
    for (const h of held) {
      if (!holders.includes(h)) holders.push(h);
      next.push(h);
    }
    const candidates = children.filter((child) => child.startsWith(dev));
    const isPart = await Promise.all(candidates.map(async (child) => (await readText(join(sysRoot, 'block', dev, child, 'partition'))) !== null));
    candidates.forEach((child, i) => {
      if (!isPart[i]) return;
      partitions.push(child);
      next.push(child);
    });
    await Promise.all(next.map((n) => visit(n, depth + 1)));
  };
  await visit(name, 0);
  // Branches are visited at once, so sort for a stable refusal message.
  return { partitions: partitions.sort(), holders: holders.sort(), devs };
}

export interface MountEntry {
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

/**
 * The host-wide tables every disk's facts are checked against (mounts, swap
 * areas, the kernel command line). They are the same for every disk, so the
 * stage reads them once and hands them to deviceFacts for each disk.
 */
export interface HostTables {
  mounts: MountEntry[];
  /** Swap sources under /dev, with the kernel name each resolves to. */
  swaps: { source: string; name: string }[];
  cmdline: string;
}

export async function readHostTables(procRoot: string): Promise<HostTables> {
  const [mountinfo, swapsText, cmdline] = await Promise.all([
    readTable(join(procRoot, 'self', 'mountinfo')),
    readTable(join(procRoot, 'swaps')),
    readTable(join(procRoot, 'cmdline')),
  ]);
  const sources = (swapsText ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/)[0] ?? '')
    .filter((src) => src.startsWith('/dev/'));
  const names = await Promise.all(sources.map(realDevName));
  return {
    mounts: parseMountinfo(mountinfo ?? ''),
    swaps: sources.map((source, i) => ({ source, name: basename(names[i]!) })),
    cmdline: cmdline ?? '',
  };
}

/** `tables`: the host tables already read for this decision; read afresh when absent. */
export async function deviceFacts(dev: Pick<BlockDeviceInfo, 'name' | 'path'>, opts: FactsOptions, tables?: HostTables): Promise<DeviceFacts> {
  const sysDir = join(opts.sysRoot, 'class', 'block', dev.name);
  const [isBlockDevice, partition, removableFlag, readOnlyFlag, stack, host] = await Promise.all([
    stat(dev.path).then(
      (st) => st.isBlockDevice(),
      () => false,
    ),
    readText(join(sysDir, 'partition')),
    readFlag(join(opts.sysRoot, 'block', dev.name, 'removable')),
    readFlag(join(sysDir, 'ro')),
    stackedDevices(opts.sysRoot, dev.name),
    tables ?? readHostTables(opts.procRoot),
  ]);
  const isPartition = partition !== null;
  const removable = removableFlag === true;
  const readOnly = readOnlyFlag === true;
  const names = new Set([dev.name, ...stack.partitions, ...stack.holders]);
  const mountpoints: string[] = [];
  let bootMedium = false;
  for (const m of host.mounts) {
    const onIt = stack.devs.has(m.majMin) || (m.source.startsWith('/dev/') && names.has(basename(m.source)));
    if (!onIt) continue;
    mountpoints.push(m.mountPoint);
    if (BOOT_MOUNTS.has(m.mountPoint)) bootMedium = true;
  }
  if (!bootMedium) bootMedium = cmdlineRootIsOn(host.cmdline, names);
  const swaps = host.swaps.filter((s) => names.has(s.name)).map((s) => s.source);
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
function cmdlineRootIsOn(cmdline: string, names: Set<string>): boolean {
  for (const arg of cmdline.split(/\s+/)) {
    const m = /^root=\/dev\/(.+)$/.exec(arg);
    if (m && names.has(basename(m[1]!))) return true;
  }
  return false;
}
