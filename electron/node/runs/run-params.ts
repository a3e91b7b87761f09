import { PROFILES } from '../../../common/profiles.ts';
import { isBuiltinProfile, ProfileParams } from '../../../common/schema/profile.ts';
import type { RunRow } from '../store/runs.ts';

// The parameters a run runs with: the copy it took of its profile when it
// started (runs.params_json). Everything that acts on a run or describes it —
// the agent's welcome, the thermal ceiling, the watchdog, the verdict's
// certification, the report — reads them here, never the profile by name, so
// editing or deleting a custom profile changes no run that has started.

const cache = new WeakMap<RunRow, ProfileParams>();

export function runParams(run: RunRow): ProfileParams {
  const kept = cache.get(run);
  if (kept) return kept;
  const params = fromStored(run) ?? (isBuiltinProfile(run.profile) ? PROFILES[run.profile] : PROFILES.standard);
  cache.set(run, params);
  return params;
}

/**
 * The stored copy, read with today's schema (a parameter added since gets its
 * default). Runs from before parameters were kept (schema version < 10) have
 * none: those ran under a built-in, whose parameters are used as before.
 */
function fromStored(run: RunRow): ProfileParams | null {
  if (!run.params_json) return null;
  try {
    const parsed = ProfileParams.safeParse(JSON.parse(run.params_json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
