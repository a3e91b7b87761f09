import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// `npm start` where no window can open: it must say why in one line, serve the
// UI headless, print the URL, and that URL must serve the app.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

function npmStart(env: Record<string, string | undefined>): Started {
  let out = '';
  let err = '';
  // Own process group, so npm, the launcher and the server can all be stopped by the group's PID.
  const child = spawn('npm', ['start', '--', '--control-port', '0', '--bench-address', '127.0.0.1', '--bench-port', '0'], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

/** Resolves with the UI URL once the server prints it; rejects if the launcher exits first. */
function printedUrl(s: Started): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = /open the bench UI: (http:\/\/\S+)/.exec(s.stdout());
      if (m) {
        clearInterval(timer);
        resolve(m[1] as string);
      }
    };
    const timer = setInterval(check, 100);
    s.child.once('exit', (code, signal) => {
      clearInterval(timer);
      check();
      reject(new Error(`npm start exited (${code ?? signal}) before printing a URL\nstdout:\n${s.stdout()}\nstderr:\n${s.stderr()}`));
    });
  });
}

async function stop(s: Started): Promise<void> {
  const pid = s.child.pid;
  if (pid === undefined || s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const killer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 10_000);
  await exited;
  clearTimeout(killer);
}

/** GET following the sign-in redirect by hand (Node's fetch keeps no cookies). */
async function getApp(url: string): Promise<{ status: number; type: string | null; body: string; origin: string }> {
  const first = await fetch(url, { redirect: 'manual' });
  const origin = new URL(url).origin;
  if (first.status >= 300 && first.status < 400) {
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const next = await fetch(new URL(first.headers.get('location') ?? '/', url), { headers: { cookie } });
    return { status: next.status, type: next.headers.get('content-type'), body: await next.text(), origin };
  }
  return { status: first.status, type: first.headers.get('content-type'), body: await first.text(), origin };
}

describe('npm start without a window', () => {
  const dirs: string[] = [];
  const started: Started[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await stop(s);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function baseEnv(): Record<string, string | undefined> {
    const dataDir = mkdtempSync(join(tmpdir(), 'vetting-start-data-'));
    dirs.push(dataDir);
    const env: Record<string, string | undefined> = { ...process.env, VETTING_DATA_DIR: dataDir, VETTING_ELECTRON_DOWNLOAD: '0' };
    delete env.WAYLAND_DISPLAY;
    delete env.DISPLAY;
    delete env.ELECTRON_OVERRIDE_DIST_PATH;
    return env;
  }

  it('with no Electron binary, says so in one line and serves the app at the printed URL', async () => {
    // A display is claimed, but the Electron dist folder is empty: no binary.
    const emptyDist = mkdtempSync(join(tmpdir(), 'vetting-no-electron-'));
    dirs.push(emptyDist);
    const s = npmStart({ ...baseEnv(), DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: emptyDist });
    started.push(s);
    const url = await printedUrl(s);

    const reasons = s.stderr().split('\n').filter((l) => l.includes('serving the UI headless'));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^No Electron binary \(ELECTRON_OVERRIDE_DIST_PATH has no binary/);

    const page = await getApp(url);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    // The same HTML the renderer build produced, with its bundle.
    const built = readFileSync(join(root, 'out', 'renderer', 'index.html'), 'utf8');
    const script = /<script[^>]+src="([^"]+)"/.exec(built)?.[1];
    expect(script).toBeDefined();
    expect(page.body).toContain(script as string);
    expect(page.body).toContain('id="root"');
    const bundle = await fetch(new URL(script as string, `${page.origin}/`));
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
  });

  it('with no display, says so in one line and serves headless', async () => {
    const s = npmStart(baseEnv());
    started.push(s);
    const url = await printedUrl(s);
    const reasons = s.stderr().split('\n').filter((l) => l.includes('serving the UI headless'));
    expect(reasons).toEqual([
      'No display (DISPLAY and WAYLAND_DISPLAY are unset): serving the UI headless instead (vetting serve); open the URL it prints in a browser.',
    ]);
    expect((await getApp(url)).status).toBe(200);
  });
});
