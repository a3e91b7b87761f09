import { classifyUrl } from './allowed-urls.ts';

// The Content-Security-Policy the shell adds to every response from the control
// listener (session.webRequest.onHeadersReceived). The shell adds it itself rather
// than relying on the server, so the window is protected whatever the server sends;
// if the server sends a policy too, the browser enforces both (the stricter wins).

/** The bench UI: only its own scripts; styles may be inline (charts set them). */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** A run report is self-contained HTML with inline CSS: it needs nothing else. */
export const REPORT_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  'font-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

export type ResponseHeaders = Record<string, string[]>;

/** The policy for a URL, or null when the URL is not the app's (then nothing is added). */
export function cspFor(url: string, controlUrl: string): string | null {
  switch (classifyUrl(url, controlUrl)) {
    case 'app':
      return APP_CSP;
    case 'report':
      return REPORT_CSP;
    default:
      return null;
  }
}

/** Response headers with the app's policy added; the input is not modified. */
export function withCsp(url: string, controlUrl: string, headers: ResponseHeaders | undefined): ResponseHeaders {
  const out: ResponseHeaders = { ...(headers ?? {}) };
  const policy = cspFor(url, controlUrl);
  if (!policy) return out;
  // Header names arrive in whatever case the server used: append to the existing
  // entry so the browser sees every policy, instead of one silently replacing another.
  const existing = Object.keys(out).find((k) => k.toLowerCase() === 'content-security-policy');
  if (existing) out[existing] = [...(out[existing] ?? []), policy];
  else out['Content-Security-Policy'] = [policy];
  return out;
}
