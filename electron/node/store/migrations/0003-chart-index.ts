// Migration 3: a covering index for chart reads. The run detail's thermal chart
// and the report read every sample of a run's series; with value and unit in
// the index SQLite never visits the table rows (docs/performance.md).
export const sql = `
CREATE INDEX measurements_series ON measurements(run_id, kind, sensor, ts, value, unit);
DROP INDEX measurements_chart;
`;
