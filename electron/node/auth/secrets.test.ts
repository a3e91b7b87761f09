import { describe, expect, it } from 'vitest';
import { CURRENT_SCRYPT, hashCredential, needsRehash, scryptKdf, verifyCredential, type Kdf, type ScryptParams } from './secrets.ts';

// A stored supervisor hash names its own scrypt parameters, so a corrupted or forged row
// could ask scrypt for gigabytes, or for no work at all. Such a row must be refused before
// any KDF work is done (and rehashed on the next good sign-in). The KDF is the injectable
// one: a recording wrapper around the real scrypt shows whether it was asked, and with what.
function recordingKdf(): { kdf: Kdf; calls: ScryptParams[] } {
  const calls: ScryptParams[] = [];
  return { calls, kdf: (secret, salt, keylen, params) => (calls.push({ ...params }), scryptKdf(secret, salt, keylen, { N: 1024, r: 8, p: 1 })) };
}

const SECRET = 'correct horse battery';
/** A real stored hash (scrypt at N = 1024, quick to verify), then one field of it changed. */
async function stored(): Promise<string> {
  return hashCredential(SECRET, { N: 1024, r: 8, p: 1 });
}
const withField = (hash: string, index: number, value: string) => hash.split('$').map((f, i) => (i === index ? value : f)).join('$');

describe('stored credential hashes', () => {
  it('verifies a real hash with the right secret and refuses a wrong one', async () => {
    const h = await stored();
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyCredential(SECRET, h)).toBe(true);
    expect(await verifyCredential(`${SECRET}!`, h)).toBe(false);
  });

  it('asks the KDF for exactly the work a well-formed hash names, at the edges of what is allowed', async () => {
    const h = await stored();
    for (const [N, r, p] of [
      [2, 1, 1],
      [2 ** 20, 32, 16],
    ] as const) {
      const { kdf, calls } = recordingKdf();
      const edge = withField(withField(withField(h, 1, String(N)), 2, String(r)), 3, String(p));
      expect(await verifyCredential(SECRET, edge, kdf)).toBe(true);
      expect(calls).toEqual([{ N, r, p }]);
    }
  });

  it('takes a stored key of 16 bytes, the shortest allowed', async () => {
    const { kdf, calls } = recordingKdf();
    const short = withField(await stored(), 5, Buffer.alloc(16, 7).toString('base64'));
    expect(await verifyCredential(SECRET, short, kdf)).toBe(false);
    expect(calls).toEqual([{ N: 1024, r: 8, p: 1 }]);
  });

  it('refuses a malformed or out-of-bounds hash without any KDF work, and wants it rehashed', async () => {
    const h = await stored();
    const bad = {
      'five fields': h.split('$').slice(0, 5).join('$'),
      'seven fields': `${h}$x`,
      'another scheme': withField(h, 0, 'bcrypt'),
      'N below 2': withField(h, 1, '1'),
      'N over 2^20': withField(h, 1, String(2 ** 20 + 1)),
      'N not an integer': withField(h, 1, '1024.5'),
      'r below 1': withField(h, 2, '0'),
      'r over 32': withField(h, 2, '33'),
      'r not an integer': withField(h, 2, '8.5'),
      'p below 1': withField(h, 3, '0'),
      'p over 16': withField(h, 3, '17'),
      'p not an integer': withField(h, 3, '1.5'),
      'a key under 16 bytes': withField(h, 5, Buffer.alloc(15).toString('base64')),
    };
    for (const [what, hash] of Object.entries(bad)) {
      const { kdf, calls } = recordingKdf();
      expect(await verifyCredential(SECRET, hash, kdf), what).toBe(false);
      expect(calls, what).toEqual([]);
      expect(needsRehash(hash), what).toBe(true);
    }
  });

  it('wants a hash rehashed when any of its parameters is weaker than today\'s, and not otherwise', async () => {
    const today = await hashCredential(SECRET, CURRENT_SCRYPT, recordingKdf().kdf);
    expect(needsRehash(today)).toBe(false);
    const { N, r } = CURRENT_SCRYPT;
    expect(needsRehash(withField(today, 1, String(N / 2)))).toBe(true);
    expect(needsRehash(withField(today, 2, String(r - 1)))).toBe(true);
    expect(needsRehash(withField(withField(today, 1, String(N * 2)), 3, '2'))).toBe(false);
  });
});
