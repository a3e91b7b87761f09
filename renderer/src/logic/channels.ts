import { NotificationChannels } from '../../../common/schema/notifications.ts';

// The notification channels are edited as JSON (one array of channels, as
// docs/notifications.md describes them), checked with the shared schema before
// they are sent, each problem named with where it is.

export type ChannelsCheck = { ok: true; channels: unknown[] } | { ok: false; problems: string[] };

export function checkChannelsJson(text: string): ChannelsCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (!Array.isArray(parsed)) return { ok: false, problems: ['expected a JSON array of channels: [ {…}, {…} ]'] };
  const checked = NotificationChannels.safeParse(parsed);
  if (!checked.success) {
    return {
      ok: false,
      problems: checked.error.issues.map((i) => {
        const [index, ...rest] = i.path;
        const where = typeof index === 'number' ? `channel ${index + 1}${rest.length ? ` · ${rest.join('.')}` : ''}` : i.path.join('.');
        return where ? `${where}: ${i.message}` : i.message;
      }),
    };
  }
  // Send what the person wrote (secrets shown redacted stay redacted: the server keeps the stored ones).
  return { ok: true, channels: parsed };
}
