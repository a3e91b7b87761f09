import { describe, expect, it } from 'vitest';
import { fioJsonFromOutputFile, lastFioStatus, parseFioErrorLine, parseFioJson, parseFioStatusLine } from './fio.ts';
import { expectParseError, fixture, truncated } from '../../../parsers/test-fixtures.ts';
import { readFileSync } from 'node:fs';

const captured = (name: string): string => readFileSync(new URL(`./captured/${name}`, import.meta.url), 'utf8');

describe('parseFioJson', () => {
  it('reads IOPS, bandwidth and p99 from a randrw run on a loop device', () => {
    const r = parseFioJson(fixture('fio-randrw-loop.json'));
    expect(r.fioVersion).toBe('fio-3.33');
    expect(r.errors).toBe(0);
    expect(r.jobs).toHaveLength(1);
    const j = r.jobs[0]!;
    expect(j.error).toBe(0);
    expect(j.readIops).toBeCloseTo(68616.138386, 3);
    expect(j.readBwBytes).toBe(281051702);
    expect(j.readP99Ms).toBeCloseTo(0.684032, 6);
    expect(j.writeP99Ms).not.toBeNull();
    expect(j.runtimeMs).toBe(10000);
    expect(r.totalIops).toBeCloseTo(j.readIops + j.writeIops, 6);
    expect(r.p99Ms).toBe(Math.max(j.readP99Ms!, j.writeP99Ms!));
    expect(r.messages).toEqual([]);
  });

  it('reads the live guest and plain stdout captures', () => {
    for (const f of ['live-guest-agent/fio.json', 'fio-stdout.json']) {
      const r = parseFioJson(fixture(f));
      expect(r.errors, f).toBe(0);
      expect(r.totalIops, f).toBeGreaterThan(0);
    }
  });

  it('surfaces a job error and the fio: pid=… line printed before the JSON', () => {
    const r = parseFioJson(fixture('fio-error-ro.json'));
    expect(r.errors).toBe(1);
    expect(r.jobs[0]).toMatchObject({ name: 'bad', error: 1, readIops: 0, writeIops: 0, readP99Ms: null, writeP99Ms: null });
    expect(r.p99Ms).toBeNull();
    expect(r.messages[0]).toMatch(/^fio: pid=\d+, err=1\/.*Operation not permitted$/);
  });

  it('rejects empty, truncated and non-JSON output with a ParseError naming fio', () => {
    expectParseError(() => parseFioJson(''), 'fio', /empty/);
    expectParseError(() => parseFioJson(truncated(fixture('fio-randrw-loop.json'))), 'fio', /invalid \(truncated\?\)/);
    expectParseError(() => parseFioJson(fixture('fio-error-ro.stderr')), 'fio', /no JSON object.*io_u error/);
    expectParseError(() => parseFioJson('{"jobs": []}'), 'fio', /empty/);
    expectParseError(() => parseFioJson('{"jobs": [{"jobname": "x"}]}'), 'fio', /no numeric "error"/);
  });
});

describe('parseFioJson with --status-interval', () => {
  it('uses the last of the concatenated documents', () => {
    const text = captured('fio-status-interval.json');
    const r = parseFioJson(text);
    expect(r.documents).toBe(4);
    expect(r.errors).toBe(0);
    const runtimes = text.split(/^(?=\{$)/m).map((d) => parseFioJson(d).jobs[0]!.runtimeMs);
    expect(runtimes).toHaveLength(4);
    expect(r.jobs[0]!.runtimeMs).toBe(Math.max(...runtimes));
  });

  it('refuses an interval snapshot as the result when the final document is cut', () => {
    const text = captured('fio-status-interval.json');
    expectParseError(() => parseFioJson(text.slice(0, text.length - 200)), 'fio', /final JSON document is truncated/);
  });
});

describe('parseFioStatusLine', () => {
  it('reads percent, ETA and IOPS from real --eta=always output', () => {
    const out = captured('fio-eta-always-stdout.txt');
    const statuses = out.split(/[\r\n]+/).map(parseFioStatusLine).filter((s) => s !== null);
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(statuses[0]).toEqual({ percent: 33.3, etaS: 6, readIops: 5315, writeIops: 5218, readBps: 20.8 * 1024 ** 2, writeBps: 20.4 * 1024 ** 2, jobStates: 'm(1)' });
    const percents = statuses.map((s) => s.percent ?? -1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(lastFioStatus(out)).toMatchObject({ percent: 100, etaS: 0 });
  });

  it('takes the latest record when a newline-split line holds several', () => {
    const lines = captured('fio-eta-always-stdout.txt').split('\n');
    expect(lines[0]!.split('\r').length).toBeGreaterThan(2);
    expect(parseFioStatusLine(lines[0]!)).toMatchObject({ percent: 44.4, etaS: 5 });
  });

  it('reads the throughput of one direction, and of a verify pass that shows no percentage', () => {
    expect(parseFioStatusLine('Jobs: 1 (f=1): [W(1)][66.7%][w=746MiB/s][w=745 IOPS][eta 00m:02s]')).toMatchObject({ percent: 66.7, writeBps: 746 * 1024 ** 2, readBps: null });
    expect(parseFioStatusLine('Jobs: 1 (f=1): [V(1)][-.-%][r=1286MiB/s,w=1025MiB/s][r=1286,w=1025 IOPS][eta 00m:00s]')).toMatchObject({ percent: null, readBps: 1286 * 1024 ** 2, jobStates: 'V(1)' });
    expect(parseFioStatusLine('Jobs: 1 (f=1): [V(1)][-.-%][r=1.2GiB/s][r=1229 IOPS][eta 00m:00s]')?.readBps).toBeCloseTo(1.2 * 1024 ** 3);
  });

  it('ignores lines that are not status records', () => {
    expect(parseFioStatusLine('Jobs: 1 (f=1)')).toBeNull();
    expect(parseFioStatusLine('')).toBeNull();
    expect(lastFioStatus('garbage\rmore')).toBeNull();
  });
});

describe('parseFioErrorLine', () => {
  const lines = (name: string) => captured(name).split('\n').map(parseFioErrorLine).filter((f) => f !== null);

  it('reads a failed I/O, printed only with --error_dump under continue_on_error', () => {
    expect(lines('fio-verify-eio-stderr.txt')).toEqual([{ kind: 'io', direction: 'read', offset: 8388608, length: 1048576, error: 'Input/output error' }]);
    const blocks = lines('fio-blocks-eio-stderr.txt');
    expect(blocks.length).toBeGreaterThanOrEqual(128);
    expect(new Set(blocks.map((b) => b.offset)).size).toBe(128);
    expect(Math.min(...blocks.map((b) => b.offset))).toBe(8392704);
    expect(Math.max(...blocks.map((b) => b.offset + b.length))).toBe(8392704 + 65536);
  });

  it('reads a verify failure: the first bad interval of the I/O, and the I/O itself', () => {
    expect(lines('fio-verify-flip-stderr.txt')).toEqual([
      { kind: 'verify', offset: 8392704, length: 4096, requestedOffset: 8388608, requestedLength: 1048576, detail: 'verify: bad magic header bcda, wanted acca' },
    ]);
    const recheck = lines('fio-recheck-flip-stderr.txt');
    expect(recheck.map((f) => f.offset)).toEqual(Array.from({ length: 16 }, (_, i) => 8392704 + i * 4096));
  });

  it('falls back to the requested block when verify=pattern prints a length read from the bad data', () => {
    const found = lines('fio-pattern-recheck-flip-stderr.txt');
    expect(found).toHaveLength(64);
    expect(found[0]).toMatchObject({ kind: 'verify', offset: 8392704, length: 1024 });
  });

  it('ignores every other line', () => {
    for (const l of ['', '       Expected CRC: 56da3f41', "fio: got pattern '10', wanted '00'. Bad bits 1", 'fio: pid=1, err=5/file:io_u.c:1889, func=io_u error, error=Input/output error']) {
      expect(parseFioErrorLine(l)).toBeNull();
    }
  });
});

describe('fioJsonFromOutputFile', () => {
  it('finds the report behind the error lines fio also writes into the --output file', () => {
    const text = captured('fio-blocks-eio-output.json');
    expect(text.startsWith('fio: io_u error')).toBe(true);
    const r = parseFioJson(fioJsonFromOutputFile(text));
    expect(r.jobs[0]).toMatchObject({ name: 'block0', error: 5, readBytes: 73728 - 65536 });
    // A message with the report's brace glued to it, as fio wrote it once.
    const glued = `fio: bad pattern blo${captured('fio-verify-eio-output.json')}`;
    expect(parseFioJson(fioJsonFromOutputFile(glued)).jobs[0]!.readBytes).toBe(15 * 1024 * 1024);
  });
});
