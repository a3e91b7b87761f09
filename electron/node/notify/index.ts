// Public entry points of the notification module (docs/notifications.md).
export { NOTIFICATION_EVENTS, NotificationEventType, NotificationInput, EVENT_REGISTRY, renderNotification, type NotificationPayload } from './events.ts';
export {
  NotificationChannel,
  NotificationChannels,
  SmtpSettings,
  SETTINGS_KEY,
  readChannels,
  writeChannels,
  redactChannel,
  type NotificationChannelInput,
} from './channels.ts';
export { createNotifier, backoffMs, DEFAULT_RETRY, type Notifier, type NotifierOptions, type NotifierStatus, type ChannelStatus, type RetryPolicy } from './notifier.ts';
export { signBody, webhookBody, SIGNATURE_HEADER, type FetchLike } from './transports.ts';
