import { createHash, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { CertificateView } from '../../../../common/schema/index.ts';
import { PowerError } from '../driver.ts';

// HTTPS to a BMC whose certificate a person accepted. BMCs ship self-signed
// certificates no CA vouches for, so the bench trusts exactly one: the one whose
// SHA-256 fingerprint (over its DER bytes, as browsers and BMC web pages show it)
// is pinned for the host. The check runs right after the TLS handshake and
// before one byte of HTTP, so the credential never reaches a BMC, or an
// impostor on the bench network, that is not the pinned one.

export interface PeerCertificate extends Omit<CertificateView, 'pinned'> {}

export function fingerprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** "ab:cd:…" in upper case, as BMC web pages and browsers print fingerprints. */
export function displayFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

function describe(socket: TLSSocket): PeerCertificate | null {
  const x = socket.getPeerX509Certificate?.();
  if (!x) return null;
  return describeCertificate(x);
}

export function describeCertificate(x: X509Certificate): PeerCertificate {
  return { sha256: fingerprintOf(x.raw), subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '), validFrom: x.validFrom, validTo: x.validTo };
}

interface Endpoint {
  host: string;
  port: number;
}

const where = (e: Endpoint) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;

function connectTls(e: Endpoint, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // No CA check (there is no CA); the pin is the check. SNI only for names.
    const socket = tlsConnect({ host: e.host, port: e.port, rejectUnauthorized: false, ...(/^[\d.:]+$/.test(e.host) ? {} : { servername: e.host }) });
    const timer = setTimeout(() => fail(new PowerError('bmc-unreachable', `no TLS answer from ${where(e)} within ${timeoutMs / 1000} s`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err instanceof PowerError ? err : new PowerError('bmc-unreachable', `cannot connect to ${where(e)}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeListener('error', fail);
      resolve(socket);
    });
  });
}

/** The certificate a BMC presents, read without sending it anything: what a person is shown before trusting it. */
export async function probeCertificate(e: Endpoint, timeoutMs = 10_000): Promise<PeerCertificate> {
  const socket = await connectTls(e, timeoutMs);
  try {
    const cert = describe(socket);
    if (!cert) throw new PowerError('bmc-bad-answer', `${where(e)} presented no certificate`);
    return cert;
  } finally {
    socket.destroy();
  }
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or null when the body was empty or not JSON. */
  json: unknown;
  text: string;
}

/**
 * One HTTPS request to the pinned BMC: TLS first, fingerprint checked, then the
 * request on that very socket. Without a pin nothing is sent: the answer is a
 * PowerError carrying the certificate for a person to look at.
 */
export async function pinnedRequest(
  e: Endpoint,
  pin: string | null,
  req: { method: string; path: string; headers?: Record<string, string>; body?: unknown },
  timeoutMs = 30_000,
): Promise<JsonResponse> {
  const socket = await connectTls(e, timeoutMs);
  const cert = describe(socket);
  if (!cert) {
    socket.destroy();
    throw new PowerError('bmc-bad-answer', `${where(e)} presented no certificate`);
  }
  if (pin === null) {
    socket.destroy();
    throw new PowerError('bmc-certificate-untrusted', `${where(e)} presents a certificate with SHA-256 fingerprint ${displayFingerprint(cert.sha256)}; compare it with the one the BMC's own web page or console shows, then trust it`, { certificate: cert });
  }
  if (cert.sha256 !== pin) {
    socket.destroy();
    throw new PowerError(
      'bmc-certificate-changed',
      `${where(e)} presents a certificate with fingerprint ${displayFingerprint(cert.sha256)}, not the trusted ${displayFingerprint(pin)}; nothing was sent. If the BMC's certificate was renewed, check the new one and trust it again`,
      { certificate: cert },
    );
  }
  const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise<JsonResponse>((resolve, reject) => {
    const r = request(
      {
        host: e.host,
        port: e.port,
        method: req.method,
        path: req.path,
        // The socket is already connected and checked: the request goes on it, nowhere else (no agent, no pool).
        createConnection: () => socket,
        headers: { accept: 'application/json', connection: 'close', ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}), ...req.headers },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          // A BMC's answers are small; a flood is not an answer.
          if (size > 4 * 1024 * 1024) {
            res.destroy(new PowerError('bmc-bad-answer', `${where(e)} sent more than 4 MiB for ${req.method} ${req.path}`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
        });
      },
    );
    r.on('timeout', () => r.destroy(new PowerError('bmc-unreachable', `${where(e)} did not answer ${req.method} ${req.path} within ${timeoutMs / 1000} s`)));
    r.on('error', (err) => reject(err instanceof PowerError ? err : new PowerError('bmc-unreachable', `${req.method} ${req.path} to ${where(e)} failed: ${err.message}`)));
    r.end(body);
  });
}
