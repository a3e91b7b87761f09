import { z } from 'zod';

// The one registry of notification events: what can be announced, how it is
// titled, and what its body says. Channels subscribe to these names
// (docs/notifications.md). 'Test' is internal: only "send test" produces it.

import { NOTIFICATION_EVENTS, NotificationEventType } from '../../../common/schema/notifications.ts';

export { NOTIFICATION_EVENTS, NotificationEventType };
export type OutboxEventType = NotificationEventType | 'Test';

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** What a caller hands to emit(): the type plus whatever context it has. */
export const NotificationInput = z
  .object({
    type: NotificationEventType,
    runId: z.number().int().positive().nullable().optional(),
    host: z.string().max(128).nullable().optional(),
    /** Overrides the registry's title / body when the caller knows better (cut to length, never refused). */
    title: z.string().transform((s) => clip(s, 300)).optional(),
    body: z.string().transform((s) => clip(s, 4000)).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type NotificationInput = z.input<typeof NotificationInput>;

/** The rendered notification as stored in the outbox and sent to every channel. */
export interface NotificationPayload {
  event: OutboxEventType;
  title: string;
  body: string;
  runId: number | null;
  host: string | null;
  data: Record<string, unknown>;
  /** ISO time the event was emitted. */
  createdAt: string;
}

interface EventDefinition {
  label: string;
  description: string;
  severity: 'info' | 'warning' | 'critical';
  title: (c: Ctx) => string;
  body: (c: Ctx) => string;
}
interface Ctx {
  run: string;
  host: string;
  data: Record<string, unknown>;
}

function text(v: unknown, fallback: string): string {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : fallback;
}

export const EVENT_REGISTRY: Record<OutboxEventType, EventDefinition> = {
  SpecMismatch: {
    label: 'Spec mismatch',
    description: 'The inventory differs from the host’s expected spec in a critical field.',
    severity: 'critical',
    title: (c) => `Spec mismatch on ${c.host}${c.run}`,
    body: (c) =>
      `The hardware found does not match the expected spec (${text(c.data.critical, 'one or more')} critical difference(s)). The run is holding for a person to decide.`,
  },
  StageFailed: {
    label: 'Stage failed',
    description: 'A stage failed or errored; the run holds at FailedHolding.',
    severity: 'critical',
    title: (c) => `${text(c.data.stage, 'A stage')} failed on ${c.host}${c.run}`,
    body: (c) => `${text(c.data.stage, 'A stage')} did not pass: ${text(c.data.message, 'see the run for details')}. The run is holding for retry, override or abandon.`,
  },
  UnexpectedData: {
    label: 'Unexpected data on a disk',
    description: 'The wipe-probe found data on a disk; a supervisor must approve an override.',
    severity: 'warning',
    title: (c) => `Data found on a disk of ${c.host}${c.run}`,
    body: (c) => `The wipe-probe found existing data (${text(c.data.found, 'signatures')}) on ${text(c.data.disk, 'a disk')}. Destructive tests wait for a supervisor's override.`,
  },
  AgentLost: {
    label: 'Agent lost',
    description: 'The in-image agent stopped sending heartbeats.',
    severity: 'warning',
    title: (c) => `Agent lost on ${c.host}${c.run}`,
    body: (c) => `No message from the agent for ${text(c.data.silentForS, 'too long')} s. Check power and cabling; the run resumes when the agent reconnects.`,
  },
  RunCompleted: {
    label: 'Run completed',
    description: 'A run finished and its report is ready to print.',
    severity: 'info',
    title: (c) => `${c.host} finished${c.run}: ${text(c.data.verdict, 'done')}`,
    body: (c) => `The report for ${c.host}${c.run} is ready (${text(c.data.verdict, 'see the report')}).`,
  },
  ServiceDown: {
    label: 'Service down',
    description: 'A bench service (dnsmasq, iperf3, listener) stopped or failed to start.',
    severity: 'critical',
    title: (c) => `Bench service ${text(c.data.service, 'unknown')} is down`,
    body: (c) => `${text(c.data.service, 'A service')} stopped: ${text(c.data.error, 'no detail')}. Hosts on the bench may not boot or test until it is back.`,
  },
  Test: {
    label: 'Test',
    description: 'Sent by the "send test" action.',
    severity: 'info',
    title: () => 'Test notification from Vetting',
    body: (c) => `If you can read this, the channel “${text(c.data.channel, 'this channel')}” works.`,
  },
};

/** Fills in title and body from the registry unless the caller gave them. */
export function renderNotification(
  type: OutboxEventType,
  input: { runId?: number | null; host?: string | null; title?: string; body?: string; data?: Record<string, unknown> },
  createdAt: string,
): NotificationPayload {
  const def = EVENT_REGISTRY[type];
  const ctx: Ctx = { run: input.runId ? ` (run #${input.runId})` : '', host: input.host ?? 'the bench', data: input.data ?? {} };
  return {
    event: type,
    title: input.title ?? def.title(ctx),
    body: input.body ?? def.body(ctx),
    runId: input.runId ?? null,
    host: input.host ?? null,
    data: input.data ?? {},
    createdAt,
  };
}
