import { contextBridge, ipcRenderer } from 'electron';
import { appVersionFromArgv, createVettingBridge, type IpcChannel } from './bridge-api.ts';

// Runs sandboxed with context isolation: the page sees only window.vetting.
contextBridge.exposeInMainWorld(
  'vetting',
  createVettingBridge((channel: IpcChannel, ...args: unknown[]) => ipcRenderer.invoke(channel, ...args), appVersionFromArgv(process.argv)),
);
