import { ipcMain } from 'electron';
import { IPC_CHANNELS, IPC_CHANNEL_LIST, type NativeResult } from '../preload/bridge-api.ts';
import { isTrustedSender, validateNativeRequest } from './ipc-validate.ts';
import { printPage, savePdf, saveWithDialog, showNotification } from './native-actions.ts';

// Registers one handler per channel of the fixed list. Each call is checked
// (sender is an app page, arguments valid) before anything native happens; a
// refused call returns an error result instead of throwing into the page.

export function registerIpcHandlers(controlUrl: string, opts: { icon?: string | undefined; onNotificationClick: (runId: number | null) => void }): () => void {
  for (const channel of IPC_CHANNEL_LIST) {
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<NativeResult> => {
      if (!isTrustedSender(event.senderFrame?.url, controlUrl)) {
        return { ok: false, cancelled: false, error: 'native calls are only available to the app’s own pages' };
      }
      const v = validateNativeRequest(channel, args, controlUrl);
      if (!v.ok) {
        console.warn(`[shell] refused ${v.error}`);
        return { ok: false, cancelled: false, error: v.error };
      }
      const r = v.request;
      switch (r.channel) {
        case IPC_CHANNELS.print:
          return printPage(event.sender, r.url, r.preview, opts.icon);
        case IPC_CHANNELS.printToPDF:
          return savePdf(event.sender, r.url, opts.icon);
        case IPC_CHANNELS.saveFile:
          return saveWithDialog(event.sender, r.name, r.data);
        case IPC_CHANNELS.notify:
          return showNotification(r.title, r.body, () => opts.onNotificationClick(r.runId));
      }
    });
  }
  return () => {
    for (const channel of IPC_CHANNEL_LIST) ipcMain.removeHandler(channel);
  };
}
