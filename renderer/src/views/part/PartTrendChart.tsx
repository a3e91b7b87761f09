import { useRef } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { niceTicks, seriesColor, valueTick } from '../../logic/chart.ts';
import type { TrendSeries } from '../../logic/parts.ts';
import { useElementWidth } from '../run/SeriesChart.tsx';

// One figure of a part across its runs (a SMART counter, IOPS, p99), drawn with recharts,
// the app's library for charts of a few lines: one point per run, the runs evenly spaced
// (months may pass between two visits of a part; what matters is the order), the value
// of each point in the tooltip and, for screen readers, in the chart's label.

const HEIGHT = 150;

export function PartTrendChart({ series, index }: { series: TrendSeries; index: number }) {
  const box = useRef<HTMLElement>(null);
  const width = useElementWidth(box);
  const data = series.points.map((p) => ({ run: `#${p.runId}`, value: p.value }));
  const values = series.points.map((p) => p.value);
  const min = Math.min(...values);
  const { domain, ticks } = niceTicks(min, Math.max(...values), 3);
  // A count never reads below zero.
  const lo = min >= 0 && domain[0] < 0 ? 0 : domain[0];
  const unit = series.unit ? ` ${series.unit}` : '';
  const title = `${series.stage} · ${series.label}`;
  const label = `${title}${unit ? ` (${series.unit})` : ''}: ${series.points.map((p) => `run ${p.runId} ${valueTick(p.value)}`).join(', ')}`;
  return (
    <figure className="part-trend" ref={box} data-testid="part-trend" data-stage={series.stage} data-figure={series.key} data-points={data.length}>
      <figcaption>
        {title}
        <span className="muted">{unit}</span>
      </figcaption>
      <div role="img" aria-label={label} style={{ height: HEIGHT }}>
        {width > 0 ? (
          <LineChart width={width} height={HEIGHT} data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} style={{ fontSize: 12 }}>
            <CartesianGrid stroke="#d0d4da" strokeDasharray="3 3" />
            <XAxis dataKey="run" stroke="#666" tick={{ fill: '#555' }} />
            <YAxis domain={[lo, domain[1]]} ticks={ticks.filter((t) => t >= lo)} tickFormatter={(v: number) => valueTick(v)} width={56} stroke="#666" tick={{ fill: '#555' }} />
            <Tooltip formatter={(v) => [`${valueTick(Number(v))}${unit}`, series.label]} isAnimationActive={false} />
            <Line className="series-line" type="linear" dataKey="value" name={series.label} stroke={seriesColor(index)} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
          </LineChart>
        ) : null}
      </div>
    </figure>
  );
}
