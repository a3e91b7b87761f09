import { describe, expect, it } from 'vitest';
import { buildInventory } from '../inventory.ts';
import { parseLspciVerbose, parseLspciVmm } from '../lspci.ts';
import { corpusFiles, corpusSibling } from './corpus-files.ts';

// pciutils' own test dumps (config space of real boards and cards, `lspci -xxxx`), each with
// what Debian's lspci 3.9 prints for it through `lspci -F DUMP -vmm -nn -D` and `-vv -nn -D`
// (see README.md). The test decodes the config space bytes itself — ids, class and the PCI
// Express link registers — and the parsers must agree with it for every device.

const dumps = corpusFiles('pci');

interface Decoded {
  vendorId: string;
  deviceId: string;
  classId: string;
  /** From the PCI Express capability's Link Capabilities / Link Status registers, when in the dump. */
  link: { capable: { speedGTs: number | null; width: number }; current: { speedGTs: number | null; width: number } } | null;
}

const SPEEDS: Record<number, number> = { 1: 2.5, 2: 5, 3: 8, 4: 16, 5: 32, 6: 64 };

/** Decodes the hex dump lines ("00: 86 80 05 34 …") that follow each device header. */
function decode(dump: string): Map<string, Decoded> {
  const out = new Map<string, Decoded>();
  const blocks = dump.split(/\n(?=(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] )/);
  for (const b of blocks) {
    const head = /^((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) /.exec(b);
    if (!head?.[1]) continue;
    const cfg: number[] = [];
    for (const m of b.matchAll(/^([0-9a-f]{2,3}): ((?:[0-9a-f]{2} ?){16})$/gm)) {
      const base = Number.parseInt(m[1]!, 16);
      m[2]!.trim().split(' ').forEach((x, i) => (cfg[base + i] = Number.parseInt(x, 16)));
    }
    const byte = (o: number): number => cfg[o] ?? 0;
    const word = (o: number): number => byte(o) | (byte(o + 1) << 8);
    const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
    let link: Decoded['link'] = null;
    // Capability list (status bit 4), looking for the PCI Express capability (id 0x10).
    if (word(6) & 0x10) {
      for (let ptr = byte(0x34) & 0xfc, hops = 0; ptr && hops < 48; ptr = byte(ptr + 1) & 0xfc, hops++) {
        if (byte(ptr) !== 0x10 || cfg[ptr + 0x13] === undefined) continue;
        const type = (word(ptr + 2) >> 4) & 0xf;
        // Root-complex integrated endpoints and event collectors have no link (lspci prints none).
        if (type === 9 || type === 10) break;
        const cap = byte(ptr + 0x0c) | (byte(ptr + 0x0d) << 8);
        const sta = word(ptr + 0x12);
        link = {
          capable: { speedGTs: SPEEDS[cap & 0xf] ?? null, width: (cap >> 4) & 0x3f },
          current: { speedGTs: SPEEDS[sta & 0xf] ?? null, width: (sta >> 4) & 0x3f },
        };
        break;
      }
    }
    const address = head[1].length === 7 ? `0000:${head[1]}` : head[1];
    out.set(address, { vendorId: hex4(word(0)), deviceId: hex4(word(2)), classId: hex4(word(0x0a)), link });
  }
  return out;
}

describe('lspci over pciutils test dumps', () => {
  it('holds whole machines and single cards', () => {
    expect(dumps.length).toBeGreaterThanOrEqual(40);
    expect(dumps.map((d) => d.file)).toEqual(expect.arrayContaining(['tree-asus-p6t6.dump.gz', 'PCI-X-bridges-and-domains.dump.gz']));
  });

  it('both forms list every device of the dump with the ids and class its config space holds', () => {
    let devices = 0;
    for (const d of dumps) {
      const base = d.file.replace(/\.dump\.gz$/, '');
      const truth = decode(d.text);
      const vmm = parseLspciVmm(corpusSibling('pci', `${base}.vmmnnD.txt.gz`));
      const vv = parseLspciVerbose(corpusSibling('pci', `${base}.vvnnD.txt.gz`));
      // lspci sorts by address; a dump keeps the order it was taken in.
      const addresses = [...truth.keys()].sort();
      expect(vmm.map((x) => x.slot), base).toEqual(addresses);
      expect(vv.map((x) => x.slot), base).toEqual(addresses);
      for (const dev of vmm) {
        const t = truth.get(dev.slot)!;
        expect([dev.vendorId, dev.deviceId, dev.classId], `${base} ${dev.slot}`).toEqual([t.vendorId, t.deviceId, t.classId]);
      }
      for (const dev of vv) {
        const t = truth.get(dev.slot)!;
        expect([dev.vendorId, dev.deviceId, dev.classId], `${base} ${dev.slot}`).toEqual([t.vendorId, t.deviceId, t.classId]);
      }
      const inv = buildInventory({ pci: vmm, pciVerbose: vv, missingTools: [] });
      expect(inv.pci?.length, base).toBe(truth.size);
      devices += truth.size;
    }
    expect(devices).toBeGreaterThan(150);
  });

  it('reads each PCI Express link as the Link Capabilities and Link Status registers hold it', () => {
    let links = 0;
    let downgraded = 0;
    for (const d of dumps) {
      const base = d.file.replace(/\.dump\.gz$/, '');
      const truth = decode(d.text);
      for (const dev of parseLspciVerbose(corpusSibling('pci', `${base}.vvnnD.txt.gz`))) {
        const t = truth.get(dev.slot)!;
        if (!t.link) {
          expect(dev.link, `${base} ${dev.slot}`).toBeNull();
          continue;
        }
        expect(dev.link, `${base} ${dev.slot}`).toEqual(t.link);
        links++;
        const { capable, current } = t.link;
        if (current.width > 0 && (current.width < capable.width || (current.speedGTs ?? 0) < (capable.speedGTs ?? 0))) downgraded++;
      }
    }
    expect(links).toBeGreaterThan(40);
    // Real dumps include links trained below what they can do: the case the link check is for.
    expect(downgraded).toBeGreaterThan(0);
  });
});
