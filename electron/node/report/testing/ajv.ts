import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// One way to make a JSON Schema 2020-12 validator for the report's tests: ajv
// with the standard formats (date-time is used by the OCP schema and ours).

type FormatsPlugin = typeof import('ajv-formats').default;
// ajv-formats is CommonJS: Node hands its module.exports (the plugin, which also carries .default) to a default import.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as unknown as FormatsPlugin;

export function makeAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, ...options });
  addFormats(ajv);
  return ajv;
}

/** ajv's errors as "/path message {params}" lines. */
export function ajvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}
