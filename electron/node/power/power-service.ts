import { BmcTestBody, parseBmcAddress, type BmcInput, type BmcTestView, type BmcView, type PowerState } from '../../../common/schema/index.ts';
import type { HostRecord } from '../store/hosts.ts';
import type { Store } from '../store/index.ts';
import { notFound, UserError } from '../util/errors.ts';
import type { CredentialVault } from './credential-vault.ts';
import { PowerError, type PowerDriver } from './driver.ts';
import { IpmiDriver, type IpmiOptions } from './ipmi/ipmi-driver.ts';
import { probeCertificate, type PeerCertificate } from './redfish/pinned-https.ts';
import { RedfishDriver } from './redfish/redfish-driver.ts';

// The orchestrator's one way to a host's BMC: opens the stored credential,
// builds the driver for the host's settings, runs what is asked and closes the
// driver again, and keeps the power state the board shows. Nothing here logs
// or returns a credential.

/** A BMC's settings with the password in the clear, only ever in memory and only as long as one call. */
export interface BmcSettings {
  driver: BmcView['driver'];
  address: string;
  user: string;
  password: string;
  certSha256: string | null;
}

export interface PowerServiceOptions {
  store: Store;
  vault: CredentialVault;
  /** A host's power state changed what the board shows. */
  onPowerState?(host: string): void;
  ipmi?: Omit<IpmiOptions, 'cipherMemory'>;
  redfishTimeoutMs?: number;
}

export class PowerService {
  private readonly cipherMemory = new Map<string, string>();
  /** One BMC conversation per host at a time: a watcher's status read never interleaves with a run's power-on. */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: PowerServiceOptions) {}

  hasBmc(host: HostRecord): boolean {
    return Boolean(host.bmc);
  }

  /** The driver for some settings; the caller closes it. */
  driverFor(s: BmcSettings): PowerDriver {
    const parsed = parseBmcAddress(s.driver, s.address);
    if (!parsed.ok) throw new UserError(`the BMC address "${s.address}" is not usable: ${parsed.error}`, 'bad-bmc-address');
    if (s.driver === 'ipmi') {
      return new IpmiDriver({ host: parsed.endpoint.host, port: parsed.endpoint.port, user: s.user, password: s.password }, { ...this.opts.ipmi, cipherMemory: this.cipherMemory });
    }
    return new RedfishDriver({ endpoint: parsed.endpoint, user: s.user, password: s.password, certSha256: s.certSha256 }, this.opts.redfishTimeoutMs ? { timeoutMs: this.opts.redfishTimeoutMs } : {});
  }

  /** The stored settings of a host with the password opened from the vault. */
  settingsOf(host: HostRecord): BmcSettings {
    if (!host.bmc) throw new UserError(`host "${host.name}" has no BMC`, 'no-bmc', 409);
    const sealed = this.opts.store.bmc.credential(host.id);
    if (!sealed) throw new PowerError('bmc-no-credential', `host "${host.name}" has no BMC password stored; enter it in the host's settings`);
    return { driver: host.bmc.driver, address: host.bmc.address, user: host.bmc.user, password: this.opts.vault.open(host.id, host.name, sealed), certSha256: host.bmc.certSha256 };
  }

  /** Runs `fn` with a driver for the host's stored BMC, one conversation per host at a time, and closes the driver. */
  async withHost<T>(host: HostRecord, fn: (driver: PowerDriver) => Promise<T>): Promise<T> {
    const previous = this.busy.get(host.name) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(async () => {
      const driver = this.driverFor(this.settingsOf(host));
      try {
        return await fn(driver);
      } finally {
        await driver.close();
      }
    });
    this.busy.set(host.name, mine);
    try {
      return await mine;
    } finally {
      if (this.busy.get(host.name) === mine) this.busy.delete(host.name);
    }
  }

  /** Keeps what the BMC said about power (or why it could not say) and tells the board when that changed. */
  record(host: HostRecord, state: PowerState, error: string | null): void {
    if (this.opts.store.bmc.recordPower(host.id, state, error)) this.opts.onPowerState?.(host.name);
  }

  /** Reads a host's power state from its BMC and keeps it; a failure is kept as "unknown" with its reason, never thrown. */
  async refresh(hostName: string): Promise<PowerState> {
    const host = this.opts.store.hosts.get(hostName);
    if (!host?.bmc) return 'unknown';
    try {
      const state = await this.withHost(host, (d) => d.status());
      this.record(host, state, null);
      return state;
    } catch (e) {
      this.record(host, 'unknown', (e as Error).message);
      return 'unknown';
    }
  }

  /**
   * "Test connection": the BMC's power state and model, for a saved host's
   * settings, the form's changed settings over them, or a new host's settings.
   * A Redfish BMC whose certificate is not pinned (or no longer matches) gets
   * no credential: the answer shows its certificate for a person to trust.
   */
  async test(body: BmcTestBody): Promise<BmcTestView> {
    const b = BmcTestBody.parse(body);
    const host = b.host ? (this.opts.store.hosts.get(b.host) ?? (() => { throw notFound(`host "${b.host}"`); })()) : null;
    const settings = this.mergeSettings(host, b.bmc ?? null);
    const view: BmcTestView = { ok: false, power: null, identity: null, certificate: null, error: null };
    const problem = (e: unknown): BmcTestView => {
      if (e instanceof PowerError) return { ...view, error: { code: e.powerCode, message: e.message } };
      if (e instanceof UserError) return { ...view, error: { code: e.code === 'bmc-credential-unreadable' ? 'bmc-credential-unreadable' : 'bmc-failed', message: e.message } };
      throw e;
    };
    try {
      if (settings.driver === 'redfish') {
        const parsed = parseBmcAddress('redfish', settings.address);
        if (!parsed.ok) throw new UserError(parsed.error, 'bad-bmc-address');
        const cert: PeerCertificate = await probeCertificate(parsed.endpoint);
        view.certificate = { ...cert, pinned: settings.certSha256 === cert.sha256 };
      }
      const driver = this.driverFor(settings);
      try {
        view.power = await driver.status();
        view.identity = await driver.identify();
        view.ok = true;
      } finally {
        await driver.close();
      }
    } catch (e) {
      return problem(e);
    }
    // What was read of the stored settings is the host's power state now.
    if (host && !b.bmc && view.power) this.record(host, view.power, null);
    return view;
  }

  private mergeSettings(host: HostRecord | null, input: BmcInput | null): BmcSettings {
    if (!input) {
      if (!host) throw new UserError('give the BMC settings to test', 'bad-request');
      return this.settingsOf(host);
    }
    let password = input.password;
    if (password === undefined) {
      if (!host?.bmc) throw new UserError('enter the BMC password to test the connection', 'bmc-password-required', 400, [{ path: 'bmc.password', message: 'required to test a BMC that is not saved yet' }]);
      password = this.settingsOf(host).password;
    }
    const sameBmc = host?.bmc?.driver === input.driver && host.bmc.address === input.address.trim();
    const certSha256 = input.certSha256 !== undefined ? input.certSha256 : sameBmc ? (host!.bmc!.certSha256 ?? null) : null;
    return { driver: input.driver, address: input.address.trim(), user: input.user, password, certSha256 };
  }
}
