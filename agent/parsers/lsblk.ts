import { ParseError } from './parse-error.ts';
import { arr, bool, isObject, num, parseJsonObject, str, type JsonObject } from './util.ts';

// lsblk -J -b (util-linux 2.38). The stage runs exactly LSBLK_ARGS (one JSON tree,
// sizes in bytes, children nested). Older captures with fewer columns (NAME,TYPE,SIZE,
// ROTA,MODEL,SERIAL,TRAN) parse too: missing columns become null.
// Without udev (minimal live images) lsblk's SERIAL/WWN are often null: take smartctl's.
// 2.38 has no BACK-FILE column; a loop device's backing file is in
// /sys/block/loopN/loop/backing_file (or `losetup -J -l`).

const TOOL = 'lsblk';

export const LSBLK_COLUMNS =
  'NAME,KNAME,PATH,MAJ:MIN,TYPE,SIZE,ROTA,RM,HOTPLUG,RO,TRAN,MODEL,SERIAL,WWN,LOG-SEC,PHY-SEC,FSTYPE,MOUNTPOINTS,PKNAME';
export const LSBLK_ARGS = ['-J', '-b', '-o', LSBLK_COLUMNS] as const;
/** For logs and docs: `lsblk -J -b -o NAME,KNAME,PATH,…`. */
export const LSBLK_COMMAND = `lsblk ${LSBLK_ARGS.join(' ')}`;

export interface BlockDevice {
  name: string;
  kname: string | null;
  /** /dev path; derived from the name when the column is absent. */
  path: string;
  majMin: string | null;
  serial: string | null;
  wwn: string | null;
  model: string | null;
  sizeBytes: number;
  rotational: boolean | null;
  removable: boolean | null;
  hotplug: boolean | null;
  readOnly: boolean | null;
  /** disk, part, loop, rom, lvm, raid1, crypt … */
  type: string;
  /** sata, nvme, usb, sas, iscsi … */
  transport: string | null;
  logicalSectorBytes: number | null;
  physicalSectorBytes: number | null;
  fsType: string | null;
  /** Where this device (not its children) is mounted; empty when unmounted. */
  mountpoints: string[];
  parent: string | null;
  /** Loop devices: lsblk ≥ 2.39's BACK-FILE column when present; 2.38 lacks it (null). */
  backingFile: string | null;
  children: BlockDevice[];
}

/** Accepts both lsblk's boolean and its older "0"/"1" form. */
function flag(v: unknown): boolean | null {
  return bool(v);
}

function toDevice(raw: JsonObject, where: string): BlockDevice {
  const name = str(raw.name);
  if (!name) throw new ParseError(TOOL, `${where} has no name`);
  const type = str(raw.type);
  if (!type) throw new ParseError(TOOL, `${name} has no type`);
  const size = num(raw.size);
  if (size === null || size < 0) {
    throw new ParseError(TOOL, `${name} has no byte size (was lsblk run without -b?): ${JSON.stringify(raw.size)}`);
  }
  let mountpoints: string[] = [];
  if (Array.isArray(raw.mountpoints)) mountpoints = raw.mountpoints.map(str).filter((m): m is string => m !== null);
  else if (str(raw.mountpoint)) mountpoints = [str(raw.mountpoint)!];
  const children = arr(raw.children).map((c, i) => {
    if (!isObject(c)) throw new ParseError(TOOL, `child ${i} of ${name} is not an object`);
    return toDevice(c, `child ${i} of ${name}`);
  });
  return {
    name,
    kname: str(raw.kname),
    path: str(raw.path) ?? `/dev/${name}`,
    majMin: str(raw['maj:min']),
    // lsblk pads model and serial with spaces (the raw ATA/NVMe identify strings).
    serial: str(raw.serial),
    wwn: str(raw.wwn),
    model: str(raw.model),
    sizeBytes: size,
    rotational: flag(raw.rota),
    removable: flag(raw.rm),
    hotplug: flag(raw.hotplug),
    readOnly: flag(raw.ro),
    type,
    transport: str(raw.tran),
    logicalSectorBytes: num(raw['log-sec']),
    physicalSectorBytes: num(raw['phy-sec']),
    fsType: str(raw.fstype),
    mountpoints,
    parent: str(raw.pkname),
    backingFile: str(raw['back-file']),
    children,
  };
}

export function parseLsblkJson(text: string): BlockDevice[] {
  const root = parseJsonObject(TOOL, text);
  if (!Array.isArray(root.blockdevices)) throw new ParseError(TOOL, 'JSON has no "blockdevices" list');
  return root.blockdevices.map((d, i) => {
    if (!isObject(d)) throw new ParseError(TOOL, `device ${i} is not an object`);
    return toDevice(d, `device ${i}`);
  });
}

/** Every mountpoint of a device and all its descendants (partitions, LVs …). */
export function allMountpoints(dev: BlockDevice): string[] {
  return [...dev.mountpoints, ...dev.children.flatMap(allMountpoints)];
}
