import { basename, join } from 'node:path';

// What an agent may upload and how its uploads are served back (docs/architecture.md,
// "Security"). An artifact is evidence from a machine we do not trust: it is kept
// apart from the orchestrator's own reports, may not take a report's name, counts
// against a per-run allowance, and is only ever served as inert text or a download —
// never as a page on the control origin, where its script would act with the
// operator's session.

/** One artifact's hard cap, whatever the per-run allowance says. */
export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** report.html, report.json, report.ocptv.jsonl … belong to the Reporting stage. */
const RESERVED = /^report\./i;

/** Why an agent may not upload under `name`, or null. */
export function agentArtifactNameProblem(name: string): { status: number; message: string } | null {
  if (!ARTIFACT_NAME.test(name) || name.includes('..')) return { status: 400, message: `artifact name "${name}" is not allowed: use letters, digits, ".", "_" and "-" (at most 128)` };
  if (RESERVED.test(name)) return { status: 403, message: `artifact name "${name}" is reserved: report files are written by the orchestrator only` };
  return null;
}

/** Where an agent's upload lives, relative to the data directory: beside the run's reports, never among them. */
export function agentArtifactPath(runId: number, name: string): string {
  return join('artifacts', `run-${runId}`, 'agent', name);
}

/** Artifact kinds the orchestrator writes itself (report/write.ts); everything else came from an agent. */
export function isReportKind(kind: string): boolean {
  return kind.startsWith('report_');
}

/** Bytes an upload may still take, or the refusal to send. */
export function allowance(runId: number, usedBytes: number, inFlightBytes: number, perRunBytes: number): { left: number } | { status: number; message: string } {
  const left = perRunBytes - usedBytes - inFlightBytes;
  if (left <= 0) return { status: 413, message: quotaMessage(runId, usedBytes + inFlightBytes, perRunBytes) };
  return { left: Math.min(left, MAX_ARTIFACT_BYTES) };
}

export function quotaMessage(runId: number, used: number, perRunBytes: number): string {
  return `run ${runId} has used ${used} of its ${perRunBytes}-byte artifact allowance (setting bench.artifactBytesPerRun); this upload does not fit`;
}

/**
 * Headers for serving an agent's artifact on the control origin: plain text (or a
 * download), no sniffing, and a sandbox CSP so that even a browser that rendered
 * it would run no script with the operator's cookie.
 */
export function inertArtifactHeaders(name: string, size: number, download: boolean): Record<string, string | number> {
  return {
    'content-type': download ? 'application/octet-stream' : 'text/plain; charset=utf-8',
    'content-length': size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    'cross-origin-resource-policy': 'same-origin',
    ...(download ? { 'content-disposition': `attachment; filename="${basename(name).replace(/"/g, '')}"` } : {}),
  };
}

/**
 * Headers for the orchestrator's own reports: report.html is a page (to read and
 * print) with inline CSS and SVG only, so its CSP allows no script at all.
 */
export function reportHeaders(name: string, size: number, download: boolean): Record<string, string | number> {
  const type = name.endsWith('.html') ? 'text/html; charset=utf-8' : name.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8';
  return {
    'content-type': type,
    'content-length': size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    ...(download ? { 'content-disposition': `attachment; filename="${basename(name).replace(/"/g, '')}"` } : {}),
  };
}
