import type { RunResult } from '../../../common/schema/run.ts';
import { RESULT_TEXT } from '../../../common/verdict.ts';
import type { Tone } from './board.ts';

// A finished run's result (pass, pass-with-overrides, fail, incomplete) in the
// words the report and notifications use (RESULT_TEXT), each with its own icon
// and tone, so INCOMPLETE never looks like a PASS on the board, the run page or
// the history list.

export interface ResultPresentation {
  text: string;
  icon: string;
  tone: Tone;
  /** One sentence on what the result claims. */
  meaning: string;
}

const PRESENTATION: Record<RunResult, Omit<ResultPresentation, 'text'>> = {
  pass: { icon: '✓', tone: 'ok', meaning: 'Every part the verdict depends on was exercised and passed.' },
  'pass-with-overrides': { icon: '⚑', tone: 'warn', meaning: 'Passed after a person waived a failure or a wipe-probe finding (see the audit trail).' },
  incomplete: { icon: '◐', tone: 'partial', meaning: 'Not everything the verdict depends on was tested: this is not a pass (see Coverage).' },
  fail: { icon: '✗', tone: 'bad', meaning: 'The run ended on a failure nobody waived.' },
};

export function resultPresentation(result: RunResult): ResultPresentation {
  return { text: RESULT_TEXT[result], ...PRESENTATION[result] };
}

/** The history filter's choices, in the order a person scans them. */
export const RESULT_CHOICES: readonly { value: RunResult; label: string }[] = (['pass', 'pass-with-overrides', 'incomplete', 'fail'] as const).map((value) => ({
  value,
  label: RESULT_TEXT[value].toLowerCase(),
}));

/**
 * Said on the run page of a run that certifies nothing (smoke, selftest, or a
 * custom profile extending one): its result is at best INCOMPLETE, and a
 * person must not read it as a pass. `certifies` is what the run recorded at
 * its start (RunDetailView.verdict.certifies), not the profile's today.
 */
export function certificationNote(profile: string, certifies: boolean): string | null {
  if (certifies) return null;
  return `The ${profile} profile is a demonstration run: its result is not a certification.`;
}
