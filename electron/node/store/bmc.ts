import type { PowerState } from '../../../common/schema/index.ts';
import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';

/** A BMC password as stored: sealed by `scheme` (power/credential-vault.ts), never in the clear. */
export interface SealedCredential {
  scheme: string;
  sealed: Buffer;
}

/** Seals a host's BMC password for storage; bound to the host's id so a sealed blob cannot be moved to another host. */
export type SealCredential = (hostId: number, secret: string) => SealedCredential;

/**
 * The parts of a host's BMC that are not its settings: the sealed credential
 * (its own table, read only by the power service) and the last power state read.
 * The settings themselves are host columns, kept by HostStore.
 */
export class BmcStore {
  constructor(private readonly db: Db) {}

  credential(hostId: number): SealedCredential | null {
    const row = this.db.prepare('SELECT scheme, sealed FROM bmc_credentials WHERE host_id = ?').get(hostId) as { scheme: string; sealed: Buffer } | undefined;
    return row ? { scheme: row.scheme, sealed: row.sealed } : null;
  }

  setCredential(hostId: number, credential: SealedCredential): void {
    this.db
      .prepare('INSERT INTO bmc_credentials (host_id, scheme, sealed, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(host_id) DO UPDATE SET scheme = excluded.scheme, sealed = excluded.sealed, updated_at = excluded.updated_at')
      .run(hostId, credential.scheme, credential.sealed, nowIso());
  }

  clearCredential(hostId: number): void {
    this.db.prepare('DELETE FROM bmc_credentials WHERE host_id = ?').run(hostId);
  }

  hasCredential(hostId: number): boolean {
    return this.db.prepare('SELECT 1 FROM bmc_credentials WHERE host_id = ?').get(hostId) !== undefined;
  }

  /** What the BMC last said about power (or why it could not say); true when that changed what the board shows. */
  recordPower(hostId: number, state: PowerState, error: string | null): boolean {
    const before = this.db.prepare('SELECT power_state, power_error FROM hosts WHERE id = ?').get(hostId) as { power_state: string | null; power_error: string | null } | undefined;
    if (!before) return false;
    this.db.prepare('UPDATE hosts SET power_state = ?, power_error = ?, power_checked_at = ? WHERE id = ?').run(state, error, nowIso(), hostId);
    return before.power_state !== state || before.power_error !== error;
  }

  /** Names of the hosts that have a BMC, for the power watcher. */
  hostsWithBmc(): string[] {
    return (this.db.prepare('SELECT name FROM hosts WHERE bmc_driver IS NOT NULL ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  }
}
