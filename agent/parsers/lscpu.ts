import { ParseError } from './parse-error.ts';
import { arr, isObject, num, parseJsonObject, str } from './util.ts';

// lscpu -J (util-linux 2.38): a list of {field: "Model name:", data: "…"} entries, flat
// here but nested under "children" in some builds (both are flattened). `lscpu -J -e`
// (the per-CPU table) is NOT valid JSON when a column has no value: util-linux 2.38 prints
// `"maxmhz": -` on VMs without cpufreq. Use plain `lscpu -J` for the summary; if the
// table is needed, parseLscpuExtendedJson repairs bare dashes to null before parsing.
//
// Plain `lscpu` text holds the same field/data pairs as "Field:   data" lines (indented
// under section headers in 2.37+), so parseLscpuText reads it into the same CpuInfo: the
// public hw-probe corpus is lscpu text, and a test shows both forms agree on real captures.
//
// Offline CPUs: "CPU(s)" counts every CPU the kernel knows, including ones taken offline
// (maxcpus=, nosmt, echo 0 > …/online, a failed bring-up). An offline CPU runs nothing, so it
// is not a thread the host has: `cpus` counts the "On-line CPU(s) list" and `offlineCpus`
// lists the rest, so a disabled core shows up by number instead of passing as present.

const TOOL = 'lscpu';

export interface CpuInfo {
  model: string | null;
  vendor: string | null;
  architecture: string | null;
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  /** Online logical CPUs: what the host can run on (threads). */
  cpus: number;
  /** lscpu's "CPU(s)": every CPU the kernel knows of, online or not. */
  cpusListed: number;
  /** CPU numbers from "Off-line CPU(s) list" (empty when every CPU is online). */
  offlineCpus: number[];
  maxMhz: number | null;
  /** Every field as lscpu printed it, without the trailing colon. */
  fields: Record<string, string>;
}

function flatten(entries: unknown[], out: Record<string, string>): void {
  for (const e of entries) {
    if (!isObject(e)) continue;
    const field = str(e.field)?.replace(/:$/, '');
    const data = str(e.data);
    if (field && data !== null && !(field in out)) out[field] = data;
    flatten(arr(e.children), out);
  }
}

function positiveInt(fields: Record<string, string>, ...names: string[]): number | null {
  for (const n of names) {
    const v = num(fields[n]);
    if (v !== null && Number.isInteger(v) && v > 0) return v;
  }
  return null;
}

/** The kernel's CPU list format ("0-3,8,10-11") as numbers; null when it is not one. */
export function parseCpuList(text: string | undefined): number[] | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(t)) return null;
  const out: number[] = [];
  for (const part of t.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    const last = b ?? a;
    // A list that claims more CPUs than any machine has is not a list we trust.
    if (last < a || last - a > 65_536 || out.length > 65_536) return null;
    for (let i = a; i <= last; i++) out.push(i);
  }
  return out;
}

function cpuInfoFromFields(fields: Record<string, string>): CpuInfo {
  const cpusListed = positiveInt(fields, 'CPU(s)');
  if (cpusListed === null) throw new ParseError(TOOL, 'no "CPU(s)" count in output');
  const online = parseCpuList(fields['On-line CPU(s) list']);
  const offlineCpus = parseCpuList(fields['Off-line CPU(s) list']) ?? [];
  const cpus = online && online.length > 0 ? online.length : Math.max(1, cpusListed - offlineCpus.length);
  const threadsPerCore = positiveInt(fields, 'Thread(s) per core') ?? 1;
  // ARM reports cores per cluster and may print "-" for sockets.
  const coresPerSocket = positiveInt(fields, 'Core(s) per socket', 'Core(s) per cluster') ?? Math.max(1, Math.floor(cpus / threadsPerCore));
  const sockets = positiveInt(fields, 'Socket(s)', 'Cluster(s)') ?? Math.max(1, Math.round(cpus / (coresPerSocket * threadsPerCore)));
  return {
    model: fields['Model name'] ?? null,
    vendor: fields['Vendor ID'] ?? null,
    architecture: fields.Architecture ?? null,
    sockets,
    coresPerSocket,
    threadsPerCore,
    cpus,
    cpusListed,
    offlineCpus,
    maxMhz: num(fields['CPU max MHz']),
    fields,
  };
}

export function parseLscpuJson(text: string): CpuInfo {
  const root = parseJsonObject(TOOL, text);
  if (!Array.isArray(root.lscpu)) throw new ParseError(TOOL, 'JSON has no "lscpu" list (was it run with -e? use plain lscpu -J)');
  const fields: Record<string, string> = {};
  flatten(root.lscpu, fields);
  return cpuInfoFromFields(fields);
}

/** Plain `lscpu` text ("Field:   data" lines); the same CpuInfo as parseLscpuJson. */
export function parseLscpuText(text: string): CpuInfo {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (text.trim() === '') throw new ParseError(TOOL, 'output is empty');
  if (/^\s*[{[]/.test(text)) throw new ParseError(TOOL, 'input is JSON, not lscpu text (use parseLscpuJson)');
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^:]+?):\s*(.*?)\s*$/.exec(line);
    if (!m?.[1]) continue;
    const [, field, data] = m;
    // Section headers ("Caches (sum of all):") carry no data; the first value of a field wins, as in JSON.
    if (data && !(field in fields)) fields[field] = data;
  }
  return cpuInfoFromFields(fields);
}

export interface LscpuCpuRow {
  cpu: number;
  core: number | null;
  socket: number | null;
  node: number | null;
  online: boolean | null;
  maxMhz: number | null;
}

/** `lscpu -J -e=CPU,CORE,SOCKET,NODE,ONLINE,MAXMHZ`, repairing the bare `-` values 2.38 emits. */
export function parseLscpuExtendedJson(text: string): LscpuCpuRow[] {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  const repaired = text.replace(/(":\s*)-(\s*[,}\n])/g, '$1null$2');
  const root = parseJsonObject(TOOL, repaired);
  if (!Array.isArray(root.cpus)) throw new ParseError(TOOL, 'JSON has no "cpus" list');
  return root.cpus.map((c, i) => {
    if (!isObject(c)) throw new ParseError(TOOL, `cpu row ${i} is not an object`);
    const cpu = num(c.cpu);
    if (cpu === null) throw new ParseError(TOOL, `cpu row ${i} has no cpu number`);
    return {
      cpu,
      core: num(c.core),
      socket: num(c.socket),
      node: num(c.node),
      online: typeof c.online === 'boolean' ? c.online : null,
      maxMhz: num(c.maxmhz),
    };
  });
}
