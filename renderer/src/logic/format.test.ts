import { describe, expect, it } from 'vitest';
import { elapsedMs, formatBytes, formatDuration, formatEta, formatTemp } from './format.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45_900, '45 s'],
    [60_000, '1 min 00 s'],
    [12 * 60_000 + 3_000, '12 min 03 s'],
    [2 * 3_600_000 + 5 * 60_000, '2 h 05 min'],
    [3 * 86_400_000 + 4 * 3_600_000, '3 d 04 h'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
  it('refuses nonsense', () => {
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('elapsedMs', () => {
  it('runs to now while open and to completion when closed', () => {
    const now = Date.parse('2026-11-27T02:00:00Z');
    expect(elapsedMs('2026-11-27T01:00:00Z', null, now)).toBe(3_600_000);
    expect(elapsedMs('2026-11-27T01:00:00Z', '2026-11-27T01:00:30Z', now)).toBe(30_000);
    expect(elapsedMs(null, null, now)).toBeNull();
    expect(elapsedMs('garbage', null, now)).toBeNull();
  });
});

describe('formatEta', () => {
  it.each([
    [0.5, 'finishing'],
    [12.2, 'about 13 s left'],
    [61, 'about 2 min left'],
    [3600 + 120, 'about 1 h 02 min left'],
    [2 * 3600 - 10, 'about 2 h left'],
  ])('%s s → %s', (s, text) => expect(formatEta(s)).toBe(text));
  it('is null when unknown', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(-3)).toBeNull();
  });
});

describe('units', () => {
  it('formats bytes and temperatures', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(20 * 1024 ** 3)).toBe('20 GiB');
    expect(formatTemp(71.26)).toBe('71.3 °C');
    expect(formatTemp(null)).toBe('—');
  });
});
