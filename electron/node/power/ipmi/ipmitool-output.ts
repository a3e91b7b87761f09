import type { BmcIdentityView, PowerErrorCode } from '../../../../common/schema/index.ts';

// The one reader of ipmitool's output (fixtures/ holds real captures). ipmitool
// has no machine-readable mode for these commands: each answer is matched
// line by line, and anything else is "unexpected" rather than guessed at.

/** "Chassis Power is on|off" → the state; null for anything else. */
export function parsePowerStatus(stdout: string): 'on' | 'off' | null {
  const m = /^Chassis Power is (on|off)\s*$/m.exec(stdout);
  return m ? (m[1] as 'on' | 'off') : null;
}

/**
 * ipmitool prints "Chassis Power Control: Up/On|Down/Off|Cycle" only once the
 * BMC answered the command with success (completion code 0): proof it was
 * carried out, whatever happened to the session afterwards.
 */
export function powerControlDone(stdout: string, what: 'Up/On' | 'Down/Off' | 'Cycle'): boolean {
  return new RegExp(`^Chassis Power Control: ${what.replace('/', '\\/')}\\s*$`, 'm').test(stdout);
}

/** `mc info`'s "Key : value" lines. */
function keyValues(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([A-Za-z][A-Za-z /]*?)\s*:\s*(.*)$/.exec(line);
    if (m && !out.has(m[1]!)) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

/**
 * The BMC's maker, product and firmware from `mc info`; null when the output is
 * not an mc info answer at all. ipmitool prints "Unknown (0x…)" for a product
 * id it has no name for: the id is kept so a person can look it up.
 */
export function parseMcInfo(stdout: string): BmcIdentityView | null {
  const kv = keyValues(stdout);
  if (!kv.has('Device ID') || !kv.has('Manufacturer ID')) return null;
  const blank = (v: string | undefined) => (v === undefined || v === '' ? null : v);
  const manufacturer = blank(kv.get('Manufacturer Name')) ?? `manufacturer id ${kv.get('Manufacturer ID')}`;
  const product = blank(kv.get('Product Name'));
  return {
    manufacturer: manufacturer.startsWith('Unknown') ? `manufacturer id ${kv.get('Manufacturer ID')}` : manufacturer,
    model: product && !product.startsWith('Unknown') ? product : kv.get('Product ID') ? `product id ${kv.get('Product ID')}` : null,
    firmware: blank(kv.get('Firmware Revision')),
  };
}

/** `chassis bootparam get 5`: the device the next boot is forced to ("Force PXE" …), or null. */
export function parseBootDevice(stdout: string): string | null {
  const m = /Boot Device Selector\s*:\s*(.+?)\s*$/m.exec(stdout);
  return m ? m[1]! : null;
}

/**
 * ipmitool exits 0 from `chassis bootdev` even when the BMC refused the boot
 * flags; its stderr says "Set Chassis Boot Parameter N failed: …". The
 * refusal of parameter 5 (the flags themselves) is what matters.
 */
export function bootFlagsRefusal(stderr: string): string | null {
  const m = /^Set Chassis Boot Parameter 5 failed: (.+)$/m.exec(stderr);
  return m ? m[1]!.trim() : null;
}

/** IPMI completion codes that mean "this BMC does not do that", as ipmitool words them. */
const UNSUPPORTED = /(Invalid data field in request|Invalid command|Command not supported in present state|Parameter not supported|Request data field length limit exceeded|Invalid Command)/;

const NOISE = /^(Loading IANA PEN Registry|Running Get VSO Capabilities|Discovered IPMB address|Invalid completion code received: Invalid command)/;

export interface IpmiFailure {
  code: PowerErrorCode;
  /** A sentence for a person: what ipmitool reported, reduced to its cause. */
  detail: string;
  /** The session failed on the cipher suite, so another suite may work. */
  cipherMismatch: boolean;
}

/**
 * Why an ipmitool run failed, from its stderr under `-v` (fixtures/*.stderr).
 * The generic "Unable to establish IPMI v2 / RMCP+ session" is preceded by a
 * line saying why: a bad password (RAKP 2 HMAC), an unknown user, no answer
 * at all, or a cipher suite the BMC does not offer.
 */
export function classifyFailure(stderr: string, exitCode: number | undefined, where: string): IpmiFailure {
  // -v adds a probe of vendor capabilities whose "Invalid command" is noise, not a refusal.
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !NOISE.test(l));
  const has = (re: RegExp) => lines.find((l) => re.test(l));
  const fail = (code: PowerErrorCode, detail: string, cipherMismatch = false): IpmiFailure => ({ code, detail, cipherMismatch });
  let line: string | undefined;
  if ((line = has(/Address lookup for .* failed|Could not open socket/))) return fail('bmc-unreachable', `${where}: ${line}`);
  if (has(/RAKP 2 HMAC is invalid|RAKP 2 message indicates an error : (unauthorized name|invalid integrity check value)|RAKP \d message indicates an error : (unauthorized name|invalid role)/)) {
    return fail('bmc-auth', `${where} did not accept this user and password (ipmitool: ${has(/RAKP/)})`);
  }
  if (has(/invalid authentication algorithm|invalid integrity algorithm|invalid confidentiality algorithm|no matching cipher suite|Unsupported cipher suite/i)) {
    return fail('bmc-unsupported', `${where} does not offer the IPMI cipher suite asked for (ipmitool: ${has(/algorithm|cipher/i)})`, true);
  }
  if (has(/Get Auth Capabilities error|Error issuing Get Channel Authentication Capabilities|No response from remote controller|Insufficient privilege level|Activate Session error|Get Session Challenge command failed/)) {
    const insufficient = has(/Insufficient privilege level/);
    if (insufficient) return fail('bmc-auth', `${where}: the user may not do this (ipmitool: ${insufficient})`);
    return fail('bmc-unreachable', `no IPMI answer from ${where} (is the address and port right, is IPMI over LAN enabled on the BMC?)`);
  }
  if ((line = has(UNSUPPORTED))) return fail('bmc-unsupported', `${where} refused the command: ${line}`);
  if ((line = has(/Unable to establish IPMI v2 \/ RMCP\+ session/))) return fail('bmc-unreachable', `${where}: ${line}`);
  const last = lines[lines.length - 1];
  return fail('bmc-failed', `ipmitool exited ${exitCode ?? 'by a signal'} talking to ${where}${last ? `: ${last}` : ''}`);
}
