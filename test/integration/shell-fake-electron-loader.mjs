// Node module hooks: resolve the bare specifier 'electron' to the stand-in in
// shell-fake-electron.mjs (used with `node --import` by shell-main-smoke.test.ts).
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      const fake = ${JSON.stringify(new URL('./shell-fake-electron.mjs', import.meta.url).href)};
      export async function resolve(specifier, context, next) {
        if (specifier === 'electron') return { url: fake, shortCircuit: true };
        return next(specifier, context);
      }
    `),
);
