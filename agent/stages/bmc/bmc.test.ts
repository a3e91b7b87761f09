import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { selCriticality } from '../../../common/bmc-events.ts';
import { parseSelElist } from '../../parsers/ipmitool.ts';
import { captured } from '../../parsers/test-fixtures.ts';
import { summaryOf } from '../../testing/summary-of.ts';
import type { ToolRunner } from '../../runtime/tool-runner.ts';
import { bmcReport } from './index.ts';
import { bmcAccess, firmwareDeclaresBmc, snapshotFrom } from './read.ts';

const cap = (f: string) => captured(`qemu-selftest-bmc-2026-12/${f}`);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'vetting-bmc-'));
  dirs.push(d);
  return d;
}

describe('which BMC records are critical (the emulated BMC\'s real log)', () => {
  it('fails on supply, memory, processor, fan and temperature faults, not on boots, non-critical thresholds or recoveries', () => {
    const sel = parseSelElist(cap('ipmitool-sel-elist.txt'));
    expect(sel.map((r) => [r.event, r.direction, selCriticality(r)?.category ?? null])).toEqual([
      ['Initiated by hard reset', 'Asserted', null],
      ['Upper Non-critical going high', 'Asserted', null],
      ['Failure detected', 'Asserted', 'power supply'],
      ['Failure detected', 'Deasserted', null],
      ['Correctable ECC', 'Asserted', 'memory'],
      ['Uncorrectable ECC', 'Asserted', 'memory'],
      ['IERR', 'Asserted', 'processor'],
      ['Lower Critical going low', 'Asserted', 'fan'],
      ['Upper Critical going high', 'Asserted', 'temperature'],
      ['Failure detected', 'Asserted', 'power supply'],
    ]);
    expect(selCriticality({ sensorType: 'Power Supply', sensor: 'Power Supply PS2 Status', event: 'Presence detected', direction: 'Deasserted' })?.part).toBe('psu');
    expect(selCriticality({ sensorType: 'Power Supply', sensor: 'Power Supply PS2 Status', event: 'Presence detected', direction: 'Asserted' })).toBeNull();
    expect(selCriticality({ sensorType: 'Voltage', sensor: 'Voltage 12V', event: 'Lower Critical going low', direction: 'Asserted' })?.part).toBe('psu');
    expect(selCriticality({ sensorType: 'Fan', sensor: 'Fan FAN2', event: 'Lower Non-critical going low', direction: 'Asserted' })).toBeNull();
  });
});

describe('a BMC snapshot from ipmitool\'s output', () => {
  it('holds the log with each record marked, the sensors and the clock, in the stage\'s schema', () => {
    const snap = snapshotFrom({ sdr: cap('ipmitool-sdr-elist.txt'), sel: cap('ipmitool-sel-elist.txt'), time: cap('ipmitool-sel-time-get-2.txt') });
    expect(snap.present).toBe(true);
    expect(snap.sel!.filter((r) => r.critical).map((r) => r.id)).toEqual([2, 4, 5, 6, 7, 8, 9]);
    expect(snap.sdr!.find((s) => s.name === '5V' && s.value !== null)).toMatchObject({ value: 5.03, unit: 'Volts', status: 'ok' });
    expect(snap).toMatchObject({ clock: '12/04/26 21:28:28 UTC', clockTime: Date.UTC(2026, 11, 4, 21, 28, 28) / 1000 });
    expect(snap.problems).toBeUndefined();
    const report = bmcReport(snap);
    expect(report.outcome).toBe('passed');
    expect(report.coverage.map((c) => [c.check, c.status, c.required])).toEqual([
      ['BMC event log during the run', 'tested', true],
      ['BMC sensors read', 'tested', false],
    ]);
    expect(summaryOf('BMC', report).bmc.sel).toHaveLength(10);
  });

  it('keeps what could be read when a part could not, and says what', () => {
    const snap = snapshotFrom({ sdr: null, sel: cap('ipmitool-sel-elist-empty.txt'), selStderr: cap('ipmitool-sel-elist-empty.txt.stderr'), time: 'garbage' }, ['ipmitool sdr elist: exit 1: timeout']);
    expect(snap.sel).toEqual([]);
    expect(snap.sdr).toBeUndefined();
    expect(snap.problems).toEqual(['ipmitool sdr elist: exit 1: timeout', expect.stringMatching(/^sel time get: ipmitool: cannot parse output/)]);
    expect(bmcReport(snap).coverage[0]!.status).toBe('tested');
    const noLog = bmcReport(snapshotFrom({ sdr: cap('ipmitool-sdr-elist.txt'), sel: null, time: null }, ['ipmitool sel elist: exit 1']));
    expect(noLog.coverage[0]).toMatchObject({ status: 'not-tested', required: false, reason: expect.stringMatching(/could not be read: ipmitool sel elist: exit 1/) });
  });

  it('says a host without a BMC was not tested, and that this does not hold the run', () => {
    const report = bmcReport({ present: false, why: 'this host has no BMC: /dev/ipmi0 does not exist' });
    expect(report.outcome).toBe('skipped');
    expect(report.message).toMatch(/^BMC not tested: this host has no BMC/);
    expect(report.coverage).toEqual([expect.objectContaining({ status: 'not-tested', required: false, part: expect.objectContaining({ kind: 'bmc' }) })]);
    summaryOf('BMC', report);
  });
});

describe('reaching the BMC', () => {
  const refuse: ToolRunner = async (tool) => {
    throw new Error(`${tool} must not run here`);
  };
  const ctx = (sysRoot: string, runTool: ToolRunner = refuse) => ({ runTool, signal: new AbortController().signal, paths: { sysRoot, sysfsRoot: sysRoot, procRoot: '/proc', workDir: sysRoot } });

  it('uses the device node when it is there, and loads nothing', async () => {
    const root = tmp();
    writeFileSync(join(root, 'ipmi0'), '');
    expect(await bmcAccess(ctx(root), [join(root, 'ipmi0')])).toEqual({ ok: true, device: join(root, 'ipmi0'), loaded: [] });
  });

  it('probes nothing on a host whose firmware declares no BMC', async () => {
    const root = tmp();
    const reach = await bmcAccess(ctx(root), [join(root, 'ipmi0')]);
    expect(reach).toMatchObject({ ok: false, why: expect.stringMatching(/no BMC.*no SMBIOS type 38 record, no ACPI IPI0001/) });
  });

  it('recognises the firmware\'s declaration of a BMC', async () => {
    const root = tmp();
    expect(await firmwareDeclaresBmc(root)).toBeNull();
    mkdirSync(join(root, 'bus/acpi/devices/IPI0001:00'), { recursive: true });
    expect(await firmwareDeclaresBmc(root)).toBe('ACPI device IPI0001');
    mkdirSync(join(root, 'firmware/dmi/entries/38-0'), { recursive: true });
    expect(await firmwareDeclaresBmc(root)).toBe('SMBIOS type 38 (IPMI Device Information)');
  });
});
