import { Settings } from '../../../common/schema/index.ts';
import { UserError, zodIssues, describeIssues } from '../util/errors.ts';
import type { Db } from './db.ts';

const KEY = 'settings';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

/** Settings live as one validated JSON document; a bad patch changes nothing. */
export class SettingsStore {
  constructor(private readonly db: Db) {}

  get(): Settings {
    const row = this.db.prepare('SELECT value_json FROM settings WHERE key = ?').get(KEY) as { value_json: string } | undefined;
    const parsed = Settings.safeParse(row ? JSON.parse(row.value_json) : {});
    return parsed.success ? parsed.data : Settings.parse({});
  }

  update(patch: unknown): Settings {
    if (!isPlainObject(patch)) throw new UserError('settings must be a JSON object', 'bad-body');
    const merged = Settings.safeParse(deepMerge(this.get(), patch));
    if (!merged.success) {
      const issues = zodIssues(merged.error);
      throw new UserError(`invalid settings: ${describeIssues(issues)}`, 'bad-settings', 400, issues);
    }
    this.db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json').run(KEY, JSON.stringify(merged.data));
    return merged.data;
  }
}
