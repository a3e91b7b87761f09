import { describe, expect, it } from 'vitest';
import { parseCpuList, parseLscpuExtendedJson, parseLscpuJson, parseLscpuText } from './lscpu.ts';
import { captured, expectParseError, fixture, truncated } from './test-fixtures.ts';

describe('parseLscpuJson', () => {
  it('reads the host (AMD EPYC VM)', () => {
    expect(parseLscpuJson(fixture('lscpu.json'))).toMatchObject({
      model: 'AMD EPYC',
      vendor: 'AuthenticAMD',
      architecture: 'x86_64',
      sockets: 1,
      coresPerSocket: 2,
      threadsPerCore: 1,
      cpus: 2,
      maxMhz: null,
    });
  });

  it('reads the QEMU and live guests', () => {
    for (const [f, cpus] of [['qemu-guest/lscpu.json', 1], ['live-guest-agent/lscpu.json', 2]] as const) {
      const c = parseLscpuJson(fixture(f));
      expect(c.model, f).toBe('QEMU Virtual CPU version 2.5+');
      expect(c.cpus, f).toBe(cpus);
      expect(c.coresPerSocket * c.sockets * c.threadsPerCore, f).toBe(cpus);
      expect(c.fields['BIOS Vendor ID'], f).toBe('QEMU');
    }
  });

  it('rejects truncated input, the -e table and output without a CPU count', () => {
    expectParseError(() => parseLscpuJson(truncated(fixture('lscpu.json'))), 'lscpu', /not valid JSON/);
    expectParseError(() => parseLscpuJson(fixture('lscpu-e.json')), 'lscpu', /not valid JSON/);
    expectParseError(() => parseLscpuJson('{"cpus": []}'), 'lscpu', /no "lscpu" list/);
    expectParseError(() => parseLscpuJson('{"lscpu": [{"field": "Architecture:", "data": "x86_64"}]}'), 'lscpu', /no "CPU\(s\)"/);
  });
});

describe('offline CPUs and the text form', () => {
  it('counts only online CPUs as threads and lists the offline ones (QEMU guest, cpu2 and cpu3 offlined)', () => {
    const before = parseLscpuJson(captured('qemu-lab-2026-12/lscpu-all-online.json'));
    expect(before).toMatchObject({ cpus: 4, cpusListed: 4, offlineCpus: [] });
    const after = parseLscpuJson(captured('qemu-lab-2026-12/lscpu-offline.json'));
    expect(after).toMatchObject({ cpus: 2, cpusListed: 4, offlineCpus: [2, 3], sockets: 1 });
  });

  it('reads plain lscpu text into the same CpuInfo as lscpu -J (host and QEMU guest captures)', () => {
    for (const [txt, json] of [
      ['host-lscpu.txt', 'host-lscpu.json'],
      ['qemu-lab-2026-12/lscpu-all-online.txt', 'qemu-lab-2026-12/lscpu-all-online.json'],
      ['qemu-lab-2026-12/lscpu-offline.txt', 'qemu-lab-2026-12/lscpu-offline.json'],
    ] as const) {
      const { fields: ft, ...fromText } = parseLscpuText(captured(txt));
      const { fields: fj, ...fromJson } = parseLscpuJson(captured(json));
      expect(fromText, txt).toEqual(fromJson);
      // Every field the JSON has, the text has with the same value (the text form may add none).
      expect(ft, txt).toEqual(fj);
    }
  });

  it('reads the kernel CPU list format and refuses what is not one', () => {
    expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('5')).toEqual([5]);
    expect(parseCpuList('3-1')).toBeNull();
    expect(parseCpuList('0-99999999')).toBeNull();
    expect(parseCpuList('n/a')).toBeNull();
    expect(parseCpuList(undefined)).toBeNull();
  });

  it('rejects empty text and JSON handed to the text parser', () => {
    expectParseError(() => parseLscpuText(''), 'lscpu', /empty/);
    expectParseError(() => parseLscpuText(fixture('lscpu.json')), 'lscpu', /is JSON/);
    expectParseError(() => parseLscpuText('Architecture: x86_64\n'), 'lscpu', /no "CPU\(s\)"/);
  });
});

describe('parseLscpuExtendedJson', () => {
  it('repairs the invalid `"maxmhz": -` that lscpu -J -e prints', () => {
    expect(() => JSON.parse(fixture('lscpu-e.json'))).toThrow();
    expect(parseLscpuExtendedJson(fixture('lscpu-e.json'))).toEqual([
      { cpu: 0, core: 0, socket: 0, node: 0, online: true, maxMhz: null },
      { cpu: 1, core: 1, socket: 0, node: 0, online: true, maxMhz: null },
    ]);
    expectParseError(() => parseLscpuExtendedJson(truncated(fixture('lscpu-e.json'))), 'lscpu', /not valid JSON/);
  });
});
