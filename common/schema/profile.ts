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

/** The profiles shipped with the app (common/profiles.ts): read-only; a custom profile extends one. */
export const BUILTIN_PROFILE_NAMES = ['standard', 'burn-in', 'smoke', 'selftest'] as const;
export const BuiltinProfileName = z.enum(BUILTIN_PROFILE_NAMES);
export type BuiltinProfileName = z.infer<typeof BuiltinProfileName>;
/** The built-ins' names (kept under its old name: custom profiles live in the store, see ProfileName). */
export const PROFILE_NAMES = BUILTIN_PROFILE_NAMES;

export function isBuiltinProfile(name: string): name is BuiltinProfileName {
  return (BUILTIN_PROFILE_NAMES as readonly string[]).includes(name);
}

/**
 * A profile's name: a built-in's or a custom profile's (stored by the
 * orchestrator). Whether it exists is the orchestrator's to check; the name
 * itself doubles as a CLI argument and a YAML file name, so it stays tame.
 */
export const ProfileName = z
  .string()
  .trim()
  .min(1, 'profile name is empty')
  .max(64, 'profile name is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'profile name may hold letters, digits, ".", "_" and "-" and must start with a letter or digit');
export type ProfileName = z.infer<typeof ProfileName>;

/**
 * A custom profile as a person writes it (`vetting profile set NAME --file`, the
 * Settings editor): the built-in it extends and the fields it changes, in the
 * shape of ProfileParams (any depth; a field set to null drops an optional
 * one, e.g. smoke's partial scan). Whether a custom profile certifies is its
 * built-in's to say, never its own: `certifies` cannot be overridden.
 */
export const ProfileBody = z
  .object({
    extends: BuiltinProfileName,
    description: z.string().trim().max(500).optional(),
    overrides: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type ProfileBody = z.input<typeof ProfileBody>;
