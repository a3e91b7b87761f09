import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../common/schema/index.ts';
import { buildInventory } from '../../agent/parsers/inventory.ts';
import { parseDmidecode } from '../../agent/parsers/dmidecode.ts';
import { parseLscpuJson } from '../../agent/parsers/lscpu.ts';
import { parseLsblkJson } from '../../agent/parsers/lsblk.ts';
import { parseSmartctlJson } from '../../agent/parsers/smartctl.ts';
import { parseLspciVerbose, parseLspciVmm } from '../../agent/parsers/lspci.ts';
import { readPciLinks } from '../../agent/sensors/pci-links.ts';
import { CAPTURED_PCI_SYSFS } from './fake-sysfs.ts';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'tool-outputs', 'qemu-guest');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

/**
 * The inventory of the QEMU lab guest, built by the real parsers from the real
 * tool outputs captured there: what a scripted agent reports in tests.
 */
export function qemuGuestInventory(): Inventory {
  return buildInventory({
    dmi: parseDmidecode(read('dmidecode.txt')),
    cpu: parseLscpuJson(read('lscpu.json')),
    blocks: parseLsblkJson(read('lsblk.json')),
    smart: [
      parseSmartctlJson(read('smartctl-j-a-nvme0.json'), 0),
      parseSmartctlJson(read('smartctl-j-a-sda.json'), 4),
      parseSmartctlJson(read('smartctl-j-a-sdb.json'), 0),
    ],
    missingTools: [],
  });
}

const FAULTS_LAB = join(import.meta.dirname, '..', '..', 'agent', 'parsers', 'captured', 'qemu-lab-2026-12-faults');

/**
 * The PCI part of an inventory from the QEMU guest captured for PCIe links: its lspci
 * outputs and a sysfs tree (the captured one, or a test's copy with a link changed),
 * merged by the real parsers as the Inventory stage merges them.
 */
export async function pciLabInventory(sysfsRoot = CAPTURED_PCI_SYSFS): Promise<Inventory> {
  const lab = (f: string) => readFileSync(join(FAULTS_LAB, f), 'utf8');
  return buildInventory({
    cpu: parseLscpuJson(read('lscpu.json')),
    pci: parseLspciVmm(lab('lspci-vmmnnkD.txt')),
    pciVerbose: parseLspciVerbose(lab('lspci-vvnnD.txt')),
    pciSysfs: await readPciLinks(sysfsRoot),
    missingTools: [],
  });
}
