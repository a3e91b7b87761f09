import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allMountpoints, LSBLK_COMMAND, parseLsblkJson } from './lsblk.ts';
import { expectParseError, fixture, truncated } from './test-fixtures.ts';

const captured = (name: string): string => readFileSync(new URL(`./captured/${name}`, import.meta.url), 'utf8');

describe('parseLsblkJson', () => {
  it('reads the full column set the stage runs (loop, zram, mounted root)', () => {
    expect(LSBLK_COMMAND).toBe(
      'lsblk -J -b -o NAME,KNAME,PATH,MAJ:MIN,TYPE,SIZE,ROTA,RM,HOTPLUG,RO,TRAN,MODEL,SERIAL,WWN,LOG-SEC,PHY-SEC,FSTYPE,MOUNTPOINTS,PKNAME',
    );
    const devs = parseLsblkJson(captured('lsblk-full.json'));
    const loop = devs.find((d) => d.type === 'loop')!;
    expect(loop).toMatchObject({ name: 'loop0', path: '/dev/loop0', sizeBytes: 67108864, removable: false, mountpoints: [], majMin: '7:0' });
    const vda = devs.find((d) => d.name === 'vda')!;
    expect(vda).toMatchObject({ type: 'disk', sizeBytes: 274877906944, rotational: true, logicalSectorBytes: 512, physicalSectorBytes: 4096 });
    expect(allMountpoints(vda)).toEqual(['/']);
  });

  it('reads the QEMU guest and live guest captures, trimming padded model/serial', () => {
    const q = parseLsblkJson(fixture('qemu-guest/lsblk.json'));
    expect(q.map((d) => d.name)).toEqual(['sda', 'sdb', 'vda', 'nvme0n1']);
    expect(q[3]).toMatchObject({ model: 'QEMU NVMe Ctrl', serial: 'LABNVME0001', transport: 'nvme', rotational: false, path: '/dev/nvme0n1' });
    expect(q[1]).toMatchObject({ model: 'LAB-SATA-DISK', serial: null, transport: 'sata', wwn: null, removable: null });
    const live = parseLsblkJson(fixture('live-guest-agent/lsblk.json'));
    expect(live.map((d) => d.sizeBytes)).toEqual([1073741824, 1073741824]);
    expect(parseLsblkJson(fixture('lsblk.json'))).toHaveLength(2);
  });

  it('rejects truncated input, missing columns and human-readable sizes', () => {
    expectParseError(() => parseLsblkJson(truncated(fixture('qemu-guest/lsblk.json'))), 'lsblk', /not valid JSON/);
    expectParseError(() => parseLsblkJson('{"devices": []}'), 'lsblk', /no "blockdevices"/);
    expectParseError(() => parseLsblkJson('{"blockdevices": [{"name": "sda", "type": "disk", "size": "1G"}]}'), 'lsblk', /sda has no byte size/);
    expectParseError(() => parseLsblkJson('{"blockdevices": [{"type": "disk"}]}'), 'lsblk', /device 0 has no name/);
  });
});
