import { join } from 'node:path';
import { SupervisorCredentials } from '../../auth/supervisor-credentials.ts';
import { EventBus, type BusEvent } from '../../events/bus.ts';
import { writeRunReport } from '../../report/index.ts';
import type { Store } from '../../store/index.ts';
import { LiveState } from '../live-state.ts';
import { createRunServices, type NotificationEvent, type RunServices } from '../index.ts';

/**
 * The run services as `vetting serve` wires them, on a real store in `dir`, for tests that
 * play whole runs: reports are written for real, no agent address nor iperf3 server is
 * needed. Events and notifications go to the callbacks given.
 */
export function runServicesOnDisk(store: Store, dir: string, listen: { events?: (e: BusEvent) => void; notes?: (e: NotificationEvent) => void } = {}): RunServices {
  const bus = new EventBus();
  if (listen.events) bus.subscribe(listen.events);
  return createRunServices({
    store,
    bus,
    live: new LiveState(bus, join(dir, 'logs')),
    notifier: { emit: (e) => listen.notes?.(e) },
    reporter: (id) => writeRunReport(store, dir, id),
    bench: () => ({ artifactBase: 'http://127.0.0.1:1', iperf: null }),
    supervisors: new SupervisorCredentials(store.supervisors),
  });
}
