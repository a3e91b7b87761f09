import { ParseError } from '../../../parsers/parse-error.ts';
import { at, isObject, num, str } from '../../../parsers/util.ts';

// fio --output-format=json. fio 3.33 prints "fio: pid=…, err=…" lines on stdout before
// the JSON when a job fails (unless --output=FILE is used), so we parse from the first
// line that opens the JSON object and keep the junk lines as messages.

const TOOL = 'fio';

export interface FioJob {
  name: string;
  /** fio's per-job error number (an errno); 0 = no error. */
  error: number;
  readIops: number;
  writeIops: number;
  /** 99th percentile completion latency, milliseconds; null when no I/O of that kind completed. */
  readP99Ms: number | null;
  writeP99Ms: number | null;
  readBwBytes: number;
  writeBwBytes: number;
  readIos: number;
  writeIos: number;
  /** Bytes the job moved without an I/O error (fio's io_bytes). */
  readBytes: number;
  writeBytes: number;
  runtimeMs: number;
}

export interface FioResult {
  fioVersion: string | null;
  jobs: FioJob[];
  /** Read + write IOPS summed over all jobs. */
  totalIops: number;
  /** Worst read or write p99 over all jobs, ms; null when nothing completed. */
  p99Ms: number | null;
  /** Number of jobs whose error is not 0. */
  errors: number;
  /** Lines fio printed around the JSON (e.g. "fio: pid=…, err=1/…, error=Operation not permitted"). */
  messages: string[];
  /** How many JSON documents the output held (>1 with --status-interval; the last is used). */
  documents: number;
}

function p99Ms(dir: unknown): number | null {
  // clat is what fio's own summary shows; lat (slat+clat) only when clat is absent.
  for (const key of ['clat_ns', 'lat_ns']) {
    const stats = at(dir, key);
    if (!isObject(stats) || (num(stats.N) ?? 0) === 0) continue;
    const pct = at(stats, 'percentile');
    if (!isObject(pct)) continue;
    const v = num(pct['99.000000']) ?? num(pct['99.00']) ?? num(pct['99']);
    if (v !== null) return v / 1e6;
  }
  return null;
}

/**
 * Splits fio's output into its JSON documents. fio writes one document per run, or one per
 * --status-interval tick with the final one last; each starts with a line "{" and ends with
 * a line "}". Anything else (the "fio: pid=…" junk) is returned as messages.
 */
function splitJson(text: string): { docs: string[]; messages: string[]; open: boolean } {
  const docs: string[] = [];
  const messages: string[] = [];
  let cur: string[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (cur === null) {
      if (line.startsWith('{')) {
        cur = [line];
        if (line.trimEnd().endsWith('}') && line.trim() !== '{') {
          docs.push(line);
          cur = null;
        }
      } else if (line.trim() !== '') messages.push(line.trim());
    } else {
      cur.push(line);
      if (line.startsWith('}')) {
        docs.push(cur.join('\n'));
        cur = null;
      }
    }
  }
  if (cur !== null) docs.push(cur.join('\n'));
  return { docs, messages, open: cur !== null };
}

/**
 * The JSON part of an --output file. fio 3.33 writes every error it logs to
 * stderr and also into the --output file (log_err writes to both when they
 * differ), ahead of the JSON and not always ending in a newline (seen:
 * "fio: bad pattern blo{" with the JSON's brace glued to a message). The
 * report is the last document that starts with "fio version".
 */
export function fioJsonFromOutputFile(text: string): string {
  const key = text.lastIndexOf('"fio version"');
  if (key < 0) return text;
  const brace = text.lastIndexOf('{', key);
  return brace < 0 ? text : `${text.slice(0, brace).trimEnd()}\n${text.slice(brace)}`;
}

export function parseFioJson(text: string): FioResult {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  const { docs, messages, open } = splitJson(text);
  if (docs.length === 0) {
    const first = messages[0] ?? '';
    throw new ParseError(TOOL, first ? `no JSON object in output (first line: "${first.slice(0, 200)}")` : 'output is empty');
  }
  // With --status-interval the last document is the final result; if it is cut short the
  // run did not finish, and an earlier interval snapshot must not pass for the result.
  const json = docs[docs.length - 1]!;
  if (open && docs.length > 1) throw new ParseError(TOOL, 'the final JSON document is truncated (fio killed mid-write?)');
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch (err) {
    throw new ParseError(TOOL, `JSON is invalid (truncated?): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(root)) throw new ParseError(TOOL, 'JSON output is not an object');
  if (!Array.isArray(root.jobs)) throw new ParseError(TOOL, 'JSON has no "jobs" list');
  if (root.jobs.length === 0) throw new ParseError(TOOL, 'JSON "jobs" list is empty');

  const jobs: FioJob[] = root.jobs.map((j, i) => {
    if (!isObject(j)) throw new ParseError(TOOL, `job ${i} is not an object`);
    const error = num(j.error);
    if (error === null) throw new ParseError(TOOL, `job ${i} has no numeric "error" field`);
    return {
      name: str(j.jobname) ?? `job${i}`,
      error,
      readIops: num(at(j, 'read', 'iops')) ?? 0,
      writeIops: num(at(j, 'write', 'iops')) ?? 0,
      readP99Ms: p99Ms(j.read),
      writeP99Ms: p99Ms(j.write),
      readBwBytes: num(at(j, 'read', 'bw_bytes')) ?? 0,
      writeBwBytes: num(at(j, 'write', 'bw_bytes')) ?? 0,
      readIos: num(at(j, 'read', 'total_ios')) ?? 0,
      writeIos: num(at(j, 'write', 'total_ios')) ?? 0,
      readBytes: num(at(j, 'read', 'io_bytes')) ?? 0,
      writeBytes: num(at(j, 'write', 'io_bytes')) ?? 0,
      runtimeMs: num(j.job_runtime) ?? Math.max(num(at(j, 'read', 'runtime')) ?? 0, num(at(j, 'write', 'runtime')) ?? 0),
    };
  });

  const p99s = jobs.flatMap((j) => [j.readP99Ms, j.writeP99Ms]).filter((v): v is number => v !== null);
  return {
    fioVersion: str(root['fio version']),
    jobs,
    totalIops: jobs.reduce((s, j) => s + j.readIops + j.writeIops, 0),
    p99Ms: p99s.length ? Math.max(...p99s) : null,
    errors: jobs.filter((j) => j.error !== 0).length,
    messages,
    documents: docs.length,
  };
}

export interface FioStatus {
  /** Percent done, or null while fio shows "-.-%" (as it does for a verify_only pass). */
  percent: number | null;
  etaS: number | null;
  readIops: number | null;
  writeIops: number | null;
  /** Current read / write throughput in bytes per second, when the record shows it. */
  readBps: number | null;
  writeBps: number | null;
  /** The jobs' run states as fio prints them ("W(1)" writing, "V(1)" verifying, "_(1)" done…). */
  jobStates: string | null;
}

/**
 * One status record of `fio --eta=always [--eta-newline=N]` (printed on stdout while the
 * JSON goes to --output FILE), e.g.
 * `Jobs: 1 (f=1): [m(1)][66.7%][r=28.7MiB/s,w=29.2MiB/s][r=7342,w=7482 IOPS][eta 00m:03s]`.
 * Records are separated by "\r" as well as "\n": split a chunk on /[\r\n]+/ first.
 * Returns null for anything that is not a status record (e.g. the bare "Jobs: 1 (f=1)").
 */
export function parseFioStatusLine(line: string): FioStatus | null {
  if (typeof line !== 'string' || !line.includes('Jobs:')) return null;
  // A "\n"-split line can still hold several "\r"-separated records: the last one is current.
  if (/[\r\n]/.test(line)) return lastFioStatus(line);
  const pct = /\]\[([\d.]+|-\.-)%\]/.exec(line);
  const eta = /\[eta\s+(?:(\d+)d:)?(?:(\d+)h:)?(\d+)m:(\d+)s\]/.exec(line);
  if (!pct && !eta) return null;
  const percent = pct?.[1] && pct[1] !== '-.-' ? Number(pct[1]) : null;
  const etaS = eta
    ? Number(eta[1] ?? 0) * 86400 + Number(eta[2] ?? 0) * 3600 + Number(eta[3]) * 60 + Number(eta[4])
    : null;
  const iops = /\[r=([\d.]+[kKM]?),w=([\d.]+[kKM]?) IOPS\]/.exec(line);
  // Throughput: "[r=1286MiB/s,w=1025MiB/s]", or one direction only ("[w=746MiB/s]").
  const rate = /\[((?:[rwt]=[\d.]+[KMGTP]?i?B\/s,?)+)\]/.exec(line);
  const rates: Record<string, number> = {};
  for (const m of (rate?.[1] ?? '').matchAll(/([rwt])=([\d.]+)([KMGTP]?)(i?)B\/s/g)) {
    rates[m[1]!] = Number(m[2]) * (m[4] ? 1024 : 1000) ** ' KMGTP'.indexOf(m[3] || ' ');
  }
  const states = /^Jobs: [^[]*\[([^\]]+)\]/.exec(line.trim());
  return {
    percent: percent !== null && Number.isFinite(percent) ? percent : null,
    etaS,
    readIops: iops?.[1] ? siNumber(iops[1]) : null,
    writeIops: iops?.[2] ? siNumber(iops[2]) : null,
    readBps: rates.r ?? null,
    writeBps: rates.w ?? null,
    jobStates: states?.[1] ?? null,
  };
}

/** fio abbreviates large IOPS as 12.3k / 1.2M. */
function siNumber(s: string): number {
  const m = /^([\d.]+)([kKM]?)$/.exec(s);
  if (!m) return Number.NaN;
  const mult = m[2] === 'M' ? 1e6 : m[2] ? 1e3 : 1;
  return Number(m[1]) * mult;
}

/** The most recent status record in a chunk of fio's status output, or null. */
export function lastFioStatus(chunk: string): FioStatus | null {
  const records = chunk.split(/[\r\n]+/);
  for (let i = records.length - 1; i >= 0; i--) {
    const s = parseFioStatusLine(records[i] ?? '');
    if (s) return s;
  }
  return null;
}


/**
 * One I/O that failed, as fio 3.33 prints it on stderr with
 * `--continue_on_error=all --error_dump=1` (without --error_dump it counts the
 * error and says nothing about where it was):
 * `fio: io_u error on file /dev/loop1: Input/output error: read offset=33554432, buflen=1048576`.
 */
export interface FioIoFailure {
  kind: 'io';
  /** read, write, trim or sync, as fio names the direction. */
  direction: string;
  offset: number;
  length: number;
  error: string;
}

/**
 * One block that read back without error but not as written, as fio's verify prints it:
 * `verify: bad magic header bcda, wanted acca at file /dev/loop2 offset 41943040, length 4096
 * (requested block: offset=41943040, length=1048576)` or
 * `crc32c: verify failed at file /dev/loop0 offset 20971520, length 4096 (requested block: …)`.
 * `offset`/`length` are the failing verify interval; fio stops checking an I/O at its first
 * bad header, so the rest of the requested block is unknown until it is re-read.
 */
export interface FioVerifyFailure {
  kind: 'verify';
  offset: number;
  length: number;
  requestedOffset: number;
  requestedLength: number;
  /** fio's words for what was wrong ("bad magic header bcda, wanted acca", "crc32c: verify failed"). */
  detail: string;
}

const IO_FAILURE = /^fio: io_u error on file (.+?): (.+): (read|write|trim|sync|datasync) offset=(\d+), buflen=(\d+)/;
const VERIFY_FAILURE = /^(.*?)\s*at file (.+?) offset (\d+), length (\d+) \(requested block: offset=(\d+), length=(\d+)/;

/** An I/O failure or a verify failure from one line of fio's stderr, or null for any other line. */
export function parseFioErrorLine(line: string): FioIoFailure | FioVerifyFailure | null {
  if (typeof line !== 'string') return null;
  const text = line.trim();
  const io = IO_FAILURE.exec(text);
  if (io) return { kind: 'io', direction: io[3]!, offset: Number(io[4]), length: Number(io[5]), error: io[2]! };
  const v = VERIFY_FAILURE.exec(text);
  if (!v) return null;
  const requestedOffset = Number(v[5]);
  const requestedLength = Number(v[6]);
  let offset = Number(v[3]);
  let length = Number(v[4]);
  // verify=pattern prints a "length" read from the bad data itself (seen: 269488144 for a
  // 1 KiB read): an interval that does not lie inside the requested block means the block.
  if (!(offset >= requestedOffset && length > 0 && offset + length <= requestedOffset + requestedLength)) {
    offset = requestedOffset;
    length = requestedLength;
  }
  return { kind: 'verify', offset, length, requestedOffset, requestedLength, detail: v[1]!.replace(/:$/, '') || 'verify failed' };
}
