import type { Sample } from '../../../common/schema/protocol.ts';
import { readTemperatures } from '../../sensors/hwmon.ts';

// Watches the hwmon temperatures while a load runs. Stages that have a
// thermal verdict (CPUStress) read the tree themselves rather than trusting
// that the sidecar's batches reached the orchestrator in time.

export interface ThermalVerdict {
  /** Hottest reading per sensor. */
  peaks: Record<string, number>;
  /** Samples at or above the ceiling, first few only. */
  overLimit: Sample[];
  sampleCount: number;
}

export function judgeTemperatures(samples: readonly Sample[], maxTempC: number): ThermalVerdict {
  const peaks: Record<string, number> = {};
  const overLimit: Sample[] = [];
  for (const s of samples) {
    if (s.kind !== 'thermal') continue;
    peaks[s.sensor] = Math.max(peaks[s.sensor] ?? Number.NEGATIVE_INFINITY, s.value);
    if (s.value >= maxTempC && overLimit.length < 20) overLimit.push(s);
  }
  return { peaks, overLimit, sampleCount: samples.length };
}

export class ThermalWatch {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly hwmonRoot: string,
    private readonly intervalMs: number,
    /** Called with each over-ceiling sample as soon as it is seen. */
    private readonly onSample?: (batch: Sample[]) => void,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), Math.max(100, this.intervalMs));
  }

  /** Stops and takes one last reading, so even a short run has an end-of-load sample. */
  async stop(): Promise<Sample[]> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reading;
    this.tick();
    await this.reading;
    return this.samples;
  }

  private tick(): void {
    this.reading = this.reading.then(async () => {
      const batch = await readTemperatures(this.hwmonRoot).catch(() => []);
      this.samples.push(...batch);
      if (batch.length > 0) this.onSample?.(batch);
    });
  }
}
