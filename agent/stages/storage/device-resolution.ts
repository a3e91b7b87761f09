import { resolve } from 'node:path';

// Matching the host's expected disks to kernel devices. Destructive work may
// only touch a disk named by its serial number or WWN (never by /dev/sdX,
// which changes between boots) or, on test benches, a loop device named by its
// backing file (`loop:/path/to/file`). An id that matches no device, or more
// than one, is never guessed at.

export interface BlockDeviceInfo {
  /** Kernel name (sda, nvme0n1, loop3). */
  name: string;
  /** /dev path. */
  path: string;
  serial: string | null;
  wwn: string | null;
  /** Loop devices: the file behind them. */
  backingFile: string | null;
  sizeBytes: number;
  rotational: boolean | null;
  removable: boolean | null;
  readOnly: boolean | null;
  transport: string | null;
  model: string | null;
  /** Logical sector size in bytes (4Kn disks: 4096); null when unknown. */
  logicalBlockSize?: number | null;
}

export type DiskMatch =
  | { id: string; status: 'found'; device: BlockDeviceInfo }
  | { id: string; status: 'missing'; reason: string }
  | { id: string; status: 'ambiguous'; reason: string; devices: string[] };

const LOOP_PREFIX = 'loop:';

/** Normalises a WWN for comparison: lsblk "0x5000c5…", smartctl "5 000c50 …", "naa.5000c5…", "eui.…". */
export function normaliseWwn(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^(0x|naa\.|eui\.|wwn-0x|wwn-)/, '')
    .replace(/[\s:._-]/g, '');
}

export function normaliseSerial(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The kernel appends " (deleted)" to a loop device's backing file that was unlinked. */
export function normaliseBackingFile(raw: string): string {
  return resolve(raw.trim().replace(/ \(deleted\)$/, ''));
}

export function isLoopId(id: string): boolean {
  return id.startsWith(LOOP_PREFIX);
}

function matches(id: string, dev: BlockDeviceInfo): boolean {
  if (isLoopId(id)) {
    const file = id.slice(LOOP_PREFIX.length);
    return file.length > 0 && dev.backingFile !== null && normaliseBackingFile(dev.backingFile) === normaliseBackingFile(file);
  }
  const want = id.trim();
  if (!want) return false;
  if (dev.serial && normaliseSerial(dev.serial) === normaliseSerial(want)) return true;
  if (dev.wwn) {
    const w = normaliseWwn(want);
    if (w.length >= 8 && normaliseWwn(dev.wwn) === w) return true;
  }
  return false;
}

/** Resolves each expected disk id against the devices the kernel shows. */
export function resolveExpectedDisks(expected: readonly string[], devices: readonly BlockDeviceInfo[]): DiskMatch[] {
  const matched = resolveEach(expected, devices);
  // Two ids naming one disk (its serial and its WWN, say) would start two
  // destructive tests on it at once, each reading the other's patterns as bad
  // blocks: refuse the later id rather than test the disk twice.
  const firstIdOf = new Map<string, string>();
  return matched.map((m): DiskMatch => {
    if (m.status !== 'found') return m;
    const first = firstIdOf.get(m.device.path);
    if (first === undefined) {
      firstIdOf.set(m.device.path, m.id);
      return m;
    }
    return { id: m.id, status: 'ambiguous', reason: `"${m.id}" names the same disk as "${first}" (${m.device.path}); list each disk once`, devices: [m.device.path] };
  });
}

function resolveEach(expected: readonly string[], devices: readonly BlockDeviceInfo[]): DiskMatch[] {
  return expected.map((id): DiskMatch => {
    const hits = devices.filter((d) => matches(id, d));
    if (hits.length === 1) return { id, status: 'found', device: hits[0]! };
    if (hits.length === 0) {
      const reason = isLoopId(id)
        ? `no loop device is backed by ${id.slice(LOOP_PREFIX.length)}`
        : `no disk with serial or WWN "${id}" is present`;
      return { id, status: 'missing', reason };
    }
    const names = hits.map((h) => h.path);
    return { id, status: 'ambiguous', reason: `"${id}" matches several devices (${names.join(', ')}); refusing to guess`, devices: names };
  });
}

/** Disk class for the fio floors: nvme by transport, hdd when rotational, else ssd. */
export function diskClass(dev: Pick<BlockDeviceInfo, 'name' | 'transport' | 'rotational'>): 'nvme' | 'ssd' | 'hdd' {
  if (dev.transport?.toLowerCase() === 'nvme' || /^nvme\d/.test(dev.name)) return 'nvme';
  if (dev.rotational === true) return 'hdd';
  return 'ssd';
}
