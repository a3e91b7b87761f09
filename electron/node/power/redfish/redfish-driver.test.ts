import { afterEach, describe, expect, it } from 'vitest';
import { PowerError } from '../driver.ts';
import { startRedfishMockup, type RedfishMockup } from '../testing/redfish-mockup-server.ts';
import { probeCertificate } from './pinned-https.ts';
import { powerStateOf, RedfishDriver } from './redfish-driver.ts';

// The Redfish driver against DMTF's published mockups (../redfish/fixtures),
// served over HTTPS on loopback by a small server that applies Reset and
// boot-override PATCHes (../testing/redfish-mockup-server.ts).

const USER = 'bench';
const PASSWORD = 'rf-secret-3b9d';
const open: RedfishMockup[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
});

async function mockup(name: 'public-rackmount1' | 'public-bladed') {
  const m = await startRedfishMockup(name, { user: USER, password: PASSWORD });
  open.push(m);
  return m;
}

function driver(m: RedfishMockup, over: { certSha256?: string | null; password?: string; systemPath?: string | null } = {}) {
  return new RedfishDriver({
    endpoint: { host: m.host, port: m.port, systemPath: over.systemPath ?? null },
    user: USER,
    password: over.password ?? PASSWORD,
    certSha256: over.certSha256 === undefined ? m.certSha256 : over.certSha256,
  });
}

async function failure(p: Promise<unknown>): Promise<PowerError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PowerError);
  expect((e as Error).message).not.toContain(PASSWORD);
  return e as PowerError;
}

describe('Redfish certificate pinning', () => {
  it('sends nothing to a BMC whose certificate nobody trusted yet, and shows that certificate', async () => {
    const m = await mockup('public-rackmount1');
    const e = await failure(driver(m, { certSha256: null }).status());
    expect(e.powerCode).toBe('bmc-certificate-untrusted');
    expect((e.extra?.certificate as { sha256: string }).sha256).toBe(m.certSha256);
    expect(e.message).toContain(m.certSha256.slice(0, 2).toUpperCase());
    expect(m.requests).toEqual([]); // not even the service root
    expect(await probeCertificate({ host: m.host, port: m.port })).toMatchObject({ sha256: m.certSha256, subject: 'CN=redfish mockup BMC' });
  });

  it('sends nothing when the BMC presents another certificate than the trusted one', async () => {
    const m = await mockup('public-rackmount1');
    const e = await failure(driver(m, { certSha256: 'ab'.repeat(32) }).powerOn());
    expect(e.powerCode).toBe('bmc-certificate-changed');
    expect(e.message).toMatch(/nothing was sent/);
    expect(m.requests).toEqual([]);
  });
});

describe('Redfish power (public-rackmount1)', () => {
  it('logs in with a session, reads power state and the BMC model, and logs out', async () => {
    const m = await mockup('public-rackmount1');
    const d = driver(m);
    expect(await d.status()).toBe('on');
    expect(await d.identify()).toEqual({ manufacturer: 'Contoso', model: 'Joo Janta 200', firmware: '1.45.455b66-rev4' });
    const login = m.requests.find((r) => r.method === 'POST' && r.path === '/redfish/v1/SessionService/Sessions');
    expect(login?.body).toEqual({ UserName: USER, Password: PASSWORD });
    // Everything but the service root and the login went with the session token.
    expect(m.requests.filter((r) => !r.authed).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /redfish/v1', 'POST /redfish/v1/SessionService/Sessions']);
    expect(m.sessionsOpen()).toBe(1);
    await d.close();
    expect(m.sessionsOpen()).toBe(0);
  });

  it('powers off and on, and sets PXE for exactly the next boot', async () => {
    const m = await mockup('public-rackmount1');
    const d = driver(m);
    const system = () => m.resource('/redfish/v1/Systems/437XR1138R2') as { PowerState: string; Boot: Record<string, string> };
    await d.powerOff();
    expect(system().PowerState).toBe('Off');
    expect(await d.status()).toBe('off');
    // The mockup ships with a PXE-once override; one boot uses it up.
    await d.powerOn();
    expect(m.boots.at(-1)).toMatchObject({ resetType: 'On', bootedFrom: 'Pxe' });
    expect(system().Boot.BootSourceOverrideEnabled).toBe('Disabled');
    await d.powerCycle();
    expect(m.boots.at(-1)).toMatchObject({ resetType: 'ForceRestart', bootedFrom: 'default' });
    // Now the bench asks for it: PXE, once, UEFI; the next boot takes it, the one after does not.
    await d.bootPxeOnce('uefi');
    expect(system().Boot).toMatchObject({ BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' });
    const patch = m.requests.find((r) => r.method === 'PATCH');
    expect(patch?.body).toEqual({ Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' } });
    await d.powerCycle();
    expect(m.boots.at(-1)).toMatchObject({ bootedFrom: 'Pxe', mode: 'UEFI' });
    await d.powerCycle();
    expect(m.boots.at(-1)).toMatchObject({ bootedFrom: 'default' });
    await d.close();
  });

  it('names wrong credentials, an unreachable BMC and an action the BMC does not allow', async () => {
    const m = await mockup('public-rackmount1');
    expect((await failure(driver(m, { password: 'not-it' }).status())).powerCode).toBe('bmc-auth');
    const allowed = (m.resource('/redfish/v1/Systems/437XR1138R2') as { Actions: Record<string, Record<string, unknown>> }).Actions['#ComputerSystem.Reset']!;
    allowed['ResetType@Redfish.AllowableValues'] = ['On', 'GracefulShutdown'];
    const e = await failure(driver(m).powerOff());
    expect(e.powerCode).toBe('bmc-unsupported');
    expect(e.message).toContain('it allows ResetType On, GracefulShutdown, none of ForceOff');
    expect(m.requests.some((r) => r.path.endsWith('ComputerSystem.Reset'))).toBe(false);
    const port = m.port;
    await m.close();
    open.splice(open.indexOf(m), 1);
    const gone = await failure(new RedfishDriver({ endpoint: { host: '127.0.0.1', port, systemPath: null }, user: USER, password: PASSWORD, certSha256: 'ab'.repeat(32) }).status());
    expect(gone.powerCode).toBe('bmc-unreachable');
  });
});

describe('Redfish power (public-bladed: four systems, no boot mode)', () => {
  it('asks which system when the BMC manages several, and drives the one named in the address', async () => {
    const m = await mockup('public-bladed');
    const e = await failure(driver(m).status());
    expect(e.powerCode).toBe('bmc-failed');
    expect(e.message).toContain('manages 4 systems');
    expect(e.message).toContain('/redfish/v1/Systems/529QB9450R6');
    const d = driver(m, { systemPath: '/redfish/v1/Systems/529QB9451R6' });
    expect(await d.status()).toBe('on');
    await d.powerOff();
    expect((m.resource('/redfish/v1/Systems/529QB9451R6') as { PowerState: string }).PowerState).toBe('Off');
    expect((m.resource('/redfish/v1/Systems/529QB9450R6') as { PowerState: string }).PowerState).toBe('On');
    await d.close();
  });

  it('refuses a UEFI request where the system has no boot mode, before changing anything; PXE alone works', async () => {
    const m = await mockup('public-bladed');
    const d = driver(m, { systemPath: '/redfish/v1/Systems/529QB9452R6' });
    const e = await failure(d.bootPxeOnce('uefi'));
    expect(e.powerCode).toBe('bmc-unsupported');
    expect(e.message).toContain('has no BootSourceOverrideMode');
    expect(m.requests.some((r) => r.method === 'PATCH')).toBe(false);
    await d.bootPxeOnce(null);
    expect((m.resource('/redfish/v1/Systems/529QB9452R6') as { Boot: Record<string, string> }).Boot).toMatchObject({ BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' });
    await d.close();
  });
});

describe('Redfish power states', () => {
  it('maps every PowerState to on or off', () => {
    expect(['On', 'PoweringOn', 'Paused'].map(powerStateOf)).toEqual(['on', 'on', 'on']);
    expect(['Off', 'PoweringOff'].map(powerStateOf)).toEqual(['off', 'off']);
    expect(powerStateOf(null)).toBeNull();
  });
});
