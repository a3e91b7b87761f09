import type { z } from 'zod';
import { ApiError } from '../../../common/schema/api.ts';
import { takeEarly } from './early.ts';

// One way to talk to the control API: same-origin fetch (the session cookie set
// at sign-in travels with it), JSON in and out, every response checked against
// the shared zod view so a mismatch shows up as a readable message instead of a
// crash deep inside a component.

export interface ApiIssue {
  path: string;
  message: string;
}

/** Any failure of an API call, phrased for a person to read. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    /** HTTP status, or 0 when the server could not be reached at all. */
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** The view the response must match; omitted = the body is returned unchecked. */
  schema?: z.ZodType<T>;
  fetcher?: Fetcher;
  signal?: AbortSignal;
}

/** Turns a non-2xx response into an ApiRequestError with the server's own words when it sent any. */
export async function errorFromResponse(res: Response): Promise<ApiRequestError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // body unreadable: fall through to the status line
  }
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const apiError = ApiError.safeParse(parsed);
  if (apiError.success) {
    return new ApiRequestError(res.status, apiError.data.error, apiError.data.code ?? null, apiError.data.issues ?? []);
  }
  const statusLine = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (res.status === 401) return new ApiRequestError(401, 'Not signed in (401): open the control URL with its ?token= to sign in.');
  const snippet = text.trim().slice(0, 200);
  return new ApiRequestError(res.status, snippet ? `Server answered ${statusLine}: ${snippet}` : `Server answered ${statusLine}`);
}

function describeZodIssues(error: z.ZodError): string {
  const first = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return first.join('; ') + more;
}

export async function apiRequest<T = unknown>(path: string, options: RequestOptions<T> = {}): Promise<T> {
  const fetcher = options.fetcher ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { Accept: 'application/json' };
  // The server takes state-changing requests only as JSON (a cross-site form cannot send that).
  const changes = method !== 'GET';
  if (changes) headers['Content-Type'] = 'application/json';
  // A GET the app made at start-up may have been sent already (early.ts).
  const sent = method === 'GET' && !options.fetcher ? takeEarly(path) : undefined;
  let res: Response;
  try {
    res = await (sent ?? fetcher(path, {
      method,
      headers,
      body: changes ? JSON.stringify(options.body ?? {}) : undefined,
      credentials: 'same-origin',
      signal: options.signal,
    }));
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ApiRequestError(0, `Cannot reach the orchestrator (${method} ${path}): ${reason}`);
  }
  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204) return undefined as T;
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw new ApiRequestError(res.status, `The server's answer to ${method} ${path} is not JSON`);
  }
  if (!options.schema) return data as T;
  const checked = options.schema.safeParse(data);
  if (!checked.success) {
    throw new ApiRequestError(res.status, `Unexpected answer to ${method} ${path}: ${describeZodIssues(checked.error)}`, 'bad-response');
  }
  return checked.data;
}

/** A readable line for any error a query or mutation may throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return 'Something went wrong';
}
