import { describe, expect, it } from 'vitest';
import { ChartCache } from './chart-cache.ts';

describe('ChartCache', () => {
  it('gives back an answer only under the stamp it was kept with, and drops it otherwise', () => {
    const c = new ChartCache<string>();
    c.set('a', 1, 'answer', 10);
    expect(c.get('a', 1)).toBe('answer');
    expect(c.get('a', 2)).toBeUndefined();
    expect(c.get('a', 1)).toBeUndefined(); // dropped by the stale lookup
    expect(c.size).toBe(0);
  });

  it('evicts the least recently used entry first, by count and by points held', () => {
    const c = new ChartCache<string>(2, 100, 100);
    c.set('a', 0, 'A', 10);
    c.set('b', 0, 'B', 10);
    expect(c.get('a', 0)).toBe('A'); // a is now the most recent
    c.set('c', 0, 'C', 10);
    expect(c.get('b', 0)).toBeUndefined();
    expect([c.get('a', 0), c.get('c', 0)]).toEqual(['A', 'C']);

    c.set('d', 0, 'D', 95); // over 100 points with any other entry
    expect(c.size).toBe(1);
    expect(c.get('d', 0)).toBe('D');
  });

  it('keeps no answer larger than an entry may be, and a replaced key counts once', () => {
    const c = new ChartCache<string>(4, 1000, 50);
    c.set('big', 0, 'B', 51);
    expect(c.get('big', 0)).toBeUndefined();
    c.set('k', 0, 'one', 40);
    c.set('k', 1, 'two', 40);
    c.set('m', 0, 'M', 40);
    expect(c.size).toBe(2);
    expect(c.get('k', 1)).toBe('two');
    c.clear();
    expect(c.size).toBe(0);
  });
});
