import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

type ScryptOptions = { N: number; r: number; p: number; maxmem: number };
const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: ScryptOptions) => Promise<Buffer>;

/** A random secret for tokens: 32 bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Hash for high-entropy machine secrets (agent and control tokens). They are
 * 256-bit random values, so a fast hash is enough to keep them unusable if the
 * database leaks; lookups by hash stay indexable.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Constant-time comparison of two secrets. Both sides are hashed first, so the
 * comparison neither leaks the expected length nor needs equal lengths.
 */
export function tokensEqual(a: string, b: string): boolean {
  const ah = createHash('sha256').update(a, 'utf8').digest();
  const bh = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ah, bh);
}

// Supervisor credentials are chosen by people, so they get a slow, salted KDF:
// scrypt at OWASP's current recommendation (N = 2^17, r = 8, p = 1; 128 MiB).
// Each stored hash names its own parameters, so hashes made with weaker ones
// (N = 2^14 before) still verify and are rehashed on their next successful use.
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}
export const CURRENT_SCRYPT: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;
/** Memory scrypt may use: 128·N·r bytes plus headroom (Node's default cap is 32 MiB). */
const maxmem = (p: ScryptParams) => 128 * p.N * p.r * 2;

/** The KDF, injectable so tests can see how much work a verification does. */
export type Kdf = (secret: string, salt: Buffer, keylen: number, params: ScryptParams) => Promise<Buffer>;
export const scryptKdf: Kdf = (secret, salt, keylen, params) => scrypt(secret, salt, keylen, { ...params, maxmem: maxmem(params) });

export async function hashCredential(secret: string, params: ScryptParams = CURRENT_SCRYPT, kdf: Kdf = scryptKdf): Promise<string> {
  const salt = randomBytes(16);
  const key = await kdf(secret, salt, KEYLEN, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a corrupted row from asking scrypt for gigabytes.
  if (![params.N, params.r, params.p].every(Number.isInteger) || params.N < 2 || params.N > 2 ** 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) return null;
  const key = Buffer.from(keyB64, 'base64');
  if (key.length < 16) return null;
  return { params, salt: Buffer.from(saltB64, 'base64'), key };
}

/** Whether a stored hash was made with weaker parameters than today's. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const { N, r, p } = parsed.params;
  return N < CURRENT_SCRYPT.N || r < CURRENT_SCRYPT.r || p < CURRENT_SCRYPT.p;
}

export async function verifyCredential(secret: string, stored: string, kdf: Kdf = scryptKdf): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await kdf(secret, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/**
 * Does the work of a verification against a hash nobody knows the secret of,
 * at today's parameters: a name that is not a supervisor then costs as much
 * time as a wrong secret for one that is, so timing does not reveal names.
 */
export async function verifyAgainstNothing(secret: string, kdf: Kdf = scryptKdf): Promise<false> {
  await kdf(secret, randomBytes(16), KEYLEN, CURRENT_SCRYPT);
  return false;
}
