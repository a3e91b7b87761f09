// First: sends the page's first requests before the rest of the bundle is evaluated.
import './api/early.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiRequestError } from './api/client.ts';
import { App } from './App.tsx';
import { keys } from './api/keys.ts';
import './styles.css';

// Server state lives in react-query. Live events keep it fresh, so queries are
// not refetched on a timer; a client error (4xx) is not worth retrying.
// A 401 anywhere (e.g. the server restarted with a new token) re-checks the
// session, which turns the whole UI into the sign-in help.
const client: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (err, query) => {
      if (err instanceof ApiRequestError && err.unauthorized && query.queryKey[0] !== keys.session[0]) {
        void client.invalidateQueries({ queryKey: keys.session });
      }
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => !(err instanceof ApiRequestError && err.status >= 400 && err.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
