import { describe, expect, it } from 'vitest';
import { ParseError } from './parse-error.ts';
import { decodeSmartExit, evaluateSmart, parseSmartctlJson, parseSmartctlScan } from './smartctl.ts';
import { expectParseError, fixture, truncated } from './test-fixtures.ts';

const T = { maxReallocated: 0, maxPending: 0, maxOfflineUncorrectable: 0, maxMediaErrors: 0 };

describe('parseSmartctlJson', () => {
  it('reads a healthy QEMU NVMe controller', () => {
    const r = parseSmartctlJson(fixture('qemu-guest/smartctl-j-a-nvme0.json'), 0);
    expect(r).toMatchObject({
      device: '/dev/nvme0',
      protocol: 'NVMe',
      model: 'QEMU NVMe Ctrl',
      serial: 'LABNVME0001',
      firmware: '7.2.22',
      smartSupported: true,
      healthPassed: true,
      criticalWarning: 0,
      mediaErrors: 0,
      temperatureC: 50,
      powerOnHours: 0,
      reallocated: null,
    });
    expect(Object.values(r.exitBits).every((b) => b === false)).toBe(true);
    expect(evaluateSmart(r, T)).toMatchObject({ passed: true, smartAvailable: true });
  });

  it('reads ATA attributes from an AHCI disk', () => {
    const r = parseSmartctlJson(fixture('qemu-guest/smartctl-j-a-sdb.json'), 0);
    expect(r).toMatchObject({
      device: '/dev/sdb',
      deviceType: 'sat',
      protocol: 'ATA',
      model: 'LAB-SATA-DISK',
      serial: 'LABSATA0001',
      capacityBytes: 1073741824,
      healthPassed: true,
      reallocated: 0,
      pending: null, // QEMU's ATA table has no attribute 197/198
      offlineUncorrectable: null,
      temperatureC: 31,
      powerOnHours: 1,
    });
    expect(evaluateSmart(r, T).passed).toBe(true);
  });

  it('treats a reallocated count above the threshold as a failure', () => {
    const r = { ...parseSmartctlJson(fixture('live-guest-agent/smartctl-sda.json'), 0), reallocated: 12 };
    const e = evaluateSmart(r, { ...T, maxReallocated: 5 });
    expect(e.passed).toBe(false);
    expect(e.reasons.join('\n')).toContain('12 reallocated sectors (allowed at most 5)');
  });

  it('sees a FAILED NVMe with critical warning and exit status 8', () => {
    const r = parseSmartctlJson(fixture('qemu-guest-nvme-critwarn/smartctl-j-a-nvme0.json'), 8);
    expect(r.healthPassed).toBe(false);
    expect(r.criticalWarning).toBe(2);
    expect(r.exitBits.diskFailing).toBe(true);
    expect(r.exitBits.commandFailed).toBe(false);
    const e = evaluateSmart(r, T);
    expect(e.passed).toBe(false);
    expect(e.reasons.join('\n')).toMatch(/FAILED/);
    expect(e.reasons.join('\n')).toMatch(/critical warning 0x2 \(temperature above or below threshold\)/);
  });

  it('falls back to the JSON exit status when none is given', () => {
    const r = parseSmartctlJson(fixture('qemu-guest-nvme-critwarn/smartctl-j-a-nvme0.json'), null);
    expect(r.exitCode).toBe(8);
  });

  it('reports virtio-scsi (no SMART, rc=4) as unavailable, not failed', () => {
    const r = parseSmartctlJson(fixture('qemu-guest/smartctl-j-a-sda.json'), 4);
    expect(r.protocol).toBe('SCSI');
    expect(r.model).toBe('QEMU QEMU HARDDISK');
    expect(r.serial).toBe('LABSCSI0001');
    expect(r.smartSupported).toBe(false);
    expect(r.temperatureC).toBeNull();
    expect(r.exitBits.commandFailed).toBe(true);
    const e = evaluateSmart(r, T);
    expect(e).toMatchObject({ passed: true, smartAvailable: false });
    expect(e.reasons[0]).toMatch(/SMART is unavailable on \/dev\/sda/);
  });

  it('reports a loop device (rc=1, no device section) as unavailable', () => {
    for (const f of ['smartctl-a-loop.json', 'smartctl-a-vda-virtio.json']) {
      const r = parseSmartctlJson(fixture(f), 1);
      expect(r.exitBits.commandLineError).toBe(true);
      expect(r.protocol).toBe('unknown');
      expect(r.messages[0]).toMatch(/error: \/dev\/(loop0|vda): Unable to detect device type/);
      const e = evaluateSmart(r, T);
      expect(e.passed).toBe(true);
      expect(e.smartAvailable).toBe(false);
      expect(e.reasons[0]).toContain('Unable to detect device type');
    }
  });

  it('parses every captured smartctl JSON (healthy guests)', () => {
    for (const f of [
      'live-guest-agent/smartctl-nvme0.json',
      'live-guest-agent/smartctl-sda.json',
      'pxe-guest/smartctl-j-a-nvme0.json',
      'pxe-guest-uefi/smartctl-j-a-nvme0.json',
      'qemu-guest/smartctl-j-x-nvme0.json',
      'qemu-guest/smartctl-j-x-sdb.json',
    ]) {
      const r = parseSmartctlJson(fixture(f), null);
      expect(r.healthPassed, f).toBe(true);
      expect(evaluateSmart(r, T).passed, f).toBe(true);
    }
  });

  it('rejects empty, truncated and foreign input with a ParseError naming smartctl', () => {
    const text = fixture('qemu-guest/smartctl-j-a-sdb.json');
    expect(() => parseSmartctlJson('', 0)).toThrow(ParseError);
    expect(() => parseSmartctlJson(truncated(text), 0)).toThrow(/smartctl: .*not valid JSON/);
    expect(() => parseSmartctlJson('{"foo":1}', 0)).toThrow(/no "smartctl" section/);
    expect(() => parseSmartctlJson(text, 999)).toThrow(/exit status 999/);
    expectParseError(() => parseSmartctlJson('[]', 0), 'smartctl', /not an object/);
  });
});

describe('decodeSmartExit', () => {
  it('reads each bit separately', () => {
    expect(decodeSmartExit(0b1000_0100)).toMatchObject({ commandFailed: true, selfTestLog: true, diskFailing: false });
    expect(decodeSmartExit(2).deviceOpenFailed).toBe(true);
    expect(decodeSmartExit(64).errorLog).toBe(true);
  });
});

describe('parseSmartctlScan', () => {
  it('lists devices from --scan-open', () => {
    expect(parseSmartctlScan(fixture('qemu-guest/smartctl-scan-open.json'))).toEqual([
      { name: '/dev/sda', type: 'scsi', protocol: 'SCSI', infoName: '/dev/sda' },
      { name: '/dev/sdb', type: 'sat', protocol: 'ATA', infoName: '/dev/sdb [SAT]' },
      { name: '/dev/nvme0', type: 'nvme', protocol: 'NVMe', infoName: '/dev/nvme0' },
    ]);
    expect(parseSmartctlScan(fixture('live-guest-agent/smartctl-scan.json'))).toHaveLength(2);
  });

  it('gives [] on a host with nothing to scan, and errors on garbage', () => {
    expect(parseSmartctlScan(fixture('smartctl-scan.json'))).toEqual([]);
    expect(() => parseSmartctlScan(fixture('qemu-guest/smartctl-scan.txt'))).toThrow(ParseError);
    expect(() => parseSmartctlScan(truncated(fixture('qemu-guest/smartctl-scan-open.json')))).toThrow(/smartctl/);
  });
});

describe('evaluateSmart without a verdict', () => {
  it('fails a SMART-capable disk whose smartctl output carries no overall health verdict', () => {
    // The real AHCI disk's report with its health verdict taken out, as a disk that cannot answer would give.
    const json = JSON.parse(fixture('qemu-guest/smartctl-j-a-sdb.json')) as Record<string, unknown>;
    delete json.smart_status;
    const report = parseSmartctlJson(JSON.stringify(json), 0);
    expect(report.smartSupported).toBe(true);
    expect(report.healthPassed).toBeNull();
    const verdict = evaluateSmart(report, T);
    expect(verdict.passed).toBe(false);
    expect(verdict.reasons.join(' ')).toMatch(/no overall health verdict/);
  });
});
