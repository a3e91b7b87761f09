import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.ts';
import { BootTokens } from './boot-tokens.ts';
import { hashToken } from './secrets.ts';

// One agent token per boot attempt, on a real store: the attempt a DHCP lease
// arms belongs to that MAC at that address only.

let dir: string;
let store: Store;
let tokens: BootTokens;
const MAC = '52:54:00:b0:07:01';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-boot-tokens-'));
  store = openStore(dir);
  tokens = new BootTokens(store);
  const host = store.hosts.add({ name: 'node1', macs: [MAC] });
  store.runs.insert(host.id, 'smoke', 'WaitingForAgent', hashToken('printed-at-start'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const lease = (ip: string | null, client: 'pxe' | 'ipxe' | 'other' = 'ipxe', message = 'DHCPACK') => tokens.armFromDhcp({ mac: MAC, ip, client, source: 'dhcp', message });

describe('boot tokens', () => {
  it('answers nothing without an armed attempt, and one token for one armed by a DHCP lease, from that address only', () => {
    expect(tokens.issue(MAC, '10.0.0.5')).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/no boot is expected/) });
    expect(lease('10.0.0.5')).toBe(true);
    expect(lease('10.0.0.5')).toBe(false); // the same exchange logged twice arms once
    expect(tokens.issue(MAC, '10.0.0.99')).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/belongs to the address dnsmasq leased \(10\.0\.0\.5\)/) });
    const got = tokens.issue(MAC, '10.0.0.5');
    expect(got).toMatchObject({ kind: 'token' });
    const run = store.runs.listActive()[0]!;
    expect(run.agent_token_hash).toBe(hashToken((got as { token: string }).token));
    expect(tokens.issue(MAC, '10.0.0.5')).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/already handed out \(to 10\.0\.0\.5/) });
    expect(store.runs.get(run.id)!.agent_token_hash).toBe(run.agent_token_hash);
  });

  it('ignores what is not boot firmware getting an address', () => {
    expect(lease('10.0.0.5', 'other')).toBe(false); // the live image's own DHCP client
    expect(lease(null, 'pxe', 'DHCPDISCOVER')).toBe(false);
    expect(tokens.armFromDhcp({ mac: MAC, ip: '10.0.0.5', client: 'pxe', source: 'tftp', message: 'sent' })).toBe(false);
    expect(tokens.armFromDhcp({ mac: MAC, ip: '10.0.0.5', client: 'pxe', source: 'proxy-dhcp', message: 'PXE' })).toBe(true);
  });

  it('a person arms another boot; a finished run arms nothing', () => {
    const run = store.runs.listActive()[0]!;
    tokens.armByPerson(run.id, 'operator');
    expect(tokens.issue(MAC, null)).toMatchObject({ kind: 'token' });
    store.runs.update(run.id, { state: 'Completed' });
    expect(() => tokens.armByPerson(run.id, 'operator')).toThrow(/Completed: it boots nothing more/);
    expect(lease('10.0.0.5')).toBe(false);
    expect(tokens.issue(MAC, null)).toMatchObject({ kind: 'no-run' });
  });
});

// Who may boot when, and what the run's audit trail says about it (a real store).
describe('boot attempts: arming, refusals in words, and the audit trail', () => {
  const MAC2 = '52:54:00:b0:07:02';
  const runId = () => store.runs.listActive()[0]!.id;
  const trail = () => store.runs.transitions(runId()).map((t) => [t.action, t.actor, t.detail]);

  it('a run that starts may boot once, from any address', () => {
    tokens.armAtStart(runId());
    expect(tokens.issue(MAC, '10.0.0.7')).toMatchObject({ kind: 'token', host: 'node1' });
    expect(tokens.issue(MAC, '10.0.0.7')).toMatchObject({ kind: 'refused' });
  });

  it('a new lease at another address, or for the host\'s other MAC, is a new boot; a proxy request without an address is not', () => {
    const host = store.hosts.byMac(MAC)!;
    store.hosts.update(host.name, { macs: [MAC, MAC2] });
    expect(lease('10.0.0.5')).toBe(true);
    expect(tokens.armFromDhcp({ mac: MAC, ip: null, client: 'pxe', source: 'proxy-dhcp', message: 'PXE' })).toBe(false);
    expect(lease('10.0.0.6')).toBe(true);
    expect(tokens.issue(MAC, '10.0.0.5')).toMatchObject({ kind: 'refused', reason: 'this boot belongs to the address dnsmasq leased (10.0.0.6), not 10.0.0.5' });
    expect(tokens.issue(MAC, null)).toMatchObject({ kind: 'refused', reason: 'this boot belongs to the address dnsmasq leased (10.0.0.6), not an unknown address' });
    expect(tokens.armFromDhcp({ mac: MAC2.toUpperCase(), ip: '10.0.0.6', client: 'ipxe', source: 'dhcp', message: 'DHCPACK' })).toBe(true);
    expect(tokens.issue(MAC, '10.0.0.6')).toMatchObject({ kind: 'refused', reason: `this boot belongs to ${MAC2}` });
    expect(tokens.issue(MAC2, '10.0.0.6')).toMatchObject({ kind: 'token' });
  });

  it('writes who armed a boot and who got its token, with the MAC as dnsmasq writes it', () => {
    const armed = tokens.armByPerson(runId(), 'operator');
    const got = tokens.issue(MAC.toUpperCase(), null);
    expect(got).toMatchObject({ kind: 'token' });
    expect(tokens.issue(MAC, null)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^the agent token of this boot was already handed out \(to an unknown address at \d{4}-/) });
    expect(trail()).toEqual([
      ['boot-armed', 'operator', { attempt: armed.id }],
      ['boot-token-issued', 'orchestrator', { to: null, mac: MAC, armedBy: 'operator' }],
    ]);
  });

  it('arms nothing for a run that is finished, given up or released, or held for a person', () => {
    const id = runId();
    for (const state of ['Abandoned', 'Released'] as const) {
      store.runs.update(id, { state });
      expect(() => tokens.armByPerson(id, 'operator')).toThrow(expect.objectContaining({ code: 'run-closed', message: `run ${id} is ${state}: it boots nothing more` }));
      store.runs.update(id, { state: 'WaitingForAgent' });
    }
    expect(() => tokens.armByPerson(9999, 'operator')).toThrow(/run 9999/);
    store.runs.update(id, { state: 'FailedHolding' });
    expect(lease('10.0.0.5')).toBe(false);
    expect(tokens.issue(MAC, '10.0.0.5')).toEqual({ kind: 'no-run', host: 'node1' });
  });
});
