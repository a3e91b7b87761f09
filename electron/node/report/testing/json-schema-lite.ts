// A small JSON Schema (draft 2020-12) validator for the subset of keywords
// docs/report.schema.json uses. It refuses schemas with any other keyword so a
// test can never pass by silently ignoring a rule it does not understand.

type Schema = boolean | Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$id', '$defs', 'title', 'description', 'type', 'enum', 'const', 'properties', 'required',
  'additionalProperties', 'items', 'prefixItems', 'minItems', 'minimum', 'pattern', 'oneOf', '$ref',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

export function validateJsonSchema(root: Record<string, unknown>, value: unknown): string[] {
  let errors: string[] = [];
  const resolve = (ref: string): Schema => {
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    const defs = root.$defs as Record<string, Schema> | undefined;
    const target = m && defs ? defs[m[1] as string] : undefined;
    if (target === undefined) throw new Error(`unsupported or unknown $ref ${ref}`);
    return target;
  };
  const check = (schema: Schema, v: unknown, path: string): void => {
    if (schema === true) return;
    if (schema === false) {
      errors.push(`${path}: no value allowed here`);
      return;
    }
    for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`schema keyword ${k} at ${path} is not supported by this validator`);
    if (typeof schema.$ref === 'string') check(resolve(schema.$ref), v, path);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => typeMatches(v, t))) {
        errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(v)}`);
        return;
      }
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === v)) errors.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    if ('const' in schema && schema.const !== v) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
    if (typeof schema.minimum === 'number' && typeof v === 'number' && v < schema.minimum) errors.push(`${path}: ${v} < minimum ${schema.minimum}`);
    if (typeof schema.pattern === 'string' && typeof v === 'string' && !new RegExp(schema.pattern, 'u').test(v)) errors.push(`${path}: does not match ${schema.pattern}`);
    if (Array.isArray(schema.oneOf)) {
      const passing = (schema.oneOf as Schema[]).filter((alt) => {
        const outer = errors;
        errors = [];
        check(alt, v, path);
        const ok = errors.length === 0;
        errors = outer;
        return ok;
      });
      if (passing.length !== 1) errors.push(`${path}: matches ${passing.length} of the oneOf alternatives (needs exactly 1)`);
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const r of (schema.required ?? []) as string[]) if (!(r in o)) errors.push(`${path}: missing required property ${r}`);
      for (const [k, sub] of Object.entries(o)) {
        if (k in props) check(props[k] as Schema, sub, `${path}.${k}`);
        else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
      }
    }
    if (Array.isArray(v)) {
      if (typeof schema.minItems === 'number' && v.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
      const prefix = (schema.prefixItems ?? []) as Schema[];
      v.forEach((item, i) => {
        if (i < prefix.length) check(prefix[i] as Schema, item, `${path}[${i}]`);
        else if (schema.items !== undefined) check(schema.items as Schema, item, `${path}[${i}]`);
      });
    }
  };
  check(root, value, '$');
  return errors;
}
