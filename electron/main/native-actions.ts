import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BrowserWindow, Notification, app, dialog, type WebContents } from 'electron';
import type { NativeResult } from '../preload/bridge-api.ts';
import { createReportWindow } from './windows.ts';

// The native calls behind window.vetting: print, Save PDF, save file, notify.
// Arguments arrive already validated (ipc-validate.ts).

const A4_PDF = { pageSize: 'A4', printBackground: true, landscape: false } as const;

function failed(err: unknown): NativeResult {
  return { ok: false, cancelled: false, error: err instanceof Error ? err.message : String(err) };
}

/** Loads a URL in a report window and resolves once it has finished loading. */
async function loadReport(url: string, show: boolean, parent: BrowserWindow | undefined, icon?: string): Promise<BrowserWindow> {
  const win = createReportWindow({ show, parent, icon });
  await win.loadURL(url);
  return win;
}

function printContents(contents: WebContents): Promise<NativeResult> {
  return new Promise((resolve) => {
    contents.print({ silent: false, printBackground: true }, (success, reason) => {
      if (success) resolve({ ok: true });
      // Chromium reports a cancelled dialog as a failure with the reason "cancelled".
      else resolve({ ok: false, cancelled: /cancel/i.test(reason), error: reason || undefined });
    });
  });
}

export async function printPage(sender: WebContents, url: string | null, preview: boolean, icon?: string): Promise<NativeResult> {
  try {
    if (url === null) return await printContents(sender);
    // Preview: the report opens in its own visible window, with the print dialog over it;
    // the window stays open afterwards. Otherwise it loads off-screen and closes after printing.
    const win = await loadReport(url, preview, BrowserWindow.fromWebContents(sender) ?? undefined, icon);
    try {
      return await printContents(win.webContents);
    } finally {
      if (!preview && !win.isDestroyed()) win.close();
    }
  } catch (err) {
    return failed(err);
  }
}

function pdfName(url: string | null): string {
  const m = url ? /\/api\/runs\/(\d+)\/report\.html/.exec(url) : null;
  return m ? `vetting-run-${m[1]}.pdf` : 'vetting.pdf';
}

export async function savePdf(sender: WebContents, url: string | null, icon?: string): Promise<NativeResult> {
  try {
    let pdf: Buffer;
    if (url === null) pdf = await sender.printToPDF(A4_PDF);
    else {
      const win = await loadReport(url, false, undefined, icon);
      try {
        pdf = await win.webContents.printToPDF(A4_PDF);
      } finally {
        if (!win.isDestroyed()) win.close();
      }
    }
    return await saveWithDialog(sender, pdfName(url), pdf, [{ name: 'PDF', extensions: ['pdf'] }]);
  } catch (err) {
    return failed(err);
  }
}

export async function saveWithDialog(
  sender: WebContents,
  name: string,
  data: string | Uint8Array,
  filters: Electron.FileFilter[] = [],
): Promise<NativeResult> {
  try {
    const parent = BrowserWindow.fromWebContents(sender);
    const options: Electron.SaveDialogOptions = { defaultPath: join(app.getPath('downloads'), name), filters };
    const choice = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { ok: false, cancelled: true };
    await writeFile(choice.filePath, data);
    return { ok: true, path: choice.filePath };
  } catch (err) {
    return failed(err);
  }
}

export function showNotification(title: string, body: string, onClick?: () => void): NativeResult {
  if (!Notification.isSupported()) return { ok: false, cancelled: false, error: 'desktop notifications are not supported here' };
  const n = new Notification({ title, body });
  if (onClick) n.on('click', onClick);
  n.show();
  return { ok: true };
}
