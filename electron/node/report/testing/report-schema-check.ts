import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ajvErrors, makeAjv } from './ajv.ts';

// Test-only check of a report.json document against docs/report.schema.json,
// with the same validator (ajv, JSON Schema 2020-12) as the OCP output.

const SCHEMA_URL = new URL('../../../../docs/report.schema.json', import.meta.url);

let cached: ValidateFunction | null = null;

export function reportSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

/** Every way `doc` breaks docs/report.schema.json ("/path message {params}"); empty when it conforms. */
export function validateReportJson(doc: unknown): string[] {
  if (!cached) {
    // Strict: a typo in our own schema (an unknown keyword, a type-less `required`) fails here rather than checking nothing.
    cached = makeAjv().compile(reportSchema());
  }
  return cached(doc) ? [] : ajvErrors(cached.errors);
}
