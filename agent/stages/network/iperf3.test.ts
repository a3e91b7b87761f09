import { describe, expect, it } from 'vitest';
import { parseIperf3Json } from './iperf3.ts';
import { expectParseError, fixture, truncated } from '../../parsers/test-fixtures.ts';

describe('parseIperf3Json', () => {
  it('reads a loopback client run', () => {
    const r = parseIperf3Json(fixture('iperf3-client-loopback.json'));
    expect(r).toMatchObject({
      error: null,
      retransmits: 2,
      remoteHost: '127.0.0.1',
      protocol: 'TCP',
      reverse: false,
      role: 'client',
      version: 'iperf 3.12',
    });
    expect(r.sentBps).toBeCloseTo(13067885376.936665, 3);
    expect(r.receivedBps).toBeCloseTo(13042625889.730972, 3);
    expect(r.durationS).toBeCloseTo(3.002874, 6);
  });

  it('reads the guest runs against the orchestrator', () => {
    const live = parseIperf3Json(fixture('live-guest-agent/iperf3.json'));
    expect(live).toMatchObject({ error: null, remoteHost: '10.231.7.1', localHost: '10.231.7.192', retransmits: 0 });
    expect(live.receivedBps).toBeCloseTo(866677456.896, 2);
    for (const f of ['pxe-guest/iperf3-guest-client.json', 'pxe-guest-uefi/iperf3-guest-client.json']) {
      expect(parseIperf3Json(fixture(f)).receivedBps, f).toBeGreaterThan(0);
    }
  });

  it('reads the server side report', () => {
    const r = parseIperf3Json(fixture('iperf3-server.json'));
    expect(r.role).toBe('server');
    expect(r.receivedBps).toBeCloseTo(13042625889.730972, 3);
  });

  it('surfaces "connection refused" although iperf3 exited 0', () => {
    const r = parseIperf3Json(fixture('iperf3-client-refused.json'));
    expect(r.error).toBe('unable to connect to server: Connection refused');
    expect(r.sentBps).toBeNull();
    expect(r.receivedBps).toBeNull();
  });

  it('rejects truncated, foreign and plain-text output', () => {
    expectParseError(() => parseIperf3Json(truncated(fixture('iperf3-client-loopback.json'))), 'iperf3', /not valid JSON/);
    expectParseError(() => parseIperf3Json(fixture('iperf3-client.err')), 'iperf3', /./);
    expectParseError(() => parseIperf3Json('{"intervals": []}'), 'iperf3', /neither "start" nor "error"/);
    expectParseError(() => parseIperf3Json('{"start": {}, "end": {}}'), 'iperf3', /no sums/);
  });
});
