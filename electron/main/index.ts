import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserWindow, Menu, Tray, app, dialog, safeStorage, session, shell } from 'electron';
import { resolveDataDir } from '../node/cli/data-dir.ts';
import { readServerFile, removeServerFile, writeServerFile } from '../node/cli/server-file.ts';
import { IPC_EVENTS } from '../preload/bridge-api.ts';
import { badgeCount, noticeFor, onNotificationClick, trayTooltip } from './attention.ts';
import { hardenSession, hardenWebContents } from './hardening.ts';
import { registerIpcHandlers } from './ipc-handlers.ts';
import { buildMenuTemplate } from './menu-template.ts';
import { printPage, savePdf, showNotification } from './native-actions.ts';
import { chooseNativeBinding, missingBindingMessage } from './native-binding.ts';
import { startShellOrchestrator, type ShellOrchestrator } from './orchestrator-host.ts';
import { safeStorageSealer } from './safe-storage-sealer.ts';
import { QuitController } from './quit-controller.ts';
import { createMainWindow, createReportWindow } from './windows.ts';

// The Electron shell: one window onto the in-process orchestrator's UI. Everything
// that can be decided without Electron lives in the small modules imported above.

// Chromium's own files (cache, cookies, window state) live in ~/.config/vetting for
// the development and the packaged app alike. The bench data (database, artifacts,
// reports) lives where `vetting serve` keeps it ($VETTING_DATA_DIR, else
// ~/.local/share/vetting), so the window and the headless server share one history.
app.setPath('userData', join(app.getPath('appData'), 'vetting'));
const dataDir = resolveDataDir();

let orchestrator: ShellOrchestrator | null = null;
let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;

const quitting = new QuitController({
  activeRuns: () => orchestrator?.activeRuns() ?? null,
  ask: (q) => {
    const options: Electron.MessageBoxSyncOptions = {
      type: 'warning',
      title: q.title,
      message: q.message,
      detail: q.detail,
      buttons: q.buttons,
      defaultId: q.cancelButton,
      cancelId: q.cancelButton,
      noLink: true,
    };
    const choice = mainWindow && !mainWindow.isDestroyed() ? dialog.showMessageBoxSync(mainWindow, options) : dialog.showMessageBoxSync(options);
    return choice === q.quitButton;
  },
  closeOrchestrator: async () => {
    const orch = orchestrator;
    orchestrator = null;
    if (!orch) return;
    await orch.close();
    removeServerFile(orch.dataDir, process.pid);
  },
  quit: () => app.quit(),
  warn: (m) => console.warn(`[shell] ${m}`),
});

function iconPath(): string | undefined {
  const p = app.isPackaged ? join(process.resourcesPath, 'icons', '256x256.png') : join(app.getAppPath(), 'build', 'icons', '256x256.png');
  return existsSync(p) ? p : undefined;
}

function focusMainWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** A desktop notification was clicked: the window comes up, on that run's page when it is about one. */
function openFromNotification(runId: number | null): void {
  onNotificationClick(
    runId,
    {
      focus: focusMainWindow,
      send: (channel, id) => {
        if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, id);
      },
    },
    IPC_EVENTS.openRun,
  );
}

function openReportWindow(url: string): void {
  const win = createReportWindow({ show: true, icon: iconPath() });
  win.loadURL(url).catch((err: Error) => console.warn(`[shell] report did not load: ${err.message}`));
}

function updateAttention(): void {
  if (!orchestrator) return;
  let waiting = 0;
  try {
    waiting = orchestrator.waitingForPerson();
  } catch (err) {
    console.warn(`[shell] could not count hosts waiting: ${(err as Error).message}`);
  }
  app.setBadgeCount(badgeCount(waiting));
  tray?.setToolTip(trayTooltip(waiting));
}

function createTray(icon: string | undefined): void {
  if (!icon) return;
  try {
    tray = new Tray(icon);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Vetting', click: focusMainWindow },
        { type: 'separator' },
        { role: 'quit' },
      ]),
    );
    tray.on('click', focusMainWindow);
  } catch (err) {
    // Some desktops have no status area; the badge count still works there.
    console.warn(`[shell] no tray: ${(err as Error).message}`);
  }
}

async function startOrchestratorOrExplain(): Promise<ShellOrchestrator> {
  const binding = chooseNativeBinding({
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath(),
    override: process.env.VETTING_SQLITE_BINDING,
  });
  // Two orchestrators on one database would fight over agents and ports.
  const other = readServerFile(dataDir);
  if (other && other.pid !== process.pid) {
    throw new Error(
      `Vetting is already serving ${dataDir} (process ${other.pid}, UI at ${other.control}/).\n` +
        'Stop that server first (for `vetting serve`: Ctrl+C in its terminal), or open its URL in a browser.',
    );
  }
  try {
    return await startShellOrchestrator({
      dataDir,
      controlPort: 0,
      uiDir: join(app.getAppPath(), 'out', 'renderer'),
      // Without an Electron build, try node_modules' copy: it works if it was rebuilt for Electron in place.
      ...(binding.path ? { nativeBinding: binding.path } : {}),
      // BMC passwords at rest: the OS keyring when it backs safeStorage, else the data directory's key file.
      ...((sealer) => (sealer ? { sealer } : {}))(safeStorageSealer(safeStorage)),
    });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (/NODE_MODULE_VERSION|different Node\.js version|better_sqlite3\.node/.test(message)) {
      throw new Error(`${missingBindingMessage(binding.path ? [binding.path] : 'searched' in binding ? binding.searched : [])}\n\n${message}`);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  await app.whenReady();
  const icon = iconPath();

  try {
    orchestrator = await startOrchestratorOrExplain();
  } catch (err) {
    dialog.showErrorBox('Vetting could not start', (err as Error).message ?? String(err));
    app.exit(1);
    return;
  }
  const orch = orchestrator;
  const controlUrl = orch.controlUrl;
  // Lets the `vetting` command line talk to this running orchestrator.
  try {
    writeServerFile(orch.dataDir, { pid: process.pid, control: orch.controlUrl, bench: orch.benchUrl, token: orch.token });
  } catch (err) {
    console.warn(`[shell] could not write the server file: ${(err as Error).message}`);
  }

  hardenSession(session.defaultSession, controlUrl);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, controlUrl, openReportWindow));
  registerIpcHandlers(controlUrl, { icon, onNotificationClick: openFromNotification });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(
        {
          printPage: () => {
            const wc = BrowserWindow.getFocusedWindow()?.webContents;
            if (wc) void printPage(wc, null, false, icon);
          },
          savePdf: () => {
            const wc = BrowserWindow.getFocusedWindow()?.webContents;
            if (wc) void savePdf(wc, null, icon);
          },
          openDataFolder: () => void shell.openPath(orch.dataDir),
          showAbout: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Vetting',
              message: `Vetting ${app.getVersion()}`,
              detail: `Data: ${orch.dataDir}\nUI also at: ${controlUrl}/ (this workstation only)\nElectron ${process.versions.electron}, Node ${process.versions.node}`,
            }),
        },
        { isMac: process.platform === 'darwin', devTools: !app.isPackaged },
      ),
    ),
  );

  createTray(icon);
  let attentionTimer: NodeJS.Timeout | undefined;
  orch.subscribe((event) => {
    // Only 'notification' events are for a person; progress and sensor events are frequent.
    const notice = event.type === 'notification' ? noticeFor(event) : null;
    if (notice) showNotification(notice.title, notice.body, () => openFromNotification(notice.runId));
    if (event.type === 'run-updated' || event.type === 'notification') {
      clearTimeout(attentionTimer);
      attentionTimer = setTimeout(updateAttention, 250);
    }
  });
  updateAttention();

  mainWindow = createMainWindow({
    stateFile: join(app.getPath('userData'), 'window-state.json'),
    preload: join(__dirname, '../preload/index.cjs'),
    appVersion: app.getVersion(),
    icon,
  });
  mainWindow.on('close', (event) => quitting.onQuitRequested(event));
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  // The control listener signs the window in (cookie) and redirects to the UI.
  await mainWindow.loadURL(`${controlUrl}/?token=${encodeURIComponent(orch.token)}`);
}

if (!app.requestSingleInstanceLock()) {
  // Another Vetting is running: it gets focused (second-instance) and this one leaves.
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => quitting.onQuitRequested(event));
  // Stop the orchestrator cleanly (database closed, services stopped) before exiting.
  app.on('will-quit', (event) => quitting.onWillQuit(event));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      quitting.skipConfirmation();
      app.quit();
    });
  }
  main().catch((err: Error) => {
    console.error(err);
    dialog.showErrorBox('Vetting failed', err.message ?? String(err));
    app.exit(1);
  });
}
