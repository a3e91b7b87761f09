import type { Store } from '../store/index.ts';
import type { PowerService } from './power-service.ts';

/**
 * Reads every BMC-managed host's power state now and then, so the board shows
 * it even when nobody acted (someone pressed the button, the host powered
 * itself off). One host after the other, one pass at a time: a bench has a
 * handful of hosts, and a BMC should not be asked twice at once.
 */
export function startPowerWatcher(store: Store, power: PowerService, intervalMs: number, log: (line: string) => void): { stop(): Promise<void> } {
  let pass: Promise<void> | null = null;
  let stopped = false;
  const once = async () => {
    for (const name of store.bmc.hostsWithBmc()) {
      if (stopped) return;
      await power.refresh(name);
    }
  };
  const tick = () => {
    if (pass || stopped) return;
    pass = once()
      .catch((err: unknown) => log(`power watcher: ${(err as Error).message}`))
      .finally(() => {
        pass = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await pass;
    },
  };
}
