import { useEffect, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/endpoints.ts';
import { keys } from '../../api/keys.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatClock } from '../../logic/format.ts';

/** Tail of the running tool's output; live lines arrive as events and are appended to the cached tail. */
export function LogTail({ runId }: { runId: number }) {
  const logs = useQuery({ queryKey: keys.logs(runId), queryFn: () => api.logs(runId), staleTime: Infinity });
  const box = useRef<HTMLPreElement>(null);
  const lines = logs.data?.lines ?? [];
  useEffect(() => {
    if (lines.length === 0) return;
    // Follow the tail unless the reader scrolled up. Measured in the next frame, with the
    // browser's own layout: reading sizes right after a render forces an extra one
    // (about 35 ms for the whole run page on first load, docs/performance.md).
    const frame = requestAnimationFrame(() => {
      const el = box.current;
      if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
    });
    return () => cancelAnimationFrame(frame);
  }, [lines.length]);
  return (
    <section className="panel" aria-labelledby="log-head">
      <h2 id="log-head">Tool output</h2>
      <ErrorNote error={logs.error} what="The log could not be loaded" />
      <pre className="log" ref={box} tabIndex={0} aria-label="Tool output, newest last" data-testid="log-tail">
        {lines.length === 0 ? <span className="muted">No output yet.</span> : null}
        {lines.slice(-300).map((l, i) => (
          <span key={i} className="log-line">
            <span className="muted">{formatClock(l.ts)} </span>
            <span className="log-source">[{l.source}]</span> {l.line}
            {'\n'}
          </span>
        ))}
      </pre>
    </section>
  );
}
