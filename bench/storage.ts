import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { storageStage } from '../agent/stages/storage/index.ts';
import { runTool, type ToolRunner } from '../agent/runtime/tool-runner.ts';
import { fakeContext } from '../agent/testing/fake-context.ts';
import { summaryOf } from '../agent/testing/summary-of.ts';
import { Cleanup, loopDevice, tempDir } from '../agent/testing/host-fixtures.ts';
import { median } from './stats.ts';
import type { Figure } from './table.ts';

// Benchmark 4: the agent's Storage stage (smoke profile) driven directly, as
// test/integration/agent-storage.test.ts does, on N real loop devices. Three
// timings over the same disks: the stage testing them all at once (what the
// agent does), the stage called once per disk one after another, and the
// physical floor — dd writing then reading, O_DIRECT and sequentially, as many
// bytes as the scan and fio moved. The stage's overhead is its wall time
// beyond the time during which a device tool (the scan's and the random I/O's
// fio, the hand-back's blkdiscard) was running, as timed by the agent's own
// tool runner. Needs root (losetup).

const DISK_MIB = 24;
const SCAN_MIB = 16; // the smoke profile's scan: the first 16 MiB, written once and read back once
/** Tools that work the device; the rest (identity, wipe-probe before and after) is the stage's overhead. */
const DEVICE_TOOLS = new Set(['fio', 'badblocks', 'blkdiscard']);

interface ToolSpan { tool: string; start: number; end: number; device: string }

/** The real tool runner, timing every call. */
function timedRunner(spans: ToolSpan[]): ToolRunner {
  return async (tool, args, opts) => {
    const start = performance.now();
    try {
      return await runTool(tool, args, opts);
    } finally {
      const end = performance.now();
      // The device a tool worked on, for the per-disk diagnostics (badblocks: an argument; fio: --filename=).
      const device = args.map((a) => a.replace(/^--filename=/, '')).find((a) => a.startsWith('/dev/')) ?? '';
      spans.push({ tool, start, end, device });
    }
  };
}

/** Milliseconds during which at least one of the spans was running. */
function coveredMs(spans: ToolSpan[]): number {
  const s = [...spans].sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -1;
  let curEnd = -1;
  for (const x of s) {
    if (x.start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = x.start;
      curEnd = x.end;
    } else curEnd = Math.max(curEnd, x.end);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/**
 * Where the stage's non-tool time went (diagnostics only; the overhead figure
 * is wall − toolMs): before the first device tool (gatesMs, of which the
 * wipe-probe's wipefs/blkid ran probeMs), after the last one (tailMs, the
 * hand-back's wipe-probe), and the longest wait of a disk between the end of
 * its scan and the start of its random-I/O fio (gapMs).
 */
interface StageRun { wallMs: number; toolMs: number; ioBytes: number; gatesMs: number; probeMs: number; tailMs: number; gapMs: number }

async function runStage(disks: { file: string; dev: string }[], workDir: string): Promise<StageRun> {
  const spans: ToolSpan[] = [];
  const ctx = { ...fakeContext({ stage: 'Storage', welcome: { expectedDisks: disks.map((d) => `loop:${d.file}`), deviceAllowlist: ['/dev/loop'] }, workDir }), runTool: timedRunner(spans) };
  const t0 = performance.now();
  const r = await storageStage.run(ctx);
  const wallMs = performance.now() - t0;
  // Correctness: every disk passed, each with a clean scan, a fio result and a clean hand-back.
  if (r.outcome !== 'passed') throw new Error(`Storage stage on ${disks.length} disk(s) gave ${r.outcome}: ${r.message}`);
  const tested = summaryOf('Storage', r).disks ?? [];
  if (tested.length !== disks.length || tested.some((d) => d.outcome !== 'passed' || d.verifiedScan?.badBlocks !== 0 || !(d.fio && d.fio.iops > 0) || !d.handBack?.clean)) {
    throw new Error(`Storage stage summary does not show ${disks.length} clean disk(s): ${JSON.stringify(tested)}`);
  }
  const heavy = spans.filter((s) => DEVICE_TOOLS.has(s.tool));
  const perDisk = (tool: string) => heavy.filter((h) => h.tool === tool).length / disks.length;
  // Per disk: the scan (both passes in one fio) and the random I/O are two fio runs; the hand-back one blkdiscard.
  if (perDisk('fio') !== 2 || perDisk('blkdiscard') !== 1) throw new Error(`expected 2 fio and 1 blkdiscard per disk, saw ${heavy.map((s) => s.tool).join(', ')}`);
  // Bytes moved: the scan's span written and read once, plus what the random-I/O fio reports.
  let ioBytes = 0;
  for (const d of disks) {
    const fio = JSON.parse(ctx.artifacts.get(`fio-${d.dev.slice(5)}.json`) ?? '{"jobs":[]}') as { jobs: { read: { io_bytes: number }; write: { io_bytes: number } }[] };
    ioBytes += fio.jobs.reduce((n, j) => n + j.read.io_bytes + j.write.io_bytes, 0);
    ioBytes += 2 * Math.min(DISK_MIB, SCAN_MIB) * 1024 ** 2;
  }
  // The safety gates (identity, device facts, wipefs, blkid) run before the first destructive tool.
  const gatesMs = Math.min(...heavy.map((h) => h.start)) - t0;
  const probeMs = coveredMs(spans.filter((s) => (s.tool === 'wipefs' || s.tool === 'blkid') && s.start < t0 + gatesMs));
  const tailMs = t0 + wallMs - Math.max(...heavy.map((h) => h.end));
  let gapMs = 0;
  for (const d of disks) {
    // The scan's fio comes first on each disk, then its random-I/O fio.
    const fios = heavy.filter((h) => h.tool === 'fio' && h.device === d.dev).sort((a, b) => a.start - b.start);
    if (fios.length === 2) gapMs = Math.max(gapMs, fios[1]!.start - fios[0]!.end);
  }
  return { wallMs, toolMs: coveredMs(heavy), ioBytes, gatesMs, probeMs, tailMs, gapMs };
}

/** dd writes then reads `bytes` on each device in turn, 1 MiB blocks, O_DIRECT, 16 MiB per pass. */
function ddFloorMs(devs: string[], bytesPerDev: number): number {
  const passes = Math.max(1, Math.ceil(bytesPerDev / 2 / (16 * 1024 ** 2)));
  const script = devs
    .map((d) => `for i in $(seq ${passes}); do dd if=/dev/zero of=${d} bs=1M count=16 oflag=direct status=none; done; for i in $(seq ${passes}); do dd if=${d} of=/dev/null bs=1M count=16 iflag=direct status=none; done`)
    .join('; ');
  const t0 = performance.now();
  execFileSync('sh', ['-c', `set -e; ${script}`], { stdio: 'ignore' });
  return performance.now() - t0;
}

export async function benchStorage(diskCount: number, repeats: number): Promise<Figure[]> {
  if (process.getuid?.() !== 0) throw new Error('the storage benchmark needs root (loop devices)');
  const cleanup = new Cleanup();
  try {
    const dir = tempDir(cleanup, 'vetting-bench-storage-');
    const disks = Array.from({ length: diskCount }, (_, i) => loopDevice(cleanup, dir, `d${i}.img`, DISK_MIB));
    const work = join(dir, 'work');
    // Each round: the stage once per disk, one after another; then the stage on
    // all of them at once, as the agent runs it. The median round is reported,
    // since other work on a small machine can stall any single round.
    const rounds: { serialMs: number; serialTools: number; par: StageRun }[] = [];
    for (let i = 0; i < repeats; i++) {
      let serialMs = 0;
      let serialTools = 0;
      for (const d of disks) {
        const r = await runStage([d], work);
        serialMs += r.wallMs;
        serialTools += r.toolMs;
      }
      rounds.push({ serialMs, serialTools, par: await runStage(disks, work) });
    }
    const serialMs = median(rounds.map((r) => r.serialMs));
    const serialOverhead = median(rounds.map((r) => (r.serialMs - r.serialTools) / r.serialTools));
    const serialTools = median(rounds.map((r) => r.serialTools));
    const med = (key: keyof StageRun) => median(rounds.map((r) => r.par[key]));
    const par: StageRun = { wallMs: med('wallMs'), toolMs: med('toolMs'), ioBytes: rounds[0]!.par.ioBytes, gatesMs: med('gatesMs'), probeMs: med('probeMs'), tailMs: med('tailMs'), gapMs: med('gapMs') };
    const overhead = median(rounds.map((r) => (r.par.wallMs - r.par.toolMs) / r.par.toolMs));
    const floorMs = ddFloorMs(disks.map((d) => d.dev), par.ioBytes / diskCount);
    const tag = `storage ${diskCount} disk${diskCount > 1 ? 's' : ''}`;
    const check = `verdict passed every time, ${diskCount} clean disk(s), ${(par.ioBytes / 1024 ** 2).toFixed(0)} MiB moved; median of ${repeats} rounds`;
    const figures: Figure[] = [
      { name: `${tag}: parallel stage wall time`, value: par.wallMs / 1000, unit: 's', baseline: serialMs / 1000, baselineLabel: 'same disks one after another', ratio: par.wallMs / serialMs, target: diskCount >= 2 ? '≤ 0.6 × serial' : null, met: diskCount >= 2 ? par.wallMs / serialMs <= 0.6 : null, check },
      { name: `${tag}: parallel stage vs physical floor`, value: par.wallMs / 1000, unit: 's', baseline: floorMs / 1000, baselineLabel: 'dd write+read of the same bytes, disk after disk', ratio: par.wallMs / floorMs, target: null, met: null },
      { name: `${tag}: stage overhead over scan+fio+discard (parallel)`, value: overhead * 100, unit: '%', baseline: par.toolMs / 1000, baselineLabel: 's with a device tool running', ratio: par.wallMs / par.toolMs, target: '≤ 5 %', met: overhead <= 0.05, check: `medians: ${par.gatesMs.toFixed(0)} ms of safety gates before the first scan (wipefs/blkid running for ${par.probeMs.toFixed(0)} ms of it), ${par.tailMs.toFixed(0)} ms after the last device tool (the hand-back's wipe-probe), longest wait of a disk between its scan and its fio ${par.gapMs.toFixed(1)} ms` },
    ];
    if (diskCount === 1) figures.splice(0, 1, { ...figures[0]!, name: `${tag}: stage wall time`, ratio: par.wallMs / serialMs });
    else figures.push({ name: `${tag}: stage overhead over scan+fio+discard (serial)`, value: serialOverhead * 100, unit: '%', baseline: serialTools / 1000, baselineLabel: 's with a device tool running', ratio: serialMs / serialTools, target: '≤ 5 %', met: serialOverhead <= 0.05 });
    return figures;
  } finally {
    cleanup.run();
  }
}
