import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { preloadRunPage } from '../views/RunDetail.tsx';
import { firstRequests, sendEarly, takeEarly } from './early.ts';
import { CHART_POINTS, paths } from './paths.ts';

afterEach(() => vi.unstubAllGlobals());

describe('early requests', () => {
  it("name a run page's session, run, board and both charts; a board's session and board; any other page's session", () => {
    expect(firstRequests('#/runs/7')).toEqual([
      '/api/session',
      '/api/runs/7',
      '/api/board',
      paths.measurements(7, { kind: 'thermal', points: CHART_POINTS }),
      paths.measurements(7, { kind: 'psu', points: CHART_POINTS }),
    ]);
    expect(paths.measurements(7, { kind: 'thermal', points: CHART_POINTS })).toBe('/api/runs/7/measurements?kind=thermal&points=400');
    expect(firstRequests('#/')).toEqual(['/api/session', '/api/board']);
    expect(firstRequests('#/settings')).toEqual(['/api/session']);
    expect(firstRequests('#/runs/not-a-number')).toEqual(['/api/session']);
  });

  it("are the run page's own first requests (early.ts cannot import the page: it must not build the schemas)", async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', (path: string) => {
      asked.push(path);
      return Promise.resolve(new Response('{}', { status: 500 }));
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    preloadRunPage(client, 7);
    await vi.waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(4));
    client.clear();
    expect(['/api/session', ...asked].sort()).toEqual(firstRequests('#/runs/7').sort());
  });

  it('hand each answer over once, and not once it is stale', async () => {
    const sent: string[] = [];
    const fetcher = (path: string) => {
      sent.push(path);
      return Promise.resolve(new Response(JSON.stringify({ path })));
    };
    sendEarly(['/api/a', '/api/b'], fetcher, 1_000);
    expect(sent).toEqual(['/api/a', '/api/b']);
    const a = takeEarly('/api/a', 1_500);
    expect(await (await a!).json()).toEqual({ path: '/api/a' });
    expect(takeEarly('/api/a', 1_600)).toBeUndefined(); // taken already: the app fetches it anew
    expect(takeEarly('/api/b', 1_000 + 5_001)).toBeUndefined(); // too old to trust
    expect(takeEarly('/api/never', 1_500)).toBeUndefined();
  });

  it('keep a failed early request from surfacing as an unhandled rejection, and report it to the taker', async () => {
    sendEarly(['/api/down'], () => Promise.reject(new TypeError('network down')), 0);
    await new Promise((r) => setTimeout(r, 0));
    await expect(takeEarly('/api/down', 10)!).rejects.toThrow('network down');
  });
});
