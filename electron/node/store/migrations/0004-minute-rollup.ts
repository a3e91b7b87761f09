// Migration 4: a per-minute rollup of every measurement series, so a chart of
// a long window reads one row per minute instead of every sample (a 12-hour
// run: 720 rows instead of 345,600; docs/performance.md, docs/data-model.md).
//
// One row per (run, kind, minute), minute = floor(ts / 60000). `sensors` is a
// JSON object with one entry per sensor that reported in that minute:
//   "sensor": [min, min_at, max, max_at, sum, n, unit]
// where *_at is the sample's time in ms after the minute's start (0–59999).
// The lowest and highest value keep the time of the sample that had them, so
// an envelope drawn from the rollup goes through real samples and keeps every
// spike. One row for all sensors (not one per sensor) makes keeping it up to
// date cost one read and one write per batch instead of one upsert per sensor.
// An ordinary (rowid) table: its rows, a few kB, then fit in one page each,
// where a WITHOUT ROWID table would spill them to overflow pages on every write.
// MeasurementStore.insertBatch maintains the rows in the same transaction as
// the samples; this migration fills them for runs stored before.

/**
 * A REAL as JSON with every digit: SQLite's JSON functions print 15 significant
 * digits, which is not always the stored double (a report's exact minimum would
 * read 11.9300063858951 instead of 11.930006385895114). 17 digits always is.
 */
const exact = (column: string) => `json(printf('%!.17g', ${column}))`;

/**
 * Aggregates the raw samples matching `where` (a condition on the
 * measurements table aliased `m`) into rollup rows. The extreme values' times
 * are looked up per sensor and minute through the series index (a handful of
 * rows each).
 */
export function rollupInsertSql(where: string): string {
  return `
WITH per_sensor AS (
  SELECT run_id, kind, sensor, ts / 60000 AS minute, MIN(value) AS min_value, MAX(value) AS max_value,
         SUM(value) AS sum_value, COUNT(*) AS n, MIN(unit) AS unit
  FROM measurements m WHERE ${where}
  GROUP BY run_id, kind, sensor, ts / 60000
),
with_times AS (
  SELECT g.*,
    (SELECT x.ts FROM measurements x WHERE x.run_id = g.run_id AND x.kind = g.kind AND x.sensor = g.sensor
       AND x.ts BETWEEN g.minute * 60000 AND g.minute * 60000 + 59999 AND x.value = g.min_value ORDER BY x.ts LIMIT 1) AS min_ts,
    (SELECT x.ts FROM measurements x WHERE x.run_id = g.run_id AND x.kind = g.kind AND x.sensor = g.sensor
       AND x.ts BETWEEN g.minute * 60000 AND g.minute * 60000 + 59999 AND x.value = g.max_value ORDER BY x.ts LIMIT 1) AS max_ts
  FROM per_sensor g
)
INSERT INTO measurements_minute (run_id, kind, minute, sensors)
SELECT run_id, kind, minute, json_group_object(sensor, json_array(${exact('min_value')}, min_ts - minute * 60000, ${exact('max_value')}, max_ts - minute * 60000, ${exact('sum_value')}, n, unit))
FROM with_times GROUP BY run_id, kind, minute`;
}

export const sql = `
CREATE TABLE measurements_minute (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  minute INTEGER NOT NULL,
  sensors TEXT NOT NULL,
  PRIMARY KEY (run_id, kind, minute)
);
${rollupInsertSql('true')};
`;
