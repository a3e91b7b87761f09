import type { IncomingMessage } from 'node:http';
import { UserError } from '../util/errors.ts';

// Checks on every control-API request before any handler runs. The session
// cookie is SameSite=Strict, but "same site" ignores the port: any page served
// from another port on this machine is same-site with the bench UI, and the
// browser would send it the cookie. So:
//  - Host must name this listener (a DNS-rebinding page reaches us under its
//    own host name);
//  - a state-changing request must come from our own origin (Origin, and
//    Sec-Fetch-Site where the browser sends it) and carry a JSON body type, which a
//    cross-origin page can only send after a CORS preflight we never approve.

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/** Throws a UserError naming the problem; returns quietly for a request that may proceed. */
export function guardControlRequest(req: IncomingMessage, port: number): void {
  const hosts = allowedHosts(port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) throw new UserError(`the control API answers only to 127.0.0.1:${port} or localhost:${port}, not to Host "${host.slice(0, 100)}"`, 'bad-host', 421);
  if (!STATE_CHANGING.has(req.method ?? 'GET')) return;
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.has(originHost(origin))) {
    throw new UserError(`requests that change something must come from the bench UI itself, not from ${origin.slice(0, 100)}`, 'bad-origin', 403);
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new UserError(`requests that change something must come from the bench UI itself (Sec-Fetch-Site: ${String(site).slice(0, 40)})`, 'bad-origin', 403);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new UserError('requests that change something must send a JSON body (Content-Type: application/json; "{}" when there is nothing to say)', 'bad-content-type', 415);
  }
}

function originHost(origin: string): string {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' ? u.host.toLowerCase() : '';
  } catch {
    return ''; // "null" and other opaque origins
  }
}
