import { startTransition, useEffect, useState, type ReactNode } from 'react';

/** However long what comes first takes, the rest is drawn after this. */
const MAX_WAIT_MS = 400;

/**
 * Renders its children only after what the page shows first has been painted:
 * once `until` holds (e.g. the page's chart has its samples) — or MAX_WAIT_MS
 * after mounting, whichever is sooner — then after the next frame, in a
 * background render. A page puts what usually sits below the fold in here, so
 * the first frames carry what the user came for instead of laying out tables
 * nobody sees yet.
 */
export function Deferred({ until = true, children }: { until?: boolean; children: ReactNode }) {
  const [waited, setWaited] = useState(false);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setWaited(true), MAX_WAIT_MS);
    return () => clearTimeout(timer);
  }, []);
  const due = until || waited;
  useEffect(() => {
    if (!due || shown) return;
    // A frame, then a task: the frame with the first content has been produced.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => startTransition(() => setShown(true)));
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [due, shown]);
  return shown ? children : null;
}
