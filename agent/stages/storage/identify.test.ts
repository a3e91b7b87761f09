import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolInfraError, type ToolResult, type ToolRunner } from '../../runtime/tool-runner.ts';
import type { StageContext } from '../types.ts';
import { resolveExpectedDisks, type BlockDeviceInfo } from './device-resolution.ts';
import { discoverDisks, enrichIdentities } from './identify.ts';

// Filling in the identities sysfs lacks, from the real outputs of a QEMU guest
// (fixtures/tool-outputs/qemu-guest: lsblk 2.38 with -J -b -d and its identity columns, and
// smartctl -j -a, a superset of the -i answer read here). A disk is matched for destructive
// work by these serials alone, so which tool fills in what matters.

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/tool-outputs', name), 'utf8');
// Real disks with a WWN, from public sources (agent/parsers/captured/README.md, "Disks with a WWN").
const publicCapture = (name: string) => readFileSync(join(import.meta.dirname, '../../parsers/captured', name), 'utf8');
const result = (tool: string, args: string[], exitCode: number, stdout: string): ToolResult => ({ tool, args, exitCode, stdout, stderr: '', truncated: false, durationMs: 1 });

function sysfsDisk(name: string): BlockDeviceInfo {
  // What sysfs gives for the guest's disks: no serial or WWN for SATA, nothing about transport or model.
  return { name, path: `/dev/${name}`, serial: null, wwn: null, backingFile: null, sizeBytes: 64 * 1024 ** 2, rotational: true, removable: false, readOnly: false, transport: null, model: null };
}

function context(answer: (tool: string, args: string[]) => ToolResult) {
  const calls: string[] = [];
  const warnings: [string, unknown][] = [];
  const debug: [string, unknown][] = [];
  const runTool: ToolRunner = async (tool, args) => {
    calls.push(`${tool} ${args.join(' ')}`);
    return answer(tool, args);
  };
  const log = { warn: (msg: string, meta: unknown) => warnings.push([msg, meta]), debug: (msg: string, meta: unknown) => debug.push([msg, meta]), info: () => undefined, error: () => undefined };
  const ctx = { runTool, signal: new AbortController().signal, log, paths: { sysRoot: '/nonexistent-sysroot' } } as unknown as StageContext;
  return { ctx, calls, warnings, debug };
}

const guest = (tool: string, args: string[]): ToolResult => {
  if (tool === 'lsblk') return result(tool, args, 0, fixture('qemu-guest/lsblk.json'));
  const dev = args.at(-1);
  if (dev === '/dev/sdb') return result(tool, args, 0, fixture('qemu-guest/smartctl-j-a-sdb.json'));
  if (dev === '/dev/nvme0n1') return result(tool, args, 0, fixture('qemu-guest-nvme-critwarn/smartctl-j-a-nvme0.json'));
  return result(tool, args, 4, fixture('smartctl-a-vda-virtio.json'));
};

describe('enrichIdentities', () => {
  it('takes serial, transport and model from lsblk, asks smartctl -i only about disks still lacking an identity, and never about loop devices', async () => {
    const devices = ['sda', 'sdb', 'vda', 'nvme0n1', 'loop0'].map(sysfsDisk);
    const { ctx, calls } = context(guest);
    await enrichIdentities(ctx, devices);
    expect(calls[0]).toBe('lsblk -J -b -d -o NAME,SERIAL,WWN,TRAN,ROTA,MODEL');
    expect(calls.slice(1).sort()).toEqual(['smartctl -j -i /dev/nvme0n1', 'smartctl -j -i /dev/sda', 'smartctl -j -i /dev/sdb', 'smartctl -j -i /dev/vda']);
    const by = Object.fromEntries(devices.map((d) => [d.name, { serial: d.serial, wwn: d.wwn, transport: d.transport, model: d.model }]));
    expect(by).toEqual({
      sda: { serial: null, wwn: null, transport: null, model: 'QEMU HARDDISK' },
      sdb: { serial: 'LABSATA0001', wwn: null, transport: 'sata', model: 'LAB-SATA-DISK' },
      vda: { serial: null, wwn: null, transport: null, model: null },
      nvme0n1: { serial: 'LABNVME0001', wwn: null, transport: 'nvme', model: 'QEMU NVMe Ctrl' },
      loop0: { serial: null, wwn: null, transport: null, model: null },
    });
  });

  it('keeps what sysfs already knew, and learns an NVMe transport from smartctl', async () => {
    const nvme = { ...sysfsDisk('nvme0n1'), serial: 'FROM-SYSFS' };
    const { ctx, warnings } = context((tool, args) => (tool === 'lsblk' ? result(tool, args, 1, '') : guest(tool, args)));
    await enrichIdentities(ctx, [nvme]);
    expect(nvme).toMatchObject({ serial: 'FROM-SYSFS', transport: 'nvme', model: null });
    expect(warnings).toEqual([]); // lsblk exiting non-zero is not read at all
    // A disk sysfs named by serial and WWN is asked nothing more.
    const known = { ...sysfsDisk('sdb'), serial: 'LABSATA0001', wwn: '0x5000c500a1b2c3d4' };
    const asked = context(guest);
    await enrichIdentities(asked.ctx, [known]);
    expect(asked.calls).toEqual(['lsblk -J -b -d -o NAME,SERIAL,WWN,TRAN,ROTA,MODEL']);
  });

  it('goes on without lsblk, saying so, and stops for a cancellation', async () => {
    const sdb = sysfsDisk('sdb');
    const missing = context((tool, args) => {
      if (tool === 'lsblk') throw new ToolInfraError('missing', tool, 'lsblk: not installed');
      return guest(tool, args);
    });
    await enrichIdentities(missing.ctx, [sdb]);
    expect(sdb.serial).toBe('LABSATA0001');
    expect(missing.warnings).toEqual([['lsblk could not add disk identities', { err: expect.stringContaining('lsblk: not installed') }]]);
    // Output that is not lsblk's JSON: said, naming lsblk, and the disks still get smartctl's identities.
    const garbled = context((tool, args) => (tool === 'lsblk' ? result(tool, args, 0, 'lsblk: unknown column: TRAN') : guest(tool, args)));
    const sdb2 = sysfsDisk('sdb');
    await enrichIdentities(garbled.ctx, [sdb2]);
    expect(sdb2.serial).toBe('LABSATA0001');
    expect(garbled.warnings).toEqual([['lsblk could not add disk identities', { err: expect.stringMatching(/^lsblk/) }]]);

    for (const failing of ['lsblk', 'smartctl']) {
      const cancelled = context((tool, args) => {
        if (tool === failing) throw new ToolInfraError('cancelled', tool, `${tool}: cancelled`);
        return guest(tool, args);
      });
      await expect(enrichIdentities(cancelled.ctx, [sysfsDisk('sdb')])).rejects.toMatchObject({ kind: 'cancelled' });
    }
  });
});

describe('enrichIdentities when smartctl cannot help', () => {
  it('keeps the serial lsblk read when smartctl -i gives nothing, and goes on when smartctl is missing', async () => {
    const nvme = sysfsDisk('nvme0n1');
    const unread = context((tool, args) => (tool === 'lsblk' ? guest(tool, args) : result(tool, args, 4, fixture('smartctl-a-vda-virtio.json'))));
    await enrichIdentities(unread.ctx, [nvme]);
    expect(nvme.serial).toBe('LABNVME0001');
    const sdb = sysfsDisk('sdb');
    const missing = context((tool, args) => {
      if (tool === 'smartctl') throw new ToolInfraError('missing', tool, 'smartctl: not installed');
      return guest(tool, args);
    });
    await enrichIdentities(missing.ctx, [sdb]);
    expect(sdb).toMatchObject({ serial: null, transport: 'sata' });
    // The log says which disk smartctl could not identify, and why.
    expect(missing.debug).toEqual([['smartctl -i gave no identity', { device: '/dev/sdb', err: expect.stringContaining('smartctl: not installed') }]]);
  });

  it('skips virtual devices by the start of their name only: a SCSI disk whose letters contain md or sr is still asked', async () => {
    // sdmd and sdsr are real kernel names on a host with several hundred SCSI disks.
    const devices = ['sdmd', 'sdsr', 'md0', 'dm-1', 'sr0', 'zd16', 'nbd0'].map(sysfsDisk);
    const { ctx, calls } = context((tool, args) => (tool === 'lsblk' ? result(tool, args, 0, '{"blockdevices": []}') : result(tool, args, 4, fixture('smartctl-a-vda-virtio.json'))));
    await enrichIdentities(ctx, devices);
    expect(calls.slice(1).sort()).toEqual(['smartctl -j -i /dev/sdmd', 'smartctl -j -i /dev/sdsr']);
  });
});

describe('enrichIdentities on real disks with a WWN', () => {
  const noIdentity = (tool: string, args: string[]) => result(tool, args, 4, fixture('smartctl-a-vda-virtio.json'));

  it('takes the WWN lsblk reads, so a disk listed by its WWN is found', async () => {
    // Two SATA SSDs of a Clear Linux machine; the capture has no SERIAL column, so smartctl is still asked (and says nothing here).
    const devices = ['sdb', 'sdc'].map(sysfsDisk);
    const { ctx } = context((tool, args) => (tool === 'lsblk' ? result(tool, args, 0, publicCapture('lsblk-J-O-clr-installer-raid.json')) : noIdentity(tool, args)));
    await enrichIdentities(ctx, devices);
    expect(devices.map((d) => [d.name, d.wwn, d.transport])).toEqual([
      ['sdb', '0x500a0751e1eda080', 'sata'],
      ['sdc', '0x500a0751e1f0f6eb', 'sata'],
    ]);
    const found = resolveExpectedDisks(['0x500a0751e1f0f6eb', 'wwn-0x500a0751e1eda080'], devices);
    expect(found.map((m) => [m.id, m.status, m.status === 'found' ? m.device.path : null])).toEqual([
      ['0x500a0751e1f0f6eb', 'found', '/dev/sdc'],
      ['wwn-0x500a0751e1eda080', 'found', '/dev/sdb'],
    ]);
  });

  it('takes the WWN smartctl -i reads for a disk lsblk gave none, written as lsblk writes it', async () => {
    // The guest's lsblk knows sdb by neither serial nor WWN; smartctl answers with a real WD140EDFZ's report.
    const sdb = sysfsDisk('sdb');
    const { ctx } = context((tool, args) => {
      if (tool === 'lsblk') return result(tool, args, 0, fixture('qemu-guest/lsblk.json'));
      return result(tool, args, 0, publicCapture('smartctl-j-a-scrutiny-wd140edfz.json'));
    });
    await enrichIdentities(ctx, [sdb]);
    expect(sdb).toMatchObject({ serial: '9RK1XXXX', wwn: '0x5000cca264eb01d7', transport: 'sata' });
    const [match] = resolveExpectedDisks(['0x5000cca264eb01d7'], [sdb]);
    expect(match).toMatchObject({ status: 'found', device: { path: '/dev/sdb' } });
  });
});

describe('discoverDisks', () => {
  it('asks no tool when every expected disk is a loop device, and lsblk as soon as one is named by serial', async () => {
    const loops = context(guest);
    await discoverDisks(loops.ctx, ['loop:/var/tmp/d0.img']);
    expect(loops.calls).toEqual([]);
    const mixed = context(guest);
    await discoverDisks(mixed.ctx, ['loop:/var/tmp/d0.img', 'LABSATA0001']);
    expect(mixed.calls).toEqual(['lsblk -J -b -d -o NAME,SERIAL,WWN,TRAN,ROTA,MODEL']);
  });
});
