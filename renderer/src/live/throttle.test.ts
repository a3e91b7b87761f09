import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keyedThrottle } from './throttle.ts';

describe('keyedThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the first call at once and folds a burst into one trailing call', () => {
    const calls: string[] = [];
    const t = keyedThrottle(5000, (k) => calls.push(k));
    t.call('a');
    expect(calls).toEqual(['a']);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(200);
      t.call('a');
    }
    expect(calls).toEqual(['a']);
    vi.advanceTimersByTime(5000);
    expect(calls).toEqual(['a', 'a']);
  });

  it('keeps keys apart and can be cancelled', () => {
    const calls: string[] = [];
    const t = keyedThrottle(1000, (k) => calls.push(k));
    t.call('a');
    t.call('b');
    t.call('a');
    expect(calls).toEqual(['a', 'b']);
    t.cancel();
    vi.advanceTimersByTime(2000);
    expect(calls).toEqual(['a', 'b']);
  });
});
