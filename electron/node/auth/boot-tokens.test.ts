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
