import { UserError } from '../util/errors.ts';

// `vetting settings set` arguments → one settings patch (deep-merged by the
// store, validated there against the schema). Each argument is either a JSON
// object, or `dotted.path=value` where the value is read as JSON when it parses
// (numbers, true/false, null, quoted strings, objects) and as a plain string
// otherwise: `bench.dhcpMode=proxy bench.iperfPort=5202 bench.dhcpRange=null`.

const SEGMENT = /^[A-Za-z][A-Za-z0-9_]*$/;

export function settingsPatch(args: readonly string[]): Record<string, unknown> {
  if (args.length === 0) throw new UserError('nothing to set: give path=value pairs (e.g. bench.dhcpMode=proxy) or a JSON object', 'bad-args');
  const patch: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg.trimStart().startsWith('{')) {
      let value: unknown;
      try {
        value = JSON.parse(arg);
      } catch (e) {
        throw new UserError(`not valid JSON: ${(e as Error).message}`, 'bad-args');
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UserError('a JSON argument must be an object', 'bad-args');
      mergeInto(patch, value as Record<string, unknown>);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UserError(`"${arg}" is neither path=value nor a JSON object`, 'bad-args');
    const path = arg.slice(0, eq).split('.');
    const bad = path.find((p) => !SEGMENT.test(p));
    if (bad !== undefined) throw new UserError(`"${arg.slice(0, eq)}" is not a settings path (letters, digits and _ between dots)`, 'bad-args');
    let node = patch;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (node[key] = next && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
    }
    node[path.at(-1)!] = parseValue(arg.slice(eq + 1));
  }
  return patch;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) mergeInto(cur as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
}
