import type { PowerState, PowerStepView, StartPower } from '../../../common/schema/index.ts';
import type { PowerDriver } from '../power/driver.ts';
import type { HostRecord } from '../store/hosts.ts';
import { UserError } from '../util/errors.ts';
import { OPERATOR, type RunContext } from './run-context.ts';
import type { RunCommands } from './run-commands.ts';

// What a run does to a host's power through its BMC (docs/operations.md,
// "Power through the BMC"): PXE once and power on at the start (a cycle only
// when a person confirmed it), off once the run has its verdict, and off on
// request when a person abandons it. A held run leaves the host on, for a
// person to look at. Each power step lands in the run's audit trail
// (transitions, from = to) with who asked for it and whether it worked.

/** The BMC side, as runs see it (power/power-service.ts). */
export interface PowerPort {
  withHost<T>(host: HostRecord, fn: (driver: PowerDriver) => Promise<T>): Promise<T>;
  record(host: HostRecord, state: PowerState, error: string | null): void;
}

export class RunPower {
  constructor(
    private readonly ctx: RunContext,
    private readonly commands: RunCommands,
    private readonly power: PowerPort,
  ) {}

  private get store() {
    return this.ctx.store;
  }

  /** Audit row for one power step; `ok: false` carries why. */
  private audit(runId: number, step: PowerStepView, actor: string, reason: string | null, extra: Record<string, unknown> = {}): void {
    this.ctx.tx(() => {
      const run = this.store.runs.require(runId);
      this.store.runs.addTransition(runId, run.state, run.state, step.action, actor, reason, { ok: step.ok, message: step.message, ...extra });
      this.ctx.changed(run);
    });
  }

  /**
   * Starts a run on a host, driving its BMC when it has one. Everything that
   * can be checked before the run exists is: the BMC answers, the power state
   * (a host already on is cycled only with `power: 'cycle'`), PXE for the next
   * boot. Any failure there and no run is made. Powering on comes after the run
   * exists (its first boot must find a run waiting); if that fails, the run
   * stays waiting, the step is marked failed, and the answer says so.
   */
  async start(hostName: string, profile: string | undefined, choice: StartPower = 'on', actor = OPERATOR): Promise<{ runId: number; token: string; power?: PowerStepView[] }> {
    const host = this.store.hosts.require(hostName);
    if (!host.bmc) return this.commands.startRun(hostName, profile, actor);
    if (choice === 'none') {
      const started = this.commands.startRun(hostName, profile, actor);
      const step = { action: 'power-left', ok: true, message: `power left alone at the start (asked by ${actor}); someone powers ${host.name} on by hand` };
      this.audit(started.runId, step, actor, null);
      return { ...started, power: [step] };
    }
    this.commands.assertStartable(hostName, profile);
    const bootMode = host.bmc.bootMode;
    const before = await this.beforeRun(host, async (d) => {
      const state = await d.status();
      if (state === 'on' && choice !== 'cycle') {
        throw new UserError(
          `${host.name} is powered on: starting the run will power-cycle it, stopping whatever it runs now. Confirm the cycle (CLI: --power cycle), or start without touching power (--power none)`,
          'power-is-on',
          409,
        );
      }
      await d.bootPxeOnce(bootMode);
      return state;
    });
    this.power.record(host, before, null);
    const started = this.commands.startRun(hostName, profile, actor);
    const steps: PowerStepView[] = [{ action: 'boot-pxe', ok: true, message: `next boot set to PXE, once${bootMode ? ` (${bootMode === 'uefi' ? 'UEFI' : 'legacy'})` : ''}` }];
    this.audit(started.runId, steps[0]!, actor, null, { driver: host.bmc.driver });
    const action = before === 'on' ? 'power-cycle' : 'power-on';
    try {
      await this.power.withHost(host, (d) => (before === 'on' ? d.powerCycle() : d.powerOn()));
      steps.push({ action, ok: true, message: before === 'on' ? 'power-cycled (it was on; confirmed by the person starting the run)' : 'powered on' });
      this.power.record(host, 'on', null);
    } catch (e) {
      const message = `run ${started.runId} is waiting, but ${host.name} could not be ${before === 'on' ? 'power-cycled' : 'powered on'}: ${(e as Error).message}. Power it on by hand, or abandon the run`;
      steps.push({ action, ok: false, message });
      this.power.record(host, 'unknown', (e as Error).message);
    }
    this.audit(started.runId, steps[1]!, actor, null, { driver: host.bmc.driver });
    return { ...started, power: steps };
  }

  /** Runs the checks that come before a run exists; a failure names itself as "run not started". */
  private async beforeRun<T>(host: HostRecord, fn: (d: PowerDriver) => Promise<T>): Promise<T> {
    try {
      return await this.power.withHost(host, fn);
    } catch (e) {
      if (e instanceof UserError && e.code === 'power-is-on') throw e;
      if (e instanceof UserError) {
        this.power.record(host, 'unknown', e.message);
        throw new UserError(`run not started for ${host.name}: ${e.message}`, e.code, e.status);
      }
      throw e;
    }
  }

  /**
   * The run completed (its verdict is pass, pass with overrides or
   * incomplete): nothing is held for a person to look at, so the bench powers
   * the host off. Never throws: a failure is recorded on the run and in the
   * host's power state.
   */
  async afterVerdict(runId: number): Promise<void> {
    const run = this.store.runs.get(runId);
    if (!run || run.state !== 'Completed') return;
    const host = this.store.hosts.byId(run.host_id);
    if (!host.bmc) return;
    await this.powerOff(host, runId, 'orchestrator', `run ${runId} completed (${run.result ?? 'no result'}): the host is powered off`);
  }

  /** A person abandoned the run and asked for the host to be powered off; throws when that failed (the run stays abandoned). */
  async afterAbandon(runId: number, actor: string): Promise<void> {
    const run = this.store.runs.require(runId);
    const host = this.store.hosts.byId(run.host_id);
    if (!host.bmc) throw new UserError(`run ${runId} was abandoned; ${host.name} has no BMC, so power it off by hand`, 'no-bmc', 409);
    const ok = await this.powerOff(host, runId, actor, `run ${runId} abandoned; power-off asked by ${actor}`);
    if (!ok.ok) throw new UserError(`run ${runId} was abandoned, but ${ok.message}`, 'power-off-failed', 502);
  }

  private async powerOff(host: HostRecord, runId: number, actor: string, why: string): Promise<PowerStepView> {
    let step: PowerStepView;
    try {
      const already = await this.power.withHost(host, async (d) => {
        try {
          await d.powerOff();
          return false;
        } catch (e) {
          // Some BMCs refuse to switch off what is off (the host may have shut itself down): that is done too.
          if ((await d.status().catch(() => 'unknown')) === 'off') return true;
          throw e;
        }
      });
      step = { action: 'power-off', ok: true, message: already ? `${why} (it was already off)` : why };
      this.power.record(host, 'off', null);
    } catch (e) {
      step = { action: 'power-off', ok: false, message: `${host.name} could not be powered off: ${(e as Error).message}` };
      this.power.record(host, 'unknown', (e as Error).message);
    }
    this.audit(runId, step, actor, null, { driver: host.bmc!.driver });
    return step;
  }
}
