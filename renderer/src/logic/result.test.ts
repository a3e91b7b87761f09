import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { RUN_RESULTS } from '../../../common/schema/run.ts';
import { RESULT_TEXT } from '../../../common/verdict.ts';
import { certificationNote, RESULT_CHOICES, resultPresentation } from './result.ts';

describe('resultPresentation', () => {
  it('says each result in the report’s words, with its own icon and tone', () => {
    const shown = RUN_RESULTS.map(resultPresentation);
    expect(shown.map((p) => p.text)).toEqual(RUN_RESULTS.map((r) => RESULT_TEXT[r]));
    expect(new Set(shown.map((p) => p.icon)).size).toBe(RUN_RESULTS.length);
    expect(new Set(shown.map((p) => p.tone)).size).toBe(RUN_RESULTS.length);
  });
  it('never draws INCOMPLETE as a pass', () => {
    const incomplete = resultPresentation('incomplete');
    const pass = resultPresentation('pass');
    expect(incomplete.tone).not.toBe(pass.tone);
    expect(incomplete.icon).not.toBe(pass.icon);
    expect(incomplete.meaning).toMatch(/not a pass/);
  });
});

describe('RESULT_CHOICES', () => {
  it('offers every result once', () => {
    expect(RESULT_CHOICES.map((c) => c.value).sort()).toEqual([...RUN_RESULTS].sort());
    expect(RESULT_CHOICES.find((c) => c.value === 'pass-with-overrides')?.label).toBe('pass with overrides');
  });
});

describe('certificationNote', () => {
  it('speaks for profiles that certify nothing, and only for them', () => {
    for (const [name, profile] of Object.entries(PROFILES)) {
      if (profile.certifies) expect(certificationNote(name, profile.certifies)).toBeNull();
      else expect(certificationNote(name, profile.certifies)).toMatch(new RegExp(`${name} profile .* not a certification`));
    }
    // A custom profile says what its run recorded: one extending smoke certifies nothing.
    expect(certificationNote('quick-look', false)).toMatch(/quick-look profile .* not a certification/);
    expect(certificationNote('strict-nvme', true)).toBeNull();
  });
});
