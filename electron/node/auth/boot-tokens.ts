import type { HostSeenEvent } from '../pxe/dnsmasq-log.ts';
import type { Store } from '../store/index.ts';
import type { BootAttemptRow } from '../store/boot-attempts.ts';
import { notFound, UserError } from '../util/errors.ts';
import { hashToken, newSecret } from './secrets.ts';

// Agent tokens for network boots (docs/architecture.md, "Security").
//
// A boot script that carries a token is served once per boot attempt. An
// attempt is armed when the run starts, when dnsmasq sees the host's boot
// firmware get an address (then only that MAC at that address may use it), or
// when a person asks for another boot. The first boot-script request that
// matches uses it up: a fresh token is minted, the run's previous token stops
// working, and the audit trail records who got it. Any later request — the same
// host asking twice, or someone who knows its MAC — gets a script without a
// token and changes nothing, until the next attempt is armed.

export type IssueAnswer =
  | { kind: 'token'; host: string; runId: number; token: string }
  | { kind: 'no-run'; host: string }
  | { kind: 'refused'; host: string; runId: number; reason: string };

export class BootTokens {
  constructor(private readonly store: Store) {}

  /** A run started: its first boot may fetch a token (from any address; none is known yet). */
  armAtStart(runId: number): void {
    this.store.bootAttempts.arm(runId, 'run-start', { mac: null, ip: null });
  }

  /**
   * dnsmasq saw boot firmware (PXE ROM or iPXE) of a registered host ask for an
   * address: a new boot begins, bound to that MAC and, when dnsmasq knows it, the
   * address. The live image's own DHCP client (client "other") arms nothing.
   */
  armFromDhcp(e: Pick<HostSeenEvent, 'mac' | 'ip' | 'client' | 'source' | 'message'>): boolean {
    if (e.client === 'other' || e.source === 'tftp') return false;
    // An address is bound at DHCPACK (full DHCP) or named in the proxy PXE request.
    if (e.source === 'dhcp' && e.message !== 'DHCPACK') return false;
    const mac = e.mac.toLowerCase();
    const run = this.bootableRun(mac);
    if (!run) return false;
    const latest = this.store.bootAttempts.latest(run.id);
    // A DHCP exchange logs several lines; one armed attempt per boot is enough.
    if (latest && !latest.issued_at && latest.bound_mac === mac && (latest.bound_ip === e.ip || e.ip === null)) return false;
    this.store.bootAttempts.arm(run.id, 'dhcp', { mac, ip: e.ip });
    return true;
  }

  /** A person asks for another boot (a host restarted with DHCP handled elsewhere). */
  armByPerson(runId: number, actor: string): BootAttemptRow {
    const run = this.store.runs.get(runId);
    if (!run) throw notFound(`run ${runId}`);
    if (['Completed', 'Abandoned', 'Released'].includes(run.state)) throw new UserError(`run ${runId} is ${run.state}: it boots nothing more`, 'run-closed', 409);
    return this.store.transaction(() => {
      const armed = this.store.bootAttempts.arm(runId, 'operator', { mac: null, ip: null });
      this.store.runs.addTransition(runId, run.state, run.state, 'boot-armed', actor, null, { attempt: armed.id });
      return armed;
    });
  }

  /** The boot-script request of `mac` from `ip`: a token when an armed attempt matches it. */
  issue(mac: string, ip: string | null): IssueAnswer | null {
    const host = this.store.hosts.byMac(mac);
    if (!host) return null;
    const run = this.bootableRun(mac);
    if (!run) return { kind: 'no-run', host: host.name };
    return this.store.transaction((): IssueAnswer => {
      const attempt = this.store.bootAttempts.latest(run.id);
      const refuse = (reason: string): IssueAnswer => ({ kind: 'refused', host: host.name, runId: run.id, reason });
      if (!attempt || attempt.issued_at) {
        return refuse(
          attempt
            ? `the agent token of this boot was already handed out (to ${attempt.issued_ip ?? 'an unknown address'} at ${attempt.issued_at}); a new one is issued when the host boots again (DHCP) or a person asks for another boot`
            : 'no boot is expected for this run; a person can ask for one',
        );
      }
      if (attempt.bound_mac && attempt.bound_mac !== mac.toLowerCase()) return refuse(`this boot belongs to ${attempt.bound_mac}`);
      if (attempt.bound_ip && attempt.bound_ip !== ip) return refuse(`this boot belongs to the address dnsmasq leased (${attempt.bound_ip}), not ${ip ?? 'an unknown address'}`);
      if (!this.store.bootAttempts.markIssued(attempt.id, ip)) return refuse('this boot attempt was just used');
      const token = newSecret();
      this.store.runs.update(run.id, { agent_token_hash: hashToken(token) });
      this.store.runs.addTransition(run.id, run.state, run.state, 'boot-token-issued', 'orchestrator', null, { to: ip, mac: mac.toLowerCase(), armedBy: attempt.armed_by });
      return { kind: 'token', host: host.name, runId: run.id, token };
    });
  }

  /** The host's open run when it may boot: not finished and not held for a person. */
  private bootableRun(mac: string) {
    const host = this.store.hosts.byMac(mac);
    const run = host ? this.store.runs.activeForHost(host.id) : null;
    return run && run.state !== 'FailedHolding' ? run : null;
  }
}
