import { ParseError } from './parse-error.ts';
import { arr, isObject, num, parseJsonObject, str } from './util.ts';

// lscpu -J (util-linux 2.38): a list of {field: "Model name:", data: "…"} entries, flat
// here but nested under "children" in some builds (both are flattened). `lscpu -J -e`
// (the per-CPU table) is NOT valid JSON when a column has no value: util-linux 2.38 prints
// `"maxmhz": -` on VMs without cpufreq. Use plain `lscpu -J` for the summary; if the
// table is needed, parseLscpuExtendedJson repairs bare dashes to null before parsing.

const TOOL = 'lscpu';

export interface CpuInfo {
  model: string | null;
  vendor: string | null;
  architecture: string | null;
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  /** Logical CPUs. */
  cpus: number;
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

export function parseLscpuJson(text: string): CpuInfo {
  const root = parseJsonObject(TOOL, text);
  if (!Array.isArray(root.lscpu)) throw new ParseError(TOOL, 'JSON has no "lscpu" list (was it run with -e? use plain lscpu -J)');
  const fields: Record<string, string> = {};
  flatten(root.lscpu, fields);
  const cpus = positiveInt(fields, 'CPU(s)');
  if (cpus === null) throw new ParseError(TOOL, 'no "CPU(s)" count in output');
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
    maxMhz: num(fields['CPU max MHz']),
    fields,
  };
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
