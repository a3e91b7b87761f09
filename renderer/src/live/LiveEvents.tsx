import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { LiveEvent } from '../../../common/schema/api.ts';
import { applyLiveEvent, parseLiveEvent, type CacheLike, type LiveNotice } from './reducer.ts';
import { bridge } from '../platform/bridge.ts';
import { keyedThrottle } from './throttle.ts';

// One EventSource for the whole UI. While it is down the header says
// "reconnecting…"; once it is back everything is refetched, since events may have
// been missed meanwhile.

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

const StreamContext = createContext<StreamStatus>('connecting');
export const useStreamStatus = () => useContext(StreamContext);

/** Charts refetch at most this often from live events (sensor batches come every few seconds). */
const CHART_REFRESH_MS = 10_000;

function cacheOf(client: QueryClient, chartThrottle: ReturnType<typeof keyedThrottle>): CacheLike {
  return {
    invalidate: (key) => {
      // Only the sensor-driven refresh of a live chart is spread out; stage changes refetch at once.
      if (key[0] === 'measurements' && key[3] === 'live') chartThrottle.call(JSON.stringify(key));
      else void client.invalidateQueries({ queryKey: key });
    },
    update: (key, updater) => client.setQueryData(key, updater as never),
  };
}

/** How long to wait before opening a new stream after the browser gave up on one (e.g. after a 401 or a restart). */
const REOPEN_AFTER_MS = 3000;

export function LiveEvents({ children, onNotice }: { children: ReactNode; onNotice: (n: LiveNotice) => void }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const noticeRef = useRef(onNotice);
  noticeRef.current = onNotice;

  useEffect(() => {
    const chartThrottle = keyedThrottle(CHART_REFRESH_MS, (key) => void client.invalidateQueries({ queryKey: JSON.parse(key) as unknown[] }));
    const cache = cacheOf(client, chartThrottle);
    let source: EventSource | null = null;
    let reopenTimer: ReturnType<typeof setTimeout> | null = null;
    let wasDown = false;
    let stopped = false;

    const open = () => {
      source = new EventSource('/api/events', { withCredentials: true });
      source.onopen = () => {
        setStatus('live');
        if (wasDown) void client.invalidateQueries(); // catch up on what was missed
        wasDown = false;
      };
      source.onerror = () => {
        wasDown = true;
        setStatus('reconnecting');
        // CONNECTING: the browser retries by itself. CLOSED: it gave up; open a new one later.
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          reopenTimer = setTimeout(open, REOPEN_AFTER_MS);
        }
      };
      source.onmessage = (msg: MessageEvent<string>) => {
        const parsed = parseLiveEvent(msg.data, (v) => LiveEvent.safeParse(v));
        if ('error' in parsed) {
          console.warn(parsed.error);
          return;
        }
        const notice = applyLiveEvent(cache, parsed.event);
        if (notice) noticeRef.current(notice);
      };
    };
    open();
    return () => {
      stopped = true;
      chartThrottle.cancel();
      if (reopenTimer) clearTimeout(reopenTimer);
      source?.close();
    };
  }, [client]);

  return <StreamContext.Provider value={status}>{children}</StreamContext.Provider>;
}

/**
 * In the app, the main process shows every notification event itself as a
 * desktop notification (a click opens its run: see the App's onOpenRun), so
 * the page shows nothing more; in a browser the caller shows a toast instead.
 */
export function notifyDesktop(_notice: LiveNotice): boolean {
  return bridge() !== null;
}
