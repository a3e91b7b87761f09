import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { BUILTIN_PROFILE_NAMES } from '../../../common/schema/profile.ts';
import { UserError } from '../util/errors.ts';
import { openStore, type Store } from './index.ts';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-profiles-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const thrown = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
};

describe('profiles in the store', () => {
  it('lists the four built-ins, read-only, with their parameters', () => {
    expect(store.profiles.list().map((p) => [p.name, p.builtin, p.certifies])).toEqual(BUILTIN_PROFILE_NAMES.map((n) => [n, true, PROFILES[n].certifies]));
    expect(thrown(() => store.profiles.put('standard', { extends: 'standard', overrides: {} }))).toMatchObject({ code: 'builtin-profile', status: 409 });
    expect(thrown(() => store.profiles.delete('smoke'))).toMatchObject({ code: 'builtin-profile' });
  });

  it('stores a custom profile as what it changes and resolves it over its built-in', () => {
    const saved = store.profiles.put('strict-nvme', { extends: 'standard', description: 'NVMe nodes', overrides: { storage: { floors: { nvme: { minIops: 90_000 } } } } });
    expect(saved).toMatchObject({ name: 'strict-nvme', builtin: false, extends: 'standard', description: 'NVMe nodes', certifies: true, valid: true, hosts: [] });
    expect(saved.overrides).toEqual({ storage: { floors: { nvme: { minIops: 90_000 } } } });
    expect(saved.params.storage.floors.nvme.minIops).toBe(90_000);
    expect(saved.params.storage.floors.ssd).toEqual(PROFILES.standard.storage.floors.ssd);
    expect(store.profiles.list().map((p) => p.name)).toEqual([...BUILTIN_PROFILE_NAMES, 'strict-nvme']);
    // Saved again: replaced, not added.
    store.profiles.put('strict-nvme', { extends: 'burn-in', overrides: {} });
    expect(store.profiles.require('strict-nvme')).toMatchObject({ extends: 'burn-in', description: null, overrides: {} });
  });

  it('refuses what the profile schema does not accept, naming the field and its range, and stores nothing', () => {
    const e = thrown(() => store.profiles.put('bad', { extends: 'standard', overrides: { storage: { floors: { ssd: { maxP99Ms: 0 } } } } }));
    expect(e.code).toBe('bad-profile');
    expect(e.message).toContain('storage.floors.ssd.maxP99Ms: 0 is not allowed; allowed: a number above 0');
    expect(e.issues).toEqual([{ path: 'storage.floors.ssd.maxP99Ms', message: '0 is not allowed; allowed: a number above 0' }]);
    expect(thrown(() => store.profiles.put('x', { extends: 'gold', overrides: {} })).issues?.[0]?.path).toBe('extends');
    expect(thrown(() => store.profiles.put('no spaces', { extends: 'smoke', overrides: {} })).code).toBe('bad-profile-name');
    expect(store.profiles.get('bad')).toBeNull();
  });

  it('lets hosts use a custom profile by name, and refuses a name that is none', () => {
    store.profiles.put('quick', { extends: 'smoke', overrides: {} });
    store.hosts.add({ name: 'pve-01', profile: 'quick' });
    expect(store.hosts.require('pve-01').profile).toBe('quick');
    expect(thrown(() => store.hosts.add({ name: 'pve-02', profile: 'quik' })).message).toMatch(/unknown profile "quik"; known: standard, burn-in, smoke, selftest, quick/);
    expect(thrown(() => store.hosts.update('pve-01', { profile: 'nope' })).code).toBe('bad-profile');
    expect(store.profiles.require('quick').hosts).toEqual(['pve-01']);
  });

  it('keeps a profile in use until its hosts move, and moves them with the deletion when told where', () => {
    store.profiles.put('quick', { extends: 'smoke', overrides: {} });
    store.hosts.add({ name: 'pve-01', profile: 'quick' });
    store.hosts.add({ name: 'pve-02', profile: 'quick' });
    const e = thrown(() => store.profiles.delete('quick'));
    expect(e).toMatchObject({ code: 'profile-in-use', status: 409 });
    expect(e.message).toContain('in use by hosts pve-01, pve-02');
    expect(store.profiles.get('quick')).not.toBeNull();
    expect(thrown(() => store.profiles.delete('quick', 'no-such')).code).toBe('bad-profile');
    expect(store.profiles.get('quick')).not.toBeNull(); // the refused move changed nothing
    expect(store.profiles.delete('quick', 'smoke')).toEqual({ deleted: 'quick', movedHosts: ['pve-01', 'pve-02'] });
    expect(store.hosts.list().map((h) => h.profile)).toEqual(['smoke', 'smoke']);
    expect(store.profiles.get('quick')).toBeNull();
    expect(thrown(() => store.profiles.delete('quick')).status).toBe(404);
  });
});
