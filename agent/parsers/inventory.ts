import { Inventory, type InventoryDisk, type InventoryGpu, type InventoryNic } from '../../common/schema/inventory.ts';
import type { DmiInfo } from './dmidecode.ts';
import type { CpuInfo } from './lscpu.ts';
import type { BlockDevice } from './lsblk.ts';
import type { LshwInfo } from './lshw.ts';
import { ParseError } from './parse-error.ts';
import type { SmartReport } from './smartctl.ts';

// Merges what the Inventory stage's tools said into the normalised Inventory that
// SpecValidate diffs. Each source may be missing (tool absent or failed): the stage lists
// those in missingTools and the inventory still validates.

export interface InventoryParts {
  dmi?: DmiInfo | null;
  cpu?: CpuInfo | null;
  lshw?: LshwInfo | null;
  blocks?: BlockDevice[] | null;
  smart?: SmartReport[];
  gpus?: InventoryGpu[];
  /** NICs read by the stage itself (e.g. /sys/class/net); lshw's are used when absent. */
  nics?: InventoryNic[];
  /** Loop device backing files by kernel name (from /sys/block/loopN/loop/backing_file). */
  loopBackingFiles?: Record<string, string>;
  /** /proc/meminfo MemTotal in bytes: the last fallback for memory size. */
  memTotalBytes?: number | null;
  missingTools: string[];
}

const clip = (s: string | null | undefined): string | null => (s == null ? null : s.slice(0, 512));

/** Kernel devices that are not disks a bench tests (RAM-backed, unattached loops). */
function isTestableDisk(b: BlockDevice): boolean {
  if (b.type !== 'disk' && b.type !== 'loop') return false;
  if (/^(zram|ram)\d+$/.test(b.name)) return false;
  return b.sizeBytes > 0;
}

/** The smartctl report that describes a block device: same path, or the NVMe controller of a namespace. */
export function smartFor(b: BlockDevice, smart: readonly SmartReport[]): SmartReport | undefined {
  const nvme = /^nvme(\d+)n\d+$/.exec(b.name);
  const candidates = [b.path, `/dev/${b.name}`];
  if (nvme) candidates.push(`/dev/nvme${nvme[1]}`);
  return smart.find((s) => s.device !== null && candidates.includes(s.device));
}

export function buildInventory(parts: InventoryParts): Inventory {
  const { dmi, cpu, lshw } = parts;
  const smart = parts.smart ?? [];

  const disks: InventoryDisk[] = (parts.blocks ?? []).filter(isTestableDisk).map((b) => {
    const s = smartFor(b, smart);
    return {
      name: b.name,
      path: b.path,
      serial: clip(b.serial ?? s?.serial),
      wwn: clip(b.wwn ?? s?.wwn),
      model: clip(b.model ?? s?.model),
      sizeBytes: b.sizeBytes,
      ...(b.rotational !== null ? { rotational: b.rotational } : {}),
      ...(b.removable !== null ? { removable: b.removable } : {}),
      transport: clip(b.transport),
      backingFile: b.type === 'loop' ? clip(b.backingFile ?? parts.loopBackingFiles?.[b.name] ?? null) : null,
    };
  });

  const nics: InventoryNic[] =
    parts.nics ??
    (lshw?.nics ?? [])
      .filter((n) => n.name !== null && n.mac !== null)
      .map((n) => ({ name: n.name!, mac: n.mac!, speedMbps: n.speedMbps, driver: n.driver, link: n.link }));

  const sockets = cpu?.sockets ?? 0;
  const candidate = {
    system: {
      manufacturer: clip(dmi?.system.manufacturer),
      product: clip(dmi?.system.product ?? lshw?.system.product),
      serial: clip(dmi?.system.serial ?? lshw?.system.serial),
      uuid: clip(dmi?.system.uuid),
    },
    bios: { vendor: clip(dmi?.bios.vendor), version: clip(dmi?.bios.version), date: clip(dmi?.bios.date) },
    ...(dmi?.bmcVersion ? { bmc: { version: clip(dmi.bmcVersion) } } : {}),
    cpu: {
      model: clip(cpu?.model),
      sockets,
      cores: sockets * (cpu?.coresPerSocket ?? 0),
      threads: cpu?.cpus ?? 0,
    },
    memory: { totalBytes: dmi?.memoryTotalBytes ?? lshw?.memoryBytes ?? parts.memTotalBytes ?? 0 },
    disks,
    nics,
    gpus: parts.gpus ?? [],
    missingTools: [...new Set(parts.missingTools)],
  };
  const parsed = Inventory.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ParseError('inventory', `merged inventory does not validate: ${issues.join('; ')}`);
  }
  return parsed.data;
}
