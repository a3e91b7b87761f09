import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../common/schema/api.ts';
import { createNotifier, writeChannels, type Notifier } from '../../electron/node/notify/index.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { openStore, type Store } from '../../electron/node/store/index.ts';

// Real deliveries on loopback: an HTTP receiver that checks the HMAC signature,
// a receiver that is down at first (and a notifier restarted on the same
// database in between), and a real SMTP server (the smtp-server package).

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vetting-notify-it-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startReceiver(port = 0): Promise<{ server: Server; port: number; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  cleanups.push(close);
  return { server, port: (server.address() as AddressInfo).port, got, close };
}

/** A loopback port with nothing listening on it (bound, then released). */
async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

function verifySignature(secret: string, r: Received): boolean {
  const header = String(r.headers['x-vetting-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
  return header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
}

function open(dir: string): Store {
  const store = openStore(dir);
  cleanups.push(() => store.close());
  return store;
}

/** The test's own count, on a bare connection beside the store. */
function count(dir: string, sql: string): unknown {
  const db = openDatabase(dir);
  try {
    return db.prepare(sql).get();
  } finally {
    db.close();
  }
}

function notifier(store: Store, now: () => number, published: LiveEvent[] = []): Notifier {
  const n = createNotifier({ store, publish: (e) => published.push(e), now, retry: { baseMs: 10_000, maxMs: 60_000, maxAttempts: 10 }, timeoutMs: 5000 });
  cleanups.push(() => n.stop());
  return n;
}

describe('webhook delivery over loopback HTTP', () => {
  it('delivers signed webhooks and Slack-style messages', async () => {
    const rx = await startReceiver();
    const store = open(tempDir());
    const secret = 'bench-shared-secret';
    writeChannels(store, [
      { id: 'hook', type: 'webhook', name: 'Generic', url: `http://127.0.0.1:${rx.port}/hook`, secret },
      { id: 'slack', type: 'slack', name: 'Slack', url: `http://127.0.0.1:${rx.port}/slack`, events: ['StageFailed'] },
    ]);
    const n = notifier(store, () => Date.now());
    n.emit({ type: 'StageFailed', runId: 7, host: 'pve-7', data: { stage: 'Storage', message: 'badblocks found 8 bad blocks on WD-A1' } });
    n.emit({ type: 'RunCompleted', runId: 8, host: 'pve-8', data: { verdict: 'PASS' } });
    await n.flush();
    const hooks = rx.got.filter((r) => r.path === '/hook');
    expect(hooks).toHaveLength(2);
    for (const h of hooks) {
      expect(verifySignature(secret, h)).toBe(true);
      expect(verifySignature('wrong-secret', h)).toBe(false);
      expect(h.headers['content-type']).toBe('application/json');
    }
    const first = JSON.parse((hooks.find((h) => h.headers['x-vetting-event'] === 'StageFailed') as Received).body) as Record<string, unknown>;
    expect(first).toMatchObject({ event: 'StageFailed', runId: 7, host: 'pve-7', title: 'Storage failed on pve-7 (run #7)', data: { stage: 'Storage' } });
    const slack = rx.got.filter((r) => r.path === '/slack');
    expect(slack).toHaveLength(1); // subscribed to StageFailed only
    expect(JSON.parse((slack[0] as Received).body)).toEqual({ text: expect.stringMatching(/^\*Storage failed on pve-7 \(run #7\)\*\nStorage did not pass: badblocks/) });
    expect(n.status().channels.map((c) => [c.id, c.lastStatus, c.pending])).toEqual([
      ['hook', 'ok', 0],
      ['slack', 'ok', 0],
    ]);
  });

  it('the running dispatcher delivers on its own after emit()', async () => {
    const rx = await startReceiver();
    const store = open(tempDir());
    writeChannels(store, [{ id: 'hook', type: 'webhook', name: 'Generic', url: `http://127.0.0.1:${rx.port}/hook` }]);
    const n = createNotifier({ store, publish: () => {}, pollMs: 50 });
    cleanups.push(() => n.stop());
    n.start();
    n.emit({ type: 'ServiceDown', data: { service: 'dnsmasq', error: 'exited with status 2' } });
    for (let i = 0; i < 200 && rx.got.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(rx.got).toHaveLength(1);
    expect(rx.got[0]?.headers['x-vetting-signature']).toBeUndefined(); // no secret, no signature
  });

  it('a receiver that is down gets the notification once it is back, also across a notifier restart', async () => {
    const port = await freePort();
    const dir = tempDir();
    const secret = 's3cret';
    let t = Date.parse('2026-11-27T02:00:00Z');
    const clock = (): number => t;

    // 1) Receiver down: the first attempt fails and is rescheduled, not lost.
    let store = open(dir);
    writeChannels(store, [{ id: 'hook', type: 'webhook', name: 'Generic', url: `http://127.0.0.1:${port}/hook`, secret }]);
    let n = notifier(store, clock);
    n.emit({ type: 'AgentLost', runId: 3, host: 'pve-3', data: { silentForS: 90 } });
    await n.flush();
    expect(n.status().channels[0]).toMatchObject({ lastStatus: 'error', pending: 1, lastError: expect.stringContaining('ECONNREFUSED') });

    // 2) Receiver comes back: after the backoff the same notification arrives.
    let rx = await startReceiver(port);
    await n.flush();
    expect(rx.got).toHaveLength(0); // retry not due yet
    t += 10_000;
    await n.flush();
    expect(rx.got).toHaveLength(1);
    expect(JSON.parse(rx.got[0]?.body ?? '{}')).toMatchObject({ event: 'AgentLost', runId: 3 });
    expect(verifySignature(secret, rx.got[0] as Received)).toBe(true);

    // 3) Down again; a new event fails; the orchestrator restarts (notifier and
    //    database closed, reopened); the receiver returns; the event arrives.
    await rx.close();
    n.emit({ type: 'RunCompleted', runId: 4, host: 'pve-4', data: { verdict: 'FAIL' } });
    await n.flush();
    expect(n.status().channels[0]).toMatchObject({ lastStatus: 'error', pending: 1 });
    await n.stop();
    store.close();

    store = open(dir);
    n = notifier(store, clock);
    expect(n.status().channels[0]).toMatchObject({ lastStatus: 'error', pending: 1 }); // status survived the restart
    rx = await startReceiver(port);
    t += 10_000;
    n.start();
    await n.flush();
    expect(rx.got.map((r) => JSON.parse(r.body).event)).toEqual(['RunCompleted']);
    expect(verifySignature(secret, rx.got[0] as Received)).toBe(true);
    expect(n.status().channels[0]).toMatchObject({ lastStatus: 'ok', pending: 0, failed: 0 });
    expect(count(dir, "SELECT COUNT(*) AS n FROM notification_outbox WHERE status = 'delivered'")).toEqual({ n: 2 });
  });
});

describe('e-mail over SMTP on loopback', () => {
  it('sends through a real SMTP server with authentication', async () => {
    const mails: { from: string; to: string[]; data: string; user: string | undefined }[] = [];
    const smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'bench' && auth.password === 'pw') cb(null, { user: 'bench' });
        else cb(new Error('bad credentials'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString('utf8'),
            user: session.user as string | undefined,
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => smtp.close(() => r())));
    const port = (smtp.server.address() as AddressInfo).port;

    const store = open(tempDir());
    const smtpBase = { host: '127.0.0.1', port, secure: false, from: 'vetting@bench.example', to: ['ops@bench.example', 'lead@bench.example'] };
    writeChannels(store, [
      { id: 'mail', type: 'email', name: 'Ops mail', smtp: { ...smtpBase, user: 'bench', pass: 'pw' } },
      { id: 'mail-badpw', type: 'email', name: 'Wrong password', smtp: { ...smtpBase, user: 'bench', pass: 'nope' } },
    ]);
    const n = notifier(store, () => Date.now());
    n.emit({ type: 'UnexpectedData', runId: 9, host: 'pve-9', data: { disk: 'WD-A1', found: 'LVM2_member' } });
    await n.flush();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'vetting@bench.example', to: ['ops@bench.example', 'lead@bench.example'], user: 'bench' });
    expect(mails[0]?.data).toMatch(/Subject: Data found on a disk of pve-9 \(run #9\)/);
    expect(mails[0]?.data).toContain('LVM2_member');
    expect(mails[0]?.data).toMatch(/X-Vetting-Event: UnexpectedData/);
    const status = n.status().channels;
    expect(status.find((c) => c.id === 'mail')).toMatchObject({ lastStatus: 'ok' });
    expect(status.find((c) => c.id === 'mail-badpw')).toMatchObject({ lastStatus: 'error', pending: 1, lastError: expect.stringMatching(/^SMTP 127\.0\.0\.1:\d+: .*(auth|credentials)/i) });
    // "Send test" through the same server.
    expect(await n.sendTest('mail')).toEqual({ ok: true, error: null });
    expect(mails.at(-1)?.data).toMatch(/Subject: Test notification from Vetting/);
  });
});
