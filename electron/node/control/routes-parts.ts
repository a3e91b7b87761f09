import { hostParts } from '../history/host-parts.ts';
import { runPartChanges } from '../history/part-changes.ts';
import type { Store } from '../store/index.ts';
import { UserError } from '../util/errors.ts';
import { route, type Route } from './http-kit.ts';

/**
 * History per part (docs/api.md): what changed on each part a run measured since that
 * part's previous run, and a host's parts by serial with what was swapped since its run
 * before. A single part's whole history is GET /api/components/:kind/:id (routes.ts).
 */
export function partRoutes(ctx: { store: Store }): Route[] {
  return [
    route('GET', '/api/runs/:id/part-changes', ({ params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id) || id <= 0) throw new UserError(`"${params.id}" is not a run id`, 'bad-request');
      return runPartChanges(ctx.store, id);
    }),
    route('GET', '/api/hosts/:name/parts', ({ params }) => hostParts(ctx.store, params.name!)),
  ];
}
