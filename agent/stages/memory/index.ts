import { mkdir, readFile, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { notTested, tested, type CoverageEntry } from '../../../common/schema/coverage.ts';
import type { StageSummaryInput } from '../../../common/stages/index.ts';
import { formatBytes } from '../../../common/format.ts';
import { parseDmidecode, type DmiMemoryDevice } from '../../parsers/dmidecode.ts';
import { lastKernelLogStampS, machineCheckText, parseMachineChecks, type MachineCheck } from '../../parsers/kernel-log.ts';
import { ParseError } from '../../parsers/parse-error.ts';
import { errorText } from '../../runtime/logger.ts';
import { ToolInfraError, throwIfCancelled, toolExists } from '../../runtime/tool-runner.ts';
import { stressNgExitMeaning } from '../cpu-stress/index.ts';
import { parseStressNgYaml } from '../cpu-stress/stress-ng.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { smbiosModuleFor } from './dimm-identity.ts';
import { readEdac, type EdacController, type EdacDimm } from './edac.ts';
import { parseStressapptest } from './stressapptest.ts';
import { meminfoBytes } from '../../parsers/meminfo.ts';

// Memory: stressapptest over most of the free memory for the profile's duration
// (stress-ng vm --verify where stressapptest is missing), with the kernel's own
// error accounting read before and after: the EDAC counters per DIMM (through the
// sensor root, so tests feed a tree) and the machine checks in the kernel log. A
// DIMM whose errors ECC corrects passes any pattern test, so the counters decide:
//   any uncorrected error since boot                        → failed
//   corrected errors since boot above the profile's maximum → failed
//   any corrected error counted during the load             → failed
//   a machine check in the kernel log                       → failed
// and each names the DIMM by its EDAC label and location, with the serial SMBIOS
// gives the same slot. No EDAC driver: ECC is "not tested", and the stage says so.

type Summary = StageSummaryInput<'Memory'>;
type DimmRow = Summary['dimms'][number];

const MiB = 1024 * 1024;
const MIN_BYTES = 16 * MiB;
const MEMORY = { kind: 'memory', id: 'memory', label: 'memory' } as const;
const ECC = { kind: 'memory', id: 'ECC', label: 'memory ECC' } as const;
const MCE_LOG = { kind: 'system', id: 'machine-check log', label: 'machine checks (kernel log)' } as const;
const PATTERN_CHECK = 'pattern test under load';
const ECC_CHECK = 'ECC error counters under load';

interface Plan {
  bytes: number;
  threads: number;
}

/**
 * The profile's share of available memory (at least 16 MiB, so a small share on a
 * small host still tests something), never more than available minus the headroom,
 * in whole MiB; 0 when not even 16 MiB fit.
 */
export function planMemoryTest(memAvailable: number, logicalCpus: number, p: StageContext['params']['memory']): Plan {
  const share = Math.max(MIN_BYTES, Math.floor((memAvailable * p.memoryPercent) / 100));
  const afterHeadroom = memAvailable - p.memoryHeadroomMiB * MiB;
  const bytes = Math.floor(Math.max(0, Math.min(share, afterHeadroom)) / MiB) * MiB;
  return { bytes: bytes >= MIN_BYTES ? bytes : 0, threads: Math.max(1, Math.floor(logicalCpus)) };
}

/** "DIMM_A1 (mc0 channel 0 slot 0, serial S14DIMM0001)": what a technician looks for on the board. */
function dimmName(d: EdacDimm, serial: string | null): string {
  const where = [`${d.mc} ${d.location}`.trim(), serial ? `serial ${serial}` : null].filter(Boolean).join(', ');
  return `${d.label || d.location} (${where})`;
}

export interface MemoryVerdictInput {
  before: EdacController[];
  after: EdacController[];
  modules: readonly DmiMemoryDevice[];
  maxCorrectedSinceBoot: number;
}

/** Per DIMM and per unattributed count: what the counters say, and the faults they show. */
export function judgeEdac(input: MemoryVerdictInput): { rows: DimmRow[]; unattributed: NonNullable<Summary['unattributed']>; faults: string[]; dimms: { dimm: EdacDimm; serial: string | null; failed: boolean }[] } {
  const beforeByKey = new Map(input.before.flatMap((c) => c.dimms).map((d) => [d.key, d]));
  const faults: string[] = [];
  const rows: DimmRow[] = [];
  const dimms: { dimm: EdacDimm; serial: string | null; failed: boolean }[] = [];
  for (const d of input.after.flatMap((c) => c.dimms)) {
    const serial = smbiosModuleFor(d.label, input.modules)?.serial ?? null;
    const was = beforeByKey.get(d.key);
    const ceBefore = was?.corrected ?? d.corrected;
    const ue = d.uncorrected ?? 0;
    const name = dimmName(d, serial);
    const mine: string[] = [];
    if (ue > 0) mine.push(`DIMM ${name}: ${ue} uncorrected ECC error(s) since boot`);
    if (d.corrected > ceBefore) mine.push(`DIMM ${name}: ${d.corrected - ceBefore} corrected ECC error(s) during the load`);
    else if (d.corrected > input.maxCorrectedSinceBoot) mine.push(`DIMM ${name}: ${d.corrected} corrected ECC error(s) since boot (allowed ${input.maxCorrectedSinceBoot})`);
    faults.push(...mine);
    dimms.push({ dimm: d, serial, failed: mine.length > 0 });
    rows.push({
      dimm: (d.label || d.key).slice(0, 200),
      location: `${d.mc} ${d.location}`.slice(0, 200),
      serial,
      sizeBytes: d.sizeMiB === null ? null : d.sizeMiB * MiB,
      correctedBefore: ceBefore,
      corrected: d.corrected,
      maxCorrected: Math.min(input.maxCorrectedSinceBoot, ceBefore),
      uncorrected: ue,
      maxUncorrected: 0,
      outcome: mine.length > 0 ? 'failed' : 'passed',
    });
  }
  const beforeUnattributed = new Map(input.before.flatMap((c) => c.unattributed).map((u) => [u.where, u]));
  const unattributed = input.after.flatMap((c) => c.unattributed);
  for (const u of unattributed) {
    const ceBefore = beforeUnattributed.get(u.where)?.corrected ?? 0;
    if (u.uncorrected > 0) faults.push(`${u.where}: ${u.uncorrected} uncorrected ECC error(s) since boot`);
    if (u.corrected > ceBefore) faults.push(`${u.where}: ${u.corrected - ceBefore} corrected ECC error(s) during the load`);
    else if (u.corrected > input.maxCorrectedSinceBoot) faults.push(`${u.where}: ${u.corrected} corrected ECC error(s) since boot (allowed ${input.maxCorrectedSinceBoot})`);
  }
  return { rows, unattributed, faults, dimms };
}

interface LoadResult {
  tool: 'stressapptest' | 'stress-ng';
  exitCode: number | null;
  elapsedS: number | null;
  movedBytes: number | null;
  miscompares: number | null;
  /** Why the hardware failed the load (miscompares), empty when it did not. */
  faults: string[];
  /** Why the load could not give a verdict (set: the stage is an error, unless the counters failed it). */
  problem: { kind: string; text: string } | null;
}

async function runStressapptest(ctx: StageContext, plan: Plan, durationS: number, signal: AbortSignal): Promise<LoadResult> {
  const args = ['-s', String(Math.max(1, Math.round(durationS))), '-M', String(plan.bytes / MiB), '-m', String(plan.threads), '-W'];
  const started = Date.now();
  try {
    const res = await ctx.runTool('stressapptest', args, { timeoutMs: (durationS * 2 + 540) * 1000, signal });
    await ctx.artifact('stressapptest.txt', `$ stressapptest ${args.join(' ')}\nexit ${res.exitCode}\n${res.stdout}${res.stderr ? `\n--- stderr ---\n${res.stderr}` : ''}`);
    const r = parseStressapptest(res.stdout);
    const base = { tool: 'stressapptest' as const, exitCode: res.exitCode, elapsedS: r.seconds ?? (Date.now() - started) / 1000, movedBytes: r.movedBytes, miscompares: r.hardwareIncidents };
    if (r.hardwareFault) {
      return { ...base, faults: [`stressapptest found ${r.hardwareIncidents ?? 'some'} hardware incident(s)${r.hardwareErrors[0] ? `, first: ${r.hardwareErrors[0].slice(0, 300)}` : ''}`], problem: null };
    }
    if (r.status === 'pass' && res.exitCode === 0) return { ...base, faults: [], problem: null };
    const why = r.processErrors.length ? r.processErrors.join('; ') : `stressapptest exited ${res.exitCode} without a verdict`;
    return { ...base, faults: [], problem: { kind: 'stressapptest', text: why.slice(0, 1000) } };
  } catch (err) {
    throwIfCancelled(err);
    if (!(err instanceof ToolInfraError || err instanceof ParseError)) throw err;
    return { tool: 'stressapptest', exitCode: null, elapsedS: (Date.now() - started) / 1000, movedBytes: null, miscompares: null, faults: [], problem: { kind: err instanceof ToolInfraError ? err.kind : 'unreadable', text: err.message } };
  }
}

/** stress-ng's vm stressors with --verify: a weaker pattern test, used where stressapptest is missing. */
async function runStressNg(ctx: StageContext, plan: Plan, durationS: number, signal: AbortSignal): Promise<LoadResult> {
  const yamlFile = join(ctx.paths.workDir, `memory-stress-ng-${process.pid}-${Date.now()}.yaml`);
  await mkdir(ctx.paths.workDir, { recursive: true });
  const args = ['--vm', String(plan.threads), '--vm-bytes', String(plan.bytes), '--verify', '-t', `${Math.max(1, Math.round(durationS))}s`, '--metrics-brief', '--yaml', yamlFile];
  const started = Date.now();
  try {
    const res = await ctx.runTool('stress-ng', args, { timeoutMs: (durationS * 2 + 540) * 1000, signal });
    await ctx.artifact('memory-stress-ng.txt', `$ stress-ng ${args.join(' ')}\nexit ${res.exitCode}\n--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`);
    const yaml = await readFile(yamlFile, 'utf8').catch(() => '');
    let elapsedS = (Date.now() - started) / 1000;
    try {
      const vm = yaml ? parseStressNgYaml(yaml).metrics.find((m) => m.stressor === 'vm') : undefined;
      if (vm?.realTimeS) elapsedS = vm.realTimeS;
    } catch {
      // the wall clock stands in for unreadable metrics
    }
    const meaning = stressNgExitMeaning(res.exitCode);
    // stress-ng says that verification failed, not how often: no miscompare count.
    const base = { tool: 'stress-ng' as const, exitCode: res.exitCode, elapsedS, movedBytes: null, miscompares: null };
    if (meaning.verdict === 'failed') return { ...base, faults: [`stress-ng vm --verify: ${meaning.text}`], problem: null };
    if (meaning.verdict === 'error') return { ...base, faults: [], problem: { kind: 'stress-ng', text: meaning.text } };
    return { ...base, faults: [], problem: null };
  } catch (err) {
    throwIfCancelled(err);
    if (!(err instanceof ToolInfraError)) throw err;
    return { tool: 'stress-ng', exitCode: null, elapsedS: (Date.now() - started) / 1000, movedBytes: null, miscompares: null, faults: [], problem: { kind: err.kind, text: err.message } };
  } finally {
    await rm(yamlFile, { force: true });
  }
}

/** The kernel log's text, or why it could not be read. */
async function kernelLog(ctx: StageContext): Promise<{ text: string } | { problem: string }> {
  try {
    const res = await ctx.runTool('dmesg', [], { timeoutMs: 60_000, signal: ctx.signal });
    if (res.exitCode !== 0) return { problem: `dmesg exited ${res.exitCode}: ${res.stderr.trim().split('\n')[0] ?? ''}`.trim() };
    return { text: res.stdout };
  } catch (err) {
    throwIfCancelled(err);
    if (!(err instanceof ToolInfraError)) throw err;
    return { problem: err.message };
  }
}

/** SMBIOS memory devices (for serials), or none when dmidecode is missing or the host has no SMBIOS. */
async function smbiosModules(ctx: StageContext): Promise<DmiMemoryDevice[]> {
  try {
    const res = await ctx.runTool('dmidecode', [], { timeoutMs: 60_000, signal: ctx.signal });
    return res.exitCode === 0 ? parseDmidecode(res.stdout).memoryDevices : [];
  } catch (err) {
    throwIfCancelled(err);
    if (!(err instanceof ToolInfraError || err instanceof ParseError)) throw err;
    return [];
  }
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'Memory'>> {
  const p = ctx.params.memory;
  const meminfo = await readFile(join(ctx.paths.procRoot, 'meminfo'), 'utf8').catch(() => '');
  const avail = meminfoBytes(meminfo, 'MemAvailable');
  const memTotal = meminfoBytes(meminfo, 'MemTotal');
  if (avail === null) {
    const why = 'cannot read MemAvailable from /proc/meminfo';
    return { outcome: 'error', message: why, summary: { infraError: 'meminfo', problems: [why] }, coverage: [notTested(MEMORY, PATTERN_CHECK, why, true)] };
  }
  const plan = planMemoryTest(avail, cpus().length, p);

  ctx.progress({ percent: 0, message: 'reading EDAC counters, the kernel log and SMBIOS' });
  const edacBefore = await readEdac(ctx.paths.sysfsRoot);
  const logBefore = await kernelLog(ctx);
  const modules = await smbiosModules(ctx);
  const stampBefore = 'text' in logBefore ? lastKernelLogStampS(logBefore.text) : null;

  const useStressapptest = await toolExists('stressapptest');
  const load = new AbortController();
  const onAbort = () => load.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  const what = `${useStressapptest ? 'stressapptest' : 'stress-ng vm --verify'} over ${formatBytes(plan.bytes)}`;
  const ticker = setInterval(() => {
    const elapsed = (Date.now() - started) / 1000;
    ctx.progress({ percent: Math.min(99, (elapsed / p.durationS) * 100), etaS: Math.max(0, p.durationS - elapsed), message: what });
  }, 1000);
  let result: LoadResult | null = null;
  try {
    if (plan.bytes > 0) result = useStressapptest ? await runStressapptest(ctx, plan, p.durationS, load.signal) : await runStressNg(ctx, plan, p.durationS, load.signal);
  } finally {
    clearInterval(ticker);
    ctx.signal.removeEventListener('abort', onAbort);
  }

  const edacAfter = await readEdac(ctx.paths.sysfsRoot);
  const logAfter = await kernelLog(ctx);
  ctx.progress({ percent: 100, message: 'counters read' });

  // Machine checks: any in the log fails; those after the first reading happened during the load.
  let checks: MachineCheck[] = [];
  let logProblem: string | null = 'problem' in logAfter ? logAfter.problem : null;
  if ('text' in logAfter) {
    try {
      checks = parseMachineChecks(logAfter.text);
    } catch (err) {
      logProblem = errorText(err);
    }
  }
  const mceRows = checks.map((m) => ({ atS: m.atS, duringLoad: stampBefore !== null && m.atS !== null && m.atS > stampBefore, uncorrected: m.uncorrected, text: machineCheckText(m) }));
  const edac = edacAfter.length > 0;
  const judged = judgeEdac({ before: edacBefore, after: edacAfter, modules, maxCorrectedSinceBoot: p.maxCorrectedSinceBoot });

  const faults = [
    ...judged.faults,
    ...(result?.faults ?? []),
    ...mceRows.map((m) => `machine check${m.duringLoad ? ' during the load' : ' in the kernel log'}: ${m.text}`),
  ];
  const movedGB = result?.movedBytes != null ? Math.round((result.movedBytes / 1e9) * 100) / 100 : null;
  const elapsedS = result?.elapsedS != null ? Math.round(result.elapsedS * 100) / 100 : null;
  const summary: Summary = {
    tool: result?.tool ?? (useStressapptest ? 'stressapptest' : 'stress-ng'),
    threads: plan.threads,
    bytesTested: plan.bytes,
    memTotalBytes: memTotal,
    durationS: p.durationS,
    elapsedS,
    movedGB,
    bandwidthGBps: movedGB !== null && elapsedS ? Math.round((movedGB / elapsedS) * 100) / 100 : null,
    miscompares: result?.miscompares ?? null,
    exitCode: result?.exitCode ?? null,
    edac,
    controllers: edacAfter.map((c) => `${c.mc}${c.name ? ` ${c.name}` : ''}`.slice(0, 200)),
    maxCorrectedSinceBoot: p.maxCorrectedSinceBoot,
    dimms: judged.rows,
    ...(judged.unattributed.length ? { unattributed: judged.unattributed } : {}),
    machineChecks: mceRows,
  };

  // Coverage: the pattern test over the memory it was given; ECC per DIMM EDAC names; the log.
  const coverage: CoverageEntry[] = [];
  const loadRan = result !== null && result.problem === null;
  if (plan.bytes === 0) coverage.push(notTested(MEMORY, PATTERN_CHECK, 'too little free memory for a pattern test beside the live image', true));
  else if (!loadRan) coverage.push(notTested(MEMORY, PATTERN_CHECK, `${result?.tool ?? 'the load'} did not finish: ${result?.problem?.text ?? 'unknown'}`, true));
  else {
    const extent = memTotal && memTotal >= plan.bytes ? { done: plan.bytes, total: memTotal, unit: 'bytes' as const } : undefined;
    coverage.push(tested(MEMORY, PATTERN_CHECK, { reason: `${result!.tool} over ${formatBytes(plan.bytes)} for ${p.durationS} s (the live image keeps the rest)`, ...(extent ? { extent } : {}) }));
  }
  const eccWhy = `no EDAC driver is loaded for this memory controller (${ctx.paths.sysfsRoot}/devices/system/edac/mc has no mc*): corrected and uncorrected memory errors cannot be read, so ECC was not tested`;
  if (!edac) coverage.push(notTested(ECC, ECC_CHECK, eccWhy, true));
  else if (judged.dimms.length === 0) coverage.push(tested(ECC, ECC_CHECK, { reason: `counted per memory controller only (${summary.controllers.join(', ')}): EDAC names no DIMM` }));
  for (const d of judged.dimms) {
    const id = d.serial ?? `${d.dimm.mc} ${d.dimm.label || d.dimm.location}`;
    coverage.push(tested({ kind: 'dimm', id: id.slice(0, 256), label: dimmName(d.dimm, d.serial).slice(0, 256) }, ECC_CHECK));
  }
  if (logProblem) coverage.push(notTested(MCE_LOG, 'machine checks', `the kernel log could not be read: ${logProblem}`, true));
  else coverage.push(tested(MCE_LOG, 'machine checks'));

  const eccText = edac
    ? `ECC: ${judged.dimms.length} DIMM(s) on ${edacAfter.length} controller(s)${judged.faults.length ? '' : ', no errors'}`
    : 'memory ECC NOT TESTED: no EDAC driver loaded';
  const loadText =
    plan.bytes === 0
      ? 'no pattern test: too little free memory'
      : result?.problem
        ? `${result.tool} did not finish (${result.problem.text})`
        : movedGB !== null
          ? `${result!.tool} moved ${movedGB} GB in ${elapsedS} s over ${formatBytes(plan.bytes)}${result!.faults.length ? '' : ', no miscompares'}`
          : `${result!.tool} over ${formatBytes(plan.bytes)} for ${elapsedS} s${result!.faults.length ? '' : ', no verification failures'}`;
  const mceText = logProblem ? `kernel log not read (${logProblem})` : mceRows.length ? `${mceRows.length} machine check(s)` : 'no machine checks';

  if (faults.length > 0) {
    return { outcome: 'failed', message: `${faults.join('; ')} — ${loadText}; ${mceText}`.slice(0, 4096), summary, coverage };
  }
  if (plan.bytes === 0 || result?.problem) {
    const why = plan.bytes === 0 ? 'too little free memory for a pattern test' : `${result!.tool} did not finish: ${result!.problem!.text}`;
    return { outcome: 'error', message: `${why}; ${eccText}; ${mceText}`.slice(0, 4096), summary: { ...summary, infraError: result?.problem?.kind ?? 'memory' }, coverage };
  }
  if (logProblem) {
    return { outcome: 'error', message: `${loadText}; ${eccText}; ${mceText}`.slice(0, 4096), summary: { ...summary, infraError: 'dmesg' }, coverage };
  }
  return { outcome: 'passed', message: `${loadText}; ${eccText}; ${mceText}`.slice(0, 4096), summary, coverage };
}

export const memoryStage: StageModule<'Memory'> = { name: 'Memory', run };
