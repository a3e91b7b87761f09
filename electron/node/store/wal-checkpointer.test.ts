import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, SELF_CHECKPOINT_PAGES, type Db } from './db.ts';
import { startWalCheckpointer, type CheckpointResult, type WalCheckpointer } from './wal-checkpointer.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function openTemp(): { db: Db; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vetting-checkpointer-'));
  const db = openDatabase(dir);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => void db.close());
  return { db, dir };
}

function track(c: WalCheckpointer): WalCheckpointer {
  cleanups.push(() => c.stop());
  return c;
}

const autocheckpoint = (db: Db) => db.pragma('wal_autocheckpoint', { simple: true });

/** Waits for `pred` (a bound, not a timing assertion: the test fails by its message, not its clock). */
async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startWalCheckpointer', () => {
  it('checkpoints from its worker while the writing connection stops checkpointing, and hands back on stop', async () => {
    const { db, dir } = openTemp();
    const results: CheckpointResult[] = [];
    const fallbacks: string[] = [];
    const c = track(startWalCheckpointer(db, { intervalMs: 30, onCheckpoint: (r) => results.push(r), onFallback: (w) => fallbacks.push(w) }));
    await c.ready;
    expect(autocheckpoint(db)).toBe(0);

    const dbFile = join(dir, 'vetting.db');
    const sizeBefore = statSync(dbFile).size;
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500));
    })();
    // The worker, not this connection, moves the new pages into the database file.
    await until(() => results.some((r) => r.log > 0 && r.checkpointed === r.log && !r.busy), 'a complete checkpoint of the new frames');
    expect(statSync(dbFile).size).toBeGreaterThan(sizeBefore + 2000 * 500);
    expect((db.prepare('SELECT COUNT(*) AS n FROM filler').get() as { n: number }).n).toBe(2000);

    await c.stop();
    await c.stop(); // a second stop is harmless
    expect(autocheckpoint(db)).toBe(SELF_CHECKPOINT_PAGES);
    expect(fallbacks).toEqual([]);
  });

  it('falls back to the connection checkpointing itself when the worker cannot open the database', async () => {
    const { db } = openTemp();
    const fallbacks: string[] = [];
    const c = track(startWalCheckpointer(db, { nativeBinding: '/nonexistent/better_sqlite3.node', onFallback: (w) => fallbacks.push(w) }));
    await c.ready;
    await until(() => fallbacks.length > 0, 'the fallback');
    expect(fallbacks[0]).toMatch(/checkpoint worker (failed|stopped)/);
    expect(autocheckpoint(db)).toBe(SELF_CHECKPOINT_PAGES);
    // The connection still works and still checkpoints by itself.
    db.exec('CREATE TABLE t (x INTEGER)');
    expect(db.pragma('wal_checkpoint(PASSIVE)')).toEqual([expect.objectContaining({ busy: 0 })]);
  });
});
