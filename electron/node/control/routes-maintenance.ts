import { NotificationChannels } from '../../../common/schema/index.ts';
import type { Janitor } from '../janitor/index.ts';
import { readChannels, redactChannel, writeChannels, type Notifier } from '../notify/index.ts';
import type { Store } from '../store/index.ts';
import { UserError } from '../util/errors.ts';
import { parseWith, route, type Route } from './http-kit.ts';

/** Notification channels and the janitor: the control API's upkeep corner (docs/api.md). */
export function maintenanceRoutes(ctx: { store: Store; notifier: Notifier; janitor: Janitor }): Route[] {
  const view = () => {
    const status = ctx.notifier.status();
    const { channels } = readChannels(ctx.store);
    return { channels: channels.map(redactChannel), status: status.channels, configErrors: status.configErrors };
  };
  return [
    route('GET', '/api/notifications', view),
    route('PUT', '/api/notifications/channels', ({ body }) => {
      const incoming = parseWith(NotificationChannels, body, 'notification channels');
      // A redacted secret sent back unchanged keeps the stored one.
      const stored = new Map(readChannels(ctx.store).channels.map((c) => [c.id, c]));
      const merged = incoming.map((c) => {
        const old = stored.get(c.id);
        if (c.type === 'webhook' && c.secret === '********') return { ...c, secret: old?.type === 'webhook' ? old.secret : undefined };
        if (c.type === 'email' && c.smtp.pass === '********') return { ...c, smtp: { ...c.smtp, pass: old?.type === 'email' ? old.smtp.pass : undefined } };
        return c;
      });
      writeChannels(ctx.store, merged);
      return view();
    }),
    route('POST', '/api/notifications/:id/test', async ({ params }) => {
      if (!readChannels(ctx.store).channels.some((c) => c.id === params.id)) throw new UserError(`no notification channel "${params.id}"`, 'not-found', 404);
      return ctx.notifier.sendTest(params.id!);
    }),
    route('GET', '/api/janitor', () => ({ lastPass: ctx.janitor.lastPass() })),
    route('POST', '/api/janitor/run', async () => ({ report: await ctx.janitor.runNow('manual'), lastPass: ctx.janitor.lastPass() })),
  ];
}
