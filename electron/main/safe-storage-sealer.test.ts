import { describe, expect, it } from 'vitest';
import { CredentialVault, keyFileSealer } from '../node/power/credential-vault.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeStorageSealer, type SafeStorageLike } from './safe-storage-sealer.ts';

// Electron's binary is not on this machine, so safeStorage is played by an
// object with its shape: what matters here is which sealer the desktop picks.

function storage(available: boolean, backend?: string): SafeStorageLike & { sealed: string[] } {
  const sealed: string[] = [];
  return {
    sealed,
    isEncryptionAvailable: () => available,
    // A reversible stand-in for the keyring's cipher; the test checks routing, not cryptography.
    encryptString: (plain: string) => {
      sealed.push(plain);
      return Buffer.from([...Buffer.from(plain, 'utf8')].map((b) => b ^ 0x5a));
    },
    decryptString: (buf: Buffer) => Buffer.from([...buf].map((b) => b ^ 0x5a)).toString('utf8'),
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  };
}

describe('the desktop sealer (Electron safeStorage)', () => {
  it('is used when the OS keyring backs safeStorage', () => {
    const s = safeStorageSealer(storage(true, 'gnome_libsecret'), 'linux');
    expect(s?.scheme).toBe('safeStorage');
    expect(s!.open(s!.seal('pw'))).toBe('pw');
    expect(safeStorageSealer(storage(true), 'darwin')?.scheme).toBe('safeStorage');
  });

  it('is refused when it would not protect anything: no encryption, or Linux without a keyring (basic_text)', () => {
    expect(safeStorageSealer(storage(false, 'gnome_libsecret'), 'linux')).toBeNull();
    expect(safeStorageSealer(storage(true, 'basic_text'), 'linux')).toBeNull();
    expect(safeStorageSealer(storage(true), 'linux')).toBeNull();
  });

  it('seals new credentials while the key file still opens what `vetting serve` stored, and not the other way round', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vetting-sealer-'));
    try {
      const desktop = new CredentialVault(safeStorageSealer(storage(true, 'kwallet5'), 'linux')!, [keyFileSealer(dir)]);
      const headless = new CredentialVault(keyFileSealer(dir));
      const fromHeadless = headless.seal(7, 'stored-headless');
      expect(desktop.open(7, 'node7', fromHeadless)).toBe('stored-headless');
      const fromDesktop = desktop.seal(7, 'stored-desktop');
      expect(fromDesktop.scheme).toBe('safeStorage');
      expect(() => headless.open(7, 'node7', fromDesktop)).toThrow(/stored by the desktop app .*enter it again/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
