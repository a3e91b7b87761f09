import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createBenchListener } from '../../electron/node/bench/bench-listener.ts';
import { createSelfSigned } from '../../electron/node/bench/tls-identity.ts';
import { minimalWelcome } from '../support/welcome.ts';
import { api, CLI, serve, tempDir, type Served } from '../support/serve.ts';

// Issue 17, finding 5: the agent must not obey whoever answers at the
// orchestrator's address. A rogue DHCP/PXE answer or an address taken over on
// the bench network puts an impostor there; here one listens on loopback, with
// a key of its own, speaking the real protocol and ordering the destructive
// Storage stage with a wipe override. The real agent runs as `vetting agent`.

interface Impostor {
  url: string;
  /** Everything the impostor received: HTTP upgrade requests and agent frames. */
  upgrades: string[];
  frames: { type: string; [k: string]: unknown }[];
  close(): Promise<void>;
}

async function startImpostor(): Promise<Impostor> {
  const id = await createSelfSigned('vetting orchestrator'); // the right name, the wrong key
  const upgrades: string[] = [];
  const frames: Impostor['frames'] = [];
  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    upgrades.push(req.url ?? '');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { type: string; seq?: number };
        frames.push(msg);
        if (msg.type === 'hello') {
          ws.send(JSON.stringify({ ...minimalWelcome({ host: 'victim', artifactUrl: 'http://127.0.0.1:9/none', lastSeq: 0 }), expectedDisks: ['VICTIM-DISK-1'] }));
          ws.send(JSON.stringify({ type: 'run-stage', stage: 'Storage', attempt: 1, wipeOverride: ['VICTIM-DISK-1'] }));
        } else if (msg.seq !== undefined) ws.send(JSON.stringify({ type: 'ack', seq: msg.seq }));
      });
    });
  };
  const http = createHttp((_req, res) => res.end('impostor'));
  const https = createHttps({ key: id.key, cert: id.cert }, (_req, res) => res.end('impostor'));
  http.on('upgrade', onUpgrade);
  https.on('upgrade', onUpgrade);
  https.on('secureConnection', () => upgrades.push('(tls handshake)'));
  const front = createBenchListener({ http, https, maxConnectionsPerAddress: () => 100 });
  await new Promise<void>((ok) => front.server.listen(0, '127.0.0.1', () => ok()));
  const { port } = front.server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/agent`,
    upgrades,
    frames,
    close: () =>
      new Promise<void>((ok) => {
        for (const c of wss.clients) c.terminate();
        http.closeAllConnections();
        https.closeAllConnections();
        front.server.close(() => ok());
      }),
  };
}

let tmp: ReturnType<typeof tempDir>;
let impostor: Impostor;
const children: ChildProcess[] = [];
let server: Served | null = null;

beforeEach(async () => {
  tmp = tempDir('vetting-impostor-');
  impostor = await startImpostor();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await impostor.close();
  await server?.stop('SIGKILL');
  server = null;
  tmp.remove();
});

/** Starts the real agent; resolves the log lines it writes as they come. */
function startAgent(orchestrator: string, token: string, pin: string | null): { lines: string[]; until(pred: (line: string) => boolean): Promise<string> } {
  const args = [CLI, 'agent', '--orchestrator', orchestrator, '--token', token, '--state-dir', join(tmp.path, 'state'), '--hwmon-root', join(tmp.path, 'no-hwmon'), ...(pin ? ['--pin', pin] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp.path } });
  children.push(child);
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; ok: (l: string) => void }[] = [];
  let rest = '';
  child.stderr!.on('data', (d: Buffer) => {
    rest += d.toString();
    const parts = rest.split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) if (w.pred(line)) waiters.splice(waiters.indexOf(w), 1), w.ok(line);
    }
  });
  return {
    lines,
    until: (pred) => {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((ok, fail) => {
        waiters.push({ pred, ok });
        child.once('exit', (code) => fail(new Error(`agent exited (${code}) first; its log:\n${lines.join('\n')}`)));
      });
    },
  };
}

/** A frame the impostor got, waited for by polling what it recorded. */
async function impostorGot(pred: (f: Impostor['frames'][number]) => boolean): Promise<Impostor['frames'][number]> {
  for (;;) {
    const f = impostor.frames.find(pred);
    if (f) return f;
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

describe('5. the agent authenticates the orchestrator', () => {
  it('with the real orchestrator\'s pin, an impostor at the address gets no hello, no token and no HTTP at all', async () => {
    server = await serve(join(tmp.path, 'real'));
    await api(server, 'POST', '/api/hosts', { name: 'victim', macs: ['52:54:00:5e:c0:03'], profile: 'smoke' });
    const started = (await api<{ token: string; pin: string }>(server, 'POST', '/api/runs', { host: 'victim' })).body;
    expect(started.pin).toMatch(/^sha256:[0-9a-f]{64}$/);
    const agent = startAgent(impostor.url, started.token, started.pin);
    await agent.until((l) => l.includes('refusing to talk to an impostor'));
    expect(impostor.frames).toEqual([]);
    // The TLS handshake happened; not one HTTP request (not even the upgrade) followed it.
    expect(impostor.upgrades.filter((u) => u !== '(tls handshake)')).toEqual([]);
    expect(agent.lines.join('\n')).not.toContain(started.token);
  });

  it('without a pin, the agent refuses the destructive stage an unauthenticated orchestrator orders', async () => {
    const agent = startAgent(impostor.url, 'a-token-the-impostor-now-has', null);
    const result = await impostorGot((f) => f.type === 'stage-result' && f.stage === 'Storage');
    expect(result).toMatchObject({ outcome: 'error', summary: { infraError: 'orchestrator-not-authenticated' } });
    expect(String(result.message)).toMatch(/could not authenticate the orchestrator/);
    expect(impostor.frames.some((f) => f.type === 'stage-started' && f.stage === 'Storage')).toBe(false);
    await agent.until((l) => l.includes('refused: Storage writes to disks'));
  });

  it('with the right pin, the agent talks TLS to the real orchestrator and starts its run', async () => {
    server = await serve(join(tmp.path, 'real'));
    await api(server, 'POST', '/api/hosts', { name: 'node1', macs: ['52:54:00:5e:c0:04'], profile: 'smoke' });
    const started = (await api<{ run: number; orchestrator: string; token: string; pin: string }>(server, 'POST', '/api/runs', { host: 'node1' })).body;
    const agent = startAgent(started.orchestrator, started.token, started.pin);
    await agent.until((l) => l.includes('"msg":"welcomed"'));
    expect(agent.lines.find((l) => l.includes('saying hello'))).toMatch(/"url":"wss:\/\/127\.0\.0\.1:\d+\/agent","session":"[^"]+","pinned":true/);
    const run = (await api<{ state: string; agentConnected: boolean }>(server, 'GET', `/api/runs/${started.run}`)).body;
    expect(run.state).not.toBe('WaitingForAgent');
  });
});
