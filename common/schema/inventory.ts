import { z } from 'zod';

// The normalised inventory the agent's Inventory stage reports (its summary).
// The raw tool outputs travel separately as the inventory.json artifact; this is
// the part SpecValidate diffs and "capture spec" turns into an expected spec.

const str = z.string().max(512);
const optStr = str.nullable().optional();

export const InventoryDisk = z.object({
  /** Kernel name at collection time (sda, nvme0n1): for display only. */
  name: str,
  path: str,
  serial: optStr,
  wwn: optStr,
  model: optStr,
  sizeBytes: z.number().nonnegative(),
  rotational: z.boolean().optional(),
  removable: z.boolean().optional(),
  transport: optStr,
  /** For loop devices: the backing file, so test benches can name disks by it. */
  backingFile: optStr,
});
export type InventoryDisk = z.infer<typeof InventoryDisk>;

export const InventoryNic = z.object({
  name: str,
  mac: str,
  speedMbps: z.number().nonnegative().nullable().optional(),
  driver: optStr,
  link: z.boolean().nullable().optional(),
});
export type InventoryNic = z.infer<typeof InventoryNic>;

export const InventoryGpu = z.object({
  model: str,
  serial: optStr,
  uuid: optStr,
  busId: optStr,
  memoryMiB: z.number().nonnegative().nullable().optional(),
});
export type InventoryGpu = z.infer<typeof InventoryGpu>;

/** One installed memory module (SMBIOS type 17): DRAM, or persistent memory listed beside it. */
export const InventoryMemoryModule = z.object({
  /** dram counts toward memory.totalBytes; persistent (Optane, NVDIMM) is listed, not counted. */
  kind: z.enum(['dram', 'persistent']),
  locator: optStr,
  bankLocator: optStr,
  sizeBytes: z.number().nonnegative(),
  type: optStr,
  speed: optStr,
  manufacturer: optStr,
  serial: optStr,
  partNumber: optStr,
});
export type InventoryMemoryModule = z.infer<typeof InventoryMemoryModule>;

const gts = z.number().nonnegative().nullable();
const lanes = z.number().int().nonnegative().nullable();

/** One PCI function, as lspci names it (address with its domain, 0000:3b:00.0). */
export const InventoryPciDevice = z.object({
  address: str,
  class: optStr,
  /** Four hex digits (0200 = Ethernet controller). */
  classId: optStr,
  vendor: optStr,
  vendorId: optStr,
  device: optStr,
  deviceId: optStr,
  subsystemVendorId: optStr,
  subsystemDeviceId: optStr,
  rev: optStr,
  driver: optStr,
  /** PCI Express link from lspci -vv (absent for conventional PCI or when unreadable). */
  link: z
    .object({
      capable: z.object({ speedGTs: gts, width: lanes }),
      current: z.object({ speedGTs: gts, width: lanes }),
    })
    .nullable()
    .optional(),
});
export type InventoryPciDevice = z.infer<typeof InventoryPciDevice>;

export const Inventory = z.object({
  system: z.object({ manufacturer: optStr, product: optStr, serial: optStr, uuid: optStr }),
  bios: z.object({ vendor: optStr, version: optStr, date: optStr }),
  bmc: z.object({ version: optStr }).optional(),
  cpu: z.object({
    model: optStr,
    sockets: z.number().int().nonnegative(),
    /** Physical cores over all sockets. */
    cores: z.number().int().nonnegative(),
    /** Online logical CPUs (threads) over all sockets; offline CPUs are not counted. */
    threads: z.number().int().nonnegative(),
    /** CPU numbers the kernel lists as offline (present but running nothing). */
    offlineCpus: z.array(z.number().int().nonnegative()).max(65_536).optional(),
  }),
  memory: z.object({
    /** RAM: the sum of DRAM modules, else the kernel's MemTotal (see `source`). */
    totalBytes: z.number().nonnegative(),
    /** Where totalBytes came from: SMBIOS DRAM modules, /proc/meminfo, lshw, or nothing. */
    source: z.enum(['dmi-modules', 'meminfo', 'lshw', 'none']).optional(),
    /** Installed modules (DRAM and persistent memory; the BIOS flash is not a module). */
    modules: z.array(InventoryMemoryModule).max(1024).optional(),
  }),
  disks: z.array(InventoryDisk).max(1024),
  nics: z.array(InventoryNic).max(256),
  gpus: z.array(InventoryGpu).max(64),
  /** PCI functions from lspci (absent in inventories taken before lspci was parsed). */
  pci: z.array(InventoryPciDevice).max(4096).optional(),
  /** Tools that were missing or failed; Inventory tolerates optional ones. */
  missingTools: z.array(str).max(64).default([]),
});
export type Inventory = z.infer<typeof Inventory>;
