import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { tokensEqual } from '../auth/secrets.ts';
import type { EventBus } from '../events/bus.ts';
import { UserError } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { match, parseCookies, readJsonBody, sendJson, type Route } from './http-kit.ts';
import { guardControlRequest } from './request-guard.ts';

export const SESSION_COOKIE = 'vetting_session';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// The UI is served from our own origin only; reports are static HTML with inline CSS/SVG.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface ControlServerDeps {
  token: string;
  routes: Route[];
  bus: EventBus;
  uiDir: string | null;
  log: Logger;
}

/**
 * The control listener: loopback only, every /api request needs the control
 * token (cookie set by `/?token=…`, or a Bearer header); serves the built UI.
 */
export async function startControlServer(port: number, deps: ControlServerDeps): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const sse = new Set<ServerResponse>();
  const unsubscribe = deps.bus.subscribe((event) => {
    if (event.type === 'directive-changed') return;
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of sse) res.write(frame);
  });
  const keepAlive = setInterval(() => {
    for (const res of sse) res.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  let listening = 0;
  const server = createServer((req, res) => {
    handle(req, res, deps, sse, listening).catch((err) => {
      if (err instanceof UserError) return sendJson(res, err.status, { error: err.message, code: err.code, ...(err.issues ? { issues: err.issues } : {}) });
      deps.log.error({ err, url: req.url }, 'control request failed');
      // The cause goes to the log, not to whoever sent the request.
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; the orchestrator log has the details', code: 'internal' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    // Loopback only: a machine on the bench network must never reach this API.
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  const actual = (server.address() as AddressInfo).port;
  listening = actual;
  return {
    server,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((done) => {
        unsubscribe();
        clearInterval(keepAlive);
        for (const res of sse) res.end();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function authorised(req: IncomingMessage, token: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  return (bearer !== undefined && tokensEqual(bearer, token)) || (cookie !== undefined && tokensEqual(cookie, token));
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ControlServerDeps, sse: Set<ServerResponse>, port: number): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const method = req.method ?? 'GET';

  if (url.pathname.startsWith('/api/')) {
    guardControlRequest(req, port);
    if (!authorised(req, deps.token)) {
      return sendJson(res, 401, { error: 'the control API needs the control token: open the URL printed by `vetting serve` (with ?token=…) or send "Authorization: Bearer <token>"', code: 'unauthorised' });
    }
    if (url.pathname === '/api/events' && method === 'GET') return openEventStream(req, res, sse);
    const found = match(deps.routes, method, url.pathname);
    if (found === null) throw new UserError(`no API endpoint ${method} ${url.pathname}`, 'not-found', 404);
    if (found === 'wrong-method') throw new UserError(`${method} is not allowed on ${url.pathname}`, 'method-not-allowed', 405);
    const body = await readJsonBody(req);
    const result = await found.route.handler({ params: found.params, query: url.searchParams, body, req, res });
    if (result !== undefined && !res.headersSent) sendJson(res, 200, result);
    return;
  }

  // Signing in: `/?token=…` becomes an HttpOnly cookie and the token leaves the address bar.
  const given = url.searchParams.get('token');
  if (given !== null) {
    if (!tokensEqual(given, deps.token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('That control token is not valid for this server. Use the URL `vetting serve` printed.\n');
      return;
    }
    url.searchParams.delete('token');
    res.writeHead(302, {
      'set-cookie': `${SESSION_COOKIE}=${encodeURIComponent(deps.token)}; HttpOnly; SameSite=Strict; Path=/`,
      location: `${url.pathname}${url.search}${url.hash}`,
      'cache-control': 'no-store',
    });
    res.end();
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: `${method} is not allowed here` });
  serveUi(res, deps.uiDir, url.pathname, method === 'HEAD');
}

function openEventStream(req: IncomingMessage, res: ServerResponse, sse: Set<ServerResponse>) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n: connected\n\n');
  sse.add(res);
  req.on('close', () => sse.delete(res));
}

function serveUi(res: ServerResponse, uiDir: string | null, pathname: string, headOnly: boolean) {
  if (!uiDir || !existsSync(join(uiDir, 'index.html'))) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('The bench UI is not built. Run `npm run build` (or `npm start`, which builds it) and reload.\n');
    return;
  }
  const root = resolve(uiDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('malformed %-escape in the address\n');
    return;
  }
  let file = resolve(join(root, normalize(decoded)));
  if (!file.startsWith(root + sep) && file !== root) file = join(root, 'index.html');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html'); // hash routes all land on the app
  const headers: Record<string, string | number> = {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'x-content-type-options': 'nosniff',
    'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (file.endsWith('.html')) headers['content-security-policy'] = CSP;
  res.writeHead(200, headers);
  if (headOnly) res.end();
  else createReadStream(file).pipe(res);
}
