import { z } from 'zod';
import { STAGES, type AnyStage } from '../stages/index.ts';

// Parameters a profile gives the run. Everything the agent needs to decide
// durations, thresholds and floors arrives in the welcome message, resolved from
// the host's profile, so the agent itself holds no policy. Each stage's section
// is that stage's own parameter schema (common/stages/<stage>.ts), keyed by its
// paramsKey; the rest are run-wide.

type StageParamsShape = {
  [S in AnyStage as S['paramsKey'] extends string ? S['paramsKey'] : never]: z.ZodPrefault<Exclude<S['params'], null>>;
};

// A stage whose every parameter has a default may be left out of a profile: its
// section is filled in from those defaults (a new stage needs no profile edit).
// A section with a required parameter still fails, naming it.
const stageParamsShape = Object.fromEntries(
  STAGES.flatMap((s) => (s.paramsKey !== null && s.params !== null ? [[s.paramsKey, (s.params as z.ZodObject).prefault({})]] : [])),
) as unknown as StageParamsShape;

export const ProfileParams = z.object({
  /**
   * Whether a clean run under this profile certifies the host: every expected part
   * fully exercised. Demonstration profiles (smoke, selftest) never do; their runs
   * end `incomplete` at best and say so on the report's first page.
   */
  certifies: z.boolean(),
  heartbeatIntervalS: z.number().positive().max(300),
  /** The orchestrator marks the agent lost after this long without a message. */
  agentLostAfterS: z.number().positive(),
  thermal: z.object({
    intervalS: z.number().positive().max(300),
    /** Default ceiling; a host's own max_temp_c wins. */
    maxTempC: z.number().positive().max(150),
  }),
  ...stageParamsShape,
});
export type ProfileParams = z.infer<typeof ProfileParams>;
/** A profile as written (stage sections whose parameters all have defaults may be left out). */
export type ProfileInput = z.input<typeof ProfileParams>;

export const PROFILE_NAMES = ['standard', 'burn-in', 'smoke', 'selftest'] as const;
export const ProfileName = z.enum(PROFILE_NAMES);
export type ProfileName = z.infer<typeof ProfileName>;
