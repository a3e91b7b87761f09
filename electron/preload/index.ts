import { contextBridge, ipcRenderer } from 'electron';
import { appVersionFromArgv, createVettingBridge, type IpcChannel, type IpcEvent } from './bridge-api.ts';

// Runs sandboxed with context isolation: the page sees only window.vetting.
contextBridge.exposeInMainWorld(
  'vetting',
  createVettingBridge(
    (channel: IpcChannel, ...args: unknown[]) => ipcRenderer.invoke(channel, ...args),
    appVersionFromArgv(process.argv),
    (channel: IpcEvent, listener: (...args: unknown[]) => void) => {
      // The IPC event object (with its sender) never reaches the page: only the arguments.
      const onEvent = (_event: unknown, ...args: unknown[]) => listener(...args);
      ipcRenderer.on(channel, onEvent);
      return () => void ipcRenderer.removeListener(channel, onEvent);
    },
  ),
);
