// Migration 1: the core tables. Timestamps are ISO-8601 UTC text, except
// measurements.ts which is epoch milliseconds (compact and fast to range-scan).
export const sql = `
CREATE TABLE hosts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  profile TEXT NOT NULL DEFAULT 'standard',
  expected_spec_yaml TEXT,
  max_temp_c REAL,
  notes TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE host_macs (
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  mac TEXT NOT NULL UNIQUE
);
CREATE TABLE host_disks (
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  ident TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('serial', 'wwn', 'loop')),
  position INTEGER NOT NULL,
  UNIQUE (host_id, ident)
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  profile TEXT NOT NULL,
  state TEXT NOT NULL,
  hold_reason TEXT,
  result TEXT CHECK (result IN ('pass', 'fail')),
  failed_stage TEXT,
  wipe_override_json TEXT NOT NULL DEFAULT '[]',
  agent_token_hash TEXT NOT NULL UNIQUE,
  agent_session TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0,
  agent_last_seen TEXT,
  agent_lost INTEGER NOT NULL DEFAULT 0,
  boot_mac TEXT,
  dmi_serial TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX runs_host ON runs(host_id, id);
CREATE INDEX runs_state ON runs(state);
CREATE TABLE stages (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  passed INTEGER,
  outcome TEXT CHECK (outcome IN ('passed', 'failed', 'error', 'skipped', 'overridden')),
  started_at TEXT NOT NULL,
  completed_at TEXT,
  summary_json TEXT,
  message TEXT,
  UNIQUE (run_id, name, attempt)
);
CREATE TABLE measurements (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  sensor TEXT NOT NULL,
  value REAL NOT NULL,
  unit TEXT NOT NULL,
  ts INTEGER NOT NULL
);
CREATE INDEX measurements_chart ON measurements(run_id, kind, sensor, ts);
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  stage TEXT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (run_id, name)
);
CREATE TABLE spec_diffs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  stage_id INTEGER REFERENCES stages(id) ON DELETE CASCADE,
  field TEXT NOT NULL,
  expected TEXT,
  actual TEXT,
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  rule TEXT NOT NULL
);
CREATE INDEX spec_diffs_run ON spec_diffs(run_id);
CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  from_state TEXT,
  to_state TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT,
  detail_json TEXT,
  at TEXT NOT NULL
);
CREATE INDEX transitions_run ON transitions(run_id, id);
CREATE TABLE supervisors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  credential_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value_json TEXT NOT NULL
);
CREATE TABLE seen_hosts (
  mac TEXT PRIMARY KEY,
  ip TEXT,
  arch TEXT,
  source TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL
);
`;
