// Verdicts that never claim more than was measured (docs/state-machine.md):
// a run's result is pass, pass-with-overrides, fail or incomplete, and each
// stage attempt keeps what it covered per part.
//
// SQLite cannot change a CHECK constraint in place, and rebuilding `runs` would
// cascade into every table that references it, so the old column is renamed
// and kept (nothing stored is lost) and a new `result` takes its place.
// Results stored before this version are re-read by rules that need no new
// facts: a completed run with an overridden stage or a supervisor's wipe-probe
// override passed with overrides; a smoke or selftest run never certified.
export const sql = `
ALTER TABLE runs RENAME COLUMN result TO result_v1;
ALTER TABLE runs ADD COLUMN result TEXT CHECK (result IN ('pass', 'pass-with-overrides', 'fail', 'incomplete'));
UPDATE runs SET result = CASE
  WHEN result_v1 = 'pass' AND profile IN ('smoke', 'selftest') THEN 'incomplete'
  WHEN result_v1 = 'pass' AND (wipe_override_json <> '[]'
    OR EXISTS (SELECT 1 FROM stages s WHERE s.run_id = runs.id AND s.outcome = 'overridden')) THEN 'pass-with-overrides'
  ELSE result_v1
END
WHERE result_v1 IS NOT NULL;
CREATE INDEX runs_result ON runs(result, id);
ALTER TABLE stages ADD COLUMN coverage_json TEXT;
`;
