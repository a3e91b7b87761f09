import { describe, expect, it } from 'vitest';
import { captured, expectParseError } from './test-fixtures.ts';
import { corpusFiles } from './corpus/corpus-files.ts';
import { ataSelfTestResult, parseSmartctlSelfTestLog, parseSmartctlSelfTestStatus, parseSmartctlTestStart } from './smartctl-selftest.ts';

const cap = (f: string) => captured(`qemu-selftest-bmc-2026-12/${f}`);

describe('smartctl self-test on QEMU\'s AHCI disk (real smartctl 7.3)', () => {
  it('reads the capabilities and polling times, and the empty log before any test', () => {
    expect(parseSmartctlSelfTestStatus(cap('smartctl-j-c-sda-before.json'))).toMatchObject({ supported: true, result: 'passed', statusValue: 0, pollingMinutes: { short: 2, extended: 54 } });
    expect(parseSmartctlSelfTestLog(cap('smartctl-j-l-selftest-sda-before.json'))).toEqual({ count: 0, entries: [] });
  });

  it('reads the log after a short and then a long test, newest first', () => {
    expect(parseSmartctlSelfTestLog(cap('smartctl-j-l-selftest-sda-after.json')).entries).toEqual([
      { type: 'Short offline', kind: 'short', statusValue: 0, statusText: 'Completed without error', result: 'passed', remainingPercent: null, lifetimeHours: 4660, lba: null },
    ]);
    const after = parseSmartctlSelfTestLog(cap('smartctl-j-l-selftest-sda-after-long.json'));
    expect(after.count).toBe(2);
    expect(after.entries.map((e) => [e.kind, e.result])).toEqual([['long', 'passed'], ['short', 'passed']]);
  });

  it('knows a test was started from smartctl\'s words, and when it was not', () => {
    expect(parseSmartctlTestStart(cap('smartctl-t-long-sda.txt'), 0)).toEqual({ started: true, message: 'Please wait 54 minutes for test to complete.' });
    // smartctl 7.3 on NVMe: exit 0 and nothing about a test.
    expect(parseSmartctlTestStart(cap('smartctl-j-t-short-nvme0.json'), 0).started).toBe(false);
    expectParseError(() => parseSmartctlSelfTestLog(cap('smartctl-j-t-short-sda.json')), 'smartctl', /no ata_smart_self_test_log/);
  });

  it('reads the status nibble as smartctl does', () => {
    expect([0x00, 0x19, 0x29, 0x39, 0x49, 0x59, 0x69, 0x79, 0x89, 0xf9, 0xa0].map((v) => ataSelfTestResult(v, null))).toEqual([
      'passed', 'aborted', 'aborted', 'failed', 'failed', 'failed', 'failed', 'failed', 'failed', 'in-progress', 'unknown',
    ]);
  });
});

// Real drives' self-test logs from hw-probe's EnterpriseDrive corpus (corpus/selftest/, smartctl -x
// text). `smartctl -j -l selftest` prints the same rows as JSON; this builds that JSON on the
// real QEMU capture, row for row: the type's name, the status byte (the status nibble from
// smartctl's own words, the tenths remaining from the percent column), passed as smartctl
// sets it (true for 0, false for 3–8), the power-on hours and the first failing LBA.
const STATUS_NIBBLE: [RegExp, number][] = [
  [/^Completed without error/, 0], [/^Aborted by host/, 1], [/^Interrupted \(host reset\)/, 2], [/^Fatal or unknown error/, 3],
  [/^Completed: unknown failure/, 4], [/^Completed: electrical failure/, 5], [/^Completed: servo\/seek failure/, 6],
  [/^Completed: read failure/, 7], [/^Completed: handling damage/, 8], [/^Self-test routine in progress/, 15],
];

function logJson(text: string): string {
  const json = JSON.parse(cap('smartctl-j-l-selftest-sda-after.json')) as { ata_smart_self_test_log: { standard: { table: unknown[]; count: number } } };
  const section = text.split(/SMART (?:Extended )?Self-test Log/)[1] ?? '';
  const rows = [...section.matchAll(/^#\s*\d+\s+(.{19}) (.{29})\s+(\d+)%\s+(\d+)\s+(\S+)\s*$/gm)].map((m) => {
    const status = m[2]!.trim();
    const nibble = STATUS_NIBBLE.find(([re]) => re.test(status))![1];
    const value = (nibble << 4) | Math.round(Number(m[3]) / 10);
    return {
      type: { string: m[1]!.trim() },
      status: { value, string: status, ...(nibble === 0 ? { passed: true } : nibble >= 3 && nibble <= 8 ? { passed: false } : {}) },
      lifetime_hours: Number(m[4]),
      ...(m[5] !== '-' ? { lba: Number(m[5]) } : {}),
    };
  });
  json.ata_smart_self_test_log.standard.table = rows;
  json.ata_smart_self_test_log.standard.count = rows.length;
  return JSON.stringify(json);
}

describe('self-test logs of real drives (hw-probe EnterpriseDrive)', () => {
  const files = corpusFiles('selftest');
  const newest = (why: string) => {
    const f = files.find((x) => x.why.includes(`selftest-${why}`))!;
    return parseSmartctlSelfTestLog(logJson(f.text)).entries[0]!;
  };

  it('holds one drive for each way a self-test ends', () => {
    expect(files.map((f) => f.why[0])).toEqual(expect.arrayContaining(['selftest-read-failure', 'selftest-servo-failure', 'selftest-electrical-failure', 'selftest-aborted', 'selftest-interrupted']));
  });

  it('fails a drive whose newest test failed, with its first failing LBA', () => {
    expect(newest('electrical-failure')).toMatchObject({ kind: 'long', result: 'failed', statusText: 'Completed: electrical failure', lba: 205352, remainingPercent: null });
    expect(newest('servo-failure')).toMatchObject({ kind: 'short', result: 'failed', statusText: 'Completed: servo/seek failure', lba: 0 });
    expect(newest('handling-damage')).toMatchObject({ kind: 'short', result: 'failed', statusText: 'Completed: handling damage??' });
    expect(newest('fatal-error')).toMatchObject({ kind: 'other', result: 'failed' });
    expect(newest('unknown-failure')).toMatchObject({ kind: 'other', result: 'failed', statusText: 'Completed: unknown failure' });
  });

  it('finds the read failure further down a log whose newest test passed', () => {
    const f = files.find((x) => x.why.includes('selftest-handling-damage'))!;
    const entries = parseSmartctlSelfTestLog(logJson(f.text)).entries;
    expect(entries[1]).toMatchObject({ result: 'failed', statusText: 'Completed: read failure', lba: 170942526, lifetimeHours: 4897 });
    expect(entries[2]).toMatchObject({ result: 'passed', lba: null });
  });

  it('does not call an aborted or interrupted test a pass or a failure', () => {
    const aborted = parseSmartctlSelfTestLog(logJson(files.find((x) => x.why.includes('selftest-aborted'))!.text)).entries;
    expect(aborted[1]).toMatchObject({ result: 'aborted', statusText: 'Aborted by host' });
    const interrupted = parseSmartctlSelfTestLog(logJson(files.find((x) => x.why.includes('selftest-interrupted'))!.text)).entries;
    expect(interrupted[1]).toMatchObject({ result: 'aborted', statusText: 'Interrupted (host reset)', kind: 'long' });
  });

  it('reads a test still running from the capabilities section', () => {
    const f = files.find((x) => x.why.includes('selftest-in-progress'))!;
    const m = /Self-test execution status:\s+\(\s*(\d+)\)\s+(.*)\n\s+(\d+)% of test remaining/.exec(f.text)!;
    const json = JSON.parse(cap('smartctl-j-c-sda-before.json')) as { ata_smart_data: { self_test: { status: Record<string, unknown> } } };
    json.ata_smart_data.self_test.status = { value: Number(m[1]), string: `in progress, ${m[3]}% remaining`, remaining_percent: Number(m[3]) };
    expect(parseSmartctlSelfTestStatus(JSON.stringify(json))).toMatchObject({ result: 'in-progress', statusValue: 243, remainingPercent: 30 });
  });
});
