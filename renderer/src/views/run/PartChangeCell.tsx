import type { PartChangeView } from '../../../../common/schema/api.ts';
import { noChangeText } from '../../logic/parts.ts';
import { href } from '../../logic/route.ts';

// Beside a disk, DIMM or NIC in a stage's results: what changed since that part's
// previous run on this bench, worded by the server from the stage's schema. A change
// the schema calls worse or better says so in a word as well as a colour.

export function PartChangeCell({ change }: { change: PartChangeView }) {
  const none = noChangeText(change);
  return (
    <div className="part-change" data-testid="part-change" data-part={change.id}>
      {none ? <div className="muted">{none}</div> : null}
      {change.changes.length > 0 ? (
        <ul className="part-change-list">
          {change.changes.map((c) => (
            <li key={c.key} className={c.direction ? `change-${c.direction}` : undefined} title={c.detail}>
              {c.text}
              {c.direction ? <span className="change-word"> · {c.direction}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="small">
        {change.previous && change.changes.length > 0 ? (
          <>
            vs <a href={href.run(change.previous.runId)}>run {change.previous.runId}</a>
            {' · '}
          </>
        ) : null}
        <a href={href.part(change.kind, change.id)} aria-label={`History of ${change.kind} ${change.id}`}>
          history
        </a>
      </div>
    </div>
  );
}
