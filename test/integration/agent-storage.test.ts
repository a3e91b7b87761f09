import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceFacts } from '../../agent/stages/storage/device-facts.ts';
import { storageStage } from '../../agent/stages/storage/index.ts';
import { PROFILES } from '../../common/profiles.ts';
import { Cleanup, eioLoopDevice, isRoot, loopDevice, mount, sh, tempDir } from '../../agent/testing/host-fixtures.ts';
import { fakeContext } from '../../agent/testing/fake-context.ts';
import { summaryOf } from '../../agent/testing/summary-of.ts';

// The Storage stage on real loop devices with the real tools: the three safety
// gates, the wipe-probe on real signatures (mkfs.ext4, pvcreate), badblocks and
// fio on a clean disk, and badblocks on a disk with unreadable bytes served
// through FUSE. Runs as root.

let cleanup: Cleanup;
let dir: string;
beforeEach(() => {
  cleanup = new Cleanup();
  dir = tempDir(cleanup, 'agent-storage-');
});
afterEach(() => cleanup.run());

const ALLOW = ['/dev/loop'];

function storageCtx(expectedDisks: string[], opts: { allow?: string[]; wipeOverride?: string[] } = {}) {
  return fakeContext({
    stage: 'Storage',
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
      expect(d.badblocks!.badBlocks).toBe(0);
      // smoke profile: only the first 16 MiB, in 1 KiB blocks
      expect(d.badblocks!.lastBlock).toBe(16 * 1024 - 1);
      expect(d.badblocks).toMatchObject({ coveredBytes: 16 * 1024 * 1024, diskBytes: 24 * 1024 * 1024 });
      expect(d.fio!.iops).toBeGreaterThan(0);
    }
    // A scan of the first 16 MiB of a 24 MiB disk is not a scan of the disk: not tested, and said so.
    const scans = r.coverage.filter((c) => c.check === 'surface scan');
    expect(scans.map((c) => [c.part.id, c.status, c.reason])).toEqual([
      [`loop:${a.file}`, 'not-tested', 'badblocks covered 16 MiB of 24 MiB (67 %)'],
      [`loop:${b.file}`, 'not-tested', 'badblocks covered 16 MiB of 24 MiB (67 %)'],
    ]);
    expect(r.coverage.filter((c) => c.check === 'random I/O').every((c) => c.status === 'tested')).toBe(true);
    expect(r.message).toMatch(/NOT FULLY SCANNED: badblocks covered 16 MiB of 24 MiB \(67 %\)/);
    const items = new Set(ctx.progressUpdates.map((u) => u.item));
    expect(items).toEqual(new Set([`loop:${a.file}`, `loop:${b.file}`]));
    expect(ctx.progressUpdates.some((u) => u.percent !== undefined && u.percent > 0)).toBe(true);
    expect([...ctx.artifacts.keys()]).toEqual(expect.arrayContaining([`fio-${a.dev.slice(5)}.json`, `badblocks-${b.dev.slice(5)}.txt`]));
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
    expect([...ctx.artifacts.keys()].some((k) => k.startsWith('badblocks-') || k.startsWith('fio-'))).toBe(false);
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
    expect(other.outcome).toBe('passed'); // badblocks -w already wiped the signature
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

  it('covers a whole disk under the standard profile, so nothing is left untested', async () => {
    const a = loopDevice(cleanup, dir, 'whole.img', 8);
    const ctx = fakeContext({ stage: 'Storage', params: { ...PROFILES.standard, storage: { ...PROFILES.standard.storage, fio: { ...PROFILES.standard.storage.fio, runtimeS: 1, sizeBytes: 4 * 1024 * 1024 } } }, welcome: { expectedDisks: [`loop:${a.file}`], deviceAllowlist: ALLOW }, workDir: join(dir, 'work') });
    const r = await storageStage.run(ctx);
    expect(r.outcome, r.message).toBe('passed');
    expect(r.coverage.map((c) => [c.check, c.status])).toEqual([['surface scan', 'tested'], ['random I/O', 'tested']]);
    expect(r.coverage[0]!.extent).toEqual({ done: 8 * 1024 * 1024, total: 8 * 1024 * 1024, unit: 'bytes' });
  });

  it('tests no disk of a host that lists none, and says so instead of passing', async () => {
    const r = await storageStage.run(storageCtx([]));
    expect(r.outcome).toBe('skipped');
    expect(r.message).toMatch(/no disk was tested/);
    expect(r.coverage.every((c) => c.status === 'not-tested' && c.required)).toBe(true);
  });

  it('fails a disk with unreadable sectors and names the bad range', async () => {
    const MiB = 1024 * 1024;
    const bad = eioLoopDevice(cleanup, dir, 16 * MiB, 4 * MiB, 32 * 1024);
    const r = await storageStage.run(storageCtx([`loop:${bad.file}`]));
    expect(r.outcome).toBe('failed');
    const [disk] = summaryOf('Storage', r).disks!;
    expect(disk!.badblocks!.badBlocks).toBe(32);
    expect(disk!.badblocks!.badRanges).toEqual(['bytes 4194304-4227071 (blocks 4096-4127 of 1024 B)']);
    expect(r.message).toMatch(/32 bad block\(s\) .*bytes 4194304-4227071/);
    expect(disk!.fio).toBeNull();
  });
});
