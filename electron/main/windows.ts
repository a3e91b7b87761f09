import { BrowserWindow, screen } from 'electron';
import { APP_VERSION_ARG } from '../preload/bridge-api.ts';
import { MIN_SIZE, loadWindowState, restoreWindowState, saveWindowState } from './window-state.ts';

// The main window (the bench UI, with the preload bridge) and report windows
// (a report page only, no bridge). Both run sandboxed with context isolation.

export interface MainWindowOptions {
  stateFile: string;
  preload: string;
  appVersion: string;
  icon?: string | undefined;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const state = restoreWindowState(
    loadWindowState(opts.stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
    screen.getPrimaryDisplay().workArea,
  );
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Vetting',
    ...(opts.icon ? { icon: opts.icon } : {}),
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      additionalArguments: [`${APP_VERSION_ARG}${opts.appVersion}`],
    },
  });
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });

  // Saved on every move/resize (debounced) and on close, so a crash keeps the last layout.
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    try {
      saveWindowState(opts.stateFile, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (err) {
      console.warn(`[shell] could not save window state: ${(err as Error).message}`);
    }
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('maximize', saveSoon);
  win.on('unmaximize', saveSoon);
  win.on('close', () => {
    clearTimeout(timer);
    save();
  });
  return win;
}

/** A window showing one report page: no preload, so the page gets no native calls. */
export function createReportWindow(opts: { show: boolean; parent?: BrowserWindow | undefined; icon?: string | undefined }): BrowserWindow {
  return new BrowserWindow({
    width: 1000,
    height: 1200,
    show: opts.show,
    title: 'Vetting report',
    ...(opts.parent ? { parent: opts.parent } : {}),
    ...(opts.icon ? { icon: opts.icon } : {}),
    autoHideMenuBar: true,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      javascript: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
}
