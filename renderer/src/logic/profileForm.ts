import { diffOverrides, fieldValue, profileFields, resolveProfile, type ProfileField } from '../../../common/profile-resolve.ts';
import type { BuiltinProfileName, ProfileParams } from '../../../common/schema/profile.ts';

// The profile editor's form: one text (or checkbox) value per field of the
// profile schema, keyed by its dotted path, and the overrides a save sends.
// The fields come from the schema (common/profile-resolve.ts), so a new
// stage's parameters show up in the editor without an edit here. The form
// holds the profile's effective values; what it saves is only what differs
// from the built-in it extends.

export type ProfileForm = Record<string, string>;

export const fieldKey = (f: Pick<ProfileField, 'path'>) => f.path.join('.');

let fields: ProfileField[] | null = null;
/** Built once: walking the schema is cheap, but the editor redraws on every key. */
export function editorFields(): ProfileField[] {
  fields ??= profileFields();
  return fields;
}

/** Fields grouped under their section ("Run", "Thermal sidecar", then each stage's name), in schema order. */
export function fieldSections(): { section: string; fields: ProfileField[] }[] {
  const out: { section: string; fields: ProfileField[] }[] = [];
  for (const f of editorFields()) {
    const last = out[out.length - 1];
    if (last && last.section === f.section) last.fields.push(f);
    else out.push({ section: f.section, fields: [f] });
  }
  return out;
}

export function formFromParams(params: ProfileParams): ProfileForm {
  const form: ProfileForm = {};
  for (const f of editorFields()) {
    const v = fieldValue(params, f.path);
    form[fieldKey(f)] = v === undefined || v === null ? '' : String(v);
  }
  return form;
}

/** Text as it reads in a field: 50000 → "50000"; shown beside a changed field as what the built-in has. */
export function valueText(params: ProfileParams, f: ProfileField): string {
  const v = fieldValue(params, f.path);
  return v === undefined || v === null ? '(none)' : String(v);
}

function setAt(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
}

export interface FormCheck {
  /** What the save sends: the fields that differ from the built-in. */
  overrides: Record<string, unknown>;
  /** Problems by field key, each naming what the field allows. */
  errors: Record<string, string>;
}

/**
 * Reads the form against the built-in it extends: each value parsed by its
 * field's kind, then the whole checked by the same rules the orchestrator
 * applies, so a field out of range is marked before anything is sent.
 */
export function checkProfileForm(base: BuiltinProfileName, baseParams: ProfileParams, form: ProfileForm): FormCheck {
  const errors: Record<string, string> = {};
  const params = structuredClone(baseParams) as unknown as Record<string, unknown>;
  for (const f of editorFields()) {
    const key = fieldKey(f);
    const text = (form[key] ?? '').trim();
    if (text === '') {
      if (f.optional) setAt(params, f.path, undefined);
      else errors[key] = `required; allowed: ${f.allowed}`;
      continue;
    }
    if (f.kind === 'number') {
      const n = Number(text.replace(/[\s_]/g, ''));
      if (!Number.isFinite(n)) errors[key] = `"${text}" is not a number; allowed: ${f.allowed}`;
      else setAt(params, f.path, n);
    } else if (f.kind === 'boolean') setAt(params, f.path, text === 'true');
    else setAt(params, f.path, text);
  }
  const overrides = diffOverrides(base, params);
  if (Object.keys(errors).length === 0) {
    const r = resolveProfile(base, overrides);
    if (!r.ok) for (const i of r.issues) errors[i.path] = i.message;
  }
  return { overrides, errors };
}

/** A name for a copy that is not taken yet: "standard-copy", "standard-copy-2", … */
export function copyName(name: string, taken: readonly string[]): string {
  const stem = `${name}-copy`;
  if (!taken.includes(stem)) return stem;
  for (let i = 2; ; i++) if (!taken.includes(`${stem}-${i}`)) return `${stem}-${i}`;
}
