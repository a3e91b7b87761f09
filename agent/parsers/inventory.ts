import { Inventory, type InventoryDisk, type InventoryGpu, type InventoryMemoryModule, type InventoryNic, type InventoryPciDevice } from '../../common/schema/inventory.ts';
import type { DmiInfo } from './dmidecode.ts';
import type { CpuInfo } from './lscpu.ts';
import type { BlockDevice } from './lsblk.ts';
import type { LshwInfo } from './lshw.ts';
import type { PciSysfsDevice } from '../sensors/pci-links.ts';
import type { PciDevice, PciVerboseDevice } from './lspci.ts';
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
  /** /proc/meminfo MemTotal in bytes: the memory size when SMBIOS lists no DRAM module. */
  memTotalBytes?: number | null;
  /** lspci -vmm -nn -k -D: the PCI device list with names. */
  pci?: PciDevice[] | null;
  /** lspci -vv -nn -D: adds each device's PCIe link (matched by address). */
  pciVerbose?: PciVerboseDevice[] | null;
  /** <sysfs>/bus/pci/devices: each function's link as the kernel keeps it, and the port above it. */
  pciSysfs?: PciSysfsDevice[] | null;
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

/** lspci leaves the domain out when every device is in domain 0000 (and without -D). */
export function pciAddress(slot: string): string {
  const t = slot.trim().toLowerCase();
  return /^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(t) ? `0000:${t}` : t;
}

/**
 * The RAM total and where it came from. SMBIOS DRAM modules first (what is installed, as a
 * spec lists it); when SMBIOS lists none (VMs, broken tables), the kernel's MemTotal, which
 * is what the OS can use (a little under the installed size: firmware and the kernel keep
 * some); lshw last, only when /proc could not be read. Never mapped address ranges (see
 * dmidecode.ts) and never persistent memory or the BIOS flash.
 */
function memoryOf(parts: InventoryParts): Inventory['memory'] {
  const modules: InventoryMemoryModule[] = (parts.dmi?.memoryDevices ?? [])
    .filter((m): m is typeof m & { kind: 'dram' | 'persistent' } => m.kind === 'dram' || m.kind === 'persistent')
    .map((m) => ({
      kind: m.kind,
      locator: clip(m.locator),
      bankLocator: clip(m.bankLocator),
      sizeBytes: m.sizeBytes,
      type: clip(m.type),
      speed: clip(m.speed),
      manufacturer: clip(m.manufacturer),
      serial: clip(m.serial),
      partNumber: clip(m.partNumber),
    }));
  const withModules = modules.length ? { modules } : {};
  if (parts.dmi?.memoryTotalBytes) return { totalBytes: parts.dmi.memoryTotalBytes, source: 'dmi-modules', ...withModules };
  if (parts.memTotalBytes) return { totalBytes: parts.memTotalBytes, source: 'meminfo', ...withModules };
  if (parts.lshw?.memoryBytes) return { totalBytes: parts.lshw.memoryBytes, source: 'lshw', ...withModules };
  return { totalBytes: 0, source: 'none', ...withModules };
}

/**
 * The -vmm list (names) with each device's link: the kernel's from sysfs where it has
 * one, else lspci -vv's. Functions only sysfs knows (lspci missing, or a test's tree)
 * are listed with their ids. With no -vmm list, the -vv list stands in for names.
 */
function pciOf(parts: InventoryParts): InventoryPciDevice[] | undefined {
  const verbose = new Map((parts.pciVerbose ?? []).map((v) => [pciAddress(v.slot), v]));
  const sysfs = new Map((parts.pciSysfs ?? []).map((d) => [d.address, d]));
  const named: InventoryPciDevice[] | undefined = parts.pci
    ? parts.pci.map((d) => {
        const v = verbose.get(pciAddress(d.slot));
        return {
          address: pciAddress(d.slot),
          class: clip(d.class),
          classId: d.classId,
          vendor: clip(d.vendor),
          vendorId: d.vendorId,
          device: clip(d.device),
          deviceId: d.deviceId,
          subsystemVendorId: d.svendorId,
          subsystemDeviceId: d.sdeviceId,
          rev: d.rev,
          driver: clip(d.driver ?? v?.driver),
          link: v?.link ?? null,
        };
      })
    : parts.pciVerbose?.map((v) => ({
        address: pciAddress(v.slot),
        class: clip(v.className),
        classId: v.classId,
        vendor: null,
        vendorId: v.vendorId,
        device: null,
        deviceId: v.deviceId,
        subsystemVendorId: null,
        subsystemDeviceId: null,
        rev: v.rev,
        driver: clip(v.driver),
        link: v.link,
      }));
  if (!named && sysfs.size === 0) return undefined;
  const out = (named ?? []).map((d): InventoryPciDevice => {
    const k = sysfs.get(d.address);
    if (!k) return d.link ? { ...d, linkSource: 'lspci' } : d;
    return { ...d, upstream: k.upstream, ...(k.link ? { link: { capable: k.link.max, current: k.link.current }, linkSource: 'sysfs' as const } : d.link ? { linkSource: 'lspci' as const } : {}) };
  });
  const listed = new Set(out.map((d) => d.address));
  for (const k of sysfs.values()) {
    if (listed.has(k.address)) continue;
    out.push({
      address: k.address,
      class: null,
      classId: k.classId,
      vendor: null,
      vendorId: k.vendorId,
      device: null,
      deviceId: k.deviceId,
      driver: null,
      upstream: k.upstream,
      link: k.link ? { capable: k.link.max, current: k.link.current } : null,
      ...(k.link ? { linkSource: 'sysfs' as const } : {}),
    });
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
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
  const pci = pciOf(parts);
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
      ...(cpu?.offlineCpus.length ? { offlineCpus: cpu.offlineCpus } : {}),
    },
    memory: memoryOf(parts),
    disks,
    nics,
    gpus: parts.gpus ?? [],
    ...(pci ? { pci } : {}),
    missingTools: [...new Set(parts.missingTools)],
  };
  const parsed = Inventory.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ParseError('inventory', `merged inventory does not validate: ${issues.join('; ')}`);
  }
  return parsed.data;
}
