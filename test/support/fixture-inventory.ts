import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../common/schema/index.ts';
import { buildInventory } from '../../agent/parsers/inventory.ts';
import { parseDmidecode } from '../../agent/parsers/dmidecode.ts';
import { parseLscpuJson } from '../../agent/parsers/lscpu.ts';
import { parseLsblkJson } from '../../agent/parsers/lsblk.ts';
import { parseSmartctlJson } from '../../agent/parsers/smartctl.ts';

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
