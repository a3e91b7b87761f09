// Public entry points of the report module (docs/report-format.md).
export { gatherReportData, ReportError } from './gather.ts';
export { renderReportHtml } from './html.ts';
export { buildReportJson, serializeReportJson, REPORT_SCHEMA_VERSION } from './json.ts';
export { buildOcptvLines } from './ocptv.ts';
export { writeRunReport, runArtifactDir, type WrittenReport } from './write.ts';
export type { ReportData, Verdict } from './types.ts';
