import { ParseError } from './parse-error.ts';

// Plain `dmidecode` text (3.4), also `dmidecode --from-dump FILE` and `-t system`.
// The text form is the one every dmidecode version prints the same way; records are
// "Handle 0x…, DMI type N, M bytes", a title line, then tab-indented "Key: Value" lines
// (list items indented by two tabs). Placeholder strings vendors leave in SMBIOS
// ("Not Specified", "To Be Filled By O.E.M." …) become null.

const TOOL = 'dmidecode';

export interface DmiRecord {
  handle: string;
  type: number;
  title: string;
  fields: Record<string, string>;
  /** Two-tab list items, keyed by the field they follow (e.g. "Characteristics"). */
  lists: Record<string, string[]>;
}

/**
 * What a memory device (SMBIOS type 17) is, decided from its array's "Use" (type 16) and its own
 * Type / Type Detail / Memory Technology:
 * - `flash`: in an array whose use is "Flash Memory", or of type Flash/ROM/EEPROM…: the BIOS ROM
 *   that older boards (Supermicro X8, Sun X4270 M2…) list beside the DIMMs as a 4096 kB "module";
 * - `persistent`: Optane/NVDIMM persistent memory ("Memory Technology" names it, Type is
 *   "Logical non-volatile device", or, on tables older than SMBIOS 3.2, Type Detail says
 *   Non-Volatile while other modules of the host do not): storage-class memory that the OS does
 *   not count as RAM in App Direct mode. A Non-Volatile type detail on every module says
 *   nothing: a Huawei RH2288 V3 in the corpus flags its plain Micron DDR4 RDIMMs that way;
 * - `other`: in an array used for video memory, cache memory or non-volatile RAM: not host RAM;
 * - `dram`: everything else (a "System Memory" array, an array of use "Other"/"Unknown", or none
 *   listed).
 * "Volatile Size" is deliberately NOT used to tell DRAM apart: real firmware prints
 * "Volatile Size: None" on plain DDR4/DDR5 DIMMs (Huawei TaiShan, ASRock Rack and Supermicro
 * boards in the hw-probe corpus), so that field alone would drop good DIMMs.
 */
export type DmiMemoryKind = 'dram' | 'persistent' | 'flash' | 'other';

export interface DmiMemoryDevice {
  /** As printed ("16 GB"). */
  size: string;
  sizeBytes: number;
  kind: DmiMemoryKind;
  locator: string | null;
  bankLocator: string | null;
  type: string | null;
  speed: string | null;
  manufacturer: string | null;
  serial: string | null;
  partNumber: string | null;
  /** "Memory Technology" (SMBIOS 3.2+): DRAM, Intel Optane DC persistent memory, NVDIMM-N … */
  technology: string | null;
  /** The owning array's "Use" (System Memory, Flash Memory …); null when the array is not listed. */
  arrayUse: string | null;
  /** "Volatile Size" / "Non-Volatile Size" where firmware gives a size (never "None"). */
  volatileSizeBytes: number | null;
  nonVolatileSizeBytes: number | null;
}

export interface DmiInfo {
  system: { manufacturer: string | null; product: string | null; serial: string | null; uuid: string | null };
  bios: { vendor: string | null; version: string | null; date: string | null };
  baseboard?: { manufacturer: string | null; product: string | null; serial: string | null };
  chassis?: { manufacturer: string | null; type: string | null; serial: string | null; assetTag: string | null };
  /** Installed modules of every kind; empty slots ("No Module Installed") are left out. */
  memoryDevices: DmiMemoryDevice[];
  /**
   * The host's RAM: the sum of its installed DRAM modules only (not flash, not persistent
   * memory). Null when SMBIOS lists no DRAM module: the caller then falls back to the kernel's
   * /proc/meminfo. Mapped address ranges (type 19/20) are never summed instead: on real boards
   * they cover a few KiB of legacy windows as often as the RAM, so their sum is no memory size.
   */
  memoryTotalBytes: number | null;
  /** SMBIOS does not carry the BMC firmware version (ipmitool mc info does): always null here. */
  bmcVersion?: string | null;
  /** IPMI device (type 38) when present: proves a BMC exists. */
  ipmi?: { specVersion: string | null; interfaceType: string | null } | null;
  smbiosVersion: string | null;
  /** True when the table ran to "End Of Table" (a full dump, not cut short). */
  complete: boolean;
  records: DmiRecord[];
}

const PLACEHOLDERS = new Set(
  [
    'not specified', 'to be filled by o.e.m.', 'not settable', 'not present', 'not provided',
    'not available', 'unknown', 'none', 'default string', 'n/a', 'na', 'oem', 'o.e.m.',
    'no asset tag', 'empty', '0123456789', 'system serial number', 'system product name',
    'system manufacturer', 'system version', 'chassis serial number', 'base board serial number',
  ].map((s) => s.toLowerCase()),
);

/** Null for missing or placeholder values. */
export function dmiValue(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '' || PLACEHOLDERS.has(t.toLowerCase())) return null;
  return t;
}

const UNITS: Record<string, number> = { bytes: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** "16 GB" / "16384 MB" / "512 kB" → bytes (SMBIOS units are binary); null otherwise. */
export function dmiSizeBytes(v: string | null | undefined): number | null {
  if (!v) return null;
  const m = /^(\d+(?:\.\d+)?)\s*(bytes|kB|MB|GB|TB)$/i.exec(v.trim());
  if (!m?.[1] || !m[2]) return null;
  const mult = UNITS[m[2].toLowerCase()];
  return mult === undefined ? null : Math.round(Number(m[1]) * mult);
}

const FLASH_TYPES = /^(flash|rom|eeprom|feprom|eprom)$/i;

/**
 * See DmiMemoryKind for the reasoning; `use` is the owning array's Use, null when unknown;
 * `detailTells` is false when every installed module claims a Non-Volatile type detail.
 */
function memoryKind(r: DmiRecord, use: string | null, detailTells: boolean): DmiMemoryKind {
  const type = r.fields.Type?.trim() ?? '';
  if (use !== null && /flash/i.test(use)) return 'flash';
  if (FLASH_TYPES.test(type)) return 'flash';
  const tech = r.fields['Memory Technology'] ?? '';
  if (/persistent|nvdimm|optane/i.test(tech) || /non-volatile/i.test(type)) return 'persistent';
  if (detailTells && /non-volatile/i.test(r.fields['Type Detail'] ?? '')) return 'persistent';
  // "Other" and "Unknown" uses are left as DRAM: firmware that fills the field carelessly
  // should not make a host's real DIMMs vanish from its RAM total.
  if (use !== null && /video|cache|non-volatile/i.test(use)) return 'other';
  return 'dram';
}

export function parseDmidecodeRecords(text: string): { records: DmiRecord[]; smbiosVersion: string | null; complete: boolean } {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  const records: DmiRecord[] = [];
  let cur: DmiRecord | null = null;
  let lastKey: string | null = null;
  let smbiosVersion: string | null = null;
  let complete = false;
  for (const line of text.split(/\r?\n/)) {
    const handle = /^Handle (0x[0-9A-Fa-f]+), DMI type (\d+), \d+ bytes/.exec(line);
    if (handle?.[1] && handle[2]) {
      cur = { handle: handle[1], type: Number(handle[2]), title: '', fields: {}, lists: {} };
      records.push(cur);
      lastKey = null;
      continue;
    }
    const sm = /^SMBIOS (\d+\.\d+(?:\.\d+)?) present/.exec(line);
    if (sm?.[1]) smbiosVersion = sm[1];
    if (!cur) continue;
    if (line.trim() === '') {
      cur = null;
      continue;
    }
    if (!line.startsWith('\t')) {
      if (cur.title === '') {
        cur.title = line.trim();
        if (cur.type === 127 || cur.title === 'End Of Table') complete = true;
      }
      continue;
    }
    if (line.startsWith('\t\t')) {
      if (lastKey) (cur.lists[lastKey] ??= []).push(line.trim());
      continue;
    }
    const kv = /^\t([^:]+):\s?(.*)$/.exec(line);
    if (kv?.[1]) {
      lastKey = kv[1].trim();
      cur.fields[lastKey] = (kv[2] ?? '').trim();
    }
  }
  return { records, smbiosVersion, complete };
}

export function parseDmidecode(text: string): DmiInfo {
  const { records, smbiosVersion, complete } = parseDmidecodeRecords(text);
  if (records.length === 0) {
    const why = text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .slice(0, 2)
      .join(' / ');
    throw new ParseError(TOOL, `no SMBIOS records in output${why ? ` (${why.slice(0, 200)})` : ''}`);
  }
  const first = (type: number): DmiRecord | undefined => records.find((r) => r.type === type);
  const sys = first(1);
  const bios = first(0);
  if (!sys && !bios) throw new ParseError(TOOL, 'output has neither System (type 1) nor BIOS (type 0) information');
  const f = (r: DmiRecord | undefined, key: string): string | null => dmiValue(r?.fields[key]);

  const arrayUse = new Map<string, string | null>();
  for (const r of records.filter((x) => x.type === 16)) arrayUse.set(r.handle.toLowerCase(), f(r, 'Use'));
  // Installed modules: "No Module Installed" and "Unknown" sizes are empty slots.
  const installed = records.filter((x) => x.type === 17 && (dmiSizeBytes(x.fields.Size) ?? 0) > 0);
  const detailTells = !installed.every((r) => /non-volatile/i.test(r.fields['Type Detail'] ?? ''));
  const memoryDevices: DmiMemoryDevice[] = [];
  for (const r of installed) {
    const size = r.fields.Size ?? '';
    const sizeBytes = dmiSizeBytes(size)!;
    const handle = r.fields['Array Handle']?.trim().toLowerCase();
    const use = handle !== undefined && arrayUse.has(handle) ? arrayUse.get(handle)! : null;
    memoryDevices.push({
      size,
      sizeBytes,
      kind: memoryKind(r, use, detailTells),
      locator: f(r, 'Locator'),
      bankLocator: f(r, 'Bank Locator'),
      type: f(r, 'Type'),
      speed: f(r, 'Speed'),
      manufacturer: f(r, 'Manufacturer'),
      serial: f(r, 'Serial Number'),
      partNumber: f(r, 'Part Number'),
      technology: f(r, 'Memory Technology'),
      arrayUse: use,
      volatileSizeBytes: dmiSizeBytes(r.fields['Volatile Size']),
      nonVolatileSizeBytes: dmiSizeBytes(r.fields['Non-Volatile Size']),
    });
  }
  const dram = memoryDevices.filter((m) => m.kind === 'dram');
  const memoryTotalBytes = dram.length ? dram.reduce((s, m) => s + m.sizeBytes, 0) : null;

  const board = first(2);
  const chassis = first(3);
  const ipmi = first(38);
  const info: DmiInfo = {
    system: {
      manufacturer: f(sys, 'Manufacturer'),
      product: f(sys, 'Product Name'),
      serial: f(sys, 'Serial Number'),
      uuid: f(sys, 'UUID')?.toLowerCase() ?? null,
    },
    bios: { vendor: f(bios, 'Vendor'), version: f(bios, 'Version'), date: f(bios, 'Release Date') },
    memoryDevices,
    memoryTotalBytes,
    bmcVersion: null,
    ipmi: ipmi ? { specVersion: f(ipmi, 'Specification Version'), interfaceType: f(ipmi, 'Interface Type') } : null,
    smbiosVersion,
    complete,
    records,
  };
  if (board) info.baseboard = { manufacturer: f(board, 'Manufacturer'), product: f(board, 'Product Name'), serial: f(board, 'Serial Number') };
  if (chassis) {
    info.chassis = { manufacturer: f(chassis, 'Manufacturer'), type: f(chassis, 'Type'), serial: f(chassis, 'Serial Number'), assetTag: f(chassis, 'Asset Tag') };
  }
  return info;
}
