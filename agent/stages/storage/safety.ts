// The gates in front of every destructive write. A device passes only when it
// is a whole block device, not removable, not read-only, not mounted (itself or
// any partition or stacked device on top), not in use as swap or by LVM / md /
// device-mapper holders, not the boot medium, and under one of the allowlisted
// path prefixes. Facts are gathered separately (device-facts.ts) so this
// decision stays a pure function that tests can drive exhaustively.

export interface DeviceFacts {
  path: string;
  name: string;
  /** From stat(): false means fio would silently create a regular file there. */
  isBlockDevice: boolean;
  /** A partition rather than a whole disk. */
  isPartition: boolean;
  removable: boolean;
  readOnly: boolean;
  /** Mount points of the device and of anything on it (partitions, holders). */
  mountpoints: string[];
  /** Swap areas on it. */
  swaps: string[];
  /** Kernel devices stacked on it (dm-0, md127) or on its partitions. */
  holders: string[];
  bootMedium: boolean;
}

export function isAllowlisted(path: string, allowlist: readonly string[]): boolean {
  return allowlist.some((prefix) => prefix.length > 0 && path.startsWith(prefix));
}

/** Every reason this device must not be written; empty means it may be. */
export function safetyRefusals(f: DeviceFacts, allowlist: readonly string[]): string[] {
  const reasons: string[] = [];
  if (!f.isBlockDevice) reasons.push(`${f.path} is not a block device`);
  if (f.isPartition) reasons.push(`${f.path} is a partition, not a whole disk`);
  if (f.removable) reasons.push(`${f.path} is removable media`);
  if (f.readOnly) reasons.push(`${f.path} is read-only`);
  if (f.bootMedium) reasons.push(`${f.path} holds the boot medium`);
  if (f.mountpoints.length > 0) reasons.push(`${f.path} is mounted (${f.mountpoints.slice(0, 5).join(', ')})`);
  if (f.swaps.length > 0) reasons.push(`${f.path} is in use as swap (${f.swaps.join(', ')})`);
  if (f.holders.length > 0) reasons.push(`${f.path} is in use by ${f.holders.slice(0, 5).join(', ')}`);
  if (allowlist.length === 0) reasons.push('the device allowlist is empty, so no device may be written');
  else if (!isAllowlisted(f.path, allowlist)) reasons.push(`${f.path} is outside the device allowlist (${allowlist.join(', ')})`);
  return reasons;
}
