import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceFacts } from '../../agent/stages/storage/device-facts.ts';
import { storageStage } from '../../agent/stages/storage/index.ts';
import { runVerifiedScan } from '../../agent/stages/storage/verified-scan.ts';
import { PROFILES } from '../../common/profiles.ts';
import type { ProfileParams } from '../../common/schema/profile.ts';
import { runTool } from '../../agent/runtime/tool-runner.ts';
import { Cleanup, eioLoopDevice, isRoot, loopDevice, mount, sh, tempDir } from '../../agent/testing/host-fixtures.ts';
import { fakeContext } from '../../agent/testing/fake-context.ts';
import { summaryOf } from '../../agent/testing/summary-of.ts';

// The Storage stage on real loop devices with the real tools: the three safety
// gates, the wipe-probe on real signatures (mkfs.ext4, pvcreate, a real Ceph
// BlueStore label at a copy's offset), the verified scan, fio and the clean
// hand-back on clean disks, both surface scans on disks served through FUSE
// that fail reads or return flipped bits, and the scan's addressing past
// 16 TiB on a sparse loop device. Runs as root.

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** A real BlueStore label (util-linux's test image; see the captured/ README). */
const LABEL_FILE = join(import.meta.dirname, '../../agent/stages/storage/parsers/captured/bluestore-util-linux.img');
const BLUESTORE_LABEL = readFileSync(LABEL_FILE);

/** The standard profile with a short fio run, so a whole-disk test stays small. */
function standard(surface: ProfileParams['storage']['surface'] = 'verified'): ProfileParams {
  const std = PROFILES.standard;
  return { ...std, storage: { ...std.storage, surface, fio: { ...std.storage.fio, runtimeS: 1, sizeBytes: 4 * MiB } } };
}

function readAt(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

let cleanup: Cleanup;
let dir: string;
beforeEach(() => {
  cleanup = new Cleanup();
  dir = tempDir(cleanup, 'agent-storage-');
});
afterEach(() => cleanup.run());

const ALLOW = ['/dev/loop'];

function storageCtx(expectedDisks: string[], opts: { allow?: string[]; wipeOverride?: string[]; params?: ProfileParams } = {}) {
  return fakeContext({
    stage: 'Storage',
    params: opts.params,
    welcome: { expectedDisks, deviceAllowlist: opts.allow ?? ALLOW },
    wipeOverride: opts.wipeOverride,
    workDir: join(dir, 'work'),
  });
}

describe.skipIf(!isRoot() && !process.env.CI)('Storage stage on real loop devices', () => {
  it('passes two clean disks tested in parallel, each with its own progress', async () => {
    const a = loopDevice(cleanup, dir, 'a.img', 24);
    const b = loopDevice(cleanup, dir, 'b.img', 24);
    const ctx = storageCtx([`loop:${a.file}`, `loop:${b.file}`]);
    const r = await storageStage.run(ctx);
    expect(r.outcome, r.message).toBe('passed');
    const disks = summaryOf('Storage', r).disks!;
    expect(disks.map((d) => d.device)).toEqual([a.dev, b.dev]);
    for (const d of disks) {
      expect(d.badblocks).toBeNull();
      // smoke profile: only the first 16 MiB, written and read back whole
      expect(d.verifiedScan).toMatchObject({ badBlocks: 0, badRanges: [], coveredBytes: 16 * MiB, diskBytes: 24 * MiB, logicalBlockSize: 512, verifyInterval: 4096 });
      expect(d.fio!.iops).toBeGreaterThan(0);
      // Handed back: the part the stage wrote discarded, and nothing found on the disk afterwards.
      expect(d.handBack).toEqual({ method: `blkdiscard of the first ${16 * MiB} bytes (the part the stage wrote)`, discarded: true, clean: true, found: [] });
    }
    // A scan of the first 16 MiB of a 24 MiB disk is not a scan of the disk: not tested, and said so.
    const scans = r.coverage.filter((c) => c.check === 'surface scan');
    expect(scans.map((c) => [c.part.id, c.status, c.reason])).toEqual([
      [`loop:${a.file}`, 'not-tested', 'the verified scan covered 16 MiB of 24 MiB (67 %)'],
      [`loop:${b.file}`, 'not-tested', 'the verified scan covered 16 MiB of 24 MiB (67 %)'],
    ]);
    expect(r.coverage.filter((c) => c.check === 'random I/O').every((c) => c.status === 'tested')).toBe(true);
    expect(r.message).toMatch(/NOT FULLY SCANNED: the verified scan covered 16 MiB of 24 MiB \(67 %\)/);
    const items = new Set(ctx.progressUpdates.map((u) => u.item));
    expect(items).toEqual(new Set([`loop:${a.file}`, `loop:${b.file}`]));
    expect(ctx.progressUpdates.some((u) => u.percent !== undefined && u.percent > 0)).toBe(true);
    expect([...ctx.artifacts.keys()]).toEqual(expect.arrayContaining([`fio-${a.dev.slice(5)}.json`, `scan-${b.dev.slice(5)}.txt`, `hand-back-${a.dev.slice(5)}.txt`]));
    expect(JSON.parse(ctx.artifacts.get(`fio-${a.dev.slice(5)}.json`)!).jobs).toHaveLength(1);
    expect(r.measurements?.filter((m) => m.unit === 'IOPS')).toHaveLength(2);
  });

  it('writes nothing and names the disk when the wipe-probe cannot read it', async () => {
    const a = loopDevice(cleanup, dir, 'a.img', 24);
    const b = loopDevice(cleanup, dir, 'b.img', 24);
    const ctx = storageCtx([`loop:${a.file}`, `loop:${b.file}`]);
    // The real wipefs, pointed at a path that cannot be opened for disk b only.
    const real = ctx.runTool;
    ctx.runTool = (tool, args, o) => real(tool, tool === 'wipefs' ? args.map((x) => (x === b.dev ? '/dev/vetting-no-such-disk' : x)) : args, o);
    const r = await storageStage.run(ctx);
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(new RegExp(`wipe-probe could not read loop:${b.file}`));
    expect(r.summary).toMatchObject({ stoppedAt: 'wipe-probe', unprobed: [{ disk: `loop:${b.file}`, device: b.dev }] });
    expect([...ctx.artifacts.keys()].some((k) => k.startsWith('scan-') || k.startsWith('fio-'))).toBe(false);
  });

  it('halts with UnexpectedData on an ext4 filesystem and an LVM PV, writing nothing', async () => {
    const fs = loopDevice(cleanup, dir, 'fs.img', 24);
    const pv = loopDevice(cleanup, dir, 'pv.img', 24);
    const clean = loopDevice(cleanup, dir, 'clean.img', 24);
    sh('mkfs.ext4', ['-q', '-L', 'KEEPME', fs.dev]);
    sh('pvcreate', ['-q', '-y', pv.dev]);
    cleanup.add(() => sh('wipefs', ['-q', '-a', pv.dev])); // keep LVM from remembering the PV
    const r = await storageStage.run(storageCtx([`loop:${fs.file}`, `loop:${pv.file}`, `loop:${clean.file}`]));
    expect(r.outcome).toBe('failed');
    expect(r.unexpectedData).toHaveLength(2);
    const [h1, h2] = r.unexpectedData!;
    expect(h1).toMatchObject({ disk: `loop:${fs.file}`, device: fs.dev });
    expect(h1!.found.join(' ')).toMatch(/ext4 filesystem .*KEEPME/);
    expect(h2).toMatchObject({ disk: `loop:${pv.file}`, device: pv.dev });
    expect(h2!.found.join(' ')).toMatch(/LVM2_member/);
    expect(r.message).toMatch(/nothing was written/);
    // The data is still there, and the clean disk was not touched either.
    expect(sh('blkid', ['-p', '-o', 'value', '-s', 'LABEL', fs.dev])).toBe('KEEPME');
    expect(sh('blkid', ['-p', '-o', 'value', '-s', 'TYPE', pv.dev])).toBe('LVM2_member');
  });

  it('continues after a supervisor override for that disk only', async () => {
    const fs = loopDevice(cleanup, dir, 'fs.img', 24);
    sh('mkfs.ext4', ['-q', fs.dev]);
    const id = `loop:${fs.file}`;
    const r = await storageStage.run(storageCtx([id], { wipeOverride: [id] }));
    expect(r.outcome, r.message).toBe('passed');
    expect(summaryOf('Storage', r).overridden).toEqual([{ disk: id, device: fs.dev, found: [expect.stringMatching(/ext4/)] }]);
    const other = await storageStage.run(storageCtx([id], { wipeOverride: ['loop:/some/other.img'] }));
    expect(other.outcome).toBe('passed'); // the scan already overwrote the signature
  });

  it('refuses a mounted disk, a read-only disk and a disk outside the allowlist before probing', async () => {
    const m = loopDevice(cleanup, dir, 'mounted.img', 24);
    sh('mkfs.ext4', ['-q', m.dev]);
    mount(cleanup, m.dev, join(dir, 'mnt'));
    const mounted = await storageStage.run(storageCtx([`loop:${m.file}`], { wipeOverride: [`loop:${m.file}`] }));
    expect(mounted.outcome).toBe('error');
    expect(mounted.message).toMatch(new RegExp(`${m.dev} is mounted \\(${join(dir, 'mnt')}\\)`));
    expect(sh('blkid', ['-p', '-o', 'value', '-s', 'TYPE', m.dev])).toBe('ext4');

    const ro = loopDevice(cleanup, dir, 'ro.img', 24, { readOnly: true });
    const roResult = await storageStage.run(storageCtx([`loop:${ro.file}`]));
    expect(roResult.outcome).toBe('error');
    expect(roResult.message).toMatch(/read-only/);

    const c = loopDevice(cleanup, dir, 'c.img', 24);
    const outside = await storageStage.run(storageCtx([`loop:${c.file}`], { allow: ['/dev/nvme'] }));
    expect(outside.outcome).toBe('error');
    expect(outside.message).toMatch(/outside the device allowlist/);
    const none = await storageStage.run(storageCtx([`loop:${c.file}`], { allow: [] }));
    expect(none.message).toMatch(/allowlist is empty/);
  });

  it('sees that a regular file is not a block device (fio would write a file there)', async () => {
    const f = join(dir, 'not-a-disk');
    sh('truncate', ['-s', '1M', f]);
    const facts = await deviceFacts({ name: 'not-a-disk', path: f }, { sysRoot: '/sys', procRoot: '/proc' });
    expect(facts.isBlockDevice).toBe(false);
  });

  it('fails when an expected disk is not present', async () => {
    const r = await storageStage.run(storageCtx([`loop:${join(dir, 'never-attached.img')}`]));
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/no loop device is backed by/);
    expect(r.coverage.map((c) => c.status)).toEqual(['not-tested', 'not-tested']);
  });

  it('covers a whole disk under the standard profile, so nothing is left untested, and hands it back discarded', async () => {
    // Not a multiple of 1 MiB: the last 3 KiB are scanned in logical blocks.
    const a = loopDevice(cleanup, dir, 'whole.img', 8);
    sh('truncate', ['-s', String(8 * MiB + 3072), a.file]);
    sh('losetup', ['-c', a.dev]);
    const r = await storageStage.run(storageCtx([`loop:${a.file}`], { params: standard() }));
    expect(r.outcome, r.message).toBe('passed');
    expect(r.coverage.map((c) => [c.check, c.status])).toEqual([['surface scan', 'tested'], ['random I/O', 'tested']]);
    expect(r.coverage[0]!.extent).toEqual({ done: 8 * MiB + 3072, total: 8 * MiB + 3072, unit: 'bytes' });
    const [d] = summaryOf('Storage', r).disks!;
    expect(d!.handBack).toEqual({ method: 'blkdiscard', discarded: true, clean: true, found: [] });
    expect(r.message).toMatch(/handed back clean: blkdiscard, no signature found afterwards/);
    // Discarded: a loop device punches holes in its file, which read back as zeros.
    expect(readAt(a.file, 0, 8 * MiB + 3072).every((b) => b === 0)).toBe(true);
  });

  it('tests no disk of a host that lists none, and says so instead of passing', async () => {
    const r = await storageStage.run(storageCtx([]));
    expect(r.outcome).toBe('skipped');
    expect(r.message).toMatch(/no disk was tested/);
    expect(r.coverage.every((c) => c.status === 'not-tested' && c.required)).toBe(true);
  });

  // 64 KiB at 8 MiB + 4 KiB: not aligned to the scan's 1 MiB I/Os nor to badblocks' chunks.
  const BAD = { start: 8 * MiB + 4096, length: 64 * 1024 };
  const RANGE = `bytes ${BAD.start}-${BAD.start + BAD.length - 1} (logical blocks ${BAD.start / 512}-${(BAD.start + BAD.length) / 512 - 1} of 512 B`;
  it.each([
    ['verified', 'eio', `${RANGE}): unreadable (I/O error)`],
    ['verified', 'flip', `${RANGE}): read back other data than was written`],
    ['badblocks', 'eio', `${RANGE}; badblocks blocks 8196-8259 of 1024 B): unreadable (I/O error)`],
    // badblocks itself lists 8260-8323 here, one chunk late; the stage re-reads and names the true blocks.
    ['badblocks', 'flip', `${RANGE}; badblocks blocks 8196-8259 of 1024 B): read back other data than was written`],
  ] as const)('fails under standard with surface %s a disk whose bad range (%s) it names', async (surface, mode, range) => {
    const bad = eioLoopDevice(cleanup, dir, 16 * MiB, BAD.start, BAD.length, mode);
    const r = await storageStage.run(storageCtx([`loop:${bad.file}`], { params: standard(surface) }));
    expect(r.outcome, r.message).toBe('failed');
    const [disk] = summaryOf('Storage', r).disks!;
    const scan = surface === 'verified' ? disk!.verifiedScan! : disk!.badblocks!;
    expect(scan.badRanges).toEqual([range]);
    expect(r.message).toContain(range);
    expect(r.message).toMatch(/found 128 bad logical block\(s\)/);
    // The whole disk was scanned (tested), and failed; nothing after the scan ran on it.
    expect(r.coverage.map((c) => [c.check, c.status])).toEqual([['surface scan', 'tested'], ['random I/O', 'not-tested']]);
    expect(disk!.fio).toBeNull();
    expect(disk!.handBack ?? null).toBeNull();
  });

  it('holds on a Ceph BlueStore label kept only at its 1 GiB copy, naming the offset, and writes nothing', async () => {
    const d = loopDevice(cleanup, dir, 'osd.img', 1024 + 64);
    sh('dd', [`if=${LABEL_FILE}`, `of=${d.file}`, 'bs=4096', `seek=${GiB / 4096}`, 'conv=notrunc', 'status=none']);
    // Untouched: the sparse file keeps the blocks it had (any write would allocate more) and its time.
    const before = sh('stat', ['-c', '%b %Y', d.file]);
    // wipefs and blkid see nothing: they look at offset 0 only.
    expect(sh('sh', ['-c', `blkid -p ${d.dev}; wipefs -n ${d.dev}`])).toBe('');
    const r = await storageStage.run(storageCtx([`loop:${d.file}`], { params: standard() }));
    expect(r.outcome).toBe('failed');
    expect(r.unexpectedData).toEqual([{ disk: `loop:${d.file}`, device: d.dev, found: ['Ceph BlueStore label (OSD 2f538ea4-e252-4b61-a363-0a1e470dd2a9) at offset 1 GiB (byte 1073741824)'] }]);
    expect(r.message).toMatch(/nothing was written/);
    expect(r.summary).toMatchObject({ stoppedAt: 'wipe-probe' });
    expect(sh('stat', ['-c', '%b %Y', d.file])).toBe(before);
    expect(readAt(d.file, GiB, BLUESTORE_LABEL.length).equals(BLUESTORE_LABEL)).toBe(true);
  });

  it('records a label that survives the hand-back outside what a partial scan wrote', async () => {
    const d = loopDevice(cleanup, dir, 'osd.img', 1024 + 64);
    sh('dd', [`if=${LABEL_FILE}`, `of=${d.file}`, 'bs=4096', `seek=${GiB / 4096}`, 'conv=notrunc', 'status=none']);
    const id = `loop:${d.file}`;
    // A supervisor waived it; the smoke profile writes the first 16 MiB only.
    const r = await storageStage.run(storageCtx([id], { wipeOverride: [id] }));
    expect(r.outcome, r.message).toBe('passed');
    const [disk] = summaryOf('Storage', r).disks!;
    expect(disk!.handBack).toMatchObject({ discarded: true, clean: false, found: [expect.stringMatching(/BlueStore label .* at offset 1 GiB/)] });
    expect(r.message).toMatch(/data signature\(s\) on the disk after the hand-back: Ceph BlueStore label .* \(outside the part the stage wrote\)/);
    expect(readAt(d.file, GiB, BLUESTORE_LABEL.length).equals(BLUESTORE_LABEL)).toBe(true);
  });

  it('writes and checks the last blocks of a 17 TiB disk, past 2³² blocks of 4 KiB (sparse file, last 8 MiB and 3 blocks)', async () => {
    // tmpfs allows a sparse 17 TiB file (ext4 stops at 16 TiB); only what is written takes
    // memory, which a container's small /dev/shm (64 MiB by default) has room for.
    const shm = mkdtempSync('/dev/shm/vetting-big-');
    cleanup.add(() => rmSync(shm, { recursive: true, force: true }));
    const file = join(shm, 'big.img');
    sh('truncate', ['-s', '17T', file]);
    const dev = sh('losetup', ['-f', '--show', file]);
    cleanup.add(() => sh('losetup', ['-d', dev]));
    const size = Number(sh('blockdev', ['--getsize64', dev]));
    expect(size).toBe(17 * 1024 ** 4);
    mkdirSync(join(dir, 'work'));
    // 8 MiB of whole I/Os, then the disk's last 3 logical blocks in the tail job.
    const start = size - 8 * MiB - 3 * 512;
    const r = await runVerifiedScan({
      disk: 'big',
      device: { path: dev, name: dev.slice(5), sizeBytes: size, logicalBlockSize: 512 },
      start,
      ioSize: MiB,
      iodepth: 32,
      timeoutMs: 120_000,
      runTool,
      signal: new AbortController().signal,
      workDir: join(dir, 'work'),
      progress: () => {},
      upload: () => {},
      draw: () => 0, // every header at byte 48 of its interval
    });
    expect(r.failure, r.failure ?? '').toBeNull();
    expect(r.summary).toMatchObject({ coveredBytes: size - start, badBlocks: 0, diskBytes: size });
    // The disk's last logical block and the body's last 4 KiB interval carry fio's header naming their own offsets.
    for (const at of [size - 512, size - 3 * 512 - 4096]) {
      const header = readAt(file, at + 48, 40);
      expect(header.readUInt16LE(0)).toBe(0xacca); // fio's verify header magic
      expect(Number(header.readBigUInt64LE(16))).toBe(at);
    }
    expect((size - 512) / 4096).toBeGreaterThan(2 ** 32);
  });
});
