// Which URLs the window may show. The window only ever shows the bench UI served
// by the in-process orchestrator's control listener, and the printable run reports
// that the same listener serves. Anything else (another origin, file:, data:, a
// URL carrying credentials) is refused, so a link in a report or a compromised
// page cannot turn the app into a general browser with the operator's session.

export type UrlKind = 'app' | 'report' | 'blocked';

/** /api/runs/<id>/report.html — the only pages that may open in their own window. */
const REPORT_PATH = /^\/api\/runs\/[1-9]\d{0,15}\/report\.html$/;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function classifyUrl(url: string, controlUrl: string): UrlKind {
  const target = parse(url);
  const control = parse(controlUrl);
  if (!target || !control) return 'blocked';
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return 'blocked';
  // Credentials in a URL are never ours, and would hide the real host from a reader.
  if (target.username !== '' || target.password !== '') return 'blocked';
  // URL.origin compares scheme, host and port (default ports normalised).
  if (target.origin !== control.origin) return 'blocked';
  return REPORT_PATH.test(target.pathname) ? 'report' : 'app';
}

/** True for the app's own pages and its report pages. */
export function isAllowedUrl(url: string, controlUrl: string): boolean {
  return classifyUrl(url, controlUrl) !== 'blocked';
}

/** URL of the printable report of a run. */
export function reportUrl(controlUrl: string, runId: number): string {
  return new URL(`/api/runs/${runId}/report.html`, controlUrl).toString();
}
