import type { EtaView, RunEstimateView } from '../../../common/schema/api.ts';
import { Inventory, type ExpectedSpec } from '../../../common/schema/index.ts';
import type { EstimateHost } from '../../../common/stages/define.ts';
import { isStageName, type StageName } from '../../../common/stages/index.ts';
import { sameId } from '../../../common/verdict.ts';
import { checkSpecYaml } from '../spec/spec-yaml.ts';
import type { Store } from '../store/index.ts';
import type { RunRow } from '../store/runs.ts';
import { endedRun, estimateEnd, type EtaEstimate, type EtaFacts } from './eta.ts';
import type { LiveState } from './live-state.ts';
import { runParams } from './run-params.ts';

// Gathers what the estimate of a run's end rests on (eta.ts draws it), shows
// it in the run's views, and records it as the run enters each state.

/** Start to agent hello when this bench has seen none: PXE boots a server (firmware, iPXE, the image) … */
const BOOT_S_PXE = 150;
/** … or, with no DHCP of ours, the agent is started by hand (`vetting agent`). */
const BOOT_S_BY_HAND = 15;
/** Earlier runs the boot time is the median of. */
const BOOT_HISTORY = 5;

type HostSource = 'inventory' | 'earlier-inventory' | 'spec' | 'registration';
type BootSource = 'host' | 'bench' | 'by-hand' | 'pxe';

interface HostFacts {
  host: EstimateHost;
  source: HostSource;
}

/** A run's inventory, and whether its agent reached a BMC in band (null: not said). */
type SeenHost = Inventory & { bmcPresent: boolean | null };

/** Parsed documents kept: enough for every host on a bench at once. */
const KEPT = 64;

/** Sets `key`, forgetting the oldest entry beyond KEPT. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > KEPT) map.delete(map.keys().next().value as K);
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The class the Storage stage gives a disk (agent/stages/storage/device-resolution.ts, diskClass). */
function diskClassOf(d: { name: string; transport?: string | null | undefined; rotational?: boolean | undefined }): 'nvme' | 'ssd' | 'hdd' | null {
  if ((d.transport ?? '').toLowerCase() === 'nvme' || /^nvme\d/.test(d.name)) return 'nvme';
  if (d.rotational === true) return 'hdd';
  if (d.rotational === false) return 'ssd';
  return null;
}

/** Where a run's estimated end comes from: its facts, its view, its record. */
export class RunEta {
  /** Parsed inventories by the stage attempt that reported them, and specs by their text: read once (the latest few kept). */
  private readonly inventories = new Map<number, SeenHost | null>();
  private readonly specs = new Map<string, ExpectedSpec | null>();

  constructor(
    private readonly store: Store,
    private readonly live: LiveState,
    /** The iperf3 server agents test against (a loopback one means one NIC, whatever the host has). */
    private readonly iperfHost: () => string | null,
  ) {}

  /** The estimate for `run` at `now`, and what it rests on in words. */
  estimate(run: RunRow, now = Date.now()): { estimate: EtaEstimate; basis: string } {
    const end = this.endOf(run);
    if (end !== undefined) return { estimate: endedRun(end), basis: end?.completed ? 'the run has ended' : 'the run ended without completing' };
    const { host, source } = this.hostFacts(run);
    const boot = this.bootS(run);
    // The parameters the run took when it started (a custom profile edited since changes nothing).
    const profile = runParams(run);
    const stage = isStageName(run.state) ? run.state : null;
    const attempt = stage ? this.store.runs.latestAttempt(run.id, stage) : null;
    const facts: EtaFacts = {
      now,
      profile,
      state: run.state,
      holdReason: run.hold_reason,
      failedStage: run.failed_stage,
      agentLost: run.agent_lost === 1,
      createdAt: Date.parse(run.created_at),
      end: null,
      stageStartedAt: attempt && !attempt.completed_at ? Date.parse(attempt.started_at) : null,
      host,
      progress: stage
        ? this.live
            .progressReceived(run.id)
            .filter((p) => p.view.stage === stage)
            .map(({ view, receivedAt }) => ({ item: view.item, percent: view.percent, etaS: view.etaS, message: view.message, ageS: Math.max(0, (now - receivedAt) / 1000) }))
        : [],
      bootS: boot.s,
      pastStageS: this.store.estimates.pastStageSeconds(run.host_id, run.profile, run.id),
    };
    const estimate = estimateEnd(facts);
    return { estimate, basis: basisOf(estimate, source, boot.from) };
  }

  /** The run's estimated end for the API, the UI and the CLI. */
  view(run: RunRow, now = Date.now()): EtaView {
    const { estimate, basis } = this.estimate(run, now);
    return {
      status: estimate.status,
      at: estimate.at === null ? null : new Date(estimate.at).toISOString(),
      remainingS: estimate.remainingS === null ? null : Math.round(estimate.remainingS),
      firstAt: this.store.estimates.firstEtaAt(run.id),
      basis,
    };
  }

  /** Records the estimate as the run enters its current state (call inside the transaction that moved it), and returns it. */
  record(runId: number, now = Date.now()): EtaEstimate {
    const run = this.store.runs.require(runId);
    const { estimate } = this.estimate(run, now);
    this.store.estimates.record(runId, run.state, new Date(now).toISOString(), estimate.at === null ? null : new Date(estimate.at).toISOString());
    return estimate;
  }

  estimates(runId: number): RunEstimateView[] {
    return this.store.estimates.list(runId);
  }

  /** An ended run's end (undefined while it goes on): Completed and Abandoned runs, and Released ones by the state they were released from. */
  private endOf(run: RunRow): { at: number; completed: boolean } | null | undefined {
    if (run.state !== 'Completed' && run.state !== 'Abandoned' && run.state !== 'Released') return undefined;
    const at = run.completed_at ? Date.parse(run.completed_at) : null;
    let completed = run.state === 'Completed';
    if (run.state === 'Released') completed = this.store.runs.transitions(run.id).findLast((t) => t.to === 'Released')?.from === 'Completed';
    return at === null ? null : { at, completed };
  }

  private inventoryOfAttempt(attemptId: number, summaryJson: string | null): SeenHost | null {
    if (!this.inventories.has(attemptId)) {
      let seen: SeenHost | null = null;
      try {
        const summary = JSON.parse(summaryJson ?? 'null') as { inventory?: unknown; bmcLog?: { present?: unknown } } | null;
        const parsed = Inventory.safeParse(summary?.inventory);
        // Whether the agent reached a BMC in band at the start (absent in summaries from before the BMC stage).
        const present = summary?.bmcLog?.present;
        seen = parsed.success ? { ...parsed.data, bmcPresent: typeof present === 'boolean' ? present : null } : null;
      } catch {
        seen = null;
      }
      remember(this.inventories, attemptId, seen);
    }
    return this.inventories.get(attemptId)!;
  }

  private inventory(runId: number): SeenHost | null {
    const attempt = this.store.runs.latestAttempt(runId, 'Inventory');
    return attempt?.summary_json ? this.inventoryOfAttempt(attempt.id, attempt.summary_json) : null;
  }

  private spec(yaml: string | null): ExpectedSpec | null {
    if (!yaml) return null;
    if (!this.specs.has(yaml)) remember(this.specs, yaml, checkSpecYaml(yaml).spec);
    return this.specs.get(yaml)!;
  }

  /**
   * The host as far as it is known: this run's inventory, else the host's spec
   * and the inventory of its last run, else only its registered disks.
   */
  private hostFacts(run: RunRow): HostFacts {
    const host = this.store.hosts.byId(run.host_id);
    const own = this.inventory(run.id);
    const earlierRun = own ? null : this.store.runs.latestWithInventory(run.host_id);
    const earlier = earlierRun && earlierRun.id !== run.id ? this.inventory(earlierRun.id) : null;
    const inv = own ?? earlier;
    const spec = this.spec(host.specYaml);
    const source: HostSource = own ? 'inventory' : earlier ? 'earlier-inventory' : spec ? 'spec' : 'registration';
    const disks = host.disks.map((id) => {
      const seen = inv?.disks.find((d) => [d.serial, d.wwn, d.backingFile ? `loop:${d.backingFile}` : null].some((x) => x && sameId(x, id)));
      const specified = spec?.disks?.find((d) => [d.serial, d.wwn].some((x) => x && sameId(x, id)));
      return {
        bytes: seen?.sizeBytes ?? (specified?.sizeGB ? specified.sizeGB * 1e9 : null),
        diskClass: seen ? diskClassOf(seen) : null,
        // A loop device (a test bench's disk, registered as loop:FILE) has no SMART, so no self-test either.
        smart: seen ? !seen.backingFile && !/^loop\d/.test(seen.name) : id.startsWith('loop:') ? false : null,
      };
    });
    const iperf = this.iperfHost();
    const loopback = iperf !== null && /^(127\.|::1$|localhost$)/.test(iperf);
    const linked = inv ? inv.nics.filter((n) => n.link !== false && n.name !== 'lo').length : (spec?.nics?.length ?? 1);
    const gpus = inv ? inv.gpus.length : spec?.gpus ? spec.gpus.reduce((n, g) => n + g.count, 0) : null;
    return {
      host: {
        disks,
        allDisks: inv?.disks.length ?? disks.length,
        nics: loopback ? 1 : Math.max(1, linked),
        gpus,
        psuTelemetry: this.psuTelemetry(run, earlierRun),
        memoryBytes: inv?.memory.totalBytes || null,
        // This run's or the last one's in-band reading, else whether the host has a BMC set up for power control.
        bmc: inv?.bmcPresent ?? (host.bmc ? true : null),
      },
      source,
    };
  }

  /**
   * Whether the PSU stage will find rails to judge: the thermal sidecar posts
   * temperatures only, so what says it is the stage's own readings — this
   * run's, else the host's last run's (null: not known; the model assumes rails).
   */
  private psuTelemetry(run: RunRow, earlierRun: RunRow | null): boolean | null {
    const e = this.store.estimates;
    if (e.hasSamples(run.id, 'psu')) return true;
    const before = earlierRun ?? this.store.runs.latestWithInventory(run.host_id);
    if (!before || before.id === run.id) return null;
    if (e.hasSamples(before.id, 'psu')) return true;
    return this.store.runs.latestAttempt(before.id, 'PSU')?.outcome === 'skipped' ? false : null;
  }

  /** Start to hello: as this host (else this bench) took lately, else what a PXE boot or a hand-started agent takes. */
  private bootS(run: RunRow): { s: number; from: BootSource } {
    const past = this.store.estimates.pastBootSeconds(run.host_id, run.id, BOOT_HISTORY);
    const host = median(past.host);
    if (host !== null) return { s: host, from: 'host' };
    const bench = median(past.bench);
    if (bench !== null) return { s: bench, from: 'bench' };
    return this.store.settings.get().bench.dhcpMode === 'off' ? { s: BOOT_S_BY_HAND, from: 'by-hand' } : { s: BOOT_S_PXE, from: 'pxe' };
  }
}

/** What an estimate rests on, in a few words for a tooltip and `run show`. */
function basisOf(e: EtaEstimate, source: HostSource, boot: BootSource): string {
  const host = { inventory: "this run's inventory", 'earlier-inventory': "the host's last inventory", spec: "the host's spec", registration: "the host's registered disks only (sizes unknown)" }[source];
  const of = (kind: EtaEstimate['parts'][number]['from']) => e.parts.filter((p) => p.from === kind && p.phase !== 'boot').map((p) => p.phase);
  const bits = [`hardware from ${host}`];
  if (of('history').length) bits.push(`${of('history').join(', ')} as this host last took`);
  if (of('progress').length) bits.push(`${of('progress').join(', ')} from its own progress`);
  if (e.parts[0]?.phase === 'boot') {
    bits.push({ host: 'boot as this host took lately', bench: 'boot as hosts on this bench took lately', 'by-hand': 'an agent started by hand (no DHCP here)', pxe: 'a PXE boot of a server' }[boot]);
  }
  return bits.join('; ');
}
