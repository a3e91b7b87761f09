import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type RunDetailView, type StageResult } from '../../common/schema/index.ts';
import { STAGE_NAMES, type AgentStageName } from '../../common/stages/index.ts';
import { agentStagesFrom, stageResultBody } from '../support/stage-results.ts';
import { ScriptedAgent } from '../support/scripted-agent.ts';
import { api, cli, serve, tempDir, type Served } from '../support/serve.ts';

// The orchestrator as a user and an agent meet it: a real `vetting serve`
// process, real WebSockets, the real CLI, real SQLite on disk.

let tmp: ReturnType<typeof tempDir>;
let server: Served;
const agents: ScriptedAgent[] = [];

beforeEach(async () => {
  tmp = tempDir();
  server = await serve(tmp.path);
});
afterEach(async () => {
  for (const a of agents.splice(0)) a.drop();
  await server.stop('SIGKILL');
  tmp.remove();
});

const SPEC = 'system: { manufacturer: QEMU }\ncpu: { sockets: 1 }\ndisks:\n  - serial: LABNVME0001\n';

let macCounter = 0;
async function addHostAndStart(name = 'node1', profile: 'smoke' | 'standard' = 'smoke'): Promise<{ run: number; orchestrator: string; token: string }> {
  const mac = `52:54:00:aa:bb:${(++macCounter).toString(16).padStart(2, '0')}`;
  const specFile = join(tmp.path, `${name}.yaml`);
  writeFileSync(specFile, SPEC);
  const add = await cli(['host', 'add', '--data-dir', tmp.path, '--name', name, '--mac', mac, '--profile', profile, '--disk', 'LABNVME0001', '--spec', specFile, '--json']);
  expect(add.stderr).toBe('');
  expect(add.code).toBe(0);
  const start = await cli(['run', 'start', '--data-dir', tmp.path, '--host', name, '--json']);
  expect(start.code).toBe(0);
  return JSON.parse(start.stdout) as { run: number; orchestrator: string; token: string };
}

function agentFor(r: { orchestrator: string; token: string }, session?: string) {
  const a = new ScriptedAgent(r.orchestrator, r.token, session);
  agents.push(a);
  return a;
}

/** Plays one stage as the agent would: started, progress, and a result in the stage's own summary shape. */
async function runStage(a: ScriptedAgent, stage: AgentStageName, outcome: StageResult['outcome'] = 'passed', extra: Partial<StageResult> = {}) {
  const d = await a.directive((m) => m.type === 'run-stage' && m.stage === stage);
  if (d.type !== 'run-stage') throw new Error('expected run-stage');
  await a.send({ type: 'stage-started', stage, attempt: d.attempt });
  await a.send({ type: 'stage-progress', stage, attempt: d.attempt, percent: 50, message: 'half way' });
  const body = stageResultBody(stage, { disks: ['LABNVME0001'], nicMac: '52:54:00:aa:bb:01', outcome });
  await a.send({ type: 'stage-result', stage, attempt: d.attempt, ...body, summary: body.summary as Record<string, unknown>, ...extra });
}

async function showRun(id: number) {
  const r = await cli(['run', 'show', String(id), '--data-dir', tmp.path, '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RunDetailView & { stages: { name: string; outcome: string; message: string }[] };
}

describe('control API access', () => {
  it('answers 401 to any request without the control token', async () => {
    for (const path of ['/api/session', '/api/board', '/api/hosts', '/api/runs/1', '/api/events']) {
      const res = await fetch(`${server.control}${path}`);
      expect(res.status, path).toBe(401);
    }
    const wrong = await fetch(`${server.control}/api/hosts`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('signs a browser in from ?token= with a cookie and takes the token out of the address', async () => {
    const res = await fetch(`${server.control}/?token=${server.token}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = await fetch(`${server.control}/api/session`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(session.status).toBe(200);
  });

  it('keeps the server file readable by its owner only', () => {
    const mode = statSync(join(tmp.path, 'server.json')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('rejects invalid bodies with the problem named and nothing stored', async () => {
    const bad = await api<{ error: string; issues: { path: string }[] }>(server, 'POST', '/api/hosts', { name: 'x', macs: ['not-a-mac'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/macs\.0: expected a MAC address/);
    const spec = await api<{ error: string; issues: { line: number | null }[] }>(server, 'POST', '/api/hosts', { name: 'y', specYaml: 'cpu:\n  sockets: two\n' });
    expect(spec.status).toBe(400);
    expect(spec.body.issues[0]!.line).toBe(2);
    const hosts = await api<unknown[]>(server, 'GET', '/api/hosts');
    expect(hosts.body).toEqual([]);
  });
});

describe('agent protocol', () => {
  it('drives a whole run over a real WebSocket to Completed, with the report written', async () => {
    const r = await addHostAndStart('node1', 'standard');
    const a = agentFor(r);
    const welcome = await a.connect({ bootMac: '52:54:00:aa:bb:01', dmiSerial: 'LAB-0001' });
    expect(welcome).toMatchObject({ run: r.run, host: 'node1', profile: 'standard', expectedDisks: ['LABNVME0001'], lastSeq: 0 });
    await a.send({ type: 'heartbeat' });
    await a.send({ type: 'sensor-batch', samples: [{ kind: 'thermal', sensor: 'nvme/Composite', value: 41, unit: '°C', ts: Date.now() }] });
    await a.send({ type: 'log', source: 'smartctl', stage: 'SMART', lines: ['smartctl 7.3'] });
    for (const stage of agentStagesFrom('Inventory')) await runStage(a, stage, stage === 'GPU' ? 'skipped' : 'passed');
    expect(await a.directive((m) => m.type === 'shutdown')).toMatchObject({ type: 'shutdown' });

    const shown = await showRun(r.run);
    expect(shown).toMatchObject({ id: r.run, state: 'Completed', result: 'pass', failedStage: null });
    expect(shown.stages.map((s) => [s.name, s.outcome])).toEqual(STAGE_NAMES.map((n) => [n, n === 'GPU' ? 'skipped' : 'passed']));
    expect(shown.dmiSerial).toBe('LAB-0001');
    const report = await fetch(`${server.control}/api/runs/${r.run}/report.html`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(report.status).toBe(200);
    expect(await report.text()).toMatch(/PASS/);

    const out = join(tmp.path, 'printed');
    const rep = await cli(['report', String(r.run), '--data-dir', tmp.path, '--out', out, '--json']);
    expect(rep.code).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toMatchObject({ run: expect.anything() });
  });

  it('rejects malformed, oversize, wrong-token and wrong-version input with the documented error, and keeps serving', async () => {
    const r = await addHostAndStart();
    const before = await showRun(r.run);
    const cases: { name: string; send: (a: ScriptedAgent) => void; code: string; match: RegExp }[] = [
      { name: 'not JSON', send: (a) => a.sendRaw('{nope'), code: 'bad-json', match: /not valid JSON/ },
      { name: 'unknown type', send: (a) => a.sendRaw({ type: 'launch-missiles' }), code: 'bad-message', match: /invalid "launch-missiles" message/ },
      { name: 'missing field', send: (a) => a.sendRaw({ type: 'hello', protocol: 1 }), code: 'bad-message', match: /token/ },
      { name: 'not hello first', send: (a) => a.sendRaw({ type: 'heartbeat', seq: 1, ts: 1 }), code: 'not-hello', match: /first message must be hello/ },
      { name: 'oversize', send: (a) => a.sendRaw('x'.repeat(MAX_MESSAGE_BYTES + 10)), code: 'too-large', match: /exceeds the \d+-byte limit/ },
      { name: 'wrong token', send: (a) => a.sendRaw({ type: 'hello', protocol: PROTOCOL_VERSION, token: 'guess', agentVersion: 'x', session: 'abcdefgh' }), code: 'bad-token', match: /unknown or expired agent token/ },
      { name: 'wrong version', send: (a) => a.sendRaw({ type: 'hello', protocol: 99, token: r.token, agentVersion: 'x', session: 'abcdefgh' }), code: 'bad-protocol', match: /protocol version 99 is not supported/ },
    ];
    for (const c of cases) {
      const a = agentFor(r);
      a.open();
      c.send(a);
      const err = await a.next((m) => m.type === 'error');
      expect(err, c.name).toMatchObject({ type: 'error', code: c.code });
      expect(err.type === 'error' && err.message, c.name).toMatch(c.match);
      const closed = await a.closed;
      expect(closed.code, c.name).toBe(1008);
    }
    // Nothing stored changed, and the server still serves agents and the API.
    const after = await showRun(r.run);
    expect(after.state).toBe(before.state);
    expect(after.transitions.length).toBe(before.transitions.length);
    const good = agentFor(r);
    await good.connect();
    expect((await api(server, 'GET', '/api/board')).status).toBe(200);

    // A sequenced message that fails validation after hello is refused the same way.
    good.sendRaw({ type: 'stage-result', seq: 1, ts: 1, stage: 'Nope', attempt: 1, outcome: 'passed', message: '', summary: {} });
    const err = await good.next((m) => m.type === 'error');
    expect(err).toMatchObject({ code: 'bad-message' });
    expect((await showRun(r.run)).state).toBe('Inventory');
  });

  it('applies messages resent after a dropped connection exactly once', async () => {
    const r = await addHostAndStart();
    const a = agentFor(r, 'resend-session-1');
    await a.connect();
    await a.send({ type: 'heartbeat' });
    // Two sensor batches go out; the first is acknowledged, then the line drops before the second's ack is read.
    await a.send({ type: 'sensor-batch', samples: [{ kind: 'thermal', sensor: 'cpu', value: 40, unit: '°C', ts: 1_000 }] });
    const lost = a.sendNoWait({ type: 'sensor-batch', samples: [{ kind: 'thermal', sensor: 'cpu', value: 41, unit: '°C', ts: 2_000 }] });
    await new Promise((res) => setTimeout(res, 300)); // let the server store it: the ack is what gets lost
    a.drop();
    a.unacked.set(lost, a.unacked.get(lost) ?? ({ type: 'sensor-batch', seq: lost, ts: 2_000, samples: [] } as never));

    const again = agentFor(r, 'resend-session-1');
    again.resumeSeqAt(lost + 1);
    for (const [seq, msg] of a.unacked) again.unacked.set(seq, msg);
    const welcome = await again.connect();
    expect(welcome.lastSeq).toBe(lost); // the server says it already has it…
    // …and a resend of everything anyway (as a confused agent might) is acknowledged but not applied twice.
    for (const msg of a.unacked.values()) {
      again.sendRaw(msg);
      await again.next((m) => m.type === 'ack' && m.seq === msg.seq);
    }
    const series = await api<{ series: { rawCount: number }[] }>(server, 'GET', `/api/runs/${r.run}/measurements?kind=thermal`);
    expect(series.body.series[0]!.rawCount).toBe(2);
  });

  it('survives kill -9 mid-run: a restarted server resumes the run and the agent finishes it', async () => {
    const r = await addHostAndStart('node1', 'standard');
    const a = agentFor(r, 'crash-session-1');
    await a.connect();
    await runStage(a, 'Inventory');
    await runStage(a, 'SMART');
    const d = await a.directive((m) => m.type === 'run-stage' && m.stage === 'CPUStress');
    await a.send({ type: 'sensor-batch', samples: [{ kind: 'thermal', sensor: 'cpu', value: 70, unit: '°C', ts: Date.now() }] });
    await server.stop('SIGKILL');
    a.drop();

    server = await serve(tmp.path);
    const shown = await showRun(r.run);
    expect(shown.state).toBe('CPUStress');
    const url = `${server.bench.replace(/^http/, 'ws')}/agent`;
    const again = agentFor({ orchestrator: url, token: r.token }, 'crash-session-1');
    again.resumeSeqAt(100);
    const welcome = await again.connect();
    expect(welcome.lastSeq).toBeGreaterThan(0);
    expect(await again.directive()).toMatchObject({ type: 'run-stage', stage: 'CPUStress', attempt: d.type === 'run-stage' ? d.attempt : 1 });
    for (const stage of agentStagesFrom('CPUStress')) await runStage(again, stage);
    const done = await showRun(r.run);
    expect(done).toMatchObject({ state: 'Completed', result: 'pass' });
    const temps = await api<{ series: { rawCount: number }[] }>(server, 'GET', `/api/runs/${r.run}/measurements?kind=thermal`);
    expect(temps.body.series[0]!.rawCount).toBe(1);
  });
});

describe('boot endpoint on the bench listener', () => {
  it('records an unknown MAC as a new host, boots nothing for it, and gives a waiting run a fresh secret', async () => {
    // A stand-in live image (the real one is built and booted by the PXE lab); the setting applies without a restart.
    const imageDir = join(tmp.path, 'image');
    mkdirSync(imageDir, { recursive: true });
    writeFileSync(join(imageDir, 'vmlinuz'), Buffer.alloc(64 * 1024, 1));
    writeFileSync(join(imageDir, 'initrd.img'), Buffer.alloc(256 * 1024, 2));
    const set = await cli(['settings', 'set', `bench.imageDir=${imageDir}`, '--data-dir', tmp.path, '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).bench.imageDir).toBe(imageDir);
    const bad = await cli(['settings', 'set', 'bench.dhcpMode=bogus', 'bench.imageDir=/elsewhere', '--data-dir', tmp.path]);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/bench\.dhcpMode: Invalid option/)]);
    expect((await api<{ bench: { imageDir: string; dhcpMode: string } }>(server, 'GET', '/api/settings')).body.bench).toMatchObject({ imageDir, dhcpMode: 'off' });
    const unknown = await fetch(`${server.bench}/boot/ipxe?mac=52:54:00:99:88:77`);
    expect(unknown.status).toBe(200);
    const script = await unknown.text();
    expect(script).toMatch(/^#!ipxe/);
    expect(script).not.toMatch(/vetting\.token=/);
    const board = await api<{ newHosts: { mac: string }[] }>(server, 'GET', '/api/board');
    expect(board.body.newHosts.map((h) => h.mac)).toContain('52:54:00:99:88:77');

    const r = await addHostAndStart();
    const mac = JSON.parse((await cli(['host', 'show', 'node1', '--data-dir', tmp.path, '--json'])).stdout).macs[0] as string;
    const boot = await (await fetch(`${server.bench}/boot/ipxe?mac=${mac}`)).text();
    // On failure this prints the script (or the error) the bench answered, not just "undefined".
    expect(boot).toMatch(/vetting\.token=/);
    const token = /vetting\.token=(\S+)/.exec(boot)?.[1];
    expect(token).toBeTruthy();
    expect(token).not.toBe(r.token);
    // The boot so far shows on the run and the board: the script, then each file sent whole.
    const kernel = await fetch(`${server.bench}/boot/vmlinuz`);
    expect([kernel.status, (await kernel.arrayBuffer()).byteLength]).toEqual([200, 64 * 1024]);
    const agentUrl = /vetting\.agent=(\S+)/.exec(boot)![1]!;
    expect(agentUrl).toContain(`?mac=${mac}`);
    await (await fetch(agentUrl)).text();
    // (the server records a download once its response has finished, just after the client read it)
    let booted = await showRun(r.run);
    for (let i = 0; i < 20 && booted.boot.length < 3; i++) booted = await showRun(r.run);
    expect(booted.boot.map((b) => [b.step, b.detail])).toEqual([
      ['boot-script', expect.stringContaining('live image for node1')],
      ['kernel', expect.stringMatching(/^64 KiB in \d+\.\d s$/)],
      ['agent-bundle', expect.stringMatching(/ in \d+\.\d s$/)],
    ]);
    const tile = (await api<{ entries: { host: { name: string }; boot: { step: string } | null }[] }>(server, 'GET', '/api/board')).body.entries.find((e) => e.host.name === 'node1');
    expect(tile?.boot?.step).toBe('agent-bundle');
    // The fresh secret is the one that now works; the one printed before it does not.
    const a = agentFor({ orchestrator: r.orchestrator, token: token! });
    expect((await a.connect()).run).toBe(r.run);
    const old = agentFor(r);
    await expect(old.connect()).rejects.toThrow(/bad-token/);
    // The control listener serves no boot scripts (only the UI and its API).
    expect(await (await fetch(`${server.control}/boot/ipxe?mac=${mac}`)).text()).not.toMatch(/#!ipxe/);
  });
});

describe('artifact uploads', () => {
  it('stores a tool output under the run with its hash, and refuses bad names, tokens and sizes', async () => {
    const r = await addHostAndStart();
    const a = agentFor(r);
    const welcome = await a.connect();
    const put = (name: string, body: string, token = r.token, headers: Record<string, string> = {}) =>
      fetch(`${welcome.artifactUrl}/${name}`, { method: 'PUT', body, headers: { authorization: `Bearer ${token}`, 'x-vetting-stage': 'SMART', ...headers } });
    const ok = await put('smart-nvme0n1.json', '{"smartctl":{}}');
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ name: 'smart-nvme0n1.json', size: 15, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const back = await fetch(`${server.control}/api/runs/${r.run}/artifacts/smart-nvme0n1.json`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(await back.text()).toBe('{"smartctl":{}}');
    expect((await showRun(r.run)).artifacts).toEqual([expect.objectContaining({ name: 'smart-nvme0n1.json', stage: 'SMART', kind: 'tool-output' })]);

    expect((await put('..%2Fescape', 'x')).status).toBe(400);
    expect((await put('.hidden', 'x')).status).toBe(400);
    expect((await put('ok.txt', 'x', 'not-the-token')).status).toBe(401);
    const other = await addHostAndStart('node2');
    expect((await put('ok.txt', 'x', other.token)).status).toBe(403);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${welcome.artifactUrl}/big.bin`, { method: 'PUT', headers: { authorization: `Bearer ${r.token}`, 'content-length': String(300 * 1024 * 1024) } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.write('x'); // the server answers from the declared length, before reading 300 MiB
    });
    expect(status).toBe(413);
    expect((await showRun(r.run)).artifacts.map((x) => x.name)).toEqual(['smart-nvme0n1.json']);
  });
});

describe('CLI against a running server', () => {
  it('holds a wipe-probe hit for a supervisor, refusing a wrong credential from the environment', async () => {
    const r = await addHostAndStart('node1', 'standard');
    const sup = await cli(['supervisor', 'add', '--data-dir', tmp.path, '--name', 'sam'], { VETTING_SUPERVISOR_SECRET: 'correct horse battery' });
    expect(sup.code).toBe(0);
    const a = agentFor(r);
    await a.connect();
    for (const stage of agentStagesFrom('Inventory').slice(0, agentStagesFrom('Inventory').indexOf('Storage'))) await runStage(a, stage);
    await runStage(a, 'Storage', 'failed', { unexpectedData: [{ disk: 'LABNVME0001', device: '/dev/nvme0n1', found: ['gpt partition table'] }] });
    let shown = await showRun(r.run);
    expect(shown).toMatchObject({ state: 'FailedHolding', failedStage: 'Storage', holdReason: 'UnexpectedData' });
    expect(shown.stages.find((s) => s.name === 'Storage')!.outcome).toBe('failed');

    const noSup = await cli(['run', 'override', String(r.run), '--data-dir', tmp.path, '--reason', 'old data']);
    expect(noSup.code).not.toBe(0);
    expect(noSup.stderr).toMatch(/only a supervisor/);
    const wrong = await cli(['run', 'override', String(r.run), '--data-dir', tmp.path, '--reason', 'old data', '--supervisor', 'sam'], { VETTING_SUPERVISOR_SECRET: 'wrong one' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/credential for supervisor "sam" is wrong/);
    const illegal = await cli(['run', 'release', String(r.run), '--data-dir', tmp.path]);
    expect(illegal.stderr).toMatch(/cannot release a run in state FailedHolding/);

    const ok = await cli(['run', 'override', String(r.run), '--data-dir', tmp.path, '--reason', 'disk from spares pool', '--supervisor', 'sam', '--json'], { VETTING_SUPERVISOR_SECRET: 'correct horse battery' });
    expect(ok.code).toBe(0);
    expect(await a.directive((m) => m.type === 'run-stage' && m.stage === 'Storage' && m.attempt === 2)).toMatchObject({ wipeOverride: ['LABNVME0001'] });
    for (const stage of agentStagesFrom('Storage')) await runStage(a, stage);
    shown = await showRun(r.run);
    // Disks holding data were overwritten on a supervisor's word: never a plain pass.
    expect(shown).toMatchObject({ state: 'Completed', result: 'pass-with-overrides', overridden: true });
    expect(shown.transitions.some((t) => t.actor === 'supervisor:sam' && t.reason === 'disk from spares pool')).toBe(true);
    const rel = await cli(['run', 'release', String(r.run), '--data-dir', tmp.path, '--json']);
    expect(JSON.parse(rel.stdout).state).toBe('Released');
  });

  it('captures a spec from a run and lists hosts and runs as JSON', async () => {
    const r = await addHostAndStart();
    const a = agentFor(r);
    await a.connect();
    await runStage(a, 'Inventory');
    const cap = await cli(['host', 'capture-spec', 'node1', '--data-dir', tmp.path, '--run', String(r.run)]);
    expect(cap.code).toBe(0);
    expect(cap.stdout).toMatch(/serial: LABNVME0001/);
    expect(cap.stdout).toMatch(/manufacturer: QEMU/);
    const hosts = JSON.parse((await cli(['host', 'list', '--data-dir', tmp.path, '--json'])).stdout) as { name: string; activeRun: number }[];
    expect(hosts).toEqual([expect.objectContaining({ name: 'node1', activeRun: r.run })]);
    const runs = JSON.parse((await cli(['run', 'list', '--data-dir', tmp.path, '--json'])).stdout) as { id: number; state: string }[];
    expect(runs).toEqual([expect.objectContaining({ id: r.run, state: 'SMART' })]);
  });
});
