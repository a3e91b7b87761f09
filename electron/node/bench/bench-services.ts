import type { ServiceView, Settings } from '../../../common/schema/index.ts';
import { createDnsmasqService } from '../pxe/dnsmasq-service.ts';
import type { HostSeenEvent } from '../pxe/dnsmasq-log.ts';
import { IperfPool } from '../services/iperf-pool.ts';
import type { SupervisedProcess } from '../services/supervised-process.ts';

export interface BenchServicesDeps {
  dataDir: string;
  benchAddress: string;
  benchUrl: string;
  /** Fixed by a flag (`serve --iperf-port`); otherwise settings decide; 0 = none. */
  iperfPortOverride?: number;
  onHostSeen(event: HostSeenEvent): void;
  onServiceDown(name: string, message: string): void;
}

/**
 * The processes the bench needs beside the orchestrator: dnsmasq (DHCP/TFTP for
 * PXE, when DHCP is not off) and iperf3 -s servers (the far end of the Network
 * stage, one per host under test: services/iperf-pool.ts). Rebuilt from settings
 * whenever the parts of the settings they use change.
 */
export class BenchServices {
  private running: { key: string; service: SupervisedProcess }[] = [];
  private iperf: { key: string; pool: IperfPool } | null = null;

  constructor(private readonly deps: BenchServicesDeps) {}

  iperfPort(settings: Settings): number {
    return this.deps.iperfPortOverride ?? settings.bench.iperfPort;
  }

  /** The iperf3 port of a run's own server (started on first use), or null when the bench runs no iperf3. */
  iperfFor(runId: number, isActive: (runId: number) => boolean): number | null {
    return this.iperf?.pool.portFor(runId, isActive) ?? null;
  }

  /** Starts, keeps or restarts each service so that it matches `settings`. */
  async apply(settings: Settings): Promise<void> {
    const wanted: { key: string; make: () => SupervisedProcess }[] = [];
    const iperfPort = this.iperfPort(settings);
    const iperfServers = settings.bench.iperfServers;
    const iperfKey = iperfPort > 0 ? `${this.deps.benchAddress}:${iperfPort}×${iperfServers}` : null;
    if (this.iperf && this.iperf.key !== iperfKey) {
      await this.iperf.pool.stop();
      this.iperf = null;
    }
    if (iperfKey && !this.iperf) {
      const pool = new IperfPool({ address: this.deps.benchAddress, basePort: iperfPort, size: iperfServers, onFailed: (name, message) => this.deps.onServiceDown(name, message) });
      this.iperf = { key: iperfKey, pool };
    }
    if (settings.bench.dhcpMode !== 'off') {
      // The bench URL is part of the boot URL dnsmasq hands out, so it is part of the key;
      // the bench listener's limits are not dnsmasq's business and do not restart it.
      const { maxConnectionsPerAddress: _conns, artifactBytesPerRun: _bytes, ...dhcp } = settings.bench;
      wanted.push({
        key: `dnsmasq ${JSON.stringify(dhcp)} ${this.deps.benchUrl}`,
        make: () => createDnsmasqService({ dataDir: this.deps.dataDir, bench: settings.bench, benchUrl: this.deps.benchUrl, onHostSeen: this.deps.onHostSeen }),
      });
    }
    const keep = this.running.filter((r) => wanted.some((w) => w.key === r.key));
    const stale = this.running.filter((r) => !keep.includes(r));
    await Promise.all(stale.map((r) => r.service.stop()));
    const started = wanted
      .filter((w) => !keep.some((r) => r.key === w.key))
      .map((w) => {
        const service = w.make();
        service.on('failed', (message: string) => this.deps.onServiceDown(service.view().name, message));
        service.start();
        return { key: w.key, service };
      });
    this.running = [...keep, ...started];
  }

  views(): ServiceView[] {
    return [
      ...this.running.map(({ service }) => {
        const v = service.view();
        return { name: v.name, state: v.state, detail: v.detail, lastError: v.lastError, logTail: v.logTail };
      }),
      ...(this.iperf?.pool.views() ?? []),
    ];
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.map((r) => r.service.stop()), this.iperf?.pool.stop()]);
    this.running = [];
    this.iperf = null;
  }
}
