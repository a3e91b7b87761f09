import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BmcTestView, HostView, RunDetailView, RunSummaryView, StageResult } from '../../common/schema/index.ts';
import type { AgentStageName } from '../../common/stages/index.ts';
import { startRedfishMockup, type RedfishMockup } from '../../electron/node/power/testing/redfish-mockup-server.ts';
import { freeUdpPort, startIpmiSim, type IpmiSim } from '../support/ipmi-sim.ts';
import { ScriptedAgent } from '../support/scripted-agent.ts';
import { agentStagesFrom, stageResultBody } from '../support/stage-results.ts';
import { api, cli, serve, tempDir, type Served } from '../support/serve.ts';

// A run driven through the host's BMC, as a person meets it: a real
// `vetting serve`, the real CLI, a scripted agent over a real WebSocket, and a
// real BMC simulator (OpenIPMI's ipmi_sim, answering ipmitool on loopback) or
// DMTF's Redfish mockup served over HTTPS. The server logs at debug level, and
// neither its log nor its data directory may ever hold the BMC password.

let tmp: ReturnType<typeof tempDir>;
let server: Served;
let serverLog = '';
const sims: IpmiSim[] = [];
const mockups: RedfishMockup[] = [];
const agents: ScriptedAgent[] = [];

beforeEach(async () => {
  tmp = tempDir();
  // Debug level: the most the server ever logs, none of which may hold a password.
  const level = process.env.VETTING_LOG_LEVEL;
  process.env.VETTING_LOG_LEVEL = 'debug';
  try {
    server = await serve(tmp.path);
  } finally {
    if (level === undefined) delete process.env.VETTING_LOG_LEVEL;
    else process.env.VETTING_LOG_LEVEL = level;
  }
  serverLog = '';
  server.child.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
});
afterEach(async () => {
  for (const a of agents.splice(0)) a.drop();
  await server.stop('SIGKILL');
  for (const s of sims.splice(0)) await s.stop();
  for (const m of mockups.splice(0)) await m.close();
  tmp.remove();
});

const v = (args: string[], env: Record<string, string> = {}) => cli([...args, '--data-dir', tmp.path], env);

async function bmcHost(name: string, s: { host: string; port: number; user: string; password: string }, mac: string): Promise<HostView> {
  const add = await v(['host', 'add', '--name', name, '--mac', mac, '--profile', 'smoke', '--disk', 'LABNVME0001', '--bmc', `${s.host}:${s.port}`, '--bmc-driver', 'ipmi', '--bmc-user', s.user, '--json'], { VETTING_BMC_PASSWORD: s.password });
  expect(add.stderr).toBe('');
  expect(add.code).toBe(0);
  expect(add.stdout).not.toContain(s.password);
  return JSON.parse(add.stdout) as HostView;
}

/** The same through the API (quicker than a CLI process), for hosts whose adding is not what a test is about. */
async function bmcHostViaApi(name: string, s: { host: string; port: number; user: string; password: string }, mac: string): Promise<void> {
  const r = await api(server, 'POST', '/api/hosts', { name, macs: [mac], profile: 'smoke', disks: ['LABNVME0001'], bmc: { driver: 'ipmi', address: `${s.host}:${s.port}`, user: s.user, password: s.password } });
  expect(r.status).toBe(200);
}

async function runDetail(id: number): Promise<RunDetailView> {
  return (await api<RunDetailView>(server, 'GET', `/api/runs/${id}`)).body;
}
const powerSteps = (r: RunDetailView) => r.transitions.filter((t) => /^(boot-pxe|power-)/.test(t.action)).map((t) => ({ action: t.action, actor: t.actor, ok: (t.detail as { ok: boolean }).ok }));

async function runStage(a: ScriptedAgent, stage: AgentStageName, outcome: StageResult['outcome'] = 'passed') {
  const d = await a.directive((m) => m.type === 'run-stage' && m.stage === stage);
  if (d.type !== 'run-stage') throw new Error('expected run-stage');
  await a.send({ type: 'stage-started', stage, attempt: d.attempt });
  const body = stageResultBody(stage, { disks: ['LABNVME0001'], nicMac: '52:54:00:aa:cc:01', outcome });
  await a.send({ type: 'stage-result', stage, attempt: d.attempt, ...body, summary: body.summary as Record<string, unknown> });
}

function expectNoSecretAnywhere(secret: string) {
  expect(serverLog).not.toContain(secret);
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(tmp.path)) expect(readFileSync(file).includes(Buffer.from(secret)), file).toBe(false);
}

describe('runs driven through an IPMI BMC', () => {
  it('start sets PXE once and powers on; the verdict powers off; every step is audited with who asked', async () => {
    const s = await startIpmiSim();
    sims.push(s);
    const host = await bmcHost('node1', s, '52:54:00:aa:cc:01');
    expect(host.bmc).toMatchObject({ driver: 'ipmi', address: `127.0.0.1:${s.port}`, user: s.user, credential: 'stored' });

    const test = await v(['host', 'test-bmc', 'node1', '--json']);
    expect(test.code).toBe(0);
    expect(JSON.parse(test.stdout)).toMatchObject({ ok: true, power: 'off', identity: { manufacturer: 'MontaVista Software, Inc.' } });

    const start = await v(['run', 'start', '--host', 'node1', '--json']);
    expect(start.code).toBe(0);
    const started = JSON.parse(start.stdout) as { run: number; token: string; orchestrator: string; power: { action: string; ok: boolean }[] };
    expect(started.power.map((p) => [p.action, p.ok])).toEqual([['boot-pxe', true], ['power-on', true]]);
    expect(s.events()).toEqual(['set boot pxe', 'set power 1', 'boot-from pxe']);
    const board = (await api<{ entries: { host: HostView }[] }>(server, 'GET', '/api/board')).body;
    expect(board.entries[0]!.host.bmc!.power).toMatchObject({ state: 'on', error: null });

    const a = new ScriptedAgent(started.orchestrator, started.token);
    agents.push(a);
    await a.connect({ bootMac: '52:54:00:aa:cc:01' });
    for (const stage of agentStagesFrom('Inventory')) await runStage(a, stage, stage === 'GPU' ? 'skipped' : 'passed');
    await expect.poll(async () => powerSteps(await runDetail(started.run)), { timeout: 20_000 }).toEqual([
      { action: 'boot-pxe', actor: 'operator', ok: true },
      { action: 'power-on', actor: 'operator', ok: true },
      { action: 'power-off', actor: 'orchestrator', ok: true },
    ]);
    const done = await runDetail(started.run);
    expect(done.state).toBe('Completed');
    expect(s.power()).toBe('off');
    expect(s.events().at(-1)).toBe('set power 0');
    expectNoSecretAnywhere(s.password);
  });

  it('asks before cycling a host that is on, leaves a held host on, and powers off on abandon when asked', async () => {
    const s = await startIpmiSim();
    sims.push(s);
    await bmcHostViaApi('node2', s, '52:54:00:aa:cc:02');
    const first = (await api<{ run: number }>(server, 'POST', '/api/runs', { host: 'node2', power: 'none' })).body;
    expect(powerSteps(await runDetail(first.run))).toEqual([{ action: 'power-left', actor: 'operator', ok: true }]);
    expect(s.events()).toEqual([]);
    await api(server, 'POST', `/api/runs/${first.run}/actions`, { action: 'abandon', reason: 'power it on from the bench instead' });

    // "cycle" on a host that is off powers it on; abandoning without --power-off leaves it on.
    const on = await api<{ run: number; power: { action: string }[] }>(server, 'POST', '/api/runs', { host: 'node2', power: 'cycle' });
    expect(on.status).toBe(200);
    expect(on.body.power.map((p) => p.action)).toEqual(['boot-pxe', 'power-on']);
    await api(server, 'POST', `/api/runs/${on.body.run}/actions`, { action: 'abandon', reason: 'again' });
    expect(s.power()).toBe('on');
    // Now it is on: the bench must not cycle it without asking.
    const before = s.events().length;
    const refused = await v(['run', 'start', '--host', 'node2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/node2 is powered on: starting the run will power-cycle it/);
    expect((await api<RunSummaryView[]>(server, 'GET', '/api/runs')).body).toHaveLength(2); // no run made
    expect(s.events()).toHaveLength(before); // nothing sent to the chassis

    const cycled = await api<{ run: number; token: string; orchestrator: string; power: { action: string; ok: boolean }[] }>(server, 'POST', '/api/runs', { host: 'node2', power: 'cycle' });
    expect(cycled.status).toBe(200);
    const c = cycled.body;
    expect(c.power.map((p) => p.action)).toEqual(['boot-pxe', 'power-cycle']);
    await expect.poll(() => s.events().slice(-2), { timeout: 10_000 }).toEqual(['set power 1', 'boot-from pxe']);

    // SMART fails: the run holds, the host stays on for a person to look at.
    const a = new ScriptedAgent(c.orchestrator, c.token);
    agents.push(a);
    await a.connect({ bootMac: '52:54:00:aa:cc:02' });
    await runStage(a, 'Inventory');
    await runStage(a, 'SMART', 'failed');
    await expect.poll(async () => (await runDetail(c.run)).state, { timeout: 10_000 }).toBe('FailedHolding');
    expect(powerSteps(await runDetail(c.run)).map((p) => p.action)).toEqual(['boot-pxe', 'power-cycle']);
    expect(s.power()).toBe('on');

    const abandon = await v(['run', 'abandon', String(c.run), '--reason', 'disk to replace', '--power-off', '--json']);
    expect(abandon.code).toBe(0);
    const abandoned = await runDetail(c.run);
    expect(abandoned.state).toBe('Abandoned');
    expect(powerSteps(abandoned).at(-1)).toEqual({ action: 'power-off', actor: 'operator', ok: true });
    expect(s.power()).toBe('off');
    expectNoSecretAnywhere(s.password);
  });

  it('does not start a run when the BMC is unreachable or refuses the credentials, and says which', async () => {
    const s = await startIpmiSim();
    sims.push(s);
    await bmcHost('wrongpw', { ...s, password: 'not-its-password' }, '52:54:00:aa:cc:03');
    const auth = await v(['run', 'start', '--host', 'wrongpw']);
    expect(auth.code).not.toBe(0);
    expect(auth.stderr).toMatch(/run not started for wrongpw: BMC refused the credentials/);

    await bmcHostViaApi('gone', { host: '127.0.0.1', port: await freeUdpPort(), user: 'x', password: 'whatever-pw' }, '52:54:00:aa:cc:04');
    const gone = await api<{ code: string; error: string }>(server, 'POST', '/api/runs', { host: 'gone' });
    expect(gone.status).toBe(502);
    expect(gone.body).toMatchObject({ code: 'bmc-unreachable', error: expect.stringMatching(/^run not started for gone: BMC unreachable: no IPMI answer/) });

    const bare = await startIpmiSim({ chassis: 'none' });
    sims.push(bare);
    await bmcHostViaApi('bare', bare, '52:54:00:aa:cc:05');
    const unsupported = await api<{ code: string; error: string }>(server, 'POST', '/api/runs', { host: 'bare' });
    expect(unsupported.body).toMatchObject({ code: 'bmc-unsupported', error: expect.stringContaining('refused to set the next boot device to PXE') });

    expect((await api<RunSummaryView[]>(server, 'GET', '/api/runs')).body).toEqual([]);
    const hosts = (await api<HostView[]>(server, 'GET', '/api/hosts')).body;
    expect(hosts.find((h) => h.name === 'gone')!.bmc!.power).toMatchObject({ state: 'unknown', error: expect.stringContaining('BMC unreachable') });
    // Nothing the API answers about hosts carries a credential.
    expect(JSON.stringify(hosts)).not.toMatch(/not-its-password|whatever-pw|sim-secret/);
  });
});

describe('a Redfish BMC from the API', () => {
  it('shows the certificate before any credential is sent, and works once a person trusted it', async () => {
    const m = await startRedfishMockup('public-rackmount1', { user: 'root', password: 'rf-secret-91a2' });
    mockups.push(m);
    const bmc = { driver: 'redfish', address: `https://${m.host}:${m.port}`, user: 'root', password: 'rf-secret-91a2' };
    const first = await api<BmcTestView>(server, 'POST', '/api/bmc/test', { bmc });
    expect(first.body).toMatchObject({ ok: false, certificate: { sha256: m.certSha256, pinned: false }, error: { code: 'bmc-certificate-untrusted' } });
    expect(m.requests).toEqual([]);

    const added = await api<HostView>(server, 'POST', '/api/hosts', { name: 'rf1', bmc: { ...bmc, certSha256: first.body.certificate!.sha256 } });
    expect(added.status).toBe(200);
    expect(JSON.stringify(added.body)).not.toContain('rf-secret-91a2');
    const ok = await api<BmcTestView>(server, 'POST', '/api/bmc/test', { host: 'rf1' });
    expect(ok.body).toMatchObject({ ok: true, power: 'on', identity: { model: 'Joo Janta 200', firmware: '1.45.455b66-rev4' }, certificate: { pinned: true } });

    const shown = await v(['host', 'test-bmc', 'rf1']);
    expect(shown.stdout).toMatch(/power: on\nBMC: Contoso Joo Janta 200, firmware 1.45.455b66-rev4/);
    expect(m.sessionsOpen()).toBe(0); // every test logged out again
    expect(existsSync(join(tmp.path, 'bmc-credentials.key'))).toBe(true);
    expectNoSecretAnywhere('rf-secret-91a2');
  });
});
