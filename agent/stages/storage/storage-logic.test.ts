import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { checkFioFloor } from './disk-test.ts';
import { badBlockCount, describeBadRange, mergeRanges } from './bad-ranges.ts';
import { parseMountinfo } from './device-facts.ts';
import { diskClass, normaliseWwn, resolveExpectedDisks, type BlockDeviceInfo } from './device-resolution.ts';
import { isAllowlisted, safetyRefusals, type DeviceFacts } from './safety.ts';

function dev(over: Partial<BlockDeviceInfo>): BlockDeviceInfo {
  return {
    name: 'sda',
    path: '/dev/sda',
    serial: null,
    wwn: null,
    backingFile: null,
    sizeBytes: 1e12,
    rotational: false,
    removable: false,
    readOnly: false,
    transport: null,
    model: null,
    ...over,
  };
}

const devices = [
  dev({ name: 'sda', path: '/dev/sda', serial: 'S3Z9NB0K123456', wwn: '0x5002538e40a1b2c3' }),
  dev({ name: 'nvme0n1', path: '/dev/nvme0n1', serial: 'PHLJ9123004X', wwn: 'eui.0025388b91b2c3d4', transport: 'nvme' }),
  dev({ name: 'loop3', path: '/dev/loop3', backingFile: '/var/tmp/bench/disk1.img' }),
  dev({ name: 'loop4', path: '/dev/loop4', backingFile: '/var/tmp/bench/gone.img (deleted)' }),
  dev({ name: 'sdb', path: '/dev/sdb', serial: 'DUP1' }),
  dev({ name: 'sdc', path: '/dev/sdc', serial: 'dup1' }),
];

describe('resolveExpectedDisks', () => {
  it('matches by serial, by WWN in any common spelling, and loop devices by backing file', () => {
    const r = resolveExpectedDisks(['S3Z9NB0K123456', 'eui.0025388b91b2c3d4', 'loop:/var/tmp/bench/disk1.img', 'loop:/var/tmp/bench/gone.img'], devices);
    expect(r.map((m) => (m.status === 'found' ? m.device.path : m.status))).toEqual(['/dev/sda', '/dev/nvme0n1', '/dev/loop3', '/dev/loop4']);
    const byWwn = resolveExpectedDisks(['naa.5002538e40a1b2c3'], devices);
    expect(byWwn[0]!.status === 'found' && byWwn[0]!.device.path).toBe('/dev/sda');
  });

  it('refuses a second id for a disk already listed, so no disk is tested twice at once', () => {
    const r = resolveExpectedDisks(['S3Z9NB0K123456', 'naa.5002538e40a1b2c3'], devices);
    expect(r.map((m) => m.status)).toEqual(['found', 'ambiguous']);
    expect(r[1]!.status === 'ambiguous' && r[1]!.reason).toBe('"naa.5002538e40a1b2c3" names the same disk as "S3Z9NB0K123456" (/dev/sda); list each disk once');
  });

  it('never matches by kernel name and never guesses between duplicates', () => {
    const r = resolveExpectedDisks(['sda', '/dev/sda', 'DUP1', 'loop:', 'loop:/var/tmp/bench/other.img'], devices);
    expect(r.map((m) => m.status)).toEqual(['missing', 'missing', 'ambiguous', 'missing', 'missing']);
    expect(r[2]!.status === 'ambiguous' && r[2]!.reason).toMatch(/\/dev\/sdb, \/dev\/sdc/);
    expect(r[4]!.status === 'missing' && r[4]!.reason).toMatch(/no loop device is backed by/);
  });

  it('normalises WWNs from lsblk, smartctl and by-id names alike', () => {
    expect(normaliseWwn('0x5000C500A1B2C3D4')).toBe(normaliseWwn('naa.5000c500a1b2c3d4'));
    expect(normaliseWwn('5 000c50 0a1b2c3d4')).toBe('5000c500a1b2c3d4');
  });
});

describe('diskClass', () => {
  it('uses transport for nvme, rotation for hdd, else ssd', () => {
    expect(diskClass({ name: 'nvme0n1', transport: null, rotational: false })).toBe('nvme');
    expect(diskClass({ name: 'sda', transport: 'nvme', rotational: null })).toBe('nvme');
    expect(diskClass({ name: 'sda', transport: 'sata', rotational: true })).toBe('hdd');
    expect(diskClass({ name: 'sdb', transport: 'sas', rotational: false })).toBe('ssd');
    expect(diskClass({ name: 'sdb', transport: null, rotational: null })).toBe('ssd');
  });
});

describe('safetyRefusals', () => {
  const clean: DeviceFacts = {
    path: '/dev/sdb',
    name: 'sdb',
    isBlockDevice: true,
    isPartition: false,
    removable: false,
    readOnly: false,
    mountpoints: [],
    swaps: [],
    holders: [],
    bootMedium: false,
  };
  const allow = ['/dev/sd', '/dev/nvme'];

  it('lets a clean, allowlisted whole disk through', () => {
    expect(safetyRefusals(clean, allow)).toEqual([]);
  });

  it.each<[string, Partial<DeviceFacts>, RegExp]>([
    ['not a block device', { isBlockDevice: false }, /not a block device/],
    ['a partition', { isPartition: true }, /partition, not a whole disk/],
    ['removable', { removable: true }, /removable/],
    ['read-only', { readOnly: true }, /read-only/],
    ['the boot medium', { bootMedium: true }, /boot medium/],
    ['mounted', { mountpoints: ['/mnt/data'] }, /mounted \(\/mnt\/data\)/],
    ['swap', { swaps: ['/dev/sdb2'] }, /swap/],
    ['held by LVM or md', { holders: ['dm-0'] }, /in use by dm-0/],
  ])('refuses a disk that is %s', (_what, over, reason) => {
    const r = safetyRefusals({ ...clean, ...over }, allow);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(reason);
  });

  it('refuses anything outside the allowlist, and everything when it is empty', () => {
    expect(safetyRefusals({ ...clean, path: '/dev/vda' }, allow)[0]).toMatch(/outside the device allowlist/);
    expect(safetyRefusals(clean, [])[0]).toMatch(/allowlist is empty/);
    expect(isAllowlisted('/dev/loop7', ['/dev/loop'])).toBe(true);
    expect(isAllowlisted('/dev/loop7', [''])).toBe(false);
  });

  it('lists every reason at once', () => {
    expect(safetyRefusals({ ...clean, removable: true, mountpoints: ['/'], bootMedium: true }, ['/dev/nvme'])).toHaveLength(4);
  });
});

describe('parseMountinfo', () => {
  it('reads device numbers, mount points and sources', () => {
    const text = [
      '22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw',
      '40 22 7:3 / /mnt/with\\040space rw - ext4 /dev/loop3 rw',
      'garbage',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual([
      { majMin: '259:2', mountPoint: '/', source: '/dev/nvme0n1p2' },
      { majMin: '7:3', mountPoint: '/mnt/with space', source: '/dev/loop3' },
    ]);
  });
});

describe('fio floors and bad ranges', () => {
  const floors = PROFILES.standard.storage.floors;
  it('holds IOPS and p99 against the class floor', () => {
    expect(checkFioFloor(60_000, 2, floors.nvme)).toEqual([]);
    expect(checkFioFloor(40_000, 2, floors.nvme)[0]).toMatch(/40000 IOPS below the floor of 50000/);
    expect(checkFioFloor(200, 3000, floors.hdd)[0]).toMatch(/p99 latency 3000.00 ms above 2000 ms/);
    expect(checkFioFloor(Number.NaN, null, floors.hdd)).toHaveLength(1);
  });

  it('names a bad range in bytes and in the logical blocks of the disk, with the tool\'s own blocks when they differ', () => {
    expect(describeBadRange({ start: 32768, end: 40960, kind: 'unreadable' }, 512)).toBe('bytes 32768-40959 (logical blocks 64-79 of 512 B): unreadable (I/O error)');
    expect(describeBadRange({ start: 20480, end: 24576, kind: 'corrupted' }, 4096)).toBe('bytes 20480-24575 (logical block 5 of 4096 B): read back other data than was written');
    expect(describeBadRange({ start: 32768, end: 40960, kind: 'write-failed' }, 512, { size: 1024, label: 'badblocks' })).toBe(
      'bytes 32768-40959 (logical blocks 64-79 of 512 B; badblocks blocks 32-39 of 1024 B): write failed (I/O error)',
    );
  });

  it('merges touching ranges of one kind, keeps kinds apart, and counts each block once', () => {
    const merged = mergeRanges([
      { start: 8192, end: 12288, kind: 'corrupted' },
      { start: 4096, end: 8192, kind: 'corrupted' },
      { start: 0, end: 512, kind: 'unreadable' },
      { start: 10240, end: 16384, kind: 'unreadable' },
      { start: 100, end: 100, kind: 'unreadable' },
    ]);
    expect(merged).toEqual([
      { start: 0, end: 512, kind: 'unreadable' },
      { start: 4096, end: 12288, kind: 'corrupted' },
      { start: 10240, end: 16384, kind: 'unreadable' },
    ]);
    // 1 + 16 blocks of 512 B, the overlap 10240-12287 counted once.
    expect(badBlockCount(merged, 512)).toBe(1 + (16384 - 4096) / 512);
  });
});

// The words a refusal and a match give, and the spellings of one id that must (and must
// not) name one disk (mutation testing, issue 23).
describe('disk ids and refusals, word for word', () => {
  it('matches a serial whatever its case and spacing, but not one with a space taken out', () => {
    const d = [dev({ name: 'sdd', path: '/dev/sdd', serial: 'WD-WCC4N 1234' })];
    const found = (id: string) => resolveExpectedDisks([id], d)[0]!.status;
    expect(found('  wd-wcc4n   1234 ')).toBe('found');
    expect(found('WD-WCC4N\t1234')).toBe('found');
    expect(found('WD-WCC4N1234')).toBe('missing');
    expect(found('   ')).toBe('missing');
    // sysfs pads an ATA serial with spaces; the id a person types has none.
    const padded = [dev({ name: 'sdg', path: '/dev/sdg', serial: '    WD-WCC4N0123456' })];
    expect(resolveExpectedDisks(['WD-WCC4N0123456'], padded)[0]).toMatchObject({ status: 'found', device: { path: '/dev/sdg' } });
    // A disk whose serial is only padding has none: an id of spaces does not name it.
    const blank = [dev({ name: 'sdh', path: '/dev/sdh', serial: '        ' })];
    expect(resolveExpectedDisks(['  '], blank)[0]).toMatchObject({ status: 'missing' });
  });

  it('normalises a WWN to its hex digits, from any spelling', () => {
    expect(normaliseWwn(' 0x5000C500A1B2C3D4 ')).toBe('5000c500a1b2c3d4');
    expect(normaliseWwn('wwn-0x5000c500a1b2c3d4')).toBe('5000c500a1b2c3d4');
    expect(normaliseWwn('eui.0025388B91B2C3D4')).toBe('0025388b91b2c3d4');
  });

  it('needs at least 8 hex digits of a WWN to match one, and takes exactly 8', () => {
    const d = [dev({ name: 'sde', path: '/dev/sde', wwn: '0x5000c500' }), dev({ name: 'sdf', path: '/dev/sdf', wwn: '0x5000c5' })];
    expect(resolveExpectedDisks(['naa.5000c500'], d)[0]).toMatchObject({ status: 'found', device: { path: '/dev/sde' } });
    expect(resolveExpectedDisks(['5000c5'], d)[0]).toMatchObject({ status: 'missing' });
  });

  it('matches a loop device by its backing file however the kernel or a person writes the path', () => {
    const d = [dev({ name: 'loop5', path: '/dev/loop5', backingFile: ' /var/tmp/bench/../bench/d5.img (deleted)\n' })];
    expect(resolveExpectedDisks(['loop:/var/tmp/bench/d5.img'], d)[0]).toMatchObject({ status: 'found', device: { path: '/dev/loop5' } });
    // " (deleted)" is the kernel's suffix only at the end; a file named so elsewhere is another file.
    const named = [dev({ name: 'loop6', path: '/dev/loop6', backingFile: '/var/tmp/a (deleted)/d6.img' })];
    expect(resolveExpectedDisks(['loop:/var/tmp/a/d6.img'], named)[0]).toMatchObject({ status: 'missing', reason: 'no loop device is backed by /var/tmp/a/d6.img' });
  });

  it('says which id is missing, and which devices an ambiguous one matched', () => {
    const r = resolveExpectedDisks(['NOPE-1', 'DUP1', 'S3Z9NB0K123456', 'S3Z9NB0K123456'], devices);
    expect(r[0]).toEqual({ id: 'NOPE-1', status: 'missing', reason: 'no disk with serial or WWN "NOPE-1" is present' });
    expect(r[1]).toEqual({ id: 'DUP1', status: 'ambiguous', reason: '"DUP1" matches several devices (/dev/sdb, /dev/sdc); refusing to guess', devices: ['/dev/sdb', '/dev/sdc'] });
    expect(r[3]).toMatchObject({ status: 'ambiguous', devices: ['/dev/sda'] });
  });

  it('calls a disk nvme by its kernel name only when the name starts with nvme', () => {
    expect(diskClass({ name: 'xnvme0n1', transport: null, rotational: true })).toBe('hdd');
  });

  it('names at most five mount points and holders, and lists swaps, separated by commas', () => {
    const clean: DeviceFacts = { path: '/dev/sdb', name: 'sdb', isBlockDevice: true, isPartition: false, removable: false, readOnly: false, mountpoints: [], swaps: [], holders: [], bootMedium: false };
    const six = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(safetyRefusals({ ...clean, mountpoints: six.map((m) => `/mnt/${m}`), swaps: ['/dev/sdb2', '/dev/sdb3'], holders: six.map((h, i) => `dm-${i}`) }, ['/dev/sd', '/dev/nvme'])).toEqual([
      '/dev/sdb is mounted (/mnt/a, /mnt/b, /mnt/c, /mnt/d, /mnt/e)',
      '/dev/sdb is in use as swap (/dev/sdb2, /dev/sdb3)',
      '/dev/sdb is in use by dm-0, dm-1, dm-2, dm-3, dm-4',
    ]);
    expect(safetyRefusals({ ...clean, path: '/dev/vda' }, ['/dev/sd', '/dev/nvme'])).toEqual(['/dev/vda is outside the device allowlist (/dev/sd, /dev/nvme)']);
  });
});
