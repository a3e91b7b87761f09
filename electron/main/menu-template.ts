import type { MenuItemConstructorOptions } from 'electron';

// The application menu: the usual roles (so copy/paste, zoom, full screen and the
// developer tools behave as on any desktop app) plus the few app commands.
// Built as plain data so it can be checked without Electron.

export interface MenuActions {
  printPage(): void;
  savePdf(): void;
  openDataFolder(): void;
  showAbout(): void;
}

export function buildMenuTemplate(actions: MenuActions, opts: { isMac: boolean; devTools: boolean }): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [];
  if (opts.isMac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'Print…', accelerator: 'CmdOrCtrl+P', click: () => actions.printPage() },
        { label: 'Save as PDF…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.savePdf() },
        { type: 'separator' },
        { label: 'Open Data Folder', click: () => actions.openDataFolder() },
        { type: 'separator' },
        opts.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(opts.devTools ? ([{ role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Vetting', click: () => actions.showAbout() }] },
  );
  return template;
}
