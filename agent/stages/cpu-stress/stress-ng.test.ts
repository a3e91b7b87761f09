import { describe, expect, it } from 'vitest';
import { parseStressNgStderr, parseStressNgYaml } from './stress-ng.ts';
import { expectParseError, fixture, truncated } from '../../parsers/test-fixtures.ts';

describe('parseStressNgYaml', () => {
  it('reads the cpu+vm metrics, including the vm stressor that did 0 bogo ops', () => {
    const y = parseStressNgYaml(fixture('stress-ng-cpu2-vm1.yaml'));
    expect(y.version).toBe('0.15.06');
    expect(y.system).toEqual({ cpus: 2, totalRamBytes: 25276502016, freeRamBytes: 21191499776 });
    expect(y.metrics.map((m) => [m.stressor, m.bogoOps, m.realTimeS])).toEqual([
      ['cpu', 6249, 5.003665],
      ['vm', 0, 10.000511],
    ]);
  });

  it('reads the live guest run', () => {
    const y = parseStressNgYaml(fixture('live-guest-agent/stress-ng.yaml'));
    expect(y.metrics.find((m) => m.stressor === 'vm')).toMatchObject({ bogoOps: 4718, maxRssKiB: 156848 });
  });

  it('rejects empty, truncated and metric-less YAML', () => {
    expectParseError(() => parseStressNgYaml(fixture('stress-ng-stdout.txt')), 'stress-ng', /empty/);
    const text = fixture('stress-ng-cpu2-vm1.yaml');
    expectParseError(() => parseStressNgYaml(text.slice(0, text.indexOf('metrics:'))), 'stress-ng', /no "metrics" list/);
    expectParseError(() => parseStressNgYaml(truncated(text, 0.8).replace(/bogo-ops: \d+/g, 'bogo-ops: [')), 'stress-ng', /invalid/);
  });
});

describe('parseStressNgStderr', () => {
  it('reads the metrc table and the completion line', () => {
    const s = parseStressNgStderr(fixture('stress-ng-stderr.txt'));
    expect(s.metrics).toEqual([
      { stressor: 'cpu', bogoOps: 6249, realTimeS: 5, usrTimeS: 3.91, sysTimeS: 0.1, bogoOpsPerSecReal: 1248.88, bogoOpsPerSecUsrSys: 1558.64 },
      { stressor: 'vm', bogoOps: 0, realTimeS: 10, usrTimeS: 0, sysTimeS: 0, bogoOpsPerSecReal: 0, bogoOpsPerSecUsrSys: 0 },
    ]);
    expect(s.successful).toBe(true);
    expect(s.completedInS).toBe(10.06);
    expect(s.failed).toEqual([]);
    expect(s.errors).toEqual([]);
  });

  it('reports a missing completion line as null (killed or truncated)', () => {
    const text = fixture('stress-ng-stderr.txt');
    const s = parseStressNgStderr(text.slice(0, text.indexOf('successful run')));
    expect(s.successful).toBeNull();
    expect(s.metrics).toHaveLength(2);
  });

  it('rejects text that is not stress-ng output', () => {
    expectParseError(() => parseStressNgStderr(fixture('fio-error-ro.stderr')), 'stress-ng', /no "stress-ng: level: \[pid\]" lines/);
  });
});
