import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent, type RefObject } from 'react';
import type { MeasurementsView } from '../../../../common/schema/api.ts';
import { formatClock } from '../../logic/format.ts';
import { linePath, linearScale, nearestPoint, niceTicks, seriesColor, seriesExtent, timeTickFormatter, timeTicks, valueTick, type TimeWindow } from '../../logic/chart.ts';

// One unit's series as a plain SVG chart: one <path> per sensor in a single
// memoised layer, axes and grid from simple linear scales, the ceiling line,
// and a hover read-out found by a nearest-point search on one overlay rect.
// Re-renders on hover touch only the read-out; the lines are drawn once per
// data, zoom or width.

export const HEIGHT = 320;
export const MARGIN = { top: 12, right: 24, bottom: 28, left: 76 };
export const LEGEND_MAX = 16;
export const CEILING_COLOR = '#b00020';

type Series = MeasurementsView['series'];

/** What both chart layers take (this SVG one and RechartsSeriesChart.tsx). */
export interface SeriesChartProps {
  data: Series;
  unit: string;
  /** Draws this value as the run's ceiling (thermal), widening the value axis to show it. */
  ceiling: number | null;
  zoom: TimeWindow | null;
  testId: string;
  /**
   * The width in pixels, when the caller knows it (MeasurementChart measures
   * its area while the samples are still loading; tests); measured otherwise.
   */
  width?: number;
}

export interface Frame {
  width: number;
  x: (t: number) => number;
  y: (v: number) => number;
  tAt: (px: number) => number;
  xTicks: number[];
  yTicks: number[];
  timeDomain: [number, number];
  valueDomain: [number, number];
}

export function makeFrame(data: Series, ceiling: number | null, zoom: TimeWindow | null, width: number): Frame | null {
  const ext = seriesExtent(data);
  if (!ext) return null;
  const timeDomain: [number, number] = zoom ? [zoom.from, zoom.to] : ext.t;
  const lo = ceiling !== null ? Math.min(ext.v[0], ceiling) : ext.v[0];
  const hi = ceiling !== null ? Math.max(ext.v[1], ceiling) : ext.v[1];
  const { domain: valueDomain, ticks: yTicks } = niceTicks(lo, hi, 5);
  const left = MARGIN.left;
  const right = Math.max(left + 1, width - MARGIN.right);
  const x = linearScale(timeDomain, [left, right]);
  const tAt = linearScale([left, right], timeDomain);
  const y = linearScale(valueDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const xTicks = timeTicks(timeDomain[0], timeDomain[1], Math.max(2, Math.floor((right - left) / 110)));
  return { width, x, y, tAt, xTicks, yTicks, timeDomain, valueDomain };
}

/** The lines themselves: rebuilt only when the data or the frame changes. */
const SeriesLines = memo(function SeriesLines({ data, frame, clipId }: { data: Series; frame: Frame; clipId: string }) {
  return (
    <g className="series-lines" clipPath={`url(#${clipId})`} fill="none" strokeWidth={1.6} strokeLinejoin="round">
      {data.map((s, i) => (
        <path
          key={s.sensor}
          className="series-line"
          data-sensor={s.sensor}
          d={linePath(s.points, frame.x, frame.y)}
          stroke={seriesColor(i)}
          strokeDasharray={i >= 10 ? '6 3' : undefined}
        />
      ))}
    </g>
  );
});

/**
 * The element's width in pixels (0 until known), kept up to date by a
 * ResizeObserver. Its first report comes with the browser's next layout, so
 * mounting never forces a layout of the page of its own; `skip` leaves the
 * element unobserved. With `now` set when it mounts (what it sizes is ready to
 * draw: samples already loaded), the width is read at once instead, before
 * the first paint: that layout is due anyway, and waiting for the observer
 * would cost a frame.
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>, skip = false, now = false): number {
  const [width, setWidth] = useState(0);
  const atMount = useRef(now && !skip).current;
  useLayoutEffect(() => {
    if (atMount && ref.current) setWidth(Math.floor(ref.current.getBoundingClientRect().width));
  }, [ref, atMount]);
  useEffect(() => {
    const el = ref.current;
    if (!el || skip) return;
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[entries.length - 1]!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, skip]);
  return width;
}

export function SeriesChart({ data, unit, ceiling, zoom, testId, width: givenWidth }: SeriesChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const measured = useElementWidth(box, givenWidth !== undefined);
  const width = givenWidth ?? measured;

  const frame = useMemo(() => (width > 0 ? makeFrame(data, ceiling, zoom, width) : null), [data, ceiling, zoom, width]);
  const timeTick = useMemo(() => timeTickFormatter(frame ? frame.timeDomain[1] - frame.timeDomain[0] : 0), [frame]);
  const pointCount = useMemo(() => data.reduce((n, s) => n + s.points.length, 0), [data]);
  const clipId = `${testId}-${unit.replace(/[^\w-]/g, '') || 'plain'}-clip`;

  const [hover, setHover] = useState<{ index: number; point: [number, number] } | null>(null);
  const onMove = useCallback(
    (e: MouseEvent<SVGRectElement>) => {
      if (!frame) return;
      const r = e.currentTarget.ownerSVGElement!.getBoundingClientRect();
      setHover(nearestPoint(data, e.clientX - r.left, e.clientY - r.top, frame.x, frame.y, frame.tAt));
    },
    [data, frame],
  );

  const label = chartLabel(data, unit, ceiling, frame);
  const hovered = hover ? data[hover.index] : undefined;

  return (
    <div className="chart" data-testid={testId} data-series={data.length} data-points={pointCount} ref={box} style={{ position: 'relative' }}>
      {frame ? (
        <svg width={frame.width} height={HEIGHT} role="img" aria-label={label} style={{ display: 'block', fontSize: 12 }}>
          <defs>
            <clipPath id={clipId}>
              <rect x={MARGIN.left} y={MARGIN.top} width={frame.width - MARGIN.left - MARGIN.right} height={HEIGHT - MARGIN.top - MARGIN.bottom} />
            </clipPath>
          </defs>
          <g className="chart-grid" stroke="#d0d4da" strokeDasharray="3 3">
            {frame.yTicks.map((v) => (
              <line key={`y${v}`} x1={MARGIN.left} x2={frame.width - MARGIN.right} y1={frame.y(v)} y2={frame.y(v)} />
            ))}
            {frame.xTicks.map((t) => (
              <line key={`x${t}`} x1={frame.x(t)} x2={frame.x(t)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} />
            ))}
          </g>
          <g className="chart-axis chart-axis-value" fill="#555" textAnchor="end">
            <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} stroke="#666" />
            {frame.yTicks.map((v) => (
              <text key={v} x={MARGIN.left - 6} y={frame.y(v)} dy="0.32em">
                {`${valueTick(v)} ${unit}`}
              </text>
            ))}
          </g>
          <g className="chart-axis chart-axis-time" fill="#555" textAnchor="middle">
            <line x1={MARGIN.left} x2={frame.width - MARGIN.right} y1={HEIGHT - MARGIN.bottom} y2={HEIGHT - MARGIN.bottom} stroke="#666" />
            {frame.xTicks.map((t) => (
              <text key={t} x={frame.x(t)} y={HEIGHT - MARGIN.bottom + 16}>
                {timeTick(t)}
              </text>
            ))}
          </g>
          <SeriesLines data={data} frame={frame} clipId={clipId} />
          {ceiling !== null ? (
            <g className="chart-ceiling">
              <line x1={MARGIN.left} x2={frame.width - MARGIN.right} y1={frame.y(ceiling)} y2={frame.y(ceiling)} stroke={CEILING_COLOR} strokeWidth={2} strokeDasharray="8 4" />
              <text x={frame.width - MARGIN.right - 4} y={frame.y(ceiling) - 5} textAnchor="end" fill={CEILING_COLOR}>
                {`max ${ceiling} ${unit}`}
              </text>
            </g>
          ) : null}
          {hover && hovered ? <circle cx={frame.x(hover.point[0])} cy={frame.y(hover.point[1])} r={4} fill={seriesColor(hover.index)} stroke="#fff" strokeWidth={1.5} pointerEvents="none" /> : null}
          <rect
            className="chart-hover"
            x={MARGIN.left}
            y={MARGIN.top}
            width={frame.width - MARGIN.left - MARGIN.right}
            height={HEIGHT - MARGIN.top - MARGIN.bottom}
            fill="transparent"
            onMouseMove={onMove}
            onMouseLeave={() => setHover(null)}
          />
        </svg>
      ) : (
        <div style={{ height: HEIGHT }} />
      )}
      {frame && hover && hovered ? <HoverReadout frame={frame} hover={hover} sensor={hovered.sensor} unit={unit} /> : null}
      <ChartLegend data={data} />
    </div>
  );
}

/** What the chart shows, for screen readers (the drawing is role="img"). */
export function chartLabel(data: Series, unit: string, ceiling: number | null, frame: Frame | null): string {
  return `${data.length} ${data.length === 1 ? 'sensor' : 'sensors'} in ${unit || 'no unit'}${
    frame ? `, ${valueTick(frame.valueDomain[0])} to ${valueTick(frame.valueDomain[1])} ${unit}, ${formatClock(frame.timeDomain[0])} to ${formatClock(frame.timeDomain[1])}` : ''
  }${ceiling !== null ? `, ceiling ${ceiling} ${unit}` : ''}`;
}

/** The hover read-out: the nearest drawn point's sensor, value and time, beside it. */
export function HoverReadout({ frame, hover, sensor, unit }: { frame: Frame; hover: { index: number; point: [number, number] }; sensor: string; unit: string }) {
  return (
    <div
      className="chart-tooltip"
      aria-hidden="true"
      style={{
        position: 'absolute',
        left: Math.min(frame.x(hover.point[0]) + 12, frame.width - 200),
        top: Math.max(0, frame.y(hover.point[1]) - 40),
        background: '#fff',
        border: '1px solid #c5cad1',
        borderRadius: 4,
        padding: '0.2rem 0.45rem',
        pointerEvents: 'none',
        fontSize: '0.85rem',
        whiteSpace: 'nowrap',
      }}
    >
      <strong style={{ color: seriesColor(hover.index) }}>{sensor}</strong> {hover.point[1].toFixed(1)} {unit}
      <br />
      <span className="muted">{formatClock(hover.point[0])}</span>
    </div>
  );
}

/** The sensors' colours and names (up to 16; more is a note: hover a line for its name). */
export function ChartLegend({ data }: { data: Series }) {
  return (
    <>
      {data.length > 0 && data.length <= LEGEND_MAX ? (
        <ul className="chart-legend" aria-label="Sensors" style={{ listStyle: 'none', display: 'flex', flexWrap: 'wrap', gap: '0.3rem 1rem', justifyContent: 'center', margin: '0.3rem 0 0', padding: 0, fontSize: '0.85rem' }}>
          {data.map((s, i) => (
            <li key={s.sensor}>
              <svg width={18} height={8} aria-hidden="true" style={{ marginRight: 4 }}>
                <line x1={0} x2={18} y1={4} y2={4} stroke={seriesColor(i)} strokeWidth={2} strokeDasharray={i >= 10 ? '6 3' : undefined} />
              </svg>
              {s.sensor}
            </li>
          ))}
        </ul>
      ) : null}
      {data.length > LEGEND_MAX ? <p className="muted small">{data.length} sensors (legend hidden; hover a line for its name).</p> : null}
    </>
  );
}
