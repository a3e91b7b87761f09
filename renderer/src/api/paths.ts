import type { MeasurementKind } from '../../../common/schema/protocol.ts';

// Addresses of the control API the UI asks first, in a module that builds no
// schema: the early requests at start-up (early.ts) go out before the schemas
// are built, and must name exactly what the app then asks for.

/** Points per series a chart asks for: about one per two pixels of a wide plot; more is invisible. */
export const CHART_POINTS = 400;

/** Builds `path?k=v…`, leaving out empty and undefined values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface MeasurementRequest {
  kind: MeasurementKind;
  from?: number | null;
  to?: number | null;
  points: number;
}

export const paths = {
  session: '/api/session',
  board: '/api/board',
  run: (id: number) => `/api/runs/${id}`,
  measurements: (id: number, req: MeasurementRequest) => withQuery(`/api/runs/${id}/measurements`, { kind: req.kind, from: req.from, to: req.to, points: req.points }),
};
