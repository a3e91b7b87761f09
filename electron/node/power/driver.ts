import type { BmcBootMode, BmcIdentityView, PowerErrorCode } from '../../../common/schema/index.ts';
import { UserError } from '../util/errors.ts';

/**
 * What the bench asks of a BMC, whatever it speaks (IPMI over LAN, Redfish).
 * Every method either does what it says or throws a PowerError naming which
 * of the BMC problems it met.
 */
export interface PowerDriver {
  status(): Promise<'on' | 'off'>;
  powerOn(): Promise<void>;
  /** Hard off: the bench has its verdict, or a person abandoned the run. */
  powerOff(): Promise<void>;
  powerCycle(): Promise<void>;
  /** The next boot (only the next) goes to the network; `mode` asks for UEFI or legacy where the BMC can choose. */
  bootPxeOnce(mode: BmcBootMode | null): Promise<void>;
  identify(): Promise<BmcIdentityView>;
  /** Ends whatever session the driver holds (Redfish); harmless to call twice. */
  close(): Promise<void>;
}

const HEADLINE: Record<PowerErrorCode, string> = {
  'bmc-unreachable': 'BMC unreachable',
  'bmc-auth': 'BMC refused the credentials',
  'bmc-unsupported': 'BMC does not support this',
  'bmc-certificate-untrusted': 'BMC certificate not trusted yet',
  'bmc-certificate-changed': 'BMC certificate changed',
  'bmc-bad-answer': 'BMC answered something unexpected',
  'bmc-failed': 'BMC command failed',
  'bmc-no-credential': 'no BMC password stored',
  'bmc-credential-unreadable': 'BMC password cannot be read here',
};

/**
 * A BMC problem, for a person: `code` says which kind (unreachable, wrong
 * credentials, unsupported …), the message says why. HTTP 502 — the fault is
 * with something behind the bench, never a 401 that would sign the UI out.
 * Messages never hold the credential: drivers build them from what the BMC or
 * the tool said, which never echoes it.
 */
export class PowerError extends UserError {
  constructor(
    readonly powerCode: PowerErrorCode,
    detail: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(`${HEADLINE[powerCode]}: ${detail}`, powerCode, powerCode === 'bmc-certificate-untrusted' ? 409 : 502);
    this.name = 'PowerError';
  }
}
