import type { Store } from '../store/index.ts';
import { NOTIFICATION_SETTINGS_KEY } from '../store/notifications.ts';
import { NotificationChannel, NotificationChannels, type NotificationChannelInput } from '../../../common/schema/notifications.ts';

// Notification channels, stored as a JSON array under the settings key
// 'notifications' (docs/notifications.md). Each entry is validated on its own
// so one bad channel never silences the others.

export const SETTINGS_KEY = NOTIFICATION_SETTINGS_KEY;

export { NotificationChannel, NotificationChannels, DesktopChannel, WebhookChannel, SlackChannel, EmailChannel, SmtpSettings } from '../../../common/schema/notifications.ts';
export type { NotificationChannelInput } from '../../../common/schema/notifications.ts';

export interface ChannelConfig {
  channels: NotificationChannel[];
  /** One line per entry that was skipped, naming the problem. */
  errors: string[];
}

/** Reads the configured channels; never throws (bad entries are reported, not fatal). */
export function readChannels(store: Store): ChannelConfig {
  const json = store.notifications.channelsJson();
  if (json === null) return { channels: [], errors: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return { channels: [], errors: [`settings.notifications is not valid JSON: ${(e as Error).message}`] };
  }
  if (!Array.isArray(raw)) return { channels: [], errors: ['settings.notifications must be an array of channels'] };
  const channels: NotificationChannel[] = [];
  const errors: string[] = [];
  raw.forEach((entry, i) => {
    const parsed = NotificationChannel.safeParse(entry);
    if (!parsed.success) {
      errors.push(`channel ${i}: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(entry)'}: ${x.message}`).join('; ')}`);
    } else if (channels.some((c) => c.id === parsed.data.id)) {
      errors.push(`channel ${i}: duplicate id ${parsed.data.id}`);
    } else {
      channels.push(parsed.data);
    }
  });
  return { channels, errors };
}

/** Validates and stores the channel list (for the settings API); throws a ZodError naming the problem. */
export function writeChannels(store: Store, channels: NotificationChannelInput[]): NotificationChannel[] {
  const parsed = NotificationChannels.parse(channels);
  store.notifications.saveChannelsJson(JSON.stringify(parsed));
  return parsed;
}

/** A channel as the UI may show it: secrets and passwords masked. */
export function redactChannel(c: NotificationChannel): NotificationChannel {
  if (c.type === 'webhook' && c.secret) return { ...c, secret: '********' };
  if (c.type === 'email' && c.smtp.pass) return { ...c, smtp: { ...c.smtp, pass: '********' } };
  return c;
}
