import { describe, expect, it } from 'vitest';
import { captured, expectParseError, truncated } from './test-fixtures.ts';
import { ipmiTimeSeconds, parseSdrElist, parseSelElist, parseSelTime, powerUnit } from './ipmitool.ts';

// Real ipmitool 1.8.19 output from QEMU's emulated BMC (captured/qemu-selftest-bmc-2026-12/).
const cap = (f: string) => captured(`qemu-selftest-bmc-2026-12/${f}`);

describe('ipmitool sel elist', () => {
  it('reads every record of the emulated BMC: id, time, sensor type and name, event, direction', () => {
    const sel = parseSelElist(cap('ipmitool-sel-elist.txt'));
    expect(sel).toHaveLength(10);
    expect(sel[0]).toMatchObject({ id: 0, when: '12/04/26 21:28:27 UTC', sensorType: 'System Boot Initiated', sensor: 'System Boot Initiated #0x30', event: 'Initiated by hard reset', direction: 'Asserted', detail: null });
    expect(sel[0]!.bmcTime).toBe(Date.UTC(2026, 11, 4, 21, 28, 27) / 1000);
    expect(sel[3]).toMatchObject({ sensorType: 'Power Supply', event: 'Failure detected', direction: 'Deasserted' });
    // Trailing blanks ipmitool leaves in its description are not part of it.
    expect(sel[7]).toMatchObject({ sensorType: 'Fan', sensor: 'Fan #0x06', event: 'Lower Critical going low' });
    // The record the BMC logged itself is named from its SDR: type, then the sensor's name.
    expect(sel[9]).toMatchObject({ id: 9, sensorType: 'Power Supply', sensor: 'Power Supply PSU1 Status', event: 'Failure detected', direction: 'Asserted' });
  });

  it('reads an empty log, the same records from `sel list`, and records stamped before the BMC knew the time', () => {
    // An empty log prints nothing on stdout and says so on stderr.
    expect(parseSelElist(cap('ipmitool-sel-elist-empty.txt'), cap('ipmitool-sel-elist-empty.txt.stderr'))).toEqual([]);
    expect(parseSelElist(cap('ipmitool-sel-list-empty.txt'), cap('ipmitool-sel-list-empty.txt.stderr'))).toEqual([]);
    expect(parseSelElist(cap('ipmitool-sel-list.txt')).map((r) => r.event)).toEqual(parseSelElist(cap('ipmitool-sel-elist.txt')).map((r) => r.event));
    // `sel add` echoes each record before adding it, with no timestamp yet.
    const pre = parseSelElist(cap('ipmitool-sel-add.txt'));
    expect(pre).toHaveLength(9);
    expect(pre[2]).toMatchObject({ when: 'Pre-Init', bmcTime: null, sensorType: 'Power Supply', event: 'Failure detected' });
  });

  it('reads record ids as hex, and a threshold record\'s reading after the direction', () => {
    const [r] = parseSelElist('  1f | 03/14/2023 | 10:22:01 | Temperature CPU1 Temp | Upper Critical going high | Asserted | Reading 95 > Threshold 90 degrees C\n');
    expect(r).toMatchObject({ id: 31, sensorType: 'Temperature', event: 'Upper Critical going high', direction: 'Asserted', detail: 'Reading 95 > Threshold 90 degrees C' });
    expect(r!.bmcTime).toBe(Date.UTC(2023, 2, 14, 10, 22, 1) / 1000);
  });

  it('refuses what is not a SEL listing', () => {
    expectParseError(() => parseSelElist(''), 'ipmitool', /printed nothing/);
    expectParseError(() => parseSelElist(cap('ipmitool-sdr-elist.txt')), 'ipmitool', /not a SEL record/);
    expectParseError(() => parseSelElist(cap('ipmitool-mc-info.txt')), 'ipmitool', /not a SEL record/);
  });
});

describe('ipmitool sel time get', () => {
  it('reads the BMC clock in the same terms as the records', () => {
    expect(parseSelTime(cap('ipmitool-sel-time-get-2.txt'))).toBe(Date.UTC(2026, 11, 4, 21, 28, 28) / 1000);
    expect(parseSelTime('12/04/26 21:26:21 UTC\n')).toBe(Date.UTC(2026, 11, 4, 21, 26, 21) / 1000);
    expect(ipmiTimeSeconds('12/04/2026', '21:26:21')).toBe(Date.UTC(2026, 11, 4, 21, 26, 21) / 1000);
    expectParseError(() => parseSelTime('Get SEL Time command failed'), 'ipmitool', /no date and time/);
  });
});

describe('ipmitool sdr elist', () => {
  it('reads each sensor with its status and reading, and sensors without one', () => {
    const sdr = parseSdrElist(cap('ipmitool-sdr-elist.txt'));
    expect(sdr).toHaveLength(16);
    expect(sdr.find((s) => s.name === '12V' && s.value !== null)).toMatchObject({ sensorId: '01h', status: 'ok', entity: '10.1', value: 12.1, unit: 'Volts' });
    expect(sdr.find((s) => s.name === 'PSU1 Input Power' && s.value !== null)).toMatchObject({ value: 180, unit: 'Watts' });
    expect(sdr.find((s) => s.name === 'Inlet Temp' && s.value !== null)).toMatchObject({ value: 38, unit: 'degrees C' });
    expect(sdr.find((s) => s.name === 'FAN1' && s.value !== null)).toMatchObject({ value: 8400, unit: 'RPM' });
    expect(sdr.find((s) => s.name === 'PSU1 Status')).toMatchObject({ value: null, unit: null, reading: '' });
    expect(sdr.filter((s) => powerUnit(s.unit) !== null).map((s) => [s.name, powerUnit(s.unit)])).toEqual([['12V', 'V'], ['5V', 'V'], ['3.3V', 'V'], ['PSU1 Input Power', 'W']]);
  });

  it('refuses what is not an SDR listing, and a listing cut short mid-line', () => {
    expectParseError(() => parseSdrElist(cap('ipmitool-sel-elist.txt')), 'ipmitool', /not an SDR line/);
    expectParseError(() => parseSdrElist(truncated(cap('ipmitool-sdr-elist.txt'), 0.53)), 'ipmitool', /not an SDR line/);
  });
});
