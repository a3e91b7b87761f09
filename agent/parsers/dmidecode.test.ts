import { describe, expect, it } from 'vitest';
import { dmiSizeBytes, dmiValue, parseDmidecode } from './dmidecode.ts';
import { expectParseError, fixture, truncated } from './test-fixtures.ts';

const GiB = 1024 ** 3;

describe('parseDmidecode', () => {
  it('reads the live guest (Dell strings, UUID not settable)', () => {
    const d = parseDmidecode(fixture('live-guest-agent/dmidecode.txt'));
    expect(d.system).toEqual({ manufacturer: 'Dell Inc.', product: 'PowerEdge R740', serial: 'LIVESVC01', uuid: null });
    expect(d.bios).toEqual({ vendor: 'SeaBIOS', version: '1.16.2-debian-1.16.2-1', date: '04/01/2014' });
    expect(d.memoryDevices).toEqual([
      {
        size: '2 GB',
        sizeBytes: 2 * GiB,
        kind: 'dram',
        locator: 'DIMM 0',
        bankLocator: null,
        type: 'RAM',
        speed: null,
        manufacturer: 'QEMU',
        serial: null,
        partNumber: null,
        technology: null,
        arrayUse: 'System Memory',
        volatileSizeBytes: null,
        nonVolatileSizeBytes: null,
      },
    ]);
    expect(d.memoryTotalBytes).toBe(2 * GiB);
    expect(d.chassis).toMatchObject({ manufacturer: 'QEMU', serial: null });
    expect(d.baseboard).toBeUndefined();
    expect(d.smbiosVersion).toBe('2.8');
    expect(d.complete).toBe(true);
    expect(d.records.find((r) => r.type === 0)?.lists.Characteristics).toContain('Targeted content distribution is supported');
  });

  it('reads a Dell SMBIOS dump with baseboard and UUID', () => {
    const d = parseDmidecode(fixture('qemu-guest-nvme-critwarn/dmidecode-dell-smbios.txt'));
    expect(d.system).toEqual({ manufacturer: 'Dell Inc.', product: 'PowerEdge R740', serial: 'LABSVC01', uuid: '4c4c4544-0000-1111-2222-333344445555' });
    expect(d.baseboard).toEqual({ manufacturer: 'Dell Inc.', product: '0ABCDE', serial: 'MBSERIAL01' });
  });

  it('reads the plain QEMU guest and a -t system listing', () => {
    const q = parseDmidecode(fixture('qemu-guest/dmidecode.txt'));
    expect(q.memoryTotalBytes).toBe(GiB);
    expect(q.bios.vendor).toBe('SeaBIOS');
    const pxe = parseDmidecode(fixture('pxe-guest/dmidecode-system.txt'));
    expect(pxe.system.serial).toBe('PXESVC01');
    expect(pxe.bios.vendor).toBeNull();
    expect(pxe.memoryTotalBytes).toBeNull();
    expect(pxe.complete).toBe(false);
  });

  it('fails clearly on a host without SMBIOS, on empty and on truncated-at-the-header output', () => {
    expectParseError(() => parseDmidecode(fixture('dmidecode.txt')), 'dmidecode', /no SMBIOS records in output \(Scanning \/dev\/mem for entry point\.\)/);
    expectParseError(() => parseDmidecode(''), 'dmidecode', /no SMBIOS records/);
    const text = fixture('live-guest-agent/dmidecode.txt');
    expectParseError(() => parseDmidecode(text.slice(0, text.indexOf('Handle 0x0000') + 10)), 'dmidecode', /no SMBIOS records/);
    // Cut mid-table: what is there still parses, and the result says the table was incomplete.
    const half = parseDmidecode(truncated(text, 0.4));
    expect(half.complete).toBe(false);
    expect(half.system.serial).toBe('LIVESVC01');
  });
});

describe('dmidecode helpers', () => {
  it('turns placeholders into null and sizes into bytes', () => {
    expect(dmiValue('To Be Filled By O.E.M.')).toBeNull();
    expect(dmiValue(' Not Specified ')).toBeNull();
    expect(dmiValue('R740')).toBe('R740');
    expect(dmiSizeBytes('16384 MB')).toBe(16 * GiB);
    expect(dmiSizeBytes('No Module Installed')).toBeNull();
  });
});
