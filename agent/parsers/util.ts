import { ParseError } from './parse-error.ts';

// Small shared helpers for reading untrusted tool output. Everything a tool prints is
// treated as unknown until checked: wrong types become null, never a crash.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses JSON text that must be an object; empty, truncated or non-object input is a ParseError. */
export function parseJsonObject(tool: string, text: string): JsonObject {
  if (typeof text !== 'string') throw new ParseError(tool, 'input is not text');
  const trimmed = text.trim();
  if (trimmed === '') throw new ParseError(tool, 'output is empty');
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ParseError(tool, `output is not valid JSON (truncated?): ${why}`);
  }
  if (!isObject(value)) throw new ParseError(tool, 'JSON output is not an object');
  return value;
}

export function obj(v: unknown): JsonObject | null {
  return isObject(v) ? v : null;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v.trim());
  return null;
}

export function str(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === '0') return false;
  if (v === 1 || v === '1') return true;
  return null;
}

/** Walks a path of keys through nested objects; anything missing gives undefined. */
export function at(root: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[key];
    } else {
      if (!isObject(cur)) return undefined;
      cur = cur[key];
    }
  }
  return cur;
}

/** Splits text into lines, tolerating CRLF. */
export function lines(text: string): string[] {
  return text.split(/\r?\n/);
}
