import type { MeasurementKind } from '../../../../common/schema/protocol.ts';

// Which layer draws a chart: recharts (RechartsSeriesChart.tsx, the product
// card's library) or the hand-drawn SVG (SeriesChart.tsx). Both take the same
// props and the same server-reduced points; `npm run bench` (bench/chart.ts)
// measures both on the same data, and docs/performance.md records the numbers
// this choice rests on.

export type ChartLayer = 'recharts' | 'svg';

/**
 * The choice the measurements made (docs/performance.md, "Chart layers"):
 * recharts 3 spends 15–30 ms per <Line> it mounts, whatever the points, so
 * the thermal chart's 40 sensors take it well past 500 ms, while the SVG
 * layer paints them in about 100. The thermal chart (its overview and its
 * stage windows: the same 40 lines) stays on the SVG layer; the PSU chart's
 * few rails, and any other chart, are recharts. The benchmark builds the UI
 * once with each layer forced (VETTING_CHART_LAYER below) to measure both.
 */
const POLICY: { thermal: ChartLayer; other: ChartLayer } = { thermal: 'svg', other: 'recharts' };

/** Set only by the benchmark's builds (a Vite `define`); absent from the app's build. */
declare const VETTING_CHART_LAYER: ChartLayer | undefined;
const forced: ChartLayer | undefined = typeof VETTING_CHART_LAYER === 'string' ? VETTING_CHART_LAYER : undefined;

/** The layer that draws a chart of `kind`. */
export function chartLayer(kind: MeasurementKind): ChartLayer {
  if (forced) return forced;
  return kind === 'thermal' ? POLICY.thermal : POLICY.other;
}
