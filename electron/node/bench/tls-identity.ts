import 'reflect-metadata'; // @peculiar/x509 needs it loaded first
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

// The orchestrator's key on the bench network. Agents cannot trust an address
// (anyone on the bench segment can answer at it), so the boot arguments carry
// the SHA-256 of this key's public half and the agent talks TLS to whoever
// proves it holds the key. Made once per data directory and kept (the key file
// readable by the app's user only), so hosts booted before a restart still
// recognise their orchestrator.

export interface TlsIdentity {
  key: string;
  cert: string;
  /** "sha256:<hex>" of the public key (SubjectPublicKeyInfo, DER): what agents pin. */
  pin: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export function pinOf(cert: X509Certificate | string): string {
  const c = typeof cert === 'string' ? new X509Certificate(cert) : cert;
  return `sha256:${createHash('sha256').update(c.publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

/** Loads `<dataDir>/tls/{key,cert}.pem`, making them the first time. */
export async function loadOrCreateTlsIdentity(dataDir: string): Promise<TlsIdentity> {
  const dir = join(dataDir, 'tls');
  const keyFile = join(dir, 'bench-key.pem');
  const certFile = join(dir, 'bench-cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    const key = readFileSync(keyFile, 'utf8');
    const cert = readFileSync(certFile, 'utf8');
    createPrivateKey(key); // a damaged key fails here, naming the file
    return { key, cert, pin: pinOf(cert) };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = await createSelfSigned();
  // Key first, each written whole then renamed: a crash never leaves a cert without its key.
  for (const [file, text, mode] of [[keyFile, made.key, 0o600], [certFile, made.cert, 0o644]] as const) {
    writeFileSync(`${file}.tmp`, text, { mode });
    chmodSync(`${file}.tmp`, mode);
    renameSync(`${file}.tmp`, file);
  }
  return made;
}

/** A self-signed P-256 certificate; its only job is to carry the pinned key. */
export async function createSelfSigned(commonName = 'vetting orchestrator'): Promise<TlsIdentity> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 86_400_000),
    // Pinned by key, not by a CA: expiry would only strand hosts mid-run.
    notAfter: new Date(now + 100 * 365 * 86_400_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: ALG,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  const pem = cert.toString('pem');
  return { key, cert: pem.endsWith('\n') ? pem : `${pem}\n`, pin: pinOf(pem) };
}
