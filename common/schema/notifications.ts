import { z } from 'zod';

// Notification events and channels (docs/notifications.md): the events the
// registry can announce, and the channel settings people configure.

export const NOTIFICATION_EVENTS = ['SpecMismatch', 'StageFailed', 'UnexpectedData', 'AgentLost', 'RunCompleted', 'ServiceDown'] as const;
export const NotificationEventType = z.enum(NOTIFICATION_EVENTS);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

const base = {
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'id: 1–64 letters, digits, "_", "." or "-"'),
  name: z.string().trim().min(1).max(100),
  /** Events this channel receives; all of them when omitted. */
  events: z.array(NotificationEventType).max(NOTIFICATION_EVENTS.length).default([...NOTIFICATION_EVENTS]),
  enabled: z.boolean().default(true),
};
const httpUrl = z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).max(2048);

export const DesktopChannel = z.object({ ...base, type: z.literal('desktop') }).strict();
export const WebhookChannel = z
  .object({
    ...base,
    type: z.literal('webhook'),
    url: httpUrl,
    /** When set, the body is signed: X-Vetting-Signature: sha256=<hex HMAC-SHA256 of the body>. */
    secret: z.string().min(1).max(256).optional(),
  })
  .strict();
export const SlackChannel = z.object({ ...base, type: z.literal('slack'), url: httpUrl }).strict();
export const SmtpSettings = z
  .object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465); otherwise STARTTLS is used when offered. */
    secure: z.boolean().default(false),
    /** Refuse to send unless STARTTLS succeeds. */
    requireTLS: z.boolean().default(false),
    user: z.string().max(256).optional(),
    pass: z.string().max(256).optional(),
    from: z.email().max(256),
    to: z.array(z.email().max(256)).min(1).max(50),
  })
  .strict();
export const EmailChannel = z.object({ ...base, type: z.literal('email'), smtp: SmtpSettings }).strict();

export const NotificationChannel = z.discriminatedUnion('type', [DesktopChannel, WebhookChannel, SlackChannel, EmailChannel]);
export type NotificationChannel = z.infer<typeof NotificationChannel>;
export type NotificationChannelInput = z.input<typeof NotificationChannel>;

/** The whole settings value: channels with unique ids. */
export const NotificationChannels = z.array(NotificationChannel).max(100).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const c of list) {
    if (seen.has(c.id)) ctx.addIssue({ code: 'custom', message: `duplicate channel id ${c.id}` });
    seen.add(c.id);
  }
});

