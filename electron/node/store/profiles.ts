import { PROFILES } from '../../../common/profiles.ts';
import { resolveProfile, type ProfileIssue } from '../../../common/profile-resolve.ts';
import { BUILTIN_PROFILE_NAMES, BuiltinProfileName, isBuiltinProfile, ProfileBody, ProfileName, type ProfileParams, type ProfileView } from '../../../common/schema/index.ts';
import { describeIssues, notFound, UserError, zodIssues } from '../util/errors.ts';
import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';

// Profiles: the four built-ins (code, read-only) and the custom ones people
// make from them (this table, migration 10). A custom profile is stored as
// what it changes; its parameters are resolved from its built-in whenever they
// are asked for, and checked against the profile schema before anything is
// stored. Runs never read profiles after they start: they keep their own
// copy of the parameters (runs.params_json).

interface ProfileRow {
  name: string;
  extends: string;
  description: string | null;
  overrides_json: string;
  created_at: string;
  updated_at: string;
}

/** What a profile resolves to, or why it cannot (a stored profile a newer schema no longer accepts). */
export type ProfileResolution = { ok: true; params: ProfileParams; base: BuiltinProfileName } | { ok: false; base: BuiltinProfileName | null; issues: ProfileIssue[] };

function invalid(name: string, issues: ProfileIssue[]): UserError {
  return new UserError(`profile "${name}" is invalid: ${describeIssues(issues)}`, 'bad-profile', 400, issues);
}

export class ProfileStore {
  constructor(private readonly db: Db) {}

  private row(name: string): ProfileRow | null {
    return (this.db.prepare('SELECT * FROM profiles WHERE name = ?').get(name) as ProfileRow | undefined) ?? null;
  }

  /** Built-ins first (in their shipped order), then custom profiles by name. */
  list(): ProfileView[] {
    const rows = this.db.prepare('SELECT * FROM profiles ORDER BY name').all() as ProfileRow[];
    return [...BUILTIN_PROFILE_NAMES.map((n) => this.builtinView(n)), ...rows.map((r) => this.customView(r))];
  }

  get(name: string): ProfileView | null {
    if (isBuiltinProfile(name)) return this.builtinView(name);
    const row = this.row(name);
    return row ? this.customView(row) : null;
  }

  require(name: string): ProfileView {
    const p = this.get(name);
    if (!p) throw notFound(`profile "${name}"`);
    return p;
  }

  exists(name: string): boolean {
    return isBuiltinProfile(name) || this.row(name) !== null;
  }

  /** Throws a UserError naming the known profiles unless `name` is one. */
  assertExists(name: string): void {
    if (this.exists(name)) return;
    throw new UserError(`unknown profile "${name}"; known: ${this.names().join(', ')}`, 'bad-profile', 400, [{ path: 'profile', message: `unknown profile "${name}"` }]);
  }

  names(): string[] {
    return [...BUILTIN_PROFILE_NAMES, ...(this.db.prepare('SELECT name FROM profiles ORDER BY name').all() as { name: string }[]).map((r) => r.name)];
  }

  /** The parameters a run started now under `name` gets. */
  resolve(name: string): ProfileResolution | null {
    if (isBuiltinProfile(name)) return { ok: true, params: PROFILES[name], base: name };
    const row = this.row(name);
    if (!row) return null;
    const base = BuiltinProfileName.safeParse(row.extends);
    if (!base.success) return { ok: false, base: null, issues: [{ path: 'extends', message: `"${row.extends}" is not a built-in profile` }] };
    let overrides: unknown;
    try {
      overrides = JSON.parse(row.overrides_json);
    } catch {
      return { ok: false, base: base.data, issues: [{ path: 'overrides', message: 'stored overrides are not valid JSON' }] };
    }
    const r = resolveProfile(base.data, overrides);
    return r.ok ? { ok: true, params: r.params, base: base.data } : { ok: false, base: base.data, issues: r.issues };
  }

  /** Creates or replaces a custom profile; a built-in's name is refused, and so is anything the profile schema does not accept. */
  put(name: string, body: unknown): ProfileView {
    const n = ProfileName.safeParse(name);
    if (!n.success) throw new UserError(`invalid profile name: ${describeIssues(zodIssues(n.error))}`, 'bad-profile-name', 400, [{ path: 'name', message: n.error.issues[0]?.message ?? 'invalid' }]);
    if (isBuiltinProfile(n.data)) throw new UserError(`"${n.data}" is a built-in profile and cannot be changed; save your changes under a new name (with extends: ${n.data})`, 'builtin-profile', 409);
    const b = ProfileBody.safeParse(body ?? {});
    if (!b.success) {
      const issues = zodIssues(b.error);
      throw new UserError(`invalid profile: ${describeIssues(issues)}`, 'bad-profile', 400, issues);
    }
    const r = resolveProfile(b.data.extends, b.data.overrides);
    if (!r.ok) throw invalid(n.data, r.issues);
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO profiles (name, extends, description, overrides_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET extends = excluded.extends, description = excluded.description, overrides_json = excluded.overrides_json, updated_at = excluded.updated_at`,
      )
      .run(n.data, b.data.extends, b.data.description ?? null, JSON.stringify(b.data.overrides), now, now);
    return this.require(n.data);
  }

  /** Host names whose default profile this is. */
  hostsUsing(name: string): string[] {
    return (this.db.prepare('SELECT name FROM hosts WHERE profile = ? ORDER BY name').all(name) as { name: string }[]).map((r) => r.name);
  }

  /**
   * Deletes a custom profile. Hosts still using it block the deletion unless
   * `moveHostsTo` names another profile: they are moved to it in the same
   * transaction. Runs keep their own parameters, so none of them changes.
   */
  delete(name: string, moveHostsTo?: string): { deleted: string; movedHosts: string[] } {
    if (isBuiltinProfile(name)) throw new UserError(`"${name}" is a built-in profile and cannot be deleted`, 'builtin-profile', 409);
    return this.db.transaction(() => {
      if (!this.row(name)) throw notFound(`profile "${name}"`);
      const hosts = this.hostsUsing(name);
      if (hosts.length && moveHostsTo === undefined) {
        throw new UserError(
          `profile "${name}" is in use by ${hosts.length === 1 ? 'host' : 'hosts'} ${hosts.join(', ')}; move ${hosts.length === 1 ? 'it' : 'them'} to another profile first (or delete with --move-hosts-to NAME)`,
          'profile-in-use',
          409,
        );
      }
      if (hosts.length) {
        if (moveHostsTo === name) throw new UserError(`cannot move the hosts of "${name}" to "${name}" itself`, 'bad-profile', 400);
        this.assertExists(moveHostsTo!);
        this.db.prepare('UPDATE hosts SET profile = ?, updated_at = ? WHERE profile = ?').run(moveHostsTo, nowIso(), name);
      }
      this.db.prepare('DELETE FROM profiles WHERE name = ?').run(name);
      return { deleted: name, movedHosts: hosts };
    })();
  }

  private builtinView(name: BuiltinProfileName): ProfileView {
    const params = PROFILES[name];
    return { name, builtin: true, extends: null, description: null, overrides: {}, params, certifies: params.certifies, valid: true, issues: [], hosts: this.hostsUsing(name), createdAt: null, updatedAt: null };
  }

  private customView(r: ProfileRow): ProfileView {
    const resolved = this.resolve(r.name)!;
    let overrides: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(r.overrides_json) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) overrides = parsed as Record<string, unknown>;
    } catch {
      // shown as invalid below
    }
    const base = resolved.base ?? 'standard';
    // A custom profile certifies only as its built-in does.
    const params = resolved.ok ? resolved.params : PROFILES[base];
    return {
      name: r.name,
      builtin: false,
      extends: resolved.base,
      description: r.description,
      overrides,
      params,
      certifies: PROFILES[base].certifies,
      valid: resolved.ok,
      issues: resolved.ok ? [] : resolved.issues,
      hosts: this.hostsUsing(r.name),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
