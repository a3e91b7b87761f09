import type { Db } from '../store/db.ts';
import { NotificationChannel, NotificationChannels, type NotificationChannelInput } from '../../../common/schema/notifications.ts';

// Notification channels, stored as a JSON array under the settings key
// 'notifications' (docs/notifications.md). Each entry is validated on its own
// so one bad channel never silences the others.

export const SETTINGS_KEY = 'notifications';

export { NotificationChannel, NotificationChannels, DesktopChannel, WebhookChannel, SlackChannel, EmailChannel, SmtpSettings } from '../../../common/schema/notifications.ts';
export type { NotificationChannelInput } from '../../../common/schema/notifications.ts';

export interface ChannelConfig {
  channels: NotificationChannel[];
  /** One line per entry that was skipped, naming the problem. */
  errors: string[];
}

/** Reads the configured channels; never throws (bad entries are reported, not fatal). */
export function readChannels(db: Db): ChannelConfig {
  const row = db.prepare('SELECT value_json FROM settings WHERE key = ?').get(SETTINGS_KEY) as { value_json: string } | undefined;
  if (!row) return { channels: [], errors: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(row.value_json);
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
export function writeChannels(db: Db, channels: NotificationChannelInput[]): NotificationChannel[] {
  const parsed = NotificationChannels.parse(channels);
  db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json').run(
    SETTINGS_KEY,
    JSON.stringify(parsed),
  );
  return parsed;
}

/** A channel as the UI may show it: secrets and passwords masked. */
export function redactChannel(c: NotificationChannel): NotificationChannel {
  if (c.type === 'webhook' && c.secret) return { ...c, secret: '********' };
  if (c.type === 'email' && c.smtp.pass) return { ...c, smtp: { ...c.smtp, pass: '********' } };
  return c;
}
