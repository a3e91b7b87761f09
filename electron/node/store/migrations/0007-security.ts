// Migration 7: what the security hardening keeps (docs/architecture.md, "Security").
//
// boot_attempts — one row per network boot a run may answer with an agent
//   token: armed by a run start, a DHCP lease dnsmasq saw, or a person; the
//   first matching boot-script request consumes it (issued_*). Active runs get
//   one armed attempt here, so a host already waiting can still boot.
// supervisor_audit — every change of a supervisor credential and every wrong
//   or refused guess, with who did it.
// supervisor_guard — wrong guesses per supervisor name (known or not) and how
//   long that name is locked out: the backoff survives a restart.
// Stored supervisor hashes are untouched: each names its own scrypt parameters
// and is upgraded on its next successful use.
export const sql = `
CREATE TABLE boot_attempts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  armed_by TEXT NOT NULL,
  bound_mac TEXT,
  bound_ip TEXT,
  armed_at TEXT NOT NULL,
  issued_at TEXT,
  issued_ip TEXT
);
CREATE INDEX boot_attempts_run ON boot_attempts(run_id, id);
INSERT INTO boot_attempts (run_id, armed_by, armed_at)
  SELECT id, 'migration', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM runs
  WHERE state NOT IN ('Completed', 'Abandoned', 'Released');
CREATE TABLE supervisor_audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  name TEXT NOT NULL,
  event TEXT NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX supervisor_audit_name ON supervisor_audit(name, id);
CREATE TABLE supervisor_guard (
  name TEXT PRIMARY KEY,
  failures INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0
);
`;
