// Migration 5: boot progress. While a run waits for its agent, each step of the
// host's network boot (DHCP, the iPXE script, kernel, initrd, agent bundle) is
// recorded against the run, so a person can see where a host that never says
// hello got stuck, and how long each step of the boot took.
export const sql = `
CREATE TABLE boot_events (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step TEXT NOT NULL,
  detail TEXT,
  at TEXT NOT NULL
);
CREATE INDEX boot_events_run ON boot_events(run_id, id);
`;
