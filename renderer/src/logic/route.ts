// Hash routes: #/, #/runs/12, #/hosts, #/hosts/NAME, #/history?host=…, #/settings.
// Hash routing needs no server support, so the same build works from the
// control server, a file:// load and the Electron window.

export type Route =
  | { name: 'board' }
  | { name: 'run'; id: number }
  | { name: 'hosts'; host: string | null; isNew: boolean }
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
  history: (query: Record<string, string | undefined> = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    const q = params.toString();
    return q ? `#/history?${q}` : '#/history';
  },
  settings: () => '#/settings',
};
