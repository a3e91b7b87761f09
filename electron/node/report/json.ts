import { createHash } from 'node:crypto';
import type { ReportData } from './types.ts';

/** Bumped when report.json changes incompatibly; docs/report.schema.json describes each version. */
export const REPORT_SCHEMA_VERSION = 3;
export const REPORT_SCHEMA_ID = 'https://vetting.local/schemas/report-v3.json';

export type ReportJson = { $schema: string; schemaVersion: typeof REPORT_SCHEMA_VERSION; generator: 'vetting' } & ReportData;

/** The machine-readable report: the report data, versioned. */
export function buildReportJson(data: ReportData): ReportJson {
  return { $schema: REPORT_SCHEMA_ID, schemaVersion: REPORT_SCHEMA_VERSION, generator: 'vetting', ...data };
}

/**
 * report.json's exact bytes and their sha256. Key order follows construction
 * order and the data holds no clock, so the same data gives the same bytes.
 */
export function serializeReportJson(data: ReportData): { text: string; sha256: string } {
  const text = `${JSON.stringify(buildReportJson(data), null, 2)}\n`;
  return { text, sha256: createHash('sha256').update(text).digest('hex') };
}
