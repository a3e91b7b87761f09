// Migration 11: what keeps a long run as cheap to chart and report as a short
// one, and what the run's estimated end is judged by (docs/data-model.md).
//
// measurements_block — coarser levels of the per-minute rollup (migration 4):
//   a block of `level` k spans 4^k minutes starting at minute `block` × 4^k,
//   and `sensors` holds per sensor the same entry as a minute row
//   ([min, min_at, max, max_at, sum, n, unit]), its times in ms after the
//   block's start. Derived from the level below by MeasurementStore
//   (rollup-blocks.ts); nothing to fill here: readers derive what is missing.
export const sql = `
CREATE TABLE measurements_block (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  level INTEGER NOT NULL,
  block INTEGER NOT NULL,
  sensors TEXT NOT NULL,
  PRIMARY KEY (run_id, kind, level, block)
);
`;
