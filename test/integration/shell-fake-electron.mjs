// A stand-in for the 'electron' module, for running the bundled main process
// (out/main/index.js) under plain Node where the Electron binary is absent.
// It implements only what the shell calls, records every call as a JSON line in
// $FAKE_ELECTRON_LOG, and drives the shell the way Electron would: 'ready', a
// 'web-contents-created' per window, IPC invocations, response headers, quit events.
// Used by test/integration/shell-main-smoke.test.ts.

import { appendFileSync, mkdirSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

const logFile = process.env.FAKE_ELECTRON_LOG;
const home = process.env.FAKE_ELECTRON_HOME;
const appPath = process.env.FAKE_ELECTRON_APP_PATH;
const log = (what, detail = {}) => appendFileSync(logFile, `${JSON.stringify({ what, ...detail })}\n`);

class PreventableEvent {
  constructor() {
    this.defaultPrevented = false;
  }
  preventDefault() {
    this.defaultPrevented = true;
  }
}

const paths = { appData: join(home, 'appData'), downloads: join(home, 'downloads'), home };
class App extends EventEmitter {
  isPackaged = false;
  setPath(name, p) {
    paths[name] = p;
    log('app.setPath', { name, path: p });
  }
  getPath(name) {
    if (!(name in paths)) throw new Error(`fake getPath: ${name}`);
    return paths[name];
  }
  getAppPath() {
    return appPath;
  }
  getVersion() {
    return '0.0.0-fake';
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  setBadgeCount(n) {
    log('app.setBadgeCount', { n });
    return true;
  }
  quit() {
    log('app.quit');
    const before = new PreventableEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return log('quit.cancelled');
    const will = new PreventableEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return log('quit.held');
    log('app.exited');
    process.exit(0);
  }
  exit(code) {
    log('app.exit', { code });
    process.exit(code);
  }
}
export const app = new App();

// No keyring here: the shell falls back to the data directory's key file for BMC passwords.
export const safeStorage = {
  isEncryptionAvailable: () => false,
  getSelectedStorageBackend: () => 'basic_text',
  encryptString() {
    throw new Error('fake safeStorage: no encryption');
  },
  decryptString() {
    throw new Error('fake safeStorage: no encryption');
  },
};

const handlers = new Map();
export const ipcMain = {
  handle(channel, fn) {
    handlers.set(channel, fn);
    log('ipcMain.handle', { channel });
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
};

let headersListener = null;
export const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived(...args) {
        headersListener = args[args.length - 1];
        log('session.onHeadersReceived', { filter: args.length > 1 ? args[0] : null });
      },
    },
    setPermissionRequestHandler() {
      log('session.setPermissionRequestHandler');
    },
    setPermissionCheckHandler() {
      log('session.setPermissionCheckHandler');
    },
  },
};

class WebContents extends EventEmitter {
  constructor(win) {
    super();
    this.win = win;
  }
  setWindowOpenHandler(fn) {
    this.openHandler = fn;
  }
  print(options, cb) {
    log('webContents.print', { options });
    cb(true, '');
  }
  async printToPDF(options) {
    log('webContents.printToPDF', { options });
    return Buffer.from('%PDF-fake');
  }
  send(channel, ...args) {
    log('webContents.send', { channel, args });
  }
}

const windows = [];
export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents(this);
    this.destroyed = false;
    windows.push(this);
    log('BrowserWindow', { options });
    app.emit('web-contents-created', {}, this.webContents);
  }
  static fromWebContents(wc) {
    return wc.win ?? null;
  }
  static getFocusedWindow() {
    return windows[0] ?? null;
  }
  async loadURL(url) {
    log('loadURL', { url });
    if (windows[0] === this) setImmediate(() => exercise(url, this));
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return false;
  }
  isFullScreen() {
    return false;
  }
  isMaximized() {
    return false;
  }
  getNormalBounds() {
    return { x: 10, y: 20, width: 1000, height: 700 };
  }
  maximize() {}
  show() {}
  focus() {}
  restore() {}
  close() {
    const e = new PreventableEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

/** What Electron would do once the page is up: responses pass the header hook, the page calls the bridge, it tries to navigate. */
async function exercise(url, win) {
  const origin = new URL(url).origin;
  const headers = (u) => new Promise((resolve) => headersListener({ url: u, responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => resolve(r.responseHeaders)));
  log('csp', { app: await headers(`${origin}/`), foreign: await headers('https://example.com/') });

  const invoke = (channel, senderUrl, ...args) => handlers.get(channel)({ senderFrame: { url: senderUrl }, sender: win.webContents }, ...args);
  log('ipc', {
    notify: await invoke('vetting:notify', `${origin}/`, 'Run 7 failed', 'SMART: reallocated sectors', 7),
    foreignSender: await invoke('vetting:notify', 'https://example.com/', 'x', 'y'),
    badArgs: await invoke('vetting:save-file', `${origin}/`, '../../etc/passwd', 'x'),
    print: await invoke('vetting:print', `${origin}/`, null, { preview: false }),
  });
  // The person clicks the notification about run 7.
  Notification.shown.find((n) => n.opts.title === 'Run 7 failed')?.emit('click');
  log('notification.clicked');

  const nav = (target) => {
    const e = new PreventableEvent();
    win.webContents.emit('will-navigate', e, target);
    return e.defaultPrevented ? 'blocked' : 'allowed';
  };
  log('navigation', {
    app: nav(`${origin}/hosts`),
    report: nav(`${origin}/api/runs/1/report.html`),
    foreign: nav('https://example.com/'),
    open: win.webContents.openHandler({ url: 'https://example.com/' }),
  });
  log('exercised');
}

export const Menu = {
  buildFromTemplate: (t) => t,
  setApplicationMenu(m) {
    log('Menu.setApplicationMenu', { items: m.length });
  },
};

export class Notification extends EventEmitter {
  static shown = [];
  static isSupported() {
    return true;
  }
  constructor(opts) {
    super();
    this.opts = opts;
  }
  show() {
    Notification.shown.push(this);
    log('Notification.show', this.opts);
  }
}

export class Tray {
  constructor(icon) {
    log('Tray', { icon });
  }
  setContextMenu() {}
  on() {}
  setToolTip(text) {
    log('Tray.setToolTip', { text });
  }
}

export const dialog = {
  showErrorBox(title, content) {
    log('dialog.showErrorBox', { title, content });
    process.stderr.write(`${title}: ${content}\n`);
  },
  showMessageBoxSync(...args) {
    log('dialog.showMessageBoxSync', { options: args[args.length - 1] });
    return 1;
  },
  async showMessageBox() {
    return { response: 0 };
  },
  async showSaveDialog() {
    return { canceled: true };
  },
};

export const screen = {
  getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
  getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
};

export const shell = {
  async openPath(p) {
    log('shell.openPath', { p });
    return '';
  },
};

mkdirSync(paths.appData, { recursive: true });
// SIGUSR2 plays the person choosing Quit from the menu (a quit that may ask first).
process.on('SIGUSR2', () => app.quit());
export default { app, ipcMain, session, BrowserWindow, Menu, Notification, Tray, dialog, screen, shell };
