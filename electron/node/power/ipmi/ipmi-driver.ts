import { execa } from 'execa';
import type { BmcBootMode, BmcIdentityView } from '../../../../common/schema/index.ts';
import { PowerError, type PowerDriver } from '../driver.ts';
import { withSecretFile } from '../secret-fifo.ts';
import { bootFlagsRefusal, classifyFailure, parseBootDevice, parseMcInfo, parsePowerStatus, powerControlDone } from './ipmitool-output.ts';

// IPMI over LAN through Debian's ipmitool (`-I lanplus`, IPMI 2.0 / RMCP+).
// ipmitool runs with an argument list (execa, no shell); the password reaches
// it through `-f` and a named pipe (secret-fifo.ts), never argv or environment.

export interface IpmiTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface IpmiOptions {
  binary?: string;
  /** ipmitool's -N (seconds per try) and -R (tries): how long an unreachable BMC takes to give up on. */
  timeoutS?: number;
  retries?: number;
  /**
   * Cipher suites to try, in order. 17 (HMAC-SHA256, AES-128) first; 3 (SHA1,
   * AES-128) for BMCs that offer nothing newer. Naming one also spares
   * ipmitool's cipher-suite discovery, which BMCs that do not implement it
   * (OpenIPMI's simulator) answer only after a 10 s timeout.
   */
  cipherSuites?: readonly string[];
  /** The suite that worked per BMC address, shared between drivers so the next call starts with it. */
  cipherMemory?: Map<string, string>;
}

/** The argument list for one ipmitool call; the password is only ever a file path. */
export function ipmitoolArgs(target: Omit<IpmiTarget, 'password'>, cipherSuite: string, passwordFile: string, command: readonly string[], opts: { timeoutS: number; retries: number }): string[] {
  return ['-I', 'lanplus', '-H', target.host, '-p', String(target.port), '-U', target.user, '-f', passwordFile, '-C', cipherSuite, '-N', String(opts.timeoutS), '-R', String(opts.retries), '-v', ...command];
}

export class IpmiDriver implements PowerDriver {
  private readonly binary: string;
  private readonly suites: readonly string[];
  private readonly memory: Map<string, string>;
  private readonly where: string;

  constructor(
    private readonly target: IpmiTarget,
    private readonly opts: IpmiOptions = {},
  ) {
    this.binary = opts.binary ?? 'ipmitool';
    this.suites = opts.cipherSuites ?? ['17', '3'];
    this.memory = opts.cipherMemory ?? new Map();
    this.where = `the BMC at ${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  }

  /**
   * Runs one ipmitool command; on a cipher suite the BMC does not offer, tries
   * the next one. `done` recognises output that proves the BMC carried the
   * command out even though ipmitool then failed (closing the session of a slow
   * BMC can time out after its answer came).
   */
  private async run(command: readonly string[], done?: (stdout: string) => boolean): Promise<{ stdout: string; stderr: string }> {
    const key = `${this.target.host}:${this.target.port}`;
    const remembered = this.memory.get(key);
    const order = remembered ? [remembered, ...this.suites.filter((s) => s !== remembered)] : [...this.suites];
    let failure: ReturnType<typeof classifyFailure> | null = null;
    for (const suite of order) {
      const r = await withSecretFile(this.target.password, (file) =>
        execa(this.binary, ipmitoolArgs(this.target, suite, file, command, { timeoutS: this.opts.timeoutS ?? 2, retries: this.opts.retries ?? 2 }), {
          reject: false,
          stdin: 'ignore',
          // A backstop beyond ipmitool's own retries; its own timeouts end it first.
          timeout: 120_000,
          env: { LANG: 'C', LC_ALL: 'C' },
        }),
      );
      if (r.failed && r.exitCode === undefined) {
        const why = (r as { code?: string }).code === 'ENOENT' ? `${this.binary} is not installed (Debian package ipmitool)` : (r.shortMessage ?? 'ipmitool did not run');
        throw new PowerError('bmc-failed', why);
      }
      if (r.exitCode === 0 || done?.(r.stdout)) {
        this.memory.set(key, suite);
        return { stdout: r.stdout, stderr: r.stderr };
      }
      failure = classifyFailure(r.stderr, r.exitCode, this.where);
      if (!failure.cipherMismatch) break;
    }
    throw new PowerError(failure!.code, failure!.detail);
  }

  async status(): Promise<'on' | 'off'> {
    const { stdout } = await this.run(['power', 'status']);
    const state = parsePowerStatus(stdout);
    if (!state) throw new PowerError('bmc-bad-answer', `${this.where} answered "power status" with: ${stdout.trim().slice(0, 200) || '(nothing)'}`);
    return state;
  }

  async powerOn(): Promise<void> {
    await this.run(['power', 'on'], (out) => powerControlDone(out, 'Up/On'));
  }

  async powerOff(): Promise<void> {
    await this.run(['power', 'off'], (out) => powerControlDone(out, 'Down/Off'));
  }

  async powerCycle(): Promise<void> {
    await this.run(['power', 'cycle'], (out) => powerControlDone(out, 'Cycle'));
  }

  async bootPxeOnce(mode: BmcBootMode | null): Promise<void> {
    // IPMI's boot flags always name a boot type: without efiboot they ask for legacy (BIOS) boot.
    const { stderr } = await this.run(['chassis', 'bootdev', 'pxe', ...(mode === 'uefi' ? ['options=efiboot'] : [])]);
    const refused = bootFlagsRefusal(stderr);
    if (refused) throw new PowerError('bmc-unsupported', `${this.where} refused to set the next boot device to PXE: ${refused}`);
    // Read it back: some BMCs accept the flags and keep another device.
    let readBack: string | null;
    try {
      readBack = parseBootDevice((await this.run(['chassis', 'bootparam', 'get', '5'])).stdout);
    } catch (e) {
      if (e instanceof PowerError && e.powerCode === 'bmc-unsupported') return; // cannot be read back here; it was accepted
      throw e;
    }
    if (readBack !== null && !/PXE/i.test(readBack)) throw new PowerError('bmc-failed', `${this.where} accepted PXE as the next boot device but reports "${readBack}"`);
  }

  async identify(): Promise<BmcIdentityView> {
    const { stdout } = await this.run(['mc', 'info']);
    const info = parseMcInfo(stdout);
    if (!info) throw new PowerError('bmc-bad-answer', `${this.where} answered "mc info" with: ${stdout.trim().slice(0, 200) || '(nothing)'}`);
    return info;
  }

  async close(): Promise<void> {
    // One session per ipmitool call: nothing stays open.
  }
}
