import { describe, expect, it } from 'vitest';
import { MEASUREMENT_KINDS } from '../../../../common/schema/protocol.ts';
import { chartLayer } from './chart-layer.ts';

describe('which layer draws a chart', () => {
  it('keeps the thermal chart on the SVG layer and draws every other kind with recharts', () => {
    expect(chartLayer('thermal')).toBe('svg');
    for (const kind of MEASUREMENT_KINDS.filter((k) => k !== 'thermal')) expect(chartLayer(kind)).toBe('recharts');
  });
});
