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

export const Inventory = z.object({
  system: z.object({ manufacturer: optStr, product: optStr, serial: optStr, uuid: optStr }),
  bios: z.object({ vendor: optStr, version: optStr, date: optStr }),
  bmc: z.object({ version: optStr }).optional(),
  cpu: z.object({
    model: optStr,
    sockets: z.number().int().nonnegative(),
    /** Physical cores over all sockets. */
    cores: z.number().int().nonnegative(),
    /** Logical CPUs (threads) over all sockets. */
    threads: z.number().int().nonnegative(),
  }),
  memory: z.object({ totalBytes: z.number().nonnegative() }),
  disks: z.array(InventoryDisk).max(1024),
  nics: z.array(InventoryNic).max(256),
  gpus: z.array(InventoryGpu).max(64),
  /** Tools that were missing or failed; Inventory tolerates optional ones. */
  missingTools: z.array(str).max(64).default([]),
  /** Firmware files a driver asked for and the kernel could not load (from the kernel log; the image lacks them). */
  missingFirmware: z.array(z.object({ file: str, driver: optStr, device: optStr })).max(256).optional(),
});
export type Inventory = z.infer<typeof Inventory>;
