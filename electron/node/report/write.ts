import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/index.ts';
import { gatherReportData } from './gather.ts';
import { readRunImage } from './image.ts';
import { renderReportHtml } from './html.ts';
import { serializeReportJson } from './json.ts';
import { buildOcptvLines } from './ocptv.ts';
import type { Verdict } from './types.ts';

export interface WrittenReport {
  /** Absolute path of report.html. */
  html: string;
  /** Absolute path of report.json. */
  json: string;
  jsonSha256: string;
  htmlSha256: string;
  /** Absolute path of report.ocptv.jsonl (OCP Test & Validation 2.0 export). */
  ocptv: string;
  /** The verdict the report states (for the RunCompleted notification). */
  verdict: Verdict;
}

/** Directory of a run's artifacts, relative to the data directory. */
export function runArtifactDir(runId: number): string {
  return join('artifacts', `run-${runId}`);
}

function writeAtomically(path: string, text: string): void {
  // Write-then-rename so a crash never leaves a half-written report behind
  // (a stray .tmp is removed by the janitor).
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

/**
 * Renders report.html, report.json and report.ocptv.jsonl for one run into
 * `<dataDir>/artifacts/run-<N>/` and records them as artifact rows (kinds
 * report_html / report_json / report_ocptv, stage Reporting, path relative to dataDir).
 * Used by the Reporting stage and by "regenerate"; the same data always
 * produces the same bytes.
 */
export function writeRunReport(store: Store, dataDir: string, runId: number, now: () => Date = () => new Date()): WrittenReport {
  const data = { ...gatherReportData(store, runId), image: readRunImage(store, dataDir, runId) };
  const { text: jsonText, sha256: jsonSha256 } = serializeReportJson(data);
  const html = renderReportHtml(data);
  const htmlSha256 = createHash('sha256').update(html).digest('hex');
  const ocptv = buildOcptvLines(data);
  const relDir = runArtifactDir(runId);
  const dir = join(dataDir, relDir);
  mkdirSync(dir, { recursive: true });
  const htmlPath = join(dir, 'report.html');
  const jsonPath = join(dir, 'report.json');
  writeAtomically(jsonPath, jsonText);
  writeAtomically(htmlPath, html);
  const ocptvPath = join(dir, 'report.ocptv.jsonl');
  writeAtomically(ocptvPath, ocptv);
  store.report.saveReportFiles(
    runId,
    [
      { kind: 'report_html', name: 'report.html', path: join(relDir, 'report.html'), size: Buffer.byteLength(html), sha256: htmlSha256 },
      { kind: 'report_json', name: 'report.json', path: join(relDir, 'report.json'), size: Buffer.byteLength(jsonText), sha256: jsonSha256 },
      { kind: 'report_ocptv', name: 'report.ocptv.jsonl', path: join(relDir, 'report.ocptv.jsonl'), size: Buffer.byteLength(ocptv), sha256: createHash('sha256').update(ocptv).digest('hex') },
    ],
    now().toISOString(),
  );
  return { html: htmlPath, json: jsonPath, jsonSha256, htmlSha256, ocptv: ocptvPath, verdict: data.verdict.value };
}
