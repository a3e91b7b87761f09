import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SealedCredential } from '../store/bmc.ts';
import { UserError } from '../util/errors.ts';

// BMC passwords at rest (docs/operations.md, "What is stored where"). The bench
// must send the password to the BMC, so it cannot keep a hash: it keeps the
// password sealed, by one of two sealers:
//   safeStorage — the desktop app: Electron's safeStorage, i.e. the OS keyring
//                 (electron/main/safe-storage-sealer.ts hands it in);
//   keyfile     — headless (`vetting serve`, the CLI): AES-256-GCM under a
//                 random key in the data directory, readable only by the app's
//                 user (mode 0600, checked on every load).
// What gets sealed names the host it belongs to, so a sealed blob copied onto
// another host's row does not open there.

/** Turns a secret into bytes only this sealer can turn back. */
export interface SecretSealer {
  readonly scheme: string;
  /** Shown to a person who cannot open a credential sealed this way. */
  readonly description: string;
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
}

export const KEY_FILE = 'bmc-credentials.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 1;

/**
 * The key file in `dataDir`: created once with mode 0600 (exclusively, so two
 * processes starting together cannot each write their own), refused when
 * anyone but its owner may read it or someone else owns it.
 */
export function loadOrCreateKey(dataDir: string): Buffer {
  const path = join(dataDir, KEY_FILE);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    const key = randomBytes(KEY_BYTES);
    writeSync(fd, key);
    closeSync(fd);
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new UserError(`${path} belongs to user ${st.uid}, not to the user running Vetting (${process.getuid()}): BMC credentials stay sealed until the app's own user owns it`, 'bmc-key-file', 500);
    }
    if ((st.mode & 0o077) !== 0) {
      throw new UserError(`${path} may be read by others (mode ${(st.mode & 0o777).toString(8)}): run \`chmod 600 ${path}\`; BMC credentials stay sealed until then`, 'bmc-key-file', 500);
    }
    const key = Buffer.alloc(KEY_BYTES);
    if (readSync(fd, key, 0, KEY_BYTES, 0) !== KEY_BYTES || st.size !== KEY_BYTES) throw new UserError(`${path} is not a ${KEY_BYTES}-byte key`, 'bmc-key-file', 500);
    return key;
  } finally {
    closeSync(fd);
  }
}

/** AES-256-GCM under the data directory's key file: [format][iv][tag][ciphertext]. */
export function keyFileSealer(dataDir: string): SecretSealer {
  let key: Buffer | null = null;
  // Read (or made) on first use, so a data directory that never holds a BMC never gets a key file.
  const k = () => (key ??= loadOrCreateKey(dataDir));
  return {
    scheme: 'keyfile',
    description: `the key file ${join(dataDir, KEY_FILE)}`,
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT) throw new Error('not a sealed credential of this format');
      const decipher = createDecipheriv('aes-256-gcm', k(), sealed.subarray(1, 1 + IV_BYTES));
      decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * Seals with the preferred sealer and opens with whichever sealed: the desktop
 * app and `vetting serve` share one data directory, and the desktop can open
 * what the headless side stored (the reverse needs the desktop's keyring).
 */
export class CredentialVault {
  private readonly sealers = new Map<string, SecretSealer>();

  constructor(
    private readonly preferred: SecretSealer,
    others: SecretSealer[] = [],
  ) {
    for (const s of [preferred, ...others]) this.sealers.set(s.scheme, s);
  }

  get scheme(): string {
    return this.preferred.scheme;
  }

  seal(hostId: number, secret: string): SealedCredential {
    return { scheme: this.preferred.scheme, sealed: this.preferred.seal(JSON.stringify({ host: hostId, secret })) };
  }

  /** The password of host `hostId`, or a UserError saying why it cannot be had here (never what it was). */
  open(hostId: number, hostName: string, credential: SealedCredential): string {
    const sealer = this.sealers.get(credential.scheme);
    if (!sealer) {
      const by = credential.scheme === 'safeStorage' ? "the desktop app (Electron safeStorage, the desktop session's keyring)" : `"${credential.scheme}"`;
      throw new UserError(`the BMC password of host "${hostName}" was stored by ${by} and cannot be read here; enter it again, or drive this host from where it was stored`, 'bmc-credential-unreadable', 409);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(sealer.open(credential.sealed));
    } catch {
      throw new UserError(`the BMC password of host "${hostName}" cannot be opened with ${sealer.description} (was the key replaced?); enter it again`, 'bmc-credential-unreadable', 409);
    }
    const p = payload as { host?: unknown; secret?: unknown };
    if (p.host !== hostId || typeof p.secret !== 'string') {
      throw new UserError(`the stored BMC password of host "${hostName}" belongs to another host; enter it again`, 'bmc-credential-unreadable', 409);
    }
    return p.secret;
  }
}
