// The whole native surface the UI gets: `window.vetting`. The preload builds it
// from one function, ipcRenderer.invoke, on a fixed list of channels; the main
// process validates every argument again (electron/main/ipc-validate.ts), since a
// compromised page could call invoke with anything. Kept free of imports so the
// sandboxed preload bundle needs no module loader.

export const IPC_CHANNELS = {
  print: 'vetting:print',
  printToPDF: 'vetting:print-to-pdf',
  saveFile: 'vetting:save-file',
  notify: 'vetting:notify',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];
export const IPC_CHANNEL_LIST: readonly IpcChannel[] = Object.values(IPC_CHANNELS);

/** What the main process tells the page (webContents.send): a desktop notification of a run was clicked. */
export const IPC_EVENTS = {
  openRun: 'vetting:open-run',
} as const;
export type IpcEvent = (typeof IPC_EVENTS)[keyof typeof IPC_EVENTS];

/** The argument that carries the app version into the sandboxed preload (webPreferences.additionalArguments). */
export const APP_VERSION_ARG = '--vetting-app-version=';

export interface PrintOptions {
  /** Show the page in its own window before the print dialog opens. */
  preview?: boolean;
}

/** Result of a native call: saved/printed, cancelled by the person, or failed with a message. */
export type NativeResult = { ok: true; path?: string } | { ok: false; cancelled: boolean; error?: string };

export interface VettingBridge {
  /** Print the current page, or a report URL of this app. */
  print(url?: string, options?: PrintOptions): Promise<NativeResult>;
  /** Render the current page or a report URL to an A4 PDF and save it where the person chooses. */
  printToPDF(url?: string): Promise<NativeResult>;
  /** Save text or bytes under a suggested file name, through a save dialog. */
  saveFile(name: string, data: string | Uint8Array): Promise<NativeResult>;
  /** Show a desktop notification; clicking it opens `runId` in the window (see onOpenRun). */
  notify(title: string, body: string, runId?: number | null): Promise<NativeResult>;
  /** Called with a run id when a desktop notification about that run is clicked; returns the unsubscribe. */
  onOpenRun(listener: (runId: number) => void): () => void;
  readonly appVersion: string;
}

export type Invoke = (channel: IpcChannel, ...args: unknown[]) => Promise<unknown>;
/** ipcRenderer.on for one event channel; returns what removes the listener. */
export type Subscribe = (channel: IpcEvent, listener: (...args: unknown[]) => void) => () => void;

const isRunId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

export function appVersionFromArgv(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith(APP_VERSION_ARG));
  return arg ? arg.slice(APP_VERSION_ARG.length) : 'unknown';
}

export function createVettingBridge(invoke: Invoke, appVersion: string, subscribe: Subscribe): VettingBridge {
  // Only plain values cross the bridge: no functions or objects from the page reach invoke.
  const call = (channel: IpcChannel, ...args: unknown[]) => invoke(channel, ...args) as Promise<NativeResult>;
  return Object.freeze({
    print: (url?: string, options?: PrintOptions) =>
      call(IPC_CHANNELS.print, url ?? null, { preview: options?.preview === true }),
    printToPDF: (url?: string) => call(IPC_CHANNELS.printToPDF, url ?? null),
    saveFile: (name: string, data: string | Uint8Array) => call(IPC_CHANNELS.saveFile, name, data),
    notify: (title: string, body: string, runId?: number | null) => (isRunId(runId) ? call(IPC_CHANNELS.notify, title, body, runId) : call(IPC_CHANNELS.notify, title, body)),
    // The page gets the run id only, checked, never the IPC event itself.
    onOpenRun: (listener: (runId: number) => void) =>
      subscribe(IPC_EVENTS.openRun, (...args: unknown[]) => {
        const id = args[0];
        if (isRunId(id)) listener(id);
      }),
    appVersion,
  });
}
