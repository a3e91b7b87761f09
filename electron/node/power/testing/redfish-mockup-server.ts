import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';
import { createSelfSigned } from '../../bench/tls-identity.ts';

// A small Redfish service for tests: serves one of DMTF's published mockups
// (../redfish/fixtures/) over HTTPS on loopback, and adds what a static mockup
// cannot do — session login and logout, ComputerSystem.Reset changing
// PowerState, and PATCHes of the boot override changing the served system —
// with the refusals a Redfish service gives (401, 400 with an error body, 412
// on a stale If-Match). A power-on or restart "boots" the system: a Once
// override is used up, and the boot is recorded with its source.

export const MOCKUPS = join(import.meta.dirname, '..', 'redfish', 'fixtures');

export interface MockupBoot {
  system: string;
  resetType: string;
  /** What the system booted from: the override target when one was enabled, else its own order. */
  bootedFrom: string;
  mode: string | null;
}

export interface RedfishMockup {
  url: string;
  host: string;
  port: number;
  /** SHA-256 of the server certificate (DER), what a person would pin. */
  certSha256: string;
  /** The resource at a path, as served now. */
  resource(path: string): Record<string, unknown>;
  boots: MockupBoot[];
  /** Every request: method, path and whether it carried a session token. */
  requests: { method: string; path: string; authed: boolean; body: unknown }[];
  sessionsOpen(): number;
  close(): Promise<void>;
}

function loadMockup(dir: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'index.json') {
        const rel = relative(dir, d).split(sep).join('/');
        out.set(rel ? `/redfish/v1/${rel}` : '/redfish/v1', JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>);
      }
    }
  };
  walk(dir);
  return out;
}

const etagOf = (o: unknown) => `W/"${createHash('sha256').update(JSON.stringify(o)).digest('hex').slice(0, 16)}"`;

function redfishError(messageId: string, message: string) {
  return { error: { code: `Base.1.16.${messageId}`, message, '@Message.ExtendedInfo': [{ MessageId: `Base.1.16.${messageId}`, Message: message }] } };
}

export async function startRedfishMockup(mockup: string, opts: { user: string; password: string }): Promise<RedfishMockup> {
  const resources = loadMockup(join(MOCKUPS, mockup));
  const tls = await createSelfSigned('redfish mockup BMC');
  const sessions = new Map<string, string>(); // token → session path
  const boots: MockupBoot[] = [];
  const requests: RedfishMockup['requests'] = [];

  const handle = (method: string, rawPath: string, headers: Record<string, string | string[] | undefined>, body: unknown): { status: number; json?: unknown; headers?: Record<string, string> } => {
    const path = rawPath.split('?')[0]!.replace(/\/+$/, '') || '/';
    const token = typeof headers['x-auth-token'] === 'string' ? headers['x-auth-token'] : null;
    const authed = token !== null && sessions.has(token);
    requests.push({ method, path, authed, body });
    // The service root is open to anyone (DSP0266); everything else needs a session.
    if (method === 'GET' && path === '/redfish/v1') return { status: 200, json: resources.get('/redfish/v1') };
    const sessionsPath = '/redfish/v1/SessionService/Sessions';
    if (method === 'POST' && path === sessionsPath) {
      const b = body as { UserName?: unknown; Password?: unknown } | null;
      if (!b || b.UserName !== opts.user || b.Password !== opts.password) return { status: 401, json: redfishError('NoValidSession', 'Invalid username or password.') };
      const id = randomBytes(8).toString('hex');
      const t = randomBytes(24).toString('base64url');
      const location = `${sessionsPath}/${id}`;
      sessions.set(t, location);
      return { status: 201, json: { '@odata.id': location, Id: id, UserName: opts.user }, headers: { 'x-auth-token': t, location } };
    }
    if (!authed) return { status: 401, json: redfishError('NoValidSession', 'There is no valid session established with the implementation.') };
    if (method === 'DELETE' && path.startsWith(`${sessionsPath}/`)) {
      if (sessions.get(token!) !== path) return { status: 404, json: redfishError('ResourceMissingAtURI', `The resource at ${path} was not found.`) };
      sessions.delete(token!);
      return { status: 204 };
    }
    const reset = /^(\/redfish\/v1\/Systems\/[^/]+)\/Actions\/ComputerSystem\.Reset$/.exec(path);
    if (method === 'POST' && reset) {
      const system = resources.get(reset[1]!) as Record<string, any> | undefined;
      if (!system) return { status: 404, json: redfishError('ResourceMissingAtURI', `The resource at ${path} was not found.`) };
      const type = (body as { ResetType?: unknown } | null)?.ResetType;
      const allowed: string[] = system.Actions?.['#ComputerSystem.Reset']?.['ResetType@Redfish.AllowableValues'] ?? [];
      if (typeof type !== 'string' || !allowed.includes(type)) return { status: 400, json: redfishError('ActionParameterNotSupported', `The parameter ResetType for the action ComputerSystem.Reset is not supported on the target resource.`) };
      const before = system.PowerState;
      let after = before;
      if (type === 'On' || type === 'ForceOn') after = 'On';
      else if (type === 'ForceOff' || type === 'GracefulShutdown') after = 'Off';
      else if (['ForceRestart', 'GracefulRestart', 'PowerCycle'].includes(type)) after = 'On';
      else if (type === 'PushPowerButton') after = before === 'On' ? 'Off' : 'On';
      const booted = after === 'On' && (before !== 'On' || ['ForceRestart', 'GracefulRestart', 'PowerCycle'].includes(type));
      system.PowerState = after;
      if (booted) {
        const boot = system.Boot ?? {};
        const once = boot.BootSourceOverrideEnabled === 'Once' || boot.BootSourceOverrideEnabled === 'Continuous';
        boots.push({ system: reset[1]!, resetType: type, bootedFrom: once ? boot.BootSourceOverrideTarget : 'default', mode: once ? (boot.BootSourceOverrideMode ?? null) : null });
        // A Once override is used by the boot it applied to.
        if (boot.BootSourceOverrideEnabled === 'Once') boot.BootSourceOverrideEnabled = 'Disabled';
      }
      return { status: 204 };
    }
    const resource = resources.get(path);
    if (!resource) return { status: 404, json: redfishError('ResourceMissingAtURI', `The resource at ${path} was not found.`) };
    if (method === 'GET') return { status: 200, json: resource, headers: { etag: etagOf(resource) } };
    if (method === 'PATCH' && path.startsWith('/redfish/v1/Systems/')) {
      const ifMatch = headers['if-match'];
      if (typeof ifMatch === 'string' && ifMatch !== etagOf(resource)) return { status: 412, json: redfishError('PreconditionFailed', 'The ETag supplied did not match the ETag required to change this resource.') };
      const patch = body as { Boot?: Record<string, unknown> } | null;
      const keys = Object.keys(patch ?? {});
      if (!patch || keys.length === 0 || keys.some((k) => k !== 'Boot') || typeof patch.Boot !== 'object' || patch.Boot === null) {
        return { status: 400, json: redfishError('PropertyNotWritable', 'Only the Boot override may be changed on this mockup.') };
      }
      const boot = (resource as Record<string, any>).Boot as Record<string, unknown> | undefined;
      if (!boot) return { status: 400, json: redfishError('PropertyUnknown', 'The property Boot is not in the list of valid properties for the resource.') };
      for (const [k, v] of Object.entries(patch.Boot)) {
        if (!(k in boot)) return { status: 400, json: redfishError('PropertyUnknown', `The property ${k} is not in the list of valid properties for the resource.`) };
        const allowed = boot[`${k}@Redfish.AllowableValues`] as string[] | undefined;
        if (typeof v !== 'string' || (allowed && !allowed.includes(v))) return { status: 400, json: redfishError('PropertyValueNotInList', `The value ${JSON.stringify(v)} for the property ${k} is not in the list of acceptable values.`) };
      }
      Object.assign(boot, patch.Boot);
      return { status: 204 };
    }
    return { status: 405, json: redfishError('OperationNotAllowed', `The HTTP method ${method} is not allowed on ${path}.`) };
  };

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = null;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify(redfishError('MalformedJSON', 'The request body submitted was malformed JSON.')));
        return;
      }
      const out = handle(req.method ?? 'GET', req.url ?? '/', req.headers, body);
      res.writeHead(out.status, { ...(out.json !== undefined ? { 'content-type': 'application/json' } : {}), 'odata-version': '4.0', ...out.headers });
      res.end(out.json !== undefined ? JSON.stringify(out.json) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    certSha256: createHash('sha256').update(new X509Certificate(tls.cert).raw).digest('hex'),
    resource: (p) => resources.get(p.replace(/\/+$/, ''))!,
    boots,
    requests,
    sessionsOpen: () => sessions.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
