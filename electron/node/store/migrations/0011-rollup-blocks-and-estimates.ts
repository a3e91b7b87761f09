// Migration 11: what keeps a long run as cheap to chart and report as a short
// one, and the record a run's estimated end is judged by (docs/data-model.md).
//
// measurements_block — coarser levels of the per-minute rollup (migration 4):
//   a block of `level` k spans 4^k minutes starting at minute `block` × 4^k,
//   and `sensors` holds per sensor the same entry as a minute row
//   ([min, min_at, max, max_at, sum, n, unit]), its times in ms after the
//   block's start. Derived from the level below by MeasurementStore
//   (rollup-blocks.ts); nothing to fill here: readers derive what is missing.
// run_estimates — the run's estimated end as it stood when the run entered
//   each state (the first entry only): WaitingForAgent holds the first
//   estimate, made as the run started; a held state has no end (eta_at null,
//   a person decides); the state the run ended in (Completed, Abandoned)
//   holds its real end. runs/run-eta.ts writes it, the ETA benchmark reads it.
export const sql = `
CREATE TABLE measurements_block (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  level INTEGER NOT NULL,
  block INTEGER NOT NULL,
  sensors TEXT NOT NULL,
  PRIMARY KEY (run_id, kind, level, block)
);
CREATE TABLE run_estimates (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  made_at TEXT NOT NULL,
  eta_at TEXT,
  PRIMARY KEY (run_id, state)
);
`;
