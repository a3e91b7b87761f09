import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/endpoints.ts';
import { keys } from '../../api/keys.ts';
import { ErrorNote, Loading } from '../../components/ErrorNote.tsx';
import { checkChannelsJson } from '../../logic/channels.ts';
import { formatBytes, formatTime } from '../../logic/format.ts';

// Notification channels (status, "send test", editing) and the janitor.

function ChannelEditor({ initial, onDone }: { initial: unknown[]; onDone: () => void }) {
  const client = useQueryClient();
  const [text, setText] = useState(() => JSON.stringify(initial, null, 2));
  const [problems, setProblems] = useState<string[]>([]);
  const save = useMutation({
    mutationFn: (channels: unknown[]) => api.putChannels(channels),
    onSuccess: (view) => {
      client.setQueryData(keys.notifications, view);
      onDone();
    },
  });
  const submit = () => {
    const r = checkChannelsJson(text);
    setProblems(r.ok ? [] : r.problems);
    if (r.ok) save.mutate(r.channels);
  };
  return (
    <div>
      <label htmlFor="channels-json" className="field-label">
        Channels (JSON)
      </label>
      <textarea
        id="channels-json"
        className="mono json-editor"
        rows={14}
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={problems.length > 0}
        aria-describedby="channels-help channels-problems"
      />
      <p id="channels-help" className="muted small">
        Types: desktop, webhook (url, optional HMAC secret), slack (url), email (smtp: host, port, from, to[]). “events” limits a channel to some of
        SpecMismatch, StageFailed, UnexpectedData, AgentLost, RunCompleted, ServiceDown. Secrets show as ******** and are kept unless replaced.
      </p>
      <ul id="channels-problems" className="issues">
        {problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ul>
      <div className="row">
        <button type="button" className="primary" onClick={submit} disabled={save.isPending}>
          Save channels
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorNote error={save.error} what="Channels not saved" />
    </div>
  );
}

export function NotificationsPanel() {
  const view = useQuery({ queryKey: keys.notifications, queryFn: api.notifications });
  const [editing, setEditing] = useState(false);
  const [tested, setTested] = useState<Record<string, string>>({});
  const test = useMutation({
    mutationFn: (id: string) => api.testChannel(id),
    onSuccess: (r, id) => setTested((t) => ({ ...t, [id]: r.ok ? '✓ test sent' : `✗ ${r.error ?? 'failed'}` })),
    onError: (err, id) => setTested((t) => ({ ...t, [id]: `✗ ${err instanceof Error ? err.message : String(err)}` })),
  });
  return (
    <section className="panel" aria-labelledby="notif-head">
      <div className="panel-head">
        <h2 id="notif-head">Notification channels</h2>
        {!editing && view.data ? (
          <button type="button" onClick={() => setEditing(true)}>
            Edit channels…
          </button>
        ) : null}
      </div>
      {view.isPending ? <Loading what="channels" /> : null}
      <ErrorNote error={view.error} what="Channels could not be loaded" />
      {view.data?.configErrors.map((e, i) => (
        <p key={i} className="bad">
          ⚠ {e}
        </p>
      ))}
      {editing && view.data ? <ChannelEditor initial={view.data.channels} onDone={() => setEditing(false)} /> : null}
      {!editing && view.data?.status.length === 0 ? <p className="muted">No channels: in this browser, notices show as messages at the bottom right.</p> : null}
      {!editing
        ? view.data?.status.map((c) => (
            <article key={c.id} className="service" aria-label={`Channel ${c.name}`}>
              <h3>
                {c.name} <span className="muted">({c.type})</span>{' '}
                {!c.enabled ? (
                  <span className="badge tone-idle">off</span>
                ) : c.lastStatus === 'error' ? (
                  <span className="badge tone-bad">✗ failing</span>
                ) : c.lastStatus === 'ok' ? (
                  <span className="badge tone-ok">✓ delivering</span>
                ) : (
                  <span className="badge tone-idle">○ nothing sent yet</span>
                )}
              </h3>
              <p className="small">
                Events: {c.events.join(', ') || 'none'}
                {c.lastAttemptAt ? ` · last try ${formatTime(c.lastAttemptAt)}` : ''}
                {c.pending ? ` · ${c.pending} waiting` : ''}
                {c.failed ? ` · ${c.failed} given up` : ''}
              </p>
              {c.lastError ? <p className="bad small">Last error: {c.lastError}</p> : null}
              <div className="row">
                <button type="button" onClick={() => test.mutate(c.id)} disabled={test.isPending} aria-label={`Send a test to ${c.name}`}>
                  Send test
                </button>
                {tested[c.id] ? <span role="status">{tested[c.id]}</span> : null}
              </div>
            </article>
          ))
        : null}
    </section>
  );
}

export function JanitorPanel() {
  const client = useQueryClient();
  const view = useQuery({ queryKey: keys.janitor, queryFn: api.janitor });
  const run = useMutation({ mutationFn: api.runJanitor, onSuccess: () => void client.invalidateQueries({ queryKey: keys.janitor }) });
  const last = view.data?.lastPass;
  return (
    <section className="panel" aria-labelledby="janitor-head">
      <h2 id="janitor-head">Janitor</h2>
      <ErrorNote error={view.error} what="Janitor status could not be loaded" />
      {last ? (
        <p>
          Last pass {formatTime(last.finishedAt)} ({last.trigger}): reclaimed {formatBytes(last.bytesReclaimed)}.
        </p>
      ) : view.data ? (
        <p className="muted">No pass yet.</p>
      ) : null}
      <p className="muted small">Removes old artifacts by the retention above, never what an open or unreleased run needs.</p>
      <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>
        {run.isPending ? 'Cleaning…' : 'Run janitor now'}
      </button>
      <ErrorNote error={run.error} what="Janitor" />
    </section>
  );
}
