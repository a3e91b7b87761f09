import { ParseError } from '../../../parsers/parse-error.ts';
import { arr, isObject, parseJsonObject, str } from '../../../parsers/util.ts';

// wipefs -J (util-linux 2.38): a read-only listing of every signature libblkid finds
// (filesystems, partition tables, LVM, RAID …). The wipe-probe runs
//   wipefs -J -O DEVICE,OFFSET,TYPE,UUID,LABEL,USAGE <dev>
// (the default column set lacks USAGE; both forms parse). Never `wipefs -n -a`: it prints
// "bytes were erased" although it is a dry run. An empty list = blank device.

const TOOL = 'wipefs';

export interface Signature {
  device: string | null;
  /** Byte offset of the magic string. */
  offset: number | null;
  /** As wipefs prints it ("0x438"). */
  offsetHex: string | null;
  type: string;
  uuid: string | null;
  label: string | null;
  /** libblkid's usage class: filesystem, raid, partition table, crypto, other. */
  usage?: string | null;
}

function parseOffset(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const s = str(v);
  if (!s) return null;
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  if (/^\d+$/.test(s)) return Number(s);
  return null;
}

export function parseWipefsJson(text: string): Signature[] {
  return parseWipefsEntries(text).map((e) => e.signature);
}

/** Each signature with the JSON entry it was read from, kept as wipefs wrote it (for an artifact). */
export function parseWipefsEntries(text: string): { signature: Signature; entry: unknown }[] {
  const root = parseJsonObject(TOOL, text);
  if (!Array.isArray(root.signatures)) throw new ParseError(TOOL, 'JSON has no "signatures" list');
  return arr(root.signatures).map((s, i) => {
    if (!isObject(s)) throw new ParseError(TOOL, `signature ${i} is not an object`);
    const type = str(s.type);
    if (!type) throw new ParseError(TOOL, `signature ${i} has no type`);
    const sig: Signature = {
      device: str(s.device),
      offset: parseOffset(s.offset),
      offsetHex: typeof s.offset === 'number' ? `0x${s.offset.toString(16)}` : str(s.offset),
      type,
      uuid: str(s.uuid),
      label: str(s.label),
    };
    if ('usage' in s) sig.usage = str(s.usage);
    return { signature: sig, entry: s };
  });
}

// What each signature type means to a technician reading an UnexpectedData halt.
const KNOWN: Record<string, string> = {
  gpt: 'gpt partition table',
  PMBR: 'protective MBR (gpt)',
  dos: 'dos (MBR) partition table',
  LVM2_member: 'LVM2_member (LVM physical volume)',
  LVM1_member: 'LVM1_member (LVM physical volume)',
  linux_raid_member: 'linux_raid_member (mdraid)',
  isw_raid_member: 'isw_raid_member (Intel firmware RAID)',
  ddf_raid_member: 'ddf_raid_member (firmware RAID)',
  zfs_member: 'zfs_member (ZFS pool member)',
  crypto_LUKS: 'crypto_LUKS (LUKS encrypted volume)',
  swap: 'swap area',
  ceph_bluestore: 'ceph_bluestore (Ceph OSD)',
  BitLocker: 'BitLocker encrypted volume',
  AMBIVALENT: 'several conflicting signatures (blkid: ambivalent probing result)',
};
const FILESYSTEMS = new Set([
  'ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'exfat', 'ntfs', 'f2fs', 'jfs', 'reiserfs',
  'iso9660', 'udf', 'squashfs', 'hfsplus', 'apfs', 'nilfs2', 'bcachefs', 'ocfs2', 'gfs2',
]);

function describeOne(type: string, usage: string | null | undefined): string {
  const known = KNOWN[type];
  if (known) return known;
  if (FILESYSTEMS.has(type) || usage === 'filesystem') return `${type} filesystem`;
  if (usage === 'raid') return `${type} (RAID/volume member)`;
  if (usage === 'crypto') return `${type} (encrypted volume)`;
  if (usage === 'partition table') return `${type} partition table`;
  return `${type} signature`;
}

/**
 * Human strings for a wipe-probe hit, one per signature type ("ext4 filesystem (label
 * data, uuid …)", "gpt partition table (offsets 0x200, 0x3fffe00)"). Empty list = blank.
 */
export function describeSignatures(signatures: readonly Signature[]): string[] {
  const byType = new Map<string, Signature[]>();
  for (const s of signatures) byType.set(s.type, [...(byType.get(s.type) ?? []), s]);
  const out: string[] = [];
  for (const [type, group] of byType) {
    const first = group[0]!;
    const details: string[] = [];
    if (first.label) details.push(`label ${first.label}`);
    if (first.uuid) details.push(`uuid ${first.uuid}`);
    const offsets = group.map((g) => g.offsetHex).filter((o): o is string => o !== null);
    if (offsets.length) details.push(`${offsets.length > 1 ? 'offsets' : 'offset'} ${offsets.join(', ')}`);
    const text = describeOne(type, first.usage);
    out.push(details.length ? `${text} (${details.join(', ')})` : text);
  }
  return out;
}
