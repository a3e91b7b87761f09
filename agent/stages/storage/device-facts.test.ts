import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceFacts, listBlockDevices, readHostTables } from './device-facts.ts';

// The facts behind the identity and safety gates, read from a sysfs / procfs
// laid out in a temporary directory the way the kernel lays them out. (Real
// loop devices are covered by test/integration/agent-storage.test.ts.)

let root: string;
let sys: string;
let proc: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'device-facts-'));
  sys = join(root, 'sys');
  proc = join(root, 'proc');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A whole disk under <sys>/block and <sys>/class/block, with its major:minor. */
function disk(name: string, majMin: string, attrs: Record<string, string> = {}): void {
  put(join(sys, 'block', name, 'size'), '49152\n');
  put(join(sys, 'block', name, 'removable'), '0\n');
  put(join(sys, 'block', name, 'ro'), '0\n');
  put(join(sys, 'block', name, 'queue', 'rotational'), '0\n');
  put(join(sys, 'block', name, 'queue', 'logical_block_size'), '512\n');
  for (const [rel, text] of Object.entries(attrs)) put(join(sys, 'block', name, rel), text);
  put(join(sys, 'class', 'block', name, 'dev'), `${majMin}\n`);
  put(join(sys, 'class', 'block', name, 'ro'), '0\n');
  mkdirSync(join(sys, 'class', 'block', name, 'holders'), { recursive: true });
}

/** A mountinfo line as the kernel writes it. */
const mountLine = (id: number, majMin: string, mountPoint: string, source: string) => `${id} 1 ${majMin} / ${mountPoint} rw,relatime shared:${id} - ext4 ${source} rw`;

describe('listBlockDevices', () => {
  it('reads every attribute of every whole disk, sorted, skipping ram and zram', async () => {
    disk('sdb', '8:16', { 'device/serial': 'S3Z9NB0K123456\n', wwid: 'naa.5002538e40a1b2c3\n', 'device/model': 'Samsung SSD 860\n' });
    disk('loop3', '7:3', { 'loop/backing_file': '/var/tmp/disk1.img\n', 'queue/rotational': '1\n', 'queue/logical_block_size': '4096\n' });
    disk('zram0', '252:0');
    disk('ram0', '1:0');
    const devs = await listBlockDevices(sys);
    expect(devs.map((d) => d.name)).toEqual(['loop3', 'sdb']);
    expect(devs[0]).toMatchObject({ path: '/dev/loop3', backingFile: '/var/tmp/disk1.img', serial: null, wwn: null, rotational: true, logicalBlockSize: 4096, sizeBytes: 49152 * 512 });
    expect(devs[1]).toMatchObject({ serial: 'S3Z9NB0K123456', wwn: 'naa.5002538e40a1b2c3', model: 'Samsung SSD 860', rotational: false, removable: false, readOnly: false, backingFile: null });
  });

  it('reads an attribute longer than one read to its end', async () => {
    // A loop device's backing file may have a path up to PATH_MAX (4096) long.
    const long = `/${'d'.repeat(250)}/`.repeat(20) + 'disk.img';
    expect(long.length).toBeGreaterThan(4096);
    disk('loop7', '7:7', { 'loop/backing_file': `${long}\n` });
    const [dev] = await listBlockDevices(sys);
    expect(dev!.backingFile).toBe(long);
  });

  it('gives no devices, not an error, when <sys>/block is missing', async () => {
    expect(await listBlockDevices(join(root, 'nowhere'))).toEqual([]);
  });
});

describe('deviceFacts', () => {
  it('finds a mount of a partition at the end of a long mountinfo, read once for all disks', async () => {
    disk('sdc', '8:32');
    put(join(sys, 'block', 'sdc', 'sdc1', 'partition'), '1\n');
    put(join(sys, 'class', 'block', 'sdc1', 'dev'), '8:33\n');
    put(join(sys, 'class', 'block', 'sdc1', 'partition'), '1\n');
    mkdirSync(join(sys, 'class', 'block', 'sdc1', 'holders'), { recursive: true });
    disk('sdd', '8:48');
    // Far more than one read's worth of other mounts before the one that matters.
    const others = Array.from({ length: 200 }, (_, i) => mountLine(100 + i, `0:${100 + i}`, `/run/other-${i}`, 'tmpfs'));
    put(join(proc, 'self', 'mountinfo'), [...others, mountLine(400, '8:33', '/srv/data', '/dev/sdc1')].join('\n') + '\n');
    put(join(proc, 'swaps'), 'Filename\tType\tSize\tUsed\tPriority\n');
    put(join(proc, 'cmdline'), 'BOOT_IMAGE=/vmlinuz quiet\n');
    const tables = await readHostTables(proc);
    expect(tables.mounts.length).toBe(201);
    const opts = { sysRoot: sys, procRoot: proc };
    const [c, d] = await Promise.all([deviceFacts({ name: 'sdc', path: '/dev/sdc' }, opts, tables), deviceFacts({ name: 'sdd', path: '/dev/sdd' }, opts, tables)]);
    expect(c).toMatchObject({ isPartition: false, mountpoints: ['/srv/data'], bootMedium: false, holders: [] });
    expect(d).toMatchObject({ mountpoints: [], swaps: [], holders: [], bootMedium: false });
    // Without tables, deviceFacts reads them itself and says the same.
    expect(await deviceFacts({ name: 'sdc', path: '/dev/sdc' }, opts)).toEqual(c);
  });

  it('sees holders on the disk and on its partitions, swap, and root= on the command line', async () => {
    disk('sde', '8:64');
    put(join(sys, 'class', 'block', 'sde', 'holders', 'md127'), '');
    put(join(sys, 'block', 'sde', 'sde1', 'partition'), '1\n');
    put(join(sys, 'block', 'sde', 'sde2', 'partition'), '2\n');
    for (const [part, mm] of [['sde1', '8:65'], ['sde2', '8:66']] as const) {
      put(join(sys, 'class', 'block', part, 'dev'), `${mm}\n`);
      put(join(sys, 'class', 'block', part, 'partition'), '1\n');
      mkdirSync(join(sys, 'class', 'block', part, 'holders'), { recursive: true });
    }
    put(join(sys, 'class', 'block', 'sde2', 'holders', 'dm-0'), '');
    for (const h of ['md127', 'dm-0']) {
      put(join(sys, 'class', 'block', h, 'dev'), h === 'dm-0' ? '254:0\n' : '9:127\n');
      mkdirSync(join(sys, 'class', 'block', h, 'holders'), { recursive: true });
    }
    put(join(proc, 'self', 'mountinfo'), `${mountLine(30, '0:25', '/', 'overlay')}\n`);
    put(join(proc, 'swaps'), 'Filename\tType\tSize\tUsed\tPriority\n/dev/sde1                               partition\t1048572\t0\t-2\n');
    put(join(proc, 'cmdline'), 'BOOT_IMAGE=/vmlinuz root=/dev/sde2 ro\n');
    const facts = await deviceFacts({ name: 'sde', path: '/dev/sde' }, { sysRoot: sys, procRoot: proc }, await readHostTables(proc));
    expect(facts.holders).toEqual(['dm-0', 'md127']);
    expect(facts.swaps).toEqual(['/dev/sde1']);
    expect(facts.bootMedium).toBe(true);
    expect(facts.isBlockDevice).toBe(false); // /dev/sde is not a device node here
  });
});
