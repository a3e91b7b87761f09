import { ParseError } from './parse-error.ts';

// lspci -vmm / -vmmnnk / -vmmnnkD (pciutils 3.9): records of "Tag:\tValue" lines separated
// by blank lines. With -nn every name carries its numeric id in brackets ("Intel
// Corporation [8086]"); without it only unnamed classes do ("Unassigned class [ffff]").
// -k adds Driver: and Module: (Module may repeat). On a host without /lib/modules, -k
// also prints "Unable to load libkmod resources" on stderr: harmless, ignore stderr.

const TOOL = 'lspci';

export interface PciDevice {
  slot: string;
  class: string | null;
  vendor: string | null;
  device: string | null;
  svendor: string | null;
  sdevice: string | null;
  rev: string | null;
  progIf: string | null;
  driver: string | null;
  module: string | null;
  modules: string[];
  classId: string | null;
  vendorId: string | null;
  deviceId: string | null;
  svendorId: string | null;
  sdeviceId: string | null;
  numaNode: number | null;
}

function splitId(v: string | undefined): { name: string | null; id: string | null } {
  if (v === undefined) return { name: null, id: null };
  const m = /^(.*?)\s*\[([0-9a-fA-F]{4,6})\]$/.exec(v.trim());
  if (m) return { name: m[1] ? m[1] : null, id: m[2]!.toLowerCase() };
  const t = v.trim();
  return { name: t === '' ? null : t, id: null };
}

export function parseLspciVmm(text: string): PciDevice[] {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (text.trim() === '') throw new ParseError(TOOL, 'output is empty');
  const out: PciDevice[] = [];
  const blocks = text.split(/\r?\n\s*\r?\n/).filter((b) => b.trim() !== '');
  for (const [i, block] of blocks.entries()) {
    const tags: Record<string, string> = {};
    const modules: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      const m = /^([A-Za-z]+):\t(.*)$/.exec(line);
      if (!m?.[1]) throw new ParseError(TOOL, `record ${i + 1}: line is not "Tag:<TAB>value": "${line.slice(0, 120)}" (was lspci run with -vmm?)`);
      if (m[1] === 'Module') modules.push(m[2]!.trim());
      else tags[m[1]] = m[2] ?? '';
    }
    const slot = tags.Slot?.trim();
    if (!slot) throw new ParseError(TOOL, `record ${i + 1} has no Slot`);
    const cls = splitId(tags.Class);
    const ven = splitId(tags.Vendor);
    const dev = splitId(tags.Device);
    const sven = splitId(tags.SVendor);
    const sdev = splitId(tags.SDevice);
    out.push({
      slot,
      class: cls.name,
      vendor: ven.name,
      device: dev.name,
      svendor: sven.name,
      sdevice: sdev.name,
      rev: tags.Rev?.trim() || null,
      progIf: tags.ProgIf?.trim() || null,
      driver: tags.Driver?.trim() || null,
      module: modules[0] ?? null,
      modules,
      classId: cls.id,
      vendorId: ven.id,
      deviceId: dev.id,
      svendorId: sven.id,
      sdeviceId: sdev.id,
      numaNode: tags.NUMANode !== undefined && /^\d+$/.test(tags.NUMANode.trim()) ? Number(tags.NUMANode.trim()) : null,
    });
  }
  return out;
}
