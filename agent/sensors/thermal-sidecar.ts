import type { Sample } from '../../common/schema/protocol.ts';
import type { Logger } from '../runtime/logger.ts';
import { errorText } from '../runtime/logger.ts';
import { readTemperatures } from './hwmon.ts';

// Posts every hwmon temperature as one batch on a fixed interval, from connect
// until the agent exits. It has no verdict of its own; the orchestrator stores
// the samples and stages that care (CPUStress) read the tree themselves.

export interface ThermalSidecarOptions {
  hwmonRoot: string;
  intervalS: number;
  send(samples: Sample[]): void;
  log: Logger;
}

export class ThermalSidecar {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private opts: ThermalSidecarOptions) {}

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(100, this.opts.intervalS * 1000));
    this.timer.unref?.();
  }

  /** Changes the interval (a new welcome may carry another profile). */
  setInterval(intervalS: number): void {
    if (intervalS === this.opts.intervalS) return;
    this.opts = { ...this.opts, intervalS };
    if (this.timer) {
      this.stop();
      this.start();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (this.busy) return; // a slow sysfs read must not pile up readers
    this.busy = true;
    try {
      const samples = await readTemperatures(this.opts.hwmonRoot);
      // stop() may have come while sysfs was being read.
      if (samples.length > 0 && this.timer) this.opts.send(samples.slice(0, 2000));
    } catch (err) {
      this.opts.log.warn('thermal sidecar read failed', { err: errorText(err) });
    } finally {
      this.busy = false;
    }
  }
}
