import type { LiveEvent } from '../../../common/schema/api.ts';
import type { Store } from '../store/index.ts';
import type { OutboxRow } from '../store/notifications.ts';
import { readChannels, type NotificationChannel } from './channels.ts';
import { NotificationInput, renderNotification, type NotificationPayload, type OutboxEventType } from './events.ts';
import { sendToChannel, type FetchLike } from './transports.ts';

// The notifier: emit() writes one outbox row per subscribed channel in one
// transaction (a crash after emit() loses nothing), and a dispatcher delivers
// due rows with exponential backoff kept in the row (next_attempt_at_ms), so
// retries survive restarts too. Delivery is at-least-once; receivers can
// de-duplicate on the delivery id. Nothing here ever throws into a caller.

export interface RetryPolicy {
  /** First retry delay. */
  baseMs: number;
  /** Longest delay between attempts. */
  maxMs: number;
  /** Attempts before a row is given up as failed. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 15 * 60_000, maxAttempts: 20 };

export interface NotifierOptions {
  store: Store;
  publish: (event: LiveEvent) => void;
  fetchImpl?: FetchLike;
  /** Clock in epoch ms (tests move it forward to make retries due). */
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Dispatcher poll interval while started. */
  pollMs?: number;
  /** Per-delivery network timeout. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface ChannelStatus {
  id: string;
  name: string;
  type: NotificationChannel['type'];
  enabled: boolean;
  events: string[];
  lastStatus: 'ok' | 'error' | null;
  lastEvent: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  /** Deliveries waiting (first try or retry). */
  pending: number;
  /** Deliveries given up after maxAttempts. */
  failed: number;
}

export interface NotifierStatus {
  channels: ChannelStatus[];
  /** Channel entries in settings that could not be used, each naming the problem. */
  configErrors: string[];
}

export interface Notifier {
  /** Queues the event for every enabled channel subscribed to it; returns the outbox ids (empty on bad input). */
  emit(event: NotificationInput): number[];
  /** Sends a test notification to one channel now and says how it went. */
  sendTest(channelId: string): Promise<{ ok: boolean; error: string | null }>;
  /** Delivers everything due now (retries whose time has not come stay queued). */
  flush(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  status(): NotifierStatus;
}

/** While a row is being sent its next attempt is pushed this far out, so no one else picks it up. */
const CLAIM_MS = 5 * 60_000;
const BATCH = 50;

export function backoffMs(attempts: number, policy: RetryPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { store, publish } = options;
  const outbox = store.notifications;
  const fetchImpl: FetchLike = options.fetchImpl ?? ((url, init) => fetch(url, init));
  const now = options.now ?? (() => Date.now());
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const pollMs = options.pollMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const log = options.log ?? (() => {});
  const iso = (): string => new Date(now()).toISOString();

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  function enqueue(type: OutboxEventType, payload: NotificationPayload, channels: NotificationChannel[]): number[] {
    const at = now();
    const json = JSON.stringify(payload);
    return outbox.enqueue(
      channels.map((c) => c.id),
      type,
      payload.runId,
      json,
      at,
      payload.createdAt,
    );
  }

  async function deliver(row: OutboxRow, channels: NotificationChannel[]): Promise<{ ok: boolean; error: string | null }> {
    const channel = channels.find((c) => c.id === row.channel_id);
    const attempts = row.attempts + 1;
    let error: string | null = null;
    if (!channel) error = `channel ${row.channel_id} is no longer configured`;
    else if (!channel.enabled && row.event_type !== 'Test') error = `channel ${row.channel_id} is disabled`;
    if (error) {
      // Nothing to retry against: give the row up at once.
      outbox.markAttemptFailed(row.id, attempts, row.next_attempt_at_ms, error, 'failed');
      return { ok: false, error };
    }
    let payload: NotificationPayload;
    try {
      payload = JSON.parse(row.payload_json) as NotificationPayload;
      await sendToChannel(channel as NotificationChannel, payload, { deliveryId: row.id, publish, fetchImpl, timeoutMs });
    } catch (e) {
      error = (e as Error).message || String(e);
    }
    const at = iso();
    if (error === null) {
      outbox.markDelivered(row.id, at);
      outbox.recordChannelStatus({ id: row.channel_id, event: row.event_type, status: 'ok', at, success: at, error: null });
      return { ok: true, error: null };
    }
    const giveUp = attempts >= retry.maxAttempts;
    outbox.markAttemptFailed(row.id, attempts, now() + backoffMs(attempts, retry), error, giveUp ? 'failed' : 'pending');
    outbox.recordChannelStatus({ id: row.channel_id, event: row.event_type, status: 'error', at, success: null, error });
    log(`notification ${row.id} (${row.event_type}) to channel ${row.channel_id} failed, attempt ${attempts}${giveUp ? ', giving up' : ''}: ${error}`);
    return { ok: false, error };
  }

  /** One sweep over due rows: channels in parallel, rows of one channel in order. */
  async function sweep(): Promise<number> {
    const rows = outbox.due(now(), BATCH);
    if (rows.length === 0) return 0;
    const { channels } = readChannels(store);
    const claimed: OutboxRow[] = [];
    for (const r of rows) {
      const lease = now() + CLAIM_MS;
      if (outbox.claim(r.id, lease, r.next_attempt_at_ms)) claimed.push({ ...r, next_attempt_at_ms: lease });
    }
    const byChannel = new Map<string, OutboxRow[]>();
    for (const r of claimed) byChannel.set(r.channel_id, [...(byChannel.get(r.channel_id) ?? []), r]);
    await Promise.all(
      [...byChannel.values()].map(async (list) => {
        for (const r of list) await deliver(r, channels);
      }),
    );
    return claimed.length;
  }

  /** Runs sweeps until nothing is due; concurrent callers share the same run. */
  function drain(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          while ((await sweep()) > 0) {
            /* keep going while rows were due */
          }
        } while (again);
      } catch (e) {
        log(`notification dispatcher: ${(e as Error).message}`);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    emit(event) {
      try {
        const parsed = NotificationInput.safeParse(event);
        if (!parsed.success) {
          log(`notification refused: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
          return [];
        }
        const e = parsed.data;
        const payload = renderNotification(e.type, e, iso());
        const targets = readChannels(store).channels.filter((c) => c.enabled && c.events.includes(e.type));
        const ids = targets.length ? enqueue(e.type, payload, targets) : [];
        if (timer && ids.length) setImmediate(() => void drain());
        return ids;
      } catch (err) {
        log(`notification ${String((event as { type?: unknown })?.type)} could not be queued: ${(err as Error).message}`);
        return [];
      }
    },

    async sendTest(channelId) {
      try {
        const { channels } = readChannels(store);
        const channel = channels.find((c) => c.id === channelId);
        if (!channel) return { ok: false, error: `no channel with id ${channelId}` };
        const payload = renderNotification('Test', { data: { channel: channel.name } }, iso());
        const [id] = enqueue('Test', payload, [channel]);
        // Claimed straight away so the dispatcher does not send it a second time.
        const lease = now() + CLAIM_MS;
        outbox.lease(id as number, lease);
        return await deliver({ id: id as number, channel_id: channel.id, event_type: 'Test', payload_json: JSON.stringify(payload), attempts: 0, next_attempt_at_ms: lease }, channels);
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },

    flush: drain,

    start() {
      if (timer) return;
      timer = setInterval(() => void drain(), pollMs);
      timer.unref();
      void drain();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running;
    },

    status() {
      const { channels, errors } = readChannels(store);
      const statusRows = outbox.channelStatuses();
      const counts = outbox.openCounts();
      const count = (id: string, status: string): number => counts.find((c) => c.channel_id === id && c.status === status)?.n ?? 0;
      return {
        configErrors: errors,
        channels: channels.map((c) => {
          const s = statusRows.find((r) => r.channel_id === c.id);
          return {
            id: c.id,
            name: c.name,
            type: c.type,
            enabled: c.enabled,
            events: c.events,
            lastStatus: s?.last_status ?? null,
            lastEvent: s?.last_event ?? null,
            lastAttemptAt: s?.last_attempt_at ?? null,
            lastSuccessAt: s?.last_success_at ?? null,
            lastError: s?.last_error ?? null,
            pending: count(c.id, 'pending'),
            failed: count(c.id, 'failed'),
          };
        }),
      };
    },
  };
}
