import { describe, expect, it } from 'vitest';
import { describeFirmwareFailure, parseFirmwareFailures } from './kernel-log.ts';
import { fixture } from './test-fixtures.ts';

// Captured in the QEMU lab from the live image's own kernel (Debian 6.1) with an
// Intel 82551 NIC (-device i82551), whose e100 driver loads e100/d102e_ucode.bin
// when the link comes up: once with the file removed, once with the image's
// xz-compressed copy in place (fixtures/tool-outputs/kernel-log/README.md).

describe('kernel log: firmware a driver asked for and did not get', () => {
  it('names the missing file, the driver and the device, once however often the driver retried', () => {
    const failures = parseFirmwareFailures(fixture('kernel-log/dmesg-e100-firmware-missing.txt'));
    expect(failures).toEqual([{ file: 'e100/d102e_ucode.bin', device: '0000:00:02.0', driver: 'e100', error: -2 }]);
    expect(describeFirmwareFailure(failures[0]!)).toBe('e100/d102e_ucode.bin (e100 0000:00:02.0)');
  });

  it('does not count the uncompressed name the loader tries before loading FILE.xz', () => {
    const log = fixture('kernel-log/dmesg-e100-firmware-xz-loaded.txt');
    expect(log).toContain('firmware: failed to load e100/d102e_ucode.bin (-2)');
    expect(log).toContain('firmware: direct-loading firmware e100/d102e_ucode.bin');
    expect(parseFirmwareFailures(log)).toEqual([]);
  });

  it('reads nothing into other text', () => {
    expect(parseFirmwareFailures('')).toEqual([]);
    expect(parseFirmwareFailures(fixture('dmidecode.txt'))).toEqual([]);
  });
});
