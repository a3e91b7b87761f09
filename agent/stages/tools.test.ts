import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stageTools } from '../../common/stages/index.ts';

// The tools the stages declare are what the live image installs: a stage that
// needs a program the image lacks would fail on every host.
describe('stage tools', () => {
  it('are all in the live image’s package list (optional ones may come from an image flavour)', () => {
    const listed = new Set(
      readFileSync(new URL('../../image/packages.txt', import.meta.url), 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean),
    );
    const missing = stageTools().filter((t) => !t.optional && !listed.has(t.debianPackage));
    expect(missing.map((t) => `${t.binary} (${t.debianPackage}) for ${t.stages.join(', ')}`)).toEqual([]);
  });

  it('name each program once, with the stages that need it', () => {
    const fio = stageTools().find((t) => t.binary === 'fio')!;
    expect(fio.stages).toEqual(['Storage', 'PSU']);
    expect(fio.optional).toBe(false);
  });
});
