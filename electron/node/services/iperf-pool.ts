import type { ServiceView } from '../../../common/schema/index.ts';
import { createIperfService } from './iperf-service.ts';
import type { SupervisedProcess } from './supervised-process.ts';

// One iperf3 server per host under test. `iperf3 -s` serves one test at a time
// and answers every other client "the server is busy running a test", so two
// hosts in their Network (or PSU) stage at once would fail each other. Each run
// gets a port of its own from bench.iperfPort up (at most bench.iperfServers of
// them), with its own supervised server, started when the run's agent is first
// welcomed (long before its Network stage) and stopped once the run is over and
// its port is wanted again or the bench stops. With more hosts than ports the
// runs share them round-robin, and the agent waits out "busy" answers.

export interface IperfPoolOptions {
  /** Bench address the servers bind (the agents' iperf3 -c target). */
  address: string;
  /** First port; the pool uses basePort … basePort + size − 1. */
  basePort: number;
  size: number;
  /** Builds a supervised server for a port (default: iperf3 -s, iperf-service.ts). */
  make?: (port: number) => SupervisedProcess;
  onFailed?: (name: string, message: string) => void;
}

export class IperfPool {
  private readonly slots = new Map<number, { runId: number; service: SupervisedProcess }>();

  constructor(private readonly opts: IperfPoolOptions) {}

  /** The ports this pool may hand out. */
  ports(): number[] {
    return Array.from({ length: this.opts.size }, (_, i) => this.opts.basePort + i).filter((p) => p >= 1 && p <= 65535);
  }

  /**
   * The port of `runId`'s server, starting one on a free port the first time.
   * Ports of runs that `isActive` says are over are given back first.
   */
  portFor(runId: number, isActive: (runId: number) => boolean): number | null {
    for (const [port, slot] of this.slots) if (slot.runId === runId) return port;
    for (const [port, slot] of [...this.slots]) {
      if (isActive(slot.runId)) continue;
      this.slots.delete(port);
      void slot.service.stop();
    }
    const ports = this.ports();
    if (ports.length === 0) return null;
    const free = ports.find((p) => !this.slots.has(p));
    // Every port taken: share one (the agent retries a busy server).
    if (free === undefined) return ports[runId % ports.length]!;
    const service = (this.opts.make ?? ((port: number) => createIperfService({ address: this.opts.address, port })))(free);
    service.on('failed', (message: string) => this.opts.onFailed?.(service.view().name, message));
    service.start();
    this.slots.set(free, { runId, service });
    return free;
  }

  views(): ServiceView[] {
    return [...this.slots].map(([port, { runId, service }]) => {
      const v = service.view();
      return { name: v.name, state: v.state, detail: `port ${port}, run ${runId}${v.detail ? `; ${v.detail}` : ''}`, lastError: v.lastError, logTail: v.logTail };
    });
  }

  async stop(): Promise<void> {
    const all = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(all.map((s) => s.service.stop()));
  }
}
