import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

// How the agent knows it talks to the real orchestrator. Anyone on the bench
// network can answer at the orchestrator's address (a rogue DHCP/PXE reply, an
// ARP spoof), so the address proves nothing. The boot arguments carry the
// SHA-256 of the orchestrator's public key (vetting.pin=sha256:<hex>); the agent
// speaks TLS to the same port and goes on only if the peer's certificate holds
// that key. The check runs right after the TLS handshake, before one byte of
// HTTP — so neither the agent token nor anything else is sent to an impostor.
// Without a pin the agent still runs, but refuses destructive stages.

const PIN = /^sha256:[0-9a-f]{64}$/;

/** The pin as given, normalised, or null when it is not one. */
export function parsePin(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const pin = raw.trim().toLowerCase();
  return PIN.test(pin) ? pin : null;
}

/** The pin of a peer: SHA-256 over its certificate's public key (SubjectPublicKeyInfo, DER). */
export function peerPin(socket: TLSSocket): string | null {
  const cert = socket.getPeerX509Certificate?.();
  if (!cert) return null;
  return `sha256:${createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

/** ws://… → wss://…, http://… → https://… on the same host and port (the bench port speaks both). */
export function secureUrl(url: string): string {
  return url.replace(/^ws:/i, 'wss:').replace(/^http:/i, 'https:');
}

export class PinMismatch extends Error {
  override readonly name = 'PinMismatch';
  constructor(
    readonly expected: string,
    readonly got: string | null,
    readonly peer: string,
  ) {
    super(`the server at ${peer} is not the orchestrator this host was booted by: its key is ${got ?? 'missing'}, expected ${expected}`);
  }
}

type ConnectOptions = { host?: string | null; hostname?: string | null; port?: number | string | null; servername?: string };

/**
 * A `createConnection` for http(s).request and ws: opens TLS, checks the pin,
 * and only then hands the socket over (or fails with PinMismatch). The chain
 * is not checked against CAs: the key is the identity, there is no CA.
 */
export function pinnedConnection(pin: string): (opts: ConnectOptions, done: (err: Error | null, socket?: Socket) => void) => undefined {
  return (opts, done) => {
    const host = (opts.hostname ?? opts.host ?? 'localhost').replace(/^\[|\]$/g, '');
    const port = Number(opts.port ?? 443);
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }) });
    const fail = (err: Error) => {
      socket.destroy();
      done(err);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.removeListener('error', fail);
      const got = peerPin(socket);
      if (got !== pin) return fail(new PinMismatch(pin, got, `${host}:${port}`));
      done(null, socket);
    });
    return undefined;
  };
}
