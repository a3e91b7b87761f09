import { describe, expect, it } from 'vitest';
import { sleepUnlessAborted } from './sleep.ts';

describe('sleepUnlessAborted', () => {
  it('waits the time given, ends at once when the run is cancelled, and leaves no listener behind', async () => {
    const live = new AbortController();
    let ended = false;
    const wait = sleepUnlessAborted(60_000, live.signal).then(() => (ended = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    live.abort();
    await wait;
    expect(ended).toBe(true);

    const cancelled = new AbortController();
    cancelled.abort();
    // Already cancelled: resolves now (a minute's wait would run past the test's own timeout).
    await sleepUnlessAborted(60_000, cancelled.signal);

    const short = new AbortController();
    const removed: string[] = [];
    const remove = short.signal.removeEventListener.bind(short.signal);
    short.signal.removeEventListener = ((type: string, fn: Parameters<AbortSignal["removeEventListener"]>[1]) => (removed.push(type), remove(type, fn))) as typeof short.signal.removeEventListener;
    await sleepUnlessAborted(5, short.signal);
    expect(removed).toEqual(['abort']);
  });
});
