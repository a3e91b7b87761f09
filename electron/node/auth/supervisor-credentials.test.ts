import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.ts';
import { CURRENT_SCRYPT, hashCredential, needsRehash, scryptKdf, tokensEqual, type Kdf, type ScryptParams } from './secrets.ts';
import { FREE_GUESSES, SupervisorCredentials } from './supervisor-credentials.ts';

// The policy around supervisor credentials, on a real store, with a KDF that
// records the work asked of it (so "as much work for an unknown name" is a
// fact to check, not a timing to guess at).

let dir: string;
let store: Store;
let calls: ScryptParams[];
let clock: number;
const kdf: Kdf = async (secret, salt, keylen, params) => {
  calls.push(params);
  return scryptKdf(secret, salt, keylen, { N: 1024, r: params.r, p: params.p }); // cheap here; the parameters asked for are what we check
};
let creds: SupervisorCredentials;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-sup-'));
  store = openStore(dir);
  calls = [];
  clock = 1_000_000;
  creds = new SupervisorCredentials(store.supervisors, { kdf, now: () => clock });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('supervisor credentials', () => {
  it('asks the KDF for the same work for an unknown name as for a wrong credential, and answers the same', async () => {
    await creds.set('sam', 'correct horse battery', { kind: 'local-cli', actor: 'test' });
    calls = [];
    const wrong = await creds.check('sam', 'nope', 'operator').catch((e: Error & { code: string }) => e);
    const unknown = await creds.check('nobody', 'nope', 'operator').catch((e: Error & { code: string }) => e);
    expect(calls).toEqual([CURRENT_SCRYPT, CURRENT_SCRYPT]);
    expect([(wrong as { code: string }).code, (unknown as { code: string }).code]).toEqual(['bad-credential', 'bad-credential']);
  });

  it('locks a name after the free guesses, doubles the lock, and a right credential resets it after the lock', async () => {
    await creds.set('sam', 'correct horse battery', { kind: 'local-cli', actor: 'test' });
    for (let i = 0; i < FREE_GUESSES; i++) await expect(creds.check('sam', `guess ${i}`, 'operator')).rejects.toMatchObject({ code: 'bad-credential' });
    await expect(creds.check('sam', 'correct horse battery', 'operator')).rejects.toMatchObject({ code: 'locked-out', status: 429 });
    clock += 30_000;
    await expect(creds.check('sam', 'guess again', 'operator')).rejects.toMatchObject({ code: 'bad-credential' });
    clock += 30_000; // the second lock is 60 s
    await expect(creds.check('sam', 'correct horse battery', 'operator')).rejects.toMatchObject({ code: 'locked-out' });
    clock += 30_000;
    await creds.check('sam', 'correct horse battery', 'operator');
    expect(store.supervisors.guard('sam')).toEqual({ failures: 0, lockedUntil: 0 });
  });

  it('rehashes a credential stored with older parameters on its next successful use', async () => {
    const old = await hashCredential('old but gold!', { N: 2 ** 14, r: 8, p: 1 }, kdf);
    expect(needsRehash(old)).toBe(true);
    store.supervisors.saveHash('old', old);
    await creds.check('old', 'old but gold!', 'operator');
    const now = store.supervisors.hashOf('old')!;
    expect(now).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(needsRehash(now)).toBe(false);
    expect(store.supervisors.audit().map((a) => a.event)).toContain('hash-upgraded');
  });

  it('through the control API: a change needs the old credential, an addition a supervisor', async () => {
    await creds.set('sam', 'correct horse battery', { kind: 'control', actor: 'operator' }); // the first one
    await expect(creds.set('sam', 'new secret 123', { kind: 'control', actor: 'operator' })).rejects.toMatchObject({ code: 'old-credential-required' });
    await expect(creds.set('eve', 'eve secret 123', { kind: 'control', actor: 'operator' })).rejects.toMatchObject({ code: 'approval-required' });
    await expect(creds.set('eve', 'eve secret 123', { kind: 'control', actor: 'operator', approvedBy: { name: 'sam', secret: 'wrong' } })).rejects.toMatchObject({ code: 'bad-credential' });
    expect(await creds.set('sam', 'new secret 123', { kind: 'control', actor: 'operator', oldSecret: 'correct horse battery' })).toBe('changed');
    expect(await creds.set('sam', 'reset locally', { kind: 'local-cli', actor: 'local-cli:root' })).toBe('changed');
  });
});

describe('token comparison', () => {
  it('tells equal tokens from different ones of any length', () => {
    const t = 'x'.repeat(43);
    expect(tokensEqual(t, t)).toBe(true);
    expect(tokensEqual(t, `y${t.slice(1)}`)).toBe(false);
    expect(tokensEqual(t, t.slice(1))).toBe(false);
    expect(tokensEqual('', t)).toBe(false);
  });
});

// Every change and every refusal is written to supervisor_audit (a real store), with who
// asked and why, and a person is told in words what to do next.
describe('supervisor audit and what a person is told', () => {
  const audit = () => store.supervisors.audit().reverse().map((a) => [a.name, a.event, a.actor, a.detail]);

  it('refuses a credential under 8 characters, and takes one of 8', async () => {
    await expect(creds.set('sam', '1234567', { kind: 'local-cli', actor: 'test' })).rejects.toMatchObject({ code: 'weak-credential', message: 'a supervisor credential needs at least 8 characters' });
    expect(store.supervisors.hashOf('sam')).toBeNull();
    expect(await creds.set('sam', '12345678', { kind: 'local-cli', actor: 'test' })).toBe('added');
  });

  it('records additions, changes and refusals with who, and approvals by name', async () => {
    await creds.set('sam', 'correct horse battery', { kind: 'control', actor: 'operator' });
    await expect(creds.set('sam', 'new secret 123', { kind: 'control', actor: 'operator' })).rejects.toMatchObject({
      message: 'changing the credential of supervisor "sam" needs the current one (oldSecret), or `vetting supervisor set` on the bench workstation',
    });
    await expect(creds.set('eve', 'eve secret 123', { kind: 'control', actor: 'operator' })).rejects.toMatchObject({
      message: "adding a supervisor needs an existing supervisor's approval (approvedBy: {name, secret}), or `vetting supervisor add` on the bench workstation",
    });
    expect(await creds.set('eve', 'eve secret 123', { kind: 'control', actor: 'operator', approvedBy: { name: 'sam', secret: 'correct horse battery' } })).toBe('added');
    expect(await creds.set('sam', 'new secret 123', { kind: 'control', actor: 'operator', oldSecret: 'correct horse battery' })).toBe('changed');
    expect(audit()).toEqual([
      ['sam', 'added', 'operator', 'control'],
      ['sam', 'change-refused', 'operator', 'no current credential given'],
      ['eve', 'add-refused', 'operator', 'no supervisor approved it'],
      ['eve', 'added', 'operator (approved by supervisor:sam)', 'control'],
      ['sam', 'credential-changed', 'operator', 'control'],
    ]);
  });

  it('records each wrong guess and each refusal while locked, and says how long the lock lasts', async () => {
    await creds.set('sam', 'correct horse battery', { kind: 'local-cli', actor: 'test' });
    for (let i = 0; i < FREE_GUESSES; i++) await creds.check('sam', `guess ${i}`, 'operator').catch(() => undefined);
    clock += 10_500;
    await expect(creds.check('sam', 'correct horse battery', 'operator')).rejects.toMatchObject({ message: 'too many wrong credentials for supervisor "sam": try again in 20 s' });
    expect(audit().slice(1)).toEqual([
      ['sam', 'wrong-credential', 'operator', '1 wrong in a row'],
      ['sam', 'wrong-credential', 'operator', '2 wrong in a row'],
      ['sam', 'wrong-credential', 'operator', '3 wrong in a row; locked for 30 s'],
      ['sam', 'refused-locked', 'operator', '3 wrong credential(s) so far'],
    ]);
  });

  it('writes the rehash to the audit as the orchestrator\'s', async () => {
    store.supervisors.saveHash('old', await hashCredential('old but gold!', { N: 2 ** 14, r: 8, p: 1 }, kdf));
    await creds.check('old', 'old but gold!', 'operator');
    expect(audit()).toEqual([['old', 'hash-upgraded', 'orchestrator', null]]);
  });
});
