import { useCallback, useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api/endpoints.ts';
import { keys } from './api/keys.ts';
import { ApiRequestError } from './api/client.ts';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { ErrorNote, Loading } from './components/ErrorNote.tsx';
import { Toasts, useToasts } from './components/Toasts.tsx';
import { LiveEvents, notifyDesktop, useStreamStatus } from './live/LiveEvents.tsx';
import type { LiveNotice } from './live/reducer.ts';
import { href, parseRoute, type Route } from './logic/route.ts';
import { bridge } from './platform/bridge.ts';
import { BoardPage } from './views/Board.tsx';
import { preloadRunPage, RunPage } from './views/RunDetail.tsx';
import { HostsPage } from './views/Hosts.tsx';
import { HistoryPage } from './views/History.tsx';
import { PartPage } from './views/PartPage.tsx';
import { SettingsPage } from './views/Settings.tsx';
import { SignInHelp } from './views/SignIn.tsx';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

function StreamBanner() {
  const status = useStreamStatus();
  if (status === 'live') return <span className="stream stream-live" role="status">● live</span>;
  return (
    <span className="stream stream-down" role="status" data-testid="stream-status">
      {status === 'connecting' ? 'connecting…' : 'reconnecting…'}
    </span>
  );
}

const NAV: { name: Route['name']; label: string; href: string }[] = [
  { name: 'board', label: 'Bench board', href: '#/' },
  { name: 'hosts', label: 'Hosts', href: '#/hosts' },
  { name: 'history', label: 'History', href: '#/history' },
  { name: 'settings', label: 'Settings', href: '#/settings' },
];

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'board':
      return <BoardPage />;
    case 'run':
      return <RunPage id={route.id} />;
    case 'hosts':
      return <HostsPage host={route.host} isNew={route.isNew} />;
    case 'part':
      return <PartPage kind={route.kind} id={route.id} host={route.host} />;
    case 'history':
      return <HistoryPage query={route.query} />;
    case 'settings':
      return <SettingsPage />;
    case 'not-found':
      return (
        <div className="panel">
          <h1>Nothing here</h1>
          <p>
            There is no page at <code>#{route.path}</code>. <a href="#/">Go to the bench board</a>.
          </p>
        </div>
      );
  }
}

export function App() {
  const route = useRoute();
  const queryClient = useQueryClient();
  const sessionQuery = { queryKey: keys.session, queryFn: api.session, retry: false, staleTime: Infinity } as const;
  // Opened on a run's address: its data is read and checked beside the session's, not after
  // it (api/early.ts has already sent these requests; the queries take those answers).
  // The session goes first: the page is drawn once it answers, while the samples are still on their way.
  useState(() => {
    void queryClient.prefetchQuery(sessionQuery);
    if (route.name === 'run') preloadRunPage(queryClient, route.id);
    return null;
  });
  const session = useQuery(sessionQuery);
  // In the app: a click on a desktop notification about a run opens that run here.
  useEffect(() => bridge()?.onOpenRun?.((runId) => void (window.location.hash = href.run(runId))), []);
  const { toasts, push, dismiss } = useToasts();
  const onNotice = useCallback(
    (n: LiveNotice) => {
      if (!notifyDesktop(n)) push(n);
    },
    [push],
  );

  if (session.isPending) return <Loading what="the bench" />;
  if (session.error) {
    if (session.error instanceof ApiRequestError && session.error.unauthorized) return <SignInHelp />;
    return (
      <main className="page">
        <h1>Vetting</h1>
        <ErrorNote error={session.error} what="Cannot open the bench" />
        <button type="button" onClick={() => void session.refetch()}>
          Try again
        </button>
      </main>
    );
  }

  const version = session.data.version ?? bridge()?.appVersion;
  return (
    <LiveEvents onNotice={onNotice}>
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="#/">
          Vetting
        </a>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <a key={n.name} href={n.href} aria-current={route.name === n.name || (n.name === 'board' && route.name === 'run') ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <StreamBanner />
        {version ? <span className="muted version">v{version}</span> : null}
      </header>
      <main className="page" id="main" tabIndex={-1}>
        <ErrorBoundary key={window.location.hash} where={`${route.name} page`}>
          <Page route={route} />
        </ErrorBoundary>
      </main>
      <Toasts toasts={toasts} dismiss={dismiss} />
    </LiveEvents>
  );
}
