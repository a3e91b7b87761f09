import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunDetailView, StageResult } from '../../common/schema/index.ts';
import type { AgentStageName } from '../../common/stages/index.ts';
import { hashCredential } from '../../electron/node/auth/secrets.ts';
import { agentStagesFrom, stageResultBody } from '../support/stage-results.ts';
import { ScriptedAgent } from '../support/scripted-agent.ts';
import { api, cli, serve, tempDir, type Served } from '../support/serve.ts';

// Issue 17: what an attacker on the bench network (or a page on another local
// port) tried, each against a real `vetting serve`. Every test here failed on
// the code before the fix; the finding it reproduces is named in its title.

let tmp: ReturnType<typeof tempDir>;
let server: Served;
const agents: ScriptedAgent[] = [];

beforeEach(async () => {
  tmp = tempDir('vetting-sec-');
  server = await serve(tmp.path);
});
afterEach(async () => {
  for (const a of agents.splice(0)) a.drop();
  await server.stop('SIGKILL');
  tmp.remove();
});

const MAC = '52:54:00:5e:c0:01';

async function hostAndRun(name = 'node1', mac = MAC): Promise<{ run: number; orchestrator: string; token: string; pin: string }> {
  expect((await api(server, 'POST', '/api/hosts', { name, macs: [mac], profile: 'smoke', disks: ['LABNVME0001'] })).status).toBe(200);
  const started = await api<{ run: number; orchestrator: string; token: string; pin: string }>(server, 'POST', '/api/runs', { host: name });
  expect(started.status).toBe(200);
  return started.body;
}

function agent(orchestrator: string, token: string): ScriptedAgent {
  const a = new ScriptedAgent(orchestrator, token);
  agents.push(a);
  return a;
}

async function stage(a: ScriptedAgent, name: AgentStageName, outcome: StageResult['outcome'] = 'passed') {
  const d = await a.directive((m) => m.type === 'run-stage' && m.stage === name);
  if (d.type !== 'run-stage') throw new Error('expected run-stage');
  const body = stageResultBody(name, { disks: ['LABNVME0001'], outcome });
  await a.send({ type: 'stage-result', stage: name, attempt: d.attempt, ...body, summary: body.summary as Record<string, unknown> });
}

async function completedRun() {
  const r = await hostAndRun();
  const a = agent(r.orchestrator, r.token);
  await a.connect();
  for (const s of agentStagesFrom('Inventory')) await stage(a, s);
  await a.directive((m) => m.type === 'shutdown');
  return { ...r, agent: a };
}

const detail = async (id: number) => (await api<RunDetailView>(server, 'GET', `/api/runs/${id}`)).body;

/** A stand-in live image, so the bench serves real live boot scripts. */
async function withImage(): Promise<void> {
  const dir = join(tmp.path, 'image');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vmlinuz'), Buffer.alloc(4096, 1));
  writeFileSync(join(dir, 'initrd.img'), Buffer.alloc(4096, 2));
  expect((await api(server, 'PUT', '/api/settings', { bench: { imageDir: dir } })).status).toBe(200);
}

const bootScript = async (mac = MAC) => (await fetch(`${server.bench}/boot/ipxe?mac=${mac}`)).text();
const tokenIn = (script: string) => /vetting\.token=(\S+)/.exec(script)?.[1] ?? null;

describe('1. agent tokens are issued once per boot attempt', () => {
  it('a second fetch of the boot script mints nothing and revokes nothing; the token works until the run ends', async () => {
    await withImage();
    const r = await hostAndRun();
    const first = await bootScript();
    const token = tokenIn(first);
    expect(token).toBeTruthy();
    // Someone who knows the MAC asks again: no token, and the host's token still works.
    const again = await bootScript();
    expect(tokenIn(again)).toBeNull();
    const a = agent(r.orchestrator, token!);
    expect((await a.connect()).run).toBe(r.run);
    expect(again).toMatch(/already handed out/);
    expect(first).toMatch(/vetting\.pin=sha256:[0-9a-f]{64}/);
    const issued = (await detail(r.run)).transitions.filter((t) => t.action === 'boot-token-issued');
    expect(issued).toHaveLength(1);
    expect(issued[0]!.detail).toMatchObject({ to: '127.0.0.1', mac: MAC });
  });

  it('a person can ask for another boot, which gets one new token', async () => {
    await withImage();
    const r = await hostAndRun();
    expect(tokenIn(await bootScript())).toBeTruthy();
    expect((await api(server, 'POST', `/api/runs/${r.run}/boot`, {})).status).toBe(200);
    const second = tokenIn(await bootScript());
    expect(second).toBeTruthy();
    expect(tokenIn(await bootScript())).toBeNull();
    const byCli = await cli(['run', 'boot', String(r.run), '--data-dir', tmp.path, '--json']);
    expect(byCli.code, byCli.stderr).toBe(0);
    expect(tokenIn(await bootScript())).toBeTruthy();
    expect((await detail(r.run)).transitions.filter((t) => t.action === 'boot-armed' && t.actor === 'operator')).toHaveLength(2);
  });
});

describe('2. forged reports: a finished run accepts nothing, report names belong to the orchestrator', () => {
  it('refuses the token of a Completed run for hello and uploads, and records nothing', async () => {
    const r = await completedRun();
    const before = (await detail(r.run)).transitions.length;
    const late = agent(r.orchestrator, r.token);
    await expect(late.connect()).rejects.toThrow(/run-closed/);
    const put = await fetch(`${server.bench}/runs/${r.run}/artifacts/late.txt`, { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${r.token}` } });
    expect(put.status).toBe(403);
    const after = await detail(r.run);
    expect(after.transitions.length).toBe(before);
    expect(after.transitions.some((t) => t.action === 'agent-reconnected' && t.at > after.completedAt!)).toBe(false);
    expect(after.artifacts.map((x) => x.name)).not.toContain('late.txt');
  });

  it('will not let an agent upload report.html or report.json, and keeps the orchestrator\'s report intact', async () => {
    const r = await hostAndRun();
    const a = agent(r.orchestrator, r.token);
    const welcome = await a.connect();
    for (const name of ['report.html', 'report.json', 'REPORT.html']) {
      const res = await fetch(`${welcome.artifactUrl}/${name}`, { method: 'PUT', body: '<h1>PASS</h1>', headers: { authorization: `Bearer ${r.token}` } });
      expect(res.status, name).toBe(403);
      expect(await res.text()).toMatch(/reserved/);
    }
    for (const s of agentStagesFrom('Inventory')) await stage(a, s);
    const report = await fetch(`${server.control}/api/runs/${r.run}/report.html`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(await report.text()).not.toContain('<h1>PASS</h1>');
    const rows = (await detail(r.run)).artifacts.filter((x) => x.name.startsWith('report.'));
    expect(rows.every((x) => x.kind.startsWith('report_'))).toBe(true);
  });
});

describe('3. agent uploads are served inert', () => {
  it('serves an uploaded .html or .js as plain text with nosniff and a sandbox CSP, a download as an attachment', async () => {
    const r = await hostAndRun();
    const a = agent(r.orchestrator, r.token);
    const welcome = await a.connect();
    for (const name of ['evil.html', 'evil.js', 'evil.svg']) {
      expect((await fetch(`${welcome.artifactUrl}/${name}`, { method: 'PUT', body: '<script>alert(1)</script>', headers: { authorization: `Bearer ${r.token}` } })).status).toBe(201);
      const res = await fetch(`${server.control}/api/runs/${r.run}/artifacts/${name}`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(res.headers.get('content-type'), name).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
      const dl = await fetch(`${server.control}/api/runs/${r.run}/artifacts/${name}?download=1`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
    }
    // Kept apart from the run's reports on disk, too.
    expect(readFileSync(join(tmp.path, 'artifacts', `run-${r.run}`, 'agent', 'evil.html'), 'utf8')).toContain('<script>');
  });
});

describe('4. supervisor credentials', () => {
  it('changing a credential needs the old one (or the local CLI), adding one needs a supervisor; all audited', async () => {
    expect((await api(server, 'POST', '/api/supervisors', { name: 'sam', secret: 'correct horse battery' })).status).toBe(200); // the first one
    const reset = await api<{ code: string }>(server, 'POST', '/api/supervisors', { name: 'sam', secret: 'mallory was here' });
    expect([reset.status, reset.body.code]).toEqual([403, 'old-credential-required']);
    const sneak = await api<{ code: string }>(server, 'POST', '/api/supervisors', { name: 'mallory', secret: 'mallory was here' });
    expect([sneak.status, sneak.body.code]).toEqual([403, 'approval-required']);
    const changed = await api(server, 'POST', '/api/supervisors', { name: 'sam', secret: 'battery staple horse', oldSecret: 'correct horse battery' });
    expect(changed.status).toBe(200);
    const added = await api(server, 'POST', '/api/supervisors', { name: 'ann', secret: 'ann secret 123', approvedBy: { name: 'sam', secret: 'battery staple horse' } });
    expect(added.status).toBe(200);
    const local = await cli(['supervisor', 'set', '--data-dir', tmp.path, '--name', 'sam'], { VETTING_SUPERVISOR_SECRET: 'forgotten and reset' });
    expect([local.code, local.stdout]).toEqual([0, 'supervisor sam changed\n']);
    const audit = (await api<{ name: string; event: string; actor: string }[]>(server, 'GET', '/api/supervisors/audit')).body.reverse();
    expect(audit.map((e) => [e.name, e.event, e.actor.replace(/local-cli:.*/, 'local-cli')])).toEqual([
      ['sam', 'added', 'operator'],
      ['sam', 'change-refused', 'operator'],
      ['mallory', 'add-refused', 'operator'],
      ['sam', 'credential-changed', 'operator'],
      ['ann', 'added', 'operator (approved by supervisor:sam)'],
      ['sam', 'credential-changed', 'local-cli'],
    ]);
  });

  it('backs off wrong guesses per supervisor, answers unknown names the same way, and audits them', async () => {
    expect((await cli(['supervisor', 'add', '--data-dir', tmp.path, '--name', 'sam'], { VETTING_SUPERVISOR_SECRET: 'correct horse battery' })).code).toBe(0);
    const run = await heldRun();
    const approve = (supervisor: string, secret: string) =>
      api<{ error: string; code: string }>(server, 'POST', `/api/runs/${run}/actions`, { action: 'override', reason: 'spare part', supervisor, secret });
    const unknown = await approve('nobody', 'guess one');
    const wrong = await approve('sam', 'guess one');
    expect([unknown.status, unknown.body.code]).toEqual([wrong.status, wrong.body.code]);
    expect(unknown.body.error.replace('nobody', 'X')).toBe(wrong.body.error.replace('sam', 'X'));
    await approve('sam', 'guess two');
    expect((await approve('sam', 'guess three')).status).toBe(403);
    // Locked now: even the right credential is refused until the lock runs out.
    const locked = await approve('sam', 'correct horse battery');
    expect([locked.status, locked.body.code]).toEqual([429, 'locked-out']);
    expect(locked.body.error).toMatch(/try again in \d+ s/);
    expect((await detail(run)).state).toBe('FailedHolding');
    const audit = (await api<{ name: string; event: string }[]>(server, 'GET', '/api/supervisors/audit')).body;
    expect(audit.filter((e) => e.name === 'sam' && e.event === 'wrong-credential')).toHaveLength(3);
    expect(audit.some((e) => e.name === 'sam' && e.event === 'refused-locked')).toBe(true);
    expect(audit.some((e) => e.name === 'nobody' && e.event === 'wrong-credential')).toBe(true);
  });

  it('hashes with scrypt N=2^17 r=8 p=1, and a supervisor stored by an older build still approves, upgraded on use', async () => {
    await server.stop('SIGKILL');
    // As the previous build stored it: scrypt N = 2^14.
    const db = new Database(join(tmp.path, 'vetting.db'));
    db.prepare('INSERT INTO supervisors (name, credential_hash, created_at) VALUES (?, ?, ?)').run('old', await hashCredential('old but gold!', { N: 2 ** 14, r: 8, p: 1 }), new Date().toISOString());
    db.close();
    server = await serve(tmp.path);
    expect((await cli(['supervisor', 'add', '--data-dir', tmp.path, '--name', 'fresh'], { VETTING_SUPERVISOR_SECRET: 'fresh secret 1' })).code).toBe(0);
    // The old credential still approves an override.
    const run = await heldRun();
    const ok = await api(server, 'POST', `/api/runs/${run}/actions`, { action: 'override', reason: 'spare part', supervisor: 'old', secret: 'old but gold!' });
    expect(ok.status).toBe(200);
    expect((await detail(run)).transitions.some((t) => t.actor === 'supervisor:old')).toBe(true);
    const check = new Database(join(tmp.path, 'vetting.db'), { readonly: true });
    const hashes = Object.fromEntries((check.prepare('SELECT name, credential_hash AS h FROM supervisors').all() as { name: string; h: string }[]).map((r) => [r.name, r.h]));
    check.close();
    for (const name of ['old', 'fresh']) expect(hashes[name], name).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});

/** A run held at a failed SMART stage: an override there may name a supervisor, whose credential is then checked. */
async function heldRun(): Promise<number> {
  const r = await hostAndRun('held', '52:54:00:5e:c0:09');
  const a = agent(r.orchestrator, r.token);
  await a.connect();
  await stage(a, 'Inventory');
  await stage(a, 'SMART', 'failed');
  expect((await detail(r.run)).state).toBe('FailedHolding');
  return r.run;
}

describe('6. control API and bench listener hardening', () => {
  it('refuses state-changing requests from another origin, without a JSON type, or naming a foreign Host', async () => {
    const signIn = await fetch(`${server.control}/?token=${server.token}`, { redirect: 'manual' });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const port = new URL(server.control).port;
    // A page on another loopback port is "same site": the browser sends the cookie.
    const cross = await fetch(`${server.control}/api/janitor/run`, { method: 'POST', headers: { cookie, origin: 'http://127.0.0.1:9', 'content-type': 'application/json' }, body: '{}' });
    expect(cross.status).toBe(403);
    const noType = await fetch(`${server.control}/api/janitor/run`, { method: 'POST', headers: { cookie } });
    expect(noType.status).toBe(415);
    const textPlain = await fetch(`${server.control}/api/janitor/run`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{}' });
    expect(textPlain.status).toBe(415);
    // A DNS-rebinding page reaches 127.0.0.1 under its own name (fetch would not let us set Host).
    const rebound = await new Promise<number>((ok, fail) => {
      request(`${server.control}/api/session`, { headers: { authorization: `Bearer ${server.token}`, host: `evil.example:${port}` } }, (res) => ok(res.statusCode ?? 0)).on('error', fail).end();
    });
    expect(rebound).toBe(421);
    expect((await api<{ lastPass: unknown }>(server, 'GET', '/api/janitor')).body.lastPass).toBeNull();
    const same = await fetch(`${server.control}/api/janitor/run`, { method: 'POST', headers: { cookie, origin: server.control, 'content-type': 'application/json' }, body: '{}' });
    expect(same.status).toBe(200);
  });

  it('answers malformed %-escapes with 400 (or as no session), never 500 with the internal message', async () => {
    const route = await fetch(`${server.control}/api/hosts/%E0%A4%A`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(route.status).toBe(400);
    const cookie = await fetch(`${server.control}/api/session`, { headers: { cookie: 'vetting_session=%E0%A4%A' } });
    expect(cookie.status).toBe(401);
    const page = await fetch(`${server.control}/%E0%A4%A`);
    expect(page.status).toBe(400);
    const bench = await fetch(`${server.bench}/runs/1/artifacts/%E0%A4%A`, { method: 'PUT', body: 'x' });
    expect(bench.status).toBe(400);
    for (const res of [route, cookie, page, bench]) expect(await res.text()).not.toMatch(/URIError|URI malformed/);
  });

  it('takes the actor from the session, not from the body', async () => {
    const r = await hostAndRun();
    const forged = await api<{ error: string }>(server, 'POST', `/api/runs/${r.run}/actions`, { action: 'abandon', reason: 'x', actor: 'supervisor:alice' });
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatch(/actor/);
    expect((await api(server, 'POST', `/api/runs/${r.run}/actions`, { action: 'abandon', reason: 'customer took it back' })).status).toBe(200);
    expect((await detail(r.run)).transitions.at(-1)).toMatchObject({ action: 'abandon', actor: 'operator' });
  });

  it('caps connections per address on the bench port, with a readable refusal', async () => {
    // The default allows 32 from one address; a 33rd is refused while they stay open.
    const { hostname, port } = new URL(server.bench);
    const sockets = await Promise.all(Array.from({ length: 32 }, () => new Promise<ReturnType<typeof connect>>((ok) => { const s = connect(Number(port), hostname, () => ok(s)); })));
    try {
      const refused = await fetch(`${server.bench}/health`).then((r) => r.text(), (e: Error) => e.message);
      expect(refused).toMatch(/already has 32 connection\(s\) open .*bench\.maxConnectionsPerAddress/);
    } finally {
      for (const s of sockets) s.destroy();
    }
    // Configurable, and applied to the next connection.
    expect((await api(server, 'PUT', '/api/settings', { bench: { maxConnectionsPerAddress: 1 } })).status).toBe(200);
    const one = await new Promise<ReturnType<typeof connect>>((ok) => { const s = connect(Number(port), hostname, () => ok(s)); });
    try {
      expect(await fetch(`${server.bench}/health`).then((r) => r.text(), (e: Error) => e.message)).toMatch(/already has 1 connection\(s\)/);
    } finally {
      one.destroy();
    }
  });

  it('caps the artifact bytes of a run, with a clear error', async () => {
    expect((await api(server, 'PUT', '/api/settings', { bench: { artifactBytesPerRun: 10_000 } })).status).toBe(200);
    const r = await hostAndRun();
    const a = agent(r.orchestrator, r.token);
    const welcome = await a.connect();
    const put = (name: string) => fetch(`${welcome.artifactUrl}/${name}`, { method: 'PUT', body: 'x'.repeat(6000), headers: { authorization: `Bearer ${r.token}` } });
    expect((await put('one.txt')).status).toBe(201);
    expect((await put('one.txt')).status).toBe(201); // replacing a file counts it once
    const over = await put('two.txt');
    expect(over.status).toBe(413);
    expect(await over.text()).toMatch(new RegExp(`run ${r.run} has used \\d+ of its 10000-byte artifact allowance \\(setting bench\\.artifactBytesPerRun\\)`));
    expect((await detail(r.run)).artifacts.map((x) => x.name)).toEqual(['one.txt']);
  });
});

describe('issue 23: the control token comparison', () => {
  it('refuses a wrong token of the right length on the API and at sign-in', async () => {
    const twin = server.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(twin).toHaveLength(server.token.length);
    expect(twin).not.toBe(server.token);
    expect((await fetch(`${server.control}/api/hosts`, { headers: { authorization: `Bearer ${twin}` } })).status).toBe(401);
    const signIn = await fetch(`${server.control}/?token=${twin}`, { redirect: 'manual' });
    expect(signIn.status).toBe(401);
    expect(signIn.headers.get('set-cookie')).toBeNull();
    expect((await fetch(`${server.control}/api/hosts`, { headers: { cookie: `vetting_session=${twin}` } })).status).toBe(401);
  });
});
