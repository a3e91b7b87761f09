import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';

export type ArmedBy = 'run-start' | 'dhcp' | 'operator' | 'migration';

export interface BootAttemptRow {
  id: number;
  run_id: number;
  armed_by: ArmedBy;
  bound_mac: string | null;
  bound_ip: string | null;
  armed_at: string;
  issued_at: string | null;
  issued_ip: string | null;
}

/** Rows of boot_attempts (migration 7). No policy here: see auth/boot-tokens.ts. */
export class BootAttemptStore {
  constructor(private readonly db: Db) {}

  /** The run's newest attempt (armed or already used), or null. */
  latest(runId: number): BootAttemptRow | null {
    return (this.db.prepare('SELECT * FROM boot_attempts WHERE run_id = ? ORDER BY id DESC LIMIT 1').get(runId) as BootAttemptRow | undefined) ?? null;
  }

  arm(runId: number, armedBy: ArmedBy, bound: { mac: string | null; ip: string | null }): BootAttemptRow {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO boot_attempts (run_id, armed_by, bound_mac, bound_ip, armed_at) VALUES (?, ?, ?, ?, ?)')
      .run(runId, armedBy, bound.mac, bound.ip, nowIso());
    return this.db.prepare('SELECT * FROM boot_attempts WHERE id = ?').get(Number(lastInsertRowid)) as BootAttemptRow;
  }

  /** Marks an armed attempt used; false when someone else used it first. */
  markIssued(id: number, ip: string | null): boolean {
    return this.db.prepare('UPDATE boot_attempts SET issued_at = ?, issued_ip = ? WHERE id = ? AND issued_at IS NULL').run(nowIso(), ip, id).changes === 1;
  }
}
