import { ParseError } from './parse-error.ts';
import { arr, isObject, num, str, type JsonObject } from './util.ts';

// lshw -json (02.19): one tree of nodes {id, class, logicalname, serial, size, units,
// product, configuration{driver,link,speed}, children}. Some builds wrap the root in
// a list ("[ {…} ]"); both are accepted. lshw misses disks behind some controllers
// (in the live guest it lists the NVMe but not the AHCI disk): lsblk stays the source of
// truth for disks, lshw adds NICs and memory.

const TOOL = 'lshw';

export interface LshwNic {
  name: string | null;
  mac: string | null;
  speedMbps: number | null;
  driver: string | null;
  link: boolean | null;
  product: string | null;
  vendor: string | null;
  busInfo: string | null;
}

export interface LshwDisk {
  logicalName: string;
  serial: string | null;
  product: string | null;
  sizeBytes: number | null;
}

export interface LshwInfo {
  memoryBytes: number | null;
  nics: LshwNic[];
  disks: LshwDisk[];
  /** Root node's product/serial (from SMBIOS): a cross-check for dmidecode. */
  system: { product: string | null; vendor: string | null; serial: string | null };
}

function firstName(v: unknown): string | null {
  if (Array.isArray(v)) return str(v[0]);
  return str(v);
}

/** "1Gbit/s", "100Mbit/s", "10Gbit/s" → Mbit/s. */
function speedFromText(v: unknown): number | null {
  const s = str(v);
  const m = s ? /^(\d+(?:\.\d+)?)\s*([KMGT]?)bit\/s$/i.exec(s) : null;
  if (!m?.[1]) return null;
  const mult: Record<string, number> = { '': 1e-6, K: 1e-3, M: 1, G: 1e3, T: 1e6 };
  return Number(m[1]) * (mult[(m[2] ?? '').toUpperCase()] ?? 1);
}

export function parseLshwJson(text: string): LshwInfo {
  if (typeof text !== 'string' || text.trim() === '') throw new ParseError(TOOL, 'output is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ParseError(TOOL, `output is not valid JSON (truncated?): ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = Array.isArray(value) ? value[0] : value;
  if (!isObject(root) || str(root.class) === null) throw new ParseError(TOOL, 'JSON is not an lshw node tree (no root "class")');

  const nics: LshwNic[] = [];
  const disks: LshwDisk[] = [];
  let memoryBytes: number | null = null;

  const walk = (node: JsonObject, parent: JsonObject | null): void => {
    const cls = str(node.class);
    const id = str(node.id) ?? '';
    const conf = isObject(node.configuration) ? node.configuration : {};
    // A virtio NIC shows up twice: the PCI function (no name, no MAC) and its virtio child.
    if (cls === 'network' && (firstName(node.logicalname) !== null || str(node.serial) !== null)) {
      const bits = str(node.units) === 'bit/s' ? num(node.size) : null;
      const link = str(conf.link);
      nics.push({
        name: firstName(node.logicalname),
        mac: str(node.serial)?.toLowerCase() ?? null,
        speedMbps: bits !== null ? bits / 1e6 : speedFromText(conf.speed),
        driver: str(conf.driver),
        link: link === 'yes' ? true : link === 'no' ? false : null,
        product: str(node.product) ?? (parent && str(parent.class) === 'network' ? str(parent.product) : null),
        vendor: str(node.vendor) ?? (parent && str(parent.class) === 'network' ? str(parent.vendor) : null),
        busInfo: str(node.businfo) ?? (parent ? str(parent.businfo) : null),
      });
    } else if (cls === 'disk') {
      const name = firstName(node.logicalname);
      // Skip NVMe generic char devices (/dev/ng*) and hwmon links lshw lists as "disks".
      if (name?.startsWith('/dev/') && !name.startsWith('/dev/ng')) {
        disks.push({
          logicalName: name,
          serial: str(node.serial) ?? (parent && str(parent.class) === 'storage' ? str(parent.serial) : null),
          product: str(node.product) ?? (parent ? str(parent.product) : null),
          sizeBytes: str(node.units) === 'bytes' ? num(node.size) : null,
        });
      }
    } else if (cls === 'memory' && /^memory(:\d+)?$/.test(id)) {
      // "System Memory" nodes (memory, memory:0 …); firmware and caches have other ids.
      const size = num(node.size);
      if (size !== null) memoryBytes = (memoryBytes ?? 0) + size;
    }
    for (const c of arr(node.children)) if (isObject(c)) walk(c, node);
  };
  walk(root, null);

  return {
    memoryBytes,
    nics,
    disks,
    system: { product: str(root.product), vendor: str(root.vendor), serial: str(root.serial) },
  };
}
