import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialVault, KEY_FILE, keyFileSealer, loadOrCreateKey } from './credential-vault.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-vault-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the key file', () => {
  it('is made once, 32 random bytes readable by this user only, and read back the same', () => {
    const key = loadOrCreateKey(dir);
    expect(key).toHaveLength(32);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(dir).equals(key)).toBe(true);
  });

  it('is refused, naming the fix, once others may read it', () => {
    loadOrCreateKey(dir);
    chmodSync(join(dir, KEY_FILE), 0o644);
    expect(() => loadOrCreateKey(dir)).toThrow(/may be read by others \(mode 644\): run `chmod 600/);
  });

  it('is refused when it is not a key', () => {
    writeFileSync(join(dir, KEY_FILE), 'short', { mode: 0o600 });
    expect(() => loadOrCreateKey(dir)).toThrow(/is not a 32-byte key/);
  });

  it('is not made until a credential is sealed', () => {
    keyFileSealer(dir);
    expect(() => statSync(join(dir, KEY_FILE))).toThrow();
  });
});

describe('the credential vault', () => {
  it('seals so that the stored bytes do not hold the password, and opens it again for the same host only', () => {
    const vault = new CredentialVault(keyFileSealer(dir));
    const sealed = vault.seal(3, 'hunter2-bmc-pw');
    expect(sealed.scheme).toBe('keyfile');
    expect(sealed.sealed.includes(Buffer.from('hunter2'))).toBe(false);
    expect(vault.open(3, 'node3', sealed)).toBe('hunter2-bmc-pw');
    // Copied onto another host's row, it does not open there.
    expect(() => vault.open(4, 'node4', sealed)).toThrow(/belongs to another host/);
    // Two seals of one password differ (fresh IV): equal passwords are not visible as equal blobs.
    expect(vault.seal(3, 'hunter2-bmc-pw').sealed.equals(sealed.sealed)).toBe(false);
  });

  it('refuses a damaged blob or another key without saying what the password was', () => {
    const vault = new CredentialVault(keyFileSealer(dir));
    const sealed = vault.seal(1, 'pw-one');
    const damaged = Buffer.from(sealed.sealed);
    damaged[damaged.length - 1]! ^= 1;
    expect(() => vault.open(1, 'node1', { scheme: 'keyfile', sealed: damaged })).toThrow(/cannot be opened with the key file/);
    const other = mkdtempSync(join(tmpdir(), 'vetting-vault-other-'));
    try {
      expect(() => new CredentialVault(keyFileSealer(other)).open(1, 'node1', sealed)).toThrow(/was the key replaced\?/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    expect(readFileSync(join(dir, KEY_FILE)).length).toBe(32);
  });

  it('says where a credential sealed by a sealer it lacks came from', () => {
    const vault = new CredentialVault(keyFileSealer(dir));
    expect(() => vault.open(1, 'node1', { scheme: 'safeStorage', sealed: Buffer.from('x') })).toThrow(/stored by the desktop app \(Electron safeStorage/);
  });
});
