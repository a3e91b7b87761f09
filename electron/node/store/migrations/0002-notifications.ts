// Migration 2: notification outbox, per-channel delivery status and janitor
// passes (docs/notifications.md, docs/janitor.md). Owned by the reports /
// notifications work; kept as its own numbered file so the core schema never
// needs editing to add it.
//
// Times: *_at_ms columns are epoch milliseconds (compared against a clock);
// the other *_at columns are ISO-8601 UTC text like the rest of the store.
export const sql = `
CREATE TABLE notification_outbox (
  id INTEGER PRIMARY KEY,
  channel_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  -- No foreign key: a notification about a run must survive that run's deletion.
  run_id INTEGER,
  payload_json TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX notification_outbox_due ON notification_outbox(status, next_attempt_at_ms);
CREATE TABLE notification_channel_status (
  channel_id TEXT PRIMARY KEY,
  last_event TEXT,
  last_status TEXT CHECK (last_status IN ('ok', 'error')),
  last_attempt_at TEXT,
  last_success_at TEXT,
  last_error TEXT
);
CREATE TABLE janitor_passes (
  id INTEGER PRIMARY KEY,
  trigger TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  bytes_reclaimed INTEGER NOT NULL,
  report_json TEXT NOT NULL
);
`;
