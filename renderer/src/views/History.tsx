import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { RunSummaryView } from '../../../common/schema/api.ts';
import { api, links } from '../api/endpoints.ts';
import { filtersFromQuery } from '../logic/history.ts';
import { keys } from '../api/keys.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { runStatePresentation } from '../logic/board.ts';
import { RESULT_CHOICES } from '../logic/result.ts';
import { elapsedMs, formatDuration, formatTime } from '../logic/format.ts';
import { href } from '../logic/route.ts';

const runColumns: Column<RunSummaryView>[] = [
  { header: 'Run', rowHeader: true, cell: (r) => <a href={href.run(r.id)}>#{r.id}</a> },
  { header: 'Host', cell: (r) => <a href={href.host(r.host)}>{r.host}</a> },
  { header: 'Serial', className: 'mono', cell: (r) => r.dmiSerial ?? '—' },
  { header: 'State and result', cell: (r) => <StateBadge state={runStatePresentation(r)} /> },
  { header: 'Failed stage', cell: (r) => r.failedStage ?? '—' },
  { header: 'Started', cell: (r) => formatTime(r.startedAt ?? r.createdAt) },
  { header: 'Duration', cell: (r) => (r.completedAt ? formatDuration(elapsedMs(r.startedAt ?? r.createdAt, r.completedAt, Date.now())) : '—') },
  {
    header: 'Report',
    cell: (r) =>
      ['Completed', 'Released'].includes(r.state) || r.result ? (
        <a href={links.report(r.id)} target="_blank" rel="noopener" aria-label={`Report of run ${r.id}`}>
          Report
        </a>
      ) : (
        <span className="muted">—</span>
      ),
  },
];

// Past runs, filtered by host, serial, date and result. The filters live in the
// address (#/history?host=…) so a filtered list can be bookmarked or linked.
export function HistoryPage({ query }: { query: Record<string, string> }) {
  const filters = filtersFromQuery(query);
  const [form, setForm] = useState({ host: query.host ?? '', serial: query.serial ?? '', result: query.result ?? '', from: query.from ?? '', to: query.to ?? '' });
  const runs = useQuery({ queryKey: keys.runs(filters), queryFn: () => api.runs(filters), placeholderData: keepPreviousData });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    window.location.hash = href.history(form);
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <>
      <h1>History</h1>
      <form className="panel filters" onSubmit={apply} aria-label="Filter runs">
        <label>
          Host
          <input value={form.host} onChange={set('host')} />
        </label>
        <label>
          Serial
          <input value={form.serial} onChange={set('serial')} className="mono" />
        </label>
        <label>
          Result
          <select value={form.result} onChange={set('result')}>
            <option value="">any</option>
            {RESULT_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={form.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input type="date" value={form.to} onChange={set('to')} />
        </label>
        <button type="submit" className="primary">
          Filter
        </button>
        <a className="button" href={href.history()} onClick={() => setForm({ host: '', serial: '', result: '', from: '', to: '' })}>
          Clear
        </a>
      </form>
      <ErrorNote error={runs.error} what="Runs could not be loaded" />
      {runs.isPending ? <Loading what="runs" /> : null}
      {runs.data ? <DataTable className="panel" columns={runColumns} rows={runs.data} rowKey={(r) => r.id} empty={<p className="muted">No runs match.</p>} /> : null}
    </>
  );
}
