import { useCallback, useState } from 'react';

// In-page notices for the browser (the app uses desktop notifications).

export interface Toast {
  id: number;
  title: string;
  body: string;
  runId: number | null;
}

let nextId = 1;
const TOAST_MS = 20_000;

export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (t: Omit<Toast, 'id'>) => {
      const id = nextId++;
      setToasts((list) => [...list.slice(-3), { ...t, id }]);
      // The board keeps showing what needs a person; the notice itself need not stay.
      setTimeout(() => dismiss(id), TOAST_MS);
    },
    [dismiss],
  );
  return { toasts, push, dismiss };
}

export function Toasts({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="polite" aria-label="Notifications">
      {toasts.map((t) => (
        <div key={t.id} className="toast" role="status">
          <strong>{t.title}</strong>
          <p>{t.body}</p>
          <div className="row">
            {t.runId !== null ? <a href={`#/runs/${t.runId}`}>Open run {t.runId}</a> : null}
            <button type="button" onClick={() => dismiss(t.id)} aria-label={`Dismiss: ${t.title}`}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
