import { readFileSync } from 'node:fs';
import { ParseError } from './parse-error.ts';

// Test-only helper: reads a real captured tool output from fixtures/tool-outputs.
// Parsers themselves never touch the file system.
const ROOT = new URL('../../fixtures/tool-outputs/', import.meta.url);

export function fixture(relPath: string): string {
  return readFileSync(new URL(relPath, ROOT), 'utf8');
}

/** Reads a real output captured for these parsers (agent/parsers/captured/, see its README). */
export function captured(relPath: string): string {
  return readFileSync(new URL(`./captured/${relPath}`, import.meta.url), 'utf8');
}

/** Cuts text in half: a realistic "the tool was killed mid-write" input. */
export function truncated(text: string, fraction = 0.5): string {
  return text.slice(0, Math.floor(text.length * fraction));
}

/** Asserts that fn throws a ParseError for `tool` whose message matches `pattern`. */
export function expectParseError(fn: () => unknown, tool: string, pattern: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof ParseError)) {
    throw new Error(`expected a ParseError from ${tool}, got ${caught === null ? 'no error' : String(caught)}`);
  }
  if (caught.tool !== tool) throw new Error(`expected ParseError.tool ${tool}, got ${caught.tool}`);
  if (!pattern.test(caught.message)) throw new Error(`ParseError message "${caught.message}" does not match ${pattern}`);
  if (!caught.message.startsWith(`${tool}:`)) throw new Error(`ParseError message does not name ${tool}`);
}
