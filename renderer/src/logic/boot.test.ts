import { describe, expect, it } from 'vitest';
import { bootLine, bootTimeline } from './boot.ts';

describe('boot progress text', () => {
  it('names the step, its detail and how long ago it happened', () => {
    const at = '2026-11-27T10:00:00.000Z';
    expect(bootLine({ step: 'kernel', detail: '7.9 MiB in 1.2 s', at }, Date.parse(at) + 40_000)).toBe('Booting: Kernel — 7.9 MiB in 1.2 s · 40 s ago');
    expect(bootLine({ step: 'dhcp', detail: null, at: 'garbage' }, 0)).toBe('Booting: DHCP');
  });

  it('gives each step its offset from the first', () => {
    const t = bootTimeline([
      { step: 'dhcp', detail: 'PXE firmware leased 10.0.0.5', at: '2026-11-27T10:00:00.000Z' },
      { step: 'initrd', detail: '90 MiB in 20.0 s', at: '2026-11-27T10:00:31.500Z' },
    ]);
    expect(t.map((s) => [s.label, s.offsetMs])).toEqual([
      ['DHCP', 0],
      ['Live image (initrd)', 31_500],
    ]);
    expect(bootTimeline([])).toEqual([]);
  });
});
