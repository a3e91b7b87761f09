import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolInfraError, type ToolResult, type ToolRunner } from '../../runtime/tool-runner.ts';
import { wipeProbe, wipeProbeAll } from './wipe-probe.ts';
import type { ReadAt } from './bluestore-label.ts';

// The wipe-probe's bookkeeping around wipefs and blkid, driven by a runner that
// answers with real outputs of util-linux 2.38 (fixtures/tool-outputs). The real
// tools on real loop devices are exercised by test/integration/agent-storage.test.ts.

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/tool-outputs', name), 'utf8');
const WIPEFS_GPT = fixture('wipefs-gpt.json'); // a gpt label on loop4
const WIPEFS_EXT4 = fixture('wipefs-ext4.json'); // an ext4 filesystem on loop2
const WIPEFS_BLANK = fixture('wipefs-blank.json');
const BLKID_BLANK = fixture('blkid-p-export-blank.txt');
const BLKID_GPT = fixture('blkid-p-export-gpt.txt');
const BLKID_EXT4 = fixture('blkid-p-export-ext4.txt'); // an ext4 filesystem on loop2
// blkid -p on two contradicting filesystems: exit 8, nothing on stdout, the reason on stderr (parsers/captured/README.md).
const BLKID_AMBIVALENT_STDERR = readFileSync(join(import.meta.dirname, 'parsers/captured/blkid-p-export-ambivalent.stderr'), 'utf8');

const captured = (name: string) => readFileSync(join(import.meta.dirname, 'parsers/captured', name));
const BLUESTORE = captured('bluestore-util-linux.img'); // a real label (util-linux's test image)

const loop = (n: number) => ({ name: `loop${n}`, path: `/dev/loop${n}` });
const GiB = 1024 ** 3;
/** A device of `size` bytes holding zeros, except `at` (offset → bytes). */
function disk(size: number, at: Record<number, Buffer> = {}): ReadAt {
  return async (_path, position, length) => {
    const buf = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
    at[position]?.copy(buf, 0, 0, buf.length);
    return buf;
  };
}
const opts = (runTool: ToolRunner, readAt: ReadAt = disk(64 * 1024 ** 2)) => ({ runTool, signal: new AbortController().signal, sysRoot: '/nonexistent-sysroot', readAt });
const result = (tool: string, args: string[], exitCode: number, stdout: string, stderr = ''): ToolResult => ({ tool, args, exitCode, stdout, stderr, truncated: false, durationMs: 1 });

/** A runner that records every call and answers through `answer`. */
function recording(answer: (tool: string, args: string[]) => ToolResult | Promise<ToolResult>) {
  const calls: string[] = [];
  const runTool: ToolRunner = async (tool, args) => {
    calls.push(`${tool} ${args.join(' ')}`);
    return answer(tool, args);
  };
  return { calls, runTool };
}

const blkidBlank = (args: string[]) => result('blkid', args, 2, BLKID_BLANK);

describe('wipeProbeAll', () => {
  it('lists every disk with one wipefs and splits its signatures by the device each names', async () => {
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, WIPEFS_GPT) : args.includes('/dev/loop4') ? result(tool, args, 0, BLKID_GPT) : blkidBlank(args)));
    const [blank, gpt] = await wipeProbeAll([loop(3), loop(4)], opts(r.runTool));
    expect(r.calls.filter((c) => c.startsWith('wipefs'))).toEqual(['wipefs -J -n /dev/loop3 /dev/loop4']);
    expect(r.calls.filter((c) => c.startsWith('blkid')).sort()).toEqual(['blkid -p -o export /dev/loop3', 'blkid -p -o export /dev/loop4']);
    expect(blank).toMatchObject({ device: '/dev/loop3', found: [] });
    expect(gpt && 'found' in gpt && gpt.found.join(' ')).toMatch(/gpt partition table \(offsets 0x200, 0x3fffe00\)/);
    // Each artifact names the shared command and holds only that disk's entries.
    if (!blank || 'error' in blank || !gpt || 'error' in gpt) throw new Error('both disks should have been probed');
    expect(blank.raw.wipefsCommand).toMatch(/^wipefs -J -n \/dev\/loop3 \/dev\/loop4 \(one run for 2 disks; the entries for \/dev\/loop3\)$/);
    expect(JSON.parse(blank.raw.wipefs)).toEqual({ signatures: [] });
    expect(JSON.parse(gpt.raw.wipefs).signatures).toHaveLength(3);
  });

  it('probes each disk with its own wipefs when a signature names none of them, so nothing is misattributed', async () => {
    // The ext4 signature names loop2, which is neither disk asked about.
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, args.length > 3 ? WIPEFS_EXT4 : WIPEFS_BLANK) : blkidBlank(args)));
    const probes = await wipeProbeAll([loop(1), loop(22)], opts(r.runTool));
    expect(r.calls.filter((c) => c.startsWith('wipefs')).sort()).toEqual(['wipefs -J -n /dev/loop1', 'wipefs -J -n /dev/loop1 /dev/loop22', 'wipefs -J -n /dev/loop22']);
    expect(probes.map((p) => ('found' in p ? p.found : p))).toEqual([[], []]);
  });

  it('names only the disk that cannot be read when the shared wipefs fails', async () => {
    const r = recording((tool, args) => {
      if (tool === 'blkid') return blkidBlank(args);
      if (args.includes('/dev/loop6')) return result(tool, args, 1, '', 'wipefs: error: /dev/loop6: probing initialization failed: No such file or directory\n');
      return result(tool, args, 0, WIPEFS_BLANK);
    });
    const probes = await wipeProbeAll([loop(5), loop(6), loop(7)], opts(r.runTool));
    expect(probes[0]).toMatchObject({ device: '/dev/loop5', found: [] });
    expect(probes[1]).toEqual({ error: expect.stringMatching(/^wipefs \/dev\/loop6 exited 1: .*probing initialization failed/) });
    expect(probes[2]).toMatchObject({ device: '/dev/loop7', found: [] });
  });

  it('reports unreadable blkid output as that disk\'s error, and a missing tool for every disk', async () => {
    const unreadable = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, WIPEFS_BLANK) : args.includes('/dev/loop2') ? result(tool, args, 0, 'not blkid output') : blkidBlank(args)));
    const probes = await wipeProbeAll([loop(1), loop(2)], opts(unreadable.runTool));
    expect('found' in probes[0]!).toBe(true);
    expect(probes[1]).toEqual({ error: expect.any(String) });

    const missing = recording((tool) => {
      throw new ToolInfraError('missing', tool, `${tool}: not installed (not found on PATH)`);
    });
    const none = await wipeProbeAll([loop(1), loop(2)], opts(missing.runTool));
    expect(none).toEqual([{ error: 'wipefs: not installed (not found on PATH)' }, { error: 'wipefs: not installed (not found on PATH)' }]);
  });

  it('throws a cancellation instead of reporting it as a disk that could not be probed', async () => {
    const r = recording((tool) => {
      throw new ToolInfraError('cancelled', tool, `${tool}: cancelled`);
    });
    await expect(wipeProbeAll([loop(1), loop(2)], opts(r.runTool))).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(wipeProbeAll([loop(1)], opts(r.runTool))).rejects.toMatchObject({ kind: 'cancelled' });
  });
});

// The two probes read the disk independently (wipefs lists what it would erase, blkid -p
// probes at low level), so a finding of either one alone is a finding. Here wipefs answers
// with its real output for a blank disk and blkid with what it said about one that is not.
describe('a disk that only blkid -p finds something on is not blank', () => {
  const blankForWipefs = (blkidFor: (args: string[]) => ToolResult) =>
    recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, WIPEFS_BLANK) : blkidFor(args)));
  const ambivalent = (args: string[]) => result('blkid', args, 8, '', BLKID_AMBIVALENT_STDERR);

  it('an ambivalent result (blkid exit 8: filesystems that contradict each other) is a finding', async () => {
    const one = await wipeProbe(loop(1), opts(blankForWipefs(ambivalent).runTool));
    expect(one.found).toEqual(['several conflicting signatures (blkid: ambivalent probing result)']);
    expect(one.raw.blkidExit).toBe(8);

    const [blank, hit] = await wipeProbeAll([loop(3), loop(1)], opts(blankForWipefs((args) => (args.includes('/dev/loop1') ? ambivalent(args) : blkidBlank(args))).runTool));
    expect(blank).toMatchObject({ device: '/dev/loop3', found: [] });
    expect(hit).toMatchObject({ device: '/dev/loop1', found: [expect.stringMatching(/ambivalent/)] });
  });

  it('a filesystem blkid -p names is a finding', async () => {
    const one = await wipeProbe(loop(2), opts(blankForWipefs((args) => result('blkid', args, 0, BLKID_EXT4)).runTool));
    expect(one.found).toEqual([expect.stringMatching(/^ext4 filesystem \(label LABTEST/)]);

    const [gpt, blank] = await wipeProbeAll([loop(4), loop(5)], opts(blankForWipefs((args) => (args.includes('/dev/loop4') ? result('blkid', args, 0, BLKID_GPT) : blkidBlank(args))).runTool));
    expect(gpt).toMatchObject({ device: '/dev/loop4', found: [expect.stringMatching(/^gpt partition table/)] });
    expect(blank).toMatchObject({ device: '/dev/loop5', found: [] });
  });

  it('a signature both tools find is named once, with wipefs\' offset', async () => {
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, WIPEFS_EXT4) : result(tool, args, 0, BLKID_EXT4)));
    const one = await wipeProbe(loop(2), opts(r.runTool));
    expect(one.found).toHaveLength(1);
    expect(one.found[0]).toMatch(/^ext4 filesystem .*offset 0x438/);
  });
});

describe('Ceph BlueStore labels', () => {
  const blank = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, WIPEFS_BLANK) : blkidBlank(args)));

  it('names a label found only at a copy that wipefs and blkid never look at', async () => {
    const probe = await wipeProbe(loop(3), opts(blank.runTool, disk(20 * GiB, { [GiB]: BLUESTORE })));
    expect(probe.found).toEqual(['Ceph BlueStore label (OSD 2f538ea4-e252-4b61-a363-0a1e470dd2a9) at offset 1 GiB (byte 1073741824)']);
    expect(probe.raw.labels).toMatch(/looked for at offset 0, offset 1 GiB \(byte 1073741824\), offset 10 GiB \(byte 10737418240\): Ceph BlueStore label/);
  });

  it('looks only as far as the disk reaches, and at every copy of a large one', async () => {
    const small = await wipeProbe(loop(3), opts(blank.runTool, disk(GiB + 59)));
    expect(small.raw.labels).toMatch(/looked for at offset 0: none found$/);
    const big = await wipeProbe(loop(3), opts(blank.runTool, disk(2000 * GiB, { [1000 * GiB]: BLUESTORE, [100 * GiB]: BLUESTORE })));
    expect(big.found).toEqual([expect.stringMatching(/at offset 100 GiB \(byte 107374182400\)$/), expect.stringMatching(/at offset 1000 GiB \(byte 1073741824000\)$/)]);
  });

  it('names a label at offset 0 once, with its offset and OSD, though wipefs and blkid see it too', async () => {
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, capturedText('wipefs-bluestore.json')) : result(tool, args, 0, capturedText('blkid-p-export-bluestore.txt'))));
    const probe = await wipeProbe(loop(0), opts(r.runTool, disk(64 * 1024 ** 2, { 0: BLUESTORE })));
    expect(probe.found).toEqual(['Ceph BlueStore label (OSD 2f538ea4-e252-4b61-a363-0a1e470dd2a9) at offset 0']);
  });

  it('does not call a disk blank when a label offset cannot be read', async () => {
    const failing: ReadAt = async (path, position, length) => {
      if (position === 10 * GiB) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return disk(20 * GiB)(path, position, length);
    };
    const [p] = await wipeProbeAll([loop(3)], opts(blank.runTool, failing));
    expect(p).toEqual({ error: expect.stringMatching(/could not read \/dev\/loop3 at offset 10 GiB \(byte 10737418240\) to look for a Ceph BlueStore label: EIO/) });
  });
});

describe('wipeProbe (one disk)', () => {
  it('runs wipefs and blkid at once and lets both finish before a failure is reported', async () => {
    let blkidDone = false;
    const r = recording(async (tool, args) => {
      if (tool === 'wipefs') return result(tool, args, 1, '', 'wipefs: error: busy\n');
      await new Promise((res) => setTimeout(res, 20));
      blkidDone = true;
      return blkidBlank(args);
    });
    await expect(wipeProbe(loop(1), opts(r.runTool))).rejects.toThrow(/wipefs \/dev\/loop1 exited 1: wipefs: error: busy/);
    expect(r.calls).toEqual(['wipefs -J -n /dev/loop1', 'blkid -p -o export /dev/loop1']);
    expect(blkidDone).toBe(true);
  });
});

function capturedText(name: string): string {
  return captured(name).toString('utf8');
}

// What the probe records and says, word for word (mutation testing, issue 23).
describe('wipe-probe: its record and its words', () => {
  const blank = () => recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, WIPEFS_BLANK) : blkidBlank(args)));

  it('a partition the kernel lists under /sys/block is a finding, in order, though both tools see nothing', async () => {
    // A sysfs block directory laid out as the kernel does: the disk's own files and one directory per partition.
    const sys = mkdtempSync(join(tmpdir(), 'vetting-wipe-sys-'));
    try {
      // Twelve partitions, made in reverse: readdir's order is the filesystem's, never this one.
      const parts = Array.from({ length: 12 }, (_, i) => `loop1p${12 - i}`);
      for (const e of [...parts, 'queue', 'holders']) mkdirSync(join(sys, 'block', 'loop1', e), { recursive: true });
      writeFileSync(join(sys, 'block', 'loop1', 'size'), '131072\n');
      const p = await wipeProbe(loop(1), { ...opts(blank().runTool), sysRoot: sys });
      expect(p.found).toEqual(Array.from({ length: 12 }, (_, i) => `partition loop1p${i + 1}`));
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });

  it('one disk gets its own wipefs, and the record names the command', async () => {
    const r = blank();
    const [p] = await wipeProbeAll([loop(3)], opts(r.runTool));
    expect(r.calls.filter((c) => c.startsWith('wipefs'))).toEqual(['wipefs -J -n /dev/loop3']);
    expect(p).toMatchObject({ device: '/dev/loop3', found: [], raw: { wipefsCommand: 'wipefs -J -n /dev/loop3', blkidExit: 2 } });
  });

  it('says what wipefs said when it fails, trimmed and cut at 300 characters', async () => {
    const busy = 'wipefs: error: /dev/loop1: probing initialization failed: Device or resource busy';
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 1, '', `${busy}\n`) : blkidBlank(args)));
    await expect(wipeProbe(loop(1), opts(r.runTool))).rejects.toThrow(new Error(`wipefs /dev/loop1 exited 1: ${busy}`));
    const long = `  ${'x'.repeat(400)}\n`;
    const r2 = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 1, '', long) : blkidBlank(args)));
    await expect(wipeProbe(loop(1), opts(r2.runTool))).rejects.toThrow(new Error(`wipefs /dev/loop1 exited 1: ${'x'.repeat(300)}`));
  });

  it('a cancellation wins over any other failure of the two probes', async () => {
    const r = recording((tool, args) => {
      if (tool === 'wipefs') return result(tool, args, 1, '', 'wipefs: error: busy\n');
      throw new ToolInfraError('cancelled', tool, `${tool}: cancelled`);
    });
    await expect(wipeProbe(loop(1), opts(r.runTool))).rejects.toMatchObject({ kind: 'cancelled' });
    const r2 = recording((tool, args) => {
      if (tool === 'wipefs') throw new ToolInfraError('missing', tool, 'wipefs: not installed');
      return blkidBlank(args);
    });
    await expect(wipeProbe(loop(1), opts(r2.runTool))).rejects.toMatchObject({ kind: 'missing' });
  });

  it('attributes a shared wipefs\'s signatures by the last part of each path, as wipefs names them, and keeps each entry as wipefs wrote it', async () => {
    // Real: one wipefs over /dev/loop1 and a symlink to /dev/loop2 names them "loop1" and the link's own name.
    const listing = capturedText('wipefs-two-disks-one-by-symlink.json');
    const byLink = { name: 'loop2', path: '/dev/disk/by-id/wwn-0x5000c500a1b2c3d4' };
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, listing) : blkidBlank(args)));
    const [first, second] = await wipeProbeAll([loop(1), byLink], opts(r.runTool));
    expect(r.calls.filter((c) => c.startsWith('wipefs'))).toEqual(['wipefs -J -n /dev/loop1 /dev/disk/by-id/wwn-0x5000c500a1b2c3d4']);
    if (!first || 'error' in first || !second || 'error' in second) throw new Error('both disks should have been probed');
    expect(first.found).toEqual([expect.stringMatching(/^ext4 filesystem \(label first, /)]);
    expect(second.found).toEqual([expect.stringMatching(/^ext4 filesystem \(label second, /)]);
    const entries = (JSON.parse(listing) as { signatures: unknown[] }).signatures;
    expect(JSON.parse(first.raw.wipefs)).toEqual({ signatures: [entries[0]] });
    expect(JSON.parse(second.raw.wipefs)).toEqual({ signatures: [entries[1]] });
    // A full path in the device column ends in the same name, so it is the same disk.
    const byPath = WIPEFS_EXT4.replace('"device": "loop2"', '"device": "/dev/loop2"');
    const r2 = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, args.length > 3 ? byPath : WIPEFS_BLANK) : blkidBlank(args)));
    const [ext4, other] = await wipeProbeAll([loop(2), loop(3)], opts(r2.runTool));
    expect(r2.calls.filter((c) => c.startsWith('wipefs'))).toEqual(['wipefs -J -n /dev/loop2 /dev/loop3']);
    expect([ext4, other].map((p) => (p && 'found' in p ? p.found.length : p))).toEqual([1, 0]);
  });

  it('does not trust a shared wipefs whose device name two disks share, none has, or that names no device: each disk gets its own', async () => {
    const ext4OnLoop2 = (args: string[]) => (args.includes('/dev/loop2') || args.includes('/run/other/loop2') ? WIPEFS_EXT4 : WIPEFS_BLANK);
    const noDevice = WIPEFS_EXT4.replace('"device": "loop2",', '');
    expect(noDevice).not.toBe(WIPEFS_EXT4);
    const foreign = WIPEFS_EXT4.replace('"device": "loop2"', '"device": "wwn-0x5000c500a1b2c3d4"');
    const cases: [string, { name: string; path: string }[]][] = [
      [WIPEFS_EXT4, [loop(2), { name: 'loop7', path: '/run/other/loop2' }]],
      [foreign, [loop(2), loop(3)]],
      [noDevice, [loop(2), loop(3)]],
    ];
    for (const [shared, devices] of cases) {
      const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, args.length > 3 ? shared : ext4OnLoop2(args)) : blkidBlank(args)));
      const probes = await wipeProbeAll(devices, opts(r.runTool));
      expect(r.calls.filter((c) => c.startsWith('wipefs')).sort()).toEqual([`wipefs -J -n ${devices[0]!.path}`, `wipefs -J -n ${devices[0]!.path} ${devices[1]!.path}`, `wipefs -J -n ${devices[1]!.path}`].sort());
      expect(probes.map((p) => ('found' in p ? p.found.length : p))).toEqual(devices[1]!.path === '/run/other/loop2' ? [1, 1] : [1, 0]);
    }
  });

  it('a lone newline is not wipefs\' listing: one disk cannot be probed, and a shared run falls back to one per disk', async () => {
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, '\n') : blkidBlank(args)));
    await expect(wipeProbe(loop(1), opts(r.runTool))).rejects.toThrow(/wipefs/);
    const probes = await wipeProbeAll([loop(1), loop(2)], opts(r.runTool));
    expect(r.calls.filter((c) => c.startsWith('wipefs -J -n /dev/loop1 /dev/loop2'))).toHaveLength(1);
    expect(probes).toEqual([{ error: expect.stringMatching(/wipefs/) }, { error: expect.stringMatching(/wipefs/) }]);
  });

  it('records where it looked for BlueStore labels: every hit, or that the disk is too small for any', async () => {
    const two = await wipeProbe(loop(3), opts(blank().runTool, disk(20 * GiB, { [GiB]: BLUESTORE, [10 * GiB]: BLUESTORE })));
    expect(two.raw.labels).toMatch(/: Ceph BlueStore label .* at offset 1 GiB \(byte 1073741824\); Ceph BlueStore label .* at offset 10 GiB \(byte 10737418240\)$/);
    const tiny = await wipeProbe(loop(3), opts(blank().runTool, disk(0)));
    expect(tiny.raw.labels).toBe('Ceph BlueStore label looked for at no offset (device too small): none found');
  });

  it('a label at offset 0 and another further in: the one at 0 named once, both with their offsets', async () => {
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, capturedText('wipefs-bluestore.json')) : result(tool, args, 0, capturedText('blkid-p-export-bluestore.txt'))));
    const p = await wipeProbe(loop(0), opts(r.runTool, disk(20 * GiB, { 0: BLUESTORE, [GiB]: BLUESTORE })));
    expect(p.found).toEqual([expect.stringMatching(/ at offset 0$/), expect.stringMatching(/ at offset 1 GiB \(byte 1073741824\)$/)]);
  });
  it('a label at offset 0 over an old filesystem: the label named once, the filesystem and blkid\'s ambivalence kept', async () => {
    // Real: a BlueStore label written over the start of an ext4 disk leaves its superblock at 0x438.
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, capturedText('wipefs-bluestore-over-ext4.json')) : result(tool, args, 8, '', BLKID_AMBIVALENT_STDERR)));
    const p = await wipeProbe(loop(1), opts(r.runTool, disk(64 * 1024 ** 2, { 0: BLUESTORE.subarray(0, 1024) })));
    expect(p.found).toEqual([
      'ext4 filesystem (label old, uuid 414dad27-976d-4e1c-b830-0746ade2c123, offset 0x438)',
      expect.stringMatching(/ambivalent/),
      'Ceph BlueStore label (OSD 2f538ea4-e252-4b61-a363-0a1e470dd2a9) at offset 0',
    ]);
  });
});

describe('wipe-probe: what wipefs may answer', () => {
  const blkid = (args: string[]) => blkidBlank(args);

  it('reads no output at all as a blank disk, as wipefs without -J prints for one (wipefs-n-a-blank.txt)', async () => {
    const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, fixture('wipefs-n-a-blank.txt')) : blkid(args)));
    expect((await wipeProbe(loop(1), opts(r.runTool))).found).toEqual([]);
    const shared = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, fixture('wipefs-n-a-blank.txt')) : blkid(args)));
    const both = await wipeProbeAll([loop(1), loop(2)], opts(shared.runTool));
    expect(shared.calls.filter((c) => c.startsWith('wipefs'))).toEqual(['wipefs -J -n /dev/loop1 /dev/loop2']);
    expect(both.map((p) => ('found' in p ? p.found : p))).toEqual([[], []]);
  });

  it('gives up the shared wipefs for one per disk when its output cannot be read or one signature belongs to no disk asked about', async () => {
    const twoOwners = WIPEFS_EXT4.replace(/\]\s*\}\s*$/, ', {"device": "loop9", "offset": "0x438", "type": "ext4", "uuid": "e527418b-d645-4f14-ac1c-243dbdbd5024", "label": "OTHER"}]}');
    expect((JSON.parse(twoOwners) as { signatures: unknown[] }).signatures).toHaveLength(2);
    for (const shared of ['{"signatures": [', twoOwners]) {
      const r = recording((tool, args) => (tool === 'wipefs' ? result(tool, args, 0, args.length > 3 ? shared : args.includes('/dev/loop2') ? WIPEFS_EXT4 : WIPEFS_BLANK) : blkid(args)));
      const [ext4, other] = await wipeProbeAll([loop(2), loop(3)], opts(r.runTool));
      expect(r.calls.filter((c) => c.startsWith('wipefs')).sort()).toEqual(['wipefs -J -n /dev/loop2', 'wipefs -J -n /dev/loop2 /dev/loop3', 'wipefs -J -n /dev/loop3']);
      expect([ext4, other].map((p) => (p && 'found' in p ? p.found.length : p))).toEqual([1, 0]);
    }
  });

  it('a cancelled shared wipefs cancels the probe instead of falling back', async () => {
    const r = recording((tool, args) => {
      if (tool === 'wipefs' && args.length > 3) throw new ToolInfraError('cancelled', tool, `${tool}: cancelled`);
      return tool === 'wipefs' ? result(tool, args, 0, WIPEFS_BLANK) : blkid(args);
    });
    await expect(wipeProbeAll([loop(2), loop(3)], opts(r.runTool))).rejects.toMatchObject({ kind: 'cancelled' });
  });

  it('when both probes fail, wipefs\' failure is the one reported', async () => {
    const r = recording((tool, args) => {
      if (tool === 'blkid') throw new ToolInfraError('missing', tool, 'blkid: not installed');
      return result(tool, args, 1, '', 'wipefs: error: /dev/loop1: probing initialization failed: Device or resource busy\n');
    });
    await expect(wipeProbe(loop(1), opts(r.runTool))).rejects.toThrow(/^wipefs \/dev\/loop1 exited 1: /);
  });
});
