import { useQuery } from '@tanstack/react-query';
import { PROFILE_NAMES } from '../../../common/schema/profile.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';

// The <option>s of every profile a host or a run may use: the built-ins and the
// custom ones from Settings → Profiles (a stored profile the schema no longer
// accepts is left out: no run could start with it). Until the list has loaded,
// the built-ins; the current value always stays choosable.

export function useProfiles() {
  return useQuery({ queryKey: keys.profiles, queryFn: api.profiles });
}

export function ProfileOptions({ current, hostDefault }: { current: string; hostDefault?: string }) {
  const profiles = useProfiles();
  const names: string[] = profiles.data ? profiles.data.filter((p) => p.valid).map((p) => p.name) : [...PROFILE_NAMES];
  if (current && !names.includes(current)) names.push(current);
  return (
    <>
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
          {n === hostDefault ? ' (host default)' : ''}
        </option>
      ))}
    </>
  );
}
