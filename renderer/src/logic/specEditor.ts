import type { SpecCheckView } from '../../../common/schema/api.ts';

// Helpers for the YAML spec editor: which lines carry issues, and where a line
// starts and ends so the caret can jump to it.

export type SpecIssue = SpecCheckView['issues'][number];

/** Issues by 1-based line number; issues without a line are kept apart. */
export function issuesByLine(issues: readonly SpecIssue[]): { byLine: Map<number, SpecIssue[]>; unplaced: SpecIssue[] } {
  const byLine = new Map<number, SpecIssue[]>();
  const unplaced: SpecIssue[] = [];
  for (const issue of issues) {
    if (issue.line === null || issue.line < 1) unplaced.push(issue);
    else byLine.set(issue.line, [...(byLine.get(issue.line) ?? []), issue]);
  }
  return { byLine, unplaced };
}

/** [start, end) character offsets of a 1-based line, clamped to the text. */
export function lineRange(text: string, line: number): [number, number] {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return [text.length, text.length];
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return [start, end === -1 ? text.length : end];
}

export function lineCount(text: string): number {
  return text.split('\n').length;
}
