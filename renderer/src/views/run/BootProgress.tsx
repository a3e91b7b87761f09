import type { BootEventView } from '../../../../common/schema/api.ts';
import { bootTimeline } from '../../logic/boot.ts';
import { formatClock, formatTime } from '../../logic/format.ts';

/** The host's network boot for this run, step by step (shown once the host has started booting). */
export function BootProgress({ events }: { events: readonly BootEventView[] }) {
  if (events.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="boot-head" data-testid="boot-progress">
      <h2 id="boot-head">Network boot</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">After</th>
            <th scope="col">Step</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {bootTimeline(events).map((s, i) => (
            <tr key={i}>
              <td title={formatTime(s.at)} className="nowrap">
                {formatClock(Date.parse(s.at))}
              </td>
              <td className="nowrap">{s.offsetMs === null ? '—' : `+${(s.offsetMs / 1000).toFixed(1)} s`}</td>
              <td>{s.label}</td>
              <td>{s.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
