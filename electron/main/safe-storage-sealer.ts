import type { safeStorage as ElectronSafeStorage } from 'electron';
import type { SecretSealer } from '../node/power/credential-vault.ts';

// The desktop's way to keep BMC passwords at rest: Electron's safeStorage,
// which encrypts with a key the OS keeps for this user (the keyring on Linux,
// Keychain on macOS, DPAPI on Windows). The orchestrator never imports
// electron; it is handed this sealer (electron/node/power/credential-vault.ts).

export type SafeStorageLike = Pick<typeof ElectronSafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
  getSelectedStorageBackend?: () => string;
};

/**
 * A sealer over safeStorage, or null when it would not protect anything: no
 * encryption available, or Linux's "basic_text" fallback (no keyring running),
 * whose key is a constant built into Chromium. Then the data directory's key
 * file, readable by this user only, is the better lock, and is used instead.
 */
export function safeStorageSealer(storage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretSealer | null {
  if (!storage.isEncryptionAvailable()) return null;
  if (platform === 'linux') {
    const backend = storage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') return null;
  }
  return {
    scheme: 'safeStorage',
    description: "the desktop session's keyring (Electron safeStorage)",
    seal: (plain) => storage.encryptString(plain),
    open: (sealed) => storage.decryptString(sealed),
  };
}
