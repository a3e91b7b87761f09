import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { UserError, zodIssues, describeIssues } from '../util/errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
}

/** A handler returns JSON to send, or `undefined` when it wrote the response itself. */
export type Handler = (r: RouteRequest) => unknown | Promise<unknown>;

export interface Route {
  method: Method;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** `/api/runs/:id/artifacts/:name` → a matcher with named parameters. */
export function route(method: Method, path: string, handler: Handler): Route {
  const keys: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:([a-zA-Z]+)/g, (_, k: string) => {
      keys.push(k);
      return '([^/]+)';
    })}$`,
  );
  return { method, pattern, keys, handler };
}

export function match(routes: Route[], method: string, pathname: string): { route: Route; params: Record<string, string> } | 'wrong-method' | null {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = decodePart(m[i + 1]!)));
    return { route: r, params };
  }
  return pathMatched ? 'wrong-method' : null;
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UserError(`malformed %-escape in the address: "${part.slice(0, 100)}"`, 'bad-escape', 400);
  }
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return undefined;
  const type = req.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new UserError(`request body exceeds ${MAX_BODY_BYTES} bytes`, 'too-large', 413);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  // Requiring JSON also forces a CORS preflight on any cross-site attempt.
  if (!type.startsWith('application/json')) throw new UserError('request bodies must be JSON (Content-Type: application/json)', 'bad-content-type', 415);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new UserError(`request body is not valid JSON: ${(e as Error).message}`, 'bad-json', 400);
  }
}

/** Validates an API body or query with its schema from common/schema; names every problem. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what = 'request body'): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new UserError(`invalid ${what}: ${describeIssues(issues)}`, 'bad-request', 400, issues);
  }
  return parsed.data;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** Sends JSON already serialised (e.g. kept from an earlier answer). */
export function sendJsonText(res: ServerResponse, status: number, data: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

/**
 * Cookie values as sent, not %-decoded: ours (a base64url token) never needs
 * decoding, and cookies other programs on this host set (cookies ignore ports)
 * must not be able to break a request with a malformed escape.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
