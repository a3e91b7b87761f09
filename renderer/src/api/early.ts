import { parseRoute } from '../logic/route.ts';
import { CHART_POINTS, paths } from './paths.ts';

// Opened on an address, the app's first requests go out as soon as this module
// runs — main.tsx imports it first — instead of after the whole bundle has been
// evaluated (tens of milliseconds, most of it building the shared schemas). The
// server answers meanwhile; apiRequest takes each answer from here the first
// time the app asks for its path.

/** An answer not asked for by then is left alone: it would be stale. */
const KEEP_MS = 5_000;

const early = new Map<string, { at: number; response: Promise<Response> }>();

/** What the page at `hash` asks for first: the session, and a run page's run, board and charts. */
export function firstRequests(hash: string): string[] {
  const route = parseRoute(hash);
  const out = [paths.session];
  if (route.name === 'board') out.push(paths.board);
  if (route.name === 'run') {
    out.push(paths.run(route.id), paths.board);
    for (const kind of ['thermal', 'psu'] as const) out.push(paths.measurements(route.id, { kind, points: CHART_POINTS }));
  }
  return out;
}

/** Sends a GET for each path now, to be taken by the app's own request for it. */
export function sendEarly(list: readonly string[], fetcher: (path: string, init: RequestInit) => Promise<Response> = (p, init) => fetch(p, init), now = performance.now()): void {
  for (const path of list) {
    const response = fetcher(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    response.catch(() => undefined); // a failure is reported to whoever takes it, not as an unhandled rejection
    early.set(path, { at: now, response });
  }
}

/** The early answer for `path`, once; undefined when there is none (or it is too old). */
export function takeEarly(path: string, now = performance.now()): Promise<Response> | undefined {
  const e = early.get(path);
  if (!e) return undefined;
  early.delete(path);
  return now - e.at <= KEEP_MS ? e.response : undefined;
}

if (typeof window !== 'undefined' && typeof fetch === 'function') sendEarly(firstRequests(window.location.hash));
