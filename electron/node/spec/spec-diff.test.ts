import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInventory } from '../../../agent/parsers/inventory.ts';
import { parseDmidecode } from '../../../agent/parsers/dmidecode.ts';
import { parseLsblkJson } from '../../../agent/parsers/lsblk.ts';
import { parseLscpuJson } from '../../../agent/parsers/lscpu.ts';
import { parseLshwJson } from '../../../agent/parsers/lshw.ts';
import { gpuFromQueryRow, parseGpuQuery } from '../../../agent/parsers/nvidia-smi.ts';
import { parseSmartctlJson } from '../../../agent/parsers/smartctl.ts';
import { ExpectedSpec, type Inventory, type SpecDiff } from '../../../common/schema/index.ts';
import { diffSpec, hasCritical } from './spec-diff.ts';

// Each rule of docs/spec.md ("Diff rules") on both sides of its line, against the
// inventory the real parsers build from a live guest's real tool outputs
// (fixtures/tool-outputs/live-guest-agent: a "Dell PowerEdge R740", serial
// LIVESVC01, 2 GiB, two 1 GiB disks, one 1 Gbit/s NIC) plus the real H100's
// nvidia-smi answer. Where a rule needs a fact that guest lacks (a BMC version, a
// 51 GB disk, a removable one), that one field is changed and the test says so.

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/tool-outputs', name), 'utf8');

function liveGuest(over: Partial<Inventory> = {}): Inventory {
  const inv = buildInventory({
    dmi: parseDmidecode(fixture('live-guest-agent/dmidecode.txt')),
    cpu: parseLscpuJson(fixture('live-guest-agent/lscpu.json')),
    lshw: parseLshwJson(fixture('live-guest-agent/lshw.json')),
    blocks: parseLsblkJson(fixture('live-guest-agent/lsblk.json')),
    smart: ['sda', 'nvme0'].map((d) => parseSmartctlJson(fixture(`live-guest-agent/smartctl-${d}.json`), null)),
    gpus: parseGpuQuery(fixture('gpu-h100/nvidia-smi-query-noheader.csv')).map(gpuFromQueryRow),
    missingTools: [],
  });
  return { ...inv, ...over };
}

/** A spec as an operator writes it, through the same schema the YAML goes through. */
const spec = (s: Record<string, unknown>): ExpectedSpec => ExpectedSpec.parse({ version: 1, ...s });
const d = (field: string, expected: string | null, actual: string | null, severity: SpecDiff['severity'], rule: string): SpecDiff => ({ field, expected, actual, severity, rule });

describe('the live guest as read by the real parsers', () => {
  it('is what these tests assume', () => {
    const inv = liveGuest();
    expect(inv.system).toMatchObject({ manufacturer: 'Dell Inc.', product: 'PowerEdge R740', serial: 'LIVESVC01' });
    expect(inv.cpu).toMatchObject({ sockets: 1, cores: 2, threads: 2 });
    expect(inv.memory.totalBytes).toBe(2 * 1024 ** 3);
    expect(inv.disks.map((x) => [x.name, x.serial, x.sizeBytes])).toEqual([
      ['sda', 'LABSATA0001', 1024 ** 3],
      ['nvme0n1', 'LABNVME0001', 1024 ** 3],
    ]);
    expect(inv.nics).toEqual([expect.objectContaining({ name: 'eth0', mac: '52:54:00:00:07:05', speedMbps: 1000 })]);
    expect(inv.gpus.map((g) => g.model)).toEqual(['NVIDIA H100 80GB HBM3']);
    expect(inv.bmc).toBeUndefined();
  });
});

describe('system and CPU', () => {
  it('compares strings without case or repeated spaces, and checks only what the spec names', () => {
    expect(diffSpec(spec({ system: { manufacturer: 'dell  inc.', product: ' poweredge r740 ', serial: 'livesvc01' }, cpu: { model: 'qemu virtual  cpu version 2.5+' } }), liveGuest())).toEqual([]);
    // Firmware pads SMBIOS strings with spaces at times: they do not count either.
    expect(diffSpec(spec({ system: { product: 'PowerEdge R740' } }), liveGuest({ system: { ...liveGuest().system, product: '  PowerEdge R740   ' } }))).toEqual([]);
    // A spec that names nothing about the system or CPU finds nothing there, whatever the host has.
    expect(diffSpec(spec({ system: {}, cpu: {} }), liveGuest())).toEqual([]);
  });

  it('a space missing is a difference: whitespace is collapsed, not dropped', () => {
    expect(diffSpec(spec({ system: { product: 'PowerEdgeR740' } }), liveGuest())).toEqual([d('system.product', 'PowerEdgeR740', 'PowerEdge R740', 'critical', 'system-product')]);
  });

  it('a different serial or product is critical, a different manufacturer a warning', () => {
    expect(diffSpec(spec({ system: { serial: 'OTHER01' } }), liveGuest())).toEqual([d('system.serial', 'OTHER01', 'LIVESVC01', 'critical', 'system-serial')]);
    expect(diffSpec(spec({ system: { product: 'PowerEdge R650' } }), liveGuest())).toEqual([d('system.product', 'PowerEdge R650', 'PowerEdge R740', 'critical', 'system-product')]);
    expect(diffSpec(spec({ system: { manufacturer: 'HPE' } }), liveGuest())).toEqual([d('system.manufacturer', 'HPE', 'Dell Inc.', 'warning', 'system-manufacturer')]);
  });

  it('a different CPU model or count is critical, each count on its own', () => {
    expect(diffSpec(spec({ cpu: { model: 'Xeon Gold 6338' } }), liveGuest())).toEqual([d('cpu.model', 'Xeon Gold 6338', 'QEMU Virtual CPU version 2.5+', 'critical', 'cpu-model')]);
    expect(diffSpec(spec({ cpu: { sockets: 1, cores: 2, threads: 2 } }), liveGuest())).toEqual([]);
    expect(diffSpec(spec({ cpu: { sockets: 2, cores: 4, threads: 8 } }), liveGuest())).toEqual([
      d('cpu.sockets', '2', '1', 'critical', 'cpu-count'),
      d('cpu.cores', '4', '2', 'critical', 'cpu-count'),
      d('cpu.threads', '8', '2', 'critical', 'cpu-count'),
    ]);
  });
});

describe('memory (2 GiB fitted)', () => {
  it('within the tolerance, up to and including it, is no difference', () => {
    expect(diffSpec(spec({ memory: { totalGiB: 3, toleranceGiB: 1 } }), liveGuest())).toEqual([]);
    expect(diffSpec(spec({ memory: { totalGiB: 1, toleranceGiB: 1 } }), liveGuest())).toEqual([]);
    expect(diffSpec(spec({ memory: { totalGiB: 2, toleranceGiB: 0 } }), liveGuest())).toEqual([]);
  });

  it('less than ordered beyond the tolerance is a missing DIMM (critical); more is a warning', () => {
    expect(diffSpec(spec({ memory: { totalGiB: 3, toleranceGiB: 0.5 } }), liveGuest())).toEqual([d('memory.totalGiB', '3', '2.0', 'critical', 'memory-short')]);
    expect(diffSpec(spec({ memory: { totalGiB: 1, toleranceGiB: 0.5 } }), liveGuest())).toEqual([d('memory.totalGiB', '1', '2.0', 'warning', 'memory-extra')]);
  });
});

describe('disks', () => {
  it('finds a disk by serial or by WWN, without case and with or without 0x', () => {
    const withWwn = liveGuest();
    withWwn.disks[1] = { ...withWwn.disks[1]!, wwn: '0x5002538E40A1B2C3' }; // the live guest's NVMe reports none
    expect(diffSpec(spec({ disks: [{ serial: 'labsata0001' }, { wwn: '5002538e40a1b2c3' }] }), withWwn)).toEqual([]);
    expect(diffSpec(spec({ disks: [{ serial: 'LABSATA0001' }, { wwn: '0x5002538e40a1b2c3' }] }), withWwn)).toEqual([]);
  });

  it('a disk the spec names that is not there is critical; one there but not named is info', () => {
    expect(diffSpec(spec({ disks: [{ serial: 'LABSATA0001' }, { serial: 'GONE01' }] }), liveGuest())).toEqual([
      d('disks[GONE01]', 'GONE01', null, 'critical', 'disk-missing'),
      d('disks[LABNVME0001]', null, 'nvme0n1 QEMU NVMe Ctrl', 'info', 'disk-extra'),
    ]);
    expect(diffSpec(spec({ disks: [{ wwn: '0x5000c500a1b2c3d4' }] }), liveGuest()).filter((x) => x.rule === 'disk-missing')).toEqual([
      d('disks[0x5000c500a1b2c3d4]', '0x5000c500a1b2c3d4', null, 'critical', 'disk-missing'),
    ]);
  });

  it('a removable disk is never extra; an unnamed extra disk is named by WWN, else by its kernel name', () => {
    const inv = liveGuest();
    inv.disks[0] = { ...inv.disks[0]!, removable: true }; // as if sda were a USB stick
    inv.disks[1] = { ...inv.disks[1]!, serial: null, wwn: null, model: null };
    expect(diffSpec(spec({ disks: [] }), inv)).toEqual([d('disks[nvme0n1]', null, 'nvme0n1', 'info', 'disk-extra')]);
    inv.disks[1] = { ...inv.disks[1], wwn: '0x5002538e40a1b2c3' };
    expect(diffSpec(spec({ disks: [] }), inv)).toEqual([d('disks[0x5002538e40a1b2c3]', null, 'nvme0n1', 'info', 'disk-extra')]);
  });

  it('a different model is a warning', () => {
    expect(diffSpec(spec({ disks: [{ serial: 'LABSATA0001', model: 'lab-sata-disk' }, { serial: 'LABNVME0001', model: 'Samsung PM9A3' }] }), liveGuest())).toEqual([
      d('disks[LABNVME0001].model', 'Samsung PM9A3', 'QEMU NVMe Ctrl', 'warning', 'disk-model'),
    ]);
  });

  it('a size off by more than 2 % is a warning; exactly 2 % is not', () => {
    const inv = liveGuest();
    inv.disks[0] = { ...inv.disks[0]!, sizeBytes: 51e9 }; // a 51 GB disk
    const size = (sizeGB: number) => diffSpec(spec({ disks: [{ serial: 'LABSATA0001', sizeGB }, { serial: 'LABNVME0001' }] }), inv);
    expect(size(50)).toEqual([]); // 1 GB of 50: 2 %
    expect(size(52)).toEqual([]); // 1 GB of 52: under 2 %
    expect(size(49.9)).toEqual([d('disks[LABSATA0001].sizeGB', '49.9', '51.0', 'warning', 'disk-size')]);
    expect(size(52.1)).toEqual([d('disks[LABSATA0001].sizeGB', '52.1', '51.0', 'warning', 'disk-size')]);
  });
});

describe('NICs (eth0 52:54:00:00:07:05 at 1000 Mbit/s)', () => {
  it('finds a NIC by MAC written any way the spec accepts, at or above the speed asked for', () => {
    expect(diffSpec(spec({ nics: [{ mac: '52-54-00-00-07-05', speedMbps: 1000 }] }), liveGuest())).toEqual([]);
    const upper = liveGuest({ nics: [{ ...liveGuest().nics[0]!, mac: '52:54:00:00:07:05'.toUpperCase() }] });
    expect(diffSpec(spec({ nics: [{ mac: '52:54:00:00:07:05', speedMbps: 100 }] }), upper)).toEqual([]);
  });

  it('a NIC the spec names that is not there is critical; a slower link a warning; an unnamed NIC info', () => {
    expect(diffSpec(spec({ nics: [{ mac: '52:54:00:00:07:05', speedMbps: 10_000 }] }), liveGuest())).toEqual([d('nics[52:54:00:00:07:05].speedMbps', '10000', '1000', 'warning', 'nic-speed')]);
    expect(diffSpec(spec({ nics: [{ mac: '52:54:00:00:00:09' }] }), liveGuest())).toEqual([
      d('nics[52:54:00:00:00:09]', '52:54:00:00:00:09', null, 'critical', 'nic-missing'),
      d('nics[52:54:00:00:07:05]', null, 'eth0', 'info', 'nic-extra'),
    ]);
  });

  it('a NIC named in the spec is not also extra, whatever case the host writes its MAC in', () => {
    // The live guest's MAC has no letters; this one's does.
    const lettered = liveGuest({ nics: [{ ...liveGuest().nics[0]!, mac: '52:54:00:AB:CD:EF' }] });
    expect(diffSpec(spec({ nics: [{ mac: '52:54:00:ab:cd:ef' }] }), lettered)).toEqual([]);
    expect(diffSpec(spec({ nics: [] }), lettered)).toEqual([d('nics[52:54:00:AB:CD:EF]', null, 'eth0', 'info', 'nic-extra')]);
  });

  it('a link whose speed is unknown is not called slow', () => {
    const unknown = liveGuest({ nics: [{ ...liveGuest().nics[0]!, speedMbps: null }] });
    expect(diffSpec(spec({ nics: [{ mac: '52:54:00:00:07:05', speedMbps: 10_000 }] }), unknown)).toEqual([]);
  });
});

describe('GPUs (one NVIDIA H100 80GB HBM3)', () => {
  it('counts the GPUs whose model contains the one asked for, without case', () => {
    expect(diffSpec(spec({ gpus: [{ model: 'h100', count: 1 }] }), liveGuest())).toEqual([]);
    expect(diffSpec(spec({ gpus: [{ model: 'H100', count: 2 }] }), liveGuest())).toEqual([d('gpus[H100].count', '2', '1', 'critical', 'gpu-missing')]);
    expect(diffSpec(spec({ gpus: [{ model: 'A100', count: 1 }] }), liveGuest())).toEqual([d('gpus[A100].count', '1', '0', 'critical', 'gpu-missing')]);
  });

  it('more GPUs of the model than asked for is info', () => {
    const two = liveGuest();
    two.gpus = [two.gpus[0]!, { ...two.gpus[0]!, serial: '1752624021411', uuid: 'GPU-second', busId: '00000000:00:07.0' }];
    expect(diffSpec(spec({ gpus: [{ model: 'H100', count: 1 }] }), two)).toEqual([d('gpus[H100].count', '1', '2', 'info', 'gpu-extra')]);
  });
});

describe('firmware and tools', () => {
  it('a different BIOS or BMC version is a warning; a version the spec does not name is not compared', () => {
    const withBmc = liveGuest({ bmc: { version: '2.10' } }); // the live guest has no BMC
    expect(diffSpec(spec({ firmware: { bios: '1.16.2-DEBIAN-1.16.2-1', bmc: '2.10' } }), withBmc)).toEqual([]);
    expect(diffSpec(spec({ firmware: { bios: '1.16.2-debian-1.16.2-1' } }), withBmc)).toEqual([]);
    expect(diffSpec(spec({ firmware: { bios: '2.0', bmc: '3.0' } }), withBmc)).toEqual([
      d('firmware.bios', '2.0', '1.16.2-debian-1.16.2-1', 'warning', 'firmware-version'),
      d('firmware.bmc', '3.0', '2.10', 'warning', 'firmware-version'),
    ]);
    expect(diffSpec(spec({ firmware: { bmc: '3.0' } }), liveGuest())).toEqual([d('firmware.bmc', '3.0', null, 'warning', 'firmware-version')]);
  });

  it('an inventory tool missing on the host is info, whatever the spec says', () => {
    expect(diffSpec(spec({}), liveGuest({ missingTools: ['lshw', 'dmidecode'] }))).toEqual([
      d('inventory.tools.lshw', 'present', 'missing', 'info', 'tool-missing'),
      d('inventory.tools.dmidecode', 'present', 'missing', 'info', 'tool-missing'),
    ]);
  });
});

describe('pass or fail', () => {
  it('only a critical difference fails SpecValidate', () => {
    expect(hasCritical([d('a', null, null, 'warning', 'x'), d('b', null, null, 'info', 'y')])).toBe(false);
    expect(hasCritical([d('a', null, null, 'info', 'x'), d('b', null, null, 'critical', 'y')])).toBe(true);
    expect(hasCritical([])).toBe(false);
  });
});
