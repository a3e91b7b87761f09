import { useMemo, useRef, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { StageView } from '../../../../common/schema/api.ts';
import type { MeasurementKind } from '../../../../common/schema/protocol.ts';
import { api } from '../../api/endpoints.ts';
import { CHART_POINTS } from '../../api/paths.ts';
import { keys } from '../../api/keys.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatClock } from '../../logic/format.ts';
import { chartWindows, groupByUnit, groupThousands, type TimeWindow } from '../../logic/chart.ts';
import { chartLayer } from './chart-layer.ts';
import { RechartsSeriesChart } from './RechartsSeriesChart.tsx';
import { SeriesChart, useElementWidth } from './SeriesChart.tsx';

// Every sensor over time. The server reduces each series to about as many
// points as the chart is wide (a min/max envelope from its per-minute rollup
// for long windows, LTTB over raw samples for short ones); choosing a stage's
// window asks again for that window only, so zooming refines instead of
// stretching coarse data. The drawing is recharts (RechartsSeriesChart) or the
// plain SVG layer (SeriesChart), as chart-layer.ts chooses.


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

/** The chart's request, shared with the run page, which starts it before the run itself has loaded. */
export function measurementsQuery(runId: number, kind: MeasurementKind, zoom: TimeWindow | null) {
  return {
    queryKey: keys.measurements(runId, kind, zoom),
    queryFn: ({ signal }: { signal: AbortSignal }) => api.measurements(runId, { kind, from: zoom?.from, to: zoom?.to, points: CHART_POINTS }, signal),
  };
}

export function MeasurementChart({ runId, kind, title, stages, ceiling = null, focusStage }: Props) {
  const windows = useMemo(() => chartWindows(stages, Date.now()), [stages]);
  const [zoom, setZoom] = useState<TimeWindow | null>(null);
  const query = useQuery({ ...measurementsQuery(runId, kind, zoom), placeholderData: keepPreviousData });
  const series = useMemo(() => query.data?.series ?? [], [query.data]);
  // Memoised so the charts keep their drawn lines when only the page around them re-renders.
  const groups = useMemo(() => groupByUnit(series), [series]);
  const headingId = `chart-${kind}`;
  const area = useRef<HTMLDivElement>(null);
  const width = useElementWidth(area, false, !query.isPending);
  const Chart = chartLayer(kind) === 'svg' ? SeriesChart : RechartsSeriesChart;
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
      {/* Measured while the samples load, so drawing them needs no layout pass of its own (nor waits for one);
          at once when they are here already (the page opened on its address). */}
      <div ref={area}>
        {query.isPending ? <p className="muted">Loading samples…</p> : null}
        {!query.isPending && series.length === 0 ? <p className="muted">No {kind} samples {zoom ? 'in this window' : 'yet'}.</p> : null}
        {width > 0
          ? groups.map((g) => <Chart key={g.unit} data={g.series} unit={g.unit} ceiling={kind === 'thermal' ? ceiling : null} zoom={zoom} testId={`${kind}-chart`} width={width} />)
          : null}
      </div>
      {series.length > 0 ? (
        <p className="muted small">
          {series.length} series · {groupThousands(series.reduce((n, s) => n + s.rawCount, 0))} samples stored, {groupThousands(series.reduce((n, s) => n + s.points.length, 0))} drawn
          {query.isFetching ? ' · refreshing…' : ''}
        </p>
      ) : null}
    </section>
  );
}

