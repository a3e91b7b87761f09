import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../../common/schema/index.ts';
import type { AgentFacing, RunCommands } from '../runs/index.ts';
import type { Logger } from '../util/log.ts';
import type { AgentEndpoint } from './agent-endpoint.ts';
import { agentArtifactNameProblem, agentArtifactPath, allowance, MAX_ARTIFACT_BYTES, quotaMessage } from './artifact-policy.ts';
import { createBenchListener } from './bench-listener.ts';
import type { TlsIdentity } from './tls-identity.ts';

export { MAX_ARTIFACT_BYTES } from './artifact-policy.ts';

/** Extra HTTP handlers mounted on the bench listener (boot files, iPXE scripts). */
export type BenchRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface BenchServerDeps {
  /** Checks the agent token an upload carries. */
  agent: AgentFacing;
  /** Records an uploaded artifact. */
  commands: RunCommands;
  agents: AgentEndpoint;
  /** Artifact rows hold paths relative to this directory. */
  dataDir: string;
  log: Logger;
  routes: BenchRoute[];
  /** The key agents pin; the same port speaks TLS with it. */
  tls: TlsIdentity;
  /** Bytes a run's agent uploads already take, leaving out `except` (the name being replaced). */
  artifactBytes: (runId: number, except: string) => number;
  /** Read when needed, so changed settings apply at once. */
  limits: () => { maxConnectionsPerAddress: number; artifactBytesPerRun: number };
}

/**
 * The listener on the bench network: agent WebSocket (/agent), artifact uploads
 * and whatever boot routes are mounted. It never serves the control API.
 */
export async function startBenchServer(address: string, port: number, deps: BenchServerDeps): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const uploads = new Map<number, number>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, deps, uploads).catch((err) => {
      deps.log.error({ err }, 'bench request failed');
      if (!res.headersSent) text(res, 500, 'internal error (see the orchestrator log)');
      else res.destroy();
    });
  };
  const plain = createServer(onRequest);
  const secure = createTlsServer({ key: deps.tls.key, cert: deps.tls.cert }, onRequest);
  // A hard cap far above the protocol's own limit: frames between the two get a
  // readable "too-large" error from the endpoint instead of a bare close.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES * 4 });
  for (const s of [plain, secure]) {
    s.on('upgrade', (req, socket, head) => {
      if (pathOf(req) !== '/agent') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => deps.agents.accept(ws, req.socket.remoteAddress ?? '?'));
    });
  }
  const front = createBenchListener({
    http: plain,
    https: secure,
    maxConnectionsPerAddress: () => deps.limits().maxConnectionsPerAddress,
    onRefused: (who, open) => deps.log.warn({ remote: who, open }, 'bench connection refused: too many from one address'),
  });
  const server = front.server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    // The plain-HTTP server: its requests and sockets are what tests and callers inspect.
    server: plain,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        plain.closeAllConnections();
        secure.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return null;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: BenchServerDeps, uploads: Map<number, number>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://bench');
  const m = /^\/runs\/(\d+)\/artifacts\/([^/]+)$/.exec(url.pathname);
  if (m && req.method === 'PUT') {
    const name = decodeOrNull(m[2]!);
    if (name === null) return text(res, 400, 'artifact name has a malformed %-escape');
    return uploadArtifact(req, res, deps, uploads, Number(m[1]), name);
  }
  if (url.pathname === '/health') return text(res, 200, 'ok');
  for (const route of deps.routes) if (await route(req, res)) return;
  text(res, 404, `nothing at ${url.pathname} on the bench listener`);
}

function decodeOrNull(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

async function uploadArtifact(req: IncomingMessage, res: ServerResponse, deps: BenchServerDeps, uploads: Map<number, number>, runId: number, name: string): Promise<void> {
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!auth) return text(res, 401, 'artifact uploads need the agent token as "Authorization: Bearer <token>"');
  const who = deps.agent.authenticate(auth[1]!);
  if ('error' in who) return text(res, who.error === 'run-closed' ? 403 : 401, who.message);
  if (who.run.id !== runId) return text(res, 403, `this token belongs to run ${who.run.id}, not run ${runId}`);
  const badName = agentArtifactNameProblem(name);
  if (badName) return text(res, badName.status, badName.message);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_ARTIFACT_BYTES) return text(res, 413, `artifact of ${declared} bytes exceeds the ${MAX_ARTIFACT_BYTES}-byte limit`);
  const perRun = deps.limits().artifactBytesPerRun;
  const used = deps.artifactBytes(runId, name);
  const room = allowance(runId, used, uploads.get(runId) ?? 0, perRun);
  if ('status' in room) return text(res, room.status, room.message);
  if (declared > room.left) return text(res, 413, quotaMessage(runId, used + (uploads.get(runId) ?? 0) + declared, perRun));
  const stageHeader = req.headers['x-vetting-stage'];
  const stage = typeof stageHeader === 'string' && /^[A-Za-z]{1,32}$/.test(stageHeader) ? stageHeader : null;

  const rel = agentArtifactPath(runId, name);
  const final = join(deps.dataDir, rel);
  mkdirSync(dirname(final), { recursive: true });
  const partial = `${final}.${process.pid}.${Date.now()}.upload.tmp`;
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(partial);
  const track = (delta: number) => uploads.set(runId, (uploads.get(runId) ?? 0) + delta);
  try {
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        track(chunk.length);
        if (size > room.left) {
          const message = room.left < MAX_ARTIFACT_BYTES ? quotaMessage(runId, used + size, perRun) : `artifact exceeds the ${MAX_ARTIFACT_BYTES}-byte limit`;
          reject(Object.assign(new Error(message), { status: 413 }));
          req.destroy();
          return;
        }
        hash.update(chunk);
        if (!out.write(chunk)) req.pause(), out.once('drain', () => req.resume());
      });
      req.on('end', () => out.end(resolve));
      req.on('error', reject);
      out.on('error', reject);
    });
  } catch (e) {
    out.destroy();
    rmSync(partial, { force: true });
    return text(res, (e as { status?: number }).status ?? 400, (e as Error).message);
  } finally {
    track(-size);
  }
  renameSync(partial, final);
  const sha256 = hash.digest('hex');
  deps.commands.recordArtifact({ runId, stage, kind: 'tool-output', name, path: rel, size: statSync(final).size, sha256 });
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ name, size, sha256 }));
}

function text(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${body}\n`);
}
