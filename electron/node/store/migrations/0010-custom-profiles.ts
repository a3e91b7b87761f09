// Migration 10: profiles people can tune, and runs that remember what they ran with.
//
// profiles — custom profiles only (the four built-ins live in code and are
//   read-only): the built-in each extends and the fields it changes, as JSON in
//   the shape of the profile schema (common/profile-resolve.ts checks it).
// runs.params_json — the exact parameters a run was started with (the profile
//   resolved at that moment). The agent's welcome, the verdict's certification,
//   the watchdog and the report read them from here, so editing or deleting a
//   profile never changes what an old run or its report says. Runs stored
//   before this version have none and are read with their built-in's
//   parameters, as they were before.
export const sql = `
CREATE TABLE profiles (
  name TEXT PRIMARY KEY,
  extends TEXT NOT NULL,
  description TEXT,
  overrides_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
ALTER TABLE runs ADD COLUMN params_json TEXT;
`;
