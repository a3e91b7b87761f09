import { describe, expect, it } from 'vitest';
import { PROFILES } from '../profiles.ts';
import { AgentMessage, OrchestratorMessage, PROTOCOL_VERSION } from './index.ts';

// Every message type survives JSON serialisation and validation unchanged, in
// both directions: the wire format is exactly the schema.
const agentMessages: AgentMessage[] = [
  { type: 'hello', protocol: PROTOCOL_VERSION, token: 't0k3n', bootMac: '52:54:00:12:34:56', dmiSerial: 'ABC123', agentVersion: '0.1.0', session: 'session-123', hostname: 'live' },
  { type: 'heartbeat', seq: 1, ts: 1_700_000_000_000, stage: 'SMART' },
  { type: 'stage-started', seq: 2, ts: 1, stage: 'Storage', attempt: 1 },
  { type: 'stage-progress', seq: 3, ts: 2, stage: 'Storage', attempt: 1, item: 'S6EVNX0T512345', percent: 42.5, etaS: 120, message: 'badblocks pattern 0xaa' },
  {
    type: 'stage-result', seq: 4, ts: 3, stage: 'Storage', attempt: 1, outcome: 'failed', message: 'data found',
    summary: { stoppedAt: 'wipe-probe', overridden: [] },
    coverage: [{ part: { kind: 'disk', id: 'S6EVNX0T512345', label: 'S6EVNX0T512345 (/dev/nvme0n1)' }, check: 'surface scan', status: 'not-tested', reason: 'data was found', required: true }],
    unexpectedData: [{ disk: 'S6EVNX0T512345', device: '/dev/nvme0n1', found: ['ext4 filesystem'] }],
    measurements: [{ kind: 'storage', sensor: 'fio/iops', value: 1234, unit: 'IOPS', ts: 3 }],
  },
  { type: 'sensor-batch', seq: 5, ts: 4, samples: [{ kind: 'thermal', sensor: 'coretemp/Package id 0', value: 54, unit: '°C', ts: 4 }] },
  { type: 'log', seq: 6, ts: 5, stage: 'SMART', source: 'smartctl', lines: ['smartctl 7.3', 'PASSED'] },
];

const orchestratorMessages: OrchestratorMessage[] = [
  {
    type: 'welcome', protocol: PROTOCOL_VERSION, run: 7, host: 'pve-04', profile: 'smoke', params: PROFILES.smoke, maxTempC: 85,
    expectedDisks: ['S6EVNX0T512345', 'loop:/var/tmp/d0.img'], deviceAllowlist: ['/dev/'], iperf: { host: '10.9.0.1', port: 5201 },
    artifactUrl: 'http://10.9.0.1:8069/runs/7/artifacts', lastSeq: 4,
  },
  { type: 'run-stage', stage: 'Storage', attempt: 2, wipeOverride: ['S6EVNX0T512345'] },
  { type: 'wait', reason: 'held at SMART' },
  { type: 'shutdown', action: 'poweroff', reason: 'run 7 is Completed' },
  { type: 'ack', seq: 4 },
  { type: 'error', code: 'bad-token', message: 'unknown or expired agent token' },
];

describe('protocol', () => {
  it('refuses a coverage claim of "not tested" that gives no reason', () => {
    const bad = { ...agentMessages[4], coverage: [{ part: { kind: 'disk', id: 'x' }, check: 'scan', status: 'not-tested', required: true }] };
    expect(AgentMessage.safeParse(bad).success).toBe(false);
  });

  it.each(agentMessages.map((m) => [m.type, m] as const))('agent message %s round-trips', (_t, m) => {
    expect(AgentMessage.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });
  it.each(orchestratorMessages.map((m) => [m.type, m] as const))('orchestrator message %s round-trips', (_t, m) => {
    expect(OrchestratorMessage.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });
  it('rejects unknown types, bad stages and non-integer sequence numbers', () => {
    expect(AgentMessage.safeParse({ type: 'nope' }).success).toBe(false);
    expect(AgentMessage.safeParse({ type: 'heartbeat', seq: 1.5, ts: 1 }).success).toBe(false);
    expect(AgentMessage.safeParse({ type: 'stage-started', seq: 1, ts: 1, stage: 'Reboot', attempt: 1 }).success).toBe(false);
    expect(AgentMessage.safeParse({ type: 'sensor-batch', seq: 1, ts: 1, samples: [{ kind: 'thermal', sensor: 'x', value: Infinity, unit: 'C', ts: 1 }] }).success).toBe(false);
  });
});
