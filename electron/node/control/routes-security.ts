import { SupervisorBody, type SupervisorAuditView } from '../../../common/schema/index.ts';
import type { BootTokens } from '../auth/boot-tokens.ts';
import type { SupervisorCredentials } from '../auth/supervisor-credentials.ts';
import type { Store } from '../store/index.ts';
import { UserError } from '../util/errors.ts';
import { parseWith, route, type Route } from './http-kit.ts';

/** Who a control-API request acts as: whoever holds the control token is an operator. */
export const CONTROL_ACTOR = 'operator';

/** Supervisors and network boots: the control API's security corner (docs/api.md). */
export function securityRoutes(ctx: { store: Store; credentials: SupervisorCredentials; bootTokens: BootTokens }): Route[] {
  return [
    route('GET', '/api/supervisors', () => ctx.store.supervisors.list()),
    route('POST', '/api/supervisors', async ({ body }) => {
      const b = parseWith(SupervisorBody, body);
      const done = await ctx.credentials.set(b.name, b.secret, {
        kind: 'control',
        actor: CONTROL_ACTOR,
        ...(b.oldSecret !== undefined ? { oldSecret: b.oldSecret } : {}),
        ...(b.approvedBy ? { approvedBy: b.approvedBy } : {}),
      });
      return { name: b.name, done };
    }),
    route('GET', '/api/supervisors/audit', (): SupervisorAuditView[] => ctx.store.supervisors.audit().map(({ id: _id, ...row }) => row)),
    // A person asks for another network boot of a run's host (docs/pxe.md).
    route('POST', '/api/runs/:id/boot', ({ params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id) || id <= 0) throw new UserError(`"${params.id}" is not a run id`, 'bad-request');
      const armed = ctx.bootTokens.armByPerson(id, CONTROL_ACTOR);
      return { run: id, armedAt: armed.armed_at };
    }),
  ];
}
