// Hash routes: #/, #/runs/12, #/hosts, #/hosts/NAME, #/parts/KIND/ID[?host=…], #/history?host=…, #/settings.
// Hash routing needs no server support, so the same build works from the
// control server, a file:// load and the Electron window.

export type Route =
  | { name: 'board' }
  | { name: 'run'; id: number }
  | { name: 'hosts'; host: string | null; isNew: boolean }
  /** A part's history; `kind` is checked by the page (this module builds no schema: api/early.ts runs it first). */
  | { name: 'part'; kind: string; id: string; host: string | null }
  | { name: 'history'; query: Record<string, string> }
  | { name: 'settings' }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const parts = pathPart.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(queryPart)) query[k] = v;
  if (parts.length === 0) return { name: 'board' };
  const [head, arg] = parts;
  if (head === 'runs' && arg && parts.length === 2 && /^\d+$/.test(arg)) return { name: 'run', id: Number(arg) };
  if (head === 'hosts' && parts.length <= 2) {
    if (arg === undefined) return { name: 'hosts', host: null, isNew: false };
    if (arg === 'new') return { name: 'hosts', host: null, isNew: true };
    return { name: 'hosts', host: arg, isNew: false };
  }
  if (head === 'parts' && parts.length === 3 && arg && parts[2]) return { name: 'part', kind: arg, id: parts[2], host: query.host ?? null };
  if (head === 'history' && parts.length === 1) return { name: 'history', query };
  if (head === 'settings' && parts.length === 1) return { name: 'settings' };
  return { name: 'not-found', path: raw };
}

export const href = {
  board: () => '#/',
  run: (id: number) => `#/runs/${id}`,
  hosts: () => '#/hosts',
  host: (name: string) => `#/hosts/${encodeURIComponent(name)}`,
  newHost: () => '#/hosts/new',
  /** A part's history page; `host` only for kinds whose ids mean something on one host. */
  part: (kind: string, id: string, host?: string | null) => `#/parts/${encodeURIComponent(kind)}/${encodeURIComponent(id)}${host ? `?host=${encodeURIComponent(host)}` : ''}`,
  history: (query: Record<string, string | undefined> = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    const q = params.toString();
    return q ? `#/history?${q}` : '#/history';
  },
  settings: () => '#/settings',
};
