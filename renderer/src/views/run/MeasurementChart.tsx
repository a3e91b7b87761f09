import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MeasurementsView, StageView } from '../../../../common/schema/api.ts';
import type { MeasurementKind } from '../../../../common/schema/protocol.ts';
import { api } from '../../api/endpoints.ts';
import { keys } from '../../api/keys.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatClock } from '../../logic/format.ts';
import { chartWindows, groupByUnit, seriesColor, seriesSpan, timeTickFormatter, valueTick, type TimeWindow } from '../../logic/chart.ts';

// Every sensor over time. The server downsamples each series (LTTB) to about
// as many points as the chart is wide; choosing a stage's window asks again
// for that window only, so zooming refines instead of stretching coarse data.

// About one point per two pixels of a wide plot: more is invisible and only slows the drawing.
const POINTS = 400;

interface Props {
  runId: number;
  kind: MeasurementKind;
  title: string;
  stages: readonly StageView[];
  /** Draws the run's ceiling as a line (thermal). */
  ceiling?: number | null;
  /** Stage whose window is offered first, e.g. PSU for the PSU envelope. */
  focusStage?: string;
}

function SeriesChart({ data, unit, ceiling, zoom, testId }: { data: MeasurementsView['series']; unit: string; ceiling: number | null; zoom: TimeWindow | null; testId: string }) {
  const lines = useMemo(() => data.map((s) => ({ sensor: s.sensor, points: s.points.map(([t, v]) => ({ t, v })) })), [data]);
  const domain: [number | string, number | string] = zoom ? [zoom.from, zoom.to] : ['dataMin', 'dataMax'];
  const pointCount = data.reduce((n, s) => n + s.points.length, 0);
  const timeTick = useMemo(() => timeTickFormatter(seriesSpan(data, zoom)), [data, zoom]);
  return (
    <div className="chart" data-testid={testId} data-series={data.length} data-points={pointCount}>
      <ResponsiveContainer width="100%" height={320}>
        <LineChart margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d0d4da" />
          <XAxis dataKey="t" type="number" scale="time" domain={domain} allowDataOverflow tickFormatter={timeTick} minTickGap={50} />
          <YAxis unit={` ${unit}`} width={76} domain={['auto', 'auto']} allowDecimals tickFormatter={valueTick} />
          <Tooltip labelFormatter={(t) => formatClock(Number(t))} formatter={(v) => `${Number(v).toFixed(1)} ${unit}`} />
          {lines.map((l, i) => (
            <Line
              key={l.sensor}
              data={l.points}
              dataKey="v"
              name={l.sensor}
              type="linear"
              dot={false}
              isAnimationActive={false}
              stroke={seriesColor(i)}
              strokeDasharray={i >= 10 ? '6 3' : undefined}
              strokeWidth={1.6}
              connectNulls
            />
          ))}
          {ceiling ? <ReferenceLine y={ceiling} ifOverflow="extendDomain" stroke="#b00020" strokeWidth={2} strokeDasharray="8 4" label={{ value: `max ${ceiling} ${unit}`, position: 'insideTopRight', fill: '#b00020' }} /> : null}
          {lines.length > 0 && lines.length <= 16 ? <Legend /> : null}
          
        </LineChart>
      </ResponsiveContainer>
      {lines.length > 16 ? <p className="muted small">{lines.length} sensors (legend hidden; hover a line for its name).</p> : null}
    </div>
  );
}

export function MeasurementChart({ runId, kind, title, stages, ceiling = null, focusStage }: Props) {
  const windows = useMemo(() => chartWindows(stages, Date.now()), [stages]);
  const [zoom, setZoom] = useState<TimeWindow | null>(null);
  const query = useQuery({
    queryKey: keys.measurements(runId, kind, zoom),
    queryFn: () => api.measurements(runId, { kind, from: zoom?.from, to: zoom?.to, points: POINTS }),
    placeholderData: keepPreviousData,
  });
  const series = query.data?.series ?? [];
  const groups = groupByUnit(series);
  const headingId = `chart-${kind}`;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="panel-head">
        <h2 id={headingId}>{title}</h2>
        <div className="row" role="group" aria-label={`Zoom the ${title.toLowerCase()}`}>
          <button type="button" aria-pressed={zoom === null} onClick={() => setZoom(null)}>
            Whole run
          </button>
          {windows
            .filter((w) => !focusStage || w.stage === focusStage || kind === 'thermal')
            .map((w) => (
              <button
                key={w.stage}
                type="button"
                aria-pressed={zoom?.from === w.from && zoom?.to === w.to}
                onClick={() => setZoom({ from: w.from, to: w.to })}
                title={`Zoom to ${w.stage}: ${formatClock(w.from)}–${formatClock(w.to)}`}
              >
                {w.stage}
              </button>
            ))}
        </div>
      </div>
      <ErrorNote error={query.error} what={`The ${title.toLowerCase()} could not be loaded`} />
      {query.isPending ? <p className="muted">Loading samples…</p> : null}
      {!query.isPending && series.length === 0 ? <p className="muted">No {kind} samples {zoom ? 'in this window' : 'yet'}.</p> : null}
      {groups.map((g) => (
        <SeriesChart key={g.unit} data={g.series} unit={g.unit} ceiling={kind === 'thermal' ? ceiling : null} zoom={zoom} testId={`${kind}-chart`} />
      ))}
      {series.length > 0 ? (
        <p className="muted small">
          {series.length} series · {series.reduce((n, s) => n + s.rawCount, 0).toLocaleString()} samples stored, {series.reduce((n, s) => n + s.points.length, 0).toLocaleString()} drawn
          {query.isFetching ? ' · refreshing…' : ''}
        </p>
      ) : null}
    </section>
  );
}

