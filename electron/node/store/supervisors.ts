import { hashCredential, verifyCredential } from '../auth/secrets.ts';
import { UserError } from '../util/errors.ts';
import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';

/** Supervisors approve wipe-probe overrides; only a scrypt hash of each credential is kept. */
export class SupervisorStore {
  constructor(private readonly db: Db) {}

  list(): { name: string; createdAt: string }[] {
    return this.db.prepare('SELECT name, created_at AS createdAt FROM supervisors ORDER BY name').all() as { name: string; createdAt: string }[];
  }

  /** Adds a supervisor, or replaces the credential of an existing one. */
  async set(name: string, secret: string): Promise<void> {
    if (secret.length < 8) throw new UserError('a supervisor credential needs at least 8 characters', 'weak-credential');
    const hash = await hashCredential(secret);
    this.db
      .prepare('INSERT INTO supervisors (name, credential_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET credential_hash = excluded.credential_hash')
      .run(name, hash, nowIso());
  }

  async verify(name: string, secret: string): Promise<boolean> {
    const row = this.db.prepare('SELECT credential_hash FROM supervisors WHERE name = ?').get(name) as { credential_hash: string } | undefined;
    if (!row) return false;
    return verifyCredential(secret, row.credential_hash);
  }
}
