import { describe, expect, it } from 'vitest';
import { parseLscpuExtendedJson, parseLscpuJson } from './lscpu.ts';
import { expectParseError, fixture, truncated } from './test-fixtures.ts';

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
