import { describe, expect, it } from 'vitest';
import { ParseError } from './parse-error.ts';
import { ataAttributeMeaning, decodeSmartExit, evaluateSmart, parseSmartctlJson, parseSmartctlScan } from './smartctl.ts';
import { captured, expectParseError, fixture, truncated } from './test-fixtures.ts';

const T = { maxReallocated: 0, maxPending: 0, maxOfflineUncorrectable: 0, maxMediaErrors: 0, maxEndToEndErrors: 0 };

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

  it('writes a real SATA disk\'s WWN as lsblk and udev write it (0x + NAA, OUI, vendor id)', () => {
    // A WDC WD140EDFZ (public capture, captured/README.md): smartctl's text says "LU WWN Device Id: 5 000cca 264eb01d7".
    const r = parseSmartctlJson(captured('smartctl-j-a-scrutiny-wd140edfz.json'), 0);
    expect(r).toMatchObject({ protocol: 'ATA', model: 'WDC WD140EDFZ-11A0VA0', serial: '9RK1XXXX', wwn: '0x5000cca264eb01d7' });
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

/** A real capture's JSON with one change a test needs; every use says what it changes and why. */
function edited(text: string, edit: (json: Record<string, any>) => void): string {
  const json = JSON.parse(text) as Record<string, any>;
  edit(json);
  return JSON.stringify(json);
}

describe('overall health: FAILED status and the disk-failing exit bit each fail a disk alone', () => {
  const ahci = fixture('qemu-guest/smartctl-j-a-sdb.json');

  it('fails on health FAILED in the JSON when the exit status lacks bit 3', () => {
    // The AHCI disk's real report with smart_status.passed turned false; exit status 0.
    const r = parseSmartctlJson(edited(ahci, (j) => (j.smart_status.passed = false)), 0);
    expect(r.healthPassed).toBe(false);
    expect(r.exitBits.diskFailing).toBe(false);
    const e = evaluateSmart(r, T);
    expect(e.passed).toBe(false);
    expect(e.reasons).toContain('/dev/sdb: SMART overall health is FAILED');
  });

  it('fails on exit bit 3 (disk failing) when the JSON says PASSED', () => {
    const r = parseSmartctlJson(ahci, 8);
    expect(r.healthPassed).toBe(true);
    expect(r.exitBits.diskFailing).toBe(true);
    const e = evaluateSmart(r, T);
    expect(e.passed).toBe(false);
    expect(e.reasons).toContain('/dev/sdb: SMART overall health is FAILED');
  });

  it('passes the same disk when neither says FAILED', () => {
    expect(evaluateSmart(parseSmartctlJson(ahci, 0), T).passed).toBe(true);
  });
});

describe('ATA attributes by meaning (smartctl names from its drive database)', () => {
  const lab = (f: string): string => captured(`qemu-lab-2026-12/${f}`);

  it('reads attribute 5 under the names drivedb gives it on real model strings (QEMU AHCI disks)', () => {
    const mx500 = parseSmartctlJson(lab('smartctl-j-a-sda.json'), 0);
    expect(mx500.model).toBe('CT500MX500SSD1');
    expect(mx500.reallocated).toBe(0); // Reallocate_NAND_Blk_Cnt
    expect(mx500.attributeNotes).toEqual([]);
    const ocz = parseSmartctlJson(lab('smartctl-j-a-sdc.json'), 0);
    expect(ocz.reallocated).toBe(0); // Runtime_Bad_Block
    // SanDisk CS1K: attribute 5 counts blocks read with retries, not reallocations.
    const cs1k = parseSmartctlJson(lab('smartctl-j-a-sdb.json'), 0);
    expect(cs1k.reallocated).toBeNull();
    expect(cs1k.attributeNotes).toEqual([expect.stringMatching(/^attribute 5 is Retried_Blk_Ct on this drive .*not reallocated sectors$/)]);
    const e = evaluateSmart(cs1k, T);
    expect(e.passed).toBe(true);
    expect(e.reasons.at(-1)).toMatch(/Retried_Blk_Ct/);
  });

  it('judges the renamed attribute by its meaning: a reallocation count under another name still fails', () => {
    // The MX500's real report with Reallocate_NAND_Blk_Cnt's raw value raised to 12.
    const raised = edited(lab('smartctl-j-a-sda.json'), (j) => {
      const row = j.ata_smart_attributes.table.find((a: { id: number }) => a.id === 5);
      row.raw = { value: 12, string: '12' };
    });
    const e = evaluateSmart(parseSmartctlJson(raised, 0), { ...T, maxReallocated: 10 });
    expect(e.passed).toBe(false);
    expect(e.reasons).toContain('/dev/sda: 12 reallocated sectors (allowed at most 10)');
  });

  it('prints in smartctl -a text the same attribute names as in its JSON', () => {
    for (const d of ['sda', 'sdb']) {
      const text = lab(`smartctl-a-${d}.txt`);
      const fromText = [...text.matchAll(/^\s*(\d+) (\S+)\s+0x[0-9a-f]{4}\s/gm)].map((m) => [Number(m[1]), m[2]]);
      const json = JSON.parse(lab(`smartctl-j-a-${d}.json`)) as { ata_smart_attributes: { table: { id: number; name: string }[] } };
      expect(fromText, d).toEqual(json.ata_smart_attributes.table.map((a) => [a.id, a.name]));
    }
  });

  it('judges ATA 184 (End-to-End error) against maxEndToEndErrors, by name', () => {
    // QEMU's ATA table has no attribute 184: the AHCI disk's real report with one row added,
    // shaped like the rows smartctl prints (flags of a pre-fail, always-updated counter).
    const with184 = (name: string, raw: number): string =>
      edited(fixture('qemu-guest/smartctl-j-a-sdb.json'), (j) => {
        j.ata_smart_attributes.table.push({ id: 184, name, value: 100, worst: 100, thresh: 97, when_failed: '', flags: { value: 50, string: 'PO--CK ', prefailure: true }, raw: { value: raw, string: String(raw) } });
      });
    const bad = parseSmartctlJson(with184('End-to-End_Error', 3), 0);
    expect(bad.endToEndErrors).toBe(3);
    expect(evaluateSmart(bad, T)).toMatchObject({ passed: false, reasons: expect.arrayContaining(['/dev/sdb: 3 end-to-end errors (ATA 184) (allowed at most 0)']) });
    expect(evaluateSmart(bad, { ...T, maxEndToEndErrors: 3 }).passed).toBe(true);
    // Micron's and Intel's names for the same counter count too; a factory bad-block count under 184 does not.
    expect(parseSmartctlJson(with184('Error_Correction_Count', 2), 0).endToEndErrors).toBe(2);
    expect(parseSmartctlJson(with184('IO_Error_Detect_Code_Ct', 1), 0).endToEndErrors).toBe(1);
    const factory = parseSmartctlJson(with184('Factory_Bad_Block_Count', 40), 0);
    expect(factory.endToEndErrors).toBeNull();
    expect(evaluateSmart(factory, T).passed).toBe(true);
  });

  it('does not read a name it does not know as the usual counter, and says so', () => {
    const odd = edited(fixture('qemu-guest/smartctl-j-a-sdb.json'), (j) => {
      j.ata_smart_attributes.table.find((a: { id: number }) => a.id === 5).name = 'Vendor_Specific_Thing';
    });
    const r = parseSmartctlJson(odd, 0);
    expect(r.reallocated).toBeNull();
    expect(r.attributeNotes).toEqual(['attribute 5 is named "Vendor_Specific_Thing" on this drive, a name the bench does not know: not read as reallocated sectors']);
  });

  it('knows the meaning of the names seen in practice', () => {
    expect(ataAttributeMeaning(197, 'Bogus_Current_Pend_Sect')).toMatchObject({ other: expect.stringMatching(/bogus/) });
    expect(ataAttributeMeaning(197, 'Current_Pending_Sector')).toEqual({ counter: 'pending' });
    expect(ataAttributeMeaning(198, 'Host_Reads_GiB')).toMatchObject({ other: expect.stringMatching(/workload/) });
    expect(ataAttributeMeaning(199, 'Host_Writes_GiB')).toMatchObject({ other: expect.stringMatching(/workload/) });
    expect(ataAttributeMeaning(9, 'Power_On_Hours')).toBeNull();
    expect(ataAttributeMeaning(5, 'toString')).toBeNull();
  });
});

describe('NVMe counters and what a verdict rests on', () => {
  it('fails a real NVMe with critical warning 0x4 (reliability degraded) and judges it on its health log', () => {
    const r = parseSmartctlJson(captured('qemu-lab-2026-12/smartctl-j-a-nvme0.json'), 8);
    expect(r).toMatchObject({ protocol: 'NVMe', serial: 'LABNVME0003', criticalWarning: 4, mediaErrors: 0, healthPassed: false });
    const e = evaluateSmart(r, T);
    expect(e.passed).toBe(false);
    expect(e.reasons).toContain('/dev/nvme0: NVMe critical warning 0x4 (NVM subsystem reliability degraded)');
    expect(e).toMatchObject({ basis: 'full', countersRead: ['critical warning', 'media errors'], countersNotRead: [] });
  });

  it('fails NVMe media errors above maxMediaErrors', () => {
    // The healthy lab NVMe's real report with media_errors raised to 2.
    const text = edited(captured('qemu-lab-2026-12/smartctl-j-a-nvme1.json'), (j) => (j.nvme_smart_health_information_log.media_errors = 2));
    const e = evaluateSmart(parseSmartctlJson(text, 0), T);
    expect(e.passed).toBe(false);
    expect(e.reasons).toContain('/dev/nvme1: 2 media errors (allowed at most 0)');
    expect(evaluateSmart(parseSmartctlJson(text, 0), { ...T, maxMediaErrors: 2 }).passed).toBe(true);
  });

  it('says an ATA disk without pending-sector attribute was judged in part', () => {
    const e = evaluateSmart(parseSmartctlJson(fixture('qemu-guest/smartctl-j-a-sdb.json'), 0), T);
    expect(e).toMatchObject({ passed: true, basis: 'partial', countersRead: ['reallocated sectors'] });
    expect(e.countersNotRead).toEqual(['pending sectors', 'offline uncorrectable sectors', 'end-to-end errors']);
    expect(e.basisReason).toBe('/dev/sdb: overall health and reallocated sectors; the drive does not report pending sectors');
  });

  it('marks a drive seen through a SCSI translation layer as judged on overall health alone', () => {
    // smartctl -d scsi on a real AHCI disk (libata's SCSI translation): no SMART that way at all.
    const viaSat = parseSmartctlJson(captured('qemu-lab-2026-12/smartctl-j-a-d-scsi-sdd.json'), 4);
    expect(evaluateSmart(viaSat, T)).toMatchObject({ passed: true, smartAvailable: false, basis: 'unavailable' });
    // A translation layer that does answer the health query (the corpus's Dell "NVMe PE8" behind a
    // PERC prints "SMART Health Status: OK" and nothing else): the same real report with SMART
    // available and smart_status PASSED, which is what smartctl -j gives for such a device.
    const healthOnly = edited(captured('qemu-lab-2026-12/smartctl-j-a-d-scsi-sdd.json'), (j) => {
      j.smart_support = { available: true, enabled: true };
      j.smart_status = { passed: true };
    });
    const e = evaluateSmart(parseSmartctlJson(healthOnly, 0), T);
    expect(e).toMatchObject({ passed: true, smartAvailable: true, basis: 'overall-health-only', countersRead: [] });
    expect(e.basisReason).toMatch(/^\/dev\/sdd: the verdict rests on the overall health alone: .*SCSI translation layer/);
  });

  it('says unavailable for devices without SMART', () => {
    const e = evaluateSmart(parseSmartctlJson(fixture('smartctl-a-loop.json'), 1), T);
    expect(e).toMatchObject({ basis: 'unavailable', countersRead: [], countersNotRead: [] });
    expect(e.basisReason).toMatch(/SMART is unavailable on \/dev\/loop0/);
  });
});

// What a person reads for each disk: the exact reasons and what the verdict rests on, on the
// real captures (mutation testing, issue 23: each of these once changed silently).
describe('evaluateSmart: the reasons and the basis, word for word', () => {
  const ahci = fixture('qemu-guest/smartctl-j-a-sdb.json');
  const sdd = captured('qemu-lab-2026-12/smartctl-j-a-d-scsi-sdd.json');
  const nvme1 = captured('qemu-lab-2026-12/smartctl-j-a-nvme1.json');
  const loop = fixture('smartctl-a-loop.json');
  /** An ATA row as smartctl prints it (flags of a pre-fail, always-updated counter). */
  const ataRow = (id: number, name: string, raw: number) => ({ id, name, value: 100, worst: 100, thresh: 0, when_failed: '', flags: { value: 50, string: 'PO--CK ', prefailure: true }, raw: { value: raw, string: String(raw) } });
  const reasons = (text: string, exit: number) => evaluateSmart(parseSmartctlJson(text, exit), T).reasons;

  it('a healthy disk says so, and only so', () => {
    expect(evaluateSmart(parseSmartctlJson(ahci, 0), T)).toMatchObject({ passed: true, smartAvailable: true, reasons: ['/dev/sdb: SMART health PASSED, counts within thresholds'] });
  });

  it('exit bit 4 (prefailure attributes at threshold) fails the disk; bits 5, 6 and 7 are told but do not', () => {
    expect(evaluateSmart(parseSmartctlJson(ahci, 16), T)).toMatchObject({ passed: false, reasons: ['/dev/sdb: prefailure attributes are at or below their threshold'] });
    expect(evaluateSmart(parseSmartctlJson(ahci, 32), T)).toMatchObject({ passed: true, reasons: ['/dev/sdb: some attributes were at threshold in the past'] });
    expect(evaluateSmart(parseSmartctlJson(ahci, 64), T)).toMatchObject({ passed: true, reasons: ['/dev/sdb: the device error log has entries'] });
    expect(evaluateSmart(parseSmartctlJson(ahci, 128), T)).toMatchObject({ passed: true, reasons: ['/dev/sdb: the self-test log records errors'] });
    expect(reasons(ahci, 16 | 32 | 64 | 128)).toEqual([
      '/dev/sdb: prefailure attributes are at or below their threshold',
      '/dev/sdb: some attributes were at threshold in the past',
      '/dev/sdb: the device error log has entries',
      '/dev/sdb: the self-test log records errors',
    ]);
  });

  it('names each ATA counter over its limit, and reads the disk as fully judged once both required counters are there', () => {
    // The AHCI disk's real report with attributes 197 and 198 added (QEMU has neither).
    const text = edited(ahci, (j) => j.ata_smart_attributes.table.push(ataRow(197, 'Current_Pending_Sector', 3), ataRow(198, 'Offline_Uncorrectable', 1)));
    const e = evaluateSmart(parseSmartctlJson(text, 0), T);
    expect(e).toMatchObject({ passed: false, basis: 'full', countersNotRead: ['end-to-end errors'] });
    expect(e.reasons).toEqual(['/dev/sdb: 3 pending sectors (allowed at most 0)', '/dev/sdb: 1 offline uncorrectable sectors (allowed at most 0)']);
    expect(e.basisReason).toBe('/dev/sdb: overall health and reallocated sectors, pending sectors, offline uncorrectable sectors');
  });

  it('an ATA disk without either required counter is judged in part, and says which it lacks', () => {
    // The AHCI disk's real report with attribute 5 taken out and 198 and 184 put in.
    const text = edited(ahci, (j) => {
      j.ata_smart_attributes.table = j.ata_smart_attributes.table.filter((a: { id: number }) => a.id !== 5);
      j.ata_smart_attributes.table.push(ataRow(198, 'Offline_Uncorrectable', 0), ataRow(184, 'End-to-End_Error', 0));
    });
    const e = evaluateSmart(parseSmartctlJson(text, 0), T);
    expect(e).toMatchObject({ passed: true, basis: 'partial', countersRead: ['offline uncorrectable sectors', 'end-to-end errors'] });
    expect(e.basisReason).toBe('/dev/sdb: overall health and offline uncorrectable sectors, end-to-end errors; the drive does not report reallocated sectors, pending sectors');
    // No judged attribute at all: the overall health alone, said as such.
    const bare = evaluateSmart(parseSmartctlJson(edited(ahci, (j) => (j.ata_smart_attributes.table = [])), 0), T);
    expect(bare).toMatchObject({ passed: true, basis: 'overall-health-only' });
    expect(bare.basisReason).toBe('/dev/sdb: the verdict rests on the overall health alone: smartctl read no ATA attribute the bench judges');
  });

  it('an NVMe disk is judged on critical warning and media errors; without its health log, on the overall health alone', () => {
    expect(evaluateSmart(parseSmartctlJson(nvme1, 0), T)).toMatchObject({ basis: 'full', basisReason: '/dev/nvme1: overall health and critical warning, media errors' });
    const noMedia = evaluateSmart(parseSmartctlJson(edited(nvme1, (j) => delete j.nvme_smart_health_information_log.media_errors), 0), T);
    expect(noMedia).toMatchObject({ passed: true, basis: 'partial', basisReason: '/dev/nvme1: overall health and critical warning; the drive does not report media errors' });
    const noWarning = evaluateSmart(parseSmartctlJson(edited(nvme1, (j) => delete j.nvme_smart_health_information_log.critical_warning), 0), T);
    expect(noWarning).toMatchObject({ passed: true, basis: 'partial', basisReason: '/dev/nvme1: overall health and media errors; the drive does not report critical warning' });
    // Two warning bits at once (spare below threshold, read-only media): both named.
    const twoBits = evaluateSmart(parseSmartctlJson(edited(nvme1, (j) => (j.nvme_smart_health_information_log.critical_warning = 0x9)), 0), T);
    expect(twoBits.reasons).toEqual(['/dev/nvme1: NVMe critical warning 0x9 (available spare below threshold, media placed in read-only mode)']);
    // smart_support left out as well: the overall health is still a verdict to judge on.
    const noLog = edited(nvme1, (j) => {
      delete j.nvme_smart_health_information_log;
      delete j.smart_support;
    });
    const e = evaluateSmart(parseSmartctlJson(noLog, 0), T);
    expect(e).toMatchObject({ passed: true, smartAvailable: true, basis: 'overall-health-only' });
    expect(e.basisReason).toBe('/dev/nvme1: the verdict rests on the overall health alone: smartctl read no NVMe SMART/health log');
  });

  it('a critical warning of 0 is a verdict on its own (no smart_status, no smart_support)', () => {
    const text = edited(nvme1, (j) => {
      delete j.smart_status;
      delete j.smart_support;
    });
    expect(evaluateSmart(parseSmartctlJson(text, 0), T)).toMatchObject({ passed: true, smartAvailable: true, basis: 'full' });
  });

  it('a SCSI disk is judged on its grown defect list and uncorrected errors', () => {
    // smartctl -d scsi's real report, given what a SAS disk answers (the corpus's SAS drives:
    // "Elements in grown defect list" and the error counter log's "Total uncorrected errors").
    const sas = (defects: number, uncorrected: number) =>
      edited(sdd, (j) => {
        j.smart_support = { available: true, enabled: true };
        j.smart_status = { passed: true };
        j.scsi_grown_defect_list = defects;
        j.scsi_error_counter_log = { read: { total_uncorrected_errors: uncorrected }, write: { total_uncorrected_errors: 0 }, verify: { total_uncorrected_errors: 0 } };
      });
    const good = evaluateSmart(parseSmartctlJson(sas(0, 0), 0), T);
    expect(good).toMatchObject({ passed: true, basis: 'full', countersRead: ['grown defect list', 'uncorrected errors'], basisReason: '/dev/sdd: overall health and grown defect list, uncorrected errors' });
    const bad = evaluateSmart(parseSmartctlJson(sas(5, 2), 0), T);
    expect(bad).toMatchObject({ passed: false, reasons: ['/dev/sdd: 5 reallocated sectors (allowed at most 0)', '/dev/sdd: 2 media errors (allowed at most 0)'] });
    const noDefectList = evaluateSmart(parseSmartctlJson(edited(sas(0, 0), (j) => delete j.scsi_grown_defect_list), 0), T);
    expect(noDefectList).toMatchObject({ basis: 'partial', basisReason: '/dev/sdd: overall health and uncorrected errors; the drive does not report grown defect list' });
    const noErrorLog = evaluateSmart(parseSmartctlJson(edited(sas(0, 0), (j) => delete j.scsi_error_counter_log), 0), T);
    expect(noErrorLog).toMatchObject({ basis: 'partial', basisReason: '/dev/sdd: overall health and grown defect list; the drive does not report uncorrected errors' });
  });

  it('a report that names no protocol is judged on the overall health alone, and one that names no device says "device"', () => {
    const unknown = evaluateSmart(parseSmartctlJson(edited(ahci, (j) => delete j.device.protocol), 0), T);
    expect(unknown).toMatchObject({ passed: true, basis: 'overall-health-only', basisReason: '/dev/sdb: the verdict rests on the overall health alone: smartctl could not tell the protocol', countersRead: [], countersNotRead: [] });
    const nameless = edited(ahci, (j) => {
      delete j.device;
      delete j.smartctl.argv;
    });
    expect(evaluateSmart(parseSmartctlJson(nameless, 16), T).reasons).toEqual(['device: prefailure attributes are at or below their threshold']);
    expect(evaluateSmart(parseSmartctlJson(nameless, 0), T).basisReason).toBe('device: the verdict rests on the overall health alone: smartctl could not tell the protocol');
  });

  it('a disk that says SMART is not available is not judged, whatever else its JSON holds', () => {
    const text = edited(ahci, (j) => (j.smart_support.available = false));
    expect(evaluateSmart(parseSmartctlJson(text, 0), T)).toMatchObject({ passed: true, smartAvailable: false, basis: 'unavailable', reasons: ['SMART is unavailable on /dev/sdb'] });
  });

  it('says why SMART is unavailable: smartctl\'s own messages, else what its exit status means', () => {
    expect(reasons(loop, 1)).toEqual(['SMART is unavailable on /dev/loop0 (error: /dev/loop0: Unable to detect device type)']);
    expect(reasons(loop, 3)).toEqual(['SMART is unavailable on /dev/loop0 (error: /dev/loop0: Unable to detect device type; smartctl could not open the device)']);
    expect(reasons(sdd, 4)).toEqual(['SMART is unavailable on /dev/sdd']);
    expect(reasons(sdd, 2)).toEqual(['SMART is unavailable on /dev/sdd (smartctl could not open the device)']);
    expect(reasons(sdd, 1)).toEqual(['SMART is unavailable on /dev/sdd (smartctl could not detect the device type)']);
    expect(reasons(sdd, 3)).toEqual(['SMART is unavailable on /dev/sdd (smartctl could not open the device)']);
  });
});
