import { parse as parseYaml } from 'yaml';
import { ParseError } from '../../parsers/parse-error.ts';
import { arr, isObject, num, str } from '../../parsers/util.ts';

// stress-ng 0.15.06. The stage runs
//   stress-ng --cpu N --vm M --vm-bytes P% -t T --metrics-brief --yaml FILE
// and gets per-stressor metrics twice: the YAML file and "metrc:" lines on stderr
// (stress-ng writes its log to stderr, not stdout). 0.15.06 ends with
// "successful run completed in 10.06s" (or "unsuccessful …"); later versions add
// "passed: N: cpu (2) …", "failed: …", "skipped: …", "metrics untrustworthy: …" lines,
// which are read when present (not seen in this version's output, so not fixture-tested).

const TOOL = 'stress-ng';

export interface StressMetric {
  stressor: string;
  bogoOps: number;
  realTimeS: number | null;
  usrTimeS: number | null;
  sysTimeS: number | null;
  bogoOpsPerSecReal: number | null;
  bogoOpsPerSecUsrSys: number | null;
  cpuUsagePerInstance?: number | null;
  maxRssKiB?: number | null;
}

export interface StressYaml {
  version: string | null;
  metrics: StressMetric[];
  system: { cpus: number | null; totalRamBytes: number | null; freeRamBytes: number | null };
}

export function parseStressNgYaml(text: string): StressYaml {
  if (typeof text !== 'string' || text.trim() === '') throw new ParseError(TOOL, 'YAML output is empty');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ParseError(TOOL, `YAML is invalid (truncated?): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (!isObject(doc)) throw new ParseError(TOOL, 'YAML is not a mapping (no system-info / metrics)');
  if (!Array.isArray(doc.metrics)) throw new ParseError(TOOL, 'YAML has no "metrics" list (was --metrics-brief given?)');
  const metrics = arr(doc.metrics).map((m, i): StressMetric => {
    if (!isObject(m)) throw new ParseError(TOOL, `metrics entry ${i} is not a mapping`);
    const stressor = str(m.stressor);
    const bogoOps = num(m['bogo-ops']);
    if (!stressor || bogoOps === null) throw new ParseError(TOOL, `metrics entry ${i} lacks stressor or bogo-ops`);
    return {
      stressor,
      bogoOps,
      realTimeS: num(m['wall-clock-time']),
      usrTimeS: num(m['user-time']),
      sysTimeS: num(m['system-time']),
      bogoOpsPerSecReal: num(m['bogo-ops-per-second-real-time']),
      bogoOpsPerSecUsrSys: num(m['bogo-ops-per-second-usr-sys-time']),
      cpuUsagePerInstance: num(m['cpu-usage-per-instance']),
      maxRssKiB: num(m['max-rss']),
    };
  });
  const sys = isObject(doc['system-info']) ? doc['system-info'] : {};
  return {
    version: str(sys['stress-ng-version']),
    metrics,
    system: { cpus: num(sys.cpus), totalRamBytes: num(sys.totalram), freeRamBytes: num(sys.freeram) },
  };
}

export interface StressStderr {
  metrics: StressMetric[];
  /** Stressor names per the passed/failed/skipped/untrustworthy summary lines (newer versions). */
  passed: string[];
  failed: string[];
  skipped: string[];
  untrustworthy: string[];
  /** From "successful/unsuccessful run completed in Xs"; null when the line is missing (killed). */
  successful: boolean | null;
  completedInS: number | null;
  /** "fail:" and "error:" lines, verbatim without the prefix. */
  errors: string[];
}

const PREFIX = /^stress-ng: (\w+):\s+\[\d+\]\s?(.*)$/;

/** "cpu (2) vm (1)" → ["cpu", "vm"]. */
function names(list: string | undefined): string[] {
  if (!list) return [];
  return [...list.matchAll(/([\w-]+) \(\d+\)/g)].map((m) => m[1]!);
}

export function parseStressNgStderr(text: string): StressStderr {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  const out: StressStderr = {
    metrics: [], passed: [], failed: [], skipped: [], untrustworthy: [], successful: null, completedInS: null, errors: [],
  };
  let sawStressNg = false;
  for (const line of text.split(/\r?\n/)) {
    const m = PREFIX.exec(line.trimEnd());
    if (!m) continue;
    sawStressNg = true;
    const [, level, body = ''] = m;
    if (level === 'metrc') {
      const row = /^([\w-]+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$/.exec(body.trim());
      if (row) {
        out.metrics.push({
          stressor: row[1]!,
          bogoOps: Number(row[2]),
          realTimeS: Number(row[3]),
          usrTimeS: Number(row[4]),
          sysTimeS: Number(row[5]),
          bogoOpsPerSecReal: Number(row[6]),
          bogoOpsPerSecUsrSys: Number(row[7]),
        });
      }
      continue;
    }
    if (level === 'fail' || level === 'error') out.errors.push(body.trim());
    const done = /^(successful|unsuccessful) run completed in ([\d.]+)\s*s/.exec(body.trim());
    if (done) {
      out.successful = done[1] === 'successful';
      out.completedInS = Number(done[2]);
    }
    const summary = /^(passed|failed|skipped|metrics untrustworthy): (\d+)(?::\s*(.*))?$/.exec(body.trim());
    if (summary) {
      const list = names(summary[3]);
      if (summary[1] === 'passed') out.passed = list;
      else if (summary[1] === 'failed') out.failed = list;
      else if (summary[1] === 'skipped') out.skipped = list;
      else out.untrustworthy = list;
    }
  }
  if (!sawStressNg && text.trim() !== '') {
    throw new ParseError(TOOL, `stderr has no "stress-ng: level: [pid]" lines: "${text.trim().split(/\r?\n/)[0]!.slice(0, 160)}"`);
  }
  return out;
}
