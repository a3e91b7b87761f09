import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret } from '../auth/secrets.ts';
import { EventBus } from '../events/bus.ts';
import { createLogger } from '../util/log.ts';
import { SESSION_COOKIE, startControlServer } from './control-server.ts';
import { route } from './http-kit.ts';

// The control listener on loopback, in this process, with a real random token: who
// gets in and who does not. (test/integration/security.test.ts asks the same of a real
// `vetting serve`; this one runs where mutation testing can see the comparison.)
// Issue 23: a comparison reduced to "same length" let a made-up token of the right
// length in, because the only wrong token tried was of another length.

const token = newSecret();
let server: Awaited<ReturnType<typeof startControlServer>>;

beforeAll(async () => {
  server = await startControlServer(0, {
    token,
    routes: [route('GET', '/api/hosts', () => ({ hosts: ['pve-node-08'] }))],
    bus: new EventBus(),
    uiDir: null,
    log: createLogger('silent'),
  });
});
afterAll(() => server.close());

/** The token with one character changed: same length, same alphabet, not the token. */
function twinOf(t: string): string {
  const twin = t.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  expect(twin).toHaveLength(t.length);
  expect(twin).not.toBe(t);
  return twin;
}

const hosts = (headers: Record<string, string>) => fetch(`${server.url}/api/hosts`, { headers });
const signIn = (t: string) => fetch(`${server.url}/board?token=${encodeURIComponent(t)}`, { redirect: 'manual' });

describe('control token', () => {
  it('lets the token in as a Bearer header and as the session cookie', async () => {
    const bearer = await hosts({ authorization: `Bearer ${token}` });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toEqual({ hosts: ['pve-node-08'] });
    expect((await hosts({ cookie: `${SESSION_COOKIE}=${token}` })).status).toBe(200);
  });

  it('refuses a wrong token of the right length as a Bearer header and as the cookie', async () => {
    const twin = twinOf(token);
    for (const headers of <Record<string, string>[]>[{ authorization: `Bearer ${twin}` }, { cookie: `${SESSION_COOKIE}=${twin}` }]) {
      const res = await hosts(headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorised' });
    }
  });

  it('refuses no token, an empty one and one of another length', async () => {
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer ' }, { authorization: `Bearer ${token}x` }, { authorization: `Bearer ${token.slice(1)}` }, { cookie: `${SESSION_COOKIE}=` }]) {
      expect((await hosts(headers)).status, JSON.stringify(headers)).toBe(401);
    }
  });

  it('signs in with the token: a session cookie, and the token leaves the address', async () => {
    const res = await signIn(token);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/board');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/);
    const session = cookie.split(';')[0]!;
    expect((await hosts({ cookie: session })).status).toBe(200);
  });

  it('gives no session cookie for a wrong token of the right length', async () => {
    const res = await signIn(twinOf(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toMatch(/not valid for this server/);
  });
});
