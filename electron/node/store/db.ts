import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;

/** How often (in WAL pages, ~4 KiB each) a connection checkpoints by itself. */
export const SELF_CHECKPOINT_PAGES = 10_000;

export interface OpenOptions {
  /** Load better-sqlite3's native module from here (Electron's ABI build). */
  nativeBinding?: string;
}

/**
 * Opens (creating if needed) the store in `dataDir/vetting.db`: WAL so readers
 * never block the writer, foreign keys on, and every pending migration applied
 * inside one transaction each.
 */
export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'vetting.db'), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across process crashes (kill -9), cheap commits
  // Checkpoint the WAL every ~40 MB instead of every 4 MB: each checkpoint syncs,
  // and sensor ingest is write-heavy. The janitor truncates the WAL on its passes.
  // A running orchestrator hands checkpoints to a worker thread (wal-checkpointer.ts).
  db.pragma(`wal_autocheckpoint = ${SELF_CHECKPOINT_PAGES}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const current = schemaVersion(db);
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this build knows (${latest}); use a newer Vetting`);
  }
  // Every migration not yet recorded, not only those above the highest: a build
  // that skipped a number (two branches each adding one) still gets the other.
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
  }
}
