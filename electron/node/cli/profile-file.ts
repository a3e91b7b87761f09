import { isMap, parseDocument, stringify } from 'yaml';
import type { ProfileBody, ProfileView } from '../../../common/schema/index.ts';
import { UserError } from '../util/errors.ts';

// A custom profile as a file (`vetting profile set NAME --file PROFILE.yaml`):
// the built-in it extends, an optional description, and the fields it changes
// at the top level, in the shape of the profile's parameters:
//
//   extends: standard
//   description: NVMe-only nodes, stricter floor
//   storage:
//     floors:
//       nvme: { minIops: 80000, maxP99Ms: 3 }
//
// Whether those fields exist and are in range is the orchestrator's check
// (common/profile-resolve.ts), which names each bad field and what it allows.

/** The API body of a profile file's text; a YAML error names its line. */
export function profileBodyFromYaml(text: string, file: string): ProfileBody {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new UserError(`${file}${line ? `, line ${line}` : ''}: not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line .*/, '')}`, 'bad-profile-file');
  }
  if (!isMap(doc.contents)) throw new UserError(`${file}: expected a mapping with "extends: <built-in profile>" and the fields to change`, 'bad-profile-file');
  const { extends: base, description, ...overrides } = doc.toJS() as Record<string, unknown>;
  if (base === undefined) throw new UserError(`${file}: "extends" is missing: name the built-in profile this one changes (standard, burn-in, smoke or selftest)`, 'bad-profile-file');
  return { extends: base as ProfileBody['extends'], ...(description !== undefined ? { description: description as string } : {}), overrides };
}

/** A custom profile as the file `profile set` reads (what `profile show` prints, so it can be edited and set again). */
export function profileYaml(p: ProfileView): string {
  if (p.builtin) return stringify(p.params);
  return stringify({ extends: p.extends, ...(p.description ? { description: p.description } : {}), ...p.overrides });
}
