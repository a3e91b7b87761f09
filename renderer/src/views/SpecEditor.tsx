import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { HostView, SpecCheckView } from '../../../common/schema/api.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { issuesByLine, lineCount, lineRange } from '../logic/specEditor.ts';
import { formatTime } from '../logic/format.ts';

// The expected spec as YAML. The server checks it as you type (after a pause)
// and its issues are shown in place: marked in the line gutter and listed with
// their line numbers; choosing one puts the caret on that line.

const CHECK_AFTER_MS = 600;

export function SpecEditor({ host }: { host: HostView }) {
  const client = useQueryClient();
  const [text, setText] = useState(host.specYaml ?? '');
  const [check, setCheck] = useState<SpecCheckView | null>(null);
  const [checkError, setCheckError] = useState<unknown>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const dirty = text !== (host.specYaml ?? '');

  useEffect(() => setText(host.specYaml ?? ''), [host.specYaml]);

  useEffect(() => {
    if (text.trim() === '') {
      setCheck(null);
      return;
    }
    let cancelled = false;
    const t = setTimeout(() => {
      api.checkSpec(text).then(
        (r) => !cancelled && (setCheck(r), setCheckError(null)),
        (e: unknown) => !cancelled && setCheckError(e),
      );
    }, CHECK_AFTER_MS);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [text]);

  const save = useMutation({
    mutationFn: () => api.putSpec(host.name, text),
    onSuccess: (h) => {
      client.setQueryData(keys.host(h.name), h);
      void client.invalidateQueries({ queryKey: keys.hosts });
    },
  });
  const runs = useQuery({ queryKey: keys.runs({ host: host.name, limit: 20 }), queryFn: () => api.runs({ host: host.name, limit: 20 }) });
  const [captureRun, setCaptureRun] = useState('');
  const capture = useMutation({
    mutationFn: () => api.captureSpec(host.name, captureRun ? Number(captureRun) : undefined),
    onSuccess: (r) => setText(r.yaml),
  });

  const { byLine, unplaced } = issuesByLine(check?.issues ?? []);
  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const [start, end] = lineRange(text, line);
    el.focus();
    el.setSelectionRange(start, end);
  };
  const lines = lineCount(text);

  return (
    <section className="panel" aria-labelledby="spec-head">
      <div className="panel-head">
        <h2 id="spec-head">Expected spec (YAML)</h2>
        <span className={check ? (check.ok ? 'good' : 'bad') : 'muted'} role="status" data-testid="spec-status">
          {text.trim() === '' ? 'no spec: SpecValidate has nothing to compare' : check ? (check.ok ? '✓ valid' : `✗ ${check.issues.length} issue${check.issues.length === 1 ? '' : 's'}`) : 'checking…'}
        </span>
      </div>
      <div className="editor">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => {
            const issues = byLine.get(i + 1);
            return (
              <div key={i} className={issues ? 'gutter-bad' : undefined} title={issues?.map((x) => x.message).join('\n')}>
                {issues ? '✗ ' : ''}
                {i + 1}
              </div>
            );
          })}
        </div>
        <textarea
          id="spec-yaml"
          ref={area}
          aria-label={`Expected spec of ${host.name} as YAML`}
          aria-describedby="spec-issues"
          aria-invalid={check ? !check.ok : undefined}
          spellCheck={false}
          value={text}
          rows={Math.min(30, Math.max(10, lines + 1))}
          onChange={(e) => setText(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      <ul id="spec-issues" className="issues">
        {[...byLine.entries()]
          .sort(([a], [b]) => a - b)
          .flatMap(([line, list]) =>
            list.map((issue, i) => (
              <li key={`${line}-${i}`}>
                <button type="button" className="link" onClick={() => goTo(line)}>
                  line {line}
                </button>{' '}
                {issue.path ? <code>{issue.path}</code> : null} {issue.message}
              </li>
            )),
          )}
        {unplaced.map((issue, i) => (
          <li key={`u${i}`}>
            {issue.path ? <code>{issue.path}</code> : null} {issue.message}
          </li>
        ))}
      </ul>
      <ErrorNote error={checkError} what="The spec could not be checked" />
      <div className="row">
        <button type="button" className="primary" onClick={() => save.mutate()} disabled={!dirty || save.isPending}>
          {save.isPending ? 'Saving…' : 'Save spec'}
        </button>
        <button type="button" onClick={() => setText(host.specYaml ?? '')} disabled={!dirty}>
          Discard changes
        </button>
      </div>
      <div className="row">
        <label htmlFor="capture-run">Capture from run</label>
        <select id="capture-run" value={captureRun} onChange={(e) => setCaptureRun(e.target.value)}>
          <option value="">latest run with an inventory</option>
          {(runs.data ?? []).map((r) => (
            <option key={r.id} value={r.id}>
              run {r.id} · {r.state} · {formatTime(r.createdAt)}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => capture.mutate()} disabled={capture.isPending}>
          {capture.isPending ? 'Capturing…' : 'Capture spec'}
        </button>
      </div>
      <p className="muted small">Capturing fills the editor with what the run's inventory found; review it, then save.</p>
      {save.isSuccess && !dirty ? <p className="good" role="status">Saved.</p> : null}
      <ErrorNote error={save.error} what="Not saved" />
      <ErrorNote error={capture.error} what="Nothing captured" />
    </section>
  );
}
