import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from './db.ts';
import { MIGRATIONS } from './migrations/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vetting-db-'));
  dirs.push(d);
  return d;
};

describe('migrations', () => {
  it('applies every migration to a new database and records each', () => {
    const db = openDatabase(tempDir());
    expect((db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    db.close();
  });

  it('applies a migration a database skipped, even below its highest version', () => {
    const dir = tempDir();
    const skipped = MIGRATIONS.at(-2)!;
    const old = new Database(join(dir, 'vetting.db'));
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x !== skipped)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
    old.close();
    const db = openDatabase(dir);
    expect((db.prepare('SELECT version FROM schema_migrations WHERE version = ?').get(skipped.version) as { version: number } | undefined)?.version).toBe(skipped.version);
    db.close();
  });

  it('refuses a database newer than this build, leaving it untouched', () => {
    const dir = tempDir();
    const future = new Database(join(dir, 'vetting.db'));
    future.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL); INSERT INTO schema_migrations VALUES (999, 'future', 'x');");
    future.close();
    expect(() => openDatabase(dir)).toThrow(/schema version 999, newer than this build knows/);
    const again = new Database(join(dir, 'vetting.db'));
    expect(again.prepare('SELECT COUNT(*) AS n FROM sqlite_master WHERE type = ?').get('table')).toEqual({ n: 1 });
    again.close();
  });
});
