import { memo, useCallback, useMemo, useRef, useState, type MouseEvent } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, XAxis, YAxis } from 'recharts';
import type { MeasurementsView } from '../../../../common/schema/api.ts';
import { nearestPoint, seriesColor, timeTickFormatter, valueTick } from '../../logic/chart.ts';
import { CEILING_COLOR, ChartLegend, chartLabel, HEIGHT, HoverReadout, makeFrame, MARGIN, useElementWidth, type Frame, type SeriesChartProps } from './SeriesChart.tsx';

// One unit's series drawn with recharts, the product card's charting library:
// a LineChart with one <Line> per sensor over the same axes, grid, ceiling
// (a ReferenceLine) and frame the SVG layer computes (SeriesChart.tsx's
// makeFrame), fed the server's rollup/LTTB points as they come (each line its
// own [time, value] pairs, no reshaping). The chart is drawn once per data,
// zoom and width; the hover read-out and the legend are plain HTML beside it,
// found by the same nearest-point search, so moving the pointer never
// re-renders recharts.

type Series = MeasurementsView['series'];
type Point = [number, number];

const time = (p: Point) => p[0];
const value = (p: Point) => p[1];

/** The recharts drawing itself: rebuilt only when the data or the frame changes. */
const Drawing = memo(function Drawing({ data, unit, ceiling, frame }: { data: Series; unit: string; ceiling: number | null; frame: Frame }) {
  const timeTick = timeTickFormatter(frame.timeDomain[1] - frame.timeDomain[0]);
  return (
    // The plot area sits exactly where the frame's scales put it: left of it the value axis (MARGIN.left wide), below it the time axis.
    <LineChart width={frame.width} height={HEIGHT} margin={{ top: MARGIN.top, right: MARGIN.right, bottom: 0, left: 0 }} style={{ fontSize: 12 }}>
      <CartesianGrid stroke="#d0d4da" strokeDasharray="3 3" horizontalValues={frame.yTicks} verticalValues={frame.xTicks} />
      <XAxis type="number" dataKey={time} domain={frame.timeDomain} ticks={frame.xTicks} tickFormatter={timeTick} allowDataOverflow height={MARGIN.bottom} stroke="#666" tick={{ fill: '#555' }} />
      <YAxis type="number" domain={frame.valueDomain} ticks={frame.yTicks} tickFormatter={(v: number) => `${valueTick(v)} ${unit}`} allowDataOverflow width={MARGIN.left} stroke="#666" tick={{ fill: '#555' }} />
      {data.map((s, i) => (
        <Line
          key={s.sensor}
          className="series-line"
          data={s.points}
          dataKey={value}
          name={s.sensor}
          type="linear"
          stroke={seriesColor(i)}
          strokeWidth={1.6}
          strokeDasharray={i >= 10 ? '6 3' : undefined}
          dot={false}
          activeDot={false}
          isAnimationActive={false}
        />
      ))}
      {ceiling !== null ? (
        <ReferenceLine
          y={ceiling}
          className="chart-ceiling"
          stroke={CEILING_COLOR}
          strokeWidth={2}
          strokeDasharray="8 4"
          label={{ value: `max ${ceiling} ${unit}`, position: 'insideTopRight', fill: CEILING_COLOR }}
        />
      ) : null}
    </LineChart>
  );
});

export function RechartsSeriesChart({ data, unit, ceiling, zoom, testId, width: givenWidth }: SeriesChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const measured = useElementWidth(box, givenWidth !== undefined);
  const width = givenWidth ?? measured;
  const frame = useMemo(() => (width > 0 ? makeFrame(data, ceiling, zoom, width) : null), [data, ceiling, zoom, width]);
  const pointCount = useMemo(() => data.reduce((n, s) => n + s.points.length, 0), [data]);

  const [hover, setHover] = useState<{ index: number; point: [number, number] } | null>(null);
  const onMove = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      if (!frame) return;
      const r = e.currentTarget.getBoundingClientRect();
      const px = e.clientX - r.left;
      const py = e.clientY - r.top;
      // Only over the plot area, as on the SVG layer.
      if (px < MARGIN.left || px > frame.width - MARGIN.right || py < MARGIN.top || py > HEIGHT - MARGIN.bottom) return setHover(null);
      setHover(nearestPoint(data, px, py, frame.x, frame.y, frame.tAt));
    },
    [data, frame],
  );
  const hovered = hover ? data[hover.index] : undefined;

  return (
    <div className="chart" data-testid={testId} data-series={data.length} data-points={pointCount} data-layer="recharts" ref={box} style={{ position: 'relative' }}>
      {frame ? (
        <div role="img" aria-label={chartLabel(data, unit, ceiling, frame)} onMouseMove={onMove} onMouseLeave={() => setHover(null)} style={{ position: 'relative', height: HEIGHT }}>
          <Drawing data={data} unit={unit} ceiling={ceiling} frame={frame} />
          {hover && hovered ? (
            <span
              aria-hidden="true"
              className="chart-hover-dot"
              style={{ position: 'absolute', left: frame.x(hover.point[0]) - 5, top: frame.y(hover.point[1]) - 5, width: 10, height: 10, borderRadius: 5, background: seriesColor(hover.index), border: '1.5px solid #fff', pointerEvents: 'none' }}
            />
          ) : null}
        </div>
      ) : (
        <div style={{ height: HEIGHT }} />
      )}
      {frame && hover && hovered ? <HoverReadout frame={frame} hover={hover} sensor={hovered.sensor} unit={unit} /> : null}
      <ChartLegend data={data} />
    </div>
  );
}
