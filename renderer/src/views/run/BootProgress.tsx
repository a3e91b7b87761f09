import type { BootEventView } from '../../../../common/schema/api.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { bootTimeline } from '../../logic/boot.ts';
import { formatClock, formatTime } from '../../logic/format.ts';

type BootRow = ReturnType<typeof bootTimeline>[number];

const columns: Column<BootRow>[] = [
  { header: 'Time', title: (s) => formatTime(s.at), className: 'nowrap', cell: (s) => formatClock(Date.parse(s.at)) },
  { header: 'After', className: 'nowrap', cell: (s) => (s.offsetMs === null ? '—' : `+${(s.offsetMs / 1000).toFixed(1)} s`) },
  { header: 'Step', cell: (s) => s.label },
  { header: 'Detail', cell: (s) => s.detail ?? '' },
];

/** The host's network boot for this run, step by step (shown once the host has started booting). */
export function BootProgress({ events }: { events: readonly BootEventView[] }) {
  if (events.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="boot-head" data-testid="boot-progress">
      <h2 id="boot-head">Network boot</h2>
      <DataTable columns={columns} rows={bootTimeline(events)} rowKey={(_, i) => i} />
    </section>
  );
}
