import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';

export interface SupervisorAuditRow {
  id: number;
  at: string;
  name: string;
  event: string;
  actor: string;
  detail: string | null;
}

/**
 * Rows for supervisors: credential hashes (scrypt, never the credential), the
 * audit of changes and refusals, and the per-name guard against guessing.
 * No policy here: see auth/supervisor-credentials.ts.
 */
export class SupervisorStore {
  constructor(private readonly db: Db) {}

  list(): { name: string; createdAt: string }[] {
    return this.db.prepare('SELECT name, created_at AS createdAt FROM supervisors ORDER BY name').all() as { name: string; createdAt: string }[];
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM supervisors').get() as { n: number }).n;
  }

  hashOf(name: string): string | null {
    return (this.db.prepare('SELECT credential_hash FROM supervisors WHERE name = ?').get(name) as { credential_hash: string } | undefined)?.credential_hash ?? null;
  }

  /** Inserts a supervisor or replaces its hash; true when it was new. */
  saveHash(name: string, hash: string): boolean {
    const existed = this.hashOf(name) !== null;
    this.db
      .prepare('INSERT INTO supervisors (name, credential_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET credential_hash = excluded.credential_hash')
      .run(name, hash, nowIso());
    return !existed;
  }

  /** Replaces a hash only if it is still `expected` (an upgrade must not undo a change made meanwhile). */
  replaceHash(name: string, expected: string, hash: string): void {
    this.db.prepare('UPDATE supervisors SET credential_hash = ? WHERE name = ? AND credential_hash = ?').run(hash, name, expected);
  }

  guard(name: string): { failures: number; lockedUntil: number } {
    const row = this.db.prepare('SELECT failures, locked_until AS lockedUntil FROM supervisor_guard WHERE name = ?').get(name) as { failures: number; lockedUntil: number } | undefined;
    return row ?? { failures: 0, lockedUntil: 0 };
  }

  setGuard(name: string, failures: number, lockedUntil: number): void {
    if (failures === 0) {
      this.db.prepare('DELETE FROM supervisor_guard WHERE name = ?').run(name);
      return;
    }
    this.db
      .prepare('INSERT INTO supervisor_guard (name, failures, locked_until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until')
      .run(name, failures, lockedUntil);
  }

  addAudit(name: string, event: string, actor: string, detail: string | null = null): void {
    this.db.prepare('INSERT INTO supervisor_audit (at, name, event, actor, detail) VALUES (?, ?, ?, ?, ?)').run(nowIso(), name, event, actor, detail);
  }

  audit(limit = 200): SupervisorAuditRow[] {
    return this.db.prepare('SELECT * FROM supervisor_audit ORDER BY id DESC LIMIT ?').all(limit) as SupervisorAuditRow[];
  }
}
