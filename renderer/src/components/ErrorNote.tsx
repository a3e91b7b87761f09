import { ApiRequestError, errorMessage } from '../api/client.ts';

/** An API error, worded for a person, placed next to what caused it. */
export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  const issues = error instanceof ApiRequestError ? error.issues : [];
  return (
    <div className="error-note" role="alert">
      <span aria-hidden="true">⚠ </span>
      {what ? <strong>{what}: </strong> : null}
      {errorMessage(error)}
      {issues.length > 0 ? (
        <ul>
          {issues.map((i, n) => (
            <li key={n}>
              {i.path ? <code>{i.path}</code> : null} {i.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}
