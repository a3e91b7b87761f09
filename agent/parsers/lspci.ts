import { ParseError } from './parse-error.ts';

// Two forms of lspci output, both from pciutils 3.9:
//
// 1. lspci -vmm / -vmmnnk / -vmmnnkD: the inventory's device list. Records of "Tag:\tValue" lines separated
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
  // pci.ids has no name for the id: -nn prints the bare word "Device [0d57]", which is no name.
  if (m) return { name: m[1] && m[1] !== 'Device' ? m[1] : null, id: m[2]!.toLowerCase() };
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

// 2. lspci -vv -nn -D: the human form, read only for what -vmm lacks, the PCI Express link
// ("LnkCap:" = what the link can do, "LnkSta:" = what it trained at). The header line's
// names cannot be split into vendor and device without pci.ids ("Advanced Micro Devices,
// Inc. [AMD] Starship/Matisse Root Complex [1022:1480]"), so names come from -vmm; this form
// gives the slot, class and ids to match records by and to count devices. Reading the
// capabilities needs root (the agent is root); without it lspci prints no Lnk* lines and
// every link is null. Judging a link (trained below its capability) is SpecValidate's job.

export interface PciLinkState {
  /** GT/s per lane (2.5, 5, 8, 16, 32 …); null when lspci prints "unknown". */
  speedGTs: number | null;
  /** Lanes (x1 … x16); 0 is what a link that is down reports. */
  width: number | null;
}

export interface PciLink {
  capable: PciLinkState;
  current: PciLinkState;
}

export interface PciVerboseDevice {
  slot: string;
  className: string | null;
  classId: string | null;
  vendorId: string | null;
  deviceId: string | null;
  rev: string | null;
  driver: string | null;
  modules: string[];
  /** Null for devices without a PCI Express capability (or when lspci could not read it). */
  link: PciLink | null;
}

const HEADER = /^((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]) (.*?)(?: \[([0-9a-fA-F]{4})\])?: (.*)$/;

function linkState(text: string): PciLinkState {
  const speed = /Speed (\d+(?:\.\d+)?)GT\/s/.exec(text);
  const width = /Width x(\d+)/.exec(text);
  return { speedGTs: speed?.[1] ? Number(speed[1]) : null, width: width?.[1] ? Number(width[1]) : null };
}

/** Parses `lspci -vv -nn [-D] [-k]` text: one record per device, with its PCIe link when shown. */
export function parseLspciVerbose(text: string): PciVerboseDevice[] {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (text.trim() === '') throw new ParseError(TOOL, 'output is empty');
  const out: PciVerboseDevice[] = [];
  let cur: (PciVerboseDevice & { cap?: string; sta?: string }) | null = null;
  const finish = (): void => {
    if (!cur) return;
    const { cap, sta, ...dev } = cur;
    out.push(cap !== undefined || sta !== undefined ? { ...dev, link: { capable: linkState(cap ?? ''), current: linkState(sta ?? '') } } : dev);
    cur = null;
  };
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const h = HEADER.exec(line);
      // stderr noise that some callers merge in (libkmod warnings) is not a device.
      if (!h?.[1]) {
        if (/^lspci: /.test(line)) continue;
        throw new ParseError(TOOL, `line ${i + 1} is neither a device header nor an indented detail: "${line.slice(0, 120)}" (was lspci run with -vv?)`);
      }
      finish();
      const rest = h[4] ?? '';
      // The ids are the last "[vvvv:dddd]" before "(rev …)"; names may hold brackets ("[AMD]").
      const ids = [...rest.matchAll(/\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]/g)].at(-1);
      const rev = /\(rev ([0-9a-fA-F]{2})\)/.exec(rest);
      cur = {
        slot: h[1],
        className: h[2] ? h[2] : null,
        classId: h[3]?.toLowerCase() ?? null,
        vendorId: ids?.[1]?.toLowerCase() ?? null,
        deviceId: ids?.[2]?.toLowerCase() ?? null,
        rev: rev?.[1]?.toLowerCase() ?? null,
        driver: null,
        modules: [],
        link: null,
      };
      continue;
    }
    if (!cur) throw new ParseError(TOOL, `line ${i + 1} is a detail before any device header`);
    const t = line.trim();
    const drv = /^Kernel driver in use: (.+)$/.exec(t);
    if (drv?.[1]) cur.driver = drv[1].trim();
    const mods = /^Kernel modules: (.+)$/.exec(t);
    if (mods?.[1]) cur.modules = mods[1].split(',').map((m) => m.trim()).filter(Boolean);
    // "LnkCap:" / "LnkSta:" exactly: LnkCap2/LnkSta2 describe supported speeds and equalisation.
    const lnk = /^(LnkCap|LnkSta):\s(.*)$/.exec(t);
    if (lnk?.[1] === 'LnkCap' && cur.cap === undefined) cur.cap = lnk[2] ?? '';
    if (lnk?.[1] === 'LnkSta' && cur.sta === undefined) cur.sta = lnk[2] ?? '';
  }
  finish();
  if (out.length === 0) throw new ParseError(TOOL, 'no device records in output');
  return out;
}
