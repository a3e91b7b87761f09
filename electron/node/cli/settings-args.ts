import { deepMerge } from '../store/settings.ts';
import { UserError } from '../util/errors.ts';

// `vetting settings set` arguments → one settings patch (deep-merged by the
// store, validated there against the schema). Each argument is either a JSON
// object, or `dotted.path=value` where the value is read as JSON when it parses
// (numbers, true/false, null, quoted strings, objects) and as a plain string
// otherwise: `bench.dhcpMode=proxy bench.iperfPort=5202 bench.dhcpRange=null`.

const SEGMENT = /^[A-Za-z][A-Za-z0-9_]*$/;

export function settingsPatch(args: readonly string[]): Record<string, unknown> {
  if (args.length === 0) throw new UserError('nothing to set: give path=value pairs (e.g. bench.dhcpMode=proxy) or a JSON object', 'bad-args');
  let patch: Record<string, unknown> = {};
  for (const arg of args) patch = deepMerge(patch, parseArg(arg)) as Record<string, unknown>;
  return patch;
}

/** One argument as a partial settings object. */
function parseArg(arg: string): Record<string, unknown> {
  if (arg.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(arg);
    } catch (e) {
      throw new UserError(`not valid JSON: ${(e as Error).message}`, 'bad-args');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UserError('a JSON argument must be an object', 'bad-args');
    return value as Record<string, unknown>;
  }
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UserError(`"${arg}" is neither path=value nor a JSON object`, 'bad-args');
  const path = arg.slice(0, eq).split('.');
  if (path.some((p) => !SEGMENT.test(p))) throw new UserError(`"${arg.slice(0, eq)}" is not a settings path (letters, digits and _ between dots)`, 'bad-args');
  return path.reduceRight<unknown>((value, key) => ({ [key]: value }), parseValue(arg.slice(eq + 1))) as Record<string, unknown>;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
