import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../common/schema/api.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { openStore, type Store } from '../store/index.ts';
import { backoffMs, createNotifier, DEFAULT_RETRY, NotificationChannel, readChannels, redactChannel, renderNotification, writeChannels, type FetchLike } from './index.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
const stores: Store[] = [];
/** A new store for the code under test, and a bare connection to it for the test's own rows and checks. */
function fresh(): { store: Store; db: Db } {
  const dir = mkdtempSync(join(tmpdir(), 'vetting-notify-'));
  dirs.push(dir);
  const store = openStore(dir);
  stores.push(store);
  const db = openDatabase(dir);
  dbs.push(db);
  return { store, db };
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const store of stores.splice(0)) store.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fetch stand-in that answers from a script of statuses ('refused' throws like a closed port). */
function scriptedFetch(script: (number | 'refused')[]): { fetchImpl: FetchLike; calls: { url: string; body: string; headers: Record<string, string> }[] } {
  const calls: { url: string; body: string; headers: Record<string, string> }[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push({ url, body: init.body, headers: init.headers });
    const next = script.shift() ?? 200;
    if (next === 'refused') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    return { ok: next >= 200 && next < 300, status: next, statusText: '' };
  };
  return { fetchImpl, calls };
}

describe('channel settings', () => {
  it('accepts each channel type and fills defaults', () => {
    const c = NotificationChannel.parse({ id: 'ops', type: 'email', name: 'Ops mail', smtp: { host: 'mail.bench.example', from: 'vetting@bench.example', to: ['ops@bench.example'] } });
    expect(c).toMatchObject({ enabled: true, events: ['SpecMismatch', 'StageFailed', 'UnexpectedData', 'AgentLost', 'RunCompleted', 'ServiceDown'], smtp: { port: 587, secure: false } });
    expect(NotificationChannel.parse({ id: 'd', type: 'desktop', name: 'Desk', events: ['AgentLost'] }).events).toEqual(['AgentLost']);
  });

  it('rejects bad entries with messages naming the problem, keeping the good ones', () => {
    const { store, db } = fresh();
    db.prepare("INSERT INTO settings (key, value_json) VALUES ('notifications', ?)").run(
      JSON.stringify([
        { id: 'ok', type: 'slack', name: 'Slack', url: 'https://hooks.example/x' },
        { id: 'bad url', type: 'webhook', name: 'W', url: 'ftp://x' },
        { id: 'ev', type: 'desktop', name: 'D', events: ['Nope'] },
        { id: 'ok', type: 'desktop', name: 'dup' },
      ]),
    );
    const { channels, errors } = readChannels(store);
    expect(channels.map((c) => c.id)).toEqual(['ok']);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/channel 1: .*id: 1–64 letters.*url must be an http\(s\) URL/);
    expect(errors[1]).toMatch(/channel 2: events\.0/);
    expect(errors[2]).toBe('channel 3: duplicate id ok');
  });

  it('writeChannels validates, refuses duplicates, and redactChannel masks secrets', () => {
    const { store } = fresh();
    expect(() => writeChannels(store, [{ id: 'a', type: 'desktop', name: 'A' }, { id: 'a', type: 'desktop', name: 'B' }])).toThrow(/duplicate channel id a/);
    const [w] = writeChannels(store, [{ id: 'w', type: 'webhook', name: 'W', url: 'http://127.0.0.1:9/x', secret: 's3cret' }]);
    expect(redactChannel(w as NotificationChannel)).toMatchObject({ secret: '********' });
    expect(readChannels(store).channels).toHaveLength(1);
  });

  it('settings that are not JSON are reported, not thrown', () => {
    const { store, db } = fresh();
    db.prepare("INSERT INTO settings (key, value_json) VALUES ('notifications', '{oops')").run();
    expect(readChannels(store).errors[0]).toMatch(/not valid JSON/);
  });
});

describe('registry', () => {
  it('renders titles and bodies from the event context', () => {
    const p = renderNotification('StageFailed', { runId: 12, host: 'pve-3', data: { stage: 'SMART', message: 'sda overall-health FAILED' } }, '2026-11-27T00:00:00.000Z');
    expect(p.title).toBe('SMART failed on pve-3 (run #12)');
    expect(p.body).toContain('sda overall-health FAILED');
    expect(renderNotification('ServiceDown', { data: { service: 'dnsmasq', error: 'exit 2' } }, 'x').title).toBe('Bench service dnsmasq is down');
    expect(renderNotification('RunCompleted', { host: 'h', title: 'custom' }, 'x').title).toBe('custom');
  });

  it('cuts an over-long caller title or body instead of dropping the notification', async () => {
    const { store } = fresh();
    writeChannels(store, [{ id: 'desk', type: 'desktop', name: 'Desktop' }]);
    const published: LiveEvent[] = [];
    const n = createNotifier({ store, publish: (e) => published.push(e) });
    expect(n.emit({ type: 'UnexpectedData', runId: 1, host: 'h', title: 't'.repeat(1000), body: 'b'.repeat(10_000), data: { hits: [{ disk: 'WD-A1' }] } })).toHaveLength(1);
    await n.flush();
    const e = published[0] as Extract<LiveEvent, { type: 'notification' }>;
    expect(e.title).toHaveLength(300);
    expect(e.body).toHaveLength(4000);
    expect(e.body.endsWith('…')).toBe(true);
  });
});

describe('notifier', () => {
  it('queues one row per enabled, subscribed channel and publishes desktop notifications', async () => {
    const { store, db } = fresh();
    writeChannels(store, [
      { id: 'desk', type: 'desktop', name: 'Desktop' },
      { id: 'lost-only', type: 'desktop', name: 'Only lost agents', events: ['AgentLost'] },
      { id: 'off', type: 'desktop', name: 'Off', enabled: false },
    ]);
    const published: LiveEvent[] = [];
    const n = createNotifier({ store, publish: (e) => published.push(e) });
    const ids = n.emit({ type: 'RunCompleted', runId: 4, host: 'pve-4', data: { verdict: 'PASS' } });
    expect(ids).toHaveLength(1);
    expect(db.prepare("SELECT channel_id, status FROM notification_outbox").all()).toEqual([{ channel_id: 'desk', status: 'pending' }]);
    await n.flush();
    expect(published).toEqual([{ type: 'notification', event: 'RunCompleted', title: 'pve-4 finished (run #4): PASS', body: expect.stringContaining('pve-4'), runId: 4 }]);
    const s = n.status();
    expect(s.channels.find((c) => c.id === 'desk')).toMatchObject({ lastStatus: 'ok', lastEvent: 'RunCompleted', pending: 0, failed: 0 });
    expect(s.channels.find((c) => c.id === 'lost-only')).toMatchObject({ lastStatus: null });
  });

  it('bad input and broken publishers never throw into the caller', async () => {
    const { store } = fresh();
    writeChannels(store, [{ id: 'desk', type: 'desktop', name: 'Desktop' }]);
    const lines: string[] = [];
    const n = createNotifier({ store, publish: () => { throw new Error('window closed'); }, log: (l) => lines.push(l) });
    expect(n.emit({ type: 'Bogus' } as never)).toEqual([]);
    expect(lines[0]).toMatch(/notification refused: type/);
    n.emit({ type: 'AgentLost', runId: 1, host: 'h' });
    await expect(n.flush()).resolves.toBeUndefined();
    expect(n.status().channels[0]).toMatchObject({ lastStatus: 'error', lastError: 'window closed', pending: 1 });
  });

  it('retries with exponential backoff persisted in the row, then gives up after maxAttempts', async () => {
    const { store, db } = fresh();
    writeChannels(store, [{ id: 'hook', type: 'webhook', name: 'Hook', url: 'http://127.0.0.1:9/hook' }]);
    let t = 1_000_000;
    const { fetchImpl, calls } = scriptedFetch(['refused', 503, 'refused', 'refused']);
    const n = createNotifier({ store, publish: () => {}, fetchImpl, now: () => t, retry: { baseMs: 1000, maxMs: 4000, maxAttempts: 4 } });
    n.emit({ type: 'SpecMismatch', runId: 2, host: 'h' });
    const row = () => db.prepare('SELECT status, attempts, next_attempt_at_ms AS next, last_error AS err FROM notification_outbox').get() as { status: string; attempts: number; next: number; err: string };
    await n.flush();
    expect(row()).toMatchObject({ status: 'pending', attempts: 1, next: t + 1000, err: 'POST http://127.0.0.1:9 failed: ECONNREFUSED' });
    await n.flush(); // not due yet: nothing is sent
    expect(calls).toHaveLength(1);
    t += 1000;
    await n.flush();
    expect(row()).toMatchObject({ attempts: 2, next: t + 2000, err: 'POST http://127.0.0.1:9 answered HTTP 503' });
    t += 2000;
    await n.flush();
    expect(row()).toMatchObject({ attempts: 3, next: t + 4000 });
    t += 4000;
    await n.flush();
    expect(row()).toMatchObject({ status: 'failed', attempts: 4 });
    expect(n.status().channels[0]).toMatchObject({ lastStatus: 'error', pending: 0, failed: 1 });
    expect(backoffMs(30, DEFAULT_RETRY)).toBe(DEFAULT_RETRY.maxMs);
  });

  it('sendTest reports success or the error, and unknown channels clearly', async () => {
    const { store } = fresh();
    writeChannels(store, [{ id: 'hook', type: 'webhook', name: 'Hook', url: 'http://127.0.0.1:9/hook' }]);
    const { fetchImpl } = scriptedFetch([500, 204]);
    const n = createNotifier({ store, publish: () => {}, fetchImpl });
    expect(await n.sendTest('hook')).toEqual({ ok: false, error: 'POST http://127.0.0.1:9 answered HTTP 500' });
    expect(await n.sendTest('hook')).toEqual({ ok: true, error: null });
    expect(await n.sendTest('nope')).toEqual({ ok: false, error: 'no channel with id nope' });
    expect(n.status().channels[0]).toMatchObject({ lastStatus: 'ok', lastEvent: 'Test' });
  });

  it('a row whose channel was removed is given up with a reason', async () => {
    const { store, db } = fresh();
    writeChannels(store, [{ id: 'desk', type: 'desktop', name: 'Desktop' }]);
    const n = createNotifier({ store, publish: () => {} });
    n.emit({ type: 'AgentLost' });
    writeChannels(store, []);
    await n.flush();
    expect(db.prepare('SELECT status, last_error AS e FROM notification_outbox').get()).toEqual({ status: 'failed', e: 'channel desk is no longer configured' });
  });
});
