import { describe, expect, it } from 'vitest';
import { issuesByLine, lineCount, lineRange } from './specEditor.ts';

describe('spec editor helpers', () => {
  const yaml = 'version: 1\ncpu:\n  cores: many\n';
  it('finds the span of a line', () => {
    expect(lineRange(yaml, 1)).toEqual([0, 10]);
    expect(yaml.slice(...lineRange(yaml, 3))).toBe('  cores: many');
    expect(lineRange(yaml, 99)).toEqual([yaml.length, yaml.length]);
    expect(lineCount(yaml)).toBe(4);
  });
  it('groups issues by line and keeps unplaced ones', () => {
    const r = issuesByLine([
      { path: 'cpu.cores', message: 'expected number', line: 3 },
      { path: 'cpu.cores', message: 'too small', line: 3 },
      { path: '', message: 'bad YAML', line: null },
    ]);
    expect(r.byLine.get(3)).toHaveLength(2);
    expect(r.unplaced).toEqual([{ path: '', message: 'bad YAML', line: null }]);
  });
});
