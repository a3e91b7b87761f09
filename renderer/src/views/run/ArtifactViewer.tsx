import { useQuery } from '@tanstack/react-query';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { errorFromResponse } from '../../api/client.ts';
import { links } from '../../api/endpoints.ts';

// An agent's upload is shown as text in the run page, never opened as a page of
// its own: it comes from a machine we do not trust, and as a page on this origin
// its script would act with the operator's session. (The server serves it as
// inert text as well; this is the way a person reads it.)

/** More than this is cut in the viewer; Save has the whole file. */
const SHOWN_BYTES = 512 * 1024;

async function readText(runId: number, name: string): Promise<{ text: string; cut: boolean; binary: boolean }> {
  const res = await fetch(links.artifact(runId, name), { credentials: 'same-origin' });
  if (!res.ok) throw await errorFromResponse(res);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const shown = bytes.subarray(0, SHOWN_BYTES);
  return { text: new TextDecoder('utf-8', { fatal: false }).decode(shown), cut: bytes.length > SHOWN_BYTES, binary: shown.includes(0) };
}

export function ArtifactViewer({ runId, name, onClose }: { runId: number; name: string; onClose: () => void }) {
  const q = useQuery({ queryKey: ['artifact-text', runId, name], queryFn: () => readText(runId, name), staleTime: Infinity });
  return (
    <section className="artifact-viewer" aria-label={`Contents of ${name}`} data-testid="artifact-viewer">
      <div className="row">
        <strong className="mono">{name}</strong>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNote error={q.error} what="Could not read it" />
      {q.data?.binary ? <p className="muted">A binary file: use Save to keep it.</p> : null}
      {q.data && !q.data.binary ? <pre className="mono log">{q.data.text}</pre> : null}
      {q.data?.cut ? <p className="muted small">Only the first {SHOWN_BYTES / 1024} KiB are shown; Save has the whole file.</p> : null}
    </section>
  );
}
