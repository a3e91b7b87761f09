import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AgentMessage, Hello, PROTOCOL_VERSION, type SequencedAgentMessage } from '../../common/schema/protocol.ts';
import { runAgent } from '../../agent/main.ts';
import { AgentCore, type AgentCoreOptions } from '../../agent/runtime/agent-core.ts';
import { silentLogger } from '../../agent/runtime/logger.ts';
import { runTool } from '../../agent/runtime/tool-runner.ts';
import type { StageModule } from '../../agent/stages/types.ts';
import type { AgentStageName } from '../../common/stages/index.ts';
import { qemuGuestInventory } from '../support/fixture-inventory.ts';
import { minimalWelcome } from '../support/welcome.ts';

// The agent runtime against a scripted orchestrator on loopback: real
// WebSocket, real HTTP artifact uploads, real state file. Stage modules are
// stand-ins here; the real ones have their own tests.

interface Received {
  hellos: ReturnType<typeof Hello.parse>[];
  /** Stored messages by session, keyed by seq: applied once. */
  stored: Map<number, SequencedAgentMessage>;
  duplicates: number;
  /** Every sequenced frame as it arrived, stored or not. */
  seen: SequencedAgentMessage[];
  artifacts: Map<string, { auth: string | undefined; body: string }>;
}

interface FakeOrchestrator {
  url: string;
  received: Received;
  sockets: Set<WebSocket>;
  /** Decides what follows a welcome and each stored message. */
  script: {
    afterWelcome(ws: WebSocket, session: string): void;
    onMessage?(ws: WebSocket, msg: SequencedAgentMessage): void;
    /** Return false to store without acknowledging. */
    ack?(msg: SequencedAgentMessage): boolean;
    /** Return true to lose a message entirely (an orchestrator that crashed before storing it). */
    lose?(msg: SequencedAgentMessage, ws: WebSocket): boolean;
    token?: string;
  };
  close(): Promise<void>;
}

async function startOrchestrator(script: FakeOrchestrator['script']): Promise<FakeOrchestrator> {
  const received: Received = { hellos: [], stored: new Map(), duplicates: 0, seen: [], artifacts: new Map() };
  const http: Server = createServer((req, res) => {
    const m = /^\/artifacts\/([A-Za-z0-9._-]+)$/.exec(req.url ?? '');
    if (req.method !== 'PUT' || !m) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.artifacts.set(m[1]!, { auth: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(201).end();
    });
  });
  const wss = new WebSocketServer({ server: http, path: '/agent' });
  const sockets = new Set<WebSocket>();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const fake: FakeOrchestrator = {
    url: `ws://127.0.0.1:${port}/agent`,
    received,
    sockets,
    script,
    close: async () => {
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    let session: string | null = null;
    ws.on('message', (data) => {
      const raw = JSON.parse(data.toString()) as unknown;
      const parsed = AgentMessage.parse(raw); // every frame must be schema-valid
      if (parsed.type === 'hello') {
        received.hellos.push(parsed);
        if (parsed.token !== (fake.script.token ?? 'tok-1')) {
          ws.send(JSON.stringify({ type: 'error', code: 'bad-token', message: 'unknown token' }));
          ws.close();
          return;
        }
        session = parsed.session;
        const lastSeq = Math.max(0, ...received.stored.keys());
        ws.send(JSON.stringify(minimalWelcome({ host: 'h1', artifactUrl: `http://127.0.0.1:${port}/artifacts`, lastSeq })));
        fake.script.afterWelcome(ws, session);
        return;
      }
      if (!session) throw new Error('message before hello');
      received.seen.push(parsed);
      if (fake.script.lose?.(parsed, ws)) return;
      if (received.stored.has(parsed.seq)) received.duplicates++;
      else received.stored.set(parsed.seq, parsed);
      if (fake.script.ack?.(parsed) ?? true) ws.send(JSON.stringify({ type: 'ack', seq: parsed.seq }));
      fake.script.onMessage?.(ws, parsed);
    });
  });
  return fake;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function fakeHwmon(tempMilliC: string): string {
  const root = tempDir('agent-hwmon-');
  const dir = join(root, 'class', 'hwmon', 'hwmon0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'name'), 'nvme\n');
  writeFileSync(join(dir, 'temp1_input'), tempMilliC);
  writeFileSync(join(dir, 'temp1_label'), 'Composite\n');
  return root;
}

/** The fake tree serves every sensor read. */
const sensorRoots = (root: string) => ({ sysfsRoot: root });

function makeAgent(orch: FakeOrchestrator, stages: Partial<Record<AgentStageName, StageModule>>, opts: { stateDir?: string; token?: string; signal?: AbortSignal } = {}) {
  const stateDir = opts.stateDir ?? tempDir('agent-state-');
  return new AgentCore({
    orchestrator: orch.url,
    hello: { token: opts.token ?? 'tok-1', bootMac: '52:54:00:00:00:01', dmiSerial: 'SER1', agentVersion: 'test', hostname: 'bench-host' },
    stateDir,
    paths: { ...sensorRoots(fakeHwmon('41500\n')), sysRoot: '/sys', procRoot: '/proc', workDir: tempDir('agent-work-') },
    // A test agent runs only the stages it scripts; the rest answer "not a stage this agent runs".
    stages: stages as AgentCoreOptions['stages'],
    runTool,
    log: silentLogger,
    exitOnShutdown: true,
    signal: opts.signal,
  });
}

function waitFor(pred: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const t = setInterval(() => {
      if (pred()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(t);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 20);
  });
}

const ofType = <T extends SequencedAgentMessage['type']>(r: Received, type: T) =>
  [...r.stored.values()].filter((m): m is Extract<SequencedAgentMessage, { type: T }> => m.type === type);

describe('agent runtime against a scripted orchestrator', { timeout: 60_000 }, () => {
  it('says hello, runs a stage, streams progress, sensors and heartbeats, uploads artifacts and exits on shutdown', async () => {
    let runs = 0;
    const inventory: StageModule = {
      name: 'Inventory',
      async run(ctx) {
        runs++;
        ctx.progress({ percent: 50, message: 'half way' });
        await ctx.artifact('inventory.json', '{"raw":true}');
        await new Promise((r) => setTimeout(r, 2500)); // long enough for heartbeats (1 s) and a sensor batch
        return { outcome: 'passed', message: 'ok', summary: { inventory: qemuGuestInventory() }, coverage: [] };
      },
    };
    const orch = await startOrchestrator({
      afterWelcome: (ws) => ws.send(JSON.stringify({ type: 'run-stage', stage: 'Inventory', attempt: 1, wipeOverride: [] })),
      onMessage: (ws, m) => {
        if (m.type === 'stage-result') ws.send(JSON.stringify({ type: 'shutdown', action: 'exit', reason: 'done' }));
      },
    });
    cleanups.push(() => orch.close());
    const code = await makeAgent(orch, { Inventory: inventory }).run();
    expect(code).toBe(0);
    expect(runs).toBe(1);
    const r = orch.received;
    expect(r.hellos[0]).toMatchObject({ protocol: PROTOCOL_VERSION, token: 'tok-1', bootMac: '52:54:00:00:00:01', dmiSerial: 'SER1', hostname: 'bench-host' });
    const seqs = [...r.stored.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // 1, 2, 3 … without gaps
    expect(r.duplicates).toBe(0);
    expect(ofType(r, 'stage-started')).toMatchObject([{ stage: 'Inventory', attempt: 1 }]);
    expect(ofType(r, 'stage-progress')[0]).toMatchObject({ stage: 'Inventory', percent: 50, message: 'half way' });
    expect(ofType(r, 'stage-result')).toMatchObject([{ stage: 'Inventory', attempt: 1, outcome: 'passed', summary: { inventory: qemuGuestInventory() } }]);
    expect(ofType(r, 'heartbeat').length).toBeGreaterThan(0);
    expect(ofType(r, 'sensor-batch')[0]!.samples).toMatchObject([{ kind: 'thermal', sensor: 'nvme/Composite', value: 41.5, unit: '°C' }]);
    expect(r.artifacts.get('inventory.json')).toEqual({ auth: 'Bearer tok-1', body: '{"raw":true}' });
    // The agent's own log lines reach the orchestrator too.
    expect(ofType(r, 'log').flatMap((m) => m.lines).join('\n')).toMatch(/info: welcomed/);
  });

  it('reconnects after a dropped connection, resends what was not stored, and ignores the repeated directive', async () => {
    let runs = 0;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const stage: StageModule = {
      name: 'SMART',
      async run() {
        runs++;
        await released;
        return { outcome: 'failed', message: 'reallocated sectors', summary: {}, coverage: [] };
      },
    };
    let dropped = false;
    const orch = await startOrchestrator({
      afterWelcome: (ws) => ws.send(JSON.stringify({ type: 'run-stage', stage: 'SMART', attempt: 2, wipeOverride: [] })),
      // The first stage-started is stored but its ack is "lost" with the connection.
      ack: (m) => !(m.type === 'stage-started' && !dropped),
      onMessage: (ws, m) => {
        if (m.type === 'stage-started' && !dropped) {
          dropped = true;
          ws.terminate();
          setTimeout(release, 1500); // the stage finishes while the agent is reconnecting or after
        }
        if (m.type === 'stage-result') ws.send(JSON.stringify({ type: 'shutdown', action: 'exit', reason: 'done' }));
      },
    });
    cleanups.push(() => orch.close());
    const code = await makeAgent(orch, { SMART: stage }).run();
    expect(code).toBe(0);
    expect(runs).toBe(1); // the repeated run-stage after the reconnect was ignored
    expect(orch.received.hellos.length).toBeGreaterThanOrEqual(2);
    expect(new Set(orch.received.hellos.map((h) => h.session)).size).toBe(1);
    expect(orch.received.duplicates).toBe(0); // welcome.lastSeq told the agent what not to resend
    expect(ofType(orch.received, 'stage-started')).toHaveLength(1);
    expect(ofType(orch.received, 'stage-result')).toMatchObject([{ stage: 'SMART', attempt: 2, outcome: 'failed' }]);
  });

  it('continues the same session after the agent process restarts, resending unacknowledged messages in order', async () => {
    const stateDir = tempDir('agent-state-');
    let phase: 'first' | 'second' = 'first';
    let firstSocket: WebSocket | null = null;
    const orch = await startOrchestrator({
      afterWelcome: (ws) => {
        if (phase !== 'first') return;
        firstSocket = ws;
        ws.send(JSON.stringify({ type: 'run-stage', stage: 'PSU', attempt: 1, wipeOverride: [] }));
      },
      // Nothing past the first message of the first life's connection is stored or
      // acknowledged — decided per connection, so a late frame of the dying first
      // agent cannot be stored as if it came after the restart.
      lose: (m, ws) => ws === firstSocket && m.seq > 1,
      onMessage: (ws, m) => {
        if (phase === 'second' && m.type === 'stage-result') ws.send(JSON.stringify({ type: 'shutdown', action: 'exit', reason: 'done' }));
      },
    });
    cleanups.push(() => orch.close());
    const psu: StageModule = { name: 'PSU', run: async () => ({ outcome: 'passed', message: 'rails steady', summary: {}, coverage: [] }) };

    const stop = new AbortController();
    const first = makeAgent(orch, { PSU: psu }, { stateDir, signal: stop.signal });
    const firstRun = first.run();
    await waitFor(() => orch.received.seen.some((m) => m.type === 'stage-result'), 'first stage-result');
    expect(orch.received.stored.size).toBe(1);
    stop.abort();
    expect(await firstRun).toBe(0);

    phase = 'second';
    const second = makeAgent(orch, { PSU: psu }, { stateDir });
    expect(second.session).toBe(first.session);
    expect(await second.run()).toBe(0);
    expect(orch.received.hellos.at(-1)!.session).toBe(first.session);
    expect(ofType(orch.received, 'stage-result')).toMatchObject([{ stage: 'PSU', attempt: 1, outcome: 'passed' }]);
    const seqs = [...orch.received.stored.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(orch.received.duplicates).toBe(0);
  });

  it('cancels a running stage when another is directed, sending no result for the cancelled one', async () => {
    let cancelled = false;
    const slow: StageModule = {
      name: 'CPUStress',
      run: (ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            cancelled = true;
            resolve({ outcome: 'error', message: 'cancelled', summary: {}, coverage: [] });
          });
        }),
    };
    const quick: StageModule = { name: 'Storage', run: async () => ({ outcome: 'passed', message: 'done', summary: {}, coverage: [] }) };
    const orch = await startOrchestrator({
      afterWelcome: (ws) => ws.send(JSON.stringify({ type: 'run-stage', stage: 'CPUStress', attempt: 1, wipeOverride: [] })),
      onMessage: (ws, m) => {
        if (m.type === 'stage-started' && m.stage === 'CPUStress') ws.send(JSON.stringify({ type: 'run-stage', stage: 'Storage', attempt: 1, wipeOverride: [] }));
        if (m.type === 'stage-result') ws.send(JSON.stringify({ type: 'shutdown', action: 'poweroff', reason: 'done' }));
      },
    });
    cleanups.push(() => orch.close());
    expect(await makeAgent(orch, { CPUStress: slow, Storage: quick }).run()).toBe(0);
    expect(cancelled).toBe(true);
    expect(ofType(orch.received, 'stage-result').map((m) => m.stage)).toEqual(['Storage']);
  });

  it('reports an orchestrator-owned stage as an error and a throwing stage as an error', async () => {
    const broken: StageModule = {
      name: 'GPU',
      run: async () => {
        throw new Error('boom');
      },
    };
    const orch = await startOrchestrator({
      afterWelcome: (ws) => ws.send(JSON.stringify({ type: 'run-stage', stage: 'Reporting', attempt: 1, wipeOverride: [] })),
      onMessage: (ws, m) => {
        if (m.type === 'stage-result' && m.stage === 'Reporting') ws.send(JSON.stringify({ type: 'run-stage', stage: 'GPU', attempt: 1, wipeOverride: [] }));
        if (m.type === 'stage-result' && m.stage === 'GPU') ws.send(JSON.stringify({ type: 'shutdown', action: 'exit', reason: 'done' }));
      },
    });
    cleanups.push(() => orch.close());
    expect(await makeAgent(orch, { GPU: broken }).run()).toBe(0);
    expect(ofType(orch.received, 'stage-result').map((m) => [m.stage, m.outcome, m.message])).toEqual([
      ['Reporting', 'error', 'Reporting is not a stage this agent runs'],
      ['GPU', 'error', 'Error: boom'],
    ]);
  });

  it('exits non-zero when the orchestrator refuses the token', async () => {
    const orch = await startOrchestrator({ afterWelcome: () => {}, token: 'the-right-one' });
    cleanups.push(() => orch.close());
    expect(await makeAgent(orch, {}, { token: 'wrong' }).run()).toBe(2);
    expect(orch.received.stored.size).toBe(0);
  });

  it('ignores malformed frames from the orchestrator and keeps going', async () => {
    const orch = await startOrchestrator({
      afterWelcome: (ws) => {
        ws.send('not json');
        ws.send(JSON.stringify({ type: 'run-stage', stage: 'NoSuchStage', attempt: 1 }));
        ws.send(JSON.stringify({ type: 'shutdown', action: 'exit', reason: 'done' }));
      },
    });
    cleanups.push(() => orch.close());
    expect(await makeAgent(orch, {}).run()).toBe(0);
  });

  it('runAgent leaves a reboot to init through the power file, and refuses a bad URL', async () => {
    const orch = await startOrchestrator({ afterWelcome: (ws) => ws.send(JSON.stringify({ type: 'shutdown', action: 'reboot', reason: 'released' })) });
    cleanups.push(() => orch.close());
    const powerFile = join(tempDir('agent-power-'), 'power');
    const code = await runAgent({ orchestrator: orch.url, token: 'tok-1', sysfsRoot: fakeHwmon('30000'), stateDir: tempDir('agent-state-'), poweroff: true, powerFile, log: silentLogger });
    expect(code).toBe(0);
    expect(readFileSync(powerFile, 'utf8')).toBe('reboot\n');
    expect(await runAgent({ orchestrator: 'http://127.0.0.1:1/agent', token: 't', log: silentLogger })).toBe(64);
    expect(await runAgent({ orchestrator: orch.url, token: 'has space', log: silentLogger })).toBe(64);
  });
});
