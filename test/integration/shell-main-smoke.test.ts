import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../support/fresh-build.ts';

// The bundled main process (out/main/index.js, what Electron would load) run under
// plain Node with a stand-in 'electron' module (shell-fake-electron.mjs), since the
// Electron binary is absent here. Everything else is real: the orchestrator, its
// SQLite store, its HTTP listener, the shell's wiring of security, IPC and quit.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const loader = join(root, 'test', 'integration', 'shell-fake-electron-loader.mjs');

interface Entry {
  what: string;
  [k: string]: any;
}

interface Shell {
  child: ChildProcess;
  log: () => Entry[];
  output: () => string;
  exited: Promise<number | null>;
}

function launch(dataDir: string, home: string): Shell {
  const logFile = join(home, `log-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(logFile, '');
  let output = '';
  const child = spawn(process.execPath, ['--import', loader, join(root, 'out', 'main', 'index.js')], {
    cwd: root,
    env: { ...process.env, VETTING_DATA_DIR: dataDir, FAKE_ELECTRON_LOG: logFile, FAKE_ELECTRON_HOME: home, FAKE_ELECTRON_APP_PATH: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const log = () =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Entry);
  return { child, log, output: () => output, exited };
}

/** Waits until the log has an entry `what`, or the process has exited. */
async function until(s: Shell, what: string): Promise<Entry> {
  for (;;) {
    const hit = s.log().find((e) => e.what === what);
    if (hit) return hit;
    if (s.child.exitCode !== null) throw new Error(`shell exited (${s.child.exitCode}) before "${what}"\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the bundled main process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  // Test what the sources build to now, as `npm start` would.
  beforeAll(buildIfStale);
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await gone;
      }
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function temp(prefix: string) {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  }

  it('starts the orchestrator, opens a locked-down window on it, and stops cleanly', async () => {
    const dataDir = temp('vetting-smoke-data-');
    const home = temp('vetting-smoke-home-');
    const s = launch(dataDir, home);
    children.push(s.child);

    await until(s, 'exercised');
    const log = s.log();
    const win = log.find((e) => e.what === 'BrowserWindow')?.options;
    expect(win.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(existsSync(win.webPreferences.preload)).toBe(true);
    expect(win.webPreferences.additionalArguments).toEqual(['--vetting-app-version=0.0.0-fake']);

    // The window signs in to the in-process orchestrator, which serves the UI.
    const url = log.find((e) => e.what === 'loadURL')?.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const signIn = await fetch(url, { redirect: 'manual' });
    expect(signIn.status).toBe(302);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const page = await fetch(new URL('/', url), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="root"');
    const server = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
    expect(server).toMatchObject({ pid: s.child.pid, control: new URL(url).origin });

    const csp = log.find((e) => e.what === 'csp');
    expect(csp?.app['Content-Security-Policy'][0]).toContain("script-src 'self'");
    expect(csp?.foreign['Content-Security-Policy']).toBeUndefined();
    const ipc = log.find((e) => e.what === 'ipc');
    expect(ipc?.notify).toEqual({ ok: true });
    expect(ipc?.print).toEqual({ ok: true });
    expect(ipc?.foreignSender.ok).toBe(false);
    expect(ipc?.badArgs.error).toMatch(/plain file name/);
    expect(log.find((e) => e.what === 'Notification.show')).toMatchObject({ title: 'Run 7 failed' });
    // Clicking it tells the window's page to open run 7 (the preload hands that to the UI's onOpenRun).
    expect(log.find((e) => e.what === 'webContents.send')).toEqual({ what: 'webContents.send', channel: 'vetting:open-run', args: [7] });
    expect(log.find((e) => e.what === 'navigation')).toMatchObject({ app: 'allowed', report: 'allowed', foreign: 'blocked', open: { action: 'deny' } });
    expect(log.find((e) => e.what === 'app.setBadgeCount')).toEqual({ what: 'app.setBadgeCount', n: 0 });

    // A second app on the same data directory refuses to start a second orchestrator.
    const second = launch(dataDir, home);
    children.push(second.child);
    expect(await second.exited).toBe(1);
    expect(second.log().find((e) => e.what === 'dialog.showErrorBox')?.content).toMatch(/already serving/);

    // A service manager's SIGTERM: no question, orchestrator closed, server file gone.
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.log().map((e) => e.what)).toContain('app.exited');
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'vetting.db-wal'))).toBe(false); // database closed
  });

  it('asks before quitting while a host is mid-run, and keeps running when told to', async () => {
    const dataDir = temp('vetting-smoke-data-');
    const home = temp('vetting-smoke-home-');
    const s = launch(dataDir, home);
    children.push(s.child);
    await until(s, 'exercised');
    const { control, token } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
    const api = (path: string, body: unknown) =>
      fetch(`${control}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await api('/api/hosts', { name: 'r730-01' })).status).toBeLessThan(300);
    expect((await api('/api/runs', { host: 'r730-01' })).status).toBeLessThan(300);

    s.child.kill('SIGUSR2'); // the person chooses Quit; the stand-in dialog answers "Keep running"
    const asked = await until(s, 'dialog.showMessageBoxSync');
    expect(asked.options.message).toBe('1 host is mid-run. Quit anyway?');
    expect(asked.options.detail).toContain('r730-01 (WaitingForAgent)');
    await until(s, 'quit.cancelled');
    expect(s.child.exitCode).toBeNull();
    expect((await fetch(`${control}/`)).status).toBe(200); // still serving

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
