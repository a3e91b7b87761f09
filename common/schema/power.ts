import { z } from 'zod';
import { HostName } from './primitives.ts';

// A host's BMC and what the bench does with it (docs/operations.md, "Power
// through the BMC"): the settings a person gives, what the API shows back (never
// the credential), and the answers of a connection test.

export const BMC_DRIVERS = ['ipmi', 'redfish'] as const;
export const BmcDriver = z.enum(BMC_DRIVERS);
export type BmcDriver = z.infer<typeof BmcDriver>;

/** How the next network boot should start, where the BMC can choose; null leaves the firmware's own choice (Redfish) or means legacy (IPMI's flags always say one). */
export const BmcBootMode = z.enum(['uefi', 'legacy']);
export type BmcBootMode = z.infer<typeof BmcBootMode>;

/** Where a BMC answers, parsed from what a person typed. */
export interface BmcEndpoint {
  host: string;
  port: number;
  /** Redfish only: the ComputerSystem to drive, when the BMC manages several. */
  systemPath: string | null;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

function hostAndPort(text: string, defaultPort: number): { host: string; port: number } | string {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  if (!m) return 'expected HOST or HOST:PORT (an IPv6 address in brackets: [fd00::5]:623)';
  const host = m[1]!;
  if (!(IPV4.test(host) || HOSTNAME.test(host) || (text.startsWith('[') && IPV6.test(host) && host.includes(':')))) return `"${host}" is not a host name or IP address`;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${m[2]} is out of range 1-65535`;
  return { host, port };
}

/**
 * Reads a BMC address. IPMI: HOST[:PORT] (UDP, default 623). Redfish:
 * HOST[:PORT] or https://HOST[:PORT] (default 443), optionally followed by the
 * path of one ComputerSystem (/redfish/v1/Systems/ID) for BMCs that manage
 * several. Plain http is refused: the credential would cross the bench network
 * in the clear.
 */
export function parseBmcAddress(driver: BmcDriver, address: string): { ok: true; endpoint: BmcEndpoint } | { ok: false; error: string } {
  const text = address.trim();
  if (driver === 'ipmi') {
    if (/^[a-z]+:\/\//i.test(text)) return { ok: false, error: 'an IPMI address is HOST or HOST:PORT, without a scheme' };
    const hp = hostAndPort(text, 623);
    return typeof hp === 'string' ? { ok: false, error: hp } : { ok: true, endpoint: { ...hp, systemPath: null } };
  }
  if (/^http:\/\//i.test(text)) return { ok: false, error: 'Redfish must use https: over http the BMC credential would cross the bench network in the clear' };
  const rest = text.replace(/^https:\/\//i, '');
  if (/^[a-z]+:\/\//i.test(rest)) return { ok: false, error: 'a Redfish address is https://HOST[:PORT][/redfish/v1/Systems/ID]' };
  const slash = rest.indexOf('/');
  const hp = hostAndPort(slash < 0 ? rest : rest.slice(0, slash), 443);
  if (typeof hp === 'string') return { ok: false, error: hp };
  const path = slash < 0 ? '' : rest.slice(slash).replace(/\/+$/, '');
  if (path && !/^\/redfish\/v1\/Systems\/[A-Za-z0-9._~%-]+$/.test(path)) return { ok: false, error: `"${path}" is not a ComputerSystem path (/redfish/v1/Systems/ID)` };
  return { ok: true, endpoint: { ...hp, systemPath: path || null } };
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** "AB:CD:…" or "sha256:abcd…" as people copy fingerprints, normalised to 64 lower-case hex digits. */
export const CertSha256 = z
  .string()
  .trim()
  .transform((s) => s.replace(/^sha256:/i, '').replace(/[:\s]/g, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 fingerprint (64 hex digits, colons allowed)'));

/**
 * A host's BMC as a person gives it. `password` is write-only: stored encrypted,
 * never shown again; left out on a change, the stored one is kept.
 * `certSha256` (Redfish) is the BMC certificate the person accepted after a
 * connection test showed it: the only certificate the bench will talk to.
 */
export const BmcInput = z
  .object({
    driver: BmcDriver,
    address: z.string().trim().min(1, 'the BMC address is empty').max(300),
    user: z.string().min(1, 'the BMC user is empty').max(64),
    password: z.string().min(1, 'the BMC password is empty').max(256).optional(),
    certSha256: CertSha256.nullable().optional(),
    bootMode: BmcBootMode.nullable().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const parsed = parseBmcAddress(b.driver, b.address);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['address'], message: parsed.error });
    if (b.driver === 'ipmi') {
      // IPMI 2.0 caps both; ipmitool would cut a longer password and fail to log in with no hint why.
      if (utf8Length(b.user) > 16) ctx.addIssue({ code: 'custom', path: ['user'], message: 'an IPMI user name has at most 16 bytes' });
      if (b.password !== undefined && utf8Length(b.password) > 20) ctx.addIssue({ code: 'custom', path: ['password'], message: 'an IPMI 2.0 password has at most 20 bytes' });
      if (b.certSha256) ctx.addIssue({ code: 'custom', path: ['certSha256'], message: 'IPMI over LAN has no certificate; only Redfish pins one' });
    }
  });
export type BmcInput = z.input<typeof BmcInput>;

export const PowerState = z.enum(['on', 'off', 'unknown']);
export type PowerState = z.infer<typeof PowerState>;

export const POWER_ERROR_CODES = ['bmc-unreachable', 'bmc-auth', 'bmc-unsupported', 'bmc-certificate-untrusted', 'bmc-certificate-changed', 'bmc-bad-answer', 'bmc-failed', 'bmc-no-credential', 'bmc-credential-unreadable'] as const;
export const PowerErrorCode = z.enum(POWER_ERROR_CODES);
export type PowerErrorCode = z.infer<typeof PowerErrorCode>;

/** The last power state the bench read from the BMC (or why it could not). */
export const PowerStateView = z.object({ state: PowerState, checkedAt: z.string(), error: z.string().nullable() });
export type PowerStateView = z.infer<typeof PowerStateView>;

/** A host's BMC as the API shows it: never the credential, only whether one is stored. */
export const BmcView = z.object({
  driver: BmcDriver,
  address: z.string(),
  user: z.string(),
  credential: z.enum(['stored', 'missing']),
  certSha256: z.string().nullable(),
  bootMode: BmcBootMode.nullable(),
  power: PowerStateView.nullable(),
});
export type BmcView = z.infer<typeof BmcView>;

export const BmcIdentityView = z.object({ manufacturer: z.string().nullable(), model: z.string().nullable(), firmware: z.string().nullable() });
export type BmcIdentityView = z.infer<typeof BmcIdentityView>;

/** A Redfish BMC's TLS certificate as the bench saw it, for a person to compare with the BMC's own screen. */
export const CertificateView = z.object({
  sha256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  /** Whether it is the certificate pinned for this host. */
  pinned: z.boolean(),
});
export type CertificateView = z.infer<typeof CertificateView>;

/** POST /api/bmc/test: a saved host's BMC, optionally with changed settings from its form, or settings alone for a host not saved yet. */
export const BmcTestBody = z
  .object({ host: HostName.optional(), bmc: BmcInput.optional() })
  .strict()
  .refine((b) => b.host || b.bmc, 'give a host, BMC settings, or both');
export type BmcTestBody = z.input<typeof BmcTestBody>;

export const BmcTestView = z.object({
  ok: z.boolean(),
  power: PowerState.nullable(),
  identity: BmcIdentityView.nullable(),
  certificate: CertificateView.nullable(),
  error: z.object({ code: PowerErrorCode, message: z.string() }).nullable(),
});
export type BmcTestView = z.infer<typeof BmcTestView>;

/**
 * What starting a run does to a host with a BMC: `on` sets PXE for the next boot
 * and powers it on, refusing (409 power-is-on) when it is already on; `cycle`
 * does the same but power-cycles a host that is on (what a person confirms);
 * `none` leaves power alone (someone presses the button).
 */
export const StartPower = z.enum(['on', 'cycle', 'none']);
export type StartPower = z.infer<typeof StartPower>;

/** One power step the bench took for a run, as the run's audit trail records it. */
export const PowerStepView = z.object({ action: z.string(), ok: z.boolean(), message: z.string() });
export type PowerStepView = z.infer<typeof PowerStepView>;
