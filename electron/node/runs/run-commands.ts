import type { BootStep } from '../../../common/schema/index.ts';
import { hashToken, newSecret } from '../auth/secrets.ts';
import { UserError } from '../util/errors.ts';
import { OPERATOR, type RunContext } from './run-context.ts';

/** Starting a run, and what the bench records about it outside the agent protocol: boot steps, agent tokens, uploaded artifacts. */
export class RunCommands {
  constructor(private readonly ctx: RunContext) {}

  private get store() {
    return this.ctx.store;
  }

  /** Throws what startRun would refuse with (a run already open, an unknown profile); returns the profile a run would get. */
  assertStartable(hostName: string, profile?: string): string {
    const host = this.store.hosts.require(hostName);
    const active = this.store.runs.activeForHost(host.id);
    if (active) throw new UserError(`host "${host.name}" already has run ${active.id} in state ${active.state}; abandon or finish it first`, 'run-active', 409);
    const chosen = profile ?? host.profile;
    this.store.profiles.assertExists(chosen);
    return chosen;
  }

  startRun(hostName: string, profile?: string, actor = OPERATOR): { runId: number; token: string } {
    const token = newSecret();
    const runId = this.ctx.tx(() => {
      const host = this.store.hosts.require(hostName);
      const chosen = this.assertStartable(hostName, profile);
      // The run keeps its own copy of the parameters: editing the profile later changes nothing it does or says.
      const resolved = this.store.profiles.resolve(chosen)!;
      if (!resolved.ok) throw new UserError(`profile "${chosen}" no longer passes the profile schema: ${resolved.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}; fix it (vetting profile set ${chosen} --file …) or choose another`, 'bad-profile', 409, resolved.issues);
      const id = this.store.runs.insert(host.id, chosen, 'WaitingForAgent', hashToken(token), resolved.params);
      this.store.runs.addTransition(id, null, 'WaitingForAgent', 'start', actor, null, { profile: chosen, extends: resolved.base });
      // Its first network boot may fetch an agent token (auth/boot-tokens.ts).
      this.store.bootAttempts.arm(id, 'run-start', { mac: null, ip: null });
      this.ctx.changed(this.store.runs.require(id));
      this.ctx.afterCommit(() => this.ctx.deps.bus.publish({ type: 'host-updated', host: host.name }));
      return id;
    });
    return { runId, token };
  }

  /**
   * One step of a registered host's network boot (docs/pxe.md, "Boot progress"),
   * recorded against its open run so a person can see how far the boot got.
   * Ignored for a MAC with no open run, and for a held run (it boots nothing).
   */
  recordBootStep(mac: string, step: BootStep, detail: string | null): void {
    const host = this.store.hosts.byMac(mac);
    const run = host ? this.store.runs.activeForHost(host.id) : null;
    if (!host || !run || run.state === 'FailedHolding') return;
    const boot = this.ctx.tx(() => this.store.runs.addBootEvent(run.id, step, detail));
    // Its own event: the UI appends the step where it shows, instead of refetching all of the run.
    if (boot) this.ctx.deps.bus.publish({ type: 'boot-step', runId: run.id, host: host.name, boot });
  }

  /** An artifact the agent uploaded (already on disk, hashed): its row, and word to the UI. */
  recordArtifact(a: { runId: number; stage: string | null; kind: string; name: string; path: string; size: number; sha256: string }): void {
    this.store.runs.upsertArtifact(a);
    const run = this.store.runs.require(a.runId);
    this.ctx.deps.bus.publish({ type: 'run-updated', runId: run.id, host: this.store.hosts.byId(run.host_id).name, state: run.state });
  }
}
