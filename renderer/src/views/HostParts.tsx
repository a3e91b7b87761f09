import { useQuery } from '@tanstack/react-query';
import type { HostPartView } from '../../../common/schema/api.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { formatTime } from '../logic/format.ts';
import { PART_NAMES, swapSummary } from '../logic/parts.ts';
import { href } from '../logic/route.ts';

// A host's parts by serial as its latest run found them, and which were swapped since the
// run before (a serial that appeared or disappeared): what a repair shop checks after a
// repair. GET /api/hosts/:name/parts; refreshed with the host (its key sits under the host's).

function ChangeBadge({ part, previousRun }: { part: HostPartView; previousRun: number | null }) {
  if (part.change === 'appeared') return <span className="badge tone-busy">+ new since run {previousRun}</span>;
  if (part.change === 'gone') return <span className="badge tone-idle">− gone since run {part.runId}</span>;
  return <span className="muted">—</span>;
}

export function HostParts({ host }: { host: string }) {
  const parts = useQuery({ queryKey: keys.hostParts(host), queryFn: () => api.hostParts(host) });
  if (parts.isPending) return <Loading what={`the parts of ${host}`} />;
  if (parts.error) return <ErrorNote error={parts.error} what="Parts could not be loaded" />;
  const view = parts.data;
  const columns: Column<HostPartView>[] = [
    { header: 'Kind', cell: (p) => PART_NAMES[p.kind] ?? p.kind },
    { header: 'Serial', rowHeader: true, className: 'mono', cell: (p) => <a href={href.part(p.kind, p.id)}>{p.id}</a> },
    { header: 'Where', className: 'mono', cell: (p) => p.label ?? '—' },
    { header: 'Swapped', cell: (p) => <ChangeBadge part={p} previousRun={view.previousRun} /> },
    { header: 'Last run', cell: (p) => <a href={href.run(p.runId)}>#{p.runId}</a> },
    { header: 'First seen', cell: (p) => formatTime(p.firstSeen) },
  ];
  return (
    <section className="panel" aria-labelledby="host-parts-head" data-testid="host-parts">
      <h2 id="host-parts-head">Parts</h2>
      <p data-testid="host-parts-summary">{swapSummary(view)}</p>
      <DataTable
        className="results"
        columns={columns}
        rows={view.parts}
        rowKey={(p) => `${p.kind}|${p.id}`}
        rowClassName={(p) => (p.change ? `part-${p.change}` : undefined)}
        empty={null}
      />
    </section>
  );
}
