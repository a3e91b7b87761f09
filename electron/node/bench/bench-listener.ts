import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';

// The bench port's front door. One port speaks both plain HTTP (what iPXE and
// the image's init can fetch boot files with) and TLS (what a pinned agent
// talks to): the first byte of a connection tells them apart — 0x16 opens every
// TLS handshake, and no HTTP request starts with it. Every connection counts
// against its address's limit, so one host on the bench network cannot take
// every socket the orchestrator has.

const TLS_HANDSHAKE = 0x16;
/** How long a connection may stay silent before its first byte. */
const FIRST_BYTE_MS = 30_000;

export interface BenchListenerOptions {
  http: HttpServer;
  https: HttpsServer;
  /** Read per connection, so a changed setting applies at once. */
  maxConnectionsPerAddress: () => number;
  onRefused?: (address: string, open: number) => void;
}

export function createBenchListener(opts: BenchListenerOptions): { server: Server; openConnections(address: string): number } {
  const open = new Map<string, number>();
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    const address = normalise(socket.remoteAddress ?? '?');
    const count = (open.get(address) ?? 0) + 1;
    const limit = opts.maxConnectionsPerAddress();
    if (count > limit) {
      opts.onRefused?.(address, count - 1);
      // A readable answer for a person poking with curl; a TLS client just sees the close.
      socket.end(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${address} already has ${count - 1} connection(s) open to the bench listener (limit ${limit}, setting bench.maxConnectionsPerAddress)\n`);
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
    dispatch(socket, opts);
  });
  return { server, openConnections: (address) => open.get(normalise(address)) ?? 0 };
}

function dispatch(socket: Socket, opts: BenchListenerOptions): void {
  socket.setTimeout(FIRST_BYTE_MS, () => socket.destroy());
  socket.once('error', () => socket.destroy());
  socket.once('readable', () => {
    const first = socket.read(1) as Buffer | null;
    socket.setTimeout(0);
    if (!first) {
      socket.destroy();
      return;
    }
    socket.unshift(first);
    const target = first[0] === TLS_HANDSHAKE ? opts.https : opts.http;
    target.emit('connection', socket);
  });
}

function normalise(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
