import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../../common/schema/index.ts';
import type { AgentFacing, RunCommands } from '../runs/index.ts';
import type { Logger } from '../util/log.ts';
import type { AgentEndpoint } from './agent-endpoint.ts';

export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

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
}

/**
 * The listener on the bench network: agent WebSocket (/agent), artifact uploads
 * and whatever boot routes are mounted. It never serves the control API.
 */
export async function startBenchServer(address: string, port: number, deps: BenchServerDeps): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res, deps).catch((err) => {
      deps.log.error({ err }, 'bench request failed');
      if (!res.headersSent) text(res, 500, `internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  // A hard cap far above the protocol's own limit: frames between the two get a
  // readable "too-large" error from the endpoint instead of a bare close.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES * 4 });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/agent') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => deps.agents.accept(ws, req.socket.remoteAddress ?? '?'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    server,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: BenchServerDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://bench');
  const m = /^\/runs\/(\d+)\/artifacts\/([^/]+)$/.exec(url.pathname);
  if (m && req.method === 'PUT') return uploadArtifact(req, res, deps, Number(m[1]), decodeURIComponent(m[2]!));
  if (url.pathname === '/health') return text(res, 200, 'ok');
  for (const route of deps.routes) if (await route(req, res)) return;
  text(res, 404, `nothing at ${url.pathname} on the bench listener`);
}

async function uploadArtifact(req: IncomingMessage, res: ServerResponse, deps: BenchServerDeps, runId: number, name: string): Promise<void> {
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!auth) return text(res, 401, 'artifact uploads need the agent token as "Authorization: Bearer <token>"');
  const who = deps.agent.authenticate(auth[1]!);
  if ('error' in who) return text(res, 401, who.message);
  if (who.run.id !== runId) return text(res, 403, `this token belongs to run ${who.run.id}, not run ${runId}`);
  if (!ARTIFACT_NAME.test(name) || name.includes('..')) return text(res, 400, `artifact name "${name}" is not allowed: use letters, digits, ".", "_" and "-" (at most 128)`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_ARTIFACT_BYTES) return text(res, 413, `artifact of ${declared} bytes exceeds the ${MAX_ARTIFACT_BYTES}-byte limit`);
  const stageHeader = req.headers['x-vetting-stage'];
  const stage = typeof stageHeader === 'string' && /^[A-Za-z]{1,32}$/.test(stageHeader) ? stageHeader : null;

  const rel = join('artifacts', `run-${runId}`);
  const dir = join(deps.dataDir, rel);
  mkdirSync(dir, { recursive: true });
  const final = join(dir, name);
  const partial = `${final}.${process.pid}.${Date.now()}.upload.tmp`;
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(partial);
  try {
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ARTIFACT_BYTES) {
          reject(Object.assign(new Error(`artifact exceeds the ${MAX_ARTIFACT_BYTES}-byte limit`), { status: 413 }));
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
  }
  renameSync(partial, final);
  const sha256 = hash.digest('hex');
  deps.commands.recordArtifact({ runId, stage, kind: 'tool-output', name, path: join(rel, name), size: statSync(final).size, sha256 });
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ name, size, sha256 }));
}

function text(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${body}\n`);
}
