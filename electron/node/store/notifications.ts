import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

// The notifier's rows: the channel list (one JSON document under the settings
// key 'notifications', validated by notify/channels.ts), the outbox with its
// retry schedule, and each channel's last delivery status.

export const NOTIFICATION_SETTINGS_KEY = 'notifications';

export interface OutboxRow {
  id: number;
  channel_id: string;
  event_type: string;
  payload_json: string;
  attempts: number;
  next_attempt_at_ms: number;
}

export interface ChannelStatusRow {
  channel_id: string;
  last_event: string | null;
  last_status: 'ok' | 'error' | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
}

export class NotificationStore {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  /** Prepared once per connection: the dispatcher runs these every poll. */
  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** The stored channel list as text, or null when none was ever saved. */
  channelsJson(): string | null {
    const row = this.stmt('SELECT value_json FROM settings WHERE key = ?').get(NOTIFICATION_SETTINGS_KEY) as { value_json: string } | undefined;
    return row ? row.value_json : null;
  }

  saveChannelsJson(json: string): void {
    this.stmt('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json').run(NOTIFICATION_SETTINGS_KEY, json);
  }

  /** One pending outbox row per channel, in one transaction; returns their ids in channel order. */
  enqueue(channelIds: string[], eventType: string, runId: number | null | undefined, payloadJson: string, dueAtMs: number, createdAt: string): number[] {
    const insert = this.stmt(
      `INSERT INTO notification_outbox (channel_id, event_type, run_id, payload_json, status, attempts, next_attempt_at_ms, created_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
    );
    return this.db.transaction(() => channelIds.map((id) => Number(insert.run(id, eventType, runId, payloadJson, dueAtMs, createdAt).lastInsertRowid)))();
  }

  /** Pending rows whose time has come, soonest first. */
  due(nowMs: number, limit: number): OutboxRow[] {
    return this.stmt(
      `SELECT id, channel_id, event_type, payload_json, attempts, next_attempt_at_ms FROM notification_outbox
       WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id LIMIT ?`,
    ).all(nowMs, limit) as OutboxRow[];
  }

  /** Pushes a pending row's next attempt to `leaseMs` if nobody else did since it was read; true when this caller got it. */
  claim(id: number, leaseMs: number, seenNextAttemptMs: number): boolean {
    return this.stmt(`UPDATE notification_outbox SET next_attempt_at_ms = ? WHERE id = ? AND status = 'pending' AND next_attempt_at_ms = ?`).run(leaseMs, id, seenNextAttemptMs).changes === 1;
  }

  /** Pushes a row's next attempt to `leaseMs` unconditionally (a row this caller just created). */
  lease(id: number, leaseMs: number): void {
    this.stmt('UPDATE notification_outbox SET next_attempt_at_ms = ? WHERE id = ?').run(leaseMs, id);
  }

  markDelivered(id: number, at: string): void {
    this.stmt(`UPDATE notification_outbox SET status = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = ? WHERE id = ?`).run(at, id);
  }

  markAttemptFailed(id: number, attempts: number, nextAttemptMs: number, error: string, status: 'pending' | 'failed'): void {
    this.stmt(`UPDATE notification_outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ?, status = ? WHERE id = ?`).run(attempts, nextAttemptMs, error, status, id);
  }

  /** A channel's latest delivery; a failure keeps the time of its last success. */
  recordChannelStatus(s: { id: string; event: string; status: 'ok' | 'error'; at: string; success: string | null; error: string | null }): void {
    this.stmt(
      `INSERT INTO notification_channel_status (channel_id, last_event, last_status, last_attempt_at, last_success_at, last_error)
       VALUES (@id, @event, @status, @at, @success, @error)
       ON CONFLICT (channel_id) DO UPDATE SET last_event = excluded.last_event, last_status = excluded.last_status,
         last_attempt_at = excluded.last_attempt_at, last_success_at = COALESCE(excluded.last_success_at, last_success_at),
         last_error = excluded.last_error`,
    ).run(s);
  }

  channelStatuses(): ChannelStatusRow[] {
    return this.db.prepare('SELECT * FROM notification_channel_status').all() as ChannelStatusRow[];
  }

  /** How many rows each channel has pending and given up. */
  openCounts(): { channel_id: string; status: string; n: number }[] {
    return this.db
      .prepare(`SELECT channel_id, status, COUNT(*) AS n FROM notification_outbox WHERE status IN ('pending', 'failed') GROUP BY channel_id, status`)
      .all() as { channel_id: string; status: string; n: number }[];
  }

  /** Deletes delivered and given-up rows created before `before`; returns how many. */
  deleteFinishedBefore(before: string): number {
    return this.db.prepare("DELETE FROM notification_outbox WHERE status IN ('delivered', 'failed') AND created_at < ?").run(before).changes;
  }
}
