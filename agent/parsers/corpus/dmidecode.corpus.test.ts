import { describe, expect, it } from 'vitest';
import { dmiSizeBytes, dmiValue, parseDmidecode } from '../dmidecode.ts';
import { buildInventory } from '../inventory.ts';
import { corpusFiles } from './corpus-files.ts';

// dmidecode text from real machines (hw-probe's linuxhw/DMI, sampled servers first; see
// README.md). For every report the parser must not throw, and what it says about the system
// and its memory must equal what this test reads out of the text on its own, record by record.

const files = corpusFiles('dmi');

interface Rec {
  type: number;
  handle: string;
  body: string;
}

/** Records as the test sees them: blocks separated by blank lines that start with "Handle". */
function records(text: string): Rec[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((b) => {
      const m = /^Handle (0x[0-9A-Fa-f]+), DMI type (\d+),/m.exec(b);
      return m ? { type: Number(m[2]), handle: m[1]!.toLowerCase(), body: b } : null;
    })
    .filter((r): r is Rec => r !== null);
}

const field = (r: Rec | undefined, key: string): string | undefined => {
  if (!r) return undefined;
  const m = new RegExp(`^\\t${key.replace(/[()]/g, '\\$&')}: ?(.*)$`, 'm').exec(r.body);
  return m?.[1];
};

/**
 * The test's own reading of "installed RAM": a module with a size that is not the BIOS flash
 * (a Flash Memory array, or type Flash/ROM) and not persistent memory (Optane/NVDIMM named in
 * Memory Technology, a non-volatile type, or a Non-Volatile type detail that not every module has).
 */
function expectedDram(text: string): number[] {
  const recs = records(text);
  const flashArrays = new Set(recs.filter((r) => r.type === 16 && /flash/i.test(field(r, 'Use') ?? '')).map((r) => r.handle));
  const otherArrays = new Set(recs.filter((r) => r.type === 16 && /video|cache|non-volatile/i.test(field(r, 'Use') ?? '')).map((r) => r.handle));
  const modules = recs.filter((x) => x.type === 17 && /^\d+ (kB|MB|GB|TB)$/.test((field(x, 'Size') ?? '').trim()));
  // A Non-Volatile type detail that every module claims is firmware noise, not persistent memory.
  const nvDetailMeansIt = !modules.every((r) => /non-volatile/i.test(field(r, 'Type Detail') ?? ''));
  const out: number[] = [];
  for (const r of modules) {
    const size = /^(\d+) (kB|MB|GB|TB)$/.exec((field(r, 'Size') ?? '').trim());
    if (!size) continue;
    const bytes = Number(size[1]) * { kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[size[2] as 'kB'];
    if (bytes === 0) continue;
    const array = (field(r, 'Array Handle') ?? '').trim().toLowerCase();
    if (flashArrays.has(array) || otherArrays.has(array)) continue;
    if (/^(flash|rom|eeprom|feprom|eprom)$/i.test((field(r, 'Type') ?? '').trim())) continue;
    if (/persistent|nvdimm|optane/i.test(field(r, 'Memory Technology') ?? '')) continue;
    if (/non-volatile/i.test(field(r, 'Type') ?? '')) continue;
    if (nvDetailMeansIt && /non-volatile/i.test(field(r, 'Type Detail') ?? '')) continue;
    out.push(bytes);
  }
  return out;
}

describe('dmidecode over the hw-probe DMI corpus sample', () => {
  it('holds a few hundred reports, servers first', () => {
    expect(files.length).toBeGreaterThanOrEqual(150);
    expect(files.filter((f) => f.corpusPath.startsWith('Server/')).length).toBeGreaterThanOrEqual(120);
  });

  it('parses every report and agrees with an independent reading of system, DIMMs and RAM', () => {
    for (const f of files) {
      const d = parseDmidecode(f.text);
      const sys = records(f.text).find((r) => r.type === 1);
      expect(d.system.manufacturer, f.corpusPath).toBe(dmiValue(field(sys, 'Manufacturer')));
      expect(d.system.product, f.corpusPath).toBe(dmiValue(field(sys, 'Product Name')));
      const dram = expectedDram(f.text);
      const parsed = d.memoryDevices.filter((m) => m.kind === 'dram');
      expect(parsed.map((m) => m.sizeBytes), f.corpusPath).toEqual(dram);
      expect(d.memoryTotalBytes, f.corpusPath).toBe(dram.length ? dram.reduce((a, b) => a + b, 0) : null);
    }
  });

  it('does not count the BIOS flash that old boards list as a 4096 kB module', () => {
    const flash = files.filter((f) => f.why.includes('flash-array'));
    expect(flash.length).toBeGreaterThanOrEqual(5);
    for (const f of flash) {
      const d = parseDmidecode(f.text);
      const rom = d.memoryDevices.filter((m) => m.kind === 'flash');
      expect(rom.length, f.corpusPath).toBeGreaterThan(0);
      expect(rom.every((m) => m.arrayUse === 'Flash Memory' && m.sizeBytes <= 16 * 1024 ** 2), f.corpusPath).toBe(true);
      // The RAM total is a whole number of MiB again: no 4 MiB ROM added to it.
      expect(d.memoryTotalBytes! % 1024 ** 3, f.corpusPath).toBe(0);
    }
  });

  it('lists Optane persistent memory beside the DIMMs without adding it to the RAM', () => {
    // The sampler's non-volatile rule also picks the Huawei RH2288 V3 whose plain RDIMMs all say
    // "Non-Volatile": it has no persistent memory, and its DIMMs must count (next test).
    const pmem = files.filter((f) => f.why.includes('persistent-memory') && !f.corpusPath.includes('RH2288'));
    expect(pmem.length).toBe(4);
    for (const f of pmem) {
      const d = parseDmidecode(f.text);
      const persistent = d.memoryDevices.filter((m) => m.kind === 'persistent');
      const dram = d.memoryDevices.filter((m) => m.kind === 'dram');
      expect(persistent.length, f.corpusPath).toBeGreaterThan(0);
      // Named by Memory Technology on SMBIOS 3.2 tables; an older Dell table only says "Non-Volatile".
      expect(persistent.every((m) => /optane|persistent/i.test(m.technology ?? '') || m.technology === null), f.corpusPath).toBe(true);
      // What summing every module would have claimed: several times the real RAM.
      const everything = d.memoryDevices.reduce((s, m) => s + m.sizeBytes, 0);
      expect(everything / d.memoryTotalBytes!, f.corpusPath).toBeGreaterThan(3);
      const inv = buildInventory({ dmi: d, memTotalBytes: 1, missingTools: [] });
      expect(inv.memory.totalBytes).toBe(dram.reduce((s, m) => s + m.sizeBytes, 0));
      expect(inv.memory.source).toBe('dmi-modules');
      expect(inv.memory.modules?.filter((m) => m.kind === 'persistent').length).toBe(persistent.length);
    }
  });

  it('counts plain RDIMMs that the firmware flags Non-Volatile on every module (Huawei RH2288 V3)', () => {
    const huawei = files.find((f) => f.corpusPath.includes('RH2288 V3'))!;
    const d = parseDmidecode(huawei.text);
    expect(d.memoryDevices.map((m) => [m.kind, m.sizeBytes, m.partNumber])).toEqual(Array(4).fill(['dram', 16 * 1024 ** 3, '36ASF2G72PZ-2G1A2']));
    expect(d.memoryTotalBytes).toBe(64 * 1024 ** 3);
  });

  it('keeps real DIMMs whose firmware says "Volatile Size: None" or an out-of-spec technology', () => {
    const odd = files.filter((f) => f.why.includes('dram-volatile-size-none') || f.why.includes('technology-out-of-spec'));
    expect(odd.length).toBeGreaterThanOrEqual(5);
    for (const f of odd) {
      const d = parseDmidecode(f.text);
      expect(d.memoryTotalBytes, f.corpusPath).toBeGreaterThanOrEqual(8 * 1024 ** 3);
    }
  });

  it('falls back to /proc/meminfo, not to address ranges, when no module is listed', () => {
    const none = files.filter((f) => f.why.includes('no-module-listed'));
    expect(none.length).toBeGreaterThanOrEqual(3);
    let withRanges = 0;
    for (const f of none) {
      const d = parseDmidecode(f.text);
      expect(d.memoryTotalBytes, f.corpusPath).toBeNull();
      const ranges = records(f.text).filter((r) => r.type === 19).map((r) => dmiSizeBytes(field(r, 'Range Size')) ?? 0);
      if (ranges.length) withRanges++;
      const inv = buildInventory({ dmi: d, memTotalBytes: 64 * 1024 ** 3, missingTools: [] });
      expect(inv.memory, f.corpusPath).toMatchObject({ totalBytes: 64 * 1024 ** 3, source: 'meminfo' });
    }
    // The sample holds such hosts whose mapped ranges exist (and would have been summed).
    expect(withRanges).toBeGreaterThan(0);
  });
});
