import { open } from 'node:fs/promises';
import { formatBytes } from '../../../common/format.ts';

// Ceph BlueStore device labels, wherever a copy lies. Current BlueStore writes
// its label at offset 0 and again at 1 GiB, 10 GiB, 100 GiB and 1000 GiB (as
// far as the device reaches). wipefs and blkid look at offset 0 only, so a disk
// whose first label was zapped but whose copies remain looks blank to them and
// still blocks an OSD redeploy ("Has BlueStore device label").
//
// Where this comes from (ceph/ceph):
// * src/os/bluestore/bluestore_types.cc, bluestore_bdev_label_t::encode(): the
//   label starts with the text "bluestore block device\n", then the OSD's UUID
//   as text and "\n" (60 bytes, which decode() skips), then the encoded struct.
// * src/os/bluestore/BlueStore.cc, bdev_label_positions (declared in
//   BlueStore.h): the offsets of the label's copies listed above; a copy is
//   written only where it fits on the device.
// The test image checked against is util-linux's
// tests/ts/blkid/images-fs/bluestore.img.xz (a real label; see captured/README.md).

const GiB = 1024 ** 3;
export const BLUESTORE_LABEL_POSITIONS: readonly number[] = [0, 1 * GiB, 10 * GiB, 100 * GiB, 1000 * GiB];
const MAGIC = 'bluestore block device\n';
/** Magic (23 bytes) + UUID text (36) + "\n". */
export const BLUESTORE_LABEL_PREFIX_BYTES = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads up to `length` bytes at `position`; fewer (or none) past the end of the device. */
export type ReadAt = (path: string, position: number, length: number) => Promise<Buffer>;

export interface BlueStoreLabelHit {
  offset: number;
  /** The OSD's UUID as the label spells it (null when that part is not a UUID). */
  osdUuid: string | null;
}

/** The label's first bytes, or null when they are not a BlueStore label. */
export function parseBlueStoreLabelPrefix(bytes: Buffer): { osdUuid: string | null } | null {
  if (bytes.length < MAGIC.length || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const rest = bytes.toString('latin1', MAGIC.length, BLUESTORE_LABEL_PREFIX_BYTES);
  const uuid = rest.slice(0, 36);
  return { osdUuid: UUID.test(uuid) && rest[36] === '\n' ? uuid.toLowerCase() : null };
}

/** Reads from the device itself (the page cache is kept coherent with O_DIRECT writes by the kernel). */
export const readDevice: ReadAt = async (path, position, length) => {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
};

export interface LabelScan {
  hits: BlueStoreLabelHit[];
  /** Offsets looked at (those the device reaches). */
  checked: number[];
}

/** Looks for a label at every position the device reaches. A read error is thrown: an unread offset is not a blank one. */
export async function findBlueStoreLabels(path: string, readAt: ReadAt = readDevice): Promise<LabelScan> {
  const hits: BlueStoreLabelHit[] = [];
  const checked: number[] = [];
  for (const offset of BLUESTORE_LABEL_POSITIONS) {
    let bytes: Buffer;
    try {
      bytes = await readAt(path, offset, BLUESTORE_LABEL_PREFIX_BYTES);
    } catch (err) {
      throw new Error(`could not read ${path} at ${describeOffset(offset)} to look for a Ceph BlueStore label: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (bytes.length < BLUESTORE_LABEL_PREFIX_BYTES) break; // past the end of the device
    checked.push(offset);
    const label = parseBlueStoreLabelPrefix(bytes);
    if (label) hits.push({ offset, osdUuid: label.osdUuid });
  }
  return { hits, checked };
}

/** "offset 1 GiB (byte 1073741824)". */
export function describeOffset(offset: number): string {
  return offset === 0 ? 'offset 0' : `offset ${formatBytes(offset)} (byte ${offset})`;
}

/** A wipe-probe finding: "Ceph BlueStore label (OSD 2f538ea4-…) at offset 1 GiB (byte 1073741824)". */
export function describeBlueStoreLabel(hit: BlueStoreLabelHit): string {
  return `Ceph BlueStore label${hit.osdUuid ? ` (OSD ${hit.osdUuid})` : ''} at ${describeOffset(hit.offset)}`;
}
