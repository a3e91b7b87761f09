import { z } from 'zod';
import { Inventory } from '../schema/inventory.ts';
import { BmcSnapshot } from './bmc.ts';
import { defineStage } from './define.ts';

export const inventoryStage = defineStage({
  name: 'Inventory',
  owner: 'agent',
  destructive: false,
  title: 'Collect DMI, CPU, PCI, disk and GPU inventory',
  paramsKey: 'inventory',
  params: z.object({ timeoutS: z.number().positive() }),
  // Every probe gets timeoutS; they run one after another, smartctl -i once per disk, and
  // three ipmitool reads of the BMC.
  timeoutS: (p) => p.timeoutS * 11,
  expectedS: () => 30,
  tools: [
    { binary: 'dmidecode', debianPackage: 'dmidecode', optional: true, why: 'system, board, BIOS and memory modules from SMBIOS' },
    { binary: 'lscpu', debianPackage: 'util-linux', why: 'CPU model, sockets, cores and threads' },
    { binary: 'lsblk', debianPackage: 'util-linux', why: 'block devices with serial and WWN' },
    { binary: 'lshw', debianPackage: 'lshw', optional: true, why: 'a second view of memory and devices' },
    { binary: 'lspci', debianPackage: 'pciutils', optional: true, why: 'PCI devices and their drivers' },
    { binary: 'smartctl', debianPackage: 'smartmontools', optional: true, why: 'disk identity (smartctl -i)' },
    { binary: 'nvidia-smi', debianPackage: 'nvidia-smi', optional: true, why: 'NVIDIA GPUs (GPU image flavour)' },
    { binary: 'ipmitool', debianPackage: 'ipmitool', optional: true, why: 'the BMC event log and sensors at the start of the run (the BMC stage compares with them)' },
  ],
  // Inventory describes the host; it tests nothing, so it claims no coverage.
  covers: [],
  summary: z.object({
    inventory: Inventory.meta({ title: 'Inventory' }),
    /** The BMC's event log and sensors read first thing in the run: the baseline the BMC stage is judged against. */
    bmcLog: BmcSnapshot.optional().meta({ title: 'BMC at the start of the run' }),
  }),
});
