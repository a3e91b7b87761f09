import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// SQL lives in store/: everything else in electron/node/ asks the Store's
// methods. This reads the sources and names every file that reaches for the
// connection instead. Tests and their fixture helpers (*.test.ts, testing/)
// may open a bare connection of their own (openDatabase) to seed back-dated
// rows or check rows independently of the store; production code may not.

const NODE_ROOT = fileURLToPath(new URL('..', import.meta.url));

const RULES: { why: string; pattern: RegExp }[] = [
  { why: 'reads store.db', pattern: /\bstore\.db\b/ },
  { why: 'uses a connection (.db.prepare/transaction/pragma/exec)', pattern: /\.db\.(prepare|transaction|pragma|exec)\b/ },
  { why: 'runs SQL on a db handle', pattern: /\bdb\.(prepare|transaction|pragma|exec)\(/ },
  { why: 'imports store/db (the connection or its Db type)', pattern: /from\s+['"][^'"]*\/store\/db(\.ts)?['"]/ },
  { why: 'imports better-sqlite3', pattern: /from\s+['"]better-sqlite3['"]/ },
];

/** Each rule a source text breaks, with the first offending line. */
export function breaches(source: string): string[] {
  const lines = source.split('\n');
  const out: string[] = [];
  for (const rule of RULES) {
    const at = lines.findIndex((l) => rule.pattern.test(l));
    if (at >= 0) out.push(`line ${at + 1} ${rule.why}: ${lines[at]!.trim()}`);
  }
  return out;
}

function productionSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'testing' || relative(NODE_ROOT, path) === 'store') continue;
      out.push(...productionSources(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      out.push(path);
    }
  }
  return out;
}

describe('the store boundary', () => {
  it('no file under electron/node/ outside store/ touches the database connection', () => {
    const files = productionSources(NODE_ROOT);
    expect(files.length).toBeGreaterThan(30); // the walk really found the orchestrator's sources
    expect(files.some((f) => f.includes(`${sep}store${sep}`))).toBe(false);
    const found = files.flatMap((f) => breaches(readFileSync(f, 'utf8')).map((b) => `${relative(NODE_ROOT, f)}: ${b}`));
    expect(found).toEqual([]);
  });

  it('recognises each way of reaching for the connection', () => {
    for (const bad of [
      "const rows = store.db.prepare('SELECT 1').all();",
      'this.deps.store.db.transaction(fn)();',
      "db.prepare('DELETE FROM runs').run();",
      "import type { Db } from '../store/db.ts';",
      "import Database from 'better-sqlite3';",
    ]) {
      expect(breaches(bad), bad).not.toEqual([]);
    }
    expect(breaches('const runs = store.runs.listActive();')).toEqual([]);
  });
});
