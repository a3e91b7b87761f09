import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialVault, keyFileSealer } from '../power/credential-vault.ts';
import { openDatabase } from './db.ts';
import { openStore, type Store } from './index.ts';

// A host's BMC in the store: settings on the host, the password sealed in its
// own table and never part of what a host read returns.

const PASSWORD = 'bmc-pw-7f3e';
let dir: string;
let store: Store;
let vault: CredentialVault;
const seal = (id: number, secret: string) => vault.seal(id, secret);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-bmc-store-'));
  store = openStore(dir);
  vault = new CredentialVault(keyFileSealer(dir));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ipmi = { driver: 'ipmi' as const, address: '10.0.0.5', user: 'admin' };

describe('hosts with a BMC', () => {
  it('keep the settings on the host and the password sealed apart: no read of a host holds it, nor does the database file in the clear', () => {
    const h = store.hosts.add({ name: 'node1', bmc: { ...ipmi, password: PASSWORD } }, seal);
    expect(h.bmc).toEqual({ driver: 'ipmi', address: '10.0.0.5', user: 'admin', credential: 'stored', certSha256: null, bootMode: null, power: null });
    expect(JSON.stringify(store.hosts.list())).not.toContain(PASSWORD);
    const sealed = store.bmc.credential(h.id)!;
    expect(sealed.scheme).toBe('keyfile');
    expect(vault.open(h.id, 'node1', sealed)).toBe(PASSWORD);
    store.transaction(() => undefined); // the write is committed
    const raw = openDatabase(dir);
    const rows = raw.prepare('SELECT * FROM hosts').all();
    raw.close();
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    for (const file of ['vetting.db', 'vetting.db-wal'].filter((f) => existsSync(join(dir, f)))) expect(readFileSync(join(dir, file)).includes(Buffer.from(PASSWORD))).toBe(false);
  });

  it('need a password for a new BMC, keep the stored one when a change gives none, and replace it when one is given', () => {
    expect(() => store.hosts.add({ name: 'node1', bmc: ipmi }, seal)).toThrow(/needs its password/);
    expect(store.hosts.get('node1')).toBeNull(); // nothing half-stored
    const h = store.hosts.add({ name: 'node1', bmc: { ...ipmi, password: PASSWORD } }, seal);
    store.hosts.update('node1', { bmc: { ...ipmi, user: 'operator' } }, seal);
    expect(vault.open(h.id, 'node1', store.bmc.credential(h.id)!)).toBe(PASSWORD);
    store.hosts.update('node1', { bmc: { ...ipmi, password: 'new-pw' } }, seal);
    expect(vault.open(h.id, 'node1', store.bmc.credential(h.id)!)).toBe('new-pw');
  });

  it('keep a pinned certificate only while the BMC stays the same one, and forget BMC and password on removal', () => {
    const pin = 'cd'.repeat(32);
    const rf = { driver: 'redfish' as const, address: 'https://10.0.0.9', user: 'root' };
    const h = store.hosts.add({ name: 'node2', bmc: { ...rf, password: PASSWORD, certSha256: pin, bootMode: 'uefi' } }, seal);
    expect(h.bmc).toMatchObject({ certSha256: pin, bootMode: 'uefi' });
    expect(store.hosts.update('node2', { bmc: { ...rf, user: 'admin' } }, seal).bmc).toMatchObject({ certSha256: pin, bootMode: 'uefi' });
    expect(store.hosts.update('node2', { bmc: { ...rf, address: 'https://10.0.0.10' } }, seal).bmc).toMatchObject({ certSha256: null, bootMode: 'uefi' });
    expect(store.hosts.update('node2', { bmc: null }, seal).bmc).toBeNull();
    expect(store.bmc.credential(h.id)).toBeNull();
    expect(store.bmc.hostsWithBmc()).toEqual([]);
  });

  it('keep the last power state read and say when it changed', () => {
    const h = store.hosts.add({ name: 'node1', bmc: { ...ipmi, password: PASSWORD } }, seal);
    expect(store.bmc.recordPower(h.id, 'on', null)).toBe(true);
    expect(store.bmc.recordPower(h.id, 'on', null)).toBe(false);
    expect(store.bmc.recordPower(h.id, 'unknown', 'BMC unreachable: no answer')).toBe(true);
    expect(store.hosts.get('node1')!.bmc!.power).toMatchObject({ state: 'unknown', error: 'BMC unreachable: no answer' });
    // Another BMC: what was read of the old one no longer holds.
    expect(store.hosts.update('node1', { bmc: { ...ipmi, address: '10.0.0.6' } }, seal).bmc!.power).toBeNull();
    expect(store.bmc.hostsWithBmc()).toEqual(['node1']);
  });
});
