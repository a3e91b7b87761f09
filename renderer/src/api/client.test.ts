import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiRequestError, apiRequest, type Fetcher } from './client.ts';
import { withQuery } from './paths.ts';

const reply = (status: number, body: string, contentType = 'application/json'): Fetcher => async () =>
  new Response(body, { status, headers: { 'content-type': contentType } });

async function failure(p: Promise<unknown>): Promise<ApiRequestError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiRequestError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('apiRequest', () => {
  it('returns a body that matches the view', async () => {
    const data = await apiRequest('/api/x', { fetcher: reply(200, '{"a":1}'), schema: z.object({ a: z.number() }) });
    expect(data).toEqual({ a: 1 });
  });

  it('sends JSON bodies with the method and same-origin credentials', async () => {
    let seen: RequestInit | undefined;
    const fetcher: Fetcher = async (_url, init) => {
      seen = init;
      return new Response('{}', { status: 200 });
    };
    await apiRequest('/api/runs/1/actions', { method: 'POST', body: { action: 'retry' }, fetcher });
    expect(seen?.method).toBe('POST');
    expect(seen?.body).toBe('{"action":"retry"}');
    expect(seen?.credentials).toBe('same-origin');
    expect((seen?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it("keeps the server's error, code and issues", async () => {
    const err = await failure(
      apiRequest('/api/runs/1/actions', {
        fetcher: reply(409, JSON.stringify({ error: 'cannot retry a run in state Completed', code: 'illegal-action' })),
      }),
    );
    expect(err.status).toBe(409);
    expect(err.code).toBe('illegal-action');
    expect(err.message).toBe('cannot retry a run in state Completed');

    const bad = await failure(apiRequest('/api/hosts', { fetcher: reply(400, JSON.stringify({ error: 'invalid host', issues: [{ path: 'macs.0', message: 'expected a MAC address' }] })) }));
    expect(bad.issues).toEqual([{ path: 'macs.0', message: 'expected a MAC address' }]);
  });

  it('explains a 401 without a JSON body', async () => {
    const err = await failure(apiRequest('/api/board', { fetcher: reply(401, 'nope', 'text/plain') }));
    expect(err.unauthorized).toBe(true);
    expect(err.message).toMatch(/token/);
  });

  it('quotes a non-JSON error body', async () => {
    const err = await failure(apiRequest('/api/board', { fetcher: reply(502, '<h1>Bad gateway</h1>', 'text/html') }));
    expect(err.message).toBe('Server answered 502: <h1>Bad gateway</h1>');
  });

  it('says when the server cannot be reached', async () => {
    const err = await failure(
      apiRequest('/api/board', {
        fetcher: async () => {
          throw new TypeError('Failed to fetch');
        },
      }),
    );
    expect(err.status).toBe(0);
    expect(err.message).toBe('Cannot reach the orchestrator (GET /api/board): Failed to fetch');
  });

  it('names the field of an answer that does not match the view', async () => {
    const err = await failure(apiRequest('/api/x', { fetcher: reply(200, '{"a":"one"}'), schema: z.object({ a: z.number() }) }));
    expect(err.code).toBe('bad-response');
    expect(err.message).toMatch(/^Unexpected answer to GET \/api\/x: a: /);
  });

  it('refuses a 200 that is not JSON', async () => {
    const err = await failure(apiRequest('/api/x', { fetcher: reply(200, 'hello', 'text/plain') }));
    expect(err.message).toMatch(/not JSON/);
  });
});

describe('withQuery', () => {
  it('drops empty values and encodes the rest', () => {
    expect(withQuery('/api/runs', { host: 'a b', serial: '', result: undefined, limit: 50 })).toBe('/api/runs?host=a+b&limit=50');
    expect(withQuery('/api/runs', {})).toBe('/api/runs');
  });
});
