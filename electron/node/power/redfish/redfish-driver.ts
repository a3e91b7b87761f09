import { z } from 'zod';
import type { BmcBootMode, BmcEndpoint, BmcIdentityView } from '../../../../common/schema/index.ts';
import { PowerError, type PowerDriver } from '../driver.ts';
import { pinnedRequest, type JsonResponse } from './pinned-https.ts';

// Redfish (DMTF DSP0266) over HTTPS with session authentication: one session
// per driver (POST SessionService/Sessions, X-Auth-Token, DELETE at close),
// power through ComputerSystem.Reset, the next boot through a PATCH of
// Boot.BootSourceOverrideTarget = Pxe / BootSourceOverrideEnabled = Once.
// Tested against DMTF's published mockups (fixtures/redfish/README.md), never
// against a real BMC.

const OdataRef = z.object({ '@odata.id': z.string() });
const ServiceRoot = z.object({
  Systems: OdataRef.optional(),
  SessionService: OdataRef.optional(),
  Links: z.object({ Sessions: OdataRef.optional() }).optional(),
});
const Collection = z.object({ Members: z.array(OdataRef) });
const ResetAction = z.object({
  target: z.string(),
  'ResetType@Redfish.AllowableValues': z.array(z.string()).optional(),
  '@Redfish.ActionInfo': z.string().optional(),
});
const ComputerSystem = z.object({
  PowerState: z.string().nullable().optional(),
  Manufacturer: z.string().nullable().optional(),
  Model: z.string().nullable().optional(),
  Boot: z
    .object({
      BootSourceOverrideTarget: z.string().nullable().optional(),
      'BootSourceOverrideTarget@Redfish.AllowableValues': z.array(z.string()).optional(),
      BootSourceOverrideEnabled: z.string().nullable().optional(),
      'BootSourceOverrideEnabled@Redfish.AllowableValues': z.array(z.string()).optional(),
      BootSourceOverrideMode: z.string().nullable().optional(),
      'BootSourceOverrideMode@Redfish.AllowableValues': z.array(z.string()).optional(),
    })
    .optional(),
  Actions: z.object({ '#ComputerSystem.Reset': ResetAction.optional() }).optional(),
  Links: z.object({ ManagedBy: z.array(OdataRef).optional() }).optional(),
  '@odata.etag': z.string().optional(),
});
type ComputerSystem = z.infer<typeof ComputerSystem>;
const Manager = z.object({ Model: z.string().nullable().optional(), Manufacturer: z.string().nullable().optional(), FirmwareVersion: z.string().nullable().optional() });
const ActionInfo = z.object({ Parameters: z.array(z.object({ Name: z.string(), AllowableValues: z.array(z.string()).optional() })).optional() });
const RedfishError = z.object({
  error: z.object({
    message: z.string().optional(),
    '@Message.ExtendedInfo': z.array(z.object({ Message: z.string().optional(), MessageId: z.string().optional() })).optional(),
  }),
});

export interface RedfishTarget {
  endpoint: BmcEndpoint;
  user: string;
  password: string;
  /** SHA-256 of the certificate a person accepted; null: nothing is sent, the certificate is reported instead. */
  certSha256: string | null;
}

/** Redfish's power states, as the board shows them. */
export function powerStateOf(value: string | null | undefined): 'on' | 'off' | null {
  if (value === 'On' || value === 'PoweringOn' || value === 'Paused') return 'on';
  if (value === 'Off' || value === 'PoweringOff') return 'off';
  return null;
}

/** The sentence a Redfish error body carries (its first extended message, else its message). */
export function redfishErrorText(json: unknown): string | null {
  const e = RedfishError.safeParse(json);
  if (!e.success) return null;
  return e.data.error['@Message.ExtendedInfo']?.find((m) => m.Message)?.Message ?? e.data.error.message ?? null;
}

export class RedfishDriver implements PowerDriver {
  private session: { token: string; location: string | null } | null = null;
  private systemPath: string | null;
  private readonly where: string;

  constructor(
    private readonly target: RedfishTarget,
    private readonly opts: { timeoutMs?: number } = {},
  ) {
    this.systemPath = target.endpoint.systemPath;
    const { host, port } = target.endpoint;
    this.where = `the Redfish service at ${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  private send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
    return pinnedRequest(this.target.endpoint, this.target.certSha256, { method, path, headers, ...(body === undefined ? {} : { body }) }, this.opts.timeoutMs);
  }

  private fail(what: string, res: JsonResponse): never {
    const why = redfishErrorText(res.json) ?? `HTTP ${res.status}`;
    if (res.status === 401 || res.status === 403) throw new PowerError('bmc-auth', `${this.where} refused ${what}: ${why}`);
    if (res.status === 404 || res.status === 405 || res.status === 501) throw new PowerError('bmc-unsupported', `${this.where} does not offer ${what}: ${why}`);
    throw new PowerError('bmc-failed', `${this.where} refused ${what}: ${why}`);
  }

  private parse<T>(schema: z.ZodType<T>, res: JsonResponse, what: string): T {
    const parsed = schema.safeParse(res.json);
    if (!parsed.success) throw new PowerError('bmc-bad-answer', `${this.where} answered ${what} with something that is not a Redfish ${what} (${parsed.error.issues[0]?.message ?? 'not JSON'})`);
    return parsed.data;
  }

  private rootDoc: z.infer<typeof ServiceRoot> | null = null;

  /** The service root (open to anyone, DSP0266), read once per driver. */
  private async root() {
    if (this.rootDoc) return this.rootDoc;
    const res = await this.send('GET', '/redfish/v1/');
    if (res.status !== 200) this.fail('its service root (/redfish/v1/)', res);
    return (this.rootDoc = this.parse(ServiceRoot, res, 'service root'));
  }

  /** Logs in (once per driver): POST to the session collection with the user and password. */
  private async login(): Promise<string> {
    if (this.session) return this.session.token;
    const root = await this.root();
    const sessions = root.Links?.Sessions?.['@odata.id'] ?? (root.SessionService ? `${root.SessionService['@odata.id'].replace(/\/$/, '')}/Sessions` : '/redfish/v1/SessionService/Sessions');
    const res = await this.send('POST', sessions, { UserName: this.target.user, Password: this.target.password });
    if (res.status === 401 || res.status === 403 || res.status === 400) {
      throw new PowerError('bmc-auth', `${this.where} did not accept this user and password (${redfishErrorText(res.json) ?? `HTTP ${res.status}`})`);
    }
    if (res.status !== 200 && res.status !== 201) this.fail('a session (login)', res);
    const token = res.headers['x-auth-token'];
    if (typeof token !== 'string' || !token) throw new PowerError('bmc-bad-answer', `${this.where} opened a session but sent no X-Auth-Token`);
    const location = typeof res.headers.location === 'string' ? new URL(res.headers.location, 'https://bmc').pathname : null;
    this.session = { token, location };
    return token;
  }

  /** A request inside the session; a session the BMC dropped (401) is opened again once. */
  private async authed(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
    const token = await this.login();
    const res = await this.send(method, path, body, { ...headers, 'x-auth-token': token });
    if (res.status !== 401) return res;
    this.session = null;
    return this.send(method, path, body, { ...headers, 'x-auth-token': await this.login() });
  }

  /** The ComputerSystem to drive: the one named in the address, else the BMC's only one. */
  private async system(): Promise<{ path: string; body: ComputerSystem; etag: string | null }> {
    if (!this.systemPath) {
      const root = await this.root();
      const systems = root.Systems?.['@odata.id'];
      if (!systems) throw new PowerError('bmc-unsupported', `${this.where} lists no Systems collection`);
      const res = await this.authed('GET', systems);
      if (res.status !== 200) this.fail('its Systems collection', res);
      const members = this.parse(Collection, res, 'Systems collection').Members.map((m) => m['@odata.id']);
      if (members.length === 0) throw new PowerError('bmc-bad-answer', `${this.where} manages no ComputerSystem`);
      if (members.length > 1) {
        throw new PowerError('bmc-failed', `${this.where} manages ${members.length} systems (${members.join(', ')}): put the one this host is into the BMC address, e.g. https://${this.target.endpoint.host}${members[0]}`);
      }
      this.systemPath = members[0]!;
    }
    const res = await this.authed('GET', this.systemPath);
    if (res.status !== 200) this.fail(`the ComputerSystem ${this.systemPath}`, res);
    const etag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
    const body = this.parse(ComputerSystem, res, 'ComputerSystem');
    return { path: this.systemPath, body, etag: etag ?? body['@odata.etag'] ?? null };
  }

  async status(): Promise<'on' | 'off'> {
    const { body } = await this.system();
    const state = powerStateOf(body.PowerState);
    if (!state) throw new PowerError('bmc-bad-answer', `${this.where} reports PowerState ${JSON.stringify(body.PowerState ?? null)}`);
    return state;
  }

  /** ComputerSystem.Reset with the first of `types` the BMC allows. */
  private async reset(what: string, types: string[]): Promise<void> {
    const { body } = await this.system();
    const action = body.Actions?.['#ComputerSystem.Reset'];
    if (!action) throw new PowerError('bmc-unsupported', `${this.where} offers no ComputerSystem.Reset action, so it cannot ${what}`);
    let allowed = action['ResetType@Redfish.AllowableValues'] ?? null;
    if (!allowed && action['@Redfish.ActionInfo']) {
      const info = await this.authed('GET', action['@Redfish.ActionInfo']);
      if (info.status === 200) allowed = this.parse(ActionInfo, info, 'ActionInfo').Parameters?.find((p) => p.Name === 'ResetType')?.AllowableValues ?? null;
    }
    const type = allowed ? types.find((t) => allowed.includes(t)) : types[0];
    if (!type) throw new PowerError('bmc-unsupported', `${this.where} cannot ${what}: it allows ResetType ${allowed!.join(', ')}, none of ${types.join(', ')}`);
    const res = await this.authed('POST', new URL(action.target, 'https://bmc').pathname, { ResetType: type });
    if (![200, 202, 204].includes(res.status)) this.fail(`ResetType ${type} (${what})`, res);
  }

  powerOn(): Promise<void> {
    return this.reset('power on', ['On', 'ForceOn']);
  }

  powerOff(): Promise<void> {
    return this.reset('power off', ['ForceOff']);
  }

  powerCycle(): Promise<void> {
    return this.reset('power-cycle', ['PowerCycle', 'ForceRestart']);
  }

  async bootPxeOnce(mode: BmcBootMode | null): Promise<void> {
    const { path, body, etag } = await this.system();
    const boot = body.Boot;
    if (!boot) throw new PowerError('bmc-unsupported', `${this.where} offers no Boot settings on ${path}, so the next boot cannot be set to PXE`);
    const allowed = (key: 'BootSourceOverrideTarget' | 'BootSourceOverrideEnabled' | 'BootSourceOverrideMode', value: string) => {
      const list = boot[`${key}@Redfish.AllowableValues`];
      if (list && !list.includes(value)) throw new PowerError('bmc-unsupported', `${this.where} does not allow ${key} = ${value} (it allows ${list.join(', ')})`);
    };
    allowed('BootSourceOverrideTarget', 'Pxe');
    allowed('BootSourceOverrideEnabled', 'Once');
    const wanted: Record<string, string> = { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' };
    if (mode) {
      const value = mode === 'uefi' ? 'UEFI' : 'Legacy';
      if (!('BootSourceOverrideMode' in boot)) throw new PowerError('bmc-unsupported', `${this.where} has no BootSourceOverrideMode, so it cannot be asked for a ${value} network boot; clear the host's boot mode to leave it to the firmware`);
      allowed('BootSourceOverrideMode', value);
      wanted.BootSourceOverrideMode = value;
    }
    const res = await this.authed('PATCH', path, { Boot: wanted }, etag ? { 'if-match': etag } : {});
    if (![200, 202, 204].includes(res.status)) this.fail('the boot override (PXE, once)', res);
    // Read it back: a BMC may answer 200 and keep its old settings.
    const after = (await this.system()).body.Boot;
    if (after?.BootSourceOverrideTarget !== 'Pxe' || after.BootSourceOverrideEnabled !== 'Once') {
      throw new PowerError('bmc-failed', `${this.where} accepted the PXE boot override but now reports ${after?.BootSourceOverrideTarget ?? 'no target'} (${after?.BootSourceOverrideEnabled ?? 'not enabled'})`);
    }
  }

  async identify(): Promise<BmcIdentityView> {
    const { body } = await this.system();
    const managerPath = body.Links?.ManagedBy?.[0]?.['@odata.id'];
    let manager: z.infer<typeof Manager> | null = null;
    if (managerPath) {
      const res = await this.authed('GET', managerPath);
      if (res.status === 200) manager = this.parse(Manager, res, 'Manager');
    }
    return {
      manufacturer: manager?.Manufacturer ?? body.Manufacturer ?? null,
      model: manager?.Model ?? null,
      firmware: manager?.FirmwareVersion ?? null,
    };
  }

  /** Ends the session (DELETE on its URI); a BMC that already dropped it is no error. */
  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (!s?.location) return;
    try {
      await this.send('DELETE', s.location, undefined, { 'x-auth-token': s.token });
    } catch {
      // The session times out on the BMC by itself.
    }
  }
}
