import type { z } from 'zod';
import { PROFILES } from './profiles.ts';
import { ProfileParams, type BuiltinProfileName } from './schema/profile.ts';
import { STAGES } from './stages/index.ts';

// Custom profiles: a built-in plus the fields a person changed. Everything here
// reads the profile schema itself (common/schema/profile.ts, built from each
// stage's own params schema), so a new stage's parameters can be overridden,
// checked and edited with no change in this file. Used by the orchestrator
// (to validate and resolve what it stores) and the UI (to draw the editor and
// check a form before it is sent).

export interface ProfileIssue {
  /** Dotted path of the field, e.g. "storage.floors.nvme.minIops". */
  path: string;
  message: string;
}

export type Resolved = { ok: true; params: ProfileParams } | { ok: false; issues: ProfileIssue[] };

type AnyZod = z.ZodType;
type Def = { type: string; innerType?: AnyZod; shape?: Record<string, AnyZod>; checks?: { _zod: { def: CheckDef } }[]; entries?: Record<string, string>; values?: unknown[] };
type CheckDef = { check: string; value?: number; inclusive?: boolean; format?: string };

const defOf = (s: AnyZod): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional / default / prefault / nullable wrappers, and whether it may be left out. */
function unwrap(schema: AnyZod): { inner: AnyZod; optional: boolean } {
  let s = schema;
  let optional = false;
  for (;;) {
    const d = defOf(s);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'prefault' || d.type === 'nullable') && d.innerType) {
      if (d.type === 'optional') optional = true;
      s = d.innerType;
      continue;
    }
    return { inner: s, optional };
  }
}

function shapeOf(schema: AnyZod): Record<string, AnyZod> | null {
  const d = defOf(unwrap(schema).inner);
  return d.type === 'object' && d.shape ? d.shape : null;
}

/** The schema of the field at `path`, or null when there is no such field. */
function fieldSchema(path: readonly (string | number)[]): AnyZod | null {
  let s: AnyZod = ProfileParams;
  for (const key of path) {
    const shape = shapeOf(s);
    const next = shape?.[String(key)];
    if (!next) return null;
    s = next;
  }
  return s;
}

/** 50000 → "50 000" (no toLocaleString: it loads locale data on a page's first call). */
const fmt = (n: number) => (Number.isInteger(n) && Math.abs(n) >= 10_000 ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ') : String(n));

/** What a field accepts, in words: "a whole number from 0 to 100", "a number above 0, at most 300", "true or false". */
export function allowedText(schema: AnyZod): string {
  const { inner } = unwrap(schema);
  const d = defOf(inner);
  switch (d.type) {
    case 'number': {
      const checks = (d.checks ?? []).map((c) => c._zod.def);
      const whole = checks.some((c) => c.check === 'number_format' && /int/.test(c.format ?? ''));
      const lo = checks.filter((c) => c.check === 'greater_than').sort((a, b) => (b.value ?? 0) - (a.value ?? 0))[0];
      const hi = checks.filter((c) => c.check === 'less_than').sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
      const noun = whole ? 'a whole number' : 'a number';
      if (lo && hi && lo.inclusive && hi.inclusive) return `${noun} from ${fmt(lo.value!)} to ${fmt(hi.value!)}`;
      const bounds = [lo ? `${lo.inclusive ? 'at least' : 'above'} ${fmt(lo.value!)}` : null, hi ? `${hi.inclusive ? 'at most' : 'below'} ${fmt(hi.value!)}` : null].filter(Boolean);
      return bounds.length ? `${noun} ${bounds.join(', ')}` : noun;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'literal':
      return `exactly ${(d.values ?? []).map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'string':
      return 'text';
    case 'object':
      return 'a section of fields';
    default:
      return d.type;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Base with patch laid over it; a null in the patch removes the field (an optional one, e.g. a partial scan's limit). */
export function mergeOverrides(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = k in base ? mergeOverrides(base[k], v) : v;
  }
  return out;
}

/** Every key of the overrides names a field of the profile schema, and none touches `certifies`. */
function checkKeys(overrides: Record<string, unknown>, path: string[] = []): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const schema = path.length ? fieldSchema(path) : ProfileParams;
  const shape = schema ? shapeOf(schema) : null;
  for (const [key, value] of Object.entries(overrides)) {
    const at = [...path, key];
    const where = at.join('.');
    if (at.length === 1 && key === 'certifies') {
      issues.push({ path: where, message: 'a custom profile cannot change it: it certifies exactly when the built-in it extends does (standard and burn-in do; smoke and selftest never)' });
      continue;
    }
    const field = shape?.[key];
    if (!field) {
      const known = shape ? Object.keys(shape).join(', ') : '';
      issues.push({ path: where, message: `not a profile field${known ? ` (fields here: ${known})` : ''}` });
      continue;
    }
    if (value === null) {
      if (!unwrap(field).optional) issues.push({ path: where, message: `cannot be removed (only optional fields can); allowed: ${allowedText(field)}` });
      continue;
    }
    if (shapeOf(field)) {
      if (isPlainObject(value)) issues.push(...checkKeys(value, at));
      else issues.push({ path: where, message: `expected a section of fields (${Object.keys(shapeOf(field)!).join(', ')}), got ${JSON.stringify(value)}` });
    }
  }
  return issues;
}

const got = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let v = obj;
  for (const k of path) v = isPlainObject(v) ? v[String(k)] : undefined;
  return v;
}

/**
 * The parameters of a built-in with `overrides` laid over it, checked against
 * the profile schema. Every problem names its field and what it allows.
 */
export function resolveProfile(base: BuiltinProfileName, overrides: unknown): Resolved {
  if (!isPlainObject(overrides)) return { ok: false, issues: [{ path: '(overrides)', message: 'expected a section of profile fields' }] };
  const keyIssues = checkKeys(overrides);
  if (keyIssues.length) return { ok: false, issues: keyIssues };
  const merged = mergeOverrides(PROFILES[base], overrides);
  const parsed = ProfileParams.safeParse(merged);
  if (parsed.success) return { ok: true, params: parsed.data };
  const seen = new Set<string>();
  const issues: ProfileIssue[] = [];
  for (const i of parsed.error.issues) {
    const path = i.path.map(String).join('.') || '(profile)';
    if (seen.has(path)) continue;
    seen.add(path);
    const schema = fieldSchema(i.path as (string | number)[]);
    issues.push({ path, message: `${got(valueAt(merged, i.path))} is not allowed; allowed: ${schema ? allowedText(schema) : i.message}` });
  }
  return { ok: false, issues };
}

/** The fields a custom profile changes: every leaf of `params` that differs from the built-in's (null: an optional one removed). */
export function diffOverrides(base: BuiltinProfileName, params: unknown): Record<string, unknown> {
  const walk = (b: unknown, p: unknown): unknown => {
    if (isPlainObject(b) && isPlainObject(p)) {
      const out: Record<string, unknown> = {};
      for (const k of new Set([...Object.keys(b), ...Object.keys(p)])) {
        if (!(k in p)) out[k] = null;
        else if (!(k in b)) out[k] = p[k];
        else {
          const d = walk(b[k], p[k]);
          if (d !== undefined) out[k] = d;
        }
      }
      return Object.keys(out).length ? out : undefined;
    }
    return JSON.stringify(b) === JSON.stringify(p) ? undefined : p;
  };
  const d = walk(PROFILES[base], params);
  const out = isPlainObject(d) ? d : {};
  delete out.certifies;
  return out;
}

// ---- the editor's field list ----

export interface ProfileField {
  /** Path in ProfileParams, e.g. ['storage', 'floors', 'nvme', 'minIops']. */
  path: string[];
  /** The section it is shown under: "Run", "Thermal sidecar" or a stage's name. */
  section: string;
  label: string;
  kind: 'number' | 'boolean' | 'enum' | 'string';
  options: string[];
  /** May be left empty (e.g. a partial scan's limit: empty scans the whole disk). */
  optional: boolean;
  allowed: string;
  /** Text after the input: "s", "ms", "°C", "bytes", "%". */
  unit: string | null;
}

/** Unit words by the field name's ending (a schema's .meta({ unit }) wins); the ending is dropped from the label. */
const UNIT_SUFFIXES: { re: RegExp; unit: string; keep?: string }[] = [
  { re: /Ms$/, unit: 'ms' },
  { re: /MiB$/, unit: 'MiB' },
  { re: /Mbps$/, unit: 'Mbit/s' },
  { re: /Bytes$/, unit: 'bytes' },
  { re: /Percent$/, unit: '%' },
  { re: /Fraction$/, unit: '(0–1)', keep: 'Share' },
  { re: /TempC$/, unit: '°C', keep: 'Temp' },
  { re: /(?<=[a-z])S$/, unit: 's' },
];
const WORDS: Record<string, string> = { iops: 'IOPS', p99: 'p99', cpu: 'CPU', psu: 'PSU', gpu: 'GPU', nvme: 'NVMe', ssd: 'SSD', hdd: 'HDD', vm: 'VM', rwmixread: 'read share of the mix', iodepth: 'queue depth', temp: 'temperature' };

/** "maxP99Ms" → "Max p99", "minIops" → "Min IOPS", "durationS" → "Duration", "maxTempC" → "Max temperature". */
export function fieldLabel(key: string): string {
  const suffix = UNIT_SUFFIXES.find((u) => u.re.test(key) && key.replace(u.re, '') !== '');
  const k = suffix ? key.replace(suffix.re, suffix.keep ?? '') : key;
  const words = k.split(/(?<=[a-z0-9])(?=[A-Z])/).map((w) => w.toLowerCase());
  const text = words.map((w) => WORDS[w] ?? w).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function unitFor(key: string, schema: AnyZod): string | null {
  const meta = (schema as unknown as { meta?: () => { unit?: string } | undefined }).meta?.();
  if (meta?.unit) return meta.unit;
  return UNIT_SUFFIXES.find((u) => u.re.test(key))?.unit ?? null;
}

function titleFor(key: string, schema: AnyZod): string {
  const meta = (schema as unknown as { meta?: () => { title?: string } | undefined }).meta?.();
  return meta?.title ?? fieldLabel(key);
}

const SECTION_TITLES: Record<string, string> = { thermal: 'Thermal sidecar' };

/** Every leaf field of the profile schema, in schema order, with what it allows; `certifies` is left out (a custom profile inherits it). */
export function profileFields(): ProfileField[] {
  const stageOf = new Map<string, string>(STAGES.flatMap((s) => (s.paramsKey ? [[s.paramsKey as string, s.name as string]] : [])));
  const out: ProfileField[] = [];
  const walk = (schema: AnyZod, path: string[], section: string) => {
    const shape = shapeOf(schema);
    if (shape) {
      for (const [key, field] of Object.entries(shape)) {
        if (path.length === 0 && key === 'certifies') continue;
        const nextSection = path.length === 0 ? (stageOf.get(key) ?? SECTION_TITLES[key] ?? (shapeOf(field) ? fieldLabel(key) : 'Run')) : section;
        walk(field, [...path, key], nextSection);
      }
      return;
    }
    const key = path[path.length - 1]!;
    const { inner, optional } = unwrap(schema);
    const d = defOf(inner);
    const kind = d.type === 'number' ? 'number' : d.type === 'boolean' ? 'boolean' : d.type === 'enum' ? 'enum' : 'string';
    // Labels of nested fields say where they sit: "Floors NVMe min IOPS".
    const label = path.length > 2 ? [...path.slice(1, -1).map(fieldLabel), titleFor(key, schema)].join(' · ') : titleFor(key, schema);
    out.push({ path, section, label, kind, options: d.type === 'enum' ? Object.values(d.entries ?? {}) : [], optional, allowed: allowedText(schema), unit: unitFor(key, schema) });
  };
  walk(ProfileParams, [], 'Run');
  return out;
}

/** The value at `path` in a params object. */
export function fieldValue(params: unknown, path: readonly string[]): unknown {
  return valueAt(params, path);
}
