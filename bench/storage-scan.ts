import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runVerifiedScan } from '../agent/stages/storage/verified-scan.ts';
import { runBadblocksScan } from '../agent/stages/storage/badblocks-scan.ts';
import type { BadRange } from '../agent/stages/storage/bad-ranges.ts';
import { runTool } from '../agent/runtime/tool-runner.ts';
import { Cleanup, eioLoopDevice, sh, tempDir } from '../agent/testing/host-fixtures.ts';
import { median } from './stats.ts';
import type { Figure } from './table.ts';

// Benchmark 4b: the surface scan. On one loop-backed disk, in the same run and
// on the same bytes: the verified scan (the stage's default: one fio write pass
// and one verifying read pass), `badblocks -svw` exactly as the stage runs it
// (surface: badblocks), and the physical floor — dd writing then reading the
// same bytes with O_DIRECT. The loop device does direct I/O to a fully
// written (not sparse) file on the machine's disk, so every I/O reaches the
// disk rather than the page cache. Then each scan on a FUSE-served disk with a
// planted bad range, once unreadable and once returning flipped bits: a scan
// that misses the range, or names another, makes its row WRONG. Needs root.

const MiB = 1024 ** 2;
/** 64 KiB at 8 MiB + 4 KiB of a 16 MiB disk: aligned neither to 1 MiB I/Os nor to badblocks' chunks. */
const PLANTED = { start: 8 * MiB + 4096, length: 64 * 1024, diskBytes: 16 * MiB };

const quiet = { progress: () => {}, upload: () => {} };
const common = { iodepth: 32, timeoutMs: 3600_000, runTool, signal: new AbortController().signal, ...quiet };

function disk(dev: string, sizeBytes: number) {
  return { path: dev, name: dev.slice(5), sizeBytes, logicalBlockSize: Number(sh('blockdev', ['--getss', dev])) };
}

async function timeVerified(dev: string, size: number, workDir: string): Promise<number> {
  const t0 = performance.now();
  const r = await runVerifiedScan({ ...common, disk: 'bench', device: disk(dev, size), ioSize: MiB, workDir });
  const ms = performance.now() - t0;
  if (r.failure || r.summary.coveredBytes !== size) throw new Error(`verified scan of the clean bench disk: ${r.failure ?? `covered ${r.summary.coveredBytes} of ${size}`}`);
  return ms;
}

async function timeBadblocks(dev: string, size: number): Promise<number> {
  const t0 = performance.now();
  const r = await runBadblocksScan({ ...common, disk: 'bench', device: disk(dev, size) });
  const ms = performance.now() - t0;
  if (r.failure || r.summary.coveredBytes !== size) throw new Error(`badblocks on the clean bench disk: ${r.failure ?? `covered ${r.summary.coveredBytes} of ${size}`}`);
  return ms;
}

/** dd writes the whole disk, then reads it, 1 MiB blocks, O_DIRECT: the floor for one write and one read pass. */
function timeFloor(dev: string, size: number): number {
  const count = size / MiB;
  const t0 = performance.now();
  execFileSync('sh', ['-c', `set -e; dd if=/dev/zero of=${dev} bs=1M count=${count} oflag=direct status=none; dd if=${dev} of=/dev/null bs=1M count=${count} iflag=direct status=none`], { stdio: 'ignore' });
  return performance.now() - t0;
}

/** Each scan on a disk with the planted range, unreadable and then corrupted: what it named, and whether that is the range. */
async function detection(cleanup: Cleanup, dir: string): Promise<{ ok: boolean; text: string }> {
  const wanted = (ranges: BadRange[], kind: BadRange['kind']) => ranges.length === 1 && ranges[0]!.start === PLANTED.start && ranges[0]!.end === PLANTED.start + PLANTED.length && ranges[0]!.kind === kind;
  const lines: string[] = [];
  let ok = true;
  for (const mode of ['eio', 'flip'] as const) {
    const kind = mode === 'eio' ? 'unreadable' : 'corrupted';
    const sub = join(dir, mode);
    mkdirSync(sub, { recursive: true });
    const bad = eioLoopDevice(cleanup, sub, PLANTED.diskBytes, PLANTED.start, PLANTED.length, mode);
    const d = disk(bad.dev, PLANTED.diskBytes);
    const v = await runVerifiedScan({ ...common, disk: 'bench', device: d, ioSize: MiB, workDir: sub });
    const b = await runBadblocksScan({ ...common, disk: 'bench', device: d });
    for (const [tool, r] of [['verified', v], ['badblocks', b]] as const) {
      const hit = wanted(r.ranges, kind);
      ok &&= hit;
      lines.push(`${tool}/${mode}: ${hit ? 'named' : 'MISSED'} ${r.summary.badRanges.join('; ') || 'nothing'}`);
    }
  }
  return { ok, text: lines.join(' | ') };
}

export async function benchStorageScan(sizeMiB: number, repeats: number): Promise<Figure[]> {
  if (process.getuid?.() !== 0) throw new Error('the storage scan benchmark needs root (loop devices)');
  const cleanup = new Cleanup();
  try {
    const dir = tempDir(cleanup, 'vetting-bench-scan-');
    // A written file on the machine's disk (/var/tmp, not a tmpfs /tmp), with direct I/O from the loop device.
    const disks = mkdtempSync('/var/tmp/vetting-bench-scan-');
    cleanup.add(() => rmSync(disks, { recursive: true, force: true }));
    const backing = join(disks, 'disk.img');
    execFileSync('dd', ['if=/dev/zero', `of=${backing}`, 'bs=1M', `count=${sizeMiB}`, 'oflag=direct', 'status=none']);
    const dev = sh('losetup', ['-f', '--show', '--direct-io=on', backing]);
    cleanup.add(() => sh('losetup', ['-d', dev]));
    const size = Number(sh('blockdev', ['--getsize64', dev]));
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });

    // Rounds rotate the order, so no method always runs first (or right after another one warmed the disk).
    const rounds: { verified: number; badblocks: number; floor: number }[] = [];
    for (let i = 0; i < repeats; i++) {
      const t: Partial<Record<'verified' | 'badblocks' | 'floor', number>> = {};
      const order = (['verified', 'badblocks', 'floor'] as const).map((_, k, all) => all[(k + i) % all.length]!);
      for (const m of order) {
        if (m === 'verified') t.verified = await timeVerified(dev, size, work);
        else if (m === 'badblocks') t.badblocks = await timeBadblocks(dev, size);
        else t.floor = timeFloor(dev, size);
      }
      rounds.push(t as { verified: number; badblocks: number; floor: number });
    }
    const found = await detection(cleanup, dir);
    const verified = median(rounds.map((r) => r.verified));
    const badblocks = median(rounds.map((r) => r.badblocks));
    const floor = median(rounds.map((r) => r.floor));
    const vsBadblocks = median(rounds.map((r) => r.verified / r.badblocks));
    const vsFloor = median(rounds.map((r) => r.verified / r.floor));
    const tag = `storage scan ${sizeMiB} MiB`;
    const checked = found.ok ? `both scans named the planted 64 KiB range exactly, unreadable and corrupted (${found.text}); median of ${repeats} rounds` : `WRONG: a scan missed or misplaced the planted range: ${found.text}`;
    const perRound = rounds.map((r) => `${(r.verified / 1000).toFixed(2)}/${(r.badblocks / 1000).toFixed(2)}/${(r.floor / 1000).toFixed(2)} s`).join(', ');
    return [
      { name: `${tag}: verified scan vs badblocks -svw`, value: verified / 1000, unit: 's', baseline: badblocks / 1000, baselineLabel: 'badblocks -svw as the stage runs it', ratio: vsBadblocks, target: '≤ 0.3', met: found.ok && vsBadblocks <= 0.3, check: `${checked}; verified/badblocks/floor per round: ${perRound}` },
      { name: `${tag}: verified scan vs physical floor`, value: verified / 1000, unit: 's', baseline: floor / 1000, baselineLabel: 'dd write + read of the same bytes, O_DIRECT', ratio: vsFloor, target: '≤ 1.25', met: found.ok && vsFloor <= 1.25, check: checked },
    ];
  } finally {
    cleanup.run();
  }
}
