import { z } from 'zod';

// The normalised inventory the agent's Inventory stage reports (its summary).
// The raw tool outputs travel separately as the inventory.json artifact; this is
// the part SpecValidate diffs and "capture spec" turns into an expected spec.

const str = z.string().max(512);
const optStr = str.nullable().optional();

export const InventoryDisk = z.object({
  /** Kernel name at collection time (sda, nvme0n1): for display only. */
  name: str.meta({ title: 'Name' }),
  path: str.meta({ title: 'Device', partLabel: true }),
  serial: optStr.meta({ title: 'Serial', partId: true }),
  wwn: optStr.meta({ title: 'WWN' }),
  model: optStr.meta({ title: 'Model' }),
  sizeBytes: z.number().nonnegative().meta({ title: 'Size', format: 'bytes' }),
  rotational: z.boolean().optional().meta({ title: 'Rotational' }),
  removable: z.boolean().optional().meta({ title: 'Removable' }),
  transport: optStr.meta({ title: 'Transport' }),
  /** For loop devices: the backing file, so test benches can name disks by it. */
  backingFile: optStr.meta({ title: 'Backing file' }),
});
export type InventoryDisk = z.infer<typeof InventoryDisk>;

export const InventoryNic = z.object({
  name: str.meta({ title: 'Name', partLabel: true }),
  mac: str.meta({ title: 'MAC', partId: true }),
  speedMbps: z.number().nonnegative().nullable().optional().meta({ title: 'Speed', unit: 'Mbit/s', measure: true }),
  driver: optStr.meta({ title: 'Driver' }),
  link: z.boolean().nullable().optional().meta({ title: 'Link' }),
});
export type InventoryNic = z.infer<typeof InventoryNic>;

export const InventoryGpu = z.object({
  model: str.meta({ title: 'Model' }),
  serial: optStr.meta({ title: 'Serial', partId: true }),
  uuid: optStr.meta({ title: 'UUID' }),
  busId: optStr.meta({ title: 'PCI address' }),
  memoryMiB: z.number().nonnegative().nullable().optional().meta({ title: 'Memory', unit: 'MiB' }),
});
export type InventoryGpu = z.infer<typeof InventoryGpu>;

/** One installed memory module (SMBIOS type 17): DRAM, or persistent memory listed beside it. */
export const InventoryMemoryModule = z.object({
  /** dram counts toward memory.totalBytes; persistent (Optane, NVDIMM) is listed, not counted. */
  kind: z.enum(['dram', 'persistent']).meta({ title: 'Kind' }),
  locator: optStr.meta({ title: 'Slot', partLabel: true }),
  bankLocator: optStr.meta({ title: 'Bank' }),
  sizeBytes: z.number().nonnegative().meta({ title: 'Size', format: 'bytes' }),
  type: optStr.meta({ title: 'Type' }),
  speed: optStr.meta({ title: 'Speed' }),
  manufacturer: optStr.meta({ title: 'Manufacturer' }),
  serial: optStr.meta({ title: 'Serial', partId: true }),
  partNumber: optStr.meta({ title: 'Part number' }),
});
export type InventoryMemoryModule = z.infer<typeof InventoryMemoryModule>;

const gts = z.number().nonnegative().nullable();
const lanes = z.number().int().nonnegative().nullable();

/** One PCI function, as lspci names it (address with its domain, 0000:3b:00.0). */
export const InventoryPciDevice = z.object({
  address: str.meta({ title: 'Address', partId: true }),
  class: optStr.meta({ title: 'Class' }),
  /** Four hex digits (0200 = Ethernet controller). */
  classId: optStr.meta({ hidden: true }),
  vendor: optStr.meta({ title: 'Vendor' }),
  vendorId: optStr.meta({ hidden: true }),
  device: optStr.meta({ title: 'Device' }),
  deviceId: optStr.meta({ hidden: true }),
  subsystemVendorId: optStr.meta({ hidden: true }),
  subsystemDeviceId: optStr.meta({ hidden: true }),
  rev: optStr.meta({ hidden: true }),
  driver: optStr.meta({ title: 'Driver' }),
  /**
   * PCI Express link: the kernel's (sysfs current_link_* / max_link_*) where it has one,
   * else lspci -vv's LnkSta / LnkCap (absent for conventional PCI or when unreadable).
   */
  link: z
    .object({
      capable: z.object({ speedGTs: gts, width: lanes }),
      current: z.object({ speedGTs: gts, width: lanes }),
    })
    .nullable()
    .optional(),
  /** Where `link` came from: sysfs (with the topology in `upstream`) or lspci -vv. */
  linkSource: z.enum(['sysfs', 'lspci']).optional().meta({ hidden: true }),
  /** The port this function hangs off (sysfs topology); null below a host bridge. */
  upstream: optStr.meta({ hidden: true }),
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
    totalBytes: z.number().nonnegative().meta({ title: 'Total', format: 'bytes' }),
    /** Where totalBytes came from: SMBIOS DRAM modules, /proc/meminfo, lshw, or nothing. */
    source: z.enum(['dmi-modules', 'meminfo', 'lshw', 'none']).optional(),
    /** Installed modules (DRAM and persistent memory; the BIOS flash is not a module). */
    modules: z.array(InventoryMemoryModule).max(1024).optional().meta({ title: 'Memory modules', part: 'dimm' }),
  }),
  disks: z.array(InventoryDisk).max(1024).meta({ title: 'Disks', part: 'disk' }),
  nics: z.array(InventoryNic).max(256).meta({ title: 'NICs', part: 'nic' }),
  gpus: z.array(InventoryGpu).max(64).meta({ title: 'GPUs', part: 'gpu' }),
  /** PCI functions from lspci (absent in inventories taken before lspci was parsed). */
  pci: z.array(InventoryPciDevice).max(4096).optional().meta({ title: 'PCI devices', part: 'pci' }),
  /** Tools that were missing or failed; Inventory tolerates optional ones. */
  missingTools: z.array(str).max(64).default([]),
});
export type Inventory = z.infer<typeof Inventory>;
