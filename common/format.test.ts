import { describe, expect, it } from 'vitest';
import { aboutDuration, clockAround, etaShortText, etaText } from './format.ts';

// Local times built with the local constructor, so the checks hold in any time zone.
const at = (d: number, h: number, m: number, s = 0) => new Date(2026, 11, d, h, m, s).getTime();

describe('the estimated end in words', () => {
  it('says a clock time, rounder the further away it is', () => {
    const now = at(4, 9, 0);
    expect(clockAround(at(4, 9, 41, 20), now)).toBe('09:41');
    expect(clockAround(at(4, 14, 22), now)).toBe('14:20'); // hours away: to 5 minutes
    expect(clockAround(at(4, 17, 8), now)).toBe('17:15'); // past six hours: to 15
    expect(clockAround(at(5, 3, 2), now)).toMatch(/^[A-Z][a-z]{2} 03:00$/); // tomorrow: its weekday
    expect(clockAround(at(24, 11, 0), now)).toBe('2026-12-24 11:00');
  });

  it('says how long is left', () => {
    expect(aboutDuration(12.4)).toBe('about 12 s');
    expect(aboutDuration(754)).toBe('about 13 min');
    expect(aboutDuration(2 * 3600 + 600)).toBe('about 2 h 10 min');
    expect(aboutDuration(3 * 86400 + 4 * 3600)).toBe('about 3 d 4 h');
  });

  it('says what a run’s estimate is: a time, a person to wait for, or its end', () => {
    const now = at(4, 9, 0);
    expect(etaText({ status: 'running', at: new Date(at(4, 14, 21)).toISOString(), remainingS: 5 * 3600 }, now)).toBe('done around 14:20');
    expect(etaText({ status: 'waiting-for-person', at: null, remainingS: 2400 }, now)).toBe('waiting for a person (about 40 min of testing left once it continues)');
    expect(etaText({ status: 'done', at: new Date(at(4, 8, 52)).toISOString(), remainingS: 0 }, now)).toBe('done at 08:52');
    expect(etaText({ status: 'ended', at: null, remainingS: null }, now)).toBeNull();
    expect(etaText(undefined, now)).toBeNull();
    expect(etaShortText({ status: 'running', at: new Date(at(4, 9, 12)).toISOString() }, now)).toBe('around 09:12');
    expect(etaShortText({ status: 'waiting-for-person', at: null }, now)).toBe('when a person decides');
  });
});
