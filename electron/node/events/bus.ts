import type { LiveEvent } from '../../../common/schema/index.ts';

/** Internal events that are not for the UI. */
export type InternalEvent = { type: 'directive-changed'; runId: number };

export type BusEvent = LiveEvent | InternalEvent;
type Listener = (event: BusEvent) => void;

/**
 * In-process fan-out of live events: the UI's event stream, the agent endpoint
 * (to push new directives) and the Electron shell all subscribe here. A
 * listener that throws is isolated from the others.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: BusEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken subscriber must not stop delivery to the others.
      }
    }
  }
}
