import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { serve, tempDir, type Served } from '../support/serve.ts';

// `vetting serve` where no UI was built: it says how to build one, on the
// command line and on the page, and serves the API anyway.

let tmp: ReturnType<typeof tempDir>;
let server: Served | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
  tmp.remove();
});

it('says how to build the UI instead of serving nothing, and answers the API meanwhile', async () => {
  tmp = tempDir('vetting-no-ui-');
  const missing = join(tmp.path, 'no-ui-here');
  server = await serve(join(tmp.path, 'data'), ['--ui-dir', missing]);
  const page = await fetch(`${server.control}/`);
  expect(page.status).toBe(503);
  expect(await page.text()).toContain('npm run build');
  const api = await fetch(`${server.control}/api/session`, { headers: { authorization: `Bearer ${server.token}` } });
  expect(api.status).toBe(200);
  // Written right after the JSON line, before the API answered above.
  expect(server.stderr()).toContain(`no built UI in ${missing}: build it with \`npm run build\``);
});
